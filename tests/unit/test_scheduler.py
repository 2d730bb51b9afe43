"""The scheduler: cron in Japan time, schedule files, due times with a fake clock, failures, stopping."""

from __future__ import annotations

import argparse
import datetime
import threading
from pathlib import Path

import pytest

from server.entrypoints.cli.main import _day_arg, main
from server.jst import JST
from server.platform.settings import Settings
from server.scheduler import (
    DEFAULT_ORGANIZATION,
    Job,
    JobResult,
    MemoryRunState,
    ReplanAction,
    RetentionAction,
    Schedule,
    ScheduleConfigError,
    Scheduler,
    latest_run,
    load_schedule,
    next_runs,
    parse_schedule,
    resolve_day,
)

UTC = datetime.UTC
J = '[[jobs]]\nname = "n"\ncron = "0 22 * * *"\nrun = "replan"'  # a valid job to break one key of


def jst(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=JST)


class FakeClock:
    """Time that moves only when the scheduler sleeps; stops the loop once it reaches ``until``."""

    def __init__(self, start: datetime.datetime, until: datetime.datetime | None = None) -> None:
        self.t = start
        self.until = until
        self.naps: list[float] = []

    def now(self) -> datetime.datetime:
        return self.t

    def sleep(self, seconds: float, stop: threading.Event) -> None:
        assert seconds > 0
        self.naps.append(seconds)
        self.t += datetime.timedelta(seconds=seconds)
        if self.until is not None and self.t >= self.until:
            stop.set()

    def advance(self, **kw: float) -> None:
        self.t += datetime.timedelta(**kw)


class Recorder:
    """A job runner that records (job, due) and can be told to fail for some jobs."""

    def __init__(self, fail: set[str] | None = None, clock: FakeClock | None = None) -> None:
        self.calls: list[tuple[str, datetime.datetime]] = []
        self.fail = fail or set()
        self.clock = clock

    def __call__(self, job: Job, due: datetime.datetime) -> JobResult:
        self.calls.append((job.name, due))
        if self.clock is not None:
            self.clock.advance(seconds=40)  # a run takes time
        if job.name in self.fail:
            raise RuntimeError("database is on fire")
        return JobResult(True, f"planned {job.action.day(due)}")


def _job(name: str = "nightly", cron: str = "0 22 * * *", grace_minutes: int = 60) -> Job:
    return Job(name, cron, "ORG-001", ReplanAction(), datetime.timedelta(minutes=grace_minutes))


# -- cron in JST --------------------------------------------------------------------------------------


def test_cron_is_evaluated_in_japan_time_across_the_utc_day_boundary() -> None:
    """01:00 JST is 16:00 UTC the day before: due times follow Tokyo's clock, whatever zone ``now`` has."""
    now_utc = datetime.datetime(2026, 3, 1, 15, 30, tzinfo=UTC)  # 2026-03-02 00:30 JST
    nxt = next_runs("0 1 * * *", now_utc, 2)
    assert nxt == [jst(2026, 3, 2, 1, 0), jst(2026, 3, 3, 1, 0)]
    assert nxt[0].astimezone(UTC) == datetime.datetime(2026, 3, 1, 16, 0, tzinfo=UTC)
    assert nxt[0].utcoffset() == datetime.timedelta(hours=9)
    # 22:00 JST is 13:00 UTC: at 13:30 UTC the next one is tomorrow, not tonight.
    assert next_runs("0 22 * * *", datetime.datetime(2026, 3, 1, 13, 30, tzinfo=UTC)) == [jst(2026, 3, 2, 22)]
    # weekdays are Tokyo's: Friday 00:30 JST is still Thursday in UTC.
    fri = jst(2026, 3, 6, 0, 30)
    assert fri.weekday() == 4 and fri.astimezone(UTC).weekday() == 3
    assert latest_run("0 0 * * 5", fri) == jst(2026, 3, 6, 0, 0)


def test_latest_run_includes_a_due_time_equal_to_now() -> None:
    """At exactly 22:00 the 22:00 run is the latest; a microsecond before, it is yesterday's."""
    at = jst(2026, 5, 1, 22, 0)
    assert latest_run("0 22 * * *", at) == at
    assert latest_run("0 22 * * *", at - datetime.timedelta(microseconds=1)) == jst(2026, 4, 30, 22, 0)
    assert next_runs("0 22 * * *", at) == [jst(2026, 5, 2, 22, 0)]


