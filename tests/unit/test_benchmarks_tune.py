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
