"""A published day in memory, with the tracking ports the live half needs (events, objects, live, bus)."""

from __future__ import annotations

import datetime
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path

from server.adapters.memory.stop_events import MemoryStopEvents
from server.adapters.objects.local import LocalObjects
from server.plans.optimize import optimize_day
from server.plans.ports import PlanStores
from server.plans.queries import publish_plan
from server.plans.records import PlanRecord
from server.tracking.events import EventDeps
from server.tracking.model import LiveVehicle
from tests.unit.plans.builders import BRANCH, OPTS, ORG, USER, day, stores


class FakeLive:
    def __init__(self) -> None:
        self.vehicles: dict[tuple[str, str], LiveVehicle] = {}

    def update(self, vehicles: list[LiveVehicle]) -> None:
        for v in vehicles:
            old = self.vehicles.get((v.organization, v.vehicle_id))
            if old is None or old.time <= v.time:
                self.vehicles[(v.organization, v.vehicle_id)] = v

    def get(self, org: str, vehicle_id: str) -> LiveVehicle | None:
        return self.vehicles.get((org, vehicle_id))

    def all(self, org: str) -> list[LiveVehicle]:
        return [v for (o, _), v in sorted(self.vehicles.items()) if o == org]


class _Sub:
    def __init__(self, bus: FakeBus, org: str) -> None:
        self.bus, self.org, self.q = bus, org, queue.Queue[bytes]()

    def next(self, timeout: float) -> bytes | None:
        try:
            return self.q.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        with self.bus.lock:
            self.bus.subs.remove(self)


@dataclass
class FakeBus:
    published: list[tuple[str, bytes]] = field(default_factory=list)
    subs: list[_Sub] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def publish(self, org: str, payload: bytes) -> None:
        with self.lock:
            self.published.append((org, payload))
            for s in self.subs:
                if s.org == org:
                    s.q.put(payload)

    def subscribe(self, org: str) -> _Sub:
        s = _Sub(self, org)
        with self.lock:
            self.subs.append(s)
        return s


def published_day(tmp: Path, orders: int = 6, date: datetime.date | None = None,
                  ) -> tuple[EventDeps, PlanRecord]:
    s: PlanStores = stores(date or day(), orders=orders)
    plan, _ = optimize_day(s, ORG, BRANCH, date or day(), OPTS, USER)
    plan = publish_plan(s, ORG, plan.id, plan.etag, USER)
    deps = EventDeps(plans=s, events=MemoryStopEvents(), objects=LocalObjects(tmp / "objects"),
                     live=FakeLive(), bus=FakeBus())
    return deps, plan


def stops(plan: PlanRecord) -> list[tuple[str, str]]:
    """(vehicle, order) of every delivery stop, in route order."""
    return [(r.vehicle_id, s.order_id) for r in plan.routes for s in r.stops if s.order_id]


class MasterRecords:
    """``Records`` over the in-memory master data (orders or vehicles)."""

    def __init__(self, table: dict) -> None:  # type: ignore[type-arg]
        self.table = table

    def get(self, org: str, id: str):  # type: ignore[no-untyped-def]
        from server.plans.errors import NotFoundError

        found = self.table.get((org, id))
        if found is None:
            raise NotFoundError(f"{id} not found")
        return found


def fleet_deps(deps: EventDeps, now: datetime.datetime | None = None):  # type: ignore[no-untyped-def]
    from server.tracking.fleet import FleetDeps

    master = deps.plans.master
    clock = (lambda: now) if now is not None else None
    out = FleetDeps(plans=deps.plans, live=deps.live, vehicles=MasterRecords(master.vehicles),  # type: ignore
                    orders=MasterRecords(master.orders), events=deps.events)  # type: ignore[attr-defined]
    if clock is not None:
        out.clock = clock
    return out
