"""Business settings of planning: shift, vehicle costs, straight-line speed, trips per day, road graph.

Stored per organization, branch and vehicle (table ``planning_settings``, migration 0006); every value left
unset falls back to the next wider level, and then to :data:`DEFAULTS` — the one documented default.
Speed, detour factor and road graph belong to a branch's whole day (travel is one per problem), so they
are read from the branch and organization levels only.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Fields a level may set; a level's unset fields are None.
FIELDS = (
    "shift_start", "shift_end", "fixed_cost", "cost_per_km", "cost_per_hour", "speed_kmh", "detour_factor",
    "max_trips", "road_graph", "wait_counts_as_break",
)
#: Fields that apply to the whole day of a branch (never read from a vehicle's level).
BRANCH_FIELDS = frozenset({"speed_kmh", "detour_factor", "road_graph"})


@dataclass(frozen=True)
class PlanningSettings:
    """The settings one vehicle (or a branch's day) is planned with; see the module docstring."""

    #: Shift, local time (Japan).
    shift_start: datetime.time = datetime.time(8, 0)
    shift_end: datetime.time = datetime.time(19, 0)
    #: Costs in yen: per vehicle used, per kilometre, per hour on the road.
    fixed_cost: float = 9000.0
    cost_per_km: float = 30.0
    cost_per_hour: float = 1800.0
    #: Straight-line travel: speed and road detour — the OptimizerService's haversine defaults.
    speed_kmh: float = 30.0
    detour_factor: float = 1.3
    #: Trips per day (loading again at the branch between them).
    max_trips: int = 2
    #: Road graph of the branch for road travel; None = the graph whose area holds the branch, if any.
    road_graph: str | None = None
    #: Plans count a wait of ≥ 30 min for a time window as the 430 break (off: waiting is work).
    wait_counts_as_break: bool = False

    def __post_init__(self) -> None:
        problems = []
        if self.shift_end <= self.shift_start:
            problems.append(f"shift_end {self.shift_end} is not after shift_start {self.shift_start}")
        for name in ("fixed_cost", "cost_per_km", "cost_per_hour"):
            if not 0 <= getattr(self, name) <= 1e9:
                problems.append(f"{name} must be from 0 to 1e9")
        if not 1 <= self.speed_kmh <= 200:
            problems.append("speed_kmh must be from 1 to 200")
        if not 1 <= self.detour_factor <= 5:
            problems.append("detour_factor must be from 1 to 5")
        if not 1 <= self.max_trips <= 10:
            problems.append("max_trips must be from 1 to 10")
        if problems:
            raise ValueError("計画設定が不正です / invalid planning settings: " + "; ".join(problems))


DEFAULTS = PlanningSettings()


@dataclass(frozen=True)
class PlanningLevels:
    """The stored levels that apply to one branch: organization, branch, and each vehicle's own."""

    organization: Mapping[str, object] = dataclasses.field(default_factory=dict)
    branch: Mapping[str, object] = dataclasses.field(default_factory=dict)
    vehicles: Mapping[str, Mapping[str, object]] = dataclasses.field(default_factory=dict)

    def for_branch(self) -> PlanningSettings:
        """The branch's day: organization, then branch values over the defaults."""
        return _merge((self.organization, self.branch))

    def for_vehicle(self, vehicle_id: str) -> PlanningSettings:
        """One vehicle: its own values (but speed and graph) over the branch's and organization's."""
        own = {k: v for k, v in self.vehicles.get(vehicle_id, {}).items() if k not in BRANCH_FIELDS}
        return _merge((self.organization, self.branch, own))


def _merge(levels: Iterable[Mapping[str, object]]) -> PlanningSettings:
    values: dict[str, object] = {}
    for level in levels:
        values.update({k: v for k, v in level.items() if k in FIELDS and v is not None})
    return dataclasses.replace(DEFAULTS, **values)  # type: ignore[arg-type]


def parse_value(name: str, raw: str) -> object:
    """A setting's value from text (``""`` = unset): times as HH:MM, trips as an integer, graph as is."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        if name in ("shift_start", "shift_end"):
            return datetime.time.fromisoformat(raw)
        if name == "max_trips":
            return int(raw)
        if name == "road_graph":
            return raw
        if name == "wait_counts_as_break":
            if raw.lower() not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                raise ValueError(raw)
            return raw.lower() in ("true", "1", "yes", "on")
        return float(raw)
    except ValueError:
        raise ValueError(f"{name}: not a valid value: {raw!r}") from None