def test_dates_count_from_the_due_time_in_japan() -> None:
    """New Year's Eve 22:00 JST plans New Year's Day; 00:30 JST (15:30 UTC the day before) is "today"."""
    eve = jst(2026, 12, 31, 22, 0)
    assert resolve_day("tomorrow", eve) == datetime.date(2027, 1, 1)
    assert resolve_day("today", eve) == datetime.date(2026, 12, 31)
    assert resolve_day("+3", eve) == datetime.date(2027, 1, 3)
    after_midnight = datetime.datetime(2026, 12, 31, 15, 30, tzinfo=UTC)
    assert resolve_day("today", after_midnight) == datetime.date(2027, 1, 1)
    with pytest.raises(ValueError, match="invalid date"):
        resolve_day("yesterday", eve)


# -- schedule files -----------------------------------------------------------------------------------


def test_builtin_schedule_replans_tomorrow_at_22_jst() -> None:
    s = load_schedule()
    assert s.source == "built-in" and len(s.jobs) == 3
    job = s.jobs[0]
    assert s.jobs[1].action == RetentionAction(days=90, archive=True)
    assert (job.cron, job.organization) == ("0 22 * * *", DEFAULT_ORGANIZATION)
    assert job.action == ReplanAction(date="tomorrow", branches=None, force=False, time_limit=30.0)
    assert next_runs(job.cron, jst(2026, 5, 1, 21, 59)) == [jst(2026, 5, 1, 22, 0)]
    settings = Settings.from_env({"HAKOBU_ORGANIZATION": "ORG-XYZ"})
    assert load_schedule(settings.schedule, settings.organization).jobs[0].organization == "ORG-XYZ"


def test_full_schedule_file_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "schedule.toml"
    path.write_text(
        """
organization = "ORG-009"

[[jobs]]
name = "nightly-replan"
cron = "0 22 * * *"
run = "replan"
date = "tomorrow"
branches = ["BR-NRM", "BR-SBY"]
force = true
time_limit = 12.5
concurrency = 2
seed = 7
travel = "road"
grace_minutes = 90

[[jobs]]
name = "early.refresh"
cron = "30 5 * * 1-5"
run = "replan"
date = "today"
organization = "*"
""",
        encoding="utf-8",
    )
    settings = Settings.from_env({"HAKOBU_SCHEDULE": str(path)})
    s = load_schedule(settings.schedule, settings.organization)
    assert s.source == str(path)
    a, b = s.jobs
    assert a.organization == "ORG-009" and a.grace == datetime.timedelta(minutes=90)
    assert a.action == ReplanAction("tomorrow", ("BR-NRM", "BR-SBY"), True, 12.5, 2, 7, "road")
    assert b.organization == "*" and b.action.branches is None and b.action.date == "today"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('[[jobs]]\nname = "n"\ncron = "0 25 * * *"\nrun = "replan"', 'jobs[0] "n".cron: cron 式が不正です'),
        ('[[jobs]]\nname = "n"\ncron = "0 22 * * * *"\nrun = "replan"', "needs exactly 5 fields"),
        ('[[jobs]]\nname = "n"\ncron = "0 22 31 2 *"\nrun = "replan"', "invalid cron expression"),
        ('[[jobs]]\ncron = "0 22 * * *"\nrun = "replan"', "jobs[0].name: "),
        ('[[jobs]]\nname = "n"\nrun = "replan"', 'jobs[0] "n".cron: cron 式が必要です / required'),
        ('[[jobs]]\nname = "n"\ncron = "0 22 * * *"', 'jobs[0] "n".run: 実行内容が不正です / unknown'),
        ('[[jobs]]\nname = "n"\ncron = "0 22 * * *"\nrun = "mail"', "'mail': expected \"replan\""),
        (J + '\ndate = "yesterday"', '"n".date: '),
        (J + '\nall = true\nbranches = ["B"]', "give either all = true or branches"),
        (J + '\nall = false', "all = false needs branches"),
        (J + '\nforced = true', '"n".forced: 不明な項目です'),
        (J + '\ntime_limit = 0', '"n".time_limit: '),
        (J + '\nconcurrency = true', '"n".concurrency: '),
        (J + '\ngrace_minutes = 0', '"n".grace_minutes: '),
        (J + '\n[[jobs]]\nname = "n"\ncron = "0 1 * * *"\n'
         'run = "replan"', 'jobs[1] "n".name: ジョブ名が重複しています / duplicate job name'),
        ('timezone = "UTC"\n' + J, "timezone: 不明な項目です / unknown key"),
        ("", "jobs: ジョブが一つもありません / no jobs"),
        ('[[jobs]\nname = "n"', "TOML として読めません / not valid TOML"),
    ],
)
def test_schedule_mistakes_are_reported_with_where_and_why(body: str, expected: str) -> None:
    with pytest.raises(ScheduleConfigError) as exc:
        parse_schedule(body, "s.toml")
    assert expected in str(exc.value)
    assert str(exc.value).startswith("スケジュール設定が不正です / invalid schedule (s.toml):")


