"""Reading one OsmAnd request (the protocol of Traccar Client and many GPS trackers) into a position.

Keys, as Traccar reads them: ``id`` or ``deviceid``; ``timestamp`` in seconds, milliseconds, ISO 8601
or ``yyyy-MM-dd HH:mm:ss`` (UTC when it names no zone); ``lat``/``lon`` or ``location=lat,lon``;
``speed`` in knots; ``bearing`` or ``heading``; ``altitude``, ``accuracy``, ``batt`` (%); ``hdop``,
``charge``, ``valid``, ``driverUniqueId`` and any other key are kept as attributes. A value that is not
a number (or not a time) becomes a problem of its field, which :func:`~server.tracking.validate.validate`
turns into a rejection.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping

from server.tracking.validate import RawPosition

KNOT_KMH = 1.852
#: Numbers above this are milliseconds since 1970 (1e11 s is the year 5138).
_MILLIS = 100_000_000_000
_TEXT_FORMAT = "%Y-%m-%d %H:%M:%S"
#: OsmAnd key -> (RawPosition field, proto field name for errors, Japanese label)
_NUMBERS = {
    "speed": ("speed_kmh", "speed", "速度"),
    "bearing": ("heading", "bearing", "方位"),
    "heading": ("heading", "heading", "方位"),
    "altitude": ("altitude", "altitude", "高度"),
    "accuracy": ("accuracy", "accuracy", "精度"),
    "batt": ("battery", "batt", "電池残量"),
}
_KNOWN = {"id", "deviceid", "timestamp", "lat", "lon", "location", *_NUMBERS}


def parse(params: Mapping[str, str]) -> RawPosition:
    """One request's parameters (query and form, merged) as a :class:`RawPosition`."""
    problems: list[tuple[str, str]] = []
    device_id = (params.get("id") or params.get("deviceid") or "").strip()
    time = _time(params.get("timestamp"), problems)
    lat_raw, lon_raw = params.get("lat"), params.get("lon")
    if (lat_raw is None or lon_raw is None) and "location" in params:
        lat_raw, _, lon_raw = params["location"].partition(",")
    latitude = _number("lat", lat_raw, "緯度", problems)
    longitude = _number("lon", lon_raw, "経度", problems)
    values: dict[str, float | None] = {}
    for key, (field, name, ja) in _NUMBERS.items():
        if key in params and values.get(field) is None:
            values[field] = _number(name, params[key], ja, problems)
    if values.get("speed_kmh") is not None:
        values["speed_kmh"] = values["speed_kmh"] * KNOT_KMH  # type: ignore[operator]
    attributes = {k: v for k, v in params.items() if k not in _KNOWN}
    return RawPosition(
        device_id=device_id, time=time, latitude=latitude, longitude=longitude,
        speed_kmh=values.get("speed_kmh"), heading=values.get("heading"), altitude=values.get("altitude"),
        accuracy=values.get("accuracy"), battery=values.get("battery"), attributes=attributes,
        problems=tuple(problems),
    )


def _number(name: str, raw: str | None, ja: str, problems: list[tuple[str, str]]) -> float | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        problems.append((name, f"{ja}が数値ではありません / {name} is not a number: {raw[:40]!r}"))
        return None
    if not math.isfinite(value):
        problems.append((name, f"{ja}が数値ではありません / {name} is not a finite number"))
        return None
    return value


def _time(raw: str | None, problems: list[tuple[str, str]]) -> datetime.datetime | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(number) or number < 0:
            problems.append(("timestamp", f"時刻が読めません / timestamp is not a time: {text[:40]!r}"))
            return None
        seconds = number / 1000 if number >= _MILLIS else number
        try:
            return datetime.datetime.fromtimestamp(seconds, datetime.UTC)
        except (OverflowError, OSError, ValueError):
            problems.append(("timestamp", f"時刻が範囲外です / timestamp is out of range: {text[:40]!r}"))
            return None
    for parse_one in (datetime.datetime.fromisoformat, lambda t: datetime.datetime.strptime(t, _TEXT_FORMAT)):
        try:
            parsed = parse_one(text)
        except ValueError:
            continue
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=datetime.UTC)
    problems.append(("timestamp", f"時刻が読めません / timestamp is not a time: {text[:40]!r}"))
    return None
