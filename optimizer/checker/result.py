"""What the checker returns: the schedule of each route, the violations and the costs."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from optimizer.breaks import Break
from optimizer.model import Visit


class ViolationCode(enum.Enum):
    CAPACITY = "CAPACITY"
    TIME_WINDOW = "TIME_WINDOW"
    SHIFT = "SHIFT"
    MAX_DURATION = "MAX_DURATION"
    MAX_DISTANCE = "MAX_DISTANCE"
    VEHICLE_CLASS = "VEHICLE_CLASS"
    SKILL = "SKILL"
    DUPLICATE_VISIT = "DUPLICATE_VISIT"
    PICKUP_DELIVERY = "PICKUP_DELIVERY"
    UNKNOWN_VISIT = "UNKNOWN_VISIT"
    UNKNOWN_VEHICLE = "UNKNOWN_VEHICLE"
    VEHICLE_REUSED = "VEHICLE_REUSED"
    RELOAD_NOT_ALLOWED = "RELOAD_NOT_ALLOWED"
    REQUIRED_JOB_MISSING = "REQUIRED_JOB_MISSING"
    #: Driving-time rules (改善基準告示) of vehicles that carry a rule set.
    CONTINUOUS_DRIVING = "CONTINUOUS_DRIVING"
    RESTRAINT = "RESTRAINT"
    DAILY_DRIVING = "DAILY_DRIVING"
    #: Drivers named by routes (``RoutePlan.driver``).
    LICENCE = "LICENCE"
    DRIVER_REUSED = "DRIVER_REUSED"
    UNKNOWN_DRIVER = "UNKNOWN_DRIVER"
    DRIVER_MISSING = "DRIVER_MISSING"


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule, located as precisely as the rule allows."""

    code: ViolationCode
    message: str
    message_ja: str
    #: Index into ``plan.routes``.
    route: int | None = None
    #: Index into that route's steps (0 = START; visit k of the plan is step k + 1 when the
    #: route has no BREAK steps, later when breaks come before it).
    step: int | None = None
    job_id: str | None = None
    vehicle_id: str | None = None
    dimension: str | None = None
    #: The measured value (a load, a time, a duration, a count...).
    amount: int | None = None
    #: The bound it was checked against.
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One point of a computed schedule."""

    kind: str  # START, JOB, PICKUP, DELIVERY, RELOAD, BREAK, END
    visit: Visit | None
    node: int
    arrival: int
    #: Service start.
    start: int
    departure: int
    waiting: int
    #: Load on board after the step, one amount per dimension.
    load: tuple[int, ...]
    distance_from_previous: int
    duration_from_previous: int
    #: 0-based trip number (a reload starts the next trip).
    trip: int


@dataclass(frozen=True, slots=True)
class RouteResult:
    vehicle: int
    vehicle_id: str
    steps: tuple[Step, ...]
    start_time: int
    end_time: int
    duration: int
    distance: int
    travel_duration: int
    service_duration: int
    waiting_duration: int
    num_trips: int
    cost: float
    fixed_cost: float
    distance_cost: float
    duration_cost: float
    #: Breaks planned for the vehicle's driving rules (also present as BREAK steps).
    breaks: tuple[Break, ...] = ()
    break_duration: int = 0
    #: Id of the route's driver (``RoutePlan.driver``); empty when none is named.
    driver_id: str = ""


@dataclass(frozen=True, slots=True)
class CostBreakdown:
    fixed: float
    distance: float
    duration: float
    penalty: float
    total: float


@dataclass(frozen=True, slots=True)
class Evaluation:
    routes: tuple[RouteResult, ...]
    violations: tuple[Violation, ...]
    unassigned_jobs: tuple[int, ...]
    unassigned_shipments: tuple[int, ...]
    cost: CostBreakdown
    distance: int
    duration: int
    vehicles_used: int

    @property
    def is_feasible(self) -> bool:
        return not self.violations