def test_every_mistake_is_reported_at_once_and_a_missing_file_is_named(tmp_path: Path) -> None:
    body = '[[jobs]]\nname = "n"\ncron = "bad"\nrun = "replan"\nforce = "yes"\nseed = -1'
    with pytest.raises(ScheduleConfigError) as exc:
        parse_schedule(body)
    assert [p.split(":")[0] for p in exc.value.problems] == ['jobs[0] "n".cron', 'jobs[0] "n".force',
                                                            'jobs[0] "n".seed']
    missing = tmp_path / "nope.toml"
    with pytest.raises(ScheduleConfigError, match="設定ファイルを読めません / cannot read the file") as exc2:
        load_schedule(missing)
    assert str(missing) in str(exc2.value)


# -- due times with a fake clock ----------------------------------------------------------------------


def test_loop_runs_each_due_time_once_over_three_days() -> None:
    """Sleeping from 12:00 for three days runs the 22:00 job three times, each at its due time, and naps."""
    clock = FakeClock(jst(2026, 5, 1, 12, 0), until=jst(2026, 5, 4, 12, 0))
    runner = Recorder(clock=clock)
    state = MemoryRunState()
    Scheduler(Schedule((_job(),)), runner, state, clock).run_forever()
    assert runner.calls == [("nightly", jst(2026, 5, d, 22, 0)) for d in (1, 2, 3)]
    assert state.runs["nightly"].due_at == jst(2026, 5, 3, 22, 0) and state.runs["nightly"].outcome == "ok"
    assert max(clock.naps) <= 60 and len(clock.naps) < 3 * 24 * 60 + 10


def test_no_second_run_for_a_due_time_after_a_restart() -> None:
    """Restarted at 22:05 with the same run state it does not run 22:00 again; the next night it does."""
    state = MemoryRunState()
    clock = FakeClock(jst(2026, 5, 1, 22, 0, 1))
    first = Recorder()
    assert Scheduler(Schedule((_job(),)), first, state, clock).run_pending() == 1
    assert first.calls == [("nightly", jst(2026, 5, 1, 22, 0))]
    clock.advance(minutes=5)
    again = Recorder()
    restarted = Scheduler(Schedule((_job(),)), again, state, clock)
    assert restarted.run_pending() == 0 and again.calls == []
    assert restarted.next_due(clock.now()) == jst(2026, 5, 2, 22, 0)
    clock.t = jst(2026, 5, 2, 22, 0)
    assert restarted.run_pending() == 1 and again.calls == [("nightly", jst(2026, 5, 2, 22, 0))]
    assert restarted.run_pending() == 0


def test_two_schedulers_sharing_the_run_state_run_a_due_time_once() -> None:
    """Two replicas that both looked before 22:00 race at 22:00: the claim lets exactly one of them run."""
    state = MemoryRunState()
    clock = FakeClock(jst(2026, 5, 1, 21, 59))
    a, b = Recorder(), Recorder()
    sa = Scheduler(Schedule((_job(),)), a, state, clock)
    sb = Scheduler(Schedule((_job(),)), b, state, clock)
    assert sa.run_pending() == sb.run_pending() == 0
    clock.t = jst(2026, 5, 1, 22, 0, 2)
    assert sa.run_pending() + sb.run_pending() == 1
    assert a.calls + b.calls == [("nightly", jst(2026, 5, 1, 22, 0))]


def test_a_due_time_missed_while_down_runs_within_grace_only(caplog: pytest.LogCaptureFixture) -> None:
    """Down over 22:00: back at 22:40 (grace 60 min) it runs 22:00; back at 23:30 it skips and says so."""
    state = MemoryRunState()
    state.claim("nightly", jst(2026, 4, 30, 22, 0), jst(2026, 4, 30, 22, 0))
    late = Recorder()
    Scheduler(Schedule((_job(),)), late, state, FakeClock(jst(2026, 5, 1, 22, 40))).run_pending()
    assert late.calls == [("nightly", jst(2026, 5, 1, 22, 0))]

    state2 = MemoryRunState()
    state2.claim("nightly", jst(2026, 4, 30, 22, 0), jst(2026, 4, 30, 22, 0))
    too_late = Recorder()
    with caplog.at_level("WARNING", logger="hakobu.scheduler"):
        sched = Scheduler(Schedule((_job(),)), too_late, state2, FakeClock(jst(2026, 5, 1, 23, 30)))
        assert sched.run_pending() == 0
    assert too_late.calls == []
    missed = [r for r in caplog.records if r.getMessage().startswith("due time missed")]
    assert len(missed) == 1 and missed[0].__dict__["job"] == "nightly"


