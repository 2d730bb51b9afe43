"""Recording what happened at a stop (到着, 配達完了, 不在…, 荷待ち, 荷役, 休憩) and driving the plan with it.

One use case, :func:`record_event`: validate the event against the plan (the stop belongs to this plan,
to this vehicle, in this organization; FAILED says why; OTHER says what), store the proof of delivery in
the object store, fill in where it happened (the device's position, else the vehicle's last known one),
store it idempotently by request id, advance the plan through ``server.plans.progress`` and tell the
fleet bus. A repeated request id returns the first event and only re-applies its (idempotent) progress.
"""

from __future__ import annotations

import datetime
import logging
import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from optimizer.compiled import RoadMatrices
from server.plans import progress
from server.plans.errors import InvalidArgumentError
from server.plans.ports import PlanStores
from server.plans.records import PlanRecord
from server.tracking import updates
from server.tracking.model import EventSource, EventType, FailureReason, LocationSource, StopEvent
from server.tracking.ports import FleetBus, LiveState, ObjectStore, StopEvents

log = logging.getLogger("hakobu.tracking.events")

#: Events that move a stop's status (the others are kept for the day's record: 荷役, 荷待ち, 休憩).
PROGRESS_TYPES = frozenset({EventType.ARRIVED, EventType.DELIVERED, EventType.FAILED})
#: Events that are about one stop, so they name its order.
NEEDS_ORDER = PROGRESS_TYPES
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png"}
SIGNATURE_TYPES = {"image/png": "png", "image/svg+xml": "svg"}
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_SIGNATURE_BYTES = 512 * 1024
MAX_TEXT = 500
#: How far ahead an event may be (a device clock that runs ahead): the same bound as positions' (a
#: GEOFENCE event takes its time from the position that made it).
MAX_FUTURE = datetime.timedelta(days=1)


class EventError(InvalidArgumentError):
    """Bad fields of an event: ``violations`` are (field path, Japanese / English description)."""

    def __init__(self, violations: Sequence[tuple[str, str]]) -> None:
        self.violations = list(violations)
        super().__init__("; ".join(f"{f}: {d}" for f, d in self.violations))


@dataclass(frozen=True)
class NewEvent:
    """An event as the driver's phone, a dispatcher or the geofence reports it."""

    request_id: str
    type: EventType
    vehicle_id: str
    order_id: str | None = None
    time: datetime.datetime | None = None
    failure_reason: FailureReason | None = None
    failure_note: str = ""
    latitude: float | None = None
    longitude: float | None = None
    source: EventSource = EventSource.DRIVER
    receiver_name: str = ""
    photo: bytes = b""
    photo_content_type: str = ""
    signature: bytes = b""
    signature_content_type: str = ""
    requested_by: str = ""


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass
class EventDeps:
    """The ports recording an event needs."""

    plans: PlanStores
    events: StopEvents
    objects: ObjectStore
    live: LiveState | None = None
    bus: FleetBus | None = None
    clock: Callable[[], datetime.datetime] = field(default=_utcnow)
    road: RoadMatrices | None = None
    #: Called with each newly recorded event (metrics).
    on_recorded: Callable[[StopEvent], None] | None = None


