"""Stop events through the in-memory ports: validation, idempotency, proof of delivery, plan progress."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from server.plans.errors import NotFoundError, PlanStateError
from server.tracking.events import EventError, NewEvent, list_events, record_event
from server.tracking.model import EventType, FailureReason, LiveVehicle, LocationSource
from server.tracking.updates import EVENT, parse
from tests.unit.plans.builders import ORG
from tests.unit.tracking.live_fakes import published_day, stops

NOW = datetime.datetime.now(datetime.UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def _fields(exc: pytest.ExceptionInfo[EventError]) -> set[str]:
    return {f for f, _ in exc.value.violations}


def test_delivering_every_stop_drives_stops_plan_and_orders(tmp_path: Path) -> None:
    deps, plan = published_day(tmp_path, orders=4)
    todo = stops(plan)
    v, o = todo[0]
    record_event(deps, ORG, plan.id, NewEvent("r-arr", EventType.ARRIVED, v, o))
    now = deps.plans.plans.get(ORG, plan.id)
    assert now.status == "IN_PROGRESS" and now.stop_of(o)[1].status == "ARRIVED"  # type: ignore[index]
    assert deps.plans.master.orders[(ORG, o)].status == "IN_TRANSIT"  # type: ignore[attr-defined]
    for i, (v, o) in enumerate(todo):
        if i == 1:
            record_event(deps, ORG, plan.id, NewEvent(f"r-{i}", EventType.FAILED, v, o,
                                                      failure_reason=FailureReason.NOT_HOME))
        else:
            record_event(deps, ORG, plan.id, NewEvent(f"r-{i}", EventType.DELIVERED, v, o))
    done = deps.plans.plans.get(ORG, plan.id)
    assert done.status == "DONE"
    statuses = {o: done.stop_of(o)[1].status for _, o in todo}  # type: ignore[index]
    assert list(statuses.values()).count("FAILED") == 1 and list(statuses.values()).count("DONE") == 3
    orders = deps.plans.master.orders  # type: ignore[attr-defined]
    assert orders[(ORG, todo[1][1])].status == "FAILED" and orders[(ORG, todo[0][1])].status == "DELIVERED"


def test_a_repeated_request_id_returns_the_first_event_and_stores_nothing_twice(tmp_path: Path) -> None:
    deps, plan = published_day(tmp_path)
    v, o = stops(plan)[0]
    first, created = record_event(deps, ORG, plan.id, NewEvent("same", EventType.DELIVERED, v, o))
    again, created2 = record_event(deps, ORG, plan.id, NewEvent("same", EventType.DELIVERED, v, o))
    assert created and not created2 and again == first
    assert len(list_events(deps, ORG, plan.id)) == 1
    assert len([p for p in deps.bus.published if parse(p[1])["kind"] == EVENT]) == 1  # type: ignore[union-attr]


def test_progress_never_goes_backwards(tmp_path: Path) -> None:
    deps, plan = published_day(tmp_path)
    v, o = stops(plan)[0]
    record_event(deps, ORG, plan.id, NewEvent("a", EventType.DELIVERED, v, o))
    record_event(deps, ORG, plan.id, NewEvent("b", EventType.ARRIVED, v, o))
    assert deps.plans.plans.get(ORG, plan.id).stop_of(o)[1].status == "DONE"  # type: ignore[index]


def test_bad_events_name_their_fields(tmp_path: Path) -> None:
    deps, plan = published_day(tmp_path)
    (v, o), others = stops(plan)[0], [x for x in stops(plan) if x[0] != stops(plan)[0][0]]
    with pytest.raises(EventError) as exc:
        record_event(deps, ORG, plan.id, NewEvent("x1", EventType.FAILED, v, o))
    assert _fields(exc) == {"stop_event.failure_reason"}
    with pytest.raises(EventError) as exc:
        record_event(deps, ORG, plan.id, NewEvent("x2", EventType.FAILED, v, o,
                                                  failure_reason=FailureReason.OTHER))
    assert _fields(exc) == {"stop_event.failure_note"}
    with pytest.raises(EventError) as exc:
        record_event(deps, ORG, plan.id, NewEvent("x3", EventType.DELIVERED, "V-404", "O-404"))
    assert _fields(exc) == {"stop_event.vehicle", "stop_event.order"}
    with pytest.raises(EventError) as exc:
        record_event(deps, ORG, plan.id, NewEvent("x4", EventType.DELIVERED, v, None))
    assert _fields(exc) == {"stop_event.order"}
    if others:
        with pytest.raises(EventError) as exc:
            record_event(deps, ORG, plan.id, NewEvent("x5", EventType.DELIVERED, v, others[0][1]))
        assert _fields(exc) == {"stop_event.order"}
    with pytest.raises(EventError) as exc:
        record_event(deps, ORG, plan.id, NewEvent(
            "x6", EventType.DELIVERED, v, o, photo=b"GIF89a", photo_content_type="image/gif",
            signature=b"x" * (600 * 1024), signature_content_type="image/png", latitude=0.0, longitude=0.0,
            time=NOW + datetime.timedelta(days=2)))
    assert _fields(exc) == {"stop_event.proof.photo_content_type", "stop_event.proof.signature",
                            "stop_event.location", "stop_event.event_time"}
    assert list_events(deps, ORG, plan.id) == []
    assert deps.plans.plans.get(ORG, plan.id).status == "PUBLISHED"


def test_another_organizations_plan_is_not_found(tmp_path: Path) -> None:
    deps, plan = published_day(tmp_path)
    v, o = stops(plan)[0]
    with pytest.raises(NotFoundError):
        record_event(deps, "ORG-OTHER", plan.id, NewEvent("o", EventType.DELIVERED, v, o))
    with pytest.raises(NotFoundError):
        list_events(deps, "ORG-OTHER", plan.id)


def test_a_draft_plan_takes_no_event(tmp_path: Path) -> None:
    from server.plans.queries import set_status

    deps, plan = published_day(tmp_path)
    set_status(deps.plans, ORG, plan.id, "DRAFT", None, None, ("PUBLISHED",))
    v, o = stops(plan)[0]
    with pytest.raises(PlanStateError):
        record_event(deps, ORG, plan.id, NewEvent("d", EventType.ARRIVED, v, o))
    assert list_events(deps, ORG, plan.id) == []


def test_proof_of_delivery_goes_to_the_object_store_and_location_falls_back(tmp_path: Path) -> None:
    deps, plan = published_day(tmp_path)
    (v, o), (v2, o2) = stops(plan)[0], stops(plan)[1]
    deps.live.update([LiveVehicle(ORG, v, "dev", NOW, 35.75, 139.67)])  # type: ignore[union-attr]
    ev, _ = record_event(deps, ORG, plan.id, NewEvent(
        "p", EventType.DELIVERED, v, o, receiver_name="山田", photo=b"\xff\xd8jpeg",
        photo_content_type="image/jpeg", signature=PNG, signature_content_type="image/png"))
    assert ev.location_source is LocationSource.LAST_VEHICLE_POSITION and (ev.latitude, ev.longitude) == (
        35.75, 139.67)
    assert ev.photo_uri.startswith("file://") and ev.photo_uri.endswith("photo.jpg")
    key = ev.signature_uri.split("/objects/", 1)[1]
    assert deps.objects.get(key) == PNG and ev.receiver_name == "山田"
    dev, _ = record_event(deps, ORG, plan.id, NewEvent("q", EventType.ARRIVED, v, o2 if v2 == v else o,
                                                       latitude=35.7, longitude=139.6))
    assert dev.location_source is LocationSource.DEVICE
    deps.live = None
    none, _ = record_event(deps, ORG, plan.id, NewEvent("n", EventType.BREAK_STARTED, v))
    assert none.location_source is LocationSource.NONE and none.order_id is None


def test_listing_filters_by_vehicle_order_and_type(tmp_path: Path) -> None:
    deps, plan = published_day(tmp_path)
    (v, o) = stops(plan)[0]
    record_event(deps, ORG, plan.id, NewEvent("1", EventType.ARRIVED, v, o))
    record_event(deps, ORG, plan.id, NewEvent("2", EventType.WAITING_STARTED, v, o, requested_by="荷主"))
    record_event(deps, ORG, plan.id, NewEvent("3", EventType.DELIVERED, v, o))
    assert [e.type for e in list_events(deps, ORG, plan.id, order_id=o)] == [
        EventType.ARRIVED, EventType.WAITING_STARTED, EventType.DELIVERED]
    assert [e.request_id for e in list_events(deps, ORG, plan.id, type=EventType.DELIVERED)] == ["3"]
    assert list_events(deps, ORG, plan.id, vehicle_id="V-404") == []


def test_proof_bytes_must_be_what_their_content_type_says(tmp_path: Path) -> None:
    deps, plan = published_day(tmp_path)
    v, o = stops(plan)[0]
    for i, (photo, ptype, sig, stype, field) in enumerate([
        (b"GIF89a...", "image/jpeg", b"", "", "stop_event.proof.photo"),
        (b"\xff\xd8ok", "image/png", b"", "", "stop_event.proof.photo"),
        (b"", "", b"<svg><script>alert(1)</script></svg>", "image/svg+xml", "stop_event.proof.signature"),
        (b"", "", b"not an svg", "image/svg+xml", "stop_event.proof.signature"),
    ]):
        with pytest.raises(EventError) as exc:
            record_event(deps, ORG, plan.id, NewEvent(f"f{i}", EventType.DELIVERED, v, o, photo=photo,
                                                      photo_content_type=ptype, signature=sig,
                                                      signature_content_type=stype))
        assert _fields(exc) == {field}
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>'
    ok, _ = record_event(deps, ORG, plan.id, NewEvent(
        "svg", EventType.DELIVERED, v, o, signature=svg, signature_content_type="image/svg+xml"))
    assert ok.signature_uri.endswith("signature.svg")


def test_an_event_long_before_the_plans_day_is_refused(tmp_path: Path) -> None:
    deps, plan = published_day(tmp_path)
    v, o = stops(plan)[0]
    with pytest.raises(EventError) as exc:
        record_event(deps, ORG, plan.id, NewEvent("old", EventType.ARRIVED, v, o,
                                                  time=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)))
    assert _fields(exc) == {"stop_event.event_time"}
