"""What the ingest pipeline publishes on the fleet bus: newly stored positions as compact JSON.

The envelope is the fleet bus's (``kind``, ``branch``, ``vehicle_id``, ``body``); ingest does not know
branches, so ``branch`` and ``vehicle_id`` are null and the body lists, for one organization, each
vehicle's newest position stored since the previous message: ``{"kind": "positions", "branch": null,
"vehicle_id": null, "organization": "ORG-001", "body": {"positions": [{"vehicle": "V-001", "device": "…",
"time": "2026-12-07T01:02:03+00:00", "lat": 35.6, "lon": 139.7, "speed": 12.5, "heading": 90.0}, …]}}``.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from typing import Any

from server.tracking.model import Position

POSITIONS = "positions"


def encode_positions(org: str, positions: Sequence[Position]) -> bytes:
    """The message, written out directly (json.dumps of a dict per position costs three times more)."""
    rows = ",".join(
        f'{{"vehicle":{_str(p.vehicle_id)},"device":{_str(p.device_id)},"time":"{p.time.isoformat()}",'
        f'"lat":{p.latitude!r},"lon":{p.longitude!r},"speed":{_num(p.speed_kmh)},"heading":{_num(p.heading)}}}'
        for p in positions
    )
    return (f'{{"kind":"{POSITIONS}","branch":null,"vehicle_id":null,"organization":{_str(org)},'
            f'"body":{{"positions":[{rows}]}}}}').encode()


def _str(s: str) -> str:
    return f'"{s}"' if s.isascii() and '"' not in s and "\\" not in s and s.isprintable() else json.dumps(s)


def _num(x: float | None) -> str:
    return "null" if x is None else repr(x)


def decode_positions(payload: bytes) -> tuple[str, list[dict[str, Any]]] | None:
    """(organization, positions with datetimes) of a positions message; None for another kind."""
    message: dict[str, Any] = json.loads(payload)
    if message.get("kind") != POSITIONS:
        return None
    rows = message["body"]["positions"]
    for row in rows:
        row["time"] = datetime.datetime.fromisoformat(row["time"])
    return message["organization"], rows
