"""The ingest use case: check a batch, store it durably, then tell live state, the bus and observers.

``Ingest.report`` is what both the gRPC stream and the OsmAnd endpoint call:

1. validate every position (bad ones are rejected one by one, the rest go on);
2. ``PositionHistory.append``: durable and idempotent on (device, time) — when it returns, the batch
   may be acknowledged; when it raises (PostgreSQL down), nothing is acknowledged and the client retries;
3. off the acknowledgement path, on the observers' thread: live state (best effort: Redis down never
   stops ingestion, and live state is rebuilt from history when it is back), the fleet bus, and every
   registered :class:`~server.tracking.observers.PositionObserver`.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from server.tracking.messages import encode_positions
from server.tracking.model import Device, LiveVehicle, Position, Rejection
from server.tracking.observers import ObserverQueue, PositionObserver
from server.tracking.ports import Devices, FleetBus, LiveState, PositionHistory
from server.tracking.validate import RawPosition, validate

log = logging.getLogger("hakobu.tracking")

Clock = Callable[[], datetime.datetime]
#: Seconds a looked-up device (or an unknown id) is remembered before asking the store again.
DEVICE_TTL = 5.0
#: After live state or the bus failed, how long to leave it alone before trying again.
RETRY_AFTER = 1.0
#: Live state is rebuilt from the positions of this last stretch of time.
REBUILD_WINDOW = datetime.timedelta(days=1)


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True)
class IngestResult:
    accepted: int
    duplicates: int
    rejected: list[Rejection]
    #: The newly stored positions.
    stored: tuple[Position, ...] = ()


class DeviceCache:
    """Tracker id → device (or None) for ``DEVICE_TTL`` seconds, in front of the ``Devices`` store."""

    def __init__(self, devices: Devices, ttl: float = DEVICE_TTL, size: int = 200_000) -> None:
        self._devices = devices
        self._ttl = ttl
        self._size = size
        self._known: dict[str, tuple[Device | None, float]] = {}
        self._lock = threading.Lock()

    def __call__(self, device_id: str) -> Device | None:
        now = time.monotonic()
        hit = self._known.get(device_id)
        if hit is not None and hit[1] > now:
            return hit[0]
        found = self._devices.find(device_id)
        with self._lock:
            if len(self._known) >= self._size:
                self._known.clear()
            self._known[device_id] = (found, now + self._ttl)
        return found

    def forget(self, device_id: str) -> None:
        with self._lock:
            self._known.pop(device_id, None)


class Ingest:
    """Positions in: validated, stored, then shown live and observed."""

    def __init__(
        self,
        devices: Devices,
        history: PositionHistory,
        live: LiveState | None = None,
        bus: FleetBus | None = None,
        observers: ObserverQueue | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.devices = devices
        self.history = history
        self.live = live
        self.bus = bus
        self.clock = clock
        self.device = DeviceCache(devices)
        self.observers = observers if observers is not None else ObserverQueue()
        self._live = _BestEffort("live state")
        self._bus = _BestEffort("fleet bus")
        if live is not None:
            self.observers.add_step(self._update_live)
        if bus is not None:
            self.observers.add_step(self._publish)

    def register(self, observer: PositionObserver) -> None:
        self.observers.register(observer)

    def report(self, raws: Sequence[RawPosition], org: str | None = None) -> IngestResult:
        """Check and store one batch; returns once the stored positions are durable. ``org`` is the
        caller's organization (None for the OsmAnd protocol, where the tracker id is the identity).
        ``BatchTooLargeError`` for an oversized batch; storage errors pass through (no acknowledgement)."""
        good, _, rejected = validate(raws, self.device, org, self.clock())
        if not good:
            return IngestResult(0, 0, rejected)
        result = self.history.append(good)
        self.observers.submit(result.stored)
        return IngestResult(result.accepted, result.duplicates, rejected, result.stored)

    def rebuild_live(self, since: datetime.datetime | None = None) -> int:
        """Put every vehicle's newest position since ``since`` (default: a day ago) into live state;
        how many vehicles. Called at start and when live state comes back after a failure."""
        if self.live is None:
            return 0
        positions = self.history.latest(since or self.clock() - REBUILD_WINDOW)
        self.live.update([_live(p) for p in positions])
        log.info("live state rebuilt from history", extra={"vehicles": len(positions)})
        return len(positions)

    def start_live(self) -> None:
        """Rebuild live state from history now; when that fails (Redis down), it is rebuilt before the
        first update that works."""
        try:
            self.rebuild_live()
        except Exception as exc:
            self._live.broken = True
            log.warning("live state not rebuilt at start", extra={"error": repr(exc)})

    def close(self, timeout: float = 5.0) -> None:
        self.observers.close(timeout)

    # ------------------------------------------------------------ the steps after the ack
    def _update_live(self, positions: Sequence[Position]) -> None:
        assert self.live is not None
        live = self.live
        newest: dict[tuple[str, str], Position] = {}
        for p in positions:
            key = (p.organization, p.vehicle_id)
            kept = newest.get(key)
            if kept is None or p.time > kept.time:
                newest[key] = p

        def update() -> None:
            if self._live.broken:
                self.rebuild_live()  # it lost what it had while it was down (or was restarted)
            live.update([_live(p) for p in newest.values()])

        self._live.run(update)

    def _publish(self, positions: Sequence[Position]) -> None:
        assert self.bus is not None
        bus = self.bus
        by_org: dict[str, list[Position]] = {}
        for p in positions:
            by_org.setdefault(p.organization, []).append(p)

        def publish() -> None:
            for org, mine in by_org.items():
                bus.publish(org, encode_positions(org, mine))

        self._bus.run(publish)


class _BestEffort:
    """Runs a step that may fail (Redis down): logs the first failure, skips tries for ``RETRY_AFTER``
    seconds, and says (``broken``) whether the last try failed."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.broken = False
        self._next_try = 0.0

    def run(self, step: Callable[[], None]) -> None:
        now = time.monotonic()
        if self.broken and now < self._next_try:
            return
        try:
            step()
        except Exception as exc:
            if not self.broken:
                log.warning("tracking step failed; ingestion goes on", extra={"step": self.what,
                                                                               "error": repr(exc)})
            self.broken = True
            self._next_try = now + RETRY_AFTER
            return
        if self.broken:
            log.info("tracking step works again", extra={"step": self.what})
        self.broken = False


def _live(p: Position) -> LiveVehicle:
    return LiveVehicle(
        organization=p.organization, vehicle_id=p.vehicle_id, device_id=p.device_id, time=p.time,
        latitude=p.latitude, longitude=p.longitude, speed_kmh=p.speed_kmh, heading=p.heading,
    )
