"""The ingest use case: check a batch, store it durably, then tell live state, the bus and observers.

``Ingest.report`` is what both the gRPC stream and the OsmAnd endpoint call:

1. validate every position (bad ones are rejected one by one, the rest go on);
2. ``PositionHistory.append``: durable and idempotent on (device, time) — when it returns, the batch
   may be acknowledged; when it raises (PostgreSQL down), nothing is acknowledged and the client retries;
3. off the acknowledgement path, on the observers' thread: live state (best effort: Redis down never
   stops ingestion, and live state is rebuilt from history when it is back), the fleet bus (each
   vehicle's newest position of what was stored since the last publish), and every registered
   :class:`~server.tracking.observers.PositionObserver` (every stored position).
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from server.tracking.messages import encode_positions
from server.tracking.model import AppendResult, Device, LiveVehicle, Position, Rejection
from server.tracking.observers import ObserverQueue, PositionObserver
from server.tracking.ports import Devices, FleetBus, LiveState, PositionHistory
from server.tracking.validate import Fix, RawPosition, validate, validate_fixes

log = logging.getLogger("hakobu.tracking")

Clock = Callable[[], datetime.datetime]
#: Seconds a registered device is remembered before asking the store again (a deletion in another
#: process takes effect within this; in this one at once).
DEVICE_TTL = 60.0
#: Seconds an unknown tracker id is remembered as unknown (a new registration elsewhere shows after it).
UNKNOWN_TTL = 5.0
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
    """Tracker id → device (or None) in front of the ``Devices`` store: registered ones for
    ``DEVICE_TTL`` seconds, unknown ids for ``UNKNOWN_TTL``. :meth:`load` fetches a batch's missing
    ids in one round trip before the batch is checked; expired entries are swept out once a second,
    so a lookup is one dict access."""

    def __init__(self, devices: Devices, ttl: float = DEVICE_TTL, size: int = 200_000) -> None:
        self._store = devices
        self._ttl = ttl
        self._size = size
        self._devices: dict[str, Device | None] = {}
        self._expires: dict[str, float] = {}
        self._next_sweep = 0.0
        self._lock = threading.Lock()
        #: The cached device of an id (None: unknown, or not loaded): a plain dict lookup.
        self.get = self._devices.get

    def __call__(self, device_id: str) -> Device | None:
        self.load((device_id,))
        return self._devices.get(device_id)

    def missing(self, device_ids: Iterable[str]) -> bool:
        """Whether :meth:`load` would ask the store (an id not cached, or a sweep due)."""
        cached = self._devices
        return time.monotonic() >= self._next_sweep or any(i and i not in cached for i in device_ids)

    def load(self, device_ids: Iterable[str]) -> None:
        """Make sure every id of ``device_ids`` is known, asking the store once for the rest."""
        now = time.monotonic()
        if now >= self._next_sweep:
            self._sweep(now)
        cached = self._devices
        # An id with a NUL cannot be a tracker's (and PostgreSQL refuses it as text): unknown, not asked.
        missing = {i for i in device_ids if i not in cached and i and "\x00" not in i}
        if not missing:
            return
        found = self._store.find_many(sorted(missing))
        with self._lock:
            if len(cached) + len(missing) > self._size:
                cached.clear()
                self._expires.clear()
            for i in missing:
                device = found.get(i)
                cached[i] = device
                self._expires[i] = now + (self._ttl if device is not None else UNKNOWN_TTL)

    def _sweep(self, now: float) -> None:
        with self._lock:
            self._next_sweep = now + 1.0
            for i in [i for i, t in self._expires.items() if t <= now]:
                del self._expires[i]
                self._devices.pop(i, None)

    def forget(self, device_id: str) -> None:
        with self._lock:
            self._devices.pop(device_id, None)
            self._expires.pop(device_id, None)


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

    def report(
        self,
        raws: Sequence[RawPosition],
        org: str | None = None,
        allow: Callable[[Device], bool] | None = None,
    ) -> IngestResult:
        """Check and store one batch; returns once the stored positions are durable. ``org`` is the
        caller's organization (None for the OsmAnd protocol, where the tracker id is the identity);
        ``allow`` says which of its devices the caller may report for (None: all).
        ``BatchTooLargeError`` for an oversized batch; storage errors pass through (no acknowledgement)."""
        self.device.load([r.device_id for r in raws])
        good, rejected = validate(raws, self.device.get, org, self.clock(), allow)
        return self._store(good, rejected)

    def submit(
        self,
        raws: Sequence[RawPosition],
        org: str | None = None,
        allow: Callable[[Device], bool] | None = None,
    ) -> Future[IngestResult]:
        """:meth:`report` without waiting (for an event loop): the devices must be loaded already
        (``device.missing`` / ``device.load``); the future completes once the batch is durable."""
        good, rejected = validate(raws, self.device.get, org, self.clock(), allow)
        return self._submit(good, rejected)

    def submit_fixes(
        self, fixes: Sequence[Fix], org: str | None = None, allow: Callable[[Device], bool] | None = None,
    ) -> Future[IngestResult]:
        """:meth:`submit` for positions already as plain values (the gRPC stream's fast path): the
        future completes once the batch is durable, while the stream reads on. Loads the batch's
        unknown devices first, which may ask the store (blocking)."""
        self.device.load([f[0] for f in fixes])
        good, rejected = validate_fixes(fixes, self.device.get, org, self.clock(), allow)
        return self._submit(good, rejected)

    def _submit(self, good: list[Position], rejected: list[Rejection]) -> Future[IngestResult]:
        out: Future[IngestResult] = Future()
        submit = getattr(self.history, "submit", None)
        if not good or submit is None:
            try:
                out.set_result(self._store(good, rejected))
            except Exception as exc:
                out.set_exception(exc)
            return out

        def done(stored: Future[AppendResult]) -> None:
            try:
                result = stored.result()
            except BaseException as exc:
                out.set_exception(exc)
                return
            self.observers.submit(result.stored)
            out.set_result(IngestResult(result.accepted, result.duplicates, rejected, result.stored))

        submit(good).add_done_callback(done)
        return out

    def _store(self, good: list[Position], rejected: list[Rejection]) -> IngestResult:
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
        newest = newest_per_vehicle(positions)

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
                if bus.has_subscribers(org):
                    newest = newest_per_vehicle(mine).values()
                    bus.publish(org, encode_positions(org, list(newest)))

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


def newest_per_vehicle(positions: Sequence[Position]) -> dict[tuple[str, str], Position]:
    """(organization, vehicle) → its newest position among ``positions``."""
    newest: dict[tuple[str, str], Position] = {}
    for p in positions:
        key = (p.organization, p.vehicle_id)
        kept = newest.get(key)
        if kept is None or p.time > kept.time:
            newest[key] = p
    return newest


def _live(p: Position) -> LiveVehicle:
    """``LiveVehicle(...)`` of ``p`` without the frozen dataclass's per-field ``__setattr__``."""
    v = object.__new__(LiveVehicle)
    v.__dict__.update(
        organization=p.organization, vehicle_id=p.vehicle_id, device_id=p.device_id, time=p.time,
        latitude=p.latitude, longitude=p.longitude, speed_kmh=p.speed_kmh, heading=p.heading, extra={},
    )
    return v
