"""OrganizationService messages ↔ repository records, with field-level validation.

Nothing here knows gRPC or SQL: input problems become one ``FieldError`` listing every bad field by its path
in the request (``order.time_windows[0]``), so a dispatcher fixes them all in one go. References to other
resources are resource names; turning one into a row id (and checking the row exists) is the caller's
business, passed in as ``resolve``.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from google.protobuf import duration_pb2, message
from google.type import date_pb2, latlng_pb2, timeofday_pb2

from geo.profiles import DEFAULT_PROFILES
from hakobu.v1 import resources_pb2 as pb
from optimizer.licences import parse_licence
from server.api.context import resource_name
from server.api.errors import FieldError
from server.api.wellknown import date_to_proto, ts
from server.plans.records import Branch, Customer, Driver, Order, Record, Vehicle

#: Japan's bounding box in WGS84 degrees (Okinotorishima … Etorofu, Yonaguni … Minamitorishima, rounded out).
JAPAN_LATITUDE = (20.0, 46.0)
JAPAN_LONGITUDE = (122.0, 154.0)
#: The vehicle classes (車格) the road profiles know.
VEHICLE_CLASSES: tuple[str, ...] = tuple(DEFAULT_PROFILES)
DEFAULT_SERVICE_SECONDS = 300
MAX_SERVICE_SECONDS = 24 * 3600
#: A client-chosen id: the last segment of a resource name (same alphabet as server/api/context.py reads).
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")
MAX_REQUEST_ID = 128
#: Fields every resource has that a client never writes; an update mask naming them is not an error.
OUTPUT_ONLY = frozenset({"name", "etag", "create_time", "update_time"})
#: What each collection is called in messages for people (Japanese, English).
LABELS: dict[str, tuple[str, str]] = {
    "branches": ("拠点", "branch"),
    "vehicles": ("車両", "vehicle"),
    "drivers": ("ドライバー", "driver"),
    "customers": ("顧客", "customer"),
    "orders": ("配送依頼", "order"),
}

#: ``resolve(resource name, collection, field path) -> row id``; raises FieldError (or aborts) when it can't.
Resolve = Callable[[str, str, str], str]


# ---------------------------------------------------------------- validation helpers


class _Check:
    """Collects violations for one message at ``prefix`` while converting its fields."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.violations: list[tuple[str, str]] = []

    def path(self, field: str) -> str:
        return f"{self.prefix}.{field}" if self.prefix else field

    def bad(self, field: str, text: str) -> None:
        self.violations.append((self.path(field), text))

    def done(self) -> None:
        if self.violations:
            raise FieldError(self.violations)

    def text(self, value: str, field: str, required: bool = False) -> str:
        if required and not value.strip():
            self.bad(field, f"必須項目です / {field} is required")
        return value.strip() if required else value

    def ref(self, value: str, collection: str, field: str, resolve: Resolve, required: bool) -> str | None:
        if not value:
            if required:
                ja, en = LABELS[collection]
                self.bad(field, f"{ja}を指定してください / {field} is required (a {en} name)")
            return None
        try:
            return resolve(value, collection, self.path(field))
        except FieldError as exc:
            self.violations.extend(exc.violations)
            return None

    def amount(self, value: float, field: str, unit: str) -> float:
        if not math.isfinite(value) or value < 0:
            self.bad(field, f"0以上の数値を指定してください / {field} must be >= 0 {unit}, got {value}")
        return value

    def size(self, value: int, field: str) -> int:
        if value <= 0:
            self.bad(field, f"正の値を指定してください / {field} must be > 0 mm, got {value}")
        return value

    def location(self, m: message.Message, field: str) -> tuple[float, float]:
        if not m.HasField(field):
            self.bad(field, f"位置を指定してください / {field} is required (latitude and longitude)")
            return (0.0, 0.0)
        ll: latlng_pb2.LatLng = getattr(m, field)
        lat, lon = ll.latitude, ll.longitude
        (lat_lo, lat_hi), (lon_lo, lon_hi) = JAPAN_LATITUDE, JAPAN_LONGITUDE
        if not (lat_lo <= lat <= lat_hi and lon_lo <= lon <= lon_hi):
            self.bad(
                field,
                f"日本国内の位置ではありません / ({lat}, {lon}) is outside Japan "
                f"(latitude {lat_lo:g}..{lat_hi:g}, longitude {lon_lo:g}..{lon_hi:g})",
            )
        return (lat, lon)

    def vehicle_class(self, value: str, field: str) -> str:
        if value not in VEHICLE_CLASSES:
            known = ", ".join(VEHICLE_CLASSES)
            self.bad(field, f"不明な車格です / unknown vehicle class {value!r}; expected one of {known}")
        return value

    def licence(self, value: str, field: str) -> str:
        if not value.strip():
            return ""
        try:
            return parse_licence(value).value
        except ValueError as exc:
            self.bad(field, f"不明な免許区分です / {exc}")
            return value

    def status(self, value: int, enum: Any, field: str) -> str | None:
        """The schema's status text, or None for UNSPECIFIED (the default on create, unchanged on update)."""
        if value == 0:
            return None
        try:
            return str(enum.Name(value))
        except ValueError:
            self.bad(field, f"不明な状態です / unknown {field} value {value}")
            return None

    def date(self, m: message.Message, field: str) -> datetime.date | None:
        if not m.HasField(field):
            self.bad(field, f"日付を指定してください / {field} is required")
            return None
        d: date_pb2.Date = getattr(m, field)
        try:
            return datetime.date(d.year, d.month, d.day)
        except ValueError:
            self.bad(field, f"正しい日付ではありません / {d.year}-{d.month}-{d.day} is not a full date")
            return None

    def time_of_day(self, m: message.Message, field: str, at: str) -> datetime.time | None:
        where = f"{at}.{field}"
        if not m.HasField(field):
            self.bad(where, f"時刻を指定してください / {field} is required")
            return None
        t: timeofday_pb2.TimeOfDay = getattr(m, field)
        if not (0 <= t.hours <= 23 and 0 <= t.minutes <= 59) or t.seconds or t.nanos:
            self.bad(
                where,
                f"時刻は00:00〜23:59の分単位で指定してください / {field} must be 00:00..23:59 "
                "in whole minutes, "
                f"got {t.hours:02d}:{t.minutes:02d}:{t.seconds:02d}.{t.nanos:09d}",
            )
            return None
        return datetime.time(t.hours, t.minutes)

    def windows(self, windows: Sequence[pb.Order.TimeWindow], field: str) -> tuple[tuple[Any, Any], ...]:
        out = []
        for i, w in enumerate(windows):
            at = f"{field}[{i}]"
            start, end = self.time_of_day(w, "start_time", at), self.time_of_day(w, "end_time", at)
            if start is None or end is None:
                continue
            if end <= start:
                self.bad(
                    at,
                    f"終了時刻が開始時刻より前です / time window ends at {end:%H:%M}, "
                    f"not after its start {start:%H:%M}",
                )
            out.append((start, end))
        return tuple(out)

    def duration_seconds(self, m: message.Message, field: str) -> int:
        if not m.HasField(field):
            return DEFAULT_SERVICE_SECONDS
        d: duration_pb2.Duration = getattr(m, field)
        seconds = round(d.seconds + d.nanos / 1e9)
        if d.seconds < 0 or d.nanos < 0 or seconds > MAX_SERVICE_SECONDS:
            self.bad(
                field,
                f"作業時間は0秒以上24時間以内で指定してください / {field} must be 0..24h, "
                f"got {d.seconds + d.nanos / 1e9} s",
            )
        return seconds


