"""Road speeds: the tagged maxspeed where there is one, otherwise a default per highway class for Japan.

Japanese ways seldom carry maxspeed. The defaults are typical urban travel speeds (not legal limits: the
unsigned legal limit is 60 km/h on ordinary roads, 100 km/h on expressways), configurable per class.
Every speed is capped by the vehicle's ``max_speed_kmh`` (10t: 80 km/h).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

JAPAN_DEFAULTS_KMH: dict[str, float] = {
    "motorway": 80.0,
    "motorway_link": 40.0,
    "trunk": 50.0,
    "trunk_link": 30.0,
    "primary": 40.0,
    "primary_link": 30.0,
    "secondary": 35.0,
    "secondary_link": 25.0,
    "tertiary": 30.0,
    "tertiary_link": 20.0,
    "unclassified": 25.0,
    "residential": 20.0,
    "living_street": 10.0,
    "service": 10.0,
    "road": 20.0,
    "busway": 30.0,
    "track": 10.0,
}

# Implicit limits ("zone" values) found in maxspeed tags. Japan: 60 ordinary roads, 100 expressways.
IMPLICIT_KMH: dict[str, float] = {
    "jp:motorway": 100.0,
    "jp:expressway": 100.0,
    "jp:trunk": 60.0,
    "jp:urban": 60.0,
    "jp:rural": 60.0,
    "jp:nsl": 60.0,
    "jp:nsl_single": 60.0,
    "jp:living_street": 20.0,
    "walk": 6.0,
}

_SPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$")
_UNITS = {None: 1.0, "km/h": 1.0, "kmh": 1.0, "kph": 1.0, "mph": 1.609344, "knots": 1.852}


def parse_maxspeed(value: object) -> float | None:
    """km/h from a maxspeed value ("40", "40 km/h", "25 mph", "JP:urban", "40;50" -> 40); None if unusable."""
    if value is None:
        return None
    text = ";".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
    speeds: list[float] = []
    for part in text.split(";"):
        item = part.strip().lower()
        if not item:
            continue
        if item in IMPLICIT_KMH:
            speeds.append(IMPLICIT_KMH[item])
            continue
        match = _SPEED.match(item)
        if match:
            kmh = float(match.group(1)) * _UNITS[match.group(2)]
            if kmh > 0:
                speeds.append(kmh)
    return min(speeds) if speeds else None


@dataclass(frozen=True)
class SpeedTable:
    """Default km/h per highway class, a fallback for classes not listed, and whether maxspeed tags count."""

    defaults: Mapping[str, float] = field(default_factory=lambda: dict(JAPAN_DEFAULTS_KMH))
    fallback_kmh: float = 20.0
    use_maxspeed: bool = True

    def __post_init__(self) -> None:
        bad = {k: v for k, v in self.defaults.items() if not (v > 0)}
        if bad or not (self.fallback_kmh > 0):
            raise ValueError(f"speeds must be positive: {bad or self.fallback_kmh}")

    @property
    def key(self) -> str:
        """A short stable hash of the table: part of cache keys."""
        blob = json.dumps([sorted(self.defaults.items()), self.fallback_kmh, self.use_maxspeed]).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def speed_kmh(self, tags: Mapping[str, object], cap_kmh: float = float("inf")) -> float:
        """Travel speed for a way with these tags, at most ``cap_kmh``."""
        speed = parse_maxspeed(tags.get("maxspeed")) if self.use_maxspeed else None
        if speed is None:
            highway = tags.get("highway")
            classes = highway if isinstance(highway, list | tuple) else [highway]
            known = [self.defaults[c] for c in classes if isinstance(c, str) and c in self.defaults]
            speed = min(known) if known else self.fallback_kmh
        return min(speed, cap_kmh)
