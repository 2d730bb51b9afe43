"""Vehicle classes and the OSM tag rules deciding which roads each class may use.

Default dimensions are typical Japanese trucks of each class (a box body, loaded to the legal limit):

| class | height | width | length | gross weight | hgv  | top speed |
|-------|--------|-------|--------|--------------|------|-----------|
| 軽    | 2.0 m  | 1.48 m| 3.4 m  | 1.2 t        | no   | 100 km/h  |
| 2t    | 3.0 m  | 1.9 m | 4.7 m  | 5.0 t        | no   | 100 km/h  |
| 4t    | 3.3 m  | 2.2 m | 8.5 m  | 8.0 t        | yes  | 100 km/h  |
| 10t   | 3.8 m  | 2.5 m | 12.0 m | 25.0 t       | yes  | 80 km/h   |

軽 is the kei-truck frame limit (2.0 × 1.48 × 3.4 m, 350 kg payload); 10t is the general road-vehicle
limit (3.8 × 2.5 × 12 m, 25 t gross). ``is_hgv`` follows the Japanese "大型貨物自動車等通行止め" sign,
which OSM maps to ``hgv=no``: it bars 大型 and 特定中型 goods vehicles, i.e. gross weight ≥ 8 t, so the
4t class (about 8 t gross) counts as hgv. The 80 km/h cap is the legal motorway limit for large trucks.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass

# Values of an access-type tag that bar the vehicle; anything else (yes, destination, delivery, designated,
# permissive, customers, discouraged...) lets it through: a delivery truck is always going to a destination.
_FORBIDDING = frozenset(
    {"no", "private", "agricultural", "forestry", "emergency", "military", "use_sidepath"}
)
_NO_LIMIT = frozenset({"none", "default", "unsigned", "no_sign", "no_indications", "below_default"})
_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([a-z\"']*)\s*$")
_FEET_INCHES = re.compile(r"^\s*(\d+)\s*'\s*(?:(\d+(?:\.\d+)?)\s*\")?\s*$")


@dataclass(frozen=True)
class VehicleProfile:
    """A vehicle class: its size and weight decide which roads it may use; ``max_speed_kmh`` caps speeds."""

    name: str
    height_m: float
    width_m: float
    length_m: float
    weight_t: float  # gross (loaded) weight
    is_hgv: bool
    max_speed_kmh: float = 100.0

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a vehicle profile needs a name")
        for field in ("height_m", "width_m", "length_m", "weight_t", "max_speed_kmh"):
            value = getattr(self, field)
            if not (value > 0):
                raise ValueError(f"profile {self.name!r}: {field} must be positive, got {value!r}")

    @property
    def key(self) -> str:
        """A short stable hash of every field: part of cache keys."""
        blob = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def access_keys(self) -> tuple[str, ...]:
        """The OSM access keys that apply to this vehicle, most specific first."""
        specific = ("hgv",) if self.is_hgv else ("goods",)
        return (*specific, "motor_vehicle", "vehicle", "access")

    def admits(self, tags: Mapping[str, object]) -> bool:
        """True unless the way's tags forbid this vehicle (access, hgv, maxheight/width/length/weight)."""
        for key in self.access_keys():
            value = _first(tags.get(key))
            if value is not None:
                if any(part.strip().lower() in _FORBIDDING for part in value.split(";")):
                    return False
                break  # the most specific tag present decides
        limits = (
            (("maxheight", "maxheight:physical"), self.height_m, parse_metres),
            (("maxwidth", "maxwidth:physical"), self.width_m, parse_metres),
            (("maxlength",), self.length_m, parse_metres),
            (("maxweight", "maxweightrating", "maxweight:hgv"), self.weight_t, parse_tonnes),
        )
        for keys, own, parse in limits:
            for key in keys:
                limit = parse(_first(tags.get(key)))
                if limit is not None and own > limit:
                    return False
        return True


def _first(value: object) -> str | None:
    """A tag value as a string; a list (osmnx merges ways) becomes "a;b" and the strictest part counts."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def _parse(value: str | None, units: Mapping[str, float]) -> float | None:
    if value is None:
        return None
    best: float | None = None
    for part in value.split(";"):
        text = part.strip().lower()
        if not text or text in _NO_LIMIT:
            continue
        match = _NUMBER.match(text)
        number: float | None = None
        if match:
            factor = units.get(match.group(2))
            if factor is not None:
                number = float(match.group(1).replace(",", ".")) * factor
        elif "'" in text and units is _METRES:
            feet = _FEET_INCHES.match(text)
            if feet:
                number = int(feet.group(1)) * 0.3048 + float(feet.group(2) or 0) * 0.0254
        if number is not None and number > 0:
            best = number if best is None else min(best, number)
    return best


_METRES = {"": 1.0, "m": 1.0, "cm": 0.01, "ft": 0.3048}
_TONNES = {"": 1.0, "t": 1.0, "kg": 0.001, "st": 0.90718474, "lbs": 0.00045359237}


def parse_metres(value: str | None) -> float | None:
    """A length limit in metres ("3.5", "3.5 m", "12'6\\"", "350 cm"); None when absent or unreadable."""
    return _parse(value, _METRES)


def parse_tonnes(value: str | None) -> float | None:
    """A weight limit in tonnes ("10", "5.5 t", "7500 kg"); None when absent or unreadable."""
    return _parse(value, _TONNES)


DEFAULT_PROFILES: dict[str, VehicleProfile] = {
    p.name: p
    for p in (
        VehicleProfile("軽", height_m=2.0, width_m=1.48, length_m=3.4, weight_t=1.2, is_hgv=False),
        VehicleProfile("2t", height_m=3.0, width_m=1.9, length_m=4.7, weight_t=5.0, is_hgv=False),
        VehicleProfile("4t", height_m=3.3, width_m=2.2, length_m=8.5, weight_t=8.0, is_hgv=True),
        VehicleProfile(
            "10t", height_m=3.8, width_m=2.5, length_m=12.0, weight_t=25.0, is_hgv=True, max_speed_kmh=80.0
        ),
    )
}
