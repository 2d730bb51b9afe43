"""Manual edits re-checked by the checker, publish, progress, re-plan around done and locked stops,
compare — against the real PostgreSQL and the real solver."""

from __future__ import annotations

import datetime

import psycopg
import pytest

from optimizer.solve import SolveOptions
from server.adapters.postgres.seed import NERIMA_BRANCH_ID, ORG_ID, demo_orders, seed, tomorrow
from server.plans.compare import compare
from server.plans.edit import edit_plan
from server.plans.errors import PlanStateError, StaleEtagError
from server.plans.layout import EditRefused, LockOrder, MoveOrder, SetDriver, SetStopStatus, UnassignOrder
from server.plans.optimize import optimize_day
from server.plans.queries import get_plan, get_revision, list_versions, set_status
from server.plans.replan import replan_plan
from server.plans.solver import local_solver
from tests.integration.plans.conftest import stores_for

OPTS = SolveOptions(time_limit=2, max_iterations=200, seed=1)


def _day(db_url: str, offset: int) -> datetime.date:
    # Dates of their own in the shared test DB (test_plans: +10…+20, scheduler: today+45, +46).
    day = tomorrow() + datetime.timedelta(days=50 + offset)
    seed(db_url, day)
    return day


def _order_statuses(db_url: str, ids: list[str]) -> dict[str, str]:
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT id, status FROM orders WHERE organization_id = %s AND id = ANY(%s)", (ORG_ID, ids)
        ).fetchall()
    return dict(rows)


def _orders(plan, vehicle_id: str) -> list[str]:
    route = next(r for r in plan.routes if r.vehicle_id == vehicle_id)
    return [s.order_id for s in route.stops if s.order_id]


def test_move_is_rechecked_and_saved_as_a_revision(db_url: str) -> None:
    db = stores_for(db_url)
    day = _day(db_url, 0)
    plan, _ = optimize_day(db, ORG_ID, NERIMA_BRANCH_ID, day, OPTS, "U-002")
    assert len(plan.routes) >= 2
    a, b = plan.routes[0].vehicle_id, plan.routes[1].vehicle_id
    moved = _orders(plan, a)[-1]
    out = edit_plan(db, ORG_ID, plan.id, [MoveOrder(moved, b, 0)], plan.etag, "U-002", accept_violations=True)
    assert out.saved and out.plan.revision == plan.revision + 1
    assert _orders(out.plan, b)[0] == moved and moved not in _orders(out.plan, a)
    # Times were recomputed by the checker: the moved stop is served after leaving the depot.
    first = next(s for s in next(r for r in out.plan.routes if r.vehicle_id == b).stops if s.order_id)
    assert first.order_id == moved and first.arrival_time is not None
    versions = list_versions(db, ORG_ID, plan.id)
    assert versions[-1].changed_by == "U-002" and moved in versions[-1].change


def test_violating_edit_is_reported_and_not_saved_unless_accepted(db_url: str) -> None:
    db = stores_for(db_url)
    day = _day(db_url, 1)
    plan, _ = optimize_day(db, ORG_ID, NERIMA_BRANCH_ID, day, OPTS, "U-002")
    small_only = {o["id"] for o in demo_orders(day) if o["allowed_vehicle_classes"] == ["2t"]}
    target = next(r.vehicle_id for r in plan.routes if r.vehicle_id == "V-103") if any(
        r.vehicle_id == "V-103" for r in plan.routes) else "V-103"
    order = next(s.order_id for r in plan.routes if r.vehicle_id != "V-103" for s in r.stops
                 if s.order_id in small_only)
    out = edit_plan(db, ORG_ID, plan.id, [MoveOrder(order, target)], plan.etag, "U-002")
    assert not out.saved
    codes = {(v["code"], v["order_id"]) for v in out.violations}
    assert ("VEHICLE_CLASS", order) in codes
    assert get_plan(db, ORG_ID, plan.id) == plan  # nothing stored
    accepted = edit_plan(db, ORG_ID, plan.id, [MoveOrder(order, target)], plan.etag, "U-002",
                         accept_violations=True)
    assert accepted.saved and accepted.plan.violations
    assert "accepted" in list_versions(db, ORG_ID, plan.id)[-1].change


def test_stale_etag_loses_nothing(db_url: str) -> None:
    db = stores_for(db_url)
    day = _day(db_url, 2)
    plan, _ = optimize_day(db, ORG_ID, NERIMA_BRANCH_ID, day, OPTS, "U-002")
    order = _orders(plan, plan.routes[0].vehicle_id)[0]
    first = edit_plan(db, ORG_ID, plan.id, [UnassignOrder(order)], plan.etag, "U-001")
    assert first.saved
    with pytest.raises(StaleEtagError):
        edit_plan(db, ORG_ID, plan.id, [LockOrder(_orders(plan, plan.routes[0].vehicle_id)[1])], plan.etag,
                  "U-002")
    now = get_plan(db, ORG_ID, plan.id)
    assert now.revision == first.plan.revision and order in {u.order_id for u in now.unassigned}


