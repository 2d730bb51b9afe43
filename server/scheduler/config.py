"""The schedule: jobs on cron expressions in Japan time, read from a TOML file (or the built-in one).

Schedule file (every key but ``name`` and ``cron`` is optional)::

    organization = "ORG-001"        # default for the jobs below ("*" = every organization)

    [[jobs]]
    name = "nightly-replan"
    cron = "0 22 * * *"             # minute hour day-of-month month day-of-week, in Asia/Tokyo
    run = "replan"                  # what to run: "replan" or "retention"
    date = "tomorrow"               # "tomorrow" | "today" | "+N": days after the due time's date (JST)
    all = true                      # or: branches = ["BR-NRM", …]
    force = false                   # also replace PUBLISHED plans
    time_limit = 30                 # solver seconds per branch
    concurrency = 1                 # branches solved at once
    seed = 0
    travel = "haversine"            # or "road"
    grace_minutes = 60              # a due time missed (scheduler down) is still run this long after

    [[jobs]]
    name = "position-retention"
    cron = "30 3 * * *"
    run = "retention"               # drop position history older than `days` (every organization)
    days = 90
    archive = true                  # archive each day to the object store first, when one is configured

    [[jobs]]
    name = "daily-reports"
    cron = "0 6 * * *"
    run = "reports"                 # each branch's daily report and 運転日報: stored, then mailed
    date = "yesterday"              # or "today" (a provisional report)
    all = true                      # or: branches = ["BR-NRM", …]
"""

from __future__ import annotations

import datetime
import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from croniter import CroniterError, croniter

from server.jst import JST

DEFAULT_ORGANIZATION = "ORG-001"
ALL_ORGANIZATIONS = "*"
DEFAULT_SCHEDULE_TOML = """\
[[jobs]]
name = "nightly-replan"
cron = "0 22 * * *"
run = "replan"
date = "tomorrow"
all = true

[[jobs]]
name = "position-retention"
cron = "30 3 * * *"
run = "retention"

[[jobs]]
name = "daily-reports"
cron = "0 6 * * *"
run = "reports"
date = "yesterday"
all = true
"""
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
class RetentionAction:
    """Drop the position history's days older than ``days`` (archived first when ``archive`` and an
    object store is configured): ``server.tracking.retention.apply_retention``."""

    days: int = 90
    archive: bool = True
    travel: str = "haversine"  # needs no road graph

    def day(self, due: datetime.datetime) -> datetime.date:
        """The first day kept."""
        return due.astimezone(JST).date() - datetime.timedelta(days=self.days)

    def describe(self) -> str:
        return f"retention {self.days} days{', archive first' if self.archive else ''}"


@dataclass(frozen=True)
class ReportsAction:
    """Make, store and mail each branch's reports of a day: ``server.reports.delivery.deliver_day``."""

    date: str = "yesterday"
    branches: tuple[str, ...] | None = None  # None = every branch with orders that day
    travel: str = "haversine"  # needs no road graph

    def day(self, due: datetime.datetime) -> datetime.date:
        offset = 1 if self.date == "yesterday" else 0
        return due.astimezone(JST).date() - datetime.timedelta(days=offset)

    def describe(self) -> str:
        which = "all branches" if self.branches is None else "branches " + ",".join(self.branches)
        return f"reports of {self.date}, {which}"


@dataclass(frozen=True)
class Job:
    """One scheduled job: when (cron in JST), for whom (organization) and what (action)."""

    name: str
    cron: str
    organization: str
    action: ReplanAction | RetentionAction | ReportsAction
    grace: datetime.timedelta = datetime.timedelta(minutes=60)


@dataclass(frozen=True)
class Schedule:
    jobs: tuple[Job, ...]
    source: str = "built-in"


