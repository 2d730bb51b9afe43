"""The parts of a routing problem, its limits and its error, as plain frozen data.

Units everywhere in this package: time in integer seconds measured from the
problem's time origin, distance in integer metres, money in the caller's
currency (floats). Benchmark readers map their own conventions onto these
units (see ``optimizer.io``). Nothing here knows about gRPC, SQL or HTTP.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from optimizer.licences import Licence
from optimizer.rules import DrivingRules

#: Upper bound for any time value (about 68 years in seconds, fits int32).
MAX_TIME = 2**31 - 1
#: Size limits: larger requests are rejected as invalid, not attempted.
MAX_JOBS = 5_000
MAX_VEHICLES = 2_000
MAX_DEPOTS = 200
MAX_DIMENSIONS = 8


class ModelError(ValueError):
    """A problem that is malformed or contradictory.

    ``violations`` holds (field path, description) pairs such as
    ``("jobs[3].time_windows[0]", "end is before start")``.
    """

    def __init__(self, violations: Sequence[tuple[str, str]]):
        self.violations = list(violations)
        text = "; ".join(f"{f}: {d}" for f, d in self.violations)
        super().__init__(text or "invalid problem")


class UnknownResourceError(ModelError):
    """The problem names something that does not exist (e.g. a road graph id)."""


class JobKind(enum.Enum):
    """A delivery is loaded at the depot; a pickup is carried back to it."""

    DELIVERY = "DELIVERY"
    PICKUP = "PICKUP"


class TravelMode(enum.Enum):
    EXPLICIT = "EXPLICIT"
    EUCLIDEAN = "EUCLIDEAN"
    HAVERSINE = "HAVERSINE"
    #: Shortest paths on an OpenStreetMap road graph, per vehicle class (see geo/).
    ROAD = "ROAD"


class Rounding(enum.Enum):
    """How a Euclidean distance (already multiplied by ``scale``) is made integer."""

    ROUND = "ROUND"  # nearest integer, TSPLIB "nint"
    TRUNCATE = "TRUNCATE"  # towards zero (DIMACS / Solomon one-decimal convention)
    CEIL = "CEIL"


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Service must start in ``[start, end]`` (seconds from the time origin)."""

    start: int = 0
    end: int = MAX_TIME

    def contains(self, t: int) -> bool:
        return self.start <= t <= self.end


@dataclass(frozen=True, slots=True)
class Location:
    """Where something is: lat/lng, planar x/y, or a row of an explicit matrix.

    Which fields are needed depends on the problem's travel mode.
    """

    latitude: float | None = None
    longitude: float | None = None
    x: float | None = None
    y: float | None = None
    matrix_index: int | None = None


@dataclass(frozen=True, slots=True)
class Depot:
    id: str
    location: Location
    time_window: TimeWindow = TimeWindow()
    #: Time spent at the depot when reloading between trips.
    reload_duration: int = 0


@dataclass(frozen=True, slots=True)
class Vehicle:
    id: str
    #: One amount per capacity dimension of the problem (e.g. kg, m³, pallets).
    capacity: tuple[int, ...]
    start_depot: int = 0
    end_depot: int = 0
    shift: TimeWindow = TimeWindow()
    fixed_cost: float = 0.0
    cost_per_km: float = 1.0
    cost_per_hour: float = 0.0
    #: Longest allowed route duration (end minus start) in seconds.
    max_duration: int | None = None
    max_distance: int | None = None
    #: Free text such as "軽", "2t", "4t", "10t"; matched by jobs' allowed classes.
    vehicle_class: str = ""
    skills: frozenset[str] = frozenset()
    #: Trips per shift; more than one means the vehicle may reload at its depot.
    max_trips: int = 1
    #: Driving-time rules (breaks, restraint); ``None`` = none apply.
    rules: DrivingRules | None = None
    #: 車両総重量 and 最大積載量 in kg, for the driver's licence; ``None`` = unknown,
    #: and an unknown weight is not checked (see :func:`optimizer.licences.allows`).
    gross_weight_kg: int | None = None
    payload_kg: int | None = None


@dataclass(frozen=True, slots=True)
class Driver:
    """A person who may drive one vehicle of the plan, if the licence allows it."""

    id: str
    licence: Licence
    #: Stored with the driver; plans are checked against the vehicle's ``rules``.
    rules: DrivingRules | None = None


@dataclass(frozen=True, slots=True)
class Stop:
    """One place where service happens (a job, or one end of a shipment)."""

    location: Location
    service_duration: int = 0
    time_windows: tuple[TimeWindow, ...] = ()


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    stop: Stop
    kind: JobKind = JobKind.DELIVERY
    demand: tuple[int, ...] = ()
    allowed_vehicle_classes: frozenset[str] = frozenset()
    required_skills: frozenset[str] = frozenset()
    #: Cost of leaving the job out; ``None`` means it must be served if at all possible.
    penalty: float | None = None


@dataclass(frozen=True, slots=True)
class Shipment:
    """Picked up at one place and delivered to another by the same vehicle."""

    id: str
    pickup: Stop
    delivery: Stop
    demand: tuple[int, ...] = ()
    allowed_vehicle_classes: frozenset[str] = frozenset()
    required_skills: frozenset[str] = frozenset()
    penalty: float | None = None


@dataclass(frozen=True, slots=True)
class Travel:
    """How travel distance and duration between two locations is obtained."""

    mode: TravelMode = TravelMode.EUCLIDEAN
    #: EXPLICIT: square matrices indexed by ``Location.matrix_index``.
    durations: np.ndarray | None = field(default=None, compare=False)
    distances: np.ndarray | None = field(default=None, compare=False)
    #: EUCLIDEAN: distance = rounding(scale * |a - b|) metres.
    scale: float = 1.0
    rounding: Rounding = Rounding.ROUND
    #: EUCLIDEAN and HAVERSINE: metres per second (duration = distance / speed).
    speed: float = 1.0
    #: HAVERSINE: straight line times this factor approximates the road.
    detour_factor: float = 1.3
    #: ROAD: id of the road graph; each vehicle uses its class's profile of it.
    graph: str = ""
    #: ROAD: a location farther than this from a usable road is an error (metres).
    max_snap: float = 500.0