def test_publish_progress_replan_keeps_done_and_locked_stops(db_url: str) -> None:
    db = stores_for(db_url)
    day = _day(db_url, 3)
    plan, _ = optimize_day(db, ORG_ID, NERIMA_BRANCH_ID, day, OPTS, "U-002")
    assert len(plan.routes) >= 2
    road, home = plan.routes[0], plan.routes[1]
    road_orders = _orders(plan, road.vehicle_id)
    locked = _orders(plan, home.vehicle_id)[-1]
    published = set_status(db, ORG_ID, plan.id, "PUBLISHED", plan.etag, "U-002", ("DRAFT",))
    assert published.status == "PUBLISHED" and published.published_by == "U-002"
    out = edit_plan(db, ORG_ID, plan.id, [SetStopStatus(road_orders[0], "DONE"), LockOrder(locked)],
                    published.etag, None)
    assert out.saved and out.plan.status == "IN_PROGRESS"
    # Orders follow the published plan: planned on a route, delivered when their stop is done.
    statuses = _order_statuses(db_url, [road_orders[0], road_orders[1], locked])
    assert statuses == {road_orders[0]: "DELIVERED", road_orders[1]: "PLANNED", locked: "PLANNED"}
    # A late order arrives and another is cancelled.
    cancelled = _orders(plan, home.vehicle_id)[0]
    new_id = f"O-LATE-{day:%Y%m%d}"
    with psycopg.connect(db_url) as conn:
        conn.execute("UPDATE orders SET status = 'CANCELLED' WHERE organization_id = %s AND id = %s",
                     (ORG_ID, cancelled))
        conn.execute(
            "INSERT INTO orders (organization_id, id, branch_id, latitude, longitude, delivery_date, "
            "weight_kg) VALUES (%s, %s, %s, 35.75, 139.67, %s, 20)",
            (ORG_ID, new_id, NERIMA_BRANCH_ID, day),
        )
    result = replan_plan(db, ORG_ID, plan.id, OPTS, local_solver(), "U-002")
    after = result.plan
    assert after.status == "IN_PROGRESS"
    assert _orders(after, road.vehicle_id) == [o for o in road_orders if o != cancelled]
    assert next(s for r in after.routes for s in r.stops if s.order_id == road_orders[0]).status == "DONE"
    locked_route, locked_stop = after.stop_of(locked) or (None, None)
    assert locked_route is not None and locked_route.vehicle_id == home.vehicle_id and locked_stop.locked
    assert after.stop_of(cancelled) is None and cancelled in result.removed
    assert after.stop_of(new_id) is not None and new_id in result.added
    assert result.kept_on_road == len(road_orders) and result.kept_locked == 1
    # Moving a stop that has happened is refused.
    with pytest.raises(EditRefused):
        edit_plan(db, ORG_ID, plan.id, [MoveOrder(road_orders[0], home.vehicle_id)], after.etag, None)
    # Compare the published revision with the re-plan.
    cmp = compare(get_revision(db, ORG_ID, plan.id, published.revision), after.snapshot or {})
    assert new_id in {o for c in cmp.routes for o in c.added}
    assert cancelled in {o for c in cmp.routes for o in c.removed}
    assert cmp.a.stops == sum(len(_orders(plan, r.vehicle_id)) for r in plan.routes)


def test_done_plan_cannot_be_edited_and_driver_swap_is_checked(db_url: str) -> None:
    db = stores_for(db_url)
    day = _day(db_url, 4)
    plan, _ = optimize_day(db, ORG_ID, NERIMA_BRANCH_ID, day, OPTS, "U-002")
    a, b = plan.routes[0], plan.routes[1]
    swapped = edit_plan(db, ORG_ID, plan.id, [SetDriver(a.vehicle_id, b.driver_id)], plan.etag, "U-002",
                        validate_only=True)
    assert not swapped.saved
    drivers = {r["vehicle_id"]: r["driver_id"] for r in swapped.preview["routes"]}
    assert drivers[a.vehicle_id] == b.driver_id and drivers[b.vehicle_id] == a.driver_id
    done = set_status(db, ORG_ID, plan.id, "DONE", None, None, ("DRAFT",))
    with pytest.raises(PlanStateError):
        edit_plan(db, ORG_ID, plan.id, [UnassignOrder(_orders(plan, a.vehicle_id)[0])], done.etag, None)