# ---------------------------------------------------------------- proto → record fields


def branch_fields(m: pb.Branch, paths: Collection[str], resolve: Resolve, at: str) -> dict[str, Any]:
    """Repository fields of ``m`` for the proto fields in ``paths``; FieldError lists every bad one."""
    c, out = _Check(at), dict[str, Any]()
    if "code" in paths:
        out["code"] = c.text(m.code, "code", required=True)
    if "display_name" in paths:
        out["name"] = c.text(m.display_name, "display_name", required=True)
    if "location" in paths:
        out["latitude"], out["longitude"] = c.location(m, "location")
    if "address" in paths:
        out["address"] = m.address
    c.done()
    return out


def vehicle_fields(m: pb.FleetVehicle, paths: Collection[str], resolve: Resolve, at: str) -> dict[str, Any]:
    c, out = _Check(at), dict[str, Any]()
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
    if "status" in paths and (status := c.status(m.status, pb.FleetVehicle.Status, "status")) is not None:
        out["status"] = status
    c.done()
    return out


def driver_fields(m: pb.FleetDriver, paths: Collection[str], resolve: Resolve, at: str) -> dict[str, Any]:
    c, out = _Check(at), dict[str, Any]()
    if "branch" in paths:
        out["branch_id"] = c.ref(m.branch, "branches", "branch", resolve, required=True)
    if "employee_number" in paths:
        out["employee_number"] = c.text(m.employee_number, "employee_number", required=True)
    if "display_name" in paths:
        out["name"] = c.text(m.display_name, "display_name", required=True)
    if "licence_number" in paths:
        out["licence_number"] = m.licence_number.strip()
    if "licence_class" in paths:
        out["licence_class"] = c.licence(m.licence_class, "licence_class")
    if "status" in paths and (status := c.status(m.status, pb.FleetDriver.Status, "status")) is not None:
        out["status"] = status
    c.done()
    return out