_DAY = re.compile(r"^(today|tomorrow|\+(\d{1,3}))$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_JOB_KEYS = {"name", "cron", "run", "organization", "grace_minutes"}
_REPLAN_KEYS = {"date", "all", "branches", "force", "time_limit", "concurrency", "seed", "travel"}
_RETENTION_KEYS = {"days", "archive"}


def resolve_day(spec: str, due: datetime.datetime) -> datetime.date:
    """``today`` / ``tomorrow`` / ``+N`` → a date, counted from ``due``'s date in Japan time."""
    m = _DAY.match(spec)
    if m is None:
        raise ValueError(f'日付指定が不正です / invalid date "{spec}": use "today", "tomorrow" or "+N"')
    offset = 0 if m.group(1) == "today" else 1 if m.group(1) == "tomorrow" else int(m.group(2))
    return due.astimezone(JST).date() + datetime.timedelta(days=offset)


def load_schedule(
    path: str | os.PathLike[str] | None = None, organization: str = DEFAULT_ORGANIZATION
) -> Schedule:
    """The schedule from ``path`` (the settings' ``HAKOBU_SCHEDULE`` or ``--config``), else the built-in one.

    ``organization`` is the default of jobs that name none (the settings' ``HAKOBU_ORGANIZATION``).
    """
    chosen = path or None
    if chosen is None:
        return parse_schedule(DEFAULT_SCHEDULE_TOML, "built-in", organization)
    source = str(chosen)
    try:
        text = Path(chosen).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScheduleConfigError(
            source, [f"設定ファイルを読めません / cannot read the file: {exc.strerror or exc}"]
        ) from exc
    return parse_schedule(text, source, organization)


def parse_schedule(
    text: str, source: str = "<string>", organization: str = DEFAULT_ORGANIZATION
) -> Schedule:
    """Parse and check a schedule; every mistake is reported at once, each with where it is."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleConfigError(source, [f"TOML として読めません / not valid TOML: {exc}"]) from exc
    problems: list[str] = []
    for key in sorted(set(data) - {"organization", "jobs"}):
        problems.append(f"{key}: 不明な項目です / unknown key (expected organization, jobs)")
    default_org = data.get("organization", organization or DEFAULT_ORGANIZATION)
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
    kind_keys = {"retention": _RETENTION_KEYS, "reports": _REPORTS_KEYS}.get(str(run), _REPLAN_KEYS)
    for key in sorted(set(raw) - _JOB_KEYS - kind_keys):
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
    if run not in ("replan", "retention", "reports"):
        problems.append(f'{where}.run: 実行内容が不正です / unknown or missing {run!r}: expected "replan", '
                        f'"retention" or "reports"')
    org = raw.get("organization", default_org)
    if not isinstance(org, str) or not org:
        problems.append(f"{where}.organization: 文字列で指定してください / must be a non-empty string")
    grace = raw.get("grace_minutes", 60)
    if not _is_int(grace) or not 1 <= grace <= 24 * 60:
        problems.append(f"{where}.grace_minutes: 1〜1440 の整数 / must be an integer from 1 to 1440")
    action: ReplanAction | RetentionAction | ReportsAction | None = None
    if run == "replan":
        action = _parse_replan(raw, where, problems)
    elif run == "retention":
        action = _parse_retention(raw, where, problems)
    elif run == "reports":
        action = _parse_reports(raw, where, problems)
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


def _parse_retention(raw: dict[str, Any], where: str, problems: list[str]) -> RetentionAction | None:
    days, archive = raw.get("days", 90), raw.get("archive", True)
    before = len(problems)
    if not _is_int(days) or not 1 <= days <= 3650:
        problems.append(f"{where}.days: 1〜3650 の整数 / must be an integer from 1 to 3650")
    if not isinstance(archive, bool):
        problems.append(f"{where}.archive: true か false / must be true or false")
    return None if len(problems) > before else RetentionAction(days=days, archive=archive)


_REPORTS_KEYS = {"date", "all", "branches"}


def _parse_reports(raw: dict[str, Any], where: str, problems: list[str]) -> ReportsAction | None:
    before = len(problems)
    date, all_, branches = raw.get("date", "yesterday"), raw.get("all"), raw.get("branches")
    if date not in ("yesterday", "today"):
        problems.append(f'{where}.date: "yesterday" か "today" / must be "yesterday" or "today"')
    if all_ is not None and not isinstance(all_, bool):
        problems.append(f"{where}.all: true か false / must be true or false")
    if branches is not None:
        ok = isinstance(branches, list) and branches and all(isinstance(b, str) and b for b in branches)
        if not ok or all_:
            problems.append(f"{where}.branches: 営業所 ID のリスト (all と併用不可) / "
                            f"must be a non-empty list of branch ids, without all = true")
    if len(problems) > before:
        return None
    return ReportsAction(date=date, branches=tuple(branches) if branches is not None else None)


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


def describe_schedule(schedule: Schedule, now: datetime.datetime, count: int = 3) -> Iterable[str]:
    """Lines for ``--list``: each job and its next ``count`` due times in Japan time."""
    yield f"# schedule: {schedule.source}"
    for job in schedule.jobs:
        yield f"{job.name}  [{job.cron}]  {job.action.describe()}  (organization {job.organization})"
        for at in next_runs(job.cron, now, count):
            kinds = {RetentionAction: "keeps from", ReportsAction: "reports"}
            what = kinds.get(type(job.action), "plans")
            yield f"    {at.strftime('%Y-%m-%d %H:%M %a')} JST → {what} {job.action.day(at).isoformat()}"
