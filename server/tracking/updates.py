"""The fleet bus's messages: JSON envelopes of stop events, alerts and vehicle states.

Every message carries its kind, the organization's branch (when known) and the vehicle, so a
``StreamFleet`` subscriber can filter by branch without reading the rest. The gRPC edge turns them into
``FleetUpdate`` messages.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
from typing import Any

from server.tracking.model import StopEvent

EVENT = "stop_event"
ALERT = "alert"
STATE = "vehicle_state"


@dataclasses.dataclass(frozen=True)
class Alert:
    """A warning about a vehicle (LATE, OFF_ROUTE, SILENT, DRIVING_RULES, LONG_WAIT)."""

    kind: str
    organization: str
    vehicle_id: str
    message: str  # Japanese first, then English
    time: datetime.datetime
    amount: int = 0
    order_id: str | None = None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _envelope(kind: str, branch: str | None, vehicle_id: str, body: dict[str, Any]) -> bytes:
    return json.dumps({"kind": kind, "branch": branch, "vehicle_id": vehicle_id, "body": _plain(body)},
                      ensure_ascii=False).encode()


def event_message(event: StopEvent, branch: str | None) -> bytes:
    return _envelope(EVENT, branch, event.vehicle_id, dataclasses.asdict(event))


def alert_message(alert: Alert, branch: str | None) -> bytes:
    return _envelope(ALERT, branch, alert.vehicle_id, dataclasses.asdict(alert))


def state_message(vehicle_id: str, branch: str | None) -> bytes:
    """A vehicle's state changed (a new position, ETA): subscribers read the state afresh."""
    return _envelope(STATE, branch, vehicle_id, {})


def parse(payload: bytes) -> dict[str, Any] | None:
    """The envelope of a bus message, or None for a message that is not one of these."""
    try:
        msg = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(msg, dict) or "kind" not in msg:
        return None
    return msg


def _time(raw: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(raw) if raw else None


def event_from(body: dict[str, Any]) -> StopEvent:
    """The stop event of an ``event_message`` body."""
    from server.tracking.model import EventSource, EventType, FailureReason, LocationSource

    b = dict(body)
    b["type"] = EventType(b["type"])
    b["failure_reason"] = FailureReason(b["failure_reason"]) if b.get("failure_reason") else None
    b["location_source"] = LocationSource(b["location_source"])
    b["source"] = EventSource(b["source"])
    b["time"] = _time(b["time"])
    b["created_at"] = _time(b.get("created_at"))
    return StopEvent(**b)


def alert_from(body: dict[str, Any]) -> Alert:
    b = dict(body)
    b["time"] = _time(b["time"])
    return Alert(**b)
