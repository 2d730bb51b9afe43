"""Cooperative parallel searches: how plans are shared, and solve() with a real worker pool."""

from __future__ import annotations

import itertools
import multiprocessing as mp
import time
from typing import Any

import pytest

from optimizer.checker import evaluate
from optimizer.compiled import compile_problem
from optimizer.model import NodeKind, Plan, RoutePlan, Visit
from optimizer.parallel import WorkerPool
from optimizer.sharing import Cooperation, Inbox, Sharing
from optimizer.solve import SolveOptions, solve
from tests.unit.test_solve import grid_problem


class Outbox:
    """Stands in for a worker's end of the pipe: records what the pool sends."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def send(self, msg: Any) -> None:
        self.sent.append(msg)


def plan(job: int) -> Plan:
    return Plan([RoutePlan(0, [Visit(NodeKind.JOB, job)])])


def test_epochs_grow_as_configured() -> None:
    assert list(itertools.islice(Cooperation(1.0).boundaries(), 3)) == [1.0, 2.0, 3.0]
    assert list(itertools.islice(Cooperation(0.5, 2.0).boundaries(), 4)) == [0.5, 1.5, 3.5, 7.5]
    with pytest.raises(ValueError):
        Cooperation(0.0)
    with pytest.raises(ValueError):
        Cooperation(1.0, 0.5)


def test_best_plan_goes_to_worse_searches_at_the_end_of_an_epoch() -> None:
    """Nothing is shared before the epoch ends; then the worse search gets the leader's plan, once."""
    tasks = {11: (0, 0), 12: (1, 1), 13: (2, 2)}  # task id -> (run, worker)
    workers = [Outbox(), Outbox(), Outbox()]
    share = Sharing(Cooperation(0.05), time.monotonic())
    share.offer(11, plan(1), 100.0)
    share.offer(12, plan(2), 90.0)
    share.offer(12, plan(3), 95.0)  # not an improvement: ignored
    share.offer(13, plan(4), 90.0)  # as good as the leader: keeps its own
    share.maybe_share(tasks, set(tasks), workers)  # type: ignore[arg-type]
    assert all(not w.sent for w in workers)
    time.sleep(0.06)
    share.maybe_share(tasks, set(tasks), workers)  # type: ignore[arg-type]
    assert workers[0].sent == [("adopt", 11, plan(2))]
    assert not workers[1].sent and not workers[2].sent
    time.sleep(0.06)
    share.maybe_share(tasks, set(tasks), workers)  # type: ignore[arg-type]
    assert len(workers[0].sent) == 1  # already has it
    share.offer(11, plan(5), 80.0)
    time.sleep(0.06)
    share.maybe_share(tasks, {11, 12}, workers)  # type: ignore[arg-type]  # task 13 has ended
    assert workers[1].sent == [("adopt", 12, plan(5))] and not workers[2].sent


def test_inbox_keeps_the_newest_plan_for_its_task_and_notices_close() -> None:
    pool_end, worker_end = mp.Pipe()
    inbox = Inbox(worker_end, 7)
    assert inbox() is None
    pool_end.send(("adopt", 6, plan(1)))  # for an earlier task of this worker
    pool_end.send(("adopt", 7, plan(2)))
    pool_end.send(("adopt", 7, plan(3)))
    assert inbox() == plan(3)
    pool_end.send(None)
    assert inbox() is None and inbox.closing


@pytest.fixture(scope="module")
def pool() -> Any:
    with WorkerPool(2) as p:
        assert p.wait_ready()
        yield p


def test_cooperative_solve_returns_a_verified_complete_plan(pool: WorkerPool) -> None:
    """Two cooperating searches: improving verified progress, every job served, both runs counted."""
    p = grid_problem(jobs=40, capacity=8, vehicles=6)
    costs: list[float] = []
    opts = SolveOptions(time_limit=2.0, parallelism=2, seed=3, cooperative=True)
    sol = solve(p, opts, pool=pool, on_progress=lambda s: costs.append(s.cost))
    assert sol.stats.runs == 2
    assert sol.evaluation.is_feasible and not sol.unassigned
    assert evaluate(compile_problem(p), sol.plan).cost.total == pytest.approx(sol.cost)
    assert costs and all(b < a for a, b in itertools.pairwise(costs))
    assert sol.cost <= costs[-1]


def test_cooperative_solve_with_reloads_uses_the_relaxed_variant_too(pool: WorkerPool) -> None:
    """A rich problem (several trips) runs pyvrp and pyvrp-relaxed cooperatively and serves everything."""
    p = grid_problem(jobs=16, capacity=6, max_trips=2, vehicles=2)
    sol = solve(p, SolveOptions(time_limit=1.5, parallelism=2, cooperative=True), pool=pool)
    assert sol.stats.runs == 2
    assert sol.evaluation.is_feasible and not sol.unassigned
    assert any(v.kind is NodeKind.DEPOT for r in sol.plan.routes for v in r.visits)


def test_cooperative_solve_stops_when_asked(pool: WorkerPool) -> None:
    p = grid_problem(jobs=40, capacity=8, vehicles=6)
    t0 = time.monotonic()
    sol = solve(
        p,
        SolveOptions(time_limit=30, parallelism=2, cooperative=True),
        pool=pool,
        should_stop=lambda: time.monotonic() - t0 > 0.8,
    )
    assert time.monotonic() - t0 < 5
    assert sol.evaluation.is_feasible


def test_iteration_limit_keeps_cooperative_solves_deterministic(pool: WorkerPool) -> None:
    """With max_iterations, cooperation is off, so the same seed gives the same plan."""
    p = grid_problem(jobs=24, capacity=7, vehicles=5)
    opts = SolveOptions(time_limit=60, seed=4, max_iterations=300, parallelism=2, cooperative=True)
    a = solve(p, opts, pool=pool)
    b = solve(p, opts, pool=pool)
    assert [(r.vehicle, r.visits) for r in a.plan.routes] == [(r.vehicle, r.visits) for r in b.plan.routes]


def test_cooperation_by_default_only_where_it_measured_better() -> None:
    """Left to Hakobu, searches share plans on big problems with short budgets only, never with an
    iteration limit or another engine; an explicit choice wins."""
    from optimizer.solve import COOPERATE_MAX_SECONDS, COOPERATE_MIN_ITEMS, SolveOptions, cooperates

    short = SolveOptions(time_limit=10, parallelism=2)
    assert cooperates(short, "pyvrp", COOPERATE_MIN_ITEMS)
    assert not cooperates(short, "pyvrp", COOPERATE_MIN_ITEMS - 1)
    assert not cooperates(SolveOptions(time_limit=COOPERATE_MAX_SECONDS + 1), "pyvrp", 1000)
    assert not cooperates(SolveOptions(time_limit=10, max_iterations=100), "pyvrp", 1000)
    assert not cooperates(short, "ortools", 1000)
    assert cooperates(SolveOptions(time_limit=60, cooperative=True), "pyvrp", 10)
    assert not cooperates(SolveOptions(time_limit=10, cooperative=False), "pyvrp", 1000)
