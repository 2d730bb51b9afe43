"""A plan's life through the in-memory ports: edit, publish, progress, re-plan, compare, delete."""

from __future__ import annotations

import pytest

from server.plans.compare import compare
from server.plans.edit import edit_plan
from server.plans.errors import PlanStateError, StaleEtagError, UnknownUserError
from server.plans.layout import LockOrder, MoveOrder, SetStopStatus, UnassignOrder
from server.plans.optimize import optimize_day
from server.plans.queries import delete_plan, get_revision, list_versions, publish_plan, set_status
from server.plans.records import PlanRecord
from server.plans.replan import replan_plan
from server.plans.solver import local_solver
from tests.unit.plans.builders import BRANCH, OPTS, ORG, USER, day, master, order, stores


def _orders(plan: PlanRecord, vehicle_id: str | None = None) -> list[str]:
    routes = [r for r in plan.routes if vehicle_id in (None, r.vehicle_id)]
    return [s.order_id for r in routes for s in r.stops if s.order_id]


def _planned(orders: int = 12):  # type: ignore[no-untyped-def]
    s = stores(day(), orders=orders)
    plan, _ = optimize_day(s, ORG, BRANCH, day(), OPTS, USER)
    return s, plan


def test_unassigning_an_order_is_rechecked_and_saved_as_a_new_revision() -> None:
    s, plan = _planned()
    gone = _orders(plan)[0]
    out = edit_plan(s, ORG, plan.id, [UnassignOrder(gone)], plan.etag, USER)
    assert out.saved and out.plan.revision == plan.revision + 1
    assert gone not in _orders(out.plan) and gone in {u.order_id for u in out.plan.unassigned}
    assert list_versions(s, ORG, plan.id)[-1].change.startswith("EDITED: ")


def test_a_violating_edit_is_reported_and_saved_only_when_accepted() -> None:
    """Piling every order onto a truck that cannot carry them breaks capacity; nothing is stored unless
    the violations are accepted."""
    s = stores(day(), orders=0)
    master(s).add(ORG, *(order(i, day(), weight=900.0) for i in range(1, 5)))
    plan, _ = optimize_day(s, ORG, BRANCH, day(), OPTS, USER)
    edits = [MoveOrder(o, "V-1") for o in _orders(plan) if o not in _orders(plan, "V-1")]
    out = edit_plan(s, ORG, plan.id, edits, plan.etag, USER)
    assert not out.saved and any(v["code"] == "CAPACITY" for v in out.violations)
    assert s.plans.get(ORG, plan.id) == plan
    accepted = edit_plan(s, ORG, plan.id, edits, plan.etag, USER, accept_violations=True)
    assert accepted.saved and "accepted" in list_versions(s, ORG, plan.id)[-1].change


def test_a_stale_etag_loses_nothing() -> None:
    s, plan = _planned()
    first = edit_plan(s, ORG, plan.id, [UnassignOrder(_orders(plan)[0])], plan.etag, USER)
    with pytest.raises(StaleEtagError):
        edit_plan(s, ORG, plan.id, [LockOrder(_orders(plan)[1])], plan.etag, USER)
    assert s.plans.get(ORG, plan.id) == first.plan


def test_an_edit_by_an_unknown_user_is_refused_before_anything_is_stored() -> None:
    s, plan = _planned()
    with pytest.raises(UnknownUserError, match="U-ghost"):
        edit_plan(s, ORG, plan.id, [UnassignOrder(_orders(plan)[0])], plan.etag, "U-ghost")
    assert s.plans.get(ORG, plan.id) == plan


