"""What the tracking use cases need from the outside, as Protocols.

PostgreSQL (history, devices, stop events), Redis (live state, fleet pub/sub) and object-store
adapters implement them in ``server.adapters``; in-memory implementations of the same ports serve the
embedded default and the unit tests. A MongoDB adapter of ``PositionHistory`` can come later.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from typing import Protocol, TypeVar

from server.tracking.model import AppendResult, Device, LiveVehicle, Position, StopEvent

R_co = TypeVar("R_co", covariant=True)


class Devices(Protocol):
    """Trackers registered to vehicles. Tracker ids are unique across organizations."""

    def find(self, device_id: str) -> Device | None:
        """The device with this tracker id in any organization (the OsmAnd protocol names no organization)."""

    def find_many(self, device_ids: Sequence[str]) -> dict[str, Device]:
        """The devices of these tracker ids that exist, by id (one round trip for a batch)."""

    def create(self, device: Device) -> Device:
        """Register; ``AlreadyExistsError`` when the id is taken."""

    def get(self, org: str, device_id: str) -> Device | None: ...

    def list(self, org: str, page_size: int, after: str | None) -> tuple[list[Device], str | None]: ...

    def delete(self, org: str, device_id: str) -> bool: ...


class PositionHistory(Protocol):
    """Every position kept for the retention period; the source of truth."""

    def append(self, positions: Sequence[Position]) -> AppendResult:
        """Store durably (committed when this returns), idempotent on (device, time): a position already
        stored is counted as a duplicate and not stored again."""

    def between(
        self, org: str, vehicle_id: str, start: datetime.datetime, end: datetime.datetime
    ) -> list[Position]:
        """The vehicle's positions with ``start <= time < end``, oldest first."""

    def latest(self, since: datetime.datetime) -> list[Position]:
        """The newest position of every vehicle seen since ``since`` (to rebuild live state)."""

    def drop_before(self, day: datetime.date) -> list[datetime.date]:
        """Drop the whole days before ``day``; the days dropped."""

    def days(self) -> list[datetime.date]:
        """The days that hold (or may hold) positions, oldest first."""

    def day_positions(self, day: datetime.date) -> Iterator[Position]:
        """Every position of a day (for the archive), in time order."""


class LiveState(Protocol):
    """The newest state of each vehicle (Redis, or in-process). May be lost: rebuilt from history."""

    def update(self, vehicles: Sequence[LiveVehicle]) -> None:
        """Keep each vehicle's newest (by time); an older one than the kept is ignored."""

    def get(self, org: str, vehicle_id: str) -> LiveVehicle | None: ...

    def all(self, org: str) -> list[LiveVehicle]: ...


class FleetBus(Protocol):
    """Publish/subscribe of fleet updates per organization (Redis pub/sub, or in-process)."""

    def publish(self, org: str, payload: bytes) -> None: ...

    def subscribe(self, org: str) -> Subscription: ...

    def has_subscribers(self, org: str) -> bool:
        """Whether anyone listens to ``org`` now (may lag a second): publishers skip encoding if not."""


class Subscription(Protocol):
    def next(self, timeout: float) -> bytes | None:
        """The next message, or None after ``timeout`` seconds without one."""

    def close(self) -> None: ...


class StopEvents(Protocol):
    """Recorded stop events, idempotent by (organization, request id)."""

    def record(self, event: StopEvent) -> tuple[StopEvent, bool]:
        """Store; a known request id returns the first event and False."""

    def find_request(self, org: str, request_id: str) -> StopEvent | None:
        """The event recorded with this request id, if any."""

    def for_plan(self, org: str, plan_id: str) -> list[StopEvent]:
        """Oldest first."""

    def for_vehicle(
        self, org: str, vehicle_id: str, start: datetime.datetime, end: datetime.datetime
    ) -> list[StopEvent]: ...


class Records(Protocol[R_co]):
    """One kind of the organization's master records by id (orders, vehicles): ``NotFoundError`` outside
    the organization. ``server.adapters.postgres.repository.Repository`` is one."""

    def get(self, org: str, id: str) -> R_co: ...


class ObjectStore(Protocol):
    """Files (proof-of-delivery photos, reports, archived history): a local folder or S3-compatible."""

    def put(self, key: str, data: bytes, content_type: str) -> str:
        """Store under ``key`` (``a/b/c.png``); the object's URI (``file://…`` or ``s3://bucket/key``)."""

    def get(self, key: str) -> bytes:
        """``FileNotFoundError`` when absent."""

    def exists(self, key: str) -> bool: ...
