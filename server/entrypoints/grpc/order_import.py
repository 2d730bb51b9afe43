"""ImportOrders' edge: the rows read by ``server.plans.order_csv`` become checked Order records.

Every problem of every row is collected first (as field violations ``csv.rows[N].<column>``); the caller
stores the records only when there is none, in one transaction, so a file is imported whole or not at all.
"""

from __future__ import annotations

from typing import Any

from google.type import date_pb2, latlng_pb2, timeofday_pb2

from hakobu.fleet.v1 import fleet_pb2 as pb
from server.entrypoints.grpc import aip
from server.entrypoints.grpc import fleet_convert as rc
from server.entrypoints.grpc.errors import FieldError
from server.plans.order_csv import CsvFileError, Row, read_orders
from server.plans.records import Order

#: The Order fields an imported row sets (the others keep their defaults).
_PATHS = ("branch", "customer", "place_name", "address", "notes", "location", "delivery_date", "time_windows",
          "weight_kg", "volume_m3", "service_duration", "allowed_vehicle_classes")


def _order(row: Row, branch: str, parent: str) -> pb.Order:
    v: dict[str, Any] = row.values
    m = pb.Order(
        branch=branch, place_name=v.get("place_name", ""), address=v.get("address", ""),
        notes=v.get("notes", ""),
        location=latlng_pb2.LatLng(latitude=v["latitude"], longitude=v["longitude"]),
        weight_kg=v.get("weight_kg", 0.0), volume_m3=v.get("volume_m3", 0.0),
        allowed_vehicle_classes=v.get("allowed_vehicle_classes", ()),
    )
    day = v["delivery_date"]
    m.delivery_date.CopyFrom(date_pb2.Date(year=day.year, month=day.month, day=day.day))
    if "customer" in v:
        m.customer = f"{parent}/customers/{v['customer']}"
    for (sh, sm), (eh, em) in v.get("time_windows", ()):
        m.time_windows.add(start_time=timeofday_pb2.TimeOfDay(hours=sh, minutes=sm),
                           end_time=timeofday_pb2.TimeOfDay(hours=eh, minutes=em))
    if "service_minutes" in v:
        m.service_duration.seconds = round(v["service_minutes"] * 60)
    return m


def orders_from_csv(data: bytes, branch: str, parent: str, resolve: aip.Resolve) -> tuple[list[Order], str]:
    """The file's orders as records to create, and its encoding; FieldError listing every bad cell."""
    try:
        rows, encoding = read_orders(data)
    except CsvFileError as exc:
        raise FieldError([("csv", str(exc))]) from None
    violations: list[tuple[str, str]] = []
    records: list[Order] = []
    lines: dict[str, int] = {}
    for row in rows:
        at = f"csv.rows[{row.line}]"
        violations += [(f"{at}.{column}", text) for column, text in row.errors]
        order_id = row.values.get("id", "")
        if order_id:
            try:
                aip.check_create_ids(order_id, "", f"{at}.id")
            except FieldError as exc:
                violations += exc.violations
            if order_id in lines:
                first = lines[order_id]
                violations.append(
                    (f"{at}.id", f"{first}行目と同じ受注番号です / the same order id as row {first}: "
                                 f"{order_id}")
                )
            lines.setdefault(order_id, row.line)
        if row.errors:
            continue
        try:
            fields = rc.order_fields(_order(row, branch, parent), _PATHS, resolve, at)
        except FieldError as exc:
            violations += exc.violations
            continue
        records.append(Order(id=order_id, **fields))
    if violations:
        raise FieldError(violations)
    return records, encoding
