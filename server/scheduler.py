"""``hakobu scheduler``: run batch jobs (the nightly re-planning first) on cron expressions in Japan time.

One long-running process reads a schedule (a TOML file, or the built-in nightly re-plan), sleeps until the
next due time and runs due jobs one at a time. Three seams keep it testable without waiting: the clock
(``Clock``), what a job does (``JobRunner``) and where the last run of each job is kept (``RunState``:
PostgreSQL in production so a restarted or second scheduler never runs a due time twice, memory in tests).

Schedule file (every key but ``name`` and ``cron`` is optional)::

    organization = "ORG-001"        # default for the jobs below ("*" = every organization)

    [[jobs]]
    name = "nightly-replan"
    cron = "0 22 * * *"             # minute hour day-of-month month day-of-week, in Asia/Tokyo
    run = "replan"                  # what to run (only "replan" so far)
    date = "tomorrow"               # "tomorrow" | "today" | "+N": days after the due time's date (JST)
    all = true                      # or: branches = ["BR-NRM", …]
    force = false                   # also replace PUBLISHED plans
    time_limit = 30                 # solver seconds per branch
    concurrency = 1                 # branches solved at once
    seed = 0
    travel = "haversine"            # or "road"
    grace_minutes = 60              # a due time missed (scheduler down) is still run this long after
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import re
import signal
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from croniter import CroniterError, croniter

from server.jst import JST

log = logging.getLogger("hakobu.scheduler")

DEFAULT_ORGANIZATION = "ORG-001"
ALL_ORGANIZATIONS = "*"
DEFAULT_SCHEDULE_TOML = """\
[[jobs]]
name = "nightly-replan"
cron = "0 22 * * *"
run = "replan"
date = "tomorrow"
all = true
"""
#: Longest single sleep: the loop looks at the wall clock again at least this often (clock steps, NTP).
MAX_NAP_SECONDS = 60.0
#: Pause before trying again when the run state (the database) cannot be reached.
RETRY_SECONDS = 30.0


# -- configuration -------------------------------------------------------------------------------------


class ScheduleConfigError(ValueError):
    """The schedule file is wrong; ``problems`` holds one bilingual line per mistake."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        head = f"スケジュール設定が不正です / invalid schedule ({source}):"
        super().__init__("\n  ".join([head, *problems]))


@dataclass(frozen=True)
class ReplanAction:
    """Re-plan the DRAFT plans of a day (``server.plans.optimize.replan_all``)."""

    date: str = "tomorrow"
    branches: tuple[str, ...] | None = None  # None = every branch with orders that day
    force: bool = False
    time_limit: float = 30.0
    concurrency: int = 1
    seed: int = 0
    travel: str = "haversine"

    def day(self, due: datetime.datetime) -> datetime.date:
        """The delivery date this run plans: ``date`` counted from the due time's date in Japan."""
        return resolve_day(self.date, due)

    def describe(self) -> str:
        which = "all branches" if self.branches is None else "branches " + ",".join(self.branches)
        return f"replan {self.date}, {which}{', force' if self.force else ''}, {self.time_limit:g} s"


@dataclass(frozen=True)
class Job:
    """One scheduled job: when (cron in JST), for whom (organization) and what (action)."""

    name: str
    cron: str
    organization: str
    action: ReplanAction
    grace: datetime.timedelta = datetime.timedelta(minutes=60)


@dataclass(frozen=True)
class Schedule:
    jobs: tuple[Job, ...]
    source: str = "built-in"


