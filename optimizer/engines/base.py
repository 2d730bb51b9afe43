"""The one interface every routing engine implements, and what engines can model."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from optimizer.compiled import Compiled
from optimizer.model import Plan, TimeWindow


class Capability(enum.Enum):
    """A modelling feature; a problem needs a set of them, an engine offers a set."""

    MULTI_DIMENSIONAL_CAPACITY = "multi-dimensional capacity"
    TIME_WINDOWS = "time windows"
    MULTIPLE_TIME_WINDOWS = "several time windows per job"
    PICKUPS = "pickups returned to the depot"
    SHIPMENTS = "pickup-and-delivery shipments"
    OPTIONAL_JOBS = "optional jobs with a penalty"
    MULTIPLE_DEPOTS = "several depots / different start and end depots"
    HETEROGENEOUS_FLEET = "vehicles with different capacity, costs or shifts"
    VEHICLE_RESTRICTIONS = "allowed vehicle classes and required skills"
    MAX_DURATION = "maximum route duration"
    MAX_DISTANCE = "maximum route distance"
    MULTI_TRIP = "several trips per vehicle (reloading at the depot)"
    DURATION_COST = "per-hour cost"
    ROUTE_TIME_LIMITS = "shifts, depot hours or driving-time rules"


@dataclass(frozen=True, slots=True)
class Limits:
    """When to stop and how to seed the search.

    A run with ``max_iterations`` set and a generous ``time_limit`` is
    deterministic for a given seed.
    """

    time_limit: float = 10.0
    seed: int = 0
    max_iterations: int | None = None

    def __post_init__(self) -> None:
        if not self.time_limit > 0:
            raise ValueError("time_limit must be positive")
        if self.max_iterations is not None and self.max_iterations < 1:
            raise ValueError("max_iterations must be at least 1")


@dataclass(slots=True)
class EngineResult:
    plan: Plan
    #: Engine's own objective value (engine units), for progress and logs only.
    objective: float
    iterations: int
    #: Seconds from the start of ``solve`` to the first feasible plan, if any.
    first_feasible_seconds: float | None


#: Called with each improving *feasible* plan and the engine's objective for it.
OnImprovement = Callable[[Plan, float], None]
#: Polled by the engine; returning True asks it to stop and return its best plan.
ShouldStop = Callable[[], bool]


class Engine(Protocol):
    name: str
    capabilities: frozenset[Capability]

    def solve(
        self,
        compiled: Compiled,
        limits: Limits,
        on_improvement: OnImprovement | None = None,
        should_stop: ShouldStop | None = None,
    ) -> EngineResult:
        """Return the best plan found within ``limits``.

        Jobs with ``penalty is None`` must be served whenever possible; an
        engine may leave a job out only when it cannot fit it. Every hard
        constraint of the problem is respected by the returned plan, which the
        caller verifies independently with :mod:`optimizer.checker`.
        """
        ...


def required_capabilities(compiled: Compiled) -> frozenset[Capability]:
    """The capabilities an engine needs to solve ``compiled`` without dropping anything."""
    p = compiled.problem
    need: set[Capability] = set()
    if p.num_dimensions > 1:
        need.add(Capability.MULTI_DIMENSIONAL_CAPACITY)
    stops = [j.stop for j in p.jobs] + [s.pickup for s in p.shipments]
    stops += [s.delivery for s in p.shipments]
    if any(st.time_windows for st in stops):
        need.add(Capability.TIME_WINDOWS)
    if any(len(st.time_windows) > 1 for st in stops):
        need.add(Capability.MULTIPLE_TIME_WINDOWS)
    if any(j.kind.value == "PICKUP" for j in p.jobs):
        need.add(Capability.PICKUPS)
    if p.shipments:
        need.add(Capability.SHIPMENTS)
    items = list(p.jobs) + list(p.shipments)
    if any(i.penalty is not None for i in items):
        need.add(Capability.OPTIONAL_JOBS)
    if len(p.depots) > 1 or any(v.start_depot != v.end_depot for v in p.vehicles):
        need.add(Capability.MULTIPLE_DEPOTS)
    first = p.vehicles[0]
    if any(
        (v.capacity, v.shift, v.fixed_cost, v.cost_per_km, v.cost_per_hour)
        != (first.capacity, first.shift, first.fixed_cost, first.cost_per_km, first.cost_per_hour)
        for v in p.vehicles
    ):
        need.add(Capability.HETEROGENEOUS_FLEET)
    if any(i.allowed_vehicle_classes or i.required_skills for i in items):
        need.add(Capability.VEHICLE_RESTRICTIONS)
    if any(v.max_duration is not None for v in p.vehicles):
        need.add(Capability.MAX_DURATION)
    if any(v.max_distance is not None for v in p.vehicles):
        need.add(Capability.MAX_DISTANCE)
    if any(v.max_trips > 1 for v in p.vehicles):
        need.add(Capability.MULTI_TRIP)
    if any(v.cost_per_hour > 0 for v in p.vehicles):
        need.add(Capability.DURATION_COST)
    open_ = TimeWindow()
    if any(v.shift != open_ or v.rules is not None for v in p.vehicles) or any(
        d.time_window != open_ for d in p.depots
    ):
        need.add(Capability.ROUTE_TIME_LIMITS)
    return frozenset(need)


def vehicle_can_serve(
    compiled: Compiled, vehicle: int, classes: frozenset[str], skills: frozenset[str]
) -> bool:
    """Whether a vehicle's class and skills admit a job with these restrictions."""
    v = compiled.problem.vehicles[vehicle]
    if classes and v.vehicle_class not in classes:
        return False
    return skills <= v.skills
