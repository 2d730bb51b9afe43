"""The routing problem, which validates itself when it is built.

Every check names the field path the caller used (``jobs[3].time_windows[0]``),
so the gRPC edge can turn a :class:`ModelError` into ``BadRequest`` violations.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from optimizer.licences import Licence
from optimizer.model.parts import (
    MAX_DEPOTS,
    MAX_DIMENSIONS,
    MAX_JOBS,
    MAX_TIME,
    MAX_VEHICLES,
    Depot,
    Driver,
    Job,
    Location,
    ModelError,
    Shipment,
    Stop,
    Travel,
    TravelMode,
    Vehicle,
)
from optimizer.rules import DrivingRules

Violations = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Problem:
    depots: tuple[Depot, ...]
    vehicles: tuple[Vehicle, ...]
    jobs: tuple[Job, ...] = ()
    shipments: tuple[Shipment, ...] = ()
    travel: Travel = field(default_factory=Travel)
    #: Names of the capacity dimensions, e.g. ("kg", "m3", "pallets").
    dimensions: tuple[str, ...] = ("units",)
    #: When non-empty, every used vehicle needs a distinct driver whose licence allows it.
    drivers: tuple[Driver, ...] = ()

    def __post_init__(self) -> None:
        validate(self)

    @property
    def num_dimensions(self) -> int:
        return len(self.dimensions)


def validate(problem: Problem) -> None:
    """Raise :class:`ModelError` listing every problem found, or return."""
    v: Violations = []
    p = problem
    if not p.depots:
        v.append(("depots", "at least one depot is required"))
    if not p.vehicles:
        v.append(("vehicles", "at least one vehicle is required"))
    if not p.jobs and not p.shipments:
        v.append(("jobs", "at least one job or shipment is required"))
    if len(p.depots) > MAX_DEPOTS:
        v.append(("depots", f"at most {MAX_DEPOTS} depots are accepted"))
    if len(p.vehicles) > MAX_VEHICLES:
        v.append(("vehicles", f"at most {MAX_VEHICLES} vehicles are accepted"))
    if len(p.jobs) + len(p.shipments) > MAX_JOBS:
        v.append(("jobs", f"at most {MAX_JOBS} jobs and shipments are accepted"))
    if not 1 <= len(p.dimensions) <= MAX_DIMENSIONS:
        v.append(("dimensions", f"between 1 and {MAX_DIMENSIONS} capacity dimensions"))
    if len(set(p.dimensions)) != len(p.dimensions):
        v.append(("dimensions", "dimension names must be unique"))
    if v:
        raise ModelError(v)

    _check_travel(p, v)
    _unique_ids(p, v)
    dims = p.num_dimensions
    for i, d in enumerate(p.depots):
        _check_location(p, d.location, f"depots[{i}].location", v)
        _check_window(d.time_window, f"depots[{i}].time_window", v)
        if d.reload_duration < 0:
            v.append((f"depots[{i}].reload_duration", "must not be negative"))
    for i, veh in enumerate(p.vehicles):
        f = f"vehicles[{i}]"
        if len(veh.capacity) != dims:
            v.append((f"{f}.capacity", f"needs {dims} values, one per dimension"))
        if any(c < 0 for c in veh.capacity):
            v.append((f"{f}.capacity", "must not be negative"))
        for name, idx in (("start_depot", veh.start_depot), ("end_depot", veh.end_depot)):
            if not 0 <= idx < len(p.depots):
                v.append((f"{f}.{name}", f"no depot with index {idx}"))
        _check_window(veh.shift, f"{f}.shift", v)
        for name in ("fixed_cost", "cost_per_km", "cost_per_hour"):
            val = getattr(veh, name)
            if not math.isfinite(val) or val < 0:
                v.append((f"{f}.{name}", "must be a finite number >= 0"))
        if veh.max_duration is not None and veh.max_duration <= 0:
            v.append((f"{f}.max_duration", "must be positive"))
        if veh.max_distance is not None and veh.max_distance <= 0:
            v.append((f"{f}.max_distance", "must be positive"))
        if veh.max_trips < 1:
            v.append((f"{f}.max_trips", "must be at least 1"))
        if veh.rules is not None:
            _check_rules(veh.rules, f"{f}.rules", v)
        for name in ("gross_weight_kg", "payload_kg"):
            if (getattr(veh, name) or 0) < 0:
                v.append((f"{f}.{name}", "must not be negative"))
    for i, drv in enumerate(p.drivers):
        if not isinstance(drv.licence, Licence):
            v.append((f"drivers[{i}].licence", "must be a Licence"))
        if drv.rules is not None:
            _check_rules(drv.rules, f"drivers[{i}].rules", v)
    for i, job in enumerate(p.jobs):
        f = f"jobs[{i}]"
        _check_stop(p, job.stop, f, v)
        _check_demand(job.demand, dims, f"{f}.demand", v)
        _check_penalty(job.penalty, f"{f}.penalty", v)
    for i, s in enumerate(p.shipments):
        f = f"shipments[{i}]"
        _check_stop(p, s.pickup, f"{f}.pickup", v)
        _check_stop(p, s.delivery, f"{f}.delivery", v)
        _check_demand(s.demand, dims, f"{f}.demand", v)
        _check_penalty(s.penalty, f"{f}.penalty", v)
    if v:
        raise ModelError(v)


def _check_rules(r: DrivingRules, f: str, v: Violations) -> None:
    bad: set[str] = set()
    for name in (
        "max_continuous_driving",
        "break_total",
        "break_min_part",
        "max_restraint",
        "hard_max_restraint",
        "max_daily_driving",
    ):
        val = getattr(r, name)
        if val is None:
            continue
        if val < 0:
            v.append((f"{f}.{name}", "must not be negative"))
            bad.add(name)
        elif val > MAX_TIME:
            v.append((f"{f}.{name}", f"must be at most {MAX_TIME}"))
            bad.add(name)
        elif val == 0 and name not in ("break_total", "break_min_part"):
            v.append((f"{f}.{name}", "must be positive"))
            bad.add(name)
    if bad:
        return
    if r.break_min_part > r.break_total:
        v.append((f"{f}.break_min_part", f"longer than break_total ({r.break_total} s)"))
    if r.break_total > r.max_restraint:
        v.append((f"{f}.break_total", f"longer than the restraint limit max_restraint ({r.max_restraint} s)"))
    if r.max_restraint > r.hard_max_restraint:
        v.append((f"{f}.max_restraint", f"exceeds hard_max_restraint ({r.hard_max_restraint} s)"))


def _unique_ids(p: Problem, v: Violations) -> None:
    for name, items in (
        ("depots", p.depots),
        ("vehicles", p.vehicles),
        ("jobs", p.jobs),
        ("shipments", p.shipments),
        ("drivers", p.drivers),
    ):
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if not item.id:
                v.append((f"{name}[{i}].id", "must not be empty"))
            elif item.id in seen:
                v.append((f"{name}[{i}].id", f"duplicates {name}[{seen[item.id]}].id"))
            else:
                seen[item.id] = i
    job_ids = {j.id for j in p.jobs}
    for i, s in enumerate(p.shipments):
        if s.id in job_ids:
            v.append((f"shipments[{i}].id", "is also the id of a job"))


def _check_travel(p: Problem, v: Violations) -> None:
    t = p.travel
    if t.mode is TravelMode.EXPLICIT:
        for name in ("durations", "distances"):
            m = getattr(t, name)
            if m is None:
                v.append((f"travel.{name}", "required for explicit travel"))
                continue
            if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] == 0:
                v.append((f"travel.{name}", f"must be a square matrix, got shape {m.shape}"))
            elif (m < 0).any():
                v.append((f"travel.{name}", "must not contain negative values"))
            elif (m > MAX_TIME).any():
                v.append((f"travel.{name}", f"values must be at most {MAX_TIME}"))
        if t.durations is not None and t.distances is not None:
            if t.durations.shape != t.distances.shape:
                v.append(("travel.distances", "must have the same shape as travel.durations"))
    elif t.mode is TravelMode.ROAD:
        if not t.graph:
            v.append(("travel.graph", "required for road travel"))
        if not (math.isfinite(t.max_snap) and t.max_snap > 0):
            v.append(("travel.max_snap", "must be a positive number of metres"))
        for i, veh in enumerate(p.vehicles):
            if not veh.vehicle_class:
                v.append((f"vehicles[{i}].vehicle_class", "required for road travel (e.g. 軽, 2t, 4t, 10t)"))
    else:
        if not (math.isfinite(t.speed) and t.speed > 0):
            v.append(("travel.speed", "must be a positive number (metres per second)"))
        if t.mode is TravelMode.EUCLIDEAN and not (math.isfinite(t.scale) and t.scale > 0):
            v.append(("travel.scale", "must be a positive number"))
        if t.mode is TravelMode.HAVERSINE and not (math.isfinite(t.detour_factor) and t.detour_factor >= 1):
            v.append(("travel.detour_factor", "must be at least 1"))


def _check_location(p: Problem, loc: Location, f: str, v: Violations) -> None:
    mode = p.travel.mode
    if mode is TravelMode.EXPLICIT:
        size = p.travel.durations.shape[0] if p.travel.durations is not None else 0
        if loc.matrix_index is None:
            v.append((f"{f}.matrix_index", "required for explicit travel matrices"))
        elif not 0 <= loc.matrix_index < size:
            v.append((f"{f}.matrix_index", f"must be in [0, {size})"))
    elif mode is TravelMode.EUCLIDEAN:
        if loc.x is None or loc.y is None:
            v.append((f, "x and y are required for Euclidean travel"))
        elif not (math.isfinite(loc.x) and math.isfinite(loc.y)):
            v.append((f, "x and y must be finite"))
    else:
        if loc.latitude is None or loc.longitude is None:
            v.append((f, f"latitude and longitude are required for {mode.value.lower()} travel"))
        else:
            if not -90 <= loc.latitude <= 90:
                v.append((f"{f}.latitude", "must be in [-90, 90]"))
            if not -180 <= loc.longitude <= 180:
                v.append((f"{f}.longitude", "must be in [-180, 180]"))


def _check_window(w: object, f: str, v: Violations) -> None:
    start, end = w.start, w.end  # type: ignore[attr-defined]
    if start < 0 or end < 0:
        v.append((f, "times must not be negative"))
    elif end < start:
        v.append((f, f"end ({end}) is before start ({start})"))
    elif end > MAX_TIME:
        v.append((f, f"end must be at most {MAX_TIME}"))


def _check_stop(p: Problem, s: Stop, f: str, v: Violations) -> None:
    _check_location(p, s.location, f"{f}.location", v)
    if s.service_duration < 0:
        v.append((f"{f}.service_duration", "must not be negative"))
    for k, w in enumerate(s.time_windows):
        _check_window(w, f"{f}.time_windows[{k}]", v)
    ws = sorted(s.time_windows, key=lambda w: w.start)
    for a, b in itertools.pairwise(ws):
        if b.start <= a.end:
            v.append((f"{f}.time_windows", "windows must not overlap"))
            break


def _check_demand(demand: tuple[int, ...], dims: int, f: str, v: Violations) -> None:
    if demand and len(demand) != dims:
        v.append((f, f"needs {dims} values, one per dimension (or none)"))
    for k, d in enumerate(demand):
        if d < 0:
            v.append((f"{f}[{k}]", "must not be negative"))


def _check_penalty(penalty: float | None, f: str, v: Violations) -> None:
    if penalty is not None and (not math.isfinite(penalty) or penalty < 0):
        v.append((f, "must be a finite number >= 0"))
