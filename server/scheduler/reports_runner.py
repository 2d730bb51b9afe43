"""Runs ``reports`` jobs: each branch's reports of the day (yesterday by default) made, stored through
the object store and mailed (``server.reports.delivery``), one JSON log line per branch."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from server.jst import JST
from server.reports.delivery import MailConfig, deliver_day
from server.reports.ports import ObjectStore, ReportStores
from server.reports.usecases import ReportRules
from server.scheduler.config import ALL_ORGANIZATIONS, Job, ReportsAction
from server.scheduler.loop import JobResult


class ReportsRunner:
    def __init__(self, stores: ReportStores, objects: ObjectStore, mail: MailConfig | None,
                 rules: ReportRules | None = None,
                 now: Callable[[], datetime.datetime] = lambda: datetime.datetime.now(JST)) -> None:
        self.stores = stores
        self.objects = objects
        self.mail = mail
        self.rules = rules or ReportRules()
        self.now = now

    def __call__(self, job: Job, due: datetime.datetime) -> JobResult:
        a = job.action
        assert isinstance(a, ReportsAction)
        day = a.day(due)
        every = job.organization == ALL_ORGANIZATIONS
        orgs = self.stores.master.organizations() if every else [job.organization]
        counts: dict[str, int] = {}
        for org in orgs:
            for d in deliver_day(self.stores, self.objects, self.mail, org, day, self.now(), self.rules,
                                 a.branches):
                counts[d.outcome] = counts.get(d.outcome, 0) + 1
        tally = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no branches"
        # A mail kept in the outbox is not lost, but someone must send it: the run reports it as failed.
        return JobResult(ok=not ({"failed", "outbox"} & set(counts)), message=f"{day.isoformat()}: {tally}")
