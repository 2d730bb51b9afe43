"""Helpers of the OrganizationService property tests: the day they plan, the rows stored, and the check that a
stored day can be planned."""

from __future__ import annotations

import datetime

from optimizer.model import NodeKind
from optimizer.solve import SolveOptions, solve
from server.jst import today_jst
from server.plans.build import build_problem
from server.plans.ports import PlanStores
from tests.e2e.fleet.client import Client

__all__ = ["DAY", "day_plans", "rows"]

#: The delivery day every test plans (a month ahead, so it is never in the past).
DAY = today_jst() + datetime.timedelta(days=30)


def rows(client: Client, kind: str) -> list[object]:
    """Every stored resource of ``kind`` in the organization, in name order."""
    return sorted(client.list(kind), key=lambda r: r.name)  # type: ignore[no-any-return]


def day_plans(stores: PlanStores, client: Client) -> None:
    """The optimizer accepts the branch's day as stored (no InvalidDayError), and plans it: every order is
    on a route or unassigned with a reason."""
    branch_id = client.home.name.rsplit("/", 1)[1]
    if not stores.master.day_orders(client.org, branch_id, DAY):
        return  # the order is not open (delivered, cancelled…): the day has nothing to plan
    problem, _ = build_problem(stores, client.org, branch_id, DAY)
    solution = solve(problem, SolveOptions(time_limit=2, max_iterations=20))
    served = {v.index for r in solution.plan.routes for v in r.visits if v.kind is NodeKind.JOB}
    unassigned = {u.index for u in solution.unassigned if u.kind == "JOB" and u.reason and u.message}
    assert served | unassigned == set(range(len(problem.jobs)))
