"""Use cases: optimize one branch's day (build → solve → save) and re-plan every branch of a day."""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from optimizer.compiled import RoadMatrices
from optimizer.solve import SolveOptions
from server.plans import rules
from server.plans.build import build_problem, check_date
from server.plans.compare import describe
from server.plans.errors import PlanLockedError
from server.plans.ports import PlanStores
from server.plans.queries import check_user
from server.plans.records import PlanRecord, UnassignedOrder
from server.plans.snapshot import snapshot_of
from server.plans.solver import Progress, Solver, local_solver, reporting

log = logging.getLogger("hakobu.plans")


@dataclass(frozen=True)
class DaySummary:
    """What one optimization of a branch's day did."""

    branch_id: str
    date: datetime.date
    #: "planned" (new or refreshed revision), "unchanged" (same result as the current revision),
    #: "skipped" (published / running plan kept), "no_orders", or "failed".
    outcome: str
    plan_id: str | None = None
    revision: int | None = None
    orders: int = 0
    served: int = 0
    unassigned: tuple[UnassignedOrder, ...] = ()
    vehicles_used: int = 0
    distance_m: int = 0
    cost: float = 0.0
    seconds: float = 0.0
    message: str = ""
    vehicles_available: int = 0
    drivers_available: int = 0
    engine: str = ""
    notes: tuple[str, ...] = field(default=())
    #: What changed against the previous revision (empty for a new plan or an unchanged one).
    change: str = ""

    def line(self) -> str:
        """One line in Japanese and English for the CLI."""
        head = f"{self.branch_id} {self.date.isoformat()}"
        if self.outcome in ("skipped", "failed", "no_orders"):
            ja = {"skipped": "スキップ", "failed": "失敗", "no_orders": "配送依頼なし"}[self.outcome]
            return f"{head}: {ja} / {self.outcome}{': ' + self.message if self.message else ''}"
        ja_state = "変更なし" if self.outcome == "unchanged" else "計画作成"
        return (
            f"{head}: {ja_state} / {self.outcome} — 計画 / plan {self.plan_id} rev {self.revision}: "
            f"{self.served}/{self.orders} 件配送 / served, 未割当 / unassigned {len(self.unassigned)}, "
            f"{self.vehicles_used} 台 / vehicles, {self.distance_m / 1000:.1f} km, "
            f"費用 / cost {self.cost:,.0f}, {self.seconds:.1f} s"
            + (f"\n    変更 / changes: {self.change}" if self.change else "")
        )


def optimize_day(
    stores: PlanStores,
    org: str,
    branch_id: str,
    date: datetime.date,
    options: SolveOptions,
    created_by: str | None,
    *,
    travel: str = "haversine",
    request_id: str | None = None,
    force: bool = False,
    now: datetime.datetime | None = None,
    solver: Solver | None = None,
    road: RoadMatrices | None = None,
    on_progress: Progress | None = None,
) -> tuple[PlanRecord, DaySummary]:
    """Build the day's problem, solve it and save it as the DRAFT plan (one transaction).

    A plan of that day out of DRAFT is changed only with ``force`` (``PlanLockedError`` before any
    solving otherwise; a DONE plan never); one with stops that happened or are locked is re-planned
    around them (see ``server.plans.replan``). ``created_by`` must be a user of ``org``
    (``UnknownUserError``, checked first). ``solver`` defaults to solving in this process with ``road``
    matrices; ``on_progress(best_cost, served)`` hears of every improving plan of the search (the solver
    must take that keyword, see ``server.plans.solver.reporting``). Any failure (past date, bad data,
    locked plan, optimizer error) raises and leaves the stored plan as it was.
    """
    t0 = time.monotonic()
    if on_progress is not None:
        solver = reporting(solver or local_solver(road), on_progress)
    before = check_can_optimize(stores, org, branch_id, date, created_by, force, now=now)
    if before is not None and has_kept_stops(before):
        return _replan_existing(stores, org, before, options, solver, created_by, road)
    problem, maps = build_problem(stores, org, branch_id, date, travel, now=now)
    solution = (solver or local_solver(road))(problem, options)
    snap = snapshot_of(solution, problem, date)
    snap["travel"] = maps.travel
    if maps.notes:
        snap["notes"] = list(maps.notes)
    plan = stores.plans.save_day(org, branch_id, date, snap, created_by, request_id, force=force)
    unchanged = before is not None and before.id == plan.id and before.revision == plan.revision
    change = ""
    if before is not None and not unchanged and before.snapshot is not None and plan.snapshot is not None:
        change = describe(before.snapshot, plan.snapshot)
    ev = solution.evaluation
    served = sum(1 for r in plan.routes for s in r.stops if s.order_id is not None)
    notes = maps.notes + tuple(
        f"driver {d} has no known licence class; not planned" for d in maps.skipped_drivers
    )
    summary = DaySummary(
        branch_id=branch_id,
        date=date,
        outcome="unchanged" if unchanged else "planned",
        plan_id=plan.id,
        revision=plan.revision,
        orders=len(problem.jobs),
        served=served,
        unassigned=plan.unassigned,
        vehicles_used=ev.vehicles_used,
        distance_m=int(ev.distance),
        cost=float(ev.cost.total),
        seconds=time.monotonic() - t0,
        vehicles_available=len(problem.vehicles),
        drivers_available=len(problem.drivers),
        engine=solution.stats.engine,
        notes=notes,
        change=change,
    )
    return plan, summary


