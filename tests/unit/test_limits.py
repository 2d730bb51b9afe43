"""Time limits kept at scale: the pool gives up late searches, queued calls expire cleanly, the
engine answers with its swept plan when out of time, and matrices reach the workers through files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import pytest

from benchmarks.limits import problem
from optimizer.compiled import compile_problem
from optimizer.engines.base import Limits
from optimizer.engines.pyvrp import PyVRPEngine
from optimizer.errors import DeadlineExpired, NoPlanError
from optimizer.handoff import PREFIX, Handoff, Mapped, receive
from optimizer.parallel import WorkerPool
from optimizer.solve import LATE_MARGIN, MIN_SEARCH, SolveOptions, solve
from tests.unit.test_solve import grid_problem


def test_a_queued_run_whose_deadline_passes_raises_deadline_expired() -> None:
    """While the only worker is busy, a run that expires in the queue ends on time, typed, unsearched."""
    compiled = compile_problem(grid_problem(jobs=30, capacity=8, vehicles=5))
    with WorkerPool(1) as pool:
        assert pool.wait_ready()
        busy = threading.Thread(target=pool.run, args=(compiled, [("pyvrp", Limits(time_limit=3.0))]))
        busy.start()
        while pool.busy() == 0:
            time.sleep(0.01)
        t0 = time.monotonic()
        with pytest.raises(DeadlineExpired):
            pool.run(compiled, [("pyvrp", Limits(time_limit=10.0))], deadline=t0 + 0.3)
        assert 0.3 <= time.monotonic() - t0 < 0.3 + 0.5
        busy.join()
    assert issubclass(DeadlineExpired, NoPlanError)  # the edge's DEADLINE_EXCEEDED, never UNKNOWN


def test_a_solve_queued_behind_a_busy_pool_expires_typed() -> None:
    """Through ``solve``: DeadlineExpired (DEADLINE_EXCEEDED at the edge), not a ValueError."""
    p = grid_problem(jobs=30, capacity=8, vehicles=5)
    compiled = compile_problem(p)
    with WorkerPool(1) as pool:
        assert pool.wait_ready()  # else the busy run may expire waiting for it, and busy() stay 0
        busy = threading.Thread(target=pool.run, args=(compiled, [("pyvrp", Limits(time_limit=2.0))]))
        busy.start()
        while pool.busy() == 0:
            time.sleep(0.01)
        with pytest.raises(DeadlineExpired):
            solve(p, SolveOptions(time_limit=0.3, parallelism=2), pool=pool, compiled=compiled)
        busy.join()


def test_a_cancelled_queued_run_raises_deadline_expired() -> None:
    """``should_stop`` while waiting for a worker ends the call the same way."""
    compiled = compile_problem(grid_problem())
    with WorkerPool(1) as pool:
        assert pool.wait_ready()  # else the busy run may expire waiting for it, and busy() stay 0
        busy = threading.Thread(target=pool.run, args=(compiled, [("pyvrp", Limits(time_limit=2.0))]))
        busy.start()
        while pool.busy() == 0:
            time.sleep(0.01)
        with pytest.raises(DeadlineExpired):
            pool.run(compiled, [("pyvrp", Limits(time_limit=10.0))], should_stop=lambda: True)
        busy.join()


@pytest.mark.slow
def test_a_large_solve_answers_by_its_time_limit() -> None:
    """3,000 jobs, 1 s: PyVRP's neighbour lists alone take longer, yet the answer comes on time."""
    p = problem(3000, 30)
    compiled = compile_problem(p)
    with WorkerPool(2) as pool:
        assert pool.wait_ready()
        t0 = time.monotonic()
        try:
            sol = solve(p, SolveOptions(time_limit=1.0, parallelism=2), pool=pool, compiled=compiled)
        except NoPlanError:
            sol = None  # a loaded machine may not even build the instance in a second
        wall = time.monotonic() - t0
        assert wall <= 1.0 + LATE_MARGIN + 0.5  # a little slack for a machine shared with other tests
        if sol is not None:
            assert sol.evaluation.is_feasible and not sol.unassigned
        # The given-up workers are replaced in the background. A short call meanwhile waits for one
        # that has loaded the solvers, or expires typed, and kills none of them; then the pool solves.
        small = grid_problem(jobs=20)
        try:
            solve(small, SolveOptions(time_limit=0.05, parallelism=2), pool=pool)
        except NoPlanError:
            pass
        sol = solve(small, SolveOptions(time_limit=5.0, parallelism=2, max_iterations=200), pool=pool)
        assert sol.evaluation.is_feasible and sol.stats.runs >= 1
        assert pool.wait_ready(timeout=30)


def test_the_engine_out_of_time_returns_its_swept_plan() -> None:
    """With no time left after the sweep, PyVRP's engine skips its neighbour lists and search."""
    compiled = compile_problem(problem(400, 10))
    t0 = time.monotonic()
    result = PyVRPEngine().solve(compiled, Limits(time_limit=1e-6))
    assert time.monotonic() - t0 < 2.0
    assert result.iterations == 0
    assert sum(len(r.visits) for r in result.plan.routes) == 400


def test_a_solve_whose_budget_went_on_compiling_still_answers_at_once() -> None:
    """A request whose time limit passed before the search gets a brief search, and its plan."""
    p = grid_problem()
    with WorkerPool(2) as pool:
        assert pool.wait_ready()
        t0 = time.monotonic()
        sol = solve(p, SolveOptions(time_limit=1.0, parallelism=2), pool=pool, started_at=t0 - 2.0)
        assert time.monotonic() - t0 < MIN_SEARCH + LATE_MARGIN + 0.5  # slack for a shared machine
    assert sol.evaluation.is_feasible and not sol.unassigned


def test_large_matrices_travel_through_files_removed_after_use() -> None:
    """Above the threshold the matrices go through int32 files and come back equal, as int64."""
    compiled = compile_problem(problem(300, 5))
    with Handoff(compiled, min_mapped_bytes=0) as handoff:
        assert isinstance(handoff.sent, Mapped)
        paths = [*handoff.sent.distances, *handoff.sent.durations]
        assert all(os.path.exists(path) for path in paths)
        back = receive(handoff.sent)
    assert not any(os.path.exists(path) for path in paths)
    sent, came = (*compiled.distances, *compiled.durations), (*back.distances, *back.durations)
    for a, b in zip(sent, came, strict=True):
        assert b.dtype == a.dtype and (a == b).all()
    assert back.problem == compiled.problem and back.nodes == compiled.nodes


def test_files_left_by_a_killed_process_are_removed() -> None:
    """A directory whose owner died (kill -9 between writing and reading) goes with the next handoff."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = tempfile.mkdtemp(prefix=f"{PREFIX}{dead.pid}-")
    mine = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
    try:
        with Handoff(compile_problem(problem(300, 5)), min_mapped_bytes=0):
            pass
        assert not os.path.exists(orphan) and os.path.exists(mine)
    finally:
        shutil.rmtree(orphan, ignore_errors=True)
        shutil.rmtree(mine, ignore_errors=True)


def test_small_problems_are_sent_as_they_are() -> None:
    compiled = compile_problem(grid_problem())
    with Handoff(compiled) as handoff:
        assert handoff.sent is compiled
