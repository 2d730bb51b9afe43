"""Requests in: the hakobu.optimizer.v1 messages a caller sends → the optimizer model.

Only this module and ``results`` (answers out) know the wire format. Errors are
:class:`ModelError` with field paths as the caller wrote them
(``problem.jobs[3].time_windows[0]``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
from google.protobuf import duration_pb2, timestamp_pb2

from hakobu.optimizer.v1 import optimizer_pb2 as pb
from optimizer.licences import parse_licence
from optimizer.model import (
    MAX_TIME,
    Depot,
    Driver,
    Job,
    JobKind,
    Location,
    ModelError,
    NodeKind,
    Plan,
    Problem,
    Rounding,
    RoutePlan,
    Shipment,
    Stop,
    TimeWindow,
    Travel,
    TravelMode,
    Vehicle,
    Visit,
)
from optimizer.rules import DrivingRules
from optimizer.solve import SolveOptions

MAX_MATRIX_SIZE = 6_000
ENGINE_NAMES = {
    pb.ENGINE_UNSPECIFIED: "auto",
    pb.ENGINE_AUTO: "auto",
    pb.ENGINE_PYVRP: "pyvrp",
    pb.ENGINE_ORTOOLS: "ortools",
    pb.ENGINE_HGS: "hgs",
}
ROUNDING = {
    pb.ROUNDING_UNSPECIFIED: Rounding.ROUND,
    pb.ROUNDING_ROUND: Rounding.ROUND,
    pb.ROUNDING_TRUNCATE: Rounding.TRUNCATE,
    pb.ROUNDING_CEIL: Rounding.CEIL,
}


#: google.protobuf.Duration's range (about ±10,000 years) and Timestamp's (0001-01-01 … 9999-12-31).
MAX_DURATION_SECONDS = 315_576_000_000
MIN_TIMESTAMP_SECONDS, MAX_TIMESTAMP_SECONDS = -62_135_596_800, 253_402_300_799


def duration_problem(d: duration_pb2.Duration) -> str | None:
    """Why ``d`` is not a valid Duration (its seconds and nanos disagree in sign, nanos out of
    ±999,999,999, or beyond ±10,000 years), or None when it is one."""
    if abs(d.seconds) > MAX_DURATION_SECONDS or abs(d.nanos) > 999_999_999:
        return "not a valid Duration: seconds within ±315576000000 and nanos within ±999999999"
    if (d.seconds > 0 and d.nanos < 0) or (d.seconds < 0 and d.nanos > 0):
        return "not a valid Duration: seconds and nanos must have the same sign"
    return None


def timestamp_problem(t: timestamp_pb2.Timestamp) -> str | None:
    """Why ``t`` is not a valid Timestamp (0001-01-01 … 9999-12-31, nanos in [0, 1e9)), or None."""
    if not MIN_TIMESTAMP_SECONDS <= t.seconds <= MAX_TIMESTAMP_SECONDS or not 0 <= t.nanos <= 999_999_999:
        return "not a valid Timestamp: 0001-01-01T00:00:00Z … 9999-12-31T23:59:59Z, nanos in [0, 999999999]"
    return None


#: Haversine travel: the speeds (km/h) and detour factors a truck's day can be planned with.
MIN_SPEED_KMH, MAX_SPEED_KMH, MAX_DETOUR = 0.1, 300.0, 10.0

#: The model's field names → the request's, where they differ (the model validates itself and names
#: its own fields; callers must see the paths of the message they sent).
_WIRE_PATHS = (
    (re.compile(r"^vehicles\[(\d+)\]\.rules\b"), r"vehicles[\1].driving_rules"),
    (re.compile(r"^vehicles\[(\d+)\]\.max_distance$"), r"vehicles[\1].max_distance_meters"),
    (re.compile(r"^vehicles\[(\d+)\]\.(start|end)_depot$"), r"vehicles[\1].\2_depot_id"),
    (re.compile(r"\.location\.(latitude|longitude)$"), r".location.lat_lng.\1"),
    (re.compile(r"^dimensions$"), "capacity_dimensions"),
)
_TRAVEL_PATHS: dict[TravelMode, dict[str, str]] = {
    TravelMode.HAVERSINE: {
        "travel.speed": "travel.haversine.speed_kilometers_per_hour",
        "travel.detour_factor": "travel.haversine.detour_factor",
    },
    TravelMode.EUCLIDEAN: {
        "travel.speed": "travel.euclidean.speed_meters_per_second",
        "travel.scale": "travel.euclidean.scale",
    },
    TravelMode.ROAD: {"travel.graph": "travel.road.graph", "travel.max_snap": "travel.road.max_snap_meters"},
    TravelMode.EXPLICIT: {
        "travel.durations": "travel.matrices.durations_seconds",
        "travel.distances": "travel.matrices.distances_meters",
    },
}


def wire_path(path: str, travel: TravelMode) -> str:
    """The request's path (``travel.haversine.speed_kilometers_per_hour``) for a field the model names
    its own way (``travel.speed``); other paths are returned as they are."""
    path = _TRAVEL_PATHS.get(travel, {}).get(path, path)
    for pattern, replacement in _WIRE_PATHS:
        path = pattern.sub(replacement, path)
    return path


def _seconds(d: duration_pb2.Duration) -> int:
    return d.seconds + (1 if d.nanos >= 500_000_000 else 0)


def _duration(seconds: float) -> duration_pb2.Duration:
    out = duration_pb2.Duration()
    out.FromNanoseconds(round(seconds * 1e9))
    return out


class _Reader:
    """Collects every violation instead of stopping at the first."""

    def __init__(self) -> None:
        self.violations: list[tuple[str, str]] = []

    def bad(self, field: str, message: str) -> None:
        self.violations.append((field, message))

    def window(self, w: pb.TimeWindow, present: bool, field: str) -> TimeWindow:
        if not present:
            return TimeWindow()
        start = self.seconds(w.start_offset, f"{field}.start_offset")
        end = self.seconds(w.end_offset, f"{field}.end_offset") if w.HasField("end_offset") else MAX_TIME
        return TimeWindow(start, end)

    def seconds(self, d: duration_pb2.Duration, field: str) -> int:
        """A Duration in whole seconds; a malformed one is a violation (and 0)."""
        problem = duration_problem(d)
        if problem is not None:
            self.bad(field, problem)
            return 0
        return _seconds(d)

    def enum(self, value: int, enum: Any, field: str) -> bool:
        """Whether ``value`` is a value of ``enum``; a violation when it is not."""
        if value in enum.values():
            return True
        self.bad(field, f"unknown value {value}; expected one of {', '.join(enum.keys())}")
        return False

    def location(self, loc: pb.Location, present: bool, field: str) -> Location:
        if not present or loc.WhichOneof("position") is None:
            self.bad(field, "a location is required (lat_lng, point or matrix_index)")
            return Location()
        which = loc.WhichOneof("position")
        if which == "lat_lng":
            return Location(latitude=loc.lat_lng.latitude, longitude=loc.lat_lng.longitude)
        if which == "point":
            return Location(x=loc.point.x, y=loc.point.y)
        return Location(matrix_index=loc.matrix_index)

    def windows(self, ws: Iterable[pb.TimeWindow], field: str) -> tuple[TimeWindow, ...]:
        return tuple(self.window(w, True, f"{field}[{k}]") for k, w in enumerate(ws))

    def duration(self, d: duration_pb2.Duration, field: str) -> int:
        s = self.seconds(d, field)
        if s < 0:
            self.bad(field, "must not be negative")
            return 0
        return s

    def penalty(self, msg: pb.Job | pb.Shipment, field: str) -> float | None:
        if not msg.HasField("penalty"):
            return None
        if not math.isfinite(msg.penalty) or msg.penalty < 0:
            self.bad(field, "must be a finite number >= 0")
            return 0.0
        return msg.penalty


def problem_from_proto(msg: pb.Problem, prefix: str = "problem") -> Problem:
    """Build and validate a :class:`Problem`; raise ModelError naming fields."""
    r = _Reader()
    if not msg.depots and not msg.vehicles and not msg.jobs and not msg.shipments:
        raise ModelError([(prefix, "the problem is empty: give depots, vehicles and jobs")])
    if msg.HasField("time_origin"):
        problem = timestamp_problem(msg.time_origin)
        if problem is None and msg.time_origin.seconds + MAX_TIME > MAX_TIMESTAMP_SECONDS:
            problem = "too late: every time of the plan must fall before 9999-12-31"
        if problem is not None:
            r.bad(f"{prefix}.time_origin", problem)
    dims = tuple(msg.capacity_dimensions) or ("units",)
    travel = _travel(msg.travel, msg.HasField("travel"), f"{prefix}.travel", r)
    depots = tuple(
        Depot(
            id=d.id,
            location=r.location(d.location, d.HasField("location"), f"{prefix}.depots[{i}].location"),
            time_window=r.window(
                d.time_window, d.HasField("time_window"), f"{prefix}.depots[{i}].time_window"
            ),
            reload_duration=r.duration(d.reload_duration, f"{prefix}.depots[{i}].reload_duration"),
        )
        for i, d in enumerate(msg.depots)
    )
    depot_index = {d.id: i for i, d in enumerate(depots)}
    vehicles = []
    for i, v in enumerate(msg.vehicles):
        f = f"{prefix}.vehicles[{i}]"
        ends = []
        for name, ref in (("start_depot_id", v.start_depot_id), ("end_depot_id", v.end_depot_id)):
            if ref and ref not in depot_index:
                r.bad(f"{f}.{name}", f"no depot with id {ref!r}")
            ends.append(depot_index.get(ref, 0))
        vehicles.append(
            Vehicle(
                id=v.id,
                capacity=tuple(v.capacity) if v.capacity else (0,) * len(dims),
                start_depot=ends[0],
                end_depot=ends[1] if v.end_depot_id else ends[0],
                shift=r.window(v.shift, v.HasField("shift"), f"{f}.shift"),
                fixed_cost=v.fixed_cost,
                cost_per_km=v.cost_per_km if v.HasField("cost_per_km") else 1.0,
                cost_per_hour=v.cost_per_hour,
                max_duration=r.duration(v.max_duration, f"{f}.max_duration") or None
                if v.HasField("max_duration")
                else None,
                max_distance=v.max_distance_meters or None,
                vehicle_class=v.vehicle_class,
                skills=frozenset(v.skills),
                max_trips=v.max_trips or 1,
                rules=_rules(v.driving_rules, f"{f}.driving_rules", r)
                if v.HasField("driving_rules") else None,
                gross_weight_kg=v.gross_weight_kg or None,
                payload_kg=v.payload_kg or None,
            )
        )
        for name in ("gross_weight_kg", "payload_kg"):
            if getattr(v, name) < 0:
                r.bad(f"{f}.{name}", "must not be negative")
        if not v.capacity:
            r.bad(f"{f}.capacity", f"required: {len(dims)} value(s), one per capacity dimension")
        if v.max_distance_meters < 0:
            r.bad(f"{f}.max_distance_meters", "must not be negative")
        if v.max_trips < 0:
            r.bad(f"{f}.max_trips", "must not be negative")
    jobs = []
    for i, j in enumerate(msg.jobs):
        f = f"{prefix}.jobs[{i}]"
        r.enum(j.type, pb.Job.Type, f"{f}.type")
        jobs.append(
            Job(
                id=j.id,
                stop=Stop(
                    location=r.location(j.location, j.HasField("location"), f"{f}.location"),
                    service_duration=r.duration(j.service_duration, f"{f}.service_duration"),
                    time_windows=r.windows(j.time_windows, f"{f}.time_windows"),
                ),
                kind=JobKind.PICKUP if j.type == pb.Job.PICKUP else JobKind.DELIVERY,
                demand=tuple(j.demand),
                allowed_vehicle_classes=frozenset(j.allowed_vehicle_classes),
                required_skills=frozenset(j.required_skills),
                penalty=r.penalty(j, f"{f}.penalty"),
            )
        )
    shipments = []
    for i, s in enumerate(msg.shipments):
        f = f"{prefix}.shipments[{i}]"
        stops = []
        for end in ("pickup", "delivery"):
            st = getattr(s, end)
            stops.append(
                Stop(
                    location=r.location(st.location, st.HasField("location"), f"{f}.{end}.location"),
                    service_duration=r.duration(st.service_duration, f"{f}.{end}.service_duration"),
                    time_windows=r.windows(st.time_windows, f"{f}.{end}.time_windows"),
                )
            )
        shipments.append(
            Shipment(
                id=s.id,
                pickup=stops[0],
                delivery=stops[1],
                demand=tuple(s.demand),
                allowed_vehicle_classes=frozenset(s.allowed_vehicle_classes),
                required_skills=frozenset(s.required_skills),
                penalty=r.penalty(s, f"{f}.penalty"),
            )
        )
    drivers = _drivers(msg, prefix, r)
    try:
        problem = Problem(
            depots=depots,
            vehicles=tuple(vehicles),
            jobs=tuple(jobs),
            shipments=tuple(shipments),
            travel=travel,
            dimensions=dims,
            drivers=drivers,
        )
    except ModelError as exc:
        # Report conversion and model problems together, each field once.
        seen = {f for f, _ in r.violations}
        more = [(f"{prefix}.{wire_path(f, travel.mode)}", m) for f, m in exc.violations]
        raise ModelError(r.violations + [(f, m) for f, m in more if f not in seen]) from None
    if r.violations:
        raise ModelError(r.violations)
    return problem


def _drivers(msg: pb.Problem, prefix: str, r: _Reader) -> tuple[Driver, ...]:
    out = []
    for i, d in enumerate(msg.drivers):
        try:
            licence = parse_licence(d.licence)
        except ValueError as exc:
            r.bad(f"{prefix}.drivers[{i}].licence", str(exc))
            continue
        field = f"{prefix}.drivers[{i}].driving_rules"
        rules = _rules(d.driving_rules, field, r) if d.HasField("driving_rules") else None
        out.append(Driver(id=d.id, licence=licence, rules=rules))
    return tuple(out)


def _rules(msg: pb.DrivingRules, field: str, r: _Reader) -> DrivingRules:
    """The 2024 truck rules, with the fields the caller set overriding them."""
    base = DrivingRules()

    def dur(name: str, default: int) -> int:
        return r.seconds(getattr(msg, name), f"{field}.{name}") if msg.HasField(name) else default

    return DrivingRules(
        max_continuous_driving=dur("max_continuous_driving", base.max_continuous_driving),
        break_total=dur("break_total", base.break_total),
        break_min_part=dur("break_min_part", base.break_min_part),
        max_restraint=dur("max_restraint", base.max_restraint),
        hard_max_restraint=dur("hard_max_restraint", base.hard_max_restraint),
        max_daily_driving=dur("max_daily_driving", 0) or None
        if msg.HasField("max_daily_driving")
        else base.max_daily_driving,
        enabled=not msg.off,
        wait_counts_as_break=msg.wait_counts_as_break,
    )


def _travel(t: pb.Travel, present: bool, field: str, r: _Reader) -> Travel:
    which = t.WhichOneof("method") if present else None
    if which is None or which == "euclidean":
        e = t.euclidean
        r.enum(e.rounding, pb.Rounding, f"{field}.euclidean.rounding")
        return Travel(
            mode=TravelMode.EUCLIDEAN,
            scale=e.scale or 1.0,
            rounding=ROUNDING.get(e.rounding, Rounding.ROUND),
            speed=e.speed_meters_per_second or 1.0,
        )
    if which == "road":
        rd = t.road
        if not rd.graph:
            r.bad(f"{field}.road.graph", "required: the id of a road graph")
        if rd.max_snap_meters < 0:
            r.bad(f"{field}.road.max_snap_meters", "must not be negative")
        return Travel(mode=TravelMode.ROAD, graph=rd.graph, max_snap=rd.max_snap_meters or 500.0)
    if which == "haversine":
        h = t.haversine
        speed, detour = h.speed_kilometers_per_hour, h.detour_factor
        if speed and not (math.isfinite(speed) and MIN_SPEED_KMH <= speed <= MAX_SPEED_KMH):
            r.bad(f"{field}.haversine.speed_kilometers_per_hour",
                  f"must be {MIN_SPEED_KMH:g} to {MAX_SPEED_KMH:g} km/h (or unset: 30), got {speed:g}")
        if detour and not (math.isfinite(detour) and 1 <= detour <= MAX_DETOUR):
            r.bad(f"{field}.haversine.detour_factor",
                  f"must be 1 to {MAX_DETOUR:g} (or unset: 1.3), got {detour:g}")
        return Travel(
            mode=TravelMode.HAVERSINE,
            speed=(h.speed_kilometers_per_hour or 30.0) / 3.6,
            detour_factor=h.detour_factor or 1.3,
        )
    m = t.matrices
    n = m.size
    if not 0 < n <= MAX_MATRIX_SIZE:
        r.bad(f"{field}.matrices.size", f"must be in [1, {MAX_MATRIX_SIZE}]")
        return Travel(mode=TravelMode.EXPLICIT, durations=np.zeros((1, 1)), distances=np.zeros((1, 1)))
    mats = []
    for name in ("durations_seconds", "distances_meters"):
        values = getattr(m, name)
        if len(values) != n * n:
            r.bad(f"{field}.matrices.{name}", f"expected size × size = {n * n} values, got {len(values)}")
            mats.append(np.zeros((n, n), dtype=np.int64))
        else:
            mats.append(np.asarray(values, dtype=np.int64).reshape(n, n))
    return Travel(mode=TravelMode.EXPLICIT, durations=mats[0], distances=mats[1])


def options_from_proto(params: pb.SolveParameters, default_parallelism: int) -> SolveOptions:
    v: list[tuple[str, str]] = []
    limit = 10.0
    if params.HasField("time_limit"):
        limit = params.time_limit.seconds + params.time_limit.nanos / 1e9
        if duration_problem(params.time_limit) is not None or not 0 < limit <= 3600:
            v.append(("parameters.time_limit", "must be in (0 s, 3600 s]"))
    if params.engine not in ENGINE_NAMES:
        v.append(("parameters.engine", "unknown engine"))
    if params.max_iterations < 0:
        v.append(("parameters.max_iterations", "must not be negative"))
    if params.parallelism < 0 or params.parallelism > 16:
        v.append(("parameters.parallelism", "must be in [0, 16]"))
    if v:
        raise ModelError(v)
    return SolveOptions(
        engine=ENGINE_NAMES[params.engine],
        time_limit=limit,
        seed=params.seed,
        max_iterations=params.max_iterations or None,
        parallelism=params.parallelism or default_parallelism,
    )


def plan_from_proto(problem: Problem, routes: Iterable[pb.PlannedRoute], prefix: str = "routes") -> Plan:
    """A caller's plan, by ids. Unknown ids are field violations."""
    v: list[tuple[str, str]] = []
    vehicles = {veh.id: i for i, veh in enumerate(problem.vehicles)}
    jobs = {j.id: i for i, j in enumerate(problem.jobs)}
    ships = {s.id: i for i, s in enumerate(problem.shipments)}
    depots = {d.id: i for i, d in enumerate(problem.depots)}
    drivers = {d.id: i for i, d in enumerate(problem.drivers)}
    out: list[RoutePlan] = []
    for ri, r in enumerate(routes):
        if r.vehicle_id not in vehicles:
            v.append((f"{prefix}[{ri}].vehicle_id", f"no vehicle with id {r.vehicle_id!r}"))
            continue
        visits: list[Visit] = []
        for k, pv in enumerate(r.visits):
            f = f"{prefix}[{ri}].visits[{k}]"
            t = pv.type
            if t not in pb.Step.Type.values():
                known = ", ".join(pb.Step.Type.keys())
                v.append((f"{f}.type", f"unknown value {t}; expected one of {known}"))
                continue
            if t == pb.Step.BREAK:
                continue  # breaks are placed by the checker from the driving-time rules
            if t in (pb.Step.DELIVERY, pb.Step.PICKUP, pb.Step.TYPE_UNSPECIFIED) and pv.id in jobs:
                visits.append(Visit(NodeKind.JOB, jobs[pv.id]))
            elif t == pb.Step.SHIPMENT_PICKUP and pv.id in ships:
                visits.append(Visit(NodeKind.PICKUP, ships[pv.id]))
            elif t == pb.Step.SHIPMENT_DELIVERY and pv.id in ships:
                visits.append(Visit(NodeKind.DELIVERY, ships[pv.id]))
            elif t == pb.Step.RELOAD and pv.id in depots:
                visits.append(Visit(NodeKind.DEPOT, depots[pv.id]))
            else:
                v.append((f"{f}.id", f"no {pb.Step.Type.Name(t).lower()} with id {pv.id!r}"))
        driver: int | None = None
        if r.driver_id:
            if r.driver_id not in drivers:
                v.append((f"{prefix}[{ri}].driver_id", f"no driver with id {r.driver_id!r}"))
            driver = drivers.get(r.driver_id)
        out.append(RoutePlan(vehicles[r.vehicle_id], visits, driver))
    if v:
        raise ModelError(v)
    return Plan(out)


# Answers out live in ``results``; their names stay importable from here.
from optimizer.service.results import (  # noqa: E402
    route_to_proto,
    solution_to_proto,
    stats_to_proto,
    unassigned_to_proto,
    violation_to_proto,
)

__all__ = [
    "options_from_proto", "plan_from_proto", "problem_from_proto", "route_to_proto", "solution_to_proto",
    "stats_to_proto", "unassigned_to_proto", "violation_to_proto",
]
