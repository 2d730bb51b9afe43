"""The job that exists so far: re-planning a day's DRAFT plans of one or every organization."""

from __future__ import annotations

import datetime
import logging

from optimizer.compiled import RoadMatrices
from optimizer.solve import SolveOptions
from server.plans.optimize import replan_all
from server.plans.ports import PlanStores
from server.scheduler.config import ALL_ORGANIZATIONS, Job
from server.scheduler.loop import JobResult

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