def replan_all(
    stores: PlanStores,
    org: str,
    date: datetime.date,
    branch_ids: Sequence[str] | None = None,
    force: bool = False,
    concurrency: int = 1,
    options: SolveOptions | None = None,
    *,
    travel: str = "haversine",
    created_by: str | None = None,
    now: datetime.datetime | None = None,
    solver: Solver | None = None,
    road: RoadMatrices | None = None,
) -> list[DaySummary]:
    """Create or refresh the DRAFT plan of every branch with orders on ``date`` (or of ``branch_ids``).

    PUBLISHED plans are kept unless ``force``; IN_PROGRESS / DONE plans are always kept. One branch
    failing does not stop the others (its summary says "failed"). Running it twice with a deterministic
    ``options`` (seed + ``max_iterations``) keeps the same plans and revisions.
    """
    check_date(date, now)
    opts = options or SolveOptions()
    with_orders = stores.master.branches_with_orders(org, date)
    targets = list(with_orders if branch_ids is None else branch_ids)

    def one(branch_id: str) -> DaySummary:
        if branch_id not in with_orders:
            return DaySummary(branch_id, date, "no_orders")
        existing = stores.plans.find(org, branch_id, date)
        if existing is not None and existing.status != "DRAFT":
            if existing.status != "PUBLISHED" or not force:
                return DaySummary(
                    branch_id, date, "skipped", plan_id=existing.id, revision=existing.revision,
                    message=f"plan is {existing.status}" + (" (use --force)" if existing.status ==
                                                            "PUBLISHED" else ""),
                )
        try:
            return optimize_day(
                stores, org, branch_id, date, opts, created_by, travel=travel, force=force, now=now,
                solver=solver, road=road,
            )[1]
        except PlanLockedError as exc:
            return DaySummary(branch_id, date, "skipped", message=str(exc))
        except Exception as exc:  # one branch's bad data must not stop the nightly run
            log.exception("re-planning %s on %s failed", branch_id, date)
            return DaySummary(branch_id, date, "failed", message=f"{type(exc).__name__}: {exc}")

    if concurrency <= 1 or len(targets) <= 1:
        return [one(b) for b in targets]
    with ThreadPoolExecutor(max_workers=concurrency) as ex:
        return list(ex.map(one, targets))


def check_can_optimize(
    stores: PlanStores, org: str, branch_id: str, date: datetime.date, user: str | None, force: bool,
    *, now: datetime.datetime | None = None,
) -> PlanRecord | None:
    """What refuses an optimization before any solving: a past date, an unknown user, a plan out of
    DRAFT without ``force`` (or DONE). Returns the day's current plan, if any."""
    check_date(date, now)
    check_user(stores, org, user)
    before = stores.plans.find(org, branch_id, date)
    if before is not None and before.status != "DRAFT":
        rules.check_reoptimize(before.id, before.status, force, f"{branch_id} on {date}")
    return before


def has_kept_stops(plan: PlanRecord) -> bool:
    """Locked stops or stops that already happened must survive the nightly run."""
    return any(s.locked or s.status != "PLANNED" for r in plan.routes for s in r.stops if s.order_id)


def _replan_existing(
    stores: PlanStores, org: str, plan: PlanRecord, options: SolveOptions, solver: Solver | None,
    created_by: str | None, road: RoadMatrices | None,
) -> tuple[PlanRecord, DaySummary]:
    from server.plans.replan import replan_plan

    out = replan_plan(stores, org, plan.id, options, solver or local_solver(road), created_by, road=road)
    p = out.plan
    unchanged = p.revision == plan.revision
    served = sum(1 for r in p.routes for s in r.stops if s.order_id is not None)
    return p, DaySummary(
        branch_id=p.branch_id,
        date=p.plan_date,
        outcome="unchanged" if unchanged else "planned",
        plan_id=p.id,
        revision=p.revision,
        orders=served + len(p.unassigned),
        served=served,
        unassigned=p.unassigned,
        vehicles_used=sum(1 for r in p.routes if any(s.order_id for s in r.stops)),
        distance_m=sum(r.distance_m for r in p.routes),
        cost=sum(r.cost for r in p.routes),
        seconds=out.seconds,
        notes=(f"kept {out.kept_on_road} stops under way and {out.kept_locked} locked stops",),
    )
