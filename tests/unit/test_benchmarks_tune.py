"""benchmarks/tune.py: variant names become PyVRP search parameters."""

from __future__ import annotations

import pytest
from pyvrp.solve import SolveParams

from benchmarks.tune import _params


def test_variant_parts_set_the_named_parameters() -> None:
    params = _params("hist100+nb30+pert10+ops3")
    assert isinstance(params, SolveParams)
    assert params.ils.history_length == 100
    assert params.neighbourhood.num_neighbours == 30
    assert params.perturbation.max_perturbations == 10
    assert len(params.operators) == len(SolveParams().operators) + 4


def test_default_is_pyvrps_default() -> None:
    params = _params("default")
    assert isinstance(params, SolveParams)
    assert params.ils.history_length == SolveParams().ils.history_length


def test_unknown_part_is_refused() -> None:
    with pytest.raises(SystemExit, match="unknown variant part"):
        _params("hist100+fast")


def test_route_cost_part_prices_each_route_by_the_depot_round_trip() -> None:
    import pyvrp

    from benchmarks.tune import _route_cost, _with_route_cost

    assert _route_cost("hist100+fix50") == 0.5 and _route_cost("hist100") == 0.0
    params = _params("fix50")
    assert isinstance(params, SolveParams)
    assert params.ils.history_length == SolveParams().ils.history_length
    # Depot at 0, clients 3 and 5 away: mean round trip 8, half of it per route.
    model = pyvrp.Model()
    places = [model.add_location(x=x, y=0) for x in (0, 3, 5)]
    model.add_depot(places[0])
    for place in places[1:]:
        model.add_client(place, delivery=[1])
    model.add_vehicle_type(2, capacity=[2])
    for a in places:
        for b in places:
            model.add_edge(a, b, distance=abs(int(a.x) - int(b.x)))
    data = model.data()
    priced = _with_route_cost(data, _route_cost("fix50"))
    assert [vt.fixed_cost for vt in priced.vehicle_types()] == [4]
    assert _with_route_cost(data, 0.0) is data
