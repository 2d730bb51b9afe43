"""The fleet as PyVRP sees it (vehicle types, depots, restrictions as load dimensions) and which
items some vehicle could serve at all."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from pyvrp import Depot, VehicleType

from optimizer.compiled import Compiled
from optimizer.engines import objective
from optimizer.engines.base import vehicle_can_serve
from optimizer.model import MAX_TIME, JobKind, TimeWindow

#: Stand-in for "no upper bound" in the servability checks.
UNBOUNDED = 2**62


# --------------------------------------------------------------------------
# Vehicle restrictions as extra load dimensions
# --------------------------------------------------------------------------


@dataclasses.dataclass
class Compat:
    """``allowed_vehicle_classes`` / ``required_skills`` as extra capacity dimensions.

    Items admitting the same set of vehicles share a dimension; each carries
    one unit of it, and a vehicle's capacity in it is zero when it may not
    serve them (so serving one is an excess load, which is infeasible) and the
    number of such items otherwise.
    """

    #: Extra dimension of each job and shipment, -1 when every vehicle may serve it.
    job_dim: np.ndarray
    ship_dim: np.ndarray
    #: Capacity of each vehicle in each extra dimension.
    vehicle_caps: list[tuple[int, ...]]

    @property
    def num_dims(self) -> int:
        return len(self.vehicle_caps[0]) if self.vehicle_caps else 0


def _compat(compiled: Compiled) -> Compat:
    p = compiled.problem
    kinds: dict[tuple[str, frozenset[str]], int] = {}  # vehicle (class, skills) -> a vehicle
    for v, veh in enumerate(p.vehicles):
        kinds.setdefault((veh.vehicle_class, veh.skills), v)
    everyone = frozenset(kinds)
    dim_of: dict[frozenset[tuple[str, frozenset[str]]], int] = {}
    rule_dim: dict[tuple[frozenset[str], frozenset[str]], int] = {}
    counts: list[int] = []

    def dim(classes: frozenset[str], skills: frozenset[str]) -> int:
        if not classes and not skills:
            return -1
        if (classes, skills) not in rule_dim:
            allowed = frozenset(
                k for k, v in kinds.items() if vehicle_can_serve(compiled, v, classes, skills)
            )
            if allowed == everyone:
                rule_dim[classes, skills] = -1
            else:
                rule_dim[classes, skills] = dim_of.setdefault(allowed, len(dim_of))
                counts.extend([0] * (len(dim_of) - len(counts)))
        k = rule_dim[classes, skills]
        if k >= 0:
            counts[k] += 1
        return k

    job_dim = np.array([dim(j.allowed_vehicle_classes, j.required_skills) for j in p.jobs], dtype=np.int64)
    ship_dim = np.array(
        [dim(s.allowed_vehicle_classes, s.required_skills) for s in p.shipments], dtype=np.int64
    )
    caps = []
    for veh in p.vehicles:
        kind = (veh.vehicle_class, veh.skills)
        caps.append(tuple(counts[k] if kind in allowed else 0 for allowed, k in dim_of.items()))
    return Compat(job_dim, ship_dim, caps)


# --------------------------------------------------------------------------
# Fleet: vehicle types, depots and travel profiles (shared by both phases)
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class TypeKey:
    """Everything PyVRP distinguishes about a vehicle; equal keys share a type."""

    capacity: tuple[int, ...]
    compat: tuple[int, ...]  # capacity in the restriction dimensions
    start: int
    end: int
    tw_early: int
    tw_late: int
    max_duration: int | None
    max_distance: int | None
    fixed: int
    unit_distance: int
    unit_duration: int
    profile: int
    max_trips: int


@dataclasses.dataclass
class Fleet:
    keys: list[TypeKey]
    #: Problem vehicle indices behind each vehicle type.
    members: list[list[int]]
    vehicle_types: list[VehicleType]
    depots: list[Depot]
    #: Problem depot of each PyVRP depot (reload copies follow the real depots).
    depot_of: list[int]
    distances: list[np.ndarray]
    durations: list[np.ndarray]
    compat: Compat


def _clean(matrix: np.ndarray) -> np.ndarray:
    """An int64 C-contiguous matrix with a zero diagonal, as PyVRP requires."""
    m = np.ascontiguousarray(matrix, dtype=np.int64)
    if np.any(np.diagonal(m)):
        m = m.copy()
        np.fill_diagonal(m, 0)
    return m


def build_fleet(compiled: Compiled) -> Fleet:
    p = compiled.problem
    compat = _compat(compiled)
    members: dict[TypeKey, list[int]] = {}
    for v, veh in enumerate(p.vehicles):
        early = max(veh.shift.start, p.depots[veh.start_depot].time_window.start)
        late = min(veh.shift.end, p.depots[veh.end_depot].time_window.end)
        if early > late:
            continue  # the shift and the depot hours never overlap: unusable
        key = TypeKey(
            capacity=tuple(veh.capacity),
            compat=compat.vehicle_caps[v],
            start=veh.start_depot,
            end=veh.end_depot,
            tw_early=early,
            tw_late=late,
            max_duration=veh.max_duration,
            max_distance=veh.max_distance,
            fixed=objective.fixed_weight(veh),
            unit_distance=objective.distance_weight(veh),
            unit_duration=objective.duration_weight(veh),
            profile=compiled.vehicle_profile[v],
            max_trips=veh.max_trips,
        )
        members.setdefault(key, []).append(v)

    depots = [Depot(location=d) for d in range(len(p.depots))]
    depot_of = list(range(len(p.depots)))
    reload_copy: dict[int, int] = {}
    for key in members:
        if key.max_trips > 1 and key.start not in reload_copy:
            dep = p.depots[key.start]
            reload_copy[key.start] = len(depots)
            depots.append(
                Depot(
                    location=key.start, service_duration=dep.reload_duration, **window_kwargs(dep.time_window)
                )
            )
            depot_of.append(key.start)
    keys = list(members)
    return Fleet(
        keys=keys,
        members=[members[k] for k in keys],
        vehicle_types=[_vehicle_type(k, len(members[k]), reload_copy.get(k.start)) for k in keys],
        depots=depots,
        depot_of=depot_of,
        distances=[_clean(m) for m in compiled.distances],
        durations=[_clean(m) for m in compiled.durations],
        compat=compat,
    )


def window_kwargs(window: TimeWindow | None, prefix: str = "tw_") -> dict[str, int]:
    """Keyword arguments for a time window, leaving unbounded ends at PyVRP's defaults.

    Passing finite bounds that never bind would make PyVRP treat the instance
    as one with time windows, which changes (and slows) its search.
    """
    out: dict[str, int] = {}
    if window is not None and window.start > 0:
        out[prefix + "early"] = window.start
    if window is not None and window.end < MAX_TIME:
        out[prefix + "late"] = window.end
    return out


def _vehicle_type(key: TypeKey, count: int, reload_depot: int | None) -> VehicleType:
    kw: dict[str, object] = {}
    if key.tw_early > 0:
        kw["tw_early"] = key.tw_early
    if key.tw_late < MAX_TIME:
        kw["tw_late"] = key.tw_late
    if key.max_duration is not None:
        kw["shift_duration"] = key.max_duration
    if key.max_distance is not None:
        kw["max_distance"] = key.max_distance
    if key.max_trips > 1 and reload_depot is not None:
        kw["reload_depots"] = [reload_depot]
        kw["max_reloads"] = key.max_trips - 1
    return VehicleType(
        num_available=count,
        capacity=[*key.capacity, *key.compat],
        start_depot=key.start,
        end_depot=key.end,
        fixed_cost=key.fixed,
        unit_distance_cost=key.unit_distance,
        unit_duration_cost=key.unit_duration,
        profile=key.profile,
        **kw,  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------
# Which items can be served at all (cheap necessary conditions)
# --------------------------------------------------------------------------


def _bounds(windows: Sequence[TimeWindow]) -> list[tuple[int, int]]:
    if not windows:
        return [(0, UNBOUNDED)]
    return [(w.start, w.end if w.end < MAX_TIME else UNBOUNDED) for w in windows]


def shipment_windows(
    pickup: Sequence[TimeWindow], delivery: Sequence[TimeWindow]
) -> tuple[TimeWindow | None, TimeWindow | None]:
    """PyVRP gives each shipment end one window: the earliest pickup and the latest delivery one."""
    pick = min(pickup, key=lambda w: w.start) if pickup else None
    drop = max(delivery, key=lambda w: w.start) if delivery else None
    return pick, drop


def _demands(demands: Sequence[tuple[int, ...]], dims: int) -> np.ndarray:
    return np.array([list(dm) if dm else [0] * dims for dm in demands], dtype=np.int64).reshape(-1, dims)


def servable(compiled: Compiled, fleet: Fleet) -> tuple[np.ndarray, np.ndarray]:
    """Jobs and shipments that some vehicle type could serve on a route of its own.

    These are necessary conditions (capacity, restrictions, reaching a time
    window and getting back in time, duration and distance of the direct
    route; the last three assume travel obeys the triangle inequality).
    """
    p = compiled.problem
    d, nj, ns = len(p.depots), len(p.jobs), len(p.shipments)
    dims = p.num_dimensions
    job_ok = np.zeros(nj, dtype=bool)
    ship_ok = np.zeros(ns, dtype=bool)

    rows = [(j, a, b) for j, job in enumerate(p.jobs) for a, b in _bounds(job.stop.time_windows)]
    row_job = np.array([r[0] for r in rows], dtype=np.int64)
    row_node = row_job + d
    row_a = np.array([r[1] for r in rows], dtype=np.int64)
    row_b = np.array([r[2] for r in rows], dtype=np.int64)
    row_svc = np.array([job.stop.service_duration for job in p.jobs], dtype=np.int64)[row_job]
    job_dem = _demands([job.demand for job in p.jobs], dims)

    windows = [shipment_windows(s.pickup.time_windows, s.delivery.time_windows) for s in p.shipments]
    pick = np.array([_bounds([w] if w else [])[0] for w, _ in windows], dtype=np.int64).reshape(-1, 2)
    drop = np.array([_bounds([w] if w else [])[0] for _, w in windows], dtype=np.int64).reshape(-1, 2)
    pn = np.arange(ns, dtype=np.int64) + d + nj
    dn = pn + ns
    ps = np.array([s.pickup.service_duration for s in p.shipments], dtype=np.int64)
    ds = np.array([s.delivery.service_duration for s in p.shipments], dtype=np.int64)
    ship_dem = _demands([s.demand for s in p.shipments], dims)

    for key in fleet.keys:
        dur, dist = fleet.durations[key.profile], fleet.distances[key.profile]
        cap = np.array(key.capacity, dtype=np.int64)
        allowed = np.array([*(c > 0 for c in key.compat), True])  # index -1: unrestricted
        late = key.tw_late if key.tw_late < MAX_TIME else UNBOUNDED
        max_dur = UNBOUNDED if key.max_duration is None else key.max_duration
        max_dist = UNBOUNDED if key.max_distance is None else key.max_distance
        s, e = key.start, key.end
        if nj:
            go, back = dur[s, row_node], dur[row_node, e]
            begin = np.maximum(key.tw_early + go, row_a)
            ok = (begin <= row_b) & (begin + row_svc + back <= late)
            ok &= go + row_svc + back <= max_dur
            ok &= dist[s, row_node] + dist[row_node, e] <= max_dist
            per_job = np.zeros(nj, dtype=bool)
            np.logical_or.at(per_job, row_job, ok)
            job_ok |= per_job & (job_dem <= cap).all(axis=1) & allowed[fleet.compat.job_dim]
        if ns:
            at_p = np.maximum(key.tw_early + dur[s, pn], pick[:, 0])
            at_d = np.maximum(at_p + ps + dur[pn, dn], drop[:, 0])
            ok = (at_p <= pick[:, 1]) & (at_d <= drop[:, 1]) & (at_d + ds + dur[dn, e] <= late)
            ok &= dur[s, pn] + ps + dur[pn, dn] + ds + dur[dn, e] <= max_dur
            ok &= dist[s, pn] + dist[pn, dn] + dist[dn, e] <= max_dist
            ship_ok |= ok & (ship_dem <= cap).all(axis=1) & allowed[fleet.compat.ship_dim]
    return job_ok, ship_ok


def fleet_too_small(compiled: Compiled, fleet: Fleet, hard_jobs: np.ndarray) -> bool:
    """Whether the required deliveries (or pickups) exceed what all vehicles can carry."""
    p = compiled.problem
    total = np.zeros(p.num_dimensions, dtype=np.int64)
    for key, vehicles in zip(fleet.keys, fleet.members, strict=True):
        total += np.array(key.capacity, dtype=np.int64) * len(vehicles) * key.max_trips
    demand = _demands([job.demand for job in p.jobs], p.num_dimensions)
    for kind in (JobKind.DELIVERY, JobKind.PICKUP):
        chosen = hard_jobs & np.array([job.kind is kind for job in p.jobs], dtype=bool)
        if (demand[chosen].sum(axis=0) > total).any():
            return True
    return False
