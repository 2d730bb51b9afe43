"""Manual edits re-checked by the checker, publish, progress, re-plan around done and locked stops,
compare — against the real PostgreSQL and the real solver."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import psycopg
import pytest

from optimizer.solve import SolveOptions
from server.adapters.postgres.seed import NERIMA_BRANCH_ID, demo_orders
from server.plans.compare import compare
from server.plans.edit import edit_plan
from server.plans.errors import PlanStateError, StaleEtagError
from server.plans.layout import EditRefused, LockOrder, MoveOrder, SetDriver, SetStopStatus, UnassignOrder
from server.plans.optimize import optimize_day
from server.plans.ports import PlanStores
from server.plans.queries import get_plan, get_revision, list_versions, set_status
from server.plans.records import PlanRecord, RouteRecord
from server.plans.replan import replan_plan
from server.plans.solver import local_solver
from tests.integration.plans.conftest import seeded_org, stores_for

OPTS = SolveOptions(time_limit=2, max_iterations=200, seed=1)


def _order_statuses(db_url: str, org: str, ids: list[str]) -> dict[str, str]:
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT id, status FROM orders WHERE organization_id = %s AND id = ANY(%s)", (org, ids)
        ).fetchall()
    return dict(rows)


def _orders(plan, vehicle_id: str) -> list[str]:
    route = next(r for r in plan.routes if r.vehicle_id == vehicle_id)
    return [s.order_id for s in route.stops if s.order_id]


def test_move_is_rechecked_and_saved_as_a_revision(db_url: str) -> None:
    db = stores_for(db_url)
    org, day = seeded_org(db_url)
    plan, _ = optimize_day(db, org, NERIMA_BRANCH_ID, day, OPTS, "U-002")
    assert len(plan.routes) >= 2
    a, b = plan.routes[0].vehicle_id, plan.routes[1].vehicle_id
    moved = _orders(plan, a)[-1]
    out = edit_plan(db, org, plan.id, [MoveOrder(moved, b, 0)], plan.etag, "U-002", accept_violations=True)
    assert out.saved and out.plan.revision == plan.revision + 1
    assert _orders(out.plan, b)[0] == moved and moved not in _orders(out.plan, a)
    # Times were recomputed by the checker: the moved stop is served after leaving the depot.
    first = next(s for s in next(r for r in out.plan.routes if r.vehicle_id == b).stops if s.order_id)
    assert first.order_id == moved and first.arrival_time is not None
    versions = list_versions(db, org, plan.id)
    assert versions[-1].changed_by == "U-002" and moved in versions[-1].change


def test_violating_edit_is_reported_and_not_saved_unless_accepted(db_url: str) -> None:
    db = stores_for(db_url)
    org, day = seeded_org(db_url)
    plan, _ = optimize_day(db, org, NERIMA_BRANCH_ID, day, OPTS, "U-002")
    small_only = {o["id"] for o in demo_orders(day) if o["allowed_vehicle_classes"] == ["2t"]}
    target = next(r.vehicle_id for r in plan.routes if r.vehicle_id == "V-103") if any(
        r.vehicle_id == "V-103" for r in plan.routes) else "V-103"
    order = next(s.order_id for r in plan.routes if r.vehicle_id != "V-103" for s in r.stops
                 if s.order_id in small_only)
    out = edit_plan(db, org, plan.id, [MoveOrder(order, target)], plan.etag, "U-002")
    assert not out.saved
    codes = {(v["code"], v["order_id"]) for v in out.violations}
    assert ("VEHICLE_CLASS", order) in codes
    assert get_plan(db, org, plan.id) == plan  # nothing stored
    accepted = edit_plan(db, org, plan.id, [MoveOrder(order, target)], plan.etag, "U-002",
                         accept_violations=True)
    assert accepted.saved and accepted.plan.violations
    assert "accepted" in list_versions(db, org, plan.id)[-1].change


def test_stale_etag_loses_nothing(db_url: str) -> None:
    db = stores_for(db_url)
    org, day = seeded_org(db_url)
    plan, _ = optimize_day(db, org, NERIMA_BRANCH_ID, day, OPTS, "U-002")
    order = _orders(plan, plan.routes[0].vehicle_id)[0]
    first = edit_plan(db, org, plan.id, [UnassignOrder(order)], plan.etag, "U-001")
    assert first.saved
    with pytest.raises(StaleEtagError):
        edit_plan(db, org, plan.id, [LockOrder(_orders(plan, plan.routes[0].vehicle_id)[1])], plan.etag,
                  "U-002")
    now = get_plan(db, org, plan.id)
    assert now.revision == first.plan.revision and order in {u.order_id for u in now.unassigned}


@dataclass
class Progressed:
    """A published plan of a day of its own: one stop of the first route done, one stop of the second
    locked; then a late order arrived and another one (on the second route) was cancelled."""

    db: PlanStores
    org: str
    day: datetime.date
    plan: PlanRecord
    published: PlanRecord
    progressed: PlanRecord
    road: RouteRecord
    home: RouteRecord
    road_orders: list[str]
    locked: str
    cancelled: str
    late: str


def _progressed(db_url: str) -> Progressed:
    db = stores_for(db_url)
    org, day = seeded_org(db_url)
    plan, _ = optimize_day(db, org, NERIMA_BRANCH_ID, day, OPTS, "U-002")
    assert len(plan.routes) >= 2
    road, home = plan.routes[0], plan.routes[1]
    road_orders = _orders(plan, road.vehicle_id)
    locked = _orders(plan, home.vehicle_id)[-1]
    published = set_status(db, org, plan.id, "PUBLISHED", plan.etag, "U-002", ("DRAFT",))
    out = edit_plan(db, org, plan.id, [SetStopStatus(road_orders[0], "DONE"), LockOrder(locked)],
                    published.etag, None)
    cancelled = _orders(plan, home.vehicle_id)[0]
    late = f"O-LATE-{day:%Y%m%d}"
    with psycopg.connect(db_url) as conn:
        conn.execute("UPDATE orders SET status = 'CANCELLED' WHERE organization_id = %s AND id = %s",
                     (org, cancelled))
        conn.execute(
            "INSERT INTO orders (organization_id, id, branch_id, latitude, longitude, delivery_date, "
            "weight_kg) VALUES (%s, %s, %s, 35.75, 139.67, %s, 20)",
            (org, late, NERIMA_BRANCH_ID, day),
        )
    return Progressed(
        db, org, day, plan, published, out.plan, road, home, road_orders, locked, cancelled, late
    )


def test_publish_records_who_and_orders_follow_the_stops(db_url: str) -> None:
    """Publishing records who; a reported stop makes the plan IN_PROGRESS and its order DELIVERED."""
    p = _progressed(db_url)
    assert p.published.status == "PUBLISHED" and p.published.published_by == "U-002"
    assert p.progressed.status == "IN_PROGRESS"
    statuses = _order_statuses(db_url, p.org, [p.road_orders[0], p.road_orders[1], p.locked])
    assert statuses == {p.road_orders[0]: "DELIVERED", p.road_orders[1]: "PLANNED", p.locked: "PLANNED"}


def test_replan_keeps_the_route_under_way_without_the_cancelled_order(db_url: str) -> None:
    p = _progressed(db_url)
    result = replan_plan(p.db, p.org, p.plan.id, OPTS, local_solver(), "U-002")
    after = result.plan
    assert after.status == "IN_PROGRESS"
    assert _orders(after, p.road.vehicle_id) == [o for o in p.road_orders if o != p.cancelled]
    assert next(s for r in after.routes for s in r.stops if s.order_id == p.road_orders[0]).status == "DONE"
    assert result.kept_on_road == len(p.road_orders)


def test_replan_keeps_the_locked_stop_on_its_vehicle(db_url: str) -> None:
    p = _progressed(db_url)
    result = replan_plan(p.db, p.org, p.plan.id, OPTS, local_solver(), "U-002")
    locked_route, locked_stop = result.plan.stop_of(p.locked) or (None, None)
    assert locked_route is not None and locked_stop is not None
    assert locked_route.vehicle_id == p.home.vehicle_id and locked_stop.locked
    assert result.kept_locked == 1


def test_replan_drops_the_cancelled_order_and_fits_the_late_one(db_url: str) -> None:
    p = _progressed(db_url)
    result = replan_plan(p.db, p.org, p.plan.id, OPTS, local_solver(), "U-002")
    assert result.plan.stop_of(p.cancelled) is None and p.cancelled in result.removed
    assert result.plan.stop_of(p.late) is not None and p.late in result.added


def test_a_stop_that_happened_cannot_be_moved(db_url: str) -> None:
    p = _progressed(db_url)
    with pytest.raises(EditRefused):
        edit_plan(p.db, p.org, p.plan.id, [MoveOrder(p.road_orders[0], p.home.vehicle_id)], p.progressed.etag,
                  None)
    assert get_plan(p.db, p.org, p.plan.id) == p.progressed


def test_compare_shows_what_the_replan_changed_since_publishing(db_url: str) -> None:
    p = _progressed(db_url)
    after = replan_plan(p.db, p.org, p.plan.id, OPTS, local_solver(), "U-002").plan
    cmp = compare(get_revision(p.db, p.org, p.plan.id, p.published.revision), after.snapshot or {})
    assert p.late in {o for c in cmp.routes for o in c.added}
    assert p.cancelled in {o for c in cmp.routes for o in c.removed}
    assert cmp.a.stops == sum(len(_orders(p.plan, r.vehicle_id)) for r in p.plan.routes)


def test_driver_swap_is_previewed_without_saving(db_url: str) -> None:
    db = stores_for(db_url)
    org, day = seeded_org(db_url)
    plan, _ = optimize_day(db, org, NERIMA_BRANCH_ID, day, OPTS, "U-002")
    a, b = plan.routes[0], plan.routes[1]
    swapped = edit_plan(db, org, plan.id, [SetDriver(a.vehicle_id, b.driver_id)], plan.etag, "U-002",
                        validate_only=True)
    assert not swapped.saved and get_plan(db, org, plan.id) == plan
    drivers = {r["vehicle_id"]: r["driver_id"] for r in swapped.preview["routes"]}
    assert drivers[a.vehicle_id] == b.driver_id and drivers[b.vehicle_id] == a.driver_id


def test_done_plan_cannot_be_edited(db_url: str) -> None:
    db = stores_for(db_url)
    org, day = seeded_org(db_url)
    plan, _ = optimize_day(db, org, NERIMA_BRANCH_ID, day, OPTS, "U-002")
    a = plan.routes[0]
    done = set_status(db, org, plan.id, "DONE", None, None, ("DRAFT",))
    with pytest.raises(PlanStateError):
        edit_plan(db, org, plan.id, [UnassignOrder(_orders(plan, a.vehicle_id)[0])], done.etag, None)