_DAY = re.compile(r"^(today|tomorrow|\+(\d{1,3}))$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_JOB_KEYS = {"name", "cron", "run", "organization", "grace_minutes"}
_REPLAN_KEYS = {"date", "all", "branches", "force", "time_limit", "concurrency", "seed", "travel"}


def resolve_day(spec: str, due: datetime.datetime) -> datetime.date:
    """``today`` / ``tomorrow`` / ``+N`` → a date, counted from ``due``'s date in Japan time."""
    m = _DAY.match(spec)
    if m is None:
        raise ValueError(f'日付指定が不正です / invalid date "{spec}": use "today", "tomorrow" or "+N"')
    offset = 0 if m.group(1) == "today" else 1 if m.group(1) == "tomorrow" else int(m.group(2))
    return due.astimezone(JST).date() + datetime.timedelta(days=offset)


def load_schedule(path: str | os.PathLike[str] | None = None) -> Schedule:
    """The schedule from ``path``, else the file named by ``HAKOBU_SCHEDULE``, else the built-in one."""
    chosen = path or os.environ.get("HAKOBU_SCHEDULE", "").strip() or None
    if chosen is None:
        return parse_schedule(DEFAULT_SCHEDULE_TOML, "built-in")
    source = str(chosen)
    try:
        text = Path(chosen).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScheduleConfigError(
            source, [f"設定ファイルを読めません / cannot read the file: {exc.strerror or exc}"]
        ) from exc
    return parse_schedule(text, source)


def parse_schedule(text: str, source: str = "<string>") -> Schedule:
    """Parse and check a schedule; every mistake is reported at once, each with where it is."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleConfigError(source, [f"TOML として読めません / not valid TOML: {exc}"]) from exc
    problems: list[str] = []
    for key in sorted(set(data) - {"organization", "jobs"}):
        problems.append(f"{key}: 不明な項目です / unknown key (expected organization, jobs)")
    default_org = data.get("organization", os.environ.get("HAKOBU_ORGANIZATION", "") or DEFAULT_ORGANIZATION)
    if not isinstance(default_org, str) or not default_org:
        problems.append("organization: 文字列で指定してください / must be a non-empty string")
        default_org = DEFAULT_ORGANIZATION
    raw_jobs = data.get("jobs")
    if not isinstance(raw_jobs, list) or not raw_jobs:
        problems.append("jobs: ジョブが一つもありません / no jobs: add at least one [[jobs]] table")
        raw_jobs = []
    jobs: list[Job] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_jobs):
        where = f"jobs[{i}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: [[jobs]] テーブルではありません / must be a [[jobs]] table")
            continue
        if isinstance(raw.get("name"), str):
            where = f'{where} "{raw["name"]}"'
        job = _parse_job(raw, where, default_org, problems)
        if job is None:
            continue
        if job.name in seen:
            problems.append(f"{where}.name: ジョブ名が重複しています / duplicate job name")
        seen.add(job.name)
        jobs.append(job)
    if problems:
        raise ScheduleConfigError(source, problems)
    return Schedule(tuple(jobs), source)


def _parse_job(raw: dict[str, Any], where: str, default_org: str, problems: list[str]) -> Job | None:
    before = len(problems)
    run = raw.get("run")
    for key in sorted(set(raw) - _JOB_KEYS - _REPLAN_KEYS):
        problems.append(f"{where}.{key}: 不明な項目です / unknown key")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        problems.append(
            f"{where}.name: 英数字と _ . - で指定してください / required: letters, digits, _ . - (max 63)"
        )
    cron = raw.get("cron")
    if not isinstance(cron, str):
        problems.append(f'{where}.cron: cron 式が必要です / required: 5-field cron, e.g. "0 22 * * *"')
    else:
        err = cron_error(cron)
        if err:
            problems.append(f'{where}.cron: cron 式が不正です / invalid cron expression "{cron}": {err}')
    if run != "replan":
        problems.append(f'{where}.run: 実行内容が不正です / unknown or missing {run!r}: expected "replan"')
    org = raw.get("organization", default_org)
    if not isinstance(org, str) or not org:
        problems.append(f"{where}.organization: 文字列で指定してください / must be a non-empty string")
    grace = raw.get("grace_minutes", 60)
    if not _is_int(grace) or not 1 <= grace <= 24 * 60:
        problems.append(f"{where}.grace_minutes: 1〜1440 の整数 / must be an integer from 1 to 1440")
    action = _parse_replan(raw, where, problems) if run == "replan" else None
    if len(problems) > before or action is None:
        return None
    return Job(str(name), str(cron), str(org), action, datetime.timedelta(minutes=int(grace)))


def _parse_replan(raw: dict[str, Any], where: str, problems: list[str]) -> ReplanAction | None:
    before = len(problems)
    date = raw.get("date", "tomorrow")
    if not isinstance(date, str) or not _DAY.match(date):
        problems.append(f'{where}.date: 日付指定が不正です / must be "today", "tomorrow" or "+N" (N ≤ 999)')
    all_ = raw.get("all")
    branches = raw.get("branches")
    if all_ is not None and not isinstance(all_, bool):
        problems.append(f"{where}.all: true か false / must be true or false")
    if branches is not None:
        ok = isinstance(branches, list) and branches and all(isinstance(b, str) and b for b in branches)
        if not ok:
            problems.append(f"{where}.branches: 営業所 ID のリスト / must be a non-empty list of branch ids")
        elif all_:
            problems.append(f"{where}: all と branches は併用できません / give either all = true or branches")
    elif all_ is False:
        problems.append(f"{where}: all = false なら branches が必要です / all = false needs branches = [...]")
    force = raw.get("force", False)
    if not isinstance(force, bool):
        problems.append(f"{where}.force: true か false / must be true or false")
    limit = raw.get("time_limit", 30.0)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not 0 < limit <= 3600:
        problems.append(f"{where}.time_limit: 0 より大きく 3600 以下の秒数 / seconds, > 0 and ≤ 3600")
    conc = raw.get("concurrency", 1)
    if not _is_int(conc) or not 1 <= conc <= 64:
        problems.append(f"{where}.concurrency: 1〜64 の整数 / must be an integer from 1 to 64")
    seed = raw.get("seed", 0)
    if not _is_int(seed) or seed < 0:
        problems.append(f"{where}.seed: 0 以上の整数 / must be an integer ≥ 0")
    travel = raw.get("travel", "haversine")
    if travel not in ("haversine", "road"):
        problems.append(f'{where}.travel: "haversine" か "road" / must be "haversine" or "road"')
    if len(problems) > before:
        return None
    return ReplanAction(
        date=date,
        branches=tuple(branches) if branches is not None else None,
        force=force,
        time_limit=float(limit),
        concurrency=conc,
        seed=seed,
        travel=travel,
    )


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


# -- cron in Japan time --------------------------------------------------------------------------------


def cron_error(expr: str) -> str | None:
    """Why ``expr`` is not a usable 5-field cron expression, or None."""
    if len(expr.split()) != 5:
        return "5 つのフィールドが必要です / needs exactly 5 fields: minute hour day month weekday"
    try:
        croniter(expr, datetime.datetime(2000, 1, 1, tzinfo=JST)).get_next(datetime.datetime)
    except (CroniterError, ValueError) as exc:
        return str(exc) or type(exc).__name__
    return None


def next_runs(expr: str, after: datetime.datetime, count: int = 1) -> list[datetime.datetime]:
    """The next ``count`` due times strictly after ``after``, as Japan-time datetimes."""
    it = croniter(expr, after.astimezone(JST))
    return [it.get_next(datetime.datetime) for _ in range(count)]


def latest_run(expr: str, now: datetime.datetime) -> datetime.datetime:
    """The latest due time at or before ``now`` (Japan time)."""
    at = now.astimezone(JST) + datetime.timedelta(microseconds=1)  # get_prev is strictly before its start
    return croniter(expr, at).get_prev(datetime.datetime)


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


class PostgresRunState:
    """Run state in table ``scheduler_state`` (migration 0002): shared by restarts and every replica."""

    def __init__(self, db: Any) -> None:  # server.db.repository.Database
        self.db = db

    def check(self) -> None:
        """Fail early, with the fix, when the migration that creates the table has not been applied."""
        import psycopg

        try:
            with self.db.transaction() as conn:
                conn.execute("SELECT 1 FROM scheduler_state LIMIT 1")
        except psycopg.errors.UndefinedTable as exc:
            raise RuntimeError(
                "scheduler_state テーブルがありません。hakobu db migrate を実行してください / "
                "table scheduler_state is missing: run `hakobu db migrate`"
            ) from exc

    def last(self, job: str) -> LastRun | None:
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT job, last_due_at, started_at, finished_at, outcome, message "
                "FROM scheduler_state WHERE job = %s",
                (job,),
            ).fetchone()
        if row is None:
            return None
        return LastRun(
            row["job"], row["last_due_at"], row["started_at"], row["finished_at"], row["outcome"],
            row["message"],
        )

    def claim(self, job: str, due: datetime.datetime, started: datetime.datetime) -> bool:
        with self.db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO scheduler_state (job, last_due_at, started_at) VALUES (%s, %s, %s) "
                "ON CONFLICT (job) DO UPDATE SET last_due_at = EXCLUDED.last_due_at, "
                "started_at = EXCLUDED.started_at, finished_at = NULL, outcome = NULL, message = '' "
                "WHERE scheduler_state.last_due_at < EXCLUDED.last_due_at RETURNING job",
                (job, due, started),
            ).fetchone()
        return row is not None

    def finish(
        self, job: str, due: datetime.datetime, finished: datetime.datetime, result: JobResult
    ) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE scheduler_state SET finished_at = %s, outcome = %s, message = %s "
                "WHERE job = %s AND last_due_at = %s",
                (finished, "ok" if result.ok else "failed", result.message[:2000], job, due),
            )


# -- the job that exists so far: re-planning -----------------------------------------------------------


class ReplanRunner:
    """Runs ``replan`` jobs against one database, logging one JSON line per branch."""

    def __init__(self, db: Any) -> None:  # server.db.repository.Database
        self.db = db

    def __call__(self, job: Job, due: datetime.datetime) -> JobResult:
        from optimizer.solve import SolveOptions
        from server.plans.optimize import replan_all

        a = job.action
        day = a.day(due)
        opts = SolveOptions(time_limit=a.time_limit, seed=a.seed)
        counts: dict[str, int] = {}
        for org in self._organizations(job.organization):
            summaries = replan_all(
                self.db, org, day, a.branches, a.force, a.concurrency, opts, travel=a.travel
            )
            for s in summaries:
                counts[s.outcome] = counts.get(s.outcome, 0) + 1
                log.log(
                    logging.ERROR if s.outcome == "failed" else logging.INFO,
                    s.line(),
                    extra={
                        "job": job.name, "organization": org, "branch": s.branch_id, "date": day.isoformat(),
                        "outcome": s.outcome, "plan": s.plan_id, "revision": s.revision, "orders": s.orders,
                        "served": s.served, "unassigned": len(s.unassigned),
                    },
                )
        tally = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no branches"
        return JobResult(ok="failed" not in counts, message=f"{day.isoformat()}: {tally}")

    def _organizations(self, org: str) -> list[str]:
        if org != ALL_ORGANIZATIONS:
            return [org]
        with self.db.transaction() as conn:
            return [r["id"] for r in conn.execute("SELECT id FROM organizations ORDER BY id").fetchall()]


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

    def handler(signum: int, _frame: object) -> None:
        log.info("stop requested; finishing the running job", extra={"signal": signal.Signals(signum).name})
        stop.set()
        for sig in sigs:
            signal.signal(sig, signal.SIG_DFL)

    for sig in sigs:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def describe_schedule(schedule: Schedule, now: datetime.datetime, count: int = 3) -> Iterable[str]:
    """Lines for ``--list``: each job and its next ``count`` due times in Japan time."""
    yield f"# schedule: {schedule.source}"
    for job in schedule.jobs:
        yield f"{job.name}  [{job.cron}]  {job.action.describe()}  (organization {job.organization})"
        for at in next_runs(job.cron, now, count):
            yield f"    {at.strftime('%Y-%m-%d %H:%M %a')} JST → plans {job.action.day(at).isoformat()}"
