"""OrganizationService messages ↔ repository records (field checks in ``fleet_checks``).

Nothing here knows gRPC or SQL: input problems become one ``FieldError`` listing every bad field by its path
in the request (``order.time_windows[0]``), so a dispatcher fixes them all in one go. References to other
resources are resource names; turning one into a row id (and checking the row exists) is the caller's
business, passed in as ``resolve``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from google.protobuf import duration_pb2
from google.type import latlng_pb2, timeofday_pb2

from hakobu.fleet.v1 import fleet_pb2 as pb
from server.entrypoints.grpc.aip import (
    OUTPUT_ONLY,
    FilterSpec,
    Resolve,
    filter_date,
    filter_enum,
    filter_licence,
    filter_ref,
    filter_text,
)
from server.entrypoints.grpc.context import resource_name
from server.entrypoints.grpc.fleet_checks import LABELS, Check
from server.entrypoints.grpc.wellknown import date_to_proto, ts
from server.plans.records import Branch, Customer, Driver, Order, Record, Vehicle

# ---------------------------------------------------------------- proto → record fields


def branch_fields(m: pb.Branch, paths: Collection[str], resolve: Resolve, at: str) -> dict[str, Any]:
    """Repository fields of ``m`` for the proto fields in ``paths``; FieldError lists every bad one."""
    c, out = Check(at), dict[str, Any]()
    if "code" in paths:
        out["code"] = c.text(m.code, "code", required=True)
    if "display_name" in paths:
        out["name"] = c.text(m.display_name, "display_name", required=True)
    if "location" in paths:
        out["latitude"], out["longitude"] = c.location(m, "location")
    if "address" in paths:
        out["address"] = c.text(m.address, "address")
    c.done()
    return out


def vehicle_fields(m: pb.Vehicle, paths: Collection[str], resolve: Resolve, at: str) -> dict[str, Any]:
    c, out = Check(at), dict[str, Any]()
    if "branch" in paths:
        out["branch_id"] = c.ref(m.branch, "branches", "branch", resolve, required=True)
    if "registration_number" in paths:
        out["registration_number"] = c.text(m.registration_number, "registration_number", required=True)
    if "vehicle_class" in paths:
        out["vehicle_class"] = c.vehicle_class(m.vehicle_class, "vehicle_class")
    if "payload_kg" in paths:
        out["payload_kg"] = c.amount(m.payload_kg, "payload_kg", "kg")
    if "gross_weight_kg" in paths:
        has = m.HasField("gross_weight_kg")
        out["gross_weight_kg"] = c.amount(m.gross_weight_kg, "gross_weight_kg", "kg") if has else None
    for name in ("length_mm", "width_mm", "height_mm"):
        if name in paths:
            out[name] = c.size(getattr(m, name), name) if m.HasField(name) else None
    if "volume_m3" in paths:
        out["volume_m3"] = c.amount(m.volume_m3, "volume_m3", "m³") if m.HasField("volume_m3") else None
    if "status" in paths and (status := c.status(m.status, pb.Vehicle.Status, "status")) is not None:
        out["status"] = status
    c.done()
    return out


def driver_fields(m: pb.Driver, paths: Collection[str], resolve: Resolve, at: str) -> dict[str, Any]:
    c, out = Check(at), dict[str, Any]()
    if "branch" in paths:
        out["branch_id"] = c.ref(m.branch, "branches", "branch", resolve, required=True)
    if "employee_number" in paths:
        out["employee_number"] = c.text(m.employee_number, "employee_number", required=True)
    if "display_name" in paths:
        out["name"] = c.text(m.display_name, "display_name", required=True)
    if "licence_number" in paths:
        out["licence_number"] = c.text(m.licence_number, "licence_number").strip()
    if "licence_class" in paths:
        out["licence_class"] = c.licence(m.licence_class, "licence_class")
    if "status" in paths and (status := c.status(m.status, pb.Driver.Status, "status")) is not None:
        out["status"] = status
    c.done()
    return out


def customer_fields(m: pb.Customer, paths: Collection[str], resolve: Resolve, at: str) -> dict[str, Any]:
    c, out = Check(at), dict[str, Any]()
    if "code" in paths:
        out["code"] = c.text(m.code, "code", required=True)
    if "display_name" in paths:
        out["name"] = c.text(m.display_name, "display_name", required=True)
    for name in ("phone_number", "email", "address"):
        if name in paths:
            out[name] = c.text(getattr(m, name), name)
    c.done()
    return out


def order_fields(m: pb.Order, paths: Collection[str], resolve: Resolve, at: str) -> dict[str, Any]:
    c, out = Check(at), dict[str, Any]()
    if "branch" in paths:
        out["branch_id"] = c.ref(m.branch, "branches", "branch", resolve, required=True)
    if "customer" in paths:
        out["customer_id"] = c.ref(m.customer, "customers", "customer", resolve, required=False)
    for name in ("place_name", "address", "notes"):
        if name in paths:
            out[name] = c.text(getattr(m, name), name)
    if "location" in paths:
        out["latitude"], out["longitude"] = c.location(m, "location")
    if "delivery_date" in paths:
        out["delivery_date"] = c.date(m, "delivery_date")
    if "time_windows" in paths:
        out["time_windows"] = c.windows(m.time_windows, "time_windows")
    if "weight_kg" in paths:
        out["weight_kg"] = c.amount(m.weight_kg, "weight_kg", "kg")
    if "volume_m3" in paths:
        out["volume_m3"] = c.amount(m.volume_m3, "volume_m3", "m³")
    if "service_duration" in paths:
        out["service_seconds"] = c.duration_seconds(m, "service_duration")
    if "allowed_vehicle_classes" in paths:
        given = m.allowed_vehicle_classes
        classes = [c.vehicle_class(v, f"allowed_vehicle_classes[{i}]") for i, v in enumerate(given)]
        out["allowed_vehicle_classes"] = tuple(dict.fromkeys(classes))
    if "status" in paths and (status := c.status(m.status, pb.Order.Status, "status")) is not None:
        out["status"] = status
    c.done()
    return out


# ---------------------------------------------------------------- record → proto


def _meta(r: Record, collection: str) -> dict[str, Any]:
    return {
        "name": resource_name(r.organization_id, collection, r.id),
        "etag": r.etag,
        "create_time": ts(r.created_at),
        "update_time": ts(r.updated_at),
    }


def _ref(org: str, collection: str, id: str | None) -> str:
    return resource_name(org, collection, id) if id else ""


def _latlng(lat: float, lon: float) -> latlng_pb2.LatLng:
    return latlng_pb2.LatLng(latitude=lat, longitude=lon)


def branch_to_proto(r: Branch) -> pb.Branch:
    return pb.Branch(
        code=r.code,
        display_name=r.name,
        location=_latlng(r.latitude, r.longitude),
        address=r.address,
        **_meta(r, "branches"),
    )


def vehicle_to_proto(r: Vehicle) -> pb.Vehicle:
    optional = {
        k: getattr(r, k)
        for k in ("gross_weight_kg", "length_mm", "width_mm", "height_mm", "volume_m3")
        if getattr(r, k) is not None
    }
    return pb.Vehicle(
        branch=_ref(r.organization_id, "branches", r.branch_id),
        registration_number=r.registration_number,
        vehicle_class=r.vehicle_class,
        payload_kg=r.payload_kg,
        status=pb.Vehicle.Status.Value(r.status),
        **optional,
        **_meta(r, "vehicles"),
    )


def driver_to_proto(r: Driver) -> pb.Driver:
    return pb.Driver(
        branch=_ref(r.organization_id, "branches", r.branch_id),
        employee_number=r.employee_number,
        display_name=r.name,
        licence_number=r.licence_number,
        licence_class=r.licence_class,
        status=pb.Driver.Status.Value(r.status),
        **_meta(r, "drivers"),
    )


def customer_to_proto(r: Customer) -> pb.Customer:
    return pb.Customer(
        code=r.code,
        display_name=r.name,
        phone_number=r.phone_number,
        email=r.email,
        address=r.address,
        **_meta(r, "customers"),
    )


def _time_of_day(t: datetime.time) -> timeofday_pb2.TimeOfDay:
    return timeofday_pb2.TimeOfDay(hours=t.hour, minutes=t.minute, seconds=t.second)


def _window(start: datetime.time, end: datetime.time) -> pb.Order.TimeWindow:
    return pb.Order.TimeWindow(start_time=_time_of_day(start), end_time=_time_of_day(end))


def order_to_proto(r: Order) -> pb.Order:
    d = r.delivery_date
    return pb.Order(
        branch=_ref(r.organization_id, "branches", r.branch_id),
        customer=_ref(r.organization_id, "customers", r.customer_id),
        place_name=r.place_name,
        address=r.address,
        location=_latlng(r.latitude, r.longitude),
        delivery_date=date_to_proto(d),
        time_windows=[_window(s, e) for s, e in r.time_windows],
        weight_kg=r.weight_kg,
        volume_m3=r.volume_m3,
        service_duration=duration_pb2.Duration(seconds=r.service_seconds),
        allowed_vehicle_classes=list(r.allowed_vehicle_classes),
        notes=r.notes,
        status=pb.Order.Status.Value(r.status),
        **_meta(r, "orders"),
    )


# ---------------------------------------------------------------- one description per resource kind

R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class Kind(Generic[R]):
    """How one resource travels between proto and repository."""

    collection: str  # "branches": collection id in names, repository attribute
    field: str  # "branch": the request field holding the resource, prefix of violation paths
    record: type[R]
    mutable: tuple[str, ...]  # proto fields a client writes, in declaration order
    to_proto: Callable[[R], Any]
    fields: Callable[[Any, Collection[str], Resolve, str], dict[str, Any]]
    filters: FilterSpec
    list_response: Callable[..., Any]

    @property
    def label(self) -> tuple[str, str]:
        return LABELS[self.collection]


def _mutable(msg: Any) -> tuple[str, ...]:
    return tuple(f.name for f in msg.DESCRIPTOR.fields if f.name not in OUTPUT_ONLY)


BRANCH = Kind(
    "branches", "branch", Branch, _mutable(pb.Branch), branch_to_proto, branch_fields,
    {"code": ("code", filter_text)},
    pb.ListBranchesResponse,
)  # fmt: skip
VEHICLE = Kind(
    "vehicles", "vehicle", Vehicle, _mutable(pb.Vehicle), vehicle_to_proto, vehicle_fields,
    {
        "branch": ("branch_id", filter_ref("branches")),
        "status": ("status", filter_enum(pb.Vehicle.Status)),
        "vehicle_class": ("vehicle_class", filter_text),
    },
    pb.ListVehiclesResponse,
)  # fmt: skip
DRIVER = Kind(
    "drivers", "driver", Driver, _mutable(pb.Driver), driver_to_proto, driver_fields,
    {
        "branch": ("branch_id", filter_ref("branches")),
        "status": ("status", filter_enum(pb.Driver.Status)),
        "licence_class": ("licence_class", filter_licence),
    },
    pb.ListDriversResponse,
)  # fmt: skip
CUSTOMER = Kind(
    "customers", "customer", Customer, _mutable(pb.Customer), customer_to_proto, customer_fields,
    {"code": ("code", filter_text)},
    pb.ListCustomersResponse,
)  # fmt: skip
ORDER = Kind(
    "orders", "order", Order, _mutable(pb.Order), order_to_proto, order_fields,
    {
        "branch": ("branch_id", filter_ref("branches")),
        "customer": ("customer_id", filter_ref("customers")),
        "delivery_date": ("delivery_date", filter_date),
        "status": ("status", filter_enum(pb.Order.Status)),
    },
    pb.ListOrdersResponse,
)  # fmt: skip
