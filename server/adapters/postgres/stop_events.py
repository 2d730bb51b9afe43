"""``StopEvents`` over PostgreSQL: table ``stop_events`` (migration 0010), idempotent by request id."""

from __future__ import annotations

import datetime
from typing import Any

from server.adapters.postgres.database import Database
from server.tracking.model import EventSource, EventType, FailureReason, LocationSource, StopEvent

_COLUMNS = (
    "organization_id", "id", "plan_id", "request_id", "type", "vehicle_id", "order_id", "driver_id",
    "event_time", "failure_reason", "failure_note", "latitude", "longitude", "location_source", "source",
    "receiver_name", "photo_uri", "signature_uri", "requested_by", "created_at",
)
_INSERT = (
    f"INSERT INTO stop_events ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))}) "
    "ON CONFLICT (organization_id, request_id) DO NOTHING RETURNING *"
)
_ORDER = " ORDER BY event_time, created_at, id"


def _row(e: StopEvent) -> tuple[Any, ...]:
    return (
        e.organization, e.event_id, e.plan_id, e.request_id, e.type.value, e.vehicle_id, e.order_id,
        e.driver_id, e.time, e.failure_reason.value if e.failure_reason else None, e.failure_note,
        e.latitude, e.longitude, e.location_source.value, e.source.value, e.receiver_name, e.photo_uri,
        e.signature_uri, e.requested_by, e.created_at or datetime.datetime.now(datetime.UTC),
    )


def _event(r: dict[str, Any]) -> StopEvent:
    return StopEvent(
        organization=r["organization_id"], plan_id=r["plan_id"], event_id=r["id"],
        request_id=r["request_id"], type=EventType(r["type"]), vehicle_id=r["vehicle_id"],
        time=r["event_time"], order_id=r["order_id"], driver_id=r["driver_id"],
        failure_reason=FailureReason(r["failure_reason"]) if r["failure_reason"] else None,
        failure_note=r["failure_note"], latitude=r["latitude"], longitude=r["longitude"],
        location_source=LocationSource(r["location_source"]), source=EventSource(r["source"]),
        receiver_name=r["receiver_name"], photo_uri=r["photo_uri"], signature_uri=r["signature_uri"],
        requested_by=r["requested_by"], created_at=r["created_at"],
    )


class PgStopEvents:
    """Implements ``server.tracking.ports.StopEvents``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, event: StopEvent) -> tuple[StopEvent, bool]:
        with self.db.transaction() as conn:
            row = conn.execute(_INSERT, _row(event)).fetchone()
            if row is not None:
                return _event(row), True
            row = conn.execute(
                "SELECT * FROM stop_events WHERE organization_id = %s AND request_id = %s",
                (event.organization, event.request_id),
            ).fetchone()
        assert row is not None  # the conflicting row exists: rows are never deleted but with their plan
        return _event(row), False

    def find_request(self, org: str, request_id: str) -> StopEvent | None:
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM stop_events WHERE organization_id = %s AND request_id = %s", (org, request_id)
            ).fetchone()
        return None if row is None else _event(row)

    def for_plan(self, org: str, plan_id: str) -> list[StopEvent]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM stop_events WHERE organization_id = %s AND plan_id = %s" + _ORDER,
                (org, plan_id),
            ).fetchall()
        return [_event(r) for r in rows]

    def for_vehicle(
        self, org: str, vehicle_id: str, start: datetime.datetime, end: datetime.datetime
    ) -> list[StopEvent]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM stop_events WHERE organization_id = %s AND vehicle_id = %s "
                "AND event_time >= %s AND event_time < %s" + _ORDER,
                (org, vehicle_id, start, end),
            ).fetchall()
        return [_event(r) for r in rows]
