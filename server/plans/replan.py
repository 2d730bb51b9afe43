"""Re-plan a stored plan around what has already happened and what the dispatcher locked.

- A route with a stop that has happened (arrived, done, failed, skipped) is on the road: it keeps all its
  stops in their order (its goods were loaded in the morning); cancelled orders drop out of it.
- A locked stop on a route still at the branch stays on that vehicle (pinned with a skill only that vehicle
  has); the optimizer may change its position.
- Every other open order of the day — new ones included — is planned again on the vehicles still at the
  branch, with the drivers not already on the road.

The result is re-checked on the whole day and stored as the plan's next revision.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from optimizer.compiled import RoadMatrices
from optimizer.model import NodeKind, Problem
from optimizer.solve import SolveOptions
from server.plans.build import build_problem
from server.plans.edit import recheck
from server.plans.layout import RELOAD, STARTED_STATUSES, Layout, RouteLayout, layout_of
from server.plans.ports import PlanStores
from server.plans.queries import check_changeable, check_user
from server.plans.records import PlanRecord
from server.plans.solver import Solver

PIN = "pin:"


@dataclass(frozen=True)
class ReplanOutcome:
    plan: PlanRecord
    added: tuple[str, ...]  # orders on a route now that were not before
    removed: tuple[str, ...]  # orders that were on a route and no longer are (cancelled or unassigned)
    kept_on_road: int  # stops kept because their route is under way
    kept_locked: int  # locked stops kept on their vehicle
    seconds: float
    violations: int


def _started(layout: Layout, r: RouteLayout) -> bool:
    return any(x is not None and layout.state(x).status in STARTED_STATUSES for x in r.items)


def subproblem(
    problem: Problem, layout: Layout, open_orders: set[str]
) -> tuple[Problem, list[RouteLayout], int, int]:
    """The part still to plan, the routes kept as they are, and the counts of kept and locked stops."""
    kept = [r for r in layout.routes if _started(layout, r)]
    on_road = {x for r in kept for x in r.items if x is not None}
    road_vehicles = {r.vehicle_id for r in kept}
    road_drivers = {r.driver_id for r in kept if r.driver_id}
    pinned = {
        x: r.vehicle_id
        for r in layout.routes
        if r.vehicle_id not in road_vehicles
        for x in r.items
        if x is not None and layout.state(x).locked and x in open_orders
    }
    jobs = tuple(
        dataclasses.replace(j, required_skills=j.required_skills | {PIN + pinned[j.id]}) if j.id in pinned
        else j
        for j in problem.jobs
        if j.id not in on_road
    )
    vehicles = tuple(
        dataclasses.replace(v, skills=v.skills | {PIN + v.id})
        for v in problem.vehicles
        if v.id not in road_vehicles
    )
    drivers = tuple(d for d in problem.drivers if d.id not in road_drivers)
    sub = dataclasses.replace(problem, jobs=jobs, vehicles=vehicles, drivers=drivers)
    kept_routes = [
        RouteLayout(r.vehicle_id, r.driver_id, tuple(x for x in r.items if x is RELOAD or x in open_orders))
        for r in kept
    ]
    return sub, kept_routes, sum(len([x for x in r.items if x]) for r in kept_routes), len(pinned)


def replan_plan(
    stores: PlanStores,
    org: str,
    plan_id: str,
    options: SolveOptions,
    solver: Solver,
    user: str | None,
    etag: str | None = None,
    *,
    road: RoadMatrices | None = None,
) -> ReplanOutcome:
    """Re-plan the stored plan (any status but DONE) and save the result as its next revision."""
    t0 = time.monotonic()
    plan = stores.plans.get(org, plan_id)
    check_changeable(plan, etag, "再計画", "re-planned")
    check_user(stores, org, user)
    problem, maps = build_problem(stores, org, plan.branch_id, plan.plan_date, plan.travel, allow_past=True)
    layout = layout_of(plan)
    open_orders = set(maps.order_ids)
    sub, kept_routes, kept_on_road, kept_locked = subproblem(problem, layout, open_orders)
    routes = list(kept_routes)
    if sub.jobs and sub.vehicles:
        solution = solver(sub, options)
        for rp in solution.plan.routes:
            items = tuple(
                sub.jobs[v.index].id if v.kind is NodeKind.JOB else RELOAD
                for v in rp.visits
                if v.kind in (NodeKind.JOB, NodeKind.DEPOT)
            )
            if any(x is not None for x in items):
                driver = None if rp.driver is None else sub.drivers[rp.driver].id
                routes.append(RouteLayout(sub.vehicles[rp.vehicle].id, driver, items))
    states = {k: v for k, v in layout.states.items() if k in open_orders}
    new_layout = Layout(tuple(routes), states)
    snap = recheck(problem, maps, new_layout, plan, road)
    before = {x for r in layout.routes for x in r.items if x is not None}
    after = {x for r in new_layout.routes for x in r.items if x is not None}
    added, removed = tuple(sorted(after - before)), tuple(sorted(before - after))
    change = (
        f"REPLANNED: +{len(added)} / -{len(removed)} orders, kept {kept_on_road} on the road, "
        f"{kept_locked} locked"
    )
    stored = stores.plans.save_revision(
        org, plan_id, snap, user, change, etag or plan.etag, skip_if_same=True
    )
    return ReplanOutcome(
        stored, added, removed, kept_on_road, kept_locked, time.monotonic() - t0, len(snap["violations"])
    )