def customer_fields(m: pb.Customer, paths: Collection[str], resolve: Resolve, at: str) -> dict[str, Any]:
    c, out = _Check(at), dict[str, Any]()
    if "code" in paths:
        out["code"] = c.text(m.code, "code", required=True)
    if "display_name" in paths:
        out["name"] = c.text(m.display_name, "display_name", required=True)
    for name in ("phone_number", "email", "address"):
        if name in paths:
            out[name] = getattr(m, name)
    c.done()
    return out


def order_fields(m: pb.Order, paths: Collection[str], resolve: Resolve, at: str) -> dict[str, Any]:
    c, out = _Check(at), dict[str, Any]()
    if "branch" in paths:
        out["branch_id"] = c.ref(m.branch, "branches", "branch", resolve, required=True)
    if "customer" in paths:
        out["customer_id"] = c.ref(m.customer, "customers", "customer", resolve, required=False)
    for name in ("place_name", "address", "notes"):
        if name in paths:
            out[name] = getattr(m, name)
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


def vehicle_to_proto(r: Vehicle) -> pb.FleetVehicle:
    optional = {
        k: getattr(r, k)
        for k in ("gross_weight_kg", "length_mm", "width_mm", "height_mm", "volume_m3")
        if getattr(r, k) is not None
    }
    return pb.FleetVehicle(
        branch=_ref(r.organization_id, "branches", r.branch_id),
        registration_number=r.registration_number,
        vehicle_class=r.vehicle_class,
        payload_kg=r.payload_kg,
        status=pb.FleetVehicle.Status.Value(r.status),
        **optional,
        **_meta(r, "vehicles"),
    )


