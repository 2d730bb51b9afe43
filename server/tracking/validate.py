"""Checking reported positions one by one: a bad one is a :class:`Rejection`, the good ones go on.

A position arrives as a :class:`RawPosition` (from the gRPC stream or parsed from an OsmAnd request;
a value the parser could not read is already in ``problems``). :func:`validate` checks the device
(registered, and in the caller's organization when the caller has one), the time (at most a day in
the future, not older than the retention), the location (in range, finite, not (0, 0)) and the
optional measures (finite; speed and accuracy not negative). Reasons are Japanese first, then English.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from server.tracking.model import MAX_BATCH, RETENTION_DAYS, Device, Position, Rejection

#: How far in the future a fix may be (a phone's clock runs ahead, time zones are confused).
MAX_FUTURE = datetime.timedelta(days=1)
#: Bounds of the optional measures: beyond them a value is a broken sensor, not a truck.
MAX_SPEED = 1000.0  # km/h
MAX_ACCURACY = 1_000_000.0  # m
MIN_ALTITUDE, MAX_ALTITUDE = -1000.0, 20_000.0  # m


class BatchTooLargeError(ValueError):
    """More than ``MAX_BATCH`` positions in one batch (INVALID_ARGUMENT for the whole call)."""

    def __init__(self, size: int) -> None:
        super().__init__(
            f"1回に送れる位置は{MAX_BATCH}件までです / a batch holds at most {MAX_BATCH} positions, "
            f"got {size}"
        )
        self.size = size


@dataclass(frozen=True)
class RawPosition:
    """A position as received, before any check. ``problems`` holds ``(field, reason)`` of values the
    protocol layer could not read (e.g. a non-numeric ``lat`` of an OsmAnd request)."""

    device_id: str
    time: datetime.datetime | None
    latitude: float | None
    longitude: float | None
    speed_kmh: float | None = None
    heading: float | None = None
    altitude: float | None = None
    accuracy: float | None = None
    battery: float | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    problems: tuple[tuple[str, str], ...] = ()


def check_batch_size(size: int) -> None:
    if size > MAX_BATCH:
        raise BatchTooLargeError(size)


#: A position as plain values, the form the hot path checks (no object per position until it is valid):
#: (device id, time (aware datetime or None), latitude, longitude, speed km/h, heading, altitude,
#: accuracy, battery %, attributes or None). Missing values are None.
Fix = tuple[str, datetime.datetime | None, float | None, float | None, float | None, float | None,
            float | None, float | None, float | None, dict[str, str] | None]

_INF = math.inf
_new = object.__new__


def validate(
    raws: Sequence[RawPosition],
    device: Callable[[str], Device | None],
    org: str | None,
    now: datetime.datetime,
    allow: Callable[[Device], bool] | None = None,
) -> tuple[list[Position], list[Rejection]]:
    """(valid positions, rejections) of ``raws``; see :func:`validate_fixes`. A value the protocol layer
    could not read (``RawPosition.problems``) rejects its position."""
    check_batch_size(len(raws))
    fixes: list[Fix] = []
    early: dict[int, tuple[str, str]] = {}
    for i, raw in enumerate(raws):
        if raw.problems:
            early[i] = raw.problems[0]
        elif raw.time is not None and raw.time.tzinfo is None:
            early[i] = ("time", "時刻にタイムゾーンがありません / time has no time zone")
        fixes.append((raw.device_id, raw.time, raw.latitude, raw.longitude, raw.speed_kmh, raw.heading,
                      raw.altitude, raw.accuracy, raw.battery, raw.attributes or None))
    return validate_fixes(fixes, device, org, now, allow, early)


def validate_fixes(
    fixes: Sequence[Fix],
    device: Callable[[str], Device | None],
    org: str | None,
    now: datetime.datetime,
    allow: Callable[[Device], bool] | None = None,
    early: dict[int, tuple[str, str]] | None = None,
) -> tuple[list[Position], list[Rejection]]:
    """(valid positions in input order, rejections). ``device`` finds a tracker id in any organization;
    ``org`` None (OsmAnd: the tracker id is the identity) accepts every organization's; ``allow``
    narrows further (a DRIVER reports for his own vehicle only); ``early`` holds problems found before
    (by index). The common case is checked in one expression; a position that fails it is looked at
    again field by field for the reason."""
    check_batch_size(len(fixes))
    good: list[Position] = []
    rejected: list[Rejection] = []
    oldest = now - datetime.timedelta(days=RETENTION_DAYS)
    newest = now + MAX_FUTURE
    for i, fix in enumerate(fixes):
        dev_id, t, lat, lon, speed, heading, alt, acc, batt, attrs = fix
        d = device(dev_id) if dev_id else None
        if (
            (early is None or i not in early)
            and d is not None and (org is None or d.organization == org) and (allow is None or allow(d))
            and t is not None and oldest <= t <= newest
            and lat is not None and lon is not None and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0
            and (lat != 0.0 or lon != 0.0)
            and (speed is None or 0.0 <= speed <= MAX_SPEED) and (acc is None or 0.0 <= acc <= MAX_ACCURACY)
            and (heading is None or -_INF < heading < _INF) and (batt is None or 0.0 <= batt <= 100.0)
            and (alt is None or MIN_ALTITUDE <= alt <= MAX_ALTITUDE)
        ):
            good.append(_position(d, t, lat, lon, speed, None if heading is None else heading % 360.0, alt,
                                  acc, batt, attrs))
            continue
        problem = (early or {}).get(i) or _problem(fix, d, org, allow, oldest, newest)
        rejected.append(Rejection(i, problem[0], problem[1]))
    return good, rejected


def _problem(
    fix: Fix,
    found: Device | None,
    org: str | None,
    allow: Callable[[Device], bool] | None,
    oldest: datetime.datetime,
    newest: datetime.datetime,
) -> tuple[str, str]:
    """The first thing wrong with a fix that failed the quick check, as (field, reason)."""
    dev_id, t, lat, lon, speed, heading, alt, acc, batt, _ = fix
    if not dev_id:
        return "device_id", "端末IDがありません / device_id is missing"
    if found is None or (org is not None and found.organization != org):
        # Another organization's device is answered as unknown: nothing about it leaks.
        return "device_id", f"登録されていない端末です / unknown device {_short(dev_id)}"
    if allow is not None and not allow(found):
        return "device_id", f"この端末の車両には報告できません / device {_short(dev_id)} is not on your " \
                            "vehicle"
    if t is None:
        return "time", "時刻がありません / time is missing"
    if t > newest:
        return "time", f"時刻が1日以上先です / time {t.isoformat()} is more than a day in the future"
    if t < oldest:
        return "time", (f"時刻が保存期間({RETENTION_DAYS}日)より古いです / time {t.isoformat()} is "
                        f"older than the retention of {RETENTION_DAYS} days")
    for name, value, low, high in (
        ("location.latitude", lat, -90.0, 90.0),
        ("location.longitude", lon, -180.0, 180.0),
    ):
        if value is None:
            return name, f"{_JA[name]}がありません / {name} is missing"
        if not math.isfinite(value):
            return name, f"{_JA[name]}が数値ではありません / {name} is not a finite number"
        if not low <= value <= high:
            return name, f"{_JA[name]}は{low:g}〜{high:g}です / {name} must be in [{low:g}, {high:g}], " \
                         f"got {value:g}"
    if lat == 0 and lon == 0:
        return "location", "位置(0, 0)は無効です / location (0, 0) is not a real fix"
    for name, value, minimum, maximum in (
        ("speed_kmh", speed, 0.0, MAX_SPEED),
        ("heading_degrees", heading, None, None),
        ("altitude_meters", alt, MIN_ALTITUDE, MAX_ALTITUDE),
        ("accuracy_meters", acc, 0.0, MAX_ACCURACY),
        ("battery_percent", batt, 0.0, 100.0),
    ):
        if value is None:
            continue
        if not math.isfinite(value):
            return name, f"{_JA[name]}が数値ではありません / {name} is not a finite number"
        if minimum == 0.0 and value < 0:
            return name, f"{_JA[name]}が負の値です / {name} must not be negative, got {value:g}"
        if minimum is not None and maximum is not None and not minimum <= value <= maximum:
            return name, (f"{_JA[name]}は{minimum:g}〜{maximum:g}です / {name} must be in "
                          f"[{minimum:g}, {maximum:g}], got {value:g}")
    return "", "不明なエラー / invalid position"


def _position(
    d: Device, t: datetime.datetime, lat: float, lon: float, speed: float | None, heading: float | None,
    alt: float | None, acc: float | None, batt: float | None, attrs: dict[str, str] | None,
) -> Position:
    """A ``Position`` without the frozen dataclass's per-field ``__setattr__`` (a third of the cost on
    the hot path); the instance is the same as ``Position(...)`` would make."""
    p = _new(Position)
    v = p.__dict__
    v["organization"] = d.organization
    v["device_id"] = d.device_id
    v["vehicle_id"] = d.vehicle_id
    v["time"] = t if t.tzinfo is datetime.UTC else t.astimezone(datetime.UTC)
    v["latitude"] = lat
    v["longitude"] = lon
    v["speed_kmh"] = speed
    v["heading"] = heading
    v["altitude"] = alt
    v["accuracy"] = acc
    v["battery"] = batt
    v["attributes"] = _clean(attrs) if attrs else {}
    return p


def _clean(attrs: dict[str, str]) -> dict[str, str]:
    """Attributes as text PostgreSQL stores: NUL characters removed (jsonb refuses them)."""
    return {k.replace("\x00", ""): str(v).replace("\x00", "") for k, v in attrs.items()}


def _short(value: str) -> str:
    return repr(value if len(value) <= 64 else value[:64] + "…")


_JA = {
    "location.latitude": "緯度",
    "location.longitude": "経度",
    "speed_kmh": "速度",
    "heading_degrees": "方位",
    "altitude_meters": "高度",
    "accuracy_meters": "精度",
    "battery_percent": "電池残量",
}
