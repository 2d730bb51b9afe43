"""The scheduler loop: sleeps until the next due time and runs due jobs one at a time.

Three seams keep it testable without waiting: the clock (``Clock``), what a job does (``JobRunner``) and
where the last run of each job is kept (``RunState``: PostgreSQL in production — see
``server.adapters.postgres.run_state`` — so a restarted or second scheduler never runs a due time twice,
memory in tests).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from server.jst import JST
from server.scheduler.config import Job, Schedule, latest_run, next_runs

log = logging.getLogger("hakobu.scheduler")

#: Longest single sleep: the loop looks at the wall clock again at least this often (clock steps, NTP).
MAX_NAP_SECONDS = 60.0
#: Pause before trying again when the run state (the database) cannot be reached.
RETRY_SECONDS = 30.0


# -- ports: clock, runner, run state -------------------------------------------------------------------


@dataclass(frozen=True)
class JobResult:
    ok: bool
    message: str = ""


#: What running a job means: (job, due time) → result. Raising counts as a failed run.
JobRunner = Callable[[Job, datetime.datetime], JobResult]


class Clock(Protocol):
    def now(self) -> datetime.datetime: ...

    def sleep(self, seconds: float, stop: threading.Event) -> None:
        """Wait ``seconds`` or until ``stop`` is set, whichever comes first."""


class SystemClock:
    def now(self) -> datetime.datetime:
        return datetime.datetime.now(JST)

    def sleep(self, seconds: float, stop: threading.Event) -> None:
        stop.wait(max(seconds, 0.0))


@dataclass(frozen=True)
class LastRun:
    job: str
    due_at: datetime.datetime
    started_at: datetime.datetime
    finished_at: datetime.datetime | None = None
    outcome: str | None = None  # "ok" | "failed"; None while running (or if the process died mid-run)
    message: str = ""


class RunState(Protocol):
    """The last due time each job was started for: the record that prevents a second run."""

    def last(self, job: str) -> LastRun | None: ...

    def claim(self, job: str, due: datetime.datetime, started: datetime.datetime) -> bool:
        """Atomically record ``due`` as started unless a run for ``due`` (or later) was already recorded."""

    def finish(
        self, job: str, due: datetime.datetime, finished: datetime.datetime, result: JobResult
    ) -> None:
        """Record how the run claimed for ``due`` ended."""


@dataclass
class MemoryRunState:
    """Run state in this process only (tests; a scheduler without a database to share)."""

    runs: dict[str, LastRun] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def last(self, job: str) -> LastRun | None:
        return self.runs.get(job)

    def claim(self, job: str, due: datetime.datetime, started: datetime.datetime) -> bool:
        with self._lock:
            prev = self.runs.get(job)
            if prev is not None and prev.due_at >= due:
                return False
            self.runs[job] = LastRun(job, due, started)
            return True

    def finish(
        self, job: str, due: datetime.datetime, finished: datetime.datetime, result: JobResult
    ) -> None:
        with self._lock:
            prev = self.runs.get(job)
            if prev is not None and prev.due_at == due:
                outcome = "ok" if result.ok else "failed"
                self.runs[job] = LastRun(job, due, prev.started_at, finished, outcome, result.message)


# -- the loop ------------------------------------------------------------------------------------------


class Scheduler:
    """Sleeps until the next due time and runs due jobs one at a time; see the module docstring."""

    def __init__(
        self,
        schedule: Schedule,
        runner: JobRunner,
        state: RunState,
        clock: Clock | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.schedule = schedule
        self.runner = runner
        self.state = state
        self.clock: Clock = clock or SystemClock()
        self.stop = stop or threading.Event()
        #: Latest due time per job that is settled (run here, run elsewhere, or missed): no claim needed.
        self._settled: dict[str, datetime.datetime] = {}
        self._loaded = False

    def run_forever(self) -> None:
        """Run until ``stop`` is set; a failing job or an unreachable database never ends the loop."""
        log.info(
            "scheduler started",
            extra={"source": self.schedule.source, "jobs": [j.name for j in self.schedule.jobs]},
        )
        while not self.stop.is_set():
            try:
                self.run_pending()
            except Exception:
                log.exception("scheduler state unavailable; retrying", extra={"retry_seconds": RETRY_SECONDS})
                self.clock.sleep(RETRY_SECONDS, self.stop)
                continue
            if self.stop.is_set():
                break
            now = self.clock.now()
            wake = self.next_due(now)
            nap = min((wake - now).total_seconds(), MAX_NAP_SECONDS)
            self.clock.sleep(max(nap, 0.001), self.stop)
        log.info("scheduler stopped")

    def next_due(self, now: datetime.datetime) -> datetime.datetime:
        """The earliest due time of any job after ``now``."""
        return min(next_runs(j.cron, now)[0] for j in self.schedule.jobs)

    def pending(self, now: datetime.datetime) -> list[tuple[Job, datetime.datetime]]:
        """Jobs due at ``now`` and not yet settled, earliest due time first (ties: schedule order)."""
        self._load()
        due: list[tuple[Job, datetime.datetime]] = []
        for job in self.schedule.jobs:
            at = latest_run(job.cron, now)
            settled = self._settled.get(job.name)
            if settled is not None and at <= settled:
                continue
            if now - at > job.grace:
                if settled is not None:  # it ran before, so this due time really went by unrun
                    log.warning(
                        "due time missed (scheduler was not running)",
                        extra={"job": job.name, "due_at": at.isoformat(), "grace": str(job.grace)},
                    )
                self._settled[job.name] = at
                continue
            due.append((job, at))
        return sorted(due, key=lambda p: p[1])

    def run_pending(self) -> int:
        """Run every job due now that no one ran for that due time; return how many ran."""
        ran = 0
        for job, at in self.pending(self.clock.now()):
            if self.stop.is_set():
                break
            if self._execute(job, at) is not None:
                ran += 1
        return ran

    def run_once(self) -> list[tuple[Job, JobResult]]:
        """Run every job now (due time = now), outside the schedule: no run state is read or written."""
        results: list[tuple[Job, JobResult]] = []
        for job in self.schedule.jobs:
            if self.stop.is_set():
                break
            results.append((job, self._run(job, self.clock.now())))
        return results

    def _load(self) -> None:
        if self._loaded:
            return
        for job in self.schedule.jobs:
            last = self.state.last(job.name)
            if last is not None:
                self._settled[job.name] = last.due_at
        self._loaded = True

    def _execute(self, job: Job, at: datetime.datetime) -> JobResult | None:
        if not self.state.claim(job.name, at, self.clock.now()):
            log.info("already run for this due time", extra={"job": job.name, "due_at": at.isoformat()})
            self._settled[job.name] = at
            return None
        self._settled[job.name] = at
        result = self._run(job, at)
        try:
            self.state.finish(job.name, at, self.clock.now(), result)
        except Exception:
            log.exception("could not record the end of the run", extra={"job": job.name})
        return result

    def _run(self, job: Job, at: datetime.datetime) -> JobResult:
        ctx = {"job": job.name, "due_at": at.isoformat(), "organization": job.organization}
        log.info("job started", extra={**ctx, "action": job.action.describe()})
        t0 = time.monotonic()
        try:
            result = self.runner(job, at)
        except Exception as exc:  # one bad run must not stop the scheduler
            log.exception("job failed", extra={**ctx, "seconds": round(time.monotonic() - t0, 3)})
            return JobResult(False, f"{type(exc).__name__}: {exc}")
        log.log(
            logging.INFO if result.ok else logging.ERROR,
            "job finished" if result.ok else "job finished with failures",
            extra={**ctx, "ok": result.ok, "result": result.message,
                   "seconds": round(time.monotonic() - t0, 3)},
        )
        return result


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """While inside: SIGTERM / SIGINT finish the running job, then stop; a second signal ends the process.

    The previous handlers come back on exit (so a test that runs the scheduler leaves Ctrl-C as it was).
    Outside the main thread, where Python cannot install handlers, this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    sigs = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.getsignal(sig) for sig in sigs}
    received: list[int] = []

    def handler(signum: int, _frame: object) -> None:
        # Only a list append here: ``stop.set()`` takes the event's lock, which the main thread may hold
        # at this very bytecode (inside ``stop.wait``), and would wait for it forever. A thread relays.
        received.append(signum)
        for sig in sigs:
            signal.signal(sig, signal.SIG_DFL)

    left = threading.Event()

    def relay() -> None:
        while not left.wait(0.05):
            if received:
                log.info("stop requested; finishing the running job",
                         extra={"signal": signal.Signals(received[0]).name})
                stop.set()
                return

    relayer = threading.Thread(target=relay, name="stop-signal", daemon=True)
    relayer.start()
    for sig in sigs:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        left.set()
        relayer.join()
        for sig, old in previous.items():
            signal.signal(sig, old)


