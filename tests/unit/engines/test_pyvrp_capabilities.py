"""Each capability the PyVRP engine declares is really modelled.

For every :class:`Capability`, a small problem that needs it and where it binds: the naive plan
(every item on the first vehicle, in order) breaks the constraint or costs more, while the engine's
plan passes the independent checker with every required item served, and costs no more.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from optimizer.checker import evaluate
from optimizer.compiled import compile_problem
from optimizer.engines.base import Capability, Limits, required_capabilities
from optimizer.engines.pyvrp import PyVRPEngine
from optimizer.model import (
    Depot,
    Job,
    JobKind,
    NodeKind,
    Plan,
    Problem,
    RoutePlan,
    Shipment,
    Stop,
    TimeWindow,
    Vehicle,
    Visit,
)
from tests.unit.engines.builders import at, job

QUICK = Limits(time_limit=10.0, seed=1, max_iterations=300)
HOME = (Depot("depot", at(0)),)


def _problem(vehicles: tuple[Vehicle, ...], jobs: tuple = (), **kw: object) -> Problem:
    return Problem(kw.pop("depots", HOME), vehicles, jobs, **kw)  # type: ignore[arg-type]


def _trucks(n: int, capacity: int = 10, **kw: object) -> tuple[Vehicle, ...]:
    return tuple(Vehicle(f"v{k}", (capacity,), **kw) for k in range(n))  # type: ignore[arg-type]


#: Capability -> the problem that needs it, and whether the naive plan is infeasible (else: dearer).
CASES: dict[Capability, tuple[Callable[[], Problem], bool]] = {
    Capability.MULTI_DIMENSIONAL_CAPACITY: (
        lambda: _problem(
            tuple(Vehicle(f"v{k}", (10, 2)) for k in range(2)),
            tuple(Job(f"j{i}", Stop(at(i + 1)), demand=(1, 1)) for i in range(4)),
            dimensions=("kg", "m3"),
        ),
        True,
    ),
    Capability.TIME_WINDOWS: (
        lambda: _problem(
            _trucks(1),
            (
                job("far", at(20), windows=(TimeWindow(20, 25),)),
                job("near", at(10), windows=(TimeWindow(0, 12),)),
            ),
        ),
        True,
    ),
    Capability.MULTIPLE_TIME_WINDOWS: (
        lambda: _problem(
            _trucks(1),
            (
                job("late", at(20), windows=(TimeWindow(0, 5), TimeWindow(40, 45))),
                job("early", at(10), windows=(TimeWindow(0, 12), TimeWindow(30, 35))),
            ),
        ),
        True,
    ),
    Capability.PICKUPS: (
        lambda: _problem(
            _trucks(2, 3), tuple(job(f"p{i}", at(i + 1), 2, kind=JobKind.PICKUP) for i in range(2))
        ),
        True,
    ),
    Capability.SHIPMENTS: (
        lambda: Problem(
            HOME,
            _trucks(1, 3),
            shipments=tuple(
                Shipment(f"s{i}", Stop(at(10 + i)), Stop(at(20 + i)), demand=(2,)) for i in range(2)
            ),
        ),
        True,
    ),
    Capability.OPTIONAL_JOBS: (
        lambda: _problem(_trucks(1), (job("near", at(1), 1), job("far", at(1000), 1, penalty=1.0))),
        False,
    ),
    Capability.MULTIPLE_DEPOTS: (
        lambda: _problem(
            (Vehicle("a", (1,)), Vehicle("b", (1,), start_depot=1, end_depot=1)),
            (job("by-a", at(1), 1), job("by-b", at(99), 1)),
            depots=(Depot("a", at(0)), Depot("b", at(100))),
        ),
        True,
    ),
    Capability.HETEROGENEOUS_FLEET: (
        lambda: _problem((Vehicle("small", (2,)), Vehicle("big", (10,))), (job("heavy", at(5), 5),)),
        True,
    ),
    Capability.VEHICLE_RESTRICTIONS: (
        lambda: _problem(
            (Vehicle("two", (10,), vehicle_class="2t"), Vehicle("four", (10,), vehicle_class="4t")),
            (job("j", at(5), 1, classes=frozenset({"4t"})),),
        ),
        True,
    ),
    Capability.MAX_DURATION: (
        lambda: _problem(_trucks(2, max_duration=30), (job("east", at(10), 1), job("west", at(-10), 1))),
        True,
    ),
    Capability.MAX_DISTANCE: (
        lambda: _problem(_trucks(2, max_distance=30), (job("east", at(10), 1), job("west", at(-10), 1))),
        True,
    ),
    Capability.MULTI_TRIP: (
        lambda: _problem(_trucks(1, 1, max_trips=2), (job("a", at(3), 1), job("b", at(4), 1))),
        True,
    ),
    Capability.DURATION_COST: (
        lambda: _problem(
            (
                Vehicle("dear", (10,), cost_per_km=0.0, cost_per_hour=3600.0),
                Vehicle("cheap", (10,), cost_per_km=0.0),
            ),
            (job("j", at(10), 1),),
        ),
        False,
    ),
    Capability.ROUTE_TIME_LIMITS: (
        lambda: _problem(
            (Vehicle("short", (10,), shift=TimeWindow(0, 30)), Vehicle("long", (10,))),
            (job("east", at(10), 1), job("west", at(-10), 1)),
        ),
        True,
    ),
}


def _naive(problem: Problem) -> Plan:
    visits = [Visit(NodeKind.JOB, i) for i in range(len(problem.jobs))]
    visits += [Visit(NodeKind.PICKUP, s) for s in range(len(problem.shipments))]
    visits += [Visit(NodeKind.DELIVERY, s) for s in range(len(problem.shipments))]
    return Plan([RoutePlan(0, visits)])


def test_every_capability_has_a_case() -> None:
    """A capability added to the enum needs a problem here before the engine may claim it."""
    assert set(CASES) == set(Capability) and PyVRPEngine.capabilities == set(CASES)


@pytest.mark.parametrize("capability", list(CASES), ids=[c.name for c in CASES])
def test_the_engine_models_the_capability(capability: Capability) -> None:
    build, naive_breaks = CASES[capability]
    compiled = compile_problem(build())
    assert capability in required_capabilities(compiled)
    naive = evaluate(compiled, _naive(compiled.problem))
    result = PyVRPEngine().solve(compiled, QUICK)
    found = evaluate(compiled, result.plan, require_all=True)
    assert found.is_feasible, [v.message for v in found.violations]
    if naive_breaks:
        assert not naive.is_feasible  # the constraint binds: ignoring it gives a broken plan
    else:
        assert found.cost.total < naive.cost.total  # the cost or penalty decides, and was weighed
