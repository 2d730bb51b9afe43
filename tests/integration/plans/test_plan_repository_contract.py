"""The plan repository contract, held by the PostgreSQL adapter and by the in-memory fake alike
(so the unit tests that use the fake test what production does)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from server.adapters.memory.plans import MemoryMasterData, MemoryPlans
from server.adapters.postgres.seed import NERIMA_BRANCH_ID, demo_orders
from server.jst import tomorrow
from server.plans.errors import (
    InvalidReferenceError,
    NotFoundError,
    PlanLockedError,
    PlanStateError,
    StaleEtagError,
)
from server.plans.ports import PlanRepository
from server.plans.records import Order
from tests.integration.plans.conftest import seeded_org, stores_for

BRANCH = NERIMA_BRANCH_ID


def _snap(orders: list[str], km: int = 1) -> dict[str, Any]:
    """A minimal stored plan: one route visiting ``orders``."""
    t = "2030-01-01T09:00:00+09:00"
    stops = [{"sequence": 0, "kind": "DEPOT", "order_id": None, "arrival": t, "start": t, "departure": t,
              "load": [0, 0]}]
    stops += [{"sequence": i + 1, "kind": "DELIVERY", "order_id": o, "arrival": t, "start": t, "departure": t,
               "load": [0, 0]} for i, o in enumerate(orders)]
    route = {"vehicle_id": "V-101", "driver_id": "D-101", "start_time": t, "end_time": t,
             "distance_m": km * 1000, "cost": float(km), "stops": stops}
    return {"routes": [route], "unassigned": [], "distance_m": km * 1000, "cost": float(km),
            "dimensions": ["kg", "litres"], "travel": "haversine"}


@pytest.fixture(params=["postgres", "memory"])
def repo(request: pytest.FixtureRequest, db_url: str) -> Iterator[tuple[PlanRepository, str, datetime.date,
                                                                        Callable[[str], str]]]:
    """(repository, organization, day, order status of an order id) over each implementation."""
    day = tomorrow()
    if request.param == "postgres":
        org, _ = seeded_org(db_url, day)
        stores = stores_for(db_url)
        import psycopg

        def status(order_id: str) -> str:
            with psycopg.connect(db_url) as conn:
                row = conn.execute("SELECT status FROM orders WHERE organization_id = %s AND id = %s",
                                   (org, order_id)).fetchone()
            assert row is not None
            return str(row[0])

        yield stores.plans, org, day, status
        return
    org = "ORG-MEM"
    master = MemoryMasterData()
    master.add(org, *(Order(**{k: v for k, v in o.items() if k in ("id", "branch_id", "latitude", "longitude",
                                                                      "delivery_date")})
                      for o in demo_orders(day, 5)))
    master.add_user(org, "U-002")
    yield MemoryPlans(master), org, day, lambda order_id: master.orders[(org, order_id)].status


def _orders(day: datetime.date, n: int = 3) -> list[str]:
    return [o["id"] for o in demo_orders(day, n)]


def test_save_day_creates_then_refreshes_and_same_content_changes_nothing(repo) -> None:  # type: ignore[no-untyped-def]
    plans, org, day, _ = repo
    a, b = _orders(day, 2)
    first = plans.save_day(org, BRANCH, day, _snap([a]), "U-002")
    assert (first.status, first.revision, first.version, first.created_by) == ("DRAFT", 1, 1, "U-002")
    assert plans.save_day(org, BRANCH, day, _snap([a]), "U-002") == first
    second = plans.save_day(org, BRANCH, day, _snap([a, b], 2), None)
    assert (second.id, second.revision, second.version) == (first.id, 2, 2)
    assert [v.change.split(":")[0] for v in plans.versions(org, first.id)] == ["CREATED", "REOPTIMIZED"]
    assert plans.find(org, BRANCH, day) == second
    assert plans.revision(org, first.id, 1)["routes"][0]["stops"][1]["order_id"] == a


def test_the_stamp_changes_with_every_write_and_only_then(repo) -> None:  # type: ignore[no-untyped-def]
    plans, org, day, _ = repo
    a, b = _orders(day, 2)
    plan = plans.save_day(org, BRANCH, day, _snap([a]), "U-002")
    seen = [plans.stamp(org, plan.id)]
    assert plans.stamp(org, plan.id) == seen[0]
    plans.save_day(org, BRANCH, day, _snap([a]), "U-002")  # same content: nothing written
    assert plans.stamp(org, plan.id) == seen[0]
    plan = plans.save_day(org, BRANCH, day, _snap([a, b], 2), None)
    seen.append(plans.stamp(org, plan.id))
    plan = plans.save_revision(org, plan.id, _snap([b]), "U-002", "EDITED: x", plan.etag)
    seen.append(plans.stamp(org, plan.id))
    plan = plans.set_status(org, plan.id, "PUBLISHED", plan.etag, "U-002", ("DRAFT",))
    seen.append(plans.stamp(org, plan.id))
    assert len(set(seen)) == len(seen) == 4
    with pytest.raises(NotFoundError):
        plans.stamp("ORG-ELSEWHERE", plan.id)
    with pytest.raises(NotFoundError):
        plans.stamp(org, "no-such-plan")


def test_a_repeated_request_id_returns_the_first_plan(repo) -> None:  # type: ignore[no-untyped-def]
    plans, org, day, _ = repo
    a, b = _orders(day, 2)
    first = plans.save_day(org, BRANCH, day, _snap([a]), None, "req-1")
    assert plans.save_day(org, BRANCH, day, _snap([a, b]), None, "req-1") == first


def test_unknown_author_is_refused_and_nothing_is_written(repo) -> None:  # type: ignore[no-untyped-def]
    plans, org, day, _ = repo
    with pytest.raises(InvalidReferenceError):
        plans.save_day(org, BRANCH, day, _snap(_orders(day, 1)), "U-ghost")
    assert plans.find(org, BRANCH, day) is None


def test_published_needs_force_and_in_progress_is_never_replaced(repo) -> None:  # type: ignore[no-untyped-def]
    plans, org, day, _ = repo
    a, b = _orders(day, 2)
    plan = plans.save_day(org, BRANCH, day, _snap([a]), None)
    published = plans.set_status(org, plan.id, "PUBLISHED", plan.etag, "U-002", ("DRAFT",))
    assert (published.status, published.published_by, published.revision) == ("PUBLISHED", "U-002", 2)
    with pytest.raises(PlanLockedError, match="force"):
        plans.save_day(org, BRANCH, day, _snap([a, b]), None)
    forced = plans.save_day(org, BRANCH, day, _snap([a, b]), None, force=True)
    assert (forced.status, forced.revision) == ("DRAFT", 3)
    assert plans.versions(org, plan.id)[-1].change.startswith("REOPTIMIZED_FROM_PUBLISHED")
    running = plans.set_status(org, plan.id, "IN_PROGRESS", None, None, ("DRAFT",))
    with pytest.raises(PlanLockedError):
        plans.save_day(org, BRANCH, day, _snap([a]), None, force=True)
    assert plans.get(org, plan.id) == running


def test_revisions_check_the_etag_and_the_status(repo) -> None:  # type: ignore[no-untyped-def]
    plans, org, day, _ = repo
    a, b = _orders(day, 2)
    plan = plans.save_day(org, BRANCH, day, _snap([a]), None)
    edited = plans.save_revision(org, plan.id, _snap([a, b]), "U-002", "EDITED", plan.etag)
    assert (edited.revision, edited.version) == (2, 2)
    with pytest.raises(StaleEtagError):
        plans.save_revision(org, plan.id, _snap([b]), None, "EDITED", plan.etag)
    assert plans.save_revision(org, plan.id, _snap([a, b]), None, "SAME", None, skip_if_same=True) == edited
    with pytest.raises(PlanStateError):
        plans.save_revision(org, plan.id, _snap([b]), None, "EDITED", None, allowed_from=("PUBLISHED",))
    assert plans.get(org, plan.id) == edited


def test_orders_follow_a_plan_out_of_draft(repo) -> None:  # type: ignore[no-untyped-def]
    plans, org, day, status = repo
    a, b, c = _orders(day, 3)
    plan = plans.save_day(org, BRANCH, day, dict(_snap([a, b]), unassigned=[
        {"order_id": c, "reason": "CAPACITY", "message": "full", "message_ja": "満載"}]), None)
    assert {status(a), status(c)} == {"PENDING"}  # a DRAFT changes no order
    published = plans.set_status(org, plan.id, "PUBLISHED", None, None, ("DRAFT",))
    assert (status(a), status(b), status(c)) == ("PLANNED", "PLANNED", "PENDING")
    snap = _snap([a, b])
    snap["routes"][0]["stops"][1]["status"] = "DONE"
    plans.save_revision(org, plan.id, snap, None, "EDITED", published.etag, status="IN_PROGRESS")
    assert (status(a), status(b)) == ("DELIVERED", "PLANNED")
    assert plans.get(org, plan.id).stop_of(a)[1].status == "DONE"  # type: ignore[index]


def test_only_drafts_are_deleted_and_unknown_plans_are_not_found(repo) -> None:  # type: ignore[no-untyped-def]
    plans, org, day, _ = repo
    plan = plans.save_day(org, BRANCH, day, _snap(_orders(day, 1)), None)
    published = plans.set_status(org, plan.id, "PUBLISHED", None, None, ("DRAFT",))
    with pytest.raises(PlanStateError, match="only DRAFT"):
        plans.delete(org, plan.id, published.etag)
    later = day + datetime.timedelta(days=1)
    draft = plans.save_day(org, BRANCH, later, _snap([]), None)
    plans.delete(org, draft.id, draft.etag)
    for call in (lambda: plans.get(org, draft.id), lambda: plans.versions(org, draft.id),
                 lambda: plans.revision(org, plan.id, 99), lambda: plans.get("ORG-OTHER", plan.id)):
        with pytest.raises(NotFoundError):
            call()


def test_list_pages_newest_date_first_with_filters(repo) -> None:  # type: ignore[no-untyped-def]
    plans, org, day, _ = repo
    made = [plans.save_day(org, BRANCH, day + datetime.timedelta(days=i), _snap([]), None) for i in range(3)]
    page, nxt = plans.list(org, page_size=2)
    assert [p.id for p in page] == [made[2].id, made[1].id] and nxt is not None
    rest, end = plans.list(org, page_size=2, after=nxt)
    assert [p.id for p in rest] == [made[0].id] and end is None
    only, _ = plans.list(org, plan_date=day + datetime.timedelta(days=1), status="DRAFT", branch_id=BRANCH)
    assert [p.id for p in only] == [made[1].id]