def _check_fields(new: NewEvent, plan: PlanRecord, now: datetime.datetime) -> list[tuple[str, str]]:
    bad: list[tuple[str, str]] = []
    if not new.request_id or len(new.request_id) > 128:
        bad.append(("request_id", "1〜128文字で指定してください / required, at most 128 characters"))
    route = next((r for r in plan.routes if r.vehicle_id == new.vehicle_id), None)
    if route is None:
        bad.append(("stop_event.vehicle", f"車両 {new.vehicle_id} はこの計画にありません / vehicle "
                                          f"{new.vehicle_id!r} has no route in plan {plan.id}"))
    if new.order_id:
        found = plan.stop_of(new.order_id)
        if found is None:
            bad.append(("stop_event.order",
                        f"配送依頼 {new.order_id} はこの計画の停車地ではありません / "
                        f"order {new.order_id!r} is not a stop of plan {plan.id}"))
        elif route is not None and found[0].vehicle_id != new.vehicle_id:
            other = found[0].vehicle_id
            bad.append(("stop_event.order",
                        f"配送依頼 {new.order_id} は車両 {other} の停車地です / order {new.order_id!r} is on "
                        f"vehicle {other}'s route, not {new.vehicle_id}'s"))
    elif new.type in NEEDS_ORDER:
        bad.append(("stop_event.order", f"{new.type.value} には配送依頼が必要です / a {new.type.value} event "
                                        "names the stop's order"))
    if new.type is EventType.FAILED and new.failure_reason is None:
        bad.append(("stop_event.failure_reason", "配達不可の理由が必要です / a FAILED event needs a "
                                                 "failure_reason (NOT_HOME, REFUSED, ADDRESS_UNKNOWN, "
                                                 "DAMAGED, OTHER)"))
    if new.type is not EventType.FAILED and new.failure_reason is not None:
        bad.append(("stop_event.failure_reason", "理由は配達不可のときだけ / only a FAILED event has a "
                                                 "failure_reason"))
    if new.failure_reason is FailureReason.OTHER and not new.failure_note.strip():
        bad.append(("stop_event.failure_note", "「その他」の内容を書いてください / failure reason OTHER "
                                               "needs a failure_note saying what happened"))
    for name, text in (("failure_note", new.failure_note), ("requested_by", new.requested_by),
                       ("proof.receiver_name", new.receiver_name)):
        if len(text) > MAX_TEXT:
            bad.append((f"stop_event.{name}", f"{MAX_TEXT}文字以内 / at most {MAX_TEXT} characters"))
    if new.time is not None and new.time > now + MAX_FUTURE:
        bad.append(("stop_event.event_time", "未来の時刻です / more than a day in the future"))
    elif new.time is not None and new.time < _day_start(plan) - datetime.timedelta(days=1):
        bad.append(("stop_event.event_time", f"計画日 {plan.plan_date} より前の時刻です / before the plan's "
                                             f"day {plan.plan_date}"))
    bad += _check_location(new)
    bad += _check_file("photo", new.photo, new.photo_content_type, PHOTO_TYPES, MAX_PHOTO_BYTES)
    bad += _check_file("signature", new.signature, new.signature_content_type, SIGNATURE_TYPES,
                       MAX_SIGNATURE_BYTES)
    if (new.photo or new.signature or new.receiver_name) and new.type not in (EventType.DELIVERED,
                                                                              EventType.FAILED):
        bad.append(("stop_event.proof", "受領証は配達完了・配達不可のときだけ / proof of delivery goes with "
                                        "a DELIVERED or FAILED event"))
    return bad


def _check_location(new: NewEvent) -> list[tuple[str, str]]:
    if new.latitude is None and new.longitude is None:
        return []
    lat, lon = new.latitude or 0.0, new.longitude or 0.0
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return [("stop_event.location", "緯度経度が範囲外です / latitude in [-90, 90], longitude in "
                                        "[-180, 180]")]
    if lat == 0 and lon == 0:
        return [("stop_event.location", "(0, 0) は位置ではありません / (0, 0) is no position; leave "
                                        "location unset when unknown")]
    return []


def _day_start(plan: PlanRecord) -> datetime.datetime:
    from server.jst import JST

    return datetime.datetime.combine(plan.plan_date, datetime.time(0), tzinfo=JST)


def _looks_like(content_type: str, data: bytes) -> bool:
    """The bytes are what the content type says (magic numbers; an SVG with no script in it)."""
    if content_type == "image/jpeg":
        return data.startswith(b"\xff\xd8")
    if content_type == "image/png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if content_type == "image/svg+xml":
        low = data.lower()
        return b"<svg" in low[:1024] and b"<script" not in low and b"javascript:" not in low
    return False


def _check_file(what: str, data: bytes, content_type: str, types: dict[str, str],
                limit: int) -> list[tuple[str, str]]:
    if not data:
        return []
    bad = []
    if content_type not in types:
        bad.append((f"stop_event.proof.{what}_content_type",
                    f"{' / '.join(types)} のいずれか / must be one of {', '.join(types)}, "
                    f"not {content_type[:50]!r}"))
    elif not _looks_like(content_type, data):
        bad.append((f"stop_event.proof.{what}", f"{content_type} の内容ではありません / the bytes are not "
                                                f"{content_type} (or an SVG holds a script)"))
    if len(data) > limit:
        bad.append((f"stop_event.proof.{what}", f"{limit // 1024} KiB まで / at most {limit // 1024} KiB, "
                                                f"got {len(data) // 1024} KiB"))
    return bad


def _locate(deps: EventDeps, org: str, new: NewEvent) -> tuple[float | None, float | None, LocationSource]:
    """The device's position if sent, else the vehicle's last known one (as Fleet Engine does)."""
    if new.latitude is not None and new.longitude is not None:
        return new.latitude, new.longitude, LocationSource.DEVICE
    last = deps.live.get(org, new.vehicle_id) if deps.live is not None else None
    if last is not None:
        return last.latitude, last.longitude, LocationSource.LAST_VEHICLE_POSITION
    return None, None, LocationSource.NONE


