"""The reports domain's records: what a day's actuals are made of (the input) and what the reports say.

Times are aware datetimes (shown in Japan time), durations integer seconds, distances metres. The input
is assembled at the use-case edge (``server.reports.assemble``) from the plans and tracking ports, so
everything here can be built directly in tests from records.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from optimizer.checker.duty import DutyViolation
from optimizer.checker.result import Violation
from server.plans.records import Branch, Driver, Order, PlanRecord, RouteRecord, Vehicle
from server.tracking.model import Position, StopEvent

# ---------------------------------------------------------------- input


@dataclass(frozen=True)
class VehicleDay:
    """One vehicle's day: its planned route (None when it has none), positions and stop events."""

    vehicle: Vehicle
    driver: Driver | None
    route: RouteRecord | None
    positions: tuple[Position, ...] = ()
    events: tuple[StopEvent, ...] = ()


@dataclass(frozen=True)
class DayActuals:
    """A branch's day as recorded: the plan, the orders it names, and each vehicle's actuals."""

    organization: str
    branch: Branch
    date: datetime.date
    plan: PlanRecord
    orders: Mapping[str, Order]
    vehicles: tuple[VehicleDay, ...]
    #: Vehicles of the branch in service that day (the 稼働率 denominator).
    active_vehicles: int
    #: When the report is made: a day not over yet is provisional (途中経過).
    now: datetime.datetime


# ---------------------------------------------------------------- derived


@dataclass(frozen=True)
class Interval:
    """A span of the day: a break, a wait (荷待ち) or handling (荷役)."""

    kind: str  # BREAK, WAITING, LOADING, UNLOADING
    start: datetime.datetime
    end: datetime.datetime
    place: str
    order_id: str | None = None
    requested_by: str = ""
    #: True when the end was not recorded (the interval runs to the end of the duty).
    open: bool = False
    #: True when found from the track (a stop with no work recorded), not from a BREAK event.
    from_track: bool = False

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


@dataclass(frozen=True)
class StopActual:
    """A planned or added stop and what happened there."""

    order_id: str
    place: str
    sequence: int | None  # in the plan; None = added
    planned_arrival: datetime.datetime | None
    window_start: datetime.datetime | None
    window_end: datetime.datetime | None
    arrived: datetime.datetime | None
    departed: datetime.datetime | None
    outcome: str  # DELIVERED, FAILED, PENDING, SKIPPED
    failure_reason: str = ""
    failure_note: str = ""
    waiting_s: int = 0
    handling_s: int = 0
    weight_kg: float = 0.0
    late: bool = False
    requested_by: str = ""

    @property
    def dwell_s(self) -> int:
        if self.arrived is None or self.departed is None:
            return 0
        return int((self.departed - self.arrived).total_seconds())

    @property
    def wait_over_30(self) -> bool:
        return self.waiting_s >= 30 * 60

    @property
    def stop_over_30(self) -> bool:
        return self.dwell_s > 30 * 60

    @property
    def over_2h(self) -> bool:
        """荷待ち and 荷役 together over 2 hours (the 2024 guideline per delivery)."""
        return self.waiting_s + self.handling_s > 2 * 3600


@dataclass(frozen=True)
class VehicleReport:
    vehicle_id: str
    registration_number: str
    driver_id: str | None
    driver_name: str
    has_actuals: bool
    running: bool
    planned_m: int
    actual_m: int
    planned_s: int
    duty_start: datetime.datetime | None
    duty_end: datetime.datetime | None
    driving_s: int
    first_departure: datetime.datetime | None
    last_return: datetime.datetime | None
    start_place: str
    end_place: str
    stops: tuple[StopActual, ...]
    breaks: tuple[Interval, ...]
    handling: tuple[Interval, ...]
    waits: tuple[Interval, ...]
    #: 積載率 delivered (and planned) weight ÷ (payload × trips).
    load_factor: float | None
    planned_load_factor: float | None
    #: 実車率: share of the distance driven before the last delivery or failure.
    loaded_ratio: float | None
    added: tuple[str, ...]
    skipped: tuple[str, ...]
    detour_m: int
    violations: tuple[Violation, ...] = ()

    @property
    def restraint_s(self) -> int:
        if self.duty_start is None or self.duty_end is None:
            return 0
        return int((self.duty_end - self.duty_start).total_seconds())

    @property
    def on_time(self) -> int:
        return sum(1 for s in self.stops if s.outcome == "DELIVERED" and not s.late)

    @property
    def late(self) -> int:
        return sum(1 for s in self.stops if s.outcome == "DELIVERED" and s.late)

    @property
    def failed(self) -> int:
        return sum(1 for s in self.stops if s.outcome == "FAILED")

    @property
    def pending(self) -> int:
        return sum(1 for s in self.stops if s.outcome in ("PENDING", "SKIPPED"))

    @property
    def detour(self) -> bool:
        return self.detour_m > max(2000, self.planned_m // 10)


@dataclass(frozen=True)
class BranchDailyReport:
    organization: str
    branch_id: str
    branch_name: str
    date: datetime.date
    plan_id: str
    generated_at: datetime.datetime
    provisional: bool
    vehicles: tuple[VehicleReport, ...]
    active_vehicles: int
    #: Multi-day rules judged with this day (rest before it, 2-day average...).
    duty_violations: tuple[DutyViolation, ...] = ()

    @property
    def running_routes(self) -> tuple[str, ...]:
        return tuple(v.vehicle_id for v in self.vehicles if v.running)

    @property
    def utilisation(self) -> float | None:
        """稼働率: vehicles that drove ÷ vehicles in service."""
        if not self.active_vehicles:
            return None
        return sum(1 for v in self.vehicles if v.driving_s > 0) / self.active_vehicles


@dataclass(frozen=True)
class DriverMonth:
    driver_id: str
    driver_name: str
    days: int = 0
    restraint_s: int = 0
    driving_s: int = 0
    distance_m: int = 0
    delivered: int = 0
    late: int = 0
    failed: int = 0
    waiting_s: int = 0
    handling_s: int = 0
    violations: int = 0


@dataclass(frozen=True)
class MonthlySummary:
    organization: str
    branch_id: str
    branch_name: str
    month: datetime.date  # first day
    drivers: tuple[DriverMonth, ...]
    days_reported: int
    violations: tuple[DutyViolation | Violation, ...] = field(default_factory=tuple)

    @property
    def total(self) -> DriverMonth:
        f = self.drivers
        return DriverMonth(
            "", "合計", sum(d.days for d in f), sum(d.restraint_s for d in f), sum(d.driving_s for d in f),
            sum(d.distance_m for d in f), sum(d.delivered for d in f), sum(d.late for d in f),
            sum(d.failed for d in f), sum(d.waiting_s for d in f), sum(d.handling_s for d in f),
            sum(d.violations for d in f),
        )
