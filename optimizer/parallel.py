"""A pool of warm worker processes that run engine searches.

Solving is CPU-bound and holds the GIL, so searches run in separate processes
(started with ``spawn``: safe next to gRPC's threads). Workers import the
solvers once and then take tasks; each task streams its improving plans back
and can be cancelled. A worker that dies is replaced.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import queue
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from optimizer.compiled import Compiled
from optimizer.engines.base import EngineResult, Limits
from optimizer.model import Plan

log = logging.getLogger(__name__)

#: Seconds between two progress messages from one worker (the first is sent at once).
PROGRESS_INTERVAL = 0.1
#: Seconds a cancelled or overdue search gets to return before its worker is killed.
GRACE = 5.0


class WorkerError(RuntimeError):
    """A search failed or its worker died."""


class _Throttled:
    """Sends the first improvement at once, then at most one per PROGRESS_INTERVAL."""

    def __init__(self, results: Any, task_id: int) -> None:
        self._results, self._task_id, self._last = results, task_id, 0.0

    def __call__(self, plan: Plan, objective: float) -> None:
        now = time.monotonic()
        if self._last == 0.0 or now - self._last >= PROGRESS_INTERVAL:
            self._last = now
            self._results.put(("improve", self._task_id, plan, objective))


def _worker_main(tasks: Connection, results: Any, cancel: Any) -> None:
    from optimizer.engines import get_engine

    for name in ("pyvrp", "ortools"):  # warm up: imports take most of a second
        get_engine(name)
    results.put(("ready", -1))
    while True:
        try:
            msg = tasks.recv()
        except EOFError:
            return
        if msg is None:
            return
        task_id, compiled, engine_name, limits = msg
        try:
            res = get_engine(engine_name).solve(
                compiled,
                limits,
                on_improvement=_Throttled(results, task_id),
                should_stop=lambda: cancel.value != 0,
            )
            results.put(("done", task_id, res))
        except BaseException as exc:
            results.put(("error", task_id, f"{exc!r}\n{traceback.format_exc()}"))


@dataclass
class _Worker:
    process: Any
    conn: Connection
    cancel: Any
    task: int | None = None


class WorkerPool:
    """``size`` worker processes; ``run`` spreads independent searches over them."""

    def __init__(self, size: int = 2) -> None:
        if size < 1:
            raise ValueError("pool size must be at least 1")
        self._ctx = mp.get_context("spawn")
        self._results = self._ctx.Queue()
        self._lock = threading.Condition()
        self._inboxes: dict[int, queue.Queue[tuple[Any, ...]]] = {}
        self._next_task = 0
        self._closed = False
        self._ready = threading.Semaphore(0)
        self._workers = [self._start_worker() for _ in range(size)]
        self._reader = threading.Thread(target=self._read_results, name="pool-results", daemon=True)
        self._reader.start()

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Block until every worker has loaded the solvers (about a second)."""
        deadline = time.monotonic() + timeout
        for _ in range(len(self._workers)):
            if not self._ready.acquire(timeout=max(0.0, deadline - time.monotonic())):
                return False
        for _ in range(len(self._workers)):
            self._ready.release()
        return True

    @property
    def size(self) -> int:
        return len(self._workers)

    def _start_worker(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        cancel = self._ctx.Value("b", 0)
        proc = self._ctx.Process(target=_worker_main, args=(child, self._results, cancel), daemon=True)
        proc.start()
        child.close()
        return _Worker(proc, parent, cancel)

    def _read_results(self) -> None:
        while True:
            try:
                msg = self._results.get()
            except (EOFError, OSError):
                return
            if msg is None:
                return
            if msg[0] == "ready":
                self._ready.release()
                continue
            with self._lock:
                box = self._inboxes.get(msg[1])
            if box is not None:
                box.put(msg)

    def busy(self) -> int:
        with self._lock:
            return sum(w.task is not None for w in self._workers)

    def _acquire(self, wanted: int, should_stop: Callable[[], bool]) -> list[int]:
        """Indices of up to ``wanted`` free workers; waits for at least one."""
        with self._lock:
            while True:
                if self._closed:
                    raise WorkerError("worker pool is closed")
                free = [i for i, w in enumerate(self._workers) if w.task is None]
                if free:
                    got = free[:wanted]
                    for i in got:
                        self._workers[i].task = -1
                    return got
                if should_stop():
                    return []
                self._lock.wait(0.05)

    def _release(self, idx: int) -> None:
        with self._lock:
            self._workers[idx].task = None
            self._lock.notify_all()

    def run(
        self,
        compiled: Compiled,
        runs: Sequence[tuple[str, Limits]],
        on_improvement: Callable[[int, Plan, float], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[EngineResult | WorkerError]:
        """Run each ``(engine, limits)`` search on its own worker, in parallel.

        Fewer workers than runs are used when the pool is busy (at least one).
        Returns one result (or error) per run actually started.
        """
        stop = should_stop or (lambda: False)
        idxs = self._acquire(len(runs), stop)
        runs = list(runs)[: len(idxs)]
        tasks: dict[int, tuple[int, int]] = {}  # task id -> (run number, worker index)
        inbox: queue.Queue[tuple[Any, ...]] = queue.Queue()
        with self._lock:
            for n, (idx, (engine, limits)) in enumerate(zip(idxs, runs, strict=True)):
                self._next_task += 1
                tid = self._next_task
                tasks[tid] = (n, idx)
                self._inboxes[tid] = inbox
                w = self._workers[idx]
                w.task = tid
                w.cancel.value = 0
                w.conn.send((tid, compiled, engine, limits))
        out: list[EngineResult | WorkerError | None] = [None] * len(runs)
        pending = set(tasks)
        cancelled_at: float | None = None
        hard_deadline = time.monotonic() + max(lim.time_limit for _, lim in runs) + GRACE
        try:
            while pending:
                if cancelled_at is None and stop():
                    cancelled_at = time.monotonic()
                    for tid in pending:
                        self._workers[tasks[tid][1]].cancel.value = 1
                try:
                    msg = inbox.get(timeout=0.02)
                except queue.Empty:
                    self._check_alive(tasks, pending, out, cancelled_at, hard_deadline)
                    continue
                kind, tid = msg[0], msg[1]
                run_no = tasks[tid][0]
                if kind == "improve":
                    if on_improvement is not None:
                        on_improvement(run_no, msg[2], msg[3])
                    continue
                out[run_no] = msg[2] if kind == "done" else WorkerError(msg[2])
                pending.discard(tid)
                self._release(tasks[tid][1])
        finally:
            if pending:  # interrupted: stop what still runs
                for tid in pending:
                    self._workers[tasks[tid][1]].cancel.value = 1
                for tid in pending:
                    self._replace(tasks[tid][1])
            with self._lock:
                for tid in tasks:
                    self._inboxes.pop(tid, None)
        return [r for r in out if r is not None]

    def _check_alive(
        self,
        tasks: dict[int, tuple[int, int]],
        pending: set[int],
        out: list[Any],
        cancelled_at: float | None,
        hard_deadline: float,
    ) -> None:
        now = time.monotonic()
        for tid in list(pending):
            run_no, idx = tasks[tid]
            w = self._workers[idx]
            overdue = now > hard_deadline or (cancelled_at is not None and now - cancelled_at > GRACE)
            if not w.process.is_alive() or overdue:
                why = "worker process died" if not w.process.is_alive() else "search did not stop in time"
                log.error("search failed", extra={"task": tid, "reason": why})
                out[run_no] = WorkerError(why)
                pending.discard(tid)
                self._replace(idx)

    def _replace(self, idx: int) -> None:
        old = self._workers[idx]
        if old.process.is_alive():
            old.process.kill()
        old.process.join(timeout=5)
        with self._lock:
            self._workers[idx] = self._start_worker()
            self._lock.notify_all()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        for w in self._workers:
            try:
                w.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        for w in self._workers:
            w.process.join(timeout=2)
            if w.process.is_alive():
                w.process.kill()
                w.process.join(timeout=2)
        self._results.put(None)
        self._reader.join(timeout=2)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