def test_a_failing_job_is_recorded_and_the_others_and_later_runs_go_on() -> None:
    """Job a raises at 22:00: b still runs, a is recorded as failed, and a runs again the next night."""
    jobs = (_job("a"), _job("b"))
    clock = FakeClock(jst(2026, 5, 1, 21, 0), until=jst(2026, 5, 2, 23, 0))
    runner = Recorder(fail={"a"}, clock=clock)
    state = MemoryRunState()
    Scheduler(Schedule(jobs), runner, state, clock).run_forever()
    assert [c[0] for c in runner.calls] == ["a", "b", "a", "b"]
    assert {c[1] for c in runner.calls} == {jst(2026, 5, 1, 22, 0), jst(2026, 5, 2, 22, 0)}
    assert state.runs["a"].outcome == "failed" and "database is on fire" in state.runs["a"].message
    assert state.runs["b"].outcome == "ok"


def test_jobs_due_together_run_one_at_a_time_in_due_order() -> None:
    """A 22:00 job and a 22:10 job, back at 22:30: the 22:00 one first, each exactly once."""
    jobs = (_job("later", "10 22 * * *"), _job("earlier", "0 22 * * *"))
    runner = Recorder()
    sched = Scheduler(Schedule(jobs), runner, MemoryRunState(), FakeClock(jst(2026, 5, 1, 22, 30)))
    assert sched.run_pending() == 2
    assert runner.calls == [("earlier", jst(2026, 5, 1, 22, 0)), ("later", jst(2026, 5, 1, 22, 10))]


def test_stop_between_jobs_and_during_sleep() -> None:
    """A stop requested during job a leaves b unrun; a stopped loop returns without sleeping to 22:00."""
    stop = threading.Event()
    calls: list[str] = []

    def runner(job: Job, due: datetime.datetime) -> JobResult:
        calls.append(job.name)
        stop.set()
        return JobResult(True)

    clock = FakeClock(jst(2026, 5, 1, 22, 1))
    sched = Scheduler(Schedule((_job("a"), _job("b"))), runner, MemoryRunState(), clock, stop)
    sched.run_forever()
    assert calls == ["a"]

    stop2 = threading.Event()
    stop2.set()
    idle = FakeClock(jst(2026, 5, 1, 12, 0))
    Scheduler(Schedule((_job(),)), Recorder(), MemoryRunState(), idle, stop2).run_forever()
    assert idle.naps == []


def test_once_runs_every_job_now_without_touching_the_run_state() -> None:
    clock = FakeClock(jst(2026, 5, 1, 9, 15))
    runner = Recorder(fail={"b"})
    state = MemoryRunState()
    results = Scheduler(Schedule((_job("a"), _job("b"))), runner, state, clock).run_once()
    assert runner.calls == [("a", jst(2026, 5, 1, 9, 15)), ("b", jst(2026, 5, 1, 9, 15))]
    assert [r.ok for _, r in results] == [True, False] and state.runs == {}


# -- command line -------------------------------------------------------------------------------------


def test_cli_list_prints_next_three_runs_and_config_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.toml"
    path.write_text('[[jobs]]\nname = "early"\ncron = "30 5 * * *"\nrun = "replan"\ndate = "today"\n',
                    encoding="utf-8")
    assert main(["scheduler", "--list", "--config", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("early  [30 5 * * *]  replan today, all branches")
    runs = lines[2:5]
    assert len(runs) == 3 and all(" 05:30 " in r and r.split(" → ")[0].endswith("JST") for r in runs)
    path.write_text('[[jobs]]\nname = "early"\ncron = "30 5 * *"\nrun = "replan"\n', encoding="utf-8")
    assert main(["scheduler", "--list", "--config", str(path)]) == 2
    assert 'jobs[0] "early".cron' in capsys.readouterr().err


def test_replan_date_accepts_today_and_tomorrow_in_japan_time() -> None:
    today = datetime.datetime.now(JST).date()
    assert _day_arg("tomorrow") - _day_arg("today") == datetime.timedelta(days=1)
    assert _day_arg("today") in (today, today + datetime.timedelta(days=1))  # midnight may pass in between
    assert _day_arg("2026-05-01") == datetime.date(2026, 5, 1)
    with pytest.raises(argparse.ArgumentTypeError, match="YYYY-MM-DD, today or tomorrow"):
        _day_arg("next week")
