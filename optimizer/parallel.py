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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from optimizer.compiled import Compiled
from optimizer.engines import get_engine
from optimizer.engines.base import EngineResult, Limits
from optimizer.model import Plan

log = logging.getLogger(__name__)

#: Seconds between two progress messages from one worker (the first is sent at once).
PROGRESS_INTERVAL = 0.1
#: Seconds a cancelled or overdue search gets to return before its worker is killed.
GRACE = 5.0


class WorkerError(RuntimeError):
    """A search failed or its worker died."""


@dataclass(frozen=True, slots=True)
class Cooperation:
    """How parallel searches share plans: at the end of each epoch, the best plan so far goes to
    every search whose own best is worse, which continues from it; the search that found it
    (and any search as good) keeps its own trajectory.

    Epoch ``k`` (from 0) lasts ``epoch * growth**k`` seconds.
    """

    epoch: float = 1.0
    growth: float = 1.0

    def __post_init__(self) -> None:
        if not self.epoch > 0 or not self.growth >= 1:
            raise ValueError("epoch must be positive and growth at least 1")

    def boundaries(self) -> Iterator[float]:
        """Seconds from the start of the searches at which plans are shared."""
        t, length = 0.0, self.epoch
        while True:
            t += length
            length *= self.growth
            yield t


class _Throttled:
    """Sends the first improvement at once, then at most one per PROGRESS_INTERVAL.

    An improvement held back is sent by ``flush`` (polled with the stop
    criterion) once the interval has passed, so the last one of a burst is not
    lost until the next improvement.
    """

    def __init__(self, results: Any, task_id: int) -> None:
        self._results, self._task_id, self._last = results, task_id, 0.0
        self._held: tuple[Plan, float] | None = None

    def __call__(self, plan: Plan, objective: float) -> None:
        self._held = (plan, objective)
        self.flush()

    def flush(self) -> None:
        if self._held is None:
            return
        now = time.monotonic()
        if self._last == 0.0 or now - self._last >= PROGRESS_INTERVAL:
            self._last = now
            plan, objective = self._held
            self._held = None
            self._results.put(("improve", self._task_id, plan, objective))


class _Inbox:
    """Plans the pool sends to a running cooperative search, read without blocking."""

    def __init__(self, conn: Connection, task_id: int) -> None:
        self._conn, self._task_id = conn, task_id
        #: The pool asked the worker to exit (``close``) while this task ran.
        self.closing = False

    def __call__(self) -> Plan | None:
        plan = None
        while not self.closing and self._conn.poll():
            msg = self._conn.recv()
            if msg is None:
                self.closing = True
            elif msg[0] == "adopt" and msg[1] == self._task_id:
                plan = msg[2]  # only the newest one matters
        return plan


def _worker_main(tasks: Connection, results: Any, cancel: Any) -> None:
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
        if msg[0] == "adopt":  # meant for a search that has ended
            continue
        _, task_id, compiled, engine_name, limits, cooperative = msg
        progress = _Throttled(results, task_id)
        inbox = _Inbox(tasks, task_id) if cooperative else None

        def stop(progress: _Throttled = progress) -> bool:
            progress.flush()
            return cancel.value != 0

        try:
            engine = get_engine(engine_name)
            # Only PyVRP's engine takes plans from other searches.
            cooperate = inbox is not None and engine_name.startswith("pyvrp")
            kwargs: dict[str, Any] = {"incoming": inbox} if cooperate else {}
            res = engine.solve(compiled, limits, on_improvement=progress, should_stop=stop, **kwargs)
            results.put(("done", task_id, res))
        except BaseException as exc:
            results.put(("error", task_id, f"{exc!r}\n{traceback.format_exc()}"))
        if inbox is not None and inbox.closing:
            return


class _Sharing:
    """The pool's side of a cooperative run: each task's best reported plan, and the epochs."""

    def __init__(self, cooperation: Cooperation, started: float) -> None:
        self._boundaries = cooperation.boundaries()
        self._next = started + next(self._boundaries)
        self._started = started
        #: Best (objective, plan) each task reported, or was sent.
        self.best: dict[int, tuple[float, Plan]] = {}
        self.shared = 0

    def offer(self, tid: int, plan: Plan, objective: float) -> None:
        if tid not in self.best or objective < self.best[tid][0]:
            self.best[tid] = (objective, plan)

    def maybe_share(
        self, tasks: dict[int, tuple[int, int]], pending: set[int], workers: list[_Worker]
    ) -> None:
        now = time.monotonic()
        if now < self._next:
            return
        while self._next <= now:
            self._next = self._started + next(self._boundaries)
        if not self.best:
            return
        # Lowest objective, then lowest run number: the same leader for equal plans.
        leader = min(self.best, key=lambda t: (self.best[t][0], tasks[t][0]))
        objective, plan = self.best[leader]
        for tid in pending:
            if tid != leader and (tid not in self.best or self.best[tid][0] > objective):
                try:
                    workers[tasks[tid][1]].send(("adopt", tid, plan))
                except (BrokenPipeError, OSError):
                    continue  # a dead worker is noticed by the liveness check
                self.best[tid] = (objective, plan)
                self.shared += 1


@dataclass
class _Worker:
    process: Any
    conn: Connection
    cancel: Any
    task: int | None = None
    #: Tasks, shared plans and ``close`` may be sent from different threads.
    send_lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, msg: Any) -> None:
        with self.send_lock:
            self.conn.send(msg)


class WorkerPool:
    """``size`` worker processes; ``run`` spreads independent searches over them."""

    def __init__(self, size: int = 2) -> None:
        if size < 1:
            raise ValueError("pool size must be at least 1")
        self._ctx = mp.get_context("spawn")
        # Written by the putting thread itself: a Queue's feeder thread must wait for the GIL, which a
        # worker's search holds for tens of milliseconds at a time (first plans arrived up to 40 ms late).
        self._results = self._ctx.SimpleQueue()
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
        cooperation: Cooperation | None = None,
    ) -> list[EngineResult | WorkerError]:
        """Run each ``(engine, limits)`` search on its own worker, in parallel.

        Fewer workers than runs are used when the pool is busy (at least one).
        Returns one result (or error) per run actually started. With
        ``cooperation`` (engines that take ``incoming`` plans: PyVRP), the runs
        share their best plans as it says; the engines' objectives must then be
        comparable (lower is better).
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
                w.send(("task", tid, compiled, engine, limits, cooperation is not None and len(runs) > 1))
        out: list[EngineResult | WorkerError | None] = [None] * len(runs)
        pending = set(tasks)
        cancelled_at: float | None = None
        started = time.monotonic()
        hard_deadline = started + max(lim.time_limit for _, lim in runs) + GRACE
        share = _Sharing(cooperation, started) if cooperation is not None and len(runs) > 1 else None
        try:
            while pending:
                if cancelled_at is None and stop():
                    cancelled_at = time.monotonic()
                    for tid in pending:
                        self._workers[tasks[tid][1]].cancel.value = 1
                if share is not None and cancelled_at is None:
                    share.maybe_share(tasks, pending, self._workers)
                try:
                    msg = inbox.get(timeout=0.02)
                except queue.Empty:
                    self._check_alive(tasks, pending, out, cancelled_at, hard_deadline)
                    continue
                kind, tid = msg[0], msg[1]
                run_no = tasks[tid][0]
                if kind == "improve":
                    if share is not None:
                        share.offer(tid, msg[2], msg[3])
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
                w.send(None)
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
