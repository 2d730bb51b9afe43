"""The solver-free sweep that gives large plain problems a first plan before any search."""

from __future__ import annotations

import dataclasses

from benchmarks.limits import problem
from optimizer.checker import evaluate
from optimizer.compiled import compile_problem
from optimizer.model import Depot, Job, Location, Problem, Shipment, Stop, TimeWindow, Vehicle
from optimizer.solve import SWEEP_MIN_JOBS, SolveOptions, solve
from optimizer.sweep_plan import sweep_plan


def test_the_sweep_serves_every_job_within_capacity() -> None:
    compiled = compile_problem(problem(500, 20))
    plan = sweep_plan(compiled)
    assert plan is not None
    ev = evaluate(compiled, plan, require_all=True)
    assert ev.is_feasible
    assert sorted(v.index for r in plan.routes for v in r.visits) == list(range(500))


def test_a_job_too_big_for_the_first_vehicle_goes_to_a_bigger_one() -> None:
    depot = (Depot("d", Location(x=0, y=0)),)
    p = Problem(
        depot,
        (Vehicle("small", (3,)), Vehicle("big", (9,))),
        (Job("a", Stop(Location(x=1, y=0)), demand=(8,)), Job("b", Stop(Location(x=0, y=1)), demand=(3,))),
    )
    plan = sweep_plan(compile_problem(p))
    assert plan is not None and evaluate(compile_problem(p), plan, require_all=True).is_feasible


def test_the_sweep_stays_out_of_what_it_does_not_model() -> None:
    base = problem(20, 5)
    windowed = dataclasses.replace(
        base,
        jobs=(
            dataclasses.replace(base.jobs[0], stop=Stop(base.jobs[0].stop.location, 0, (TimeWindow(0, 9),))),
            *base.jobs[1:],
        ),
    )
    shipment = Shipment("s", Stop(base.jobs[0].stop.location), Stop(base.jobs[1].stop.location), demand=(1,))
    with_shipment = dataclasses.replace(base, shipments=(shipment,))
    too_small = dataclasses.replace(base, vehicles=(Vehicle("v", (1,)),))
    for p in (windowed, with_shipment, too_small):
        assert sweep_plan(compile_problem(p)) is None


def test_a_large_solve_reports_the_sweep_first_and_improves_on_it() -> None:
    p = problem(SWEEP_MIN_JOBS, 20)
    costs: list[float] = []
    sol = solve(p, SolveOptions(time_limit=3.0, seed=1), on_progress=lambda s: costs.append(s.cost))
    first = sweep_plan(compile_problem(p))
    assert first is not None
    assert costs[0] == evaluate(compile_problem(p), first).cost.total
    assert sol.cost <= costs[0] and sol.evaluation.is_feasible and not sol.unassigned
