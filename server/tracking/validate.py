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


def validate(
    raws: Sequence[RawPosition],
    device: Callable[[str], Device | None],
    org: str | None,
    now: datetime.datetime,
) -> tuple[list[Position], list[int], list[Rejection]]:
    """(valid positions, their indexes in ``raws``, rejections). ``device`` finds a tracker id in any
    organization; ``org`` None (OsmAnd: the tracker id is the identity) accepts every organization's."""
    check_batch_size(len(raws))
    good: list[Position] = []
    indexes: list[int] = []
    rejected: list[Rejection] = []
    oldest = now - datetime.timedelta(days=RETENTION_DAYS)
    for i, raw in enumerate(raws):
        problem = raw.problems[0] if raw.problems else _problem(raw, device, org, now, oldest)
        if isinstance(problem, tuple):
            rejected.append(Rejection(i, problem[0], problem[1]))
            continue
        good.append(_position(raw, problem))
        indexes.append(i)
    return good, indexes, rejected


def _problem(
    raw: RawPosition,
    device: Callable[[str], Device | None],
    org: str | None,
    now: datetime.datetime,
    oldest: datetime.datetime,
) -> tuple[str, str] | Device:
    """The first thing wrong with ``raw`` as (field, reason), else its device."""
    if not raw.device_id:
        return "device_id", "端末IDがありません / device_id is missing"
    found = device(raw.device_id)
    if found is None or (org is not None and found.organization != org):
        # Another organization's device is answered as unknown: nothing about it leaks.
        return "device_id", f"登録されていない端末です / unknown device {_short(raw.device_id)}"
    if raw.time is None:
        return "time", "時刻がありません / time is missing"
    if raw.time.tzinfo is None:
        return "time", "時刻にタイムゾーンがありません / time has no time zone"
    if raw.time > now + MAX_FUTURE:
        return "time", f"時刻が1日以上先です / time {raw.time.isoformat()} is more than a day in the future"
    if raw.time < oldest:
        return "time", (f"時刻が保存期間({RETENTION_DAYS}日)より古いです / time {raw.time.isoformat()} is "
                        f"older than the retention of {RETENTION_DAYS} days")
    for name, value, low, high in (
        ("location.latitude", raw.latitude, -90.0, 90.0),
        ("location.longitude", raw.longitude, -180.0, 180.0),
    ):
        if value is None:
            return name, f"{_JA[name]}がありません / {name} is missing"
        if not math.isfinite(value):
            return name, f"{_JA[name]}が数値ではありません / {name} is not a finite number"
        if not low <= value <= high:
            return name, f"{_JA[name]}は{low:g}〜{high:g}です / {name} must be in [{low:g}, {high:g}], " \
                         f"got {value:g}"
    if raw.latitude == 0 and raw.longitude == 0:
        return "location", "位置(0, 0)は無効です / location (0, 0) is not a real fix"
    for name, value, minimum in (
        ("speed_kmh", raw.speed_kmh, 0.0),
        ("heading_degrees", raw.heading, None),
        ("altitude_meters", raw.altitude, None),
        ("accuracy_meters", raw.accuracy, 0.0),
        ("battery_percent", raw.battery, None),
    ):
        if value is None:
            continue
        if not math.isfinite(value):
            return name, f"{_JA[name]}が数値ではありません / {name} is not a finite number"
        if minimum is not None and value < minimum:
            return name, f"{_JA[name]}が負の値です / {name} must not be negative, got {value:g}"
    return found


def _position(raw: RawPosition, device: Device) -> Position:
    assert raw.time is not None and raw.latitude is not None and raw.longitude is not None
    heading = None if raw.heading is None else raw.heading % 360.0
    return Position(
        organization=device.organization, device_id=device.device_id, vehicle_id=device.vehicle_id,
        time=raw.time.astimezone(datetime.UTC), latitude=raw.latitude, longitude=raw.longitude,
        speed_kmh=raw.speed_kmh, heading=heading, altitude=raw.altitude, accuracy=raw.accuracy,
        battery=raw.battery, attributes=dict(raw.attributes),
    )


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
