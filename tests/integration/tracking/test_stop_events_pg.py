"""Stop events on the real PostgreSQL: idempotent by request id, plan progress through events, orders
follow, organization isolation."""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

import psycopg
import pytest

from optimizer.solve import SolveOptions
from server.adapters.objects.local import LocalObjects
from server.adapters.postgres.database import Database
from server.adapters.postgres.seed import NERIMA_BRANCH_ID
from server.adapters.postgres.stop_events import PgStopEvents
from server.plans.errors import NotFoundError
from server.plans.optimize import optimize_day
from server.plans.queries import publish_plan
from server.tracking.events import EventDeps, NewEvent, list_events, record_event
from server.tracking.model import EventType, FailureReason
from tests.integration.plans.conftest import seeded_org, stores_for

OPTS = SolveOptions(time_limit=2, max_iterations=200, seed=1)


def _published(db_url: str, tmp: Path):  # type: ignore[no-untyped-def]
    stores = stores_for(db_url)
    org, day = seeded_org(db_url)
    plan, _ = optimize_day(stores, org, NERIMA_BRANCH_ID, day, OPTS, "U-002")
    plan = publish_plan(stores, org, plan.id, plan.etag, "U-002")
    deps = EventDeps(plans=stores, events=PgStopEvents(Database(db_url)), objects=LocalObjects(tmp))
    return deps, org, plan


def _statuses(db_url: str, org: str) -> dict[str, str]:
    with psycopg.connect(db_url) as conn:
        rows = conn.execute("SELECT id, status FROM orders WHERE organization_id = %s", (org,)).fetchall()
    return dict(rows)


def test_events_drive_the_plan_and_orders_and_are_idempotent(db_url: str, tmp_path: Path) -> None:
    deps, org, plan = _published(db_url, tmp_path)
    route = plan.routes[0]
    todo = [(r.vehicle_id, s.order_id) for r in plan.routes for s in r.stops if s.order_id]
    v, o = todo[0]
    first, created = record_event(deps, org, plan.id, NewEvent("arr-1", EventType.ARRIVED, v, o,
                                                               latitude=35.74, longitude=139.66))
    again, created2 = record_event(deps, org, plan.id, NewEvent("arr-1", EventType.ARRIVED, v, o))
    assert created and not created2 and again == first and first.driver_id == route.driver_id
    assert deps.plans.plans.get(org, plan.id).status == "IN_PROGRESS"
    assert _statuses(db_url, org)[o] == "IN_TRANSIT"
    for i, (v, o) in enumerate(todo):
        new = (NewEvent(f"d-{i}", EventType.FAILED, v, o, failure_reason=FailureReason.REFUSED) if i == 0
               else NewEvent(f"d-{i}", EventType.DELIVERED, v, o, receiver_name="受取人"))
        record_event(deps, org, plan.id, new)
    done = deps.plans.plans.get(org, plan.id)
    assert done.status == "DONE"
    statuses = _statuses(db_url, org)
    assert statuses[todo[0][1]] == "FAILED" and {statuses[o] for _, o in todo[1:]} == {"DELIVERED"}
    events = list_events(deps, org, plan.id)
    assert len(events) == len(todo) + 1 and events[0].request_id == "arr-1"
    assert events[0].latitude == 35.74 and events[-1].receiver_name == "受取人"


def test_concurrent_repeats_of_one_request_store_one_event(db_url: str, tmp_path: Path) -> None:
    deps, org, plan = _published(db_url, tmp_path)
    v, o = next((r.vehicle_id, s.order_id) for r in plan.routes for s in r.stops if s.order_id)
    results: list[tuple[object, bool]] = []

    def send() -> None:
        results.append(record_event(deps, org, plan.id, NewEvent("same", EventType.DELIVERED, v, o)))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(created for _, created in results) == 1
    assert len({e for e, _ in results}) == 1 and len(list_events(deps, org, plan.id)) == 1


def test_another_organization_sees_no_event(db_url: str, tmp_path: Path) -> None:
    deps, org, plan = _published(db_url, tmp_path)
    other, _ = seeded_org(db_url)
    v, o = next((r.vehicle_id, s.order_id) for r in plan.routes for s in r.stops if s.order_id)
    record_event(deps, org, plan.id, NewEvent("iso", EventType.DELIVERED, v, o))
    with pytest.raises(NotFoundError):
        record_event(deps, other, plan.id, NewEvent("iso", EventType.DELIVERED, v, o))
    with pytest.raises(NotFoundError):
        list_events(deps, other, plan.id)
    assert deps.events.find_request(other, "iso") is None
    now = datetime.datetime.now(datetime.UTC)
    day = datetime.timedelta(days=1)
    assert deps.events.for_vehicle(other, v, now - day, now + day) == []
    assert [e.request_id for e in deps.events.for_vehicle(org, v, now - day, now + day)] == ["iso"]


