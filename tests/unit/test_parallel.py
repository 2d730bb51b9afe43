"""The worker pool survives workers that die in the middle of a message: nothing hangs, the search
fails typed at once, and the pool answers the next run with a replaced worker."""

from __future__ import annotations

import os
import signal
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from optimizer.compiled import Compiled, compile_problem
from optimizer.engines.base import EngineResult, Limits
from optimizer.model import Plan
from optimizer.parallel import SearchAbandoned, WorkerError, WorkerPool
from tests.unit.test_solve import grid_problem

#: Seconds after which a call counts as hung (a test fails instead of hanging the suite).
HUNG = 60.0
#: Size of one flooded result: many times a pipe's buffer, so it is written in many pieces.
BIG = 256 * 1024


def _result() -> EngineResult:
    return EngineResult(plan=Plan(routes=[]), objective=0.0, iterations=0, first_feasible_seconds=None)


def _pipe(on_improvement: Any) -> tuple[Any, int]:
    """The worker's result pipe and task id, reached through its progress callback (test only)."""
    return on_improvement._results, on_improvement._task_id


class _Quick:
    name = "quick"
    capabilities: frozenset[Any] = frozenset()

    def solve(
        self, compiled: Compiled, limits: Limits, on_improvement: Any = None, should_stop: Any = None
    ) -> EngineResult:
        return _result()


class _Flood(_Quick):
    """Sends large improvements without pause (up to 100 of them)."""

    def solve(
        self, compiled: Compiled, limits: Limits, on_improvement: Any = None, should_stop: Any = None
    ) -> EngineResult:
        conn, task = _pipe(on_improvement)
        payload = {"pid": os.getpid(), "pad": b"x" * BIG}
        for _ in range(100):
            if should_stop():
                break
            conn.send(("improve", task, payload, 0.0))
        return _result()


class _Torn(_Quick):
    """Writes the start of a large message, then its worker is killed (SIGKILL) mid-message."""

    def solve(
        self, compiled: Compiled, limits: Limits, on_improvement: Any = None, should_stop: Any = None
    ) -> EngineResult:
        conn, _ = _pipe(on_improvement)
        data = struct.pack("!i", 16 * BIG) + b"x" * BIG  # says 4 MiB follow; a quarter does
        view = memoryview(data)
        while view:
            view = view[os.write(conn.fileno(), view) :]
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable")


class _Garbage(_Quick):
    """Sends a whole message that is no pickle, then searches on (up to a minute) as if all was well."""

    def solve(
        self, compiled: Compiled, limits: Limits, on_improvement: Any = None, should_stop: Any = None
    ) -> EngineResult:
        conn, _ = _pipe(on_improvement)
        conn.send_bytes(b"no pickle at all")
        end = time.monotonic() + HUNG
        while time.monotonic() < end and not should_stop():
            time.sleep(0.01)
        return _result()


def _engines(name: str) -> Any:
    return {"quick": _Quick, "flood": _Flood, "torn": _Torn, "garbage": _Garbage}[name]()


def _within(seconds: float, call: Callable[[], Any]) -> Any:
    """``call()``'s answer; fails (instead of hanging) when it has none after ``seconds``."""
    box: list[Any] = []

    def target() -> None:
        try:
            box.append(call())
        except BaseException as exc:
            box.append(exc)

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"no answer within {seconds} s: the pool hangs"
    if isinstance(box[0], BaseException):
        raise box[0]
    return box[0]


@pytest.fixture
def compiled() -> Compiled:
    return compile_problem(grid_problem(jobs=4))


def _answers_again(pool: WorkerPool, compiled: Compiled) -> None:
    """The pool runs a search at once, and one on each worker once the dead one's replacement loaded."""
    quick = ("quick", Limits(time_limit=5.0))
    assert all(isinstance(r, EngineResult) for r in _within(HUNG, lambda: pool.run(compiled, [quick])))
    assert _within(HUNG, lambda: pool.wait_ready(timeout=HUNG))
    every = _within(HUNG, lambda: pool.run(compiled, [quick] * pool.size))
    assert len(every) == pool.size and all(isinstance(r, EngineResult) for r in every)
    assert pool.busy() == 0


def test_a_worker_killed_while_sending_large_results_fails_only_its_search(compiled: Compiled) -> None:
    """Two searches flood 256 KiB results; one worker is killed mid-flood: the other's results still
    arrive whole, the killed one's search fails as a dead worker, and the pool answers after."""
    with WorkerPool(2, engines=_engines) as pool:
        assert pool.wait_ready()
        seen: dict[int, int] = {}
        killed: list[int] = []

        def improved(run: int, plan: Any, objective: float) -> None:
            assert len(plan["pad"]) == BIG  # every message that arrives is whole
            seen[plan["pid"]] = seen.get(plan["pid"], 0) + 1
            if not killed and seen[plan["pid"]] >= 3:
                killed.append(plan["pid"])
                os.kill(plan["pid"], signal.SIGKILL)

        flood = ("flood", Limits(time_limit=HUNG))
        out = _within(HUNG, lambda: pool.run(compiled, [flood, flood], on_improvement=improved))
        assert killed and len(out) == 2
        dead = [r for r in out if isinstance(r, WorkerError)]
        assert len(dead) == 1 and not isinstance(dead[0], SearchAbandoned)
        assert "worker process died" in str(dead[0])
        assert sum(isinstance(r, EngineResult) for r in out) == 1
        _answers_again(pool, compiled)


def test_a_worker_killed_in_the_middle_of_a_message_fails_its_search_at_once(compiled: Compiled) -> None:
    """Half a message in the pipe, then SIGKILL: the search fails (long before its time limit)."""
    with WorkerPool(1, engines=_engines) as pool:
        assert pool.wait_ready()
        out = _within(HUNG, lambda: pool.run(compiled, [("torn", Limits(time_limit=10 * HUNG))]))
        assert len(out) == 1 and type(out[0]) is WorkerError
        _answers_again(pool, compiled)


def test_an_unreadable_message_counts_as_the_death_of_its_worker(compiled: Compiled) -> None:
    """A worker that sent something that is no pickle is ended, and its search fails at once."""
    with WorkerPool(2, engines=_engines) as pool:
        assert pool.wait_ready()
        out = _within(HUNG, lambda: pool.run(compiled, [("garbage", Limits(time_limit=10 * HUNG))]))
        assert len(out) == 1 and type(out[0]) is WorkerError
        _answers_again(pool, compiled)
