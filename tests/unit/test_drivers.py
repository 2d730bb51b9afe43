"""Drivers: licence-aware pairing of vehicles and drivers, in solve() and the checker."""

from __future__ import annotations

import pytest

from optimizer.checker import ViolationCode, evaluate
from optimizer.compiled import compile_problem
from optimizer.drivers import match_drivers
from optimizer.licences import Licence
from optimizer.model import (
    Depot,
    Driver,
    Job,
    Location,
    ModelError,
    NodeKind,
    Plan,
    Problem,
    RoutePlan,
    Stop,
    Vehicle,
    Visit,
)
from optimizer.solve import SolveOptions, solve

BIG = dict(gross_weight_kg=20_000, payload_kg=10_000)
SMALL = dict(gross_weight_kg=5_000, payload_kg=2_000)


def problem(vehicles: tuple[Vehicle, ...], drivers: tuple[Driver, ...], jobs: int = 8) -> Problem:
    return Problem(
        depots=(Depot("d", Location(x=0, y=0)),),
        vehicles=vehicles,
        jobs=tuple(
            Job(
                f"j{i}",
                Stop(Location(x=10 * (i % 4) + 3, y=10 * (i // 4) + 3), service_duration=5),
                demand=(1,),
            )
            for i in range(jobs)
        ),
        drivers=drivers,
    )


def _licensed(sol_problem: Problem, plan: Plan) -> None:
    used = [r for r in plan.routes if r.visits]
    drivers = [r.driver for r in used]
    assert None not in drivers and len(set(drivers)) == len(drivers)
    for r in used:
        veh, drv = sol_problem.vehicles[r.vehicle], sol_problem.drivers[r.driver]  # type: ignore[index]
        if veh.gross_weight_kg == 20_000:
            assert drv.licence is Licence.OGATA


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
@pytest.mark.parametrize("with_ogata", [False, True])
def test_big_vehicle_never_goes_to_a_junchugata_driver(engine: str, with_ogata: bool) -> None:
    """A 20 t vehicle is only ever driven by a 大型 driver, whichever engine plans."""
    # The big truck is the cheap one, so the engine would love to use it.
    vehicles = (
        Vehicle("big", capacity=(8,), fixed_cost=0.0, **BIG),
        Vehicle("small0", capacity=(4,), fixed_cost=500.0, **SMALL),
        Vehicle("small1", capacity=(4,), fixed_cost=500.0, **SMALL),
    )
    drivers = (Driver("a", Licence.JUNCHUGATA), Driver("b", Licence.JUNCHUGATA))
    if with_ogata:
        drivers += (Driver("o", Licence.OGATA),)
    p = problem(vehicles, drivers)
    sol = solve(p, SolveOptions(engine=engine, time_limit=1, seed=1, max_iterations=300))
    assert sol.evaluation.is_feasible and not sol.evaluation.unassigned_jobs
    _licensed(p, sol.plan)
    used = {p.vehicles[r.vehicle].id for r in sol.plan.routes if r.visits}
    assert ("big" in used) is with_ogata  # cheap, so used whenever someone may drive it
    ids = {rr.vehicle_id: rr.driver_id for rr in sol.evaluation.routes}
    if with_ogata:
        assert ids["big"] == "o"


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_fewer_drivers_than_vehicles(engine: str) -> None:
    """With one driver for three vehicles, the plan has at most one route."""
    vehicles = tuple(Vehicle(f"v{k}", capacity=(3,), **SMALL) for k in range(3))
    p = problem(vehicles, (Driver("only", Licence.CHUGATA),), jobs=6)
    sol = solve(p, SolveOptions(engine=engine, time_limit=1, seed=1, max_iterations=200))
    used = [r for r in sol.plan.routes if r.visits]
    assert len(used) == 1 and used[0].driver == 0
    assert len(sol.evaluation.unassigned_jobs) == 3  # only one truck of 3 can go
    assert sol.evaluation.is_feasible


def test_no_licensed_driver_leaves_everything_unassigned() -> None:
    """When no driver may drive any vehicle, every job is unassigned with a reason."""
    p = problem((Vehicle("big", capacity=(8,), **BIG),), (Driver("a", Licence.FUTSU),), jobs=3)
    sol = solve(p, SolveOptions(time_limit=1))
    assert not [r for r in sol.plan.routes if r.visits]
    assert len(sol.unassigned) == 3
    assert all("licence" in u.message for u in sol.unassigned)


def test_match_drivers_is_maximum() -> None:
    """The matching covers as many vehicles as possible, each with a licensed driver."""
    vehicles = (Vehicle("big", capacity=(1,), **BIG), Vehicle("small", capacity=(1,), **SMALL))
    # Greedy "o takes the first vehicle it may drive" would leave one vehicle idle if o took small.
    p = problem(vehicles, (Driver("o", Licence.OGATA), Driver("j", Licence.JUNCHUGATA)))
    assert match_drivers(p) == {0: 0, 1: 1}


def _route(vehicle: int, driver: int | None, jobs: range) -> RoutePlan:
    return RoutePlan(vehicle, [Visit(NodeKind.JOB, j) for j in jobs], driver)


def test_checker_flags_licence_reuse_and_unknown_driver() -> None:
    """Hand-made plans get LICENCE, DRIVER_REUSED and UNKNOWN_DRIVER violations."""
    vehicles = (Vehicle("big", capacity=(8,), **BIG), Vehicle("small", capacity=(8,), **SMALL))
    p = problem(vehicles, (Driver("a", Licence.JUNCHUGATA), Driver("o", Licence.OGATA)))
    c = compile_problem(p)
    ok = evaluate(c, Plan([_route(0, 1, range(4)), _route(1, 0, range(4, 8))]))
    assert ok.is_feasible and [r.driver_id for r in ok.routes] == ["o", "a"]

    bad = evaluate(c, Plan([_route(0, 0, range(4)), _route(1, 0, range(4, 8))]))
    codes = [v.code for v in bad.violations]
    assert codes.count(ViolationCode.LICENCE) == 1 and codes.count(ViolationCode.DRIVER_REUSED) == 1
    lic = next(v for v in bad.violations if v.code is ViolationCode.LICENCE)
    assert lic.route == 0 and "20000 kg" in lic.message and "準中型" in lic.message_ja
    assert next(v for v in bad.violations if v.code is ViolationCode.DRIVER_REUSED).route == 1

    unknown = evaluate(c, Plan([_route(1, 7, range(8))]))
    assert [v.code for v in unknown.violations] == [ViolationCode.UNKNOWN_DRIVER]

    missing = evaluate(c, Plan([_route(1, None, range(8))]))
    assert [v.code for v in missing.violations] == [ViolationCode.DRIVER_MISSING]


def test_validation_of_drivers_and_weights() -> None:
    """Duplicate driver ids and negative weights are field violations."""
    with pytest.raises(ModelError) as exc:
        problem(
            (Vehicle("v", capacity=(1,), gross_weight_kg=-1, payload_kg=-2),),
            (Driver("a", Licence.FUTSU), Driver("a", Licence.OGATA)),
        )
    fields = {f for f, _ in exc.value.violations}
    assert {"drivers[1].id", "vehicles[0].gross_weight_kg", "vehicles[0].payload_kg"} <= fields
