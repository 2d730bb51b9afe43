"""solve(): engine choice, pre-filtering, parallel runs and verified progress."""

from __future__ import annotations

import itertools
import time

import pytest

from optimizer.checker import evaluate
from optimizer.compiled import compile_problem
from optimizer.engines import EngineChoiceError, choose_engine
from optimizer.model import Depot, Job, Location, Problem, Stop, TimeWindow, Vehicle
from optimizer.parallel import WorkerPool
from optimizer.solve import SolveOptions, solve


def grid_problem(jobs: int = 16, capacity: int = 6, max_trips: int = 1, vehicles: int = 3) -> Problem:
    return Problem(
        depots=(Depot("d", Location(x=0, y=0)),),
        vehicles=tuple(Vehicle(f"v{k}", capacity=(capacity,), max_trips=max_trips) for k in range(vehicles)),
        jobs=tuple(
            Job(
                f"j{i}",
                Stop(Location(x=10 * (i % 4) + 3, y=10 * (i // 4) + 3), service_duration=5),
                demand=(1,),
            )
            for i in range(jobs)
        ),
    )


def test_solution_is_verified_and_complete() -> None:
    """The returned plan passes the checker and serves every job."""
    p = grid_problem()
    sol = solve(p, SolveOptions(time_limit=1, seed=2))
    assert sol.evaluation.is_feasible
    assert evaluate(compile_problem(p), sol.plan).is_feasible
    assert not sol.unassigned and sol.evaluation.unassigned_jobs == ()
    assert sol.stats.engine == "pyvrp" and sol.stats.first_feasible_seconds is not None


def test_job_no_vehicle_can_carry_is_set_aside() -> None:
    """A job heavier than every vehicle is unassigned before the search, with reason CAPACITY."""
    p = grid_problem()
    heavy = Job("heavy", Stop(Location(x=5, y=5)), demand=(99,))
    p = Problem(depots=p.depots, vehicles=p.vehicles, jobs=(*p.jobs, heavy))
    sol = solve(p, SolveOptions(time_limit=0.5))
    [u] = sol.unassigned
    assert u.id == "heavy" and u.reason.name == "CAPACITY"
    assert len(p.jobs) - 1 == sum(len(r.visits) for r in sol.plan.routes)


def test_only_unservable_jobs_gives_empty_plan() -> None:
    """When no job can be served, the plan is empty and every job has a reason."""
    p = Problem(
        depots=(Depot("d", Location(x=0, y=0), time_window=TimeWindow(0, 100)),),
        vehicles=(Vehicle("v", capacity=(1,)),),
        jobs=(Job("far", Stop(Location(x=1000, y=0))),),
    )
    sol = solve(p, SolveOptions(time_limit=0.5))
    assert sol.plan.routes == [] and [u.id for u in sol.unassigned] == ["far"]


def test_requested_engine_that_cannot_model_falls_back_with_reason() -> None:
    """OR-Tools cannot model reloading: a multi-trip problem goes to PyVRP and says why."""
    p = grid_problem(capacity=4, max_trips=2, vehicles=2)
    engine, reason = choose_engine(compile_problem(p), "ortools")
    assert engine == "pyvrp" and "ortools cannot model" in reason
    sol = solve(p, SolveOptions(engine="ortools", time_limit=1))
    assert sol.stats.engine == "pyvrp" and sol.evaluation.is_feasible
    assert sum(len(r.visits) for r in sol.plan.routes) >= 16


def test_unknown_engine_is_rejected() -> None:
    """An unknown engine name is a ValueError, not a silent default."""
    with pytest.raises(ValueError):
        SolveOptions(engine="magic")
    with pytest.raises((KeyError, EngineChoiceError)):
        choose_engine(compile_problem(grid_problem()), "magic")


def test_progress_is_improving_and_should_stop_ends_early() -> None:
    """Progress costs never increase, and should_stop ends a 30 s solve at once."""
    p = grid_problem(jobs=40, capacity=8, vehicles=6)
    costs: list[float] = []
    t0 = time.monotonic()
    sol = solve(
        p,
        SolveOptions(time_limit=30),
        on_progress=lambda s: costs.append(s.cost),
        should_stop=lambda: time.monotonic() - t0 > 1.0,
    )
    assert time.monotonic() - t0 < 5
    assert costs and all(b < a for a, b in itertools.pairwise(costs))
    assert sol.cost == pytest.approx(costs[-1]) or sol.cost <= costs[-1]


def test_parallel_runs_on_worker_pool() -> None:
    """With a pool of two workers, two searches run and the best verified plan is kept."""
    p = grid_problem(jobs=30, capacity=8, vehicles=5)
    with WorkerPool(2) as pool:
        sol = solve(p, SolveOptions(time_limit=1.5, parallelism=2, seed=5), pool=pool)
    assert sol.stats.runs == 2
    assert sol.evaluation.is_feasible and not sol.unassigned


def test_deterministic_for_seed_and_iterations() -> None:
    """The same seed and iteration limit give the same plan."""
    p = grid_problem(jobs=20)
    opts = SolveOptions(time_limit=30, seed=11, max_iterations=200)
    a, b = solve(p, opts), solve(p, opts)
    assert [r.visits for r in a.plan.routes] == [r.visits for r in b.plan.routes]


def test_parallel_runs_are_deterministic_for_seed_and_iterations() -> None:
    """Two parallel solves with the same seed and iteration limit return the same plan."""
    p = grid_problem(jobs=24, capacity=7, vehicles=5)
    opts = SolveOptions(time_limit=60, seed=4, max_iterations=300, parallelism=2)
    with WorkerPool(2) as pool:
        a = solve(p, opts, pool=pool)
        b = solve(p, opts, pool=pool)
    assert a.stats.runs == 2
    assert [(r.vehicle, r.visits) for r in a.plan.routes] == [(r.vehicle, r.visits) for r in b.plan.routes]