def _store_proof(deps: EventDeps, org: str, plan_id: str, event_id: str, new: NewEvent) -> tuple[str, str]:
    uris = []
    for what, data, ctype, types in (("photo", new.photo, new.photo_content_type, PHOTO_TYPES),
                                     ("signature", new.signature, new.signature_content_type,
                                      SIGNATURE_TYPES)):
        if not data:
            uris.append("")
            continue
        key = f"proof/{org}/{plan_id}/{event_id}/{what}.{types[ctype]}"
        uris.append(deps.objects.put(key, data, ctype))
    return uris[0], uris[1]


def record_event(
    deps: EventDeps, org: str, plan_id: str, new: NewEvent, user: str | None = None
) -> tuple[StopEvent, bool]:
    """Record ``new`` for the plan; (the event, True) when new, (the first event, False) on a repeat.

    ``NotFoundError`` for a plan outside ``org``; ``EventError`` for bad fields;
    ``PlanStateError`` when the plan is not out on the road.
    """
    plan = deps.plans.plans.get(org, plan_id)
    if new.request_id:
        known = deps.events.find_request(org, new.request_id)
        if known is not None:
            if known.plan_id != plan_id:
                raise EventError([("request_id", "この request_id は別の計画で使われています / request_id "
                                                 f"was used for plan {known.plan_id}")])
            _drive(deps, org, known, user)
            return known, False
    now = deps.clock()
    bad = _check_fields(new, plan, now)
    if bad:
        raise EventError(bad)
    if plan.status == "DRAFT" or (new.type in PROGRESS_TYPES and plan.status == "DONE"):
        progress.check_reportable(plan)
    route = next(r for r in plan.routes if r.vehicle_id == new.vehicle_id)
    event_id = uuid.uuid4().hex
    lat, lon, source = _locate(deps, org, new)
    photo_uri, signature_uri = _store_proof(deps, org, plan_id, event_id, new)
    event = StopEvent(
        organization=org, plan_id=plan_id, event_id=event_id, request_id=new.request_id, type=new.type,
        vehicle_id=new.vehicle_id, time=new.time or now, order_id=new.order_id or None,
        driver_id=route.driver_id, failure_reason=new.failure_reason, failure_note=new.failure_note,
        latitude=lat, longitude=lon, location_source=source, source=new.source,
        receiver_name=new.receiver_name, photo_uri=photo_uri, signature_uri=signature_uri,
        requested_by=new.requested_by, created_at=now,
    )
    stored, created = deps.events.record(event)
    if created and deps.on_recorded is not None:
        deps.on_recorded(stored)
    if created:
        log.info("stop event", extra={"organization": org, "plan": plan_id, "event_type": stored.type.value,
                                      "vehicle": stored.vehicle_id, "order": stored.order_id,
                                      "source": stored.source.value})
    _drive(deps, org, stored, user)
    if created and deps.bus is not None:
        try:
            deps.bus.publish(org, updates.event_message(stored, plan.branch_id))
        except Exception:  # the bus is best effort; the event is stored
            log.exception("publishing a stop event failed")
    return stored, created


def _drive(deps: EventDeps, org: str, event: StopEvent, user: str | None) -> None:
    if event.type in PROGRESS_TYPES and event.order_id:
        progress.advance(deps.plans, org, event.plan_id, event.order_id, event.type.value, user, deps.road)


def list_events(
    deps: EventDeps, org: str, plan_id: str, *, vehicle_id: str | None = None, order_id: str | None = None,
    type: EventType | None = None,
) -> list[StopEvent]:
    """The plan's events oldest first, filtered; ``NotFoundError`` for a plan outside ``org``."""
    deps.plans.plans.get(org, plan_id)
    return [
        e for e in deps.events.for_plan(org, plan_id)
        if vehicle_id in (None, e.vehicle_id) and order_id in (None, e.order_id) and type in (None, e.type)
    ]


def geofence_event(request_id: str, type: EventType, vehicle_id: str, order_id: str | None,
                   time: datetime.datetime, latitude: float, longitude: float) -> NewEvent:
    """An ARRIVED or DEPARTED detected from positions."""
    return NewEvent(request_id=request_id, type=type, vehicle_id=vehicle_id, order_id=order_id, time=time,
                    latitude=latitude, longitude=longitude, source=EventSource.GEOFENCE)



