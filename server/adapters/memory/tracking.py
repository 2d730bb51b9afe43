"""In-process implementations of the tracking ports: the embedded default and the unit tests' fakes."""

from __future__ import annotations

import datetime
import queue
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future

from server.plans.errors import AlreadyExistsError
from server.tracking.model import AppendResult, Device, LiveVehicle, Position


class MemoryDevices:
    def __init__(self, devices: Sequence[Device] = ()) -> None:
        self._by_id: dict[str, Device] = {d.device_id: d for d in devices}
        self._lock = threading.Lock()

    def find(self, device_id: str) -> Device | None:
        return self._by_id.get(device_id)

    def find_many(self, device_ids: Sequence[str]) -> dict[str, Device]:
        return {i: self._by_id[i] for i in device_ids if i in self._by_id}

    def create(self, device: Device) -> Device:
        with self._lock:
            if device.device_id in self._by_id:
                raise AlreadyExistsError(f"device {device.device_id} is already registered")
            if device.created_at is None:
                device = _replace_created(device)
            self._by_id[device.device_id] = device
        return device

    def get(self, org: str, device_id: str) -> Device | None:
        found = self._by_id.get(device_id)
        return found if found is not None and found.organization == org else None

    def list(self, org: str, page_size: int, after: str | None) -> tuple[list[Device], str | None]:
        mine = sorted((d for d in self._by_id.values() if d.organization == org), key=lambda d: d.device_id)
        if after is not None:
            mine = [d for d in mine if d.device_id > after]
        page = mine[:page_size]
        return page, (page[-1].device_id if len(mine) > page_size else None)

    def delete(self, org: str, device_id: str) -> bool:
        with self._lock:
            if self.get(org, device_id) is None:
                return False
            del self._by_id[device_id]
            return True


def _replace_created(device: Device) -> Device:
    from dataclasses import replace

    return replace(device, created_at=datetime.datetime.now(datetime.UTC))


class MemoryPositionHistory:
    def __init__(self) -> None:
        self._rows: dict[tuple[str, datetime.datetime], Position] = {}
        self._lock = threading.Lock()
        #: Set to an exception to make ``append`` fail (PostgreSQL down, in tests).
        self.fail: Exception | None = None

    def append(self, positions: Sequence[Position]) -> AppendResult:
        if self.fail is not None:
            raise self.fail
        stored: list[Position] = []
        with self._lock:
            for p in positions:
                key = (p.device_id, p.time)
                if key not in self._rows:
                    self._rows[key] = p
                    stored.append(p)
        return AppendResult(len(stored), len(positions) - len(stored), tuple(stored))

    def submit(self, positions: Sequence[Position]) -> Future[AppendResult]:
        """``append`` as a completed future (the in-process history has no queue)."""
        future: Future[AppendResult] = Future()
        try:
            future.set_result(self.append(positions))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def between(
        self, org: str, vehicle_id: str, start: datetime.datetime, end: datetime.datetime
    ) -> list[Position]:
        rows = [p for p in self._rows.values()
                if p.organization == org and p.vehicle_id == vehicle_id and start <= p.time < end]
        return sorted(rows, key=lambda p: p.time)

    def latest(self, since: datetime.datetime) -> list[Position]:
        newest: dict[tuple[str, str], Position] = {}
        for p in self._rows.values():
            if p.time < since:
                continue
            key = (p.organization, p.vehicle_id)
            if key not in newest or p.time > newest[key].time:
                newest[key] = p
        return list(newest.values())

    def drop_before(self, day: datetime.date) -> list[datetime.date]:
        with self._lock:
            gone = sorted({k[1].date() for k in self._rows if k[1].date() < day})
            self._rows = {k: v for k, v in self._rows.items() if k[1].date() >= day}
        return gone

    def days(self) -> list[datetime.date]:
        return sorted({k[1].date() for k in self._rows})

    def day_positions(self, day: datetime.date) -> Iterator[Position]:
        yield from sorted((p for p in self._rows.values() if p.time.date() == day), key=lambda p: p.time)


class MemoryLiveState:
    def __init__(self) -> None:
        self._vehicles: dict[tuple[str, str], LiveVehicle] = {}
        self._lock = threading.Lock()
        #: Set to an exception to make every call fail (Redis down, in tests).
        self.fail: Exception | None = None

    def update(self, vehicles: Sequence[LiveVehicle]) -> None:
        if self.fail is not None:
            raise self.fail
        with self._lock:
            for v in vehicles:
                key = (v.organization, v.vehicle_id)
                kept = self._vehicles.get(key)
                if kept is None or v.time >= kept.time:
                    self._vehicles[key] = v

    def get(self, org: str, vehicle_id: str) -> LiveVehicle | None:
        if self.fail is not None:
            raise self.fail
        return self._vehicles.get((org, vehicle_id))

    def all(self, org: str) -> list[LiveVehicle]:
        if self.fail is not None:
            raise self.fail
        return sorted((v for (o, _), v in self._vehicles.items() if o == org), key=lambda v: v.vehicle_id)

    def clear(self) -> None:
        """Forget everything (Redis restarted without persistence, in tests)."""
        with self._lock:
            self._vehicles.clear()


class MemorySubscription:
    def __init__(self, bus: MemoryFleetBus, org: str) -> None:
        self._bus = bus
        self._org = org
        self.queue: queue.Queue[bytes] = queue.Queue(maxsize=10_000)

    def next(self, timeout: float) -> bytes | None:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self._bus._remove(self._org, self)


class MemoryFleetBus:
    def __init__(self) -> None:
        self._subs: dict[str, list[MemorySubscription]] = {}
        self._lock = threading.Lock()

    def publish(self, org: str, payload: bytes) -> None:
        with self._lock:
            subs = list(self._subs.get(org, ()))
        for sub in subs:
            try:
                sub.queue.put_nowait(payload)
            except queue.Full:  # a subscriber that does not read loses messages, not the publisher
                pass

    def has_subscribers(self, org: str) -> bool:
        return bool(self._subs.get(org))

    def subscribe(self, org: str) -> MemorySubscription:
        sub = MemorySubscription(self, org)
        with self._lock:
            self._subs.setdefault(org, []).append(sub)
        return sub

    def _remove(self, org: str, sub: MemorySubscription) -> None:
        with self._lock:
            if sub in self._subs.get(org, []):
                self._subs[org].remove(sub)
