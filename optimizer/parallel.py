"""A pool of warm worker processes that run engine searches.

Solving is CPU-bound and holds the GIL, so searches run in separate processes
(started with ``spawn``: safe next to gRPC's threads). Workers import the
solvers once and then take tasks; each task streams its improving plans back
and can be cancelled. A worker that dies is replaced.

Time: every search of a run ends by the run's deadline. Searches stop themselves (the deadline is
sent as an absolute time, so the transfer of the problem counts), but a solver can spend seconds in
one step of its C++ code (PyVRP builds its neighbour lists and its first local search in about 6 s
at 5,000 jobs); a search that has not answered STOP_GRACE after it was asked to stop is given up:
its improvements so far have been reported, and its worker is replaced in the background.

Results: each worker writes to its own one-way pipe, which only the pool's reader thread reads
(``multiprocessing.connection.wait`` over every worker's pipe and process sentinel). A worker killed in
the middle of a message (cancel, deadline, restart, the OOM killer) leaves no lock held and nothing
half written in anyone else's way: its death is seen at once, a torn message counts as its death, and
its pipe is closed and dropped with it. (One queue shared by all workers could be left locked, or
with half a message in it, by a worker killed while writing, and hang the reader or the others.)
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing as mp
import os
import queue
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from optimizer.compiled import Compiled
from optimizer.engines import get_engine
from optimizer.engines.base import Engine, EngineResult, Limits
from optimizer.errors import DeadlineExpired
from optimizer.handoff import Handoff, receive
from optimizer.model import Plan
from optimizer.sharing import Cooperation, Inbox, Sharing

log = logging.getLogger(__name__)

#: Seconds between two progress messages from one worker (the first is sent at once).
PROGRESS_INTERVAL = 0.1
#: Seconds a search gets to return its plan once it was asked to stop (its deadline passed, or the
#: caller stopped it) before it is given up and its worker replaced. Part of the margin by which a
#: solve may end after its time limit (see ``optimizer.solve.LATE_MARGIN``).
STOP_GRACE = 0.3
#: Shortest budget a search is given, even when its deadline has (nearly) passed on arrival.
MIN_SEARCH_SECONDS = 0.01


class WorkerError(RuntimeError):
    """A search failed or its worker died."""


class SearchAbandoned(WorkerError):
    """A search did not return within STOP_GRACE of being asked to stop; its worker was replaced."""


__all__ = ["Cooperation", "DeadlineExpired", "SearchAbandoned", "WorkerError", "WorkerPool"]


class _Throttled:
    """Sends the first improvement at once, then at most one per PROGRESS_INTERVAL.

    An improvement held back is sent by ``flush`` (polled with the stop
    criterion) once the interval has passed, so the last one of a burst is not
    lost until the next improvement.
    """

    def __init__(self, results: Connection, task_id: int) -> None:
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
            self._results.send(("improve", self._task_id, plan, objective))


def _worker_main(
    tasks: Connection, results: Connection, cancel: Any, engines: Callable[[str], Engine]
) -> None:
    if engines is get_engine:
        for name in ("pyvrp", "ortools"):  # warm up: imports take most of a second
            get_engine(name)
    results.send(("ready", -1, os.getpid()))
    while True:
        try:
            msg = tasks.recv()
        except EOFError:
            return
        if msg is None:
            return
        if msg[0] == "adopt":  # meant for a search that has ended
            continue
        _, task_id, sent, engine_name, limits, deadline, cooperative = msg
        progress = _Throttled(results, task_id)
        inbox = Inbox(tasks, task_id) if cooperative else None

        def stop(progress: _Throttled = progress) -> bool:
            progress.flush()
            return cancel.value != 0

        try:
            compiled = receive(sent)
            results.send(("started", task_id))
            remaining = max(MIN_SEARCH_SECONDS, deadline - time.monotonic())
            limits = dataclasses.replace(limits, time_limit=min(limits.time_limit, remaining))
            engine = engines(engine_name)
            # Only PyVRP's engine takes plans from other searches.
            cooperate = inbox is not None and engine_name.startswith("pyvrp")
            kwargs: dict[str, Any] = {"incoming": inbox} if cooperate else {}
            res = engine.solve(compiled, limits, on_improvement=progress, should_stop=stop, **kwargs)
            results.send(("done", task_id, res))
        except BaseException as exc:
            results.send(("error", task_id, f"{exc!r}\n{traceback.format_exc()}"))
        compiled = sent = None  # let go of the mapped matrices before waiting for the next task
        if inbox is not None and inbox.closing:
            return


def _read_some(fd: int) -> bool:
    try:
        return bool(os.read(fd, 4096))
    except BlockingIOError:
        return False


@dataclass
class _Worker:
    process: Any
    conn: Connection
    #: Read end of the worker's own result pipe; read (and closed, then None) only by the reader.
    results: Connection | None
    cancel: Any
    task: int | None = None
    #: Whether the worker has loaded the solvers and waits for tasks.
    ready: bool = False
    #: Its task was given up before the worker took it (still loading the solvers): it keeps the
    #: task, which ends at once as its deadline has passed, and is free again when it does.
    orphan: bool = False
    #: Being replaced (``WorkerPool._replace``): killed, and its slot gets a new worker.
    retired: bool = False
    #: Tasks, shared plans and ``close`` may be sent from different threads.
    send_lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, msg: Any) -> None:
        with self.send_lock:
            self.conn.send(msg)


class WorkerPool:
    """``size`` worker processes; ``run`` spreads independent searches over them.

    ``engines`` is how a worker gets an engine by name (default: ``get_engine``); tests pass their
    own, a module-level function (it is sent to the spawned workers).
    """

    def __init__(self, size: int = 2, engines: Callable[[str], Engine] = get_engine) -> None:
        if size < 1:
            raise ValueError("pool size must be at least 1")
        self._ctx = mp.get_context("spawn")
        self._engines = engines
        self._lock = threading.Condition()
        self._inboxes: dict[int, queue.Queue[tuple[Any, ...]]] = {}
        self._next_task = 0
        self._closed = False
        # Wakes the reader when a worker joins (its pipe is to be watched too) or the pool closes.
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._workers = [self._start_worker() for _ in range(size)]
        self._reader = threading.Thread(target=self._read_results, name="pool-results", daemon=True)
        self._reader.start()

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Block until every worker has loaded the solvers (about a second), replacements included."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not all(w.ready and not w.retired for w in self._workers):
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    return False
                self._lock.wait(left)
            return True

    @property
    def size(self) -> int:
        return len(self._workers)

    def _start_worker(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        # Written by the worker's sending thread itself: a Queue's feeder thread must wait for the GIL,
        # which a search holds for tens of milliseconds at a time (first plans arrived up to 40 ms late).
        results, writer = self._ctx.Pipe(duplex=False)
        # No lock: a worker killed while reading its flag would leave a lock held, and the pool
        # waiting for it forever when it sets the flag. One byte is written and read whole.
        cancel = self._ctx.Value("b", 0, lock=False)
        args = (child, writer, cancel, self._engines)
        proc = self._ctx.Process(target=_worker_main, args=args, daemon=True)
        proc.start()
        # The worker holds the only write end: once it dies, reading its pipe ends (EOFError).
        child.close()
        writer.close()
        return _Worker(proc, parent, results, cancel)

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"w")
        except (BlockingIOError, OSError):
            pass  # already woken (full), or closed

    def _read_results(self) -> None:
        """The one reader of every worker's result pipe. It watches the workers' process sentinels
        too: a worker's death is seen at once, whatever it was writing."""
        watched: dict[int, _Worker] = {}  # by id(); a worker stays until its pipe is dropped
        while True:
            with self._lock:
                if not self._closed:
                    for w in self._workers:
                        if w.results is not None and id(w) not in watched:
                            watched[id(w)] = w
                elif not watched:
                    return
            objects: dict[Any, _Worker] = {}
            for w in watched.values():
                objects[w.results] = w
                objects[w.process.sentinel] = w
            for ready in wait([*objects, self._wake_r]):
                if ready == self._wake_r:
                    while _read_some(self._wake_r):
                        pass
                    continue
                w = objects[ready]
                if id(w) not in watched:  # dropped earlier in this round
                    continue
                try:
                    if self._take(w, is_pipe=ready is w.results):
                        del watched[id(w)]
                except Exception:  # never let the reader die: every run would wait forever
                    log.exception("pool reader error")

    def _take(self, w: _Worker, is_pipe: bool) -> bool:
        """Read one message from ``w``'s pipe, or handle the end of its process; True when its
        pipe is dropped."""
        conn = w.results
        assert conn is not None
        if is_pipe:
            try:
                msg = conn.recv()
            except Exception as exc:  # EOFError, OSError, any unpickling error
                self._torn(w, exc)
                return True
            self._dispatch(w, msg)
            return False
        # The process ended: what it sent whole still counts. Never blocks: nobody holds the write
        # end any more, so half a message reads as EOFError.
        try:
            while conn.poll():
                self._dispatch(w, conn.recv())
        except Exception:  # EOFError at the end, or a torn message
            pass
        self._drop(w)
        self._died(w)
        return True

    def _dispatch(self, w: _Worker, msg: tuple[Any, ...]) -> None:
        if msg[0] == "ready":
            with self._lock:
                w.ready = True
                self._lock.notify_all()
            return
        with self._lock:  # delivered under the lock: ``run`` drains an inbox once it is removed
            box = self._inboxes.get(msg[1])
            if box is not None:
                box.put(msg)
        if box is None and msg[0] in ("done", "error"):  # the end of a search given up
            self._free_orphan(msg[1])

    def _torn(self, w: _Worker, exc: BaseException) -> None:
        """A message that could not be read whole (its writer died in the middle of it, or it is
        not a pickle) ends its worker: what follows in its pipe cannot be trusted. (EOFError at a
        message's start is the usual end of a worker that exits or is killed.)"""
        if w.process.is_alive():
            w.process.kill()
        self._drop(w)
        if not isinstance(exc, EOFError):
            log.error("worker ended", extra={"pid": w.process.pid, "reason": f"unreadable: {exc!r}"})
        self._died(w)

    @staticmethod
    def _drop(w: _Worker) -> None:
        if w.results is not None:
            w.results.close()
            w.results = None

    def _died(self, w: _Worker) -> None:
        """A worker's process ended: its running search (if any) fails at once, an idle worker is
        replaced; one being replaced already is left to ``_restart``."""
        with self._lock:
            if self._closed or w.retired:
                return
            idx = next((i for i, x in enumerate(self._workers) if x is w), None)
            if idx is None:
                return
            if w.task is None or w.orphan:
                log.warning("worker died", extra={"pid": w.process.pid, "reason": "while idle"})
                w.task, w.orphan = -2, False
                self._replace(idx)
            elif w.task > 0 and (box := self._inboxes.get(w.task)) is not None:
                box.put(("died", w.task))

    def _free_orphan(self, task: int) -> None:
        with self._lock:
            for w in self._workers:
                if w.orphan and w.task == task:
                    w.task, w.orphan = None, False
                    self._lock.notify_all()

    def busy(self) -> int:
        with self._lock:
            return sum(w.task is not None for w in self._workers)

    def _acquire(self, wanted: int, should_stop: Callable[[], bool]) -> list[int]:
        """Indices of up to ``wanted`` idle workers, those that have loaded the solvers first; waits
        until at least one of them has, or until ``should_stop``.

        (A replaced worker takes a second or two to start: a run of only starting workers would
        spend its budget with its problem waiting in their pipes.)
        """
        with self._lock:
            while True:
                if self._closed:
                    raise WorkerError("worker pool is closed")
                for i, w in enumerate(self._workers):
                    if (w.task is None or w.orphan) and not w.process.is_alive():  # died unwatched
                        w.task, w.orphan = -2, False
                        self._replace(i)
                idle = [i for i, w in enumerate(self._workers) if w.task is None]
                if any(self._workers[i].ready for i in idle):
                    idle.sort(key=lambda i: not self._workers[i].ready)
                    got = idle[:wanted]
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
        deadline: float | None = None,
    ) -> list[EngineResult | WorkerError]:
        """Run each ``(engine, limits)`` search on its own worker, in parallel.

        Fewer workers than runs are used when the pool is busy (at least one).
        Returns one result (or error) per run actually started. With
        ``cooperation`` (engines that take ``incoming`` plans: PyVRP), the runs
        share their best plans as it says; the engines' objectives must then be
        comparable (lower is better).

        ``deadline`` (a ``time.monotonic()`` value; default: the longest time limit from now) is
        when every search must end: searches still running STOP_GRACE after it, or after
        ``should_stop``, are given up (:class:`SearchAbandoned`). Raises :class:`DeadlineExpired`
        when the deadline passes or ``should_stop`` says so before any worker is free.
        """
        if deadline is None:
            deadline = time.monotonic() + max(lim.time_limit for _, lim in runs)
        end = deadline

        def stop() -> bool:
            return time.monotonic() >= end or (should_stop is not None and should_stop())

        idxs = [] if stop() else self._acquire(len(runs), stop)
        if not idxs:
            raise DeadlineExpired("stopped while waiting for a free worker; nothing was searched")
        runs = list(runs)[: len(idxs)]
        tasks: dict[int, tuple[int, int]] = {}  # task id -> (run number, worker index)
        inbox: queue.Queue[tuple[Any, ...]] = queue.Queue()
        handoff = Handoff(compiled)
        try:
            with self._lock:
                for n, (idx, (engine, limits)) in enumerate(zip(idxs, runs, strict=True)):
                    self._next_task += 1
                    tid = self._next_task
                    tasks[tid] = (n, idx)
                    self._inboxes[tid] = inbox
                    w = self._workers[idx]
                    w.task = tid
                    w.cancel.value = 0
                    sharing = cooperation is not None and len(runs) > 1
                    try:
                        w.send(("task", tid, handoff.sent, engine, limits, deadline, sharing))
                    except (BrokenPipeError, OSError):
                        pass  # died meanwhile: ``_follow`` finds it dead
            return self._follow(tasks, inbox, handoff, stop, deadline, on_improvement, cooperation)
        finally:
            handoff.close()
            with self._lock:
                for tid in tasks:
                    self._inboxes.pop(tid, None)
            while not inbox.empty():  # a search given up may have ended meanwhile
                msg = inbox.get_nowait()
                if msg[0] in ("done", "error"):
                    self._free_orphan(msg[1])

    def _follow(
        self,
        tasks: dict[int, tuple[int, int]],
        inbox: queue.Queue[tuple[Any, ...]],
        handoff: Handoff,
        stop: Callable[[], bool],
        deadline: float,
        on_improvement: Callable[[int, Plan, float], None] | None,
        cooperation: Cooperation | None,
    ) -> list[EngineResult | WorkerError]:
        """Collect the results of started ``tasks``, stopping and giving them up as ``run`` says."""
        out: list[EngineResult | WorkerError | None] = [None] * len(tasks)
        pending = set(tasks)
        waiting = set(tasks)  # not yet holding the problem (its files can go once none is)
        stopped_at: float | None = None
        sharing = cooperation is not None and len(tasks) > 1
        share = Sharing(cooperation, time.monotonic()) if cooperation is not None and sharing else None
        try:
            while pending:
                if stopped_at is None and stop():
                    # From the deadline itself when it is the cause: verifying a plan may have
                    # kept this loop busy past it.
                    stopped_at = min(time.monotonic(), deadline)
                    for tid in pending:
                        self._workers[tasks[tid][1]].cancel.value = 1
                if share is not None and stopped_at is None:
                    share.maybe_share(tasks, pending, self._workers)
                self._check_alive(tasks, pending, waiting, out, stopped_at)
                if not pending:
                    break
                try:
                    msg = inbox.get(timeout=0.02)
                except queue.Empty:
                    continue
                kind, tid = msg[0], msg[1]
                if tid not in pending:  # from a search already given up
                    if kind in ("done", "error"):
                        self._free_orphan(tid)
                    continue
                run_no = tasks[tid][0]
                if kind == "died":  # the reader saw its worker end
                    log.error("search failed", extra={"task": tid, "reason": "worker process died"})
                    out[run_no] = WorkerError("worker process died")
                    pending.discard(tid)
                    self._replace(tasks[tid][1])
                    continue
                if kind == "started":
                    waiting.discard(tid)
                    if not waiting:
                        handoff.close()  # every worker maps the matrices: no file is left behind
                    continue
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
        return [r for r in out if r is not None]

    def _check_alive(
        self,
        tasks: dict[int, tuple[int, int]],
        pending: set[int],
        waiting: set[int],
        out: list[Any],
        stopped_at: float | None,
    ) -> None:
        """Give up the searches whose worker died, or that were stopped STOP_GRACE ago: a worker busy
        with one is replaced, one that has not taken it yet keeps it (``_Worker.orphan``)."""
        now = time.monotonic()
        for tid in list(pending):
            run_no, idx = tasks[tid]
            w = self._workers[idx]
            if not w.process.is_alive():
                log.error("search failed", extra={"task": tid, "reason": "worker process died"})
                out[run_no] = WorkerError("worker process died")
            elif stopped_at is not None and now - stopped_at > STOP_GRACE:
                log.warning("search given up", extra={"task": tid, "reason": "did not stop in time"})
                out[run_no] = SearchAbandoned(f"the search did not stop within {STOP_GRACE} s")
                if tid in waiting:
                    with self._lock:
                        w.orphan = True
                    pending.discard(tid)
                    continue
            else:
                continue
            pending.discard(tid)
            self._replace(idx)

    def _replace(self, idx: int) -> None:
        """Kill the worker at ``idx`` and start another in its place in the background (a spawned
        process takes a while to start, which the caller should not wait for). The slot stays busy
        (its task is never released) until the new worker is in it. Once per worker."""
        with self._lock:
            old = self._workers[idx]
            if old.retired:
                return
            old.retired = True
        if old.process.is_alive():
            old.process.kill()
        threading.Thread(target=self._restart, args=(idx, old), name="pool-restart", daemon=True).start()

    def _restart(self, idx: int, old: _Worker) -> None:
        old.process.join(timeout=5)
        new = self._start_worker()
        with self._lock:
            if not self._closed:
                self._workers[idx] = new
                self._lock.notify_all()
                self._wake()
                return
        new.process.kill()
        new.process.join(timeout=2)
        new.conn.close()
        self._drop(new)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        self._wake()
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
        self._wake()
        self._reader.join(timeout=2)  # it ends once every worker's pipe is dropped
        if not self._reader.is_alive():
            for w in self._workers:
                self._drop(w)  # a worker that joined as the pool closed, never watched
            os.close(self._wake_r)
            os.close(self._wake_w)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
