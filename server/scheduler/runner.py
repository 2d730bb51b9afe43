"""The jobs: re-planning a day's DRAFT plans of one or every organization, and the position history's
retention."""

from __future__ import annotations

import datetime
import logging

from optimizer.compiled import RoadMatrices
from optimizer.solve import SolveOptions
from server.plans.optimize import replan_all
from server.plans.ports import PlanStores
from server.platform.observability import PLANS_OPTIMIZED
from server.scheduler.config import ALL_ORGANIZATIONS, Job, ReportsAction, RetentionAction
from server.scheduler.loop import JobResult, JobRunner
from server.tracking.ports import ObjectStore, PositionHistory
from server.tracking.retention import apply_retention

log = logging.getLogger("hakobu.scheduler")


class ReplanRunner:
    """Runs ``replan`` jobs on the plans stores, logging one JSON line per branch."""

    def __init__(self, stores: PlanStores, road: RoadMatrices | None = None) -> None:
        self.stores = stores
        #: Road matrices for jobs with ``travel = "road"`` (solved in this process).
        self.road = road

    def __call__(self, job: Job, due: datetime.datetime) -> JobResult:
        a = job.action
        day = a.day(due)
        opts = SolveOptions(time_limit=a.time_limit, seed=a.seed)
        counts: dict[str, int] = {}
        for org in self._organizations(job.organization):
            summaries = replan_all(
                self.stores, org, day, a.branches, a.force, a.concurrency, opts, travel=a.travel,
                road=self.road,
            )
            for s in summaries:
                counts[s.outcome] = counts.get(s.outcome, 0) + 1
                if s.outcome == "planned":
                    PLANS_OPTIMIZED.labels("batch").inc()
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
        return self.stores.master.organizations()




class RetentionRunner:
    """Runs ``retention`` jobs: the position history's old days dropped (archived first when an object
    store is given and the job says ``archive = true``)."""

    def __init__(self, history: PositionHistory, archive: ObjectStore | None = None) -> None:
        self.history = history
        self.archive = archive

    def __call__(self, job: Job, due: datetime.datetime) -> JobResult:
        a = job.action
        assert isinstance(a, RetentionAction)
        result = apply_retention(self.history, due.astimezone(datetime.UTC).date(), days=a.days,
                                 archive=self.archive if a.archive else None)
        return JobResult(ok=not result.failed, message=result.line())


class JobRunners:
    """Each job to the runner of its kind."""

    def __init__(self, replan: JobRunner, retention: JobRunner, reports: JobRunner | None = None) -> None:
        self.replan = replan
        self.retention = retention
        self.reports = reports

    def __call__(self, job: Job, due: datetime.datetime) -> JobResult:
        if isinstance(job.action, ReportsAction):
            if self.reports is None:
                return JobResult(ok=False, message="reports are not wired in this process")
            return self.reports(job, due)
        runner = self.retention if isinstance(job.action, RetentionAction) else self.replan
        return runner(job, due)