def test_publish_state_machine_and_orders_following_the_plan() -> None:
    """DRAFT → PUBLISHED (orders PLANNED, unassigned PENDING) → IN_PROGRESS at the first report →
    DONE when every stop is finished; a published plan cannot be published again; DONE takes no edit."""
    s, plan = _planned(orders=3)
    published = publish_plan(s, ORG, plan.id, plan.etag, USER)
    assert (published.status, published.published_by) == ("PUBLISHED", USER)
    orders = _orders(plan)
    assert {master(s).orders[(ORG, o)].status for o in orders} == {"PLANNED"}
    with pytest.raises(PlanStateError, match="PUBLISHED"):
        publish_plan(s, ORG, plan.id, published.etag, USER)
    started = edit_plan(s, ORG, plan.id, [SetStopStatus(orders[0], "DONE")], published.etag, USER).plan
    assert started.status == "IN_PROGRESS" and master(s).orders[(ORG, orders[0])].status == "DELIVERED"
    rest = [SetStopStatus(o, "DONE") for o in orders[1:]]
    done = edit_plan(s, ORG, plan.id, rest, started.etag, USER).plan
    assert done.status == "DONE"
    with pytest.raises(PlanStateError, match="DONE"):
        edit_plan(s, ORG, plan.id, [UnassignOrder(orders[0])], done.etag, USER)


def test_unassigned_orders_of_a_published_plan_go_back_to_pending() -> None:
    s, plan = _planned(orders=3)
    gone = _orders(plan)[0]
    edited = edit_plan(s, ORG, plan.id, [UnassignOrder(gone)], plan.etag, USER).plan
    master(s).set_order_status(ORG, gone, "PLANNED")
    publish_plan(s, ORG, plan.id, edited.etag, USER)
    assert master(s).orders[(ORG, gone)].status == "PENDING"


def test_only_drafts_can_be_deleted() -> None:
    s, plan = _planned(orders=3)
    published = publish_plan(s, ORG, plan.id, plan.etag, USER)
    with pytest.raises(PlanStateError, match="only DRAFT"):
        delete_plan(s, ORG, plan.id, published.etag)
    assert s.plans.get(ORG, plan.id) == published
    other = stores(day(), orders=3)
    draft, _ = optimize_day(other, ORG, BRANCH, day(), OPTS, USER)
    delete_plan(other, ORG, draft.id, draft.etag)
    assert other.plans.find(ORG, BRANCH, day()) is None


def test_replan_keeps_routes_under_way_and_locked_stops_and_fits_new_orders() -> None:
    s, plan = _planned()
    spare = next(v for v in ("V-1", "V-2", "V-3") if not _orders(plan, v))
    two_routes = edit_plan(s, ORG, plan.id, [MoveOrder(o, spare) for o in _orders(plan)[:4]], plan.etag, USER,
                           accept_violations=True).plan
    published = publish_plan(s, ORG, plan.id, two_routes.etag, USER)
    on_road = next(r for r in published.routes if r.vehicle_id != spare)
    road_orders = _orders(published, on_road.vehicle_id)
    locked = _orders(published, spare)[0]
    edits = [SetStopStatus(road_orders[0], "DONE"), LockOrder(locked)]
    edit_plan(s, ORG, plan.id, edits, published.etag, USER)
    master(s).add(ORG, order(13, day()))
    out = replan_plan(s, ORG, plan.id, OPTS, local_solver(), USER)
    after = out.plan
    assert _orders(after, on_road.vehicle_id) == road_orders  # under way: kept as it is
    assert locked in _orders(after, spare) and out.kept_locked == 1
    assert out.kept_on_road == len(road_orders) and out.added == ("O-013",)
    assert after.stop_of(road_orders[0])[1].status == "DONE"  # type: ignore[index]
    cmp = compare(get_revision(s, ORG, plan.id, published.revision), after.snapshot or {})
    assert "O-013" in cmp.newly_assigned or any("O-013" in r.added for r in cmp.routes)


def test_status_change_by_an_unknown_user_is_refused() -> None:
    s, plan = _planned(orders=3)
    with pytest.raises(UnknownUserError):
        set_status(s, ORG, plan.id, "PUBLISHED", plan.etag, "U-ghost", ("DRAFT",))
    assert s.plans.get(ORG, plan.id) == plan