def driver_to_proto(r: Driver) -> pb.FleetDriver:
    return pb.FleetDriver(
        branch=_ref(r.organization_id, "branches", r.branch_id),
        employee_number=r.employee_number,
        display_name=r.name,
        licence_number=r.licence_number,
        licence_class=r.licence_class,
        status=pb.FleetDriver.Status.Value(r.status),
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


# ---------------------------------------------------------------- update masks, ids, etags


def update_paths(paths: Sequence[str], mutable: Sequence[str]) -> tuple[str, ...]:
    """The mutable fields an update mask names: empty or ``*`` = all; output-only fields are ignored."""
    if not paths or "*" in paths:
        return tuple(mutable)
    bad = [p for p in paths if p not in mutable and p not in OUTPUT_ONLY]
    if bad:
        raise FieldError(
            [
                (
                    "update_mask",
                    f"更新できない項目です / unknown or immutable field {p!r}; "
                    f"allowed: {', '.join(mutable)}",
                )
                for p in bad
            ]
        )
    return tuple(p for p in mutable if p in paths)


def check_create_ids(resource_id: str, request_id: str, id_field: str) -> None:
    """AIP-122 client-chosen id and AIP-155 request id: both optional, both bounded."""
    bad = []
    if resource_id and not ID_PATTERN.fullmatch(resource_id):
        bad.append(
            (
                id_field,
                f"IDに使えない文字が含まれています / {id_field} must be 1..128 of A-Za-z0-9._~- "
                f"starting with a letter or digit, got {resource_id!r}",
            )
        )
    if len(request_id) > MAX_REQUEST_ID:
        bad.append(("request_id", f"長すぎます / request_id is longer than {MAX_REQUEST_ID} characters"))
    if bad:
        raise FieldError(bad)


_ETAG = re.compile(r'(W/)?"?\d{1,9}"?')


def etag_or_none(etag: str, field: str) -> str | None:
    """``None`` for an unconditional write; FieldError for an etag this service never hands out."""
    if not etag:
        return None
    if not _ETAG.fullmatch(etag.strip()):
        raise FieldError([(field, f"不正なetagです / {etag!r} is not an etag returned by this service")])
    return etag


# ---------------------------------------------------------------- filters (AIP-160 subset)

_CLAUSE = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"=()]+)\s*')
_AND = re.compile(r"AND\s+")


def _filter_error(text: str) -> FieldError:
    return FieldError([("filter", text)])


def _unquote(value: str) -> str:
    if value.startswith('"'):
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _filter_text(value: str, resolve: Resolve) -> str:
    return value


def _filter_date(value: str, resolve: Resolve) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise _filter_error(f"日付はYYYY-MM-DDで指定してください / bad date {value!r}") from None


def _filter_licence(value: str, resolve: Resolve) -> str:
    try:
        return parse_licence(value).value
    except ValueError as exc:
        raise _filter_error(f"不明な免許区分です / {exc}") from None


def _filter_ref(collection: str) -> Callable[[str, Resolve], str]:
    def convert(value: str, resolve: Resolve) -> str:
        return resolve(value, collection, "filter")

    return convert


def _filter_enum(enum: Any) -> Callable[[str, Resolve], str]:
    names = [n for n in enum.keys() if not n.endswith("_UNSPECIFIED")]

    def convert(value: str, resolve: Resolve) -> str:
        if value not in names:
            known = ", ".join(names)
            raise _filter_error(f"不明な状態です / unknown status {value!r}; expected one of {known}")
        return value

    return convert


#: filter field → (repository field, value converter)
FilterSpec = Mapping[str, tuple[str, Callable[[str, Resolve], Any]]]


def parse_filter(text: str, spec: FilterSpec, resolve: Resolve) -> dict[str, Any]:
    """``field = value [AND field = value …]`` → ``{repository field: value}``; FieldError on ``filter``."""
    out: dict[str, Any] = {}
    pos, text = 0, text.strip()
    while pos < len(text):
        m = _CLAUSE.match(text, pos)
        if m is None:
            raise _filter_error(
                f"フィルタを読めません / cannot read the filter at character {pos + 1}: expected "
                f'`field = value` clauses joined by AND, e.g. `status = AVAILABLE AND code = "X"`'
            )
        field, value = m.group(1), _unquote(m.group(2))
        if field not in spec:
            raise _filter_error(
                f"この項目では絞り込めません / cannot filter by {field!r}; allowed: {', '.join(spec)}"
            )
        column, convert = spec[field]
        if column in out:
            raise _filter_error(f"項目が重複しています / {field!r} appears twice in the filter")
        out[column] = convert(value, resolve)
        pos = m.end()
        if pos < len(text):
            and_ = _AND.match(text, pos)
            if and_ is None:
                raise _filter_error(
                    f"フィルタを読めません / expected AND at character {pos + 1} of the filter"
                )
            pos = and_.end()
    return out


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
    {"code": ("code", _filter_text)},
    pb.ListBranchesResponse,
)  # fmt: skip
VEHICLE = Kind(
    "vehicles", "vehicle", Vehicle, _mutable(pb.FleetVehicle), vehicle_to_proto, vehicle_fields,
    {
        "branch": ("branch_id", _filter_ref("branches")),
        "status": ("status", _filter_enum(pb.FleetVehicle.Status)),
        "vehicle_class": ("vehicle_class", _filter_text),
    },
    pb.ListVehiclesResponse,
)  # fmt: skip
DRIVER = Kind(
    "drivers", "driver", Driver, _mutable(pb.FleetDriver), driver_to_proto, driver_fields,
    {
        "branch": ("branch_id", _filter_ref("branches")),
        "status": ("status", _filter_enum(pb.FleetDriver.Status)),
        "licence_class": ("licence_class", _filter_licence),
    },
    pb.ListDriversResponse,
)  # fmt: skip
CUSTOMER = Kind(
    "customers", "customer", Customer, _mutable(pb.Customer), customer_to_proto, customer_fields,
    {"code": ("code", _filter_text)},
    pb.ListCustomersResponse,
)  # fmt: skip
ORDER = Kind(
    "orders", "order", Order, _mutable(pb.Order), order_to_proto, order_fields,
    {
        "branch": ("branch_id", _filter_ref("branches")),
        "customer": ("customer_id", _filter_ref("customers")),
        "delivery_date": ("delivery_date", _filter_date),
        "status": ("status", _filter_enum(pb.Order.Status)),
    },
    pb.ListOrdersResponse,
)  # fmt: skip
