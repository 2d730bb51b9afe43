"""Python values ↔ the well-known protobuf types the API uses (Timestamp, google.type.Date)."""

from __future__ import annotations

import datetime

from google.protobuf import timestamp_pb2
from google.type import date_pb2


def ts(value: datetime.datetime | str | None) -> timestamp_pb2.Timestamp | None:
    """An aware datetime (or its ISO text, as plan snapshots keep it) as a Timestamp; None stays None."""
    if value is None:
        return None
    dt = datetime.datetime.fromisoformat(value) if isinstance(value, str) else value
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(dt)
    return out


def date_to_proto(d: datetime.date) -> date_pb2.Date:
    return date_pb2.Date(year=d.year, month=d.month, day=d.day)


def date_from_proto(d: date_pb2.Date) -> datetime.date:
    return datetime.date(d.year, d.month, d.day)
