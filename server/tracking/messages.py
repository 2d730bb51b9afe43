"""What the ingest pipeline publishes on the fleet bus: newly stored positions as compact JSON.

``{"type": "positions", "organization": "ORG-001", "positions": [{"vehicle": "V-001", "device": "…",
"time": "2026-12-07T01:02:03+00:00", "lat": 35.6, "lon": 139.7, "speed": 12.5, "heading": 90.0}, …]}``
(one message per organization and batch). Subscribers (StreamFleet) turn it into their own updates.
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
    return json.dumps({"type": POSITIONS, "organization": org, "positions": rows},
                      separators=(",", ":")).encode()


def decode(payload: bytes) -> dict[str, Any]:
    """A bus message as a dict (``type`` says which kind); positions' times become datetimes."""
    message: dict[str, Any] = json.loads(payload)
    if message.get("type") == POSITIONS:
        for row in message.get("positions", ()):
            row["time"] = datetime.datetime.fromisoformat(row["time"])
    return message
