"""What the ingest pipeline publishes on the fleet bus: newly stored positions as compact JSON.

The envelope is the fleet bus's (``kind``, ``branch``, ``vehicle_id``, ``body``); ingest does not know
branches, so ``branch`` and ``vehicle_id`` are null and the body lists the positions of one
organization's batch: ``{"kind": "positions", "branch": null, "vehicle_id": null, "organization":
"ORG-001", "body": {"positions": [{"vehicle": "V-001", "device": "…", "time": "2026-12-07T01:02:03+00:00",
"lat": 35.6, "lon": 139.7, "speed": 12.5, "heading": 90.0}, …]}}``.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from typing import Any

from server.tracking.model import Position

POSITIONS = "positions"


def encode_positions(org: str, positions: Sequence[Position]) -> bytes:
    rows = [
        {"vehicle": p.vehicle_id, "device": p.device_id, "time": p.time.isoformat(),
         "lat": p.latitude, "lon": p.longitude, "speed": p.speed_kmh, "heading": p.heading}
        for p in positions
    ]
    return json.dumps({"kind": POSITIONS, "branch": None, "vehicle_id": None, "organization": org,
                       "body": {"positions": rows}}, separators=(",", ":")).encode()


def decode_positions(payload: bytes) -> tuple[str, list[dict[str, Any]]] | None:
    """(organization, positions with datetimes) of a positions message; None for another kind."""
    message: dict[str, Any] = json.loads(payload)
    if message.get("kind") != POSITIONS:
        return None
    rows = message["body"]["positions"]
    for row in rows:
        row["time"] = datetime.datetime.fromisoformat(row["time"])
    return message["organization"], rows
