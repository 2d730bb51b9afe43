"""The records the plans domain works on: master data (branches, vehicles, drivers, customers, orders)
and stored plans (routes, stops, revisions). Plain frozen dataclasses; no storage here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Record:
    """Fields every row has; on create an empty ``id`` gets a new one and the others are ignored."""

    id: str = ""
    organization_id: str = ""
    version: int = 0
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None

    @property
    def etag(self) -> str:
        return str(self.version)


@dataclass(frozen=True, kw_only=True)
class Branch(Record):
    code: str
    name: str
    latitude: float
    longitude: float
    address: str = ""


@dataclass(frozen=True, kw_only=True)
class Vehicle(Record):
    branch_id: str
    registration_number: str
    vehicle_class: str
    payload_kg: float
    gross_weight_kg: float | None = None
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None
    volume_m3: float | None = None
    status: str = "AVAILABLE"


@dataclass(frozen=True, kw_only=True)
class Driver(Record):
    branch_id: str
    employee_number: str
    name: str
    licence_number: str = ""
    licence_class: str = ""
    status: str = "AVAILABLE"


@dataclass(frozen=True, kw_only=True)
class Customer(Record):
    code: str
    name: str
    phone_number: str = ""
    email: str = ""
    address: str = ""


TimeWindows = tuple[tuple[datetime.time, datetime.time], ...]


@dataclass(frozen=True, kw_only=True)
class Order(Record):
    branch_id: str
    latitude: float
    longitude: float
    delivery_date: datetime.date
    customer_id: str | None = None
    place_name: str = ""
    address: str = ""
    time_windows: TimeWindows = ()
    weight_kg: float = 0.0
    volume_m3: float = 0.0
    service_seconds: int = 300
    allowed_vehicle_classes: tuple[str, ...] = ()
    notes: str = ""
    status: str = "PENDING"



# ---------------------------------------------------------------- plans


@dataclass(frozen=True)
class StopRecord:
    sequence: int
    kind: str  # DEPOT, DELIVERY, PICKUP, RELOAD, BREAK
    order_id: str | None
    arrival_time: datetime.datetime | None
    service_start_time: datetime.datetime | None
    departure_time: datetime.datetime | None
    load: tuple[int, ...]  # on board after the stop, per dimension (kg, litres)
    status: str = "PLANNED"
    id: str = ""
    #: Re-planning keeps a locked stop on its route.
    locked: bool = False


@dataclass(frozen=True)
class RouteRecord:
    id: str
    vehicle_id: str
    driver_id: str | None
    start_time: datetime.datetime | None
    end_time: datetime.datetime | None
    distance_m: int
    cost: float
    stops: tuple[StopRecord, ...]


@dataclass(frozen=True)
class UnassignedOrder:
    order_id: str
    reason: str
    message: str
    message_ja: str


@dataclass(frozen=True)
class PlanRecord:
    id: str
    organization_id: str
    branch_id: str
    plan_date: datetime.date
    status: str
    revision: int
    version: int
    created_by: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    routes: tuple[RouteRecord, ...]
    unassigned: tuple[UnassignedOrder, ...]
    published_at: datetime.datetime | None = None
    published_by: str | None = None
    #: The checker's findings on this revision (accepted by whoever saved it); empty when clean.
    violations: tuple[dict[str, Any], ...] = ()
    #: "haversine" or "road": how travel was computed for this revision.
    travel: str = "haversine"
    snapshot: dict[str, Any] | None = None

    @property
    def etag(self) -> str:
        return str(self.version)

    def stop_of(self, order_id: str) -> tuple[RouteRecord, StopRecord] | None:
        for r in self.routes:
            for s in r.stops:
                if s.order_id == order_id:
                    return r, s
        return None


@dataclass(frozen=True)
class PlanVersion:
    revision: int
    changed_by: str | None
    change: str
    created_at: datetime.datetime
    snapshot: dict[str, Any]