def test_the_wiring_serves_events_states_and_links_over_postgresql(db_url: str, tmp_path: Path) -> None:
    from server.bootstrap import create_live
    from server.platform.settings import Settings
    from server.tracking.fleet import get_view
    from server.tracking.links import create_link, shipment
    from tests.unit.tracking.live_fakes import FakeBus, FakeLive

    _, org, plan = _published(db_url, tmp_path)
    settings = Settings(data_dir=tmp_path)
    live = create_live(settings, Database(db_url), FakeLive(), FakeBus(), None, tick_every=0)
    try:
        v, o = next((r.vehicle_id, s.order_id) for r in plan.routes for s in r.stops if s.order_id)
        photo = b"\x89PNG\r\n\x1a\n"
        ev, _ = record_event(live.services.events, org, plan.id, NewEvent(
            "w", EventType.DELIVERED, v, o, photo=photo, photo_content_type="image/png"))
        assert (tmp_path / "objects").is_dir() and ev.photo_uri.endswith("photo.png")
        view = get_view(live.services.fleet, org, v)
        assert view.vehicle_id == v and view.stops_done in (0, 1)  # 0 when the plan is not today's
        link = create_link(live.services.fleet, live.services.link_secret, org, o)
        assert shipment(live.services.fleet, live.services.link_secret, link.token).status == "DELIVERED"
        assert (tmp_path / "tracking-link.key").is_file()
    finally:
        live.close()


def test_recorded_events_and_announced_alerts_are_counted(db_url: str, tmp_path: Path) -> None:
    from prometheus_client import REGISTRY

    from server.bootstrap import create_live
    from server.platform.settings import Settings
    from server.platform.tracking_metrics import count_alert
    from server.tracking.updates import Alert
    from tests.unit.tracking.live_fakes import FakeBus, FakeLive

    def counted(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    _, org, plan = _published(db_url, tmp_path)
    live = create_live(Settings(data_dir=tmp_path), Database(db_url), FakeLive(), FakeBus(), None,
                       tick_every=0)
    try:
        v, o = next((r.vehicle_id, s.order_id) for r in plan.routes for s in r.stops if s.order_id)
        before = counted("hakobu_stop_events_total", type="ARRIVED", source="DRIVER")
        record_event(live.services.events, org, plan.id, NewEvent("m1", EventType.ARRIVED, v, o))
        record_event(live.services.events, org, plan.id, NewEvent("m1", EventType.ARRIVED, v, o))
        assert counted("hakobu_stop_events_total", type="ARRIVED", source="DRIVER") == before + 1
        late = counted("hakobu_tracking_alerts_total", kind="LATE")
        count_alert(Alert("LATE", org, v, "x", datetime.datetime.now(datetime.UTC)))
        assert counted("hakobu_tracking_alerts_total", kind="LATE") == late + 1
    finally:
        live.close()


def test_etas_from_the_depot_at_the_planned_start_are_the_checkers_schedule(db_url: str,
                                                                           tmp_path: Path) -> None:
    from dataclasses import replace

    from server.adapters.postgres.repository import Repositories
    from server.tracking.fleet import FleetDeps, depot_departure, etas
    from server.tracking.model import LiveVehicle
    from tests.unit.tracking.live_fakes import FakeLive

    deps, org, plan = _published(db_url, tmp_path)
    repos = Repositories(Database(db_url))
    fleet = FleetDeps(plans=deps.plans, live=FakeLive(), vehicles=repos.vehicles, orders=repos.orders)
    branch = deps.plans.master.branch(org, plan.branch_id)
    assert branch is not None
    running = replace(plan, status="IN_PROGRESS")
    checked = 0
    for route in plan.routes:
        start = depot_departure(plan, route.vehicle_id)
        assert start is not None
        at_depot = LiveVehicle(org, route.vehicle_id, "dev", start, branch.latitude, branch.longitude)
        got = etas(fleet, org, running, route.vehicle_id, at_depot, start)
        assert [e.eta for e in got] == [s.arrival_time for s in route.stops if s.order_id]
        assert all(e.minutes_late <= 0 for e in got)
        checked += len(got)
    assert checked >= 50  # the seeded day's 100 orders, most of them on routes
