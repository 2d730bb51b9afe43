"""Field checks of the OrganizationService resources: one ``_Check`` per message collects every bad field
by its path in the request (``order.time_windows[0]``) while the fields are converted."""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from typing import Any

from google.protobuf import duration_pb2, message
from google.type import date_pb2, latlng_pb2, timeofday_pb2

from geo.profiles import DEFAULT_PROFILES
from hakobu.fleet.v1 import fleet_pb2 as pb
from optimizer.licences import parse_licence
from server.entrypoints.grpc.aip import Resolve
from server.entrypoints.grpc.context import shown
from server.entrypoints.grpc.errors import FieldError

#: Japan's bounding box in WGS84 degrees (Okinotorishima … Etorofu, Yonaguni … Minamitorishima, rounded out).
JAPAN_LATITUDE = (20.0, 46.0)
JAPAN_LONGITUDE = (122.0, 154.0)
#: The vehicle classes (車格) the road profiles know.
VEHICLE_CLASSES: tuple[str, ...] = tuple(DEFAULT_PROFILES)
DEFAULT_SERVICE_SECONDS = 300
MAX_SERVICE_SECONDS = 24 * 3600
#: Longest accepted text, in characters: codes and numbers (AIP-122-like ids), names, free text.
MAX_CODE, MAX_NAME, MAX_TEXT = 64, 200, 1000
#: The limit of each text field that has one (fields not named here are codes: MAX_CODE).
TEXT_LIMITS: dict[str, int] = {
    "display_name": MAX_NAME, "place_name": MAX_NAME, "email": MAX_NAME, "address": MAX_TEXT,
    "notes": MAX_TEXT,
}
#: What each collection is called in messages for people (Japanese, English).
LABELS: dict[str, tuple[str, str]] = {
    "branches": ("拠点", "branch"),
    "vehicles": ("車両", "vehicle"),
    "drivers": ("ドライバー", "driver"),
    "customers": ("顧客", "customer"),
    "orders": ("配送依頼", "order"),
}


class Check:
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
        limit = TEXT_LIMITS.get(field, MAX_CODE)
        if len(value) > limit:
            self.bad(field, f"{limit}文字以内で指定してください / {field} is longer than {limit} characters "
                            f"({len(value)})")
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
            self.bad(field, f"不明な車格です / unknown vehicle class {shown(value)}; expected one of {known}")
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
