"""The tracking domain's records: devices, positions, stop events and a vehicle's live state.

Times are timezone-aware UTC ``datetime``; distances metres; speeds km/h. Nothing here knows gRPC, SQL
or HTTP: the gRPC edge (``server.entrypoints.grpc``) and the OsmAnd endpoint convert to and from these.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass, field
from typing import Any

#: How long position history is kept (the seed design's TTL).
RETENTION_DAYS = 90
#: Most positions in one ReportPositions batch.
MAX_BATCH = 1000


@dataclass(frozen=True)
class Device:
    """A tracker (a phone running Traccar Client, or a GPS unit) registered to a vehicle."""

    device_id: str  # globally unique tracker id (OsmAnd ``id``)
    organization: str
    vehicle_id: str
    driver_id: str | None = None
    display_name: str = ""
    created_at: datetime.datetime | None = None
    last_seen_at: datetime.datetime | None = None


@dataclass(frozen=True)
class Position:
    """One fix of a tracker, after validation, with the vehicle the device is registered to."""

    organization: str
    device_id: str
    vehicle_id: str
    time: datetime.datetime
    latitude: float
    longitude: float
    speed_kmh: float | None = None
    heading: float | None = None
    altitude: float | None = None
    accuracy: float | None = None
    battery: float | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejection:
    """A position of a batch that was not stored, and why (Japanese first, then English)."""

    index: int
    field: str
    reason: str


@dataclass(frozen=True)
class AppendResult:
    """What storing a batch did: ``accepted`` were new, ``duplicates`` already stored."""

    accepted: int
    duplicates: int
    #: The newly stored positions (duplicates excluded), for live state and detectors.
    stored: tuple[Position, ...] = ()


class EventType(enum.Enum):
    ARRIVED = "ARRIVED"
    DEPARTED = "DEPARTED"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
    LOADING_STARTED = "LOADING_STARTED"
    LOADING_ENDED = "LOADING_ENDED"
    UNLOADING_STARTED = "UNLOADING_STARTED"
    UNLOADING_ENDED = "UNLOADING_ENDED"
    WAITING_STARTED = "WAITING_STARTED"
    WAITING_ENDED = "WAITING_ENDED"
    BREAK_STARTED = "BREAK_STARTED"
    BREAK_ENDED = "BREAK_ENDED"


class FailureReason(enum.Enum):
    NOT_HOME = "NOT_HOME"  # 不在
    REFUSED = "REFUSED"  # 受取拒否
    ADDRESS_UNKNOWN = "ADDRESS_UNKNOWN"  # 住所不明
    DAMAGED = "DAMAGED"  # 破損
    OTHER = "OTHER"  # その他


class LocationSource(enum.Enum):
    DEVICE = "DEVICE"
    LAST_VEHICLE_POSITION = "LAST_VEHICLE_POSITION"
    NONE = "NONE"


class EventSource(enum.Enum):
    DRIVER = "DRIVER"
    GEOFENCE = "GEOFENCE"
    DISPATCHER = "DISPATCHER"


@dataclass(frozen=True)
class StopEvent:
    """What happened at a stop of a plan (or, for breaks and waits, on the vehicle's day)."""

    organization: str
    plan_id: str
    event_id: str
    request_id: str
    type: EventType
    vehicle_id: str
    time: datetime.datetime
    order_id: str | None = None
    driver_id: str | None = None
    failure_reason: FailureReason | None = None
    failure_note: str = ""
    latitude: float | None = None
    longitude: float | None = None
    location_source: LocationSource = LocationSource.NONE
    source: EventSource = EventSource.DRIVER
    receiver_name: str = ""
    photo_uri: str = ""
    signature_uri: str = ""
    requested_by: str = ""
    created_at: datetime.datetime | None = None


@dataclass(frozen=True)
class LiveVehicle:
    """The newest position of a vehicle, as live state keeps it (one per vehicle)."""

    organization: str
    vehicle_id: str
    device_id: str
    time: datetime.datetime
    latitude: float
    longitude: float
    speed_kmh: float | None = None
    heading: float | None = None
    #: Anything the detectors keep per vehicle (e.g. arrival dwell state); JSON-serializable.
    extra: dict[str, Any] = field(default_factory=dict)
