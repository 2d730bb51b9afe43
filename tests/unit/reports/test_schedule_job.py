"""The ``reports`` scheduler job: parsed from the schedule (built in at 06:00 JST for yesterday), run
through JobRunners with a folder object store and the outbox mailer."""

from __future__ import annotations

import datetime

import pytest

from server.adapters.mail.outbox import OutboxMailer
from server.jst import JST
from server.reports.delivery import MailConfig
from server.scheduler.config import (
    ReportsAction,
    ScheduleConfigError,
    load_schedule,
    next_runs,
    parse_schedule,
)
from server.scheduler.loop import JobResult
from server.scheduler.reports_runner import ReportsRunner
from server.scheduler.runner import JobRunners
from tests.unit.reports.fakes import stores_of
from tests.unit.reports.recorded import DATE, ORG, recorded_day


class FolderObjects:
    """A tiny ObjectStore over a folder (tests only)."""

    def __init__(self, root):
        self.root = root

    def put(self, key, data, content_type):
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path.as_uri()

    def get(self, key):
        return (self.root / key).read_bytes()

    def exists(self, key):
        return (self.root / key).exists()


def test_the_built_in_schedule_delivers_yesterdays_reports_at_six():
    job = next(j for j in load_schedule(None).jobs if j.name == "daily-reports")
    assert isinstance(job.action, ReportsAction) and job.cron == "0 6 * * *"
    after = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=JST)
    (at,) = next_runs(job.cron, after, 1)
    assert at == datetime.datetime(2026, 12, 2, 6, 0, tzinfo=JST)
    assert job.action.day(at) == DATE


def test_bad_reports_jobs_are_named():
    with pytest.raises(ScheduleConfigError) as exc:
        parse_schedule('[[jobs]]\nname = "r"\ncron = "0 6 * * *"\nrun = "reports"\ndate = "tomorrow"\n'
                       'force = true')
    assert [p.split(":")[0] for p in exc.value.problems] == ['jobs[0] "r".force', 'jobs[0] "r".date']


def test_the_job_stores_and_mails(tmp_path):
    schedule = parse_schedule(f'organization = "{ORG}"\n[[jobs]]\nname = "r"\ncron = "0 6 * * *"\n'
                              'run = "reports"\nbranches = ["BR-NRM"]')
    (job,) = schedule.jobs
    outbox = OutboxMailer(tmp_path / "outbox")
    mail = MailConfig(outbox, outbox, "hakobu@localhost", {"*": ["hq@example.jp"]})
    due = datetime.datetime(2026, 12, 2, 6, 0, tzinfo=JST)
    objects = FolderObjects(tmp_path / "objects")
    reports = ReportsRunner(stores_of(recorded_day()), objects, mail, now=lambda: due)
    runners = JobRunners(lambda j, d: JobResult(False, "replan"), lambda j, d: JobResult(False, "retention"),
                         reports)
    result = runners(job, due)
    assert result == JobResult(ok=True, message="2026-12-01: delivered 1")
    assert len(list((tmp_path / "objects").rglob("*.pdf"))) == 1
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    unwired = JobRunners(lambda j, d: JobResult(True, ""), lambda j, d: JobResult(True, ""))
    assert unwired(job, due).ok is False
