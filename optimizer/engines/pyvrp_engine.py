"""Routing engine on PyVRP's iterated local search (the default engine).

The compiled problem maps onto one :class:`pyvrp.ProblemData`:

* locations are the compiled nodes in order, profiles the compiled travel
  profiles;
* a job is a client (one per time window, the windows of one job forming a
  mutually exclusive group); a shipment is a PyVRP shipment (one window per
  end: the earliest pickup window and the latest delivery window);
* identical vehicles share a vehicle type; several trips become reloads at a
  copy of the start depot whose service duration is the reload duration;
* ``allowed_vehicle_classes`` / ``required_skills`` become extra capacity
  dimensions (see :class:`_Compat`), so breaking them is an excess load;
* items no vehicle could serve even alone on a route are left out.

Required jobs are required clients as long as the fleet can plausibly serve
them all; when the search finds no feasible solution that way, they become
optional with a very large prize (and penalties above it) so the caller still
gets a feasible plan serving as many as fit.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
import warnings
from collections.abc import Callable, Sequence

import numpy as np
from pyvrp import (
    Activity,
    ActivityType,
    Client,
    ClientGroup,
    CostEvaluator,
    Depot,
    ProblemData,
    RandomNumberGenerator,
    Route,
    Shipment,
    Solution,
    VehicleType,
)
from pyvrp import Location as PyLocation
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.PenaltyManager import PenaltyManager
from pyvrp.RingBuffer import RingBuffer
from pyvrp.search import LocalSearch, PerturbationManager, compute_neighbours
from pyvrp.solve import SolveParams

from optimizer.compiled import Compiled, node_locations
from optimizer.engines import objective
from optimizer.engines.base import (
    Capability,
    EngineResult,
    Limits,
    OnImprovement,
    ShouldStop,
    vehicle_can_serve,
)
from optimizer.engines.sweep import sweep
from optimizer.model import (
    MAX_TIME,
    JobKind,
    NodeKind,
    Plan,
    RoutePlan,
    Stop,
    TimeWindow,
    TravelMode,
    Visit,
)

#: What PyVRP's cost evaluator returns for an infeasible solution.
INFEASIBLE_COST = int(np.iinfo(np.int64).max)
#: Stand-in for "no upper bound" in the servability checks.
UNBOUNDED = 2**62
#: PyVRP's integer costs wrap around silently; penalised costs are kept below this.
OVERFLOW_BUDGET = 10**18

#: Late-acceptance history length per second of budget, and per iteration when the iterations are
#: capped, within bounds. PyVRP's default (300) suits long runs: at 10 s a history of 100-150 gave
#: 0.24-0.35 points lower mean gaps on the X instances than 300, and at 60 s 600 did no worse than 300
#: (``python -m benchmarks.tune``; benchmarks/RESULTS.md, 2026-12-01).
HISTORY_PER_SECOND = 10.0
HISTORY_PER_ITERATION = 0.01
HISTORY_BOUNDS = (30, 1000)
#: A time-limited search starts with HISTORY_PER_SECOND (which assumes ~1,000 iterations a second) and,
#: once this share of its time has passed, re-sizes its history to HISTORY_PER_ITERATION of the
#: iterations it will make at the rate measured so far: the rate differs up to 3x by machine, instance
#: and load. At 10 s this lowered the mean X gap from 0.86/0.95 % to 0.75/0.85 % (40 paired runs) and
#: the Solomon one from 0.17 % to 0.09 % (benchmarks/RESULTS.md, "History from the iteration rate").
HISTORY_CALIBRATION_SHARE = 0.1

#: Route minimisation (``PyVRPEngine(minimise_routes=True)``): after this share of the budget, the
#: search drops the plan's shortest route and searches with one vehicle fewer for at most
#: ROUTE_CUT_WINDOW_SHARE of the budget; a cheaper plan found that way is kept and cut again.
ROUTE_CUT_START_SHARE = 0.1
ROUTE_CUT_WINDOW_SHARE = 0.2

#: Polled by a cooperative search between iterations: a plan found elsewhere
#: (same compiled problem) to continue from if it is better, else None.
Incoming = Callable[[], Plan | None]


# --------------------------------------------------------------------------
# Vehicle restrictions as extra load dimensions
# --------------------------------------------------------------------------


@dataclasses.dataclass
class _Compat:
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


def _compat(compiled: Compiled) -> _Compat:
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
    return _Compat(job_dim, ship_dim, caps)


# --------------------------------------------------------------------------
# Fleet: vehicle types, depots and travel profiles (shared by both phases)
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _TypeKey:
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
class _Fleet:
    keys: list[_TypeKey]
    #: Problem vehicle indices behind each vehicle type.
    members: list[list[int]]
    vehicle_types: list[VehicleType]
    depots: list[Depot]
    #: Problem depot of each PyVRP depot (reload copies follow the real depots).
    depot_of: list[int]
    distances: list[np.ndarray]
    durations: list[np.ndarray]
    compat: _Compat


def _clean(matrix: np.ndarray) -> np.ndarray:
    """An int64 C-contiguous matrix with a zero diagonal, as PyVRP requires."""
    m = np.ascontiguousarray(matrix, dtype=np.int64)
    if np.any(np.diagonal(m)):
        m = m.copy()
        np.fill_diagonal(m, 0)
    return m


def _build_fleet(compiled: Compiled) -> _Fleet:
    p = compiled.problem
    compat = _compat(compiled)
    members: dict[_TypeKey, list[int]] = {}
    for v, veh in enumerate(p.vehicles):
        early = max(veh.shift.start, p.depots[veh.start_depot].time_window.start)
        late = min(veh.shift.end, p.depots[veh.end_depot].time_window.end)
        if early > late:
            continue  # the shift and the depot hours never overlap: unusable
        key = _TypeKey(
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
                Depot(location=key.start, service_duration=dep.reload_duration, **_tw(dep.time_window))
            )
            depot_of.append(key.start)
    keys = list(members)
    return _Fleet(
        keys=keys,
        members=[members[k] for k in keys],
        vehicle_types=[_vehicle_type(k, len(members[k]), reload_copy.get(k.start)) for k in keys],
        depots=depots,
        depot_of=depot_of,
        distances=[_clean(m) for m in compiled.distances],
        durations=[_clean(m) for m in compiled.durations],
        compat=compat,
    )


def _tw(window: TimeWindow | None, prefix: str = "tw_") -> dict[str, int]:
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


def _vehicle_type(key: _TypeKey, count: int, reload_depot: int | None) -> VehicleType:
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


def _shipment_windows(
    pickup: Sequence[TimeWindow], delivery: Sequence[TimeWindow]
) -> tuple[TimeWindow | None, TimeWindow | None]:
    """PyVRP gives each shipment end one window: the earliest pickup and the latest delivery one."""
    pick = min(pickup, key=lambda w: w.start) if pickup else None
    drop = max(delivery, key=lambda w: w.start) if delivery else None
    return pick, drop


def _demands(demands: Sequence[tuple[int, ...]], dims: int) -> np.ndarray:
    return np.array([list(dm) if dm else [0] * dims for dm in demands], dtype=np.int64).reshape(-1, dims)


def _servable(compiled: Compiled, fleet: _Fleet) -> tuple[np.ndarray, np.ndarray]:
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

    windows = [_shipment_windows(s.pickup.time_windows, s.delivery.time_windows) for s in p.shipments]
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


def _fleet_too_small(compiled: Compiled, fleet: _Fleet, hard_jobs: np.ndarray) -> bool:
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


# --------------------------------------------------------------------------
# The PyVRP instance for one phase
# --------------------------------------------------------------------------


@dataclasses.dataclass
class _Instance:
    data: ProblemData
    fleet: _Fleet
    #: Job of each PyVRP client (several clients per job with several windows).
    client_job: list[int]
    #: Problem shipment of each PyVRP shipment.
    shipment_of: list[int]
    #: Whether no client or shipment is required (required jobs, if any, carry a prize).
    relaxed: bool
    evaluator: CostEvaluator = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.evaluator = CostEvaluator([0.0] * self.data.num_load_dimensions, 0.0, 0.0)


def _locations(compiled: Compiled) -> list[PyLocation]:
    mode = compiled.problem.travel.mode
    out = []
    for loc in node_locations(compiled.problem):
        if mode is TravelMode.EUCLIDEAN:
            out.append(PyLocation(float(loc.x or 0.0), float(loc.y or 0.0)))
        elif mode is TravelMode.HAVERSINE:
            out.append(PyLocation(float(loc.longitude or 0.0), float(loc.latitude or 0.0)))
        else:
            out.append(PyLocation(0.0, 0.0))
    return out


def _amount(demand: tuple[int, ...], dims: int, compat_dim: int, num_compat: int) -> list[int]:
    unit = [0] * num_compat
    if compat_dim >= 0:
        unit[compat_dim] = 1
    return [*(demand or (0,) * dims), *unit]


def _instance(
    compiled: Compiled,
    fleet: _Fleet,
    serve_jobs: np.ndarray,
    serve_ships: np.ndarray,
    hard_jobs: np.ndarray,
    hard_ships: np.ndarray,
) -> _Instance:
    """The PyVRP data for the items to ``serve``; ``hard`` ones are required, the rest earn a prize."""
    p = compiled.problem
    d, nj, ns = len(p.depots), len(p.jobs), len(p.shipments)
    dims, compat = p.num_dimensions, fleet.compat
    required_prize = objective.required_prize(compiled)

    def prize(penalty: float | None) -> int:
        return required_prize if penalty is None else objective.penalty_weight(compiled, penalty)

    clients: list[Client] = []
    client_job: list[int] = []
    groups: list[ClientGroup] = []
    for j, job in enumerate(p.jobs):
        if not serve_jobs[j]:
            continue
        hard = bool(hard_jobs[j])
        amount = _amount(job.demand, dims, int(compat.job_dim[j]), compat.num_dims)
        load = {"delivery": amount} if job.kind is JobKind.DELIVERY else {"pickup": amount}
        common = {"service_duration": job.stop.service_duration, "prize": 0 if hard else prize(job.penalty)}
        win = job.stop.time_windows
        if len(win) <= 1:
            clients.append(Client(d + j, required=hard, **common, **load, **_tw(win[0] if win else None)))
            client_job.append(j)
            continue
        group = ClientGroup(required=hard)
        for w in sorted(win, key=lambda w: w.start):
            group.add_client(len(clients))
            clients.append(Client(d + j, required=False, group=len(groups), **common, **load, **_tw(w)))
            client_job.append(j)
        groups.append(group)

    shipments: list[Shipment] = []
    shipment_of: list[int] = []
    for s, sh in enumerate(p.shipments):
        if not serve_ships[s]:
            continue
        pick, drop = _shipment_windows(sh.pickup.time_windows, sh.delivery.time_windows)
        hard = bool(hard_ships[s])
        shipments.append(
            Shipment(
                d + nj + s,
                d + nj + ns + s,
                pickup_service_duration=sh.pickup.service_duration,
                delivery_service_duration=sh.delivery.service_duration,
                amount=_amount(sh.demand, dims, int(compat.ship_dim[s]), compat.num_dims),
                prize=0 if hard else prize(sh.penalty),
                required=hard,
                **_tw(pick, "pickup_tw_"),
                **_tw(drop, "delivery_tw_"),
            )
        )
        shipment_of.append(s)

    data = ProblemData(
        _locations(compiled),
        clients,
        fleet.depots,
        fleet.vehicle_types,
        fleet.distances,
        fleet.durations,
        groups,
        shipments,
    )
    relaxed = not (hard_jobs[serve_jobs].any() or hard_ships[serve_ships].any())
    return _Instance(data, fleet, client_job, shipment_of, relaxed)


def _to_plan(inst: _Instance, solution: Solution) -> Plan:
    used = [0] * len(inst.fleet.members)
    routes = []
    for route in solution.routes():
        vt = route.vehicle_type()
        vehicle = inst.fleet.members[vt][used[vt]]
        used[vt] += 1
        visits = []
        for act in list(route)[1:-1]:
            t = act.type
            if t == ActivityType.CLIENT:
                visits.append(Visit(NodeKind.JOB, inst.client_job[act.idx]))
            elif t == ActivityType.DEPOT:
                visits.append(Visit(NodeKind.DEPOT, inst.fleet.depot_of[act.idx]))
            elif t == ActivityType.PICKUP:
                visits.append(Visit(NodeKind.PICKUP, inst.shipment_of[act.idx]))
            else:
                visits.append(Visit(NodeKind.DELIVERY, inst.shipment_of[act.idx]))
        routes.append(RoutePlan(vehicle, visits))
    routes.sort(key=lambda r: r.vehicle)
    return Plan(routes)


def _to_solution(inst: _Instance, plan: Plan) -> Solution | None:
    """``plan`` as a solution of ``inst`` (the inverse of :func:`_to_plan`), None if ``inst`` lacks a part.

    Routes keep their order, so which vehicle of a type drives which route may
    change: ``_to_plan`` gives a type's routes to its first vehicles. For a job
    with several windows (several clients) the first window still open at the
    arrival time is taken, replaying the route's times as PyVRP would. The
    result may be infeasible (a plan of another instance); callers check.
    """
    fleet, data = inst.fleet, inst.data
    type_of = {v: t for t, vs in enumerate(fleet.members) for v in vs}
    clients_of: dict[int, list[int]] = {}
    for c, j in enumerate(inst.client_job):
        clients_of.setdefault(j, []).append(c)
    ship_of = {s: k for k, s in enumerate(inst.shipment_of)}
    clients, ships, depots = data.clients(), data.shipments(), data.depots()
    routes: list[Route] = []
    for r in plan.routes:
        if not r.visits:
            continue
        vt = type_of.get(r.vehicle)
        if vt is None:
            return None
        vtype = fleet.vehicle_types[vt]
        dur = fleet.durations[vtype.profile]
        here, t = vtype.start_depot, vtype.tw_early
        acts: list[Activity] = []
        for v in r.visits:
            if v.kind is NodeKind.JOB:
                cands = clients_of.get(v.index)
                if not cands:
                    return None
                t += int(dur[here, clients[cands[0]].location])
                c = next((c for c in cands if clients[c].tw_late >= t), cands[-1])
                step: Client | Depot | object = clients[c]
                acts.append(Activity(ActivityType.CLIENT, c))
            elif v.kind is NodeKind.DEPOT:
                reloads = [k for k in vtype.reload_depots if fleet.depot_of[k] == v.index]
                if not reloads:
                    return None
                step = depots[reloads[0]]
                acts.append(Activity(ActivityType.DEPOT, reloads[0]))
            else:
                k = ship_of.get(v.index)
                if k is None:
                    return None
                pickup = v.kind is NodeKind.PICKUP
                step = ships[k].pickup if pickup else ships[k].delivery
                acts.append(Activity(ActivityType.PICKUP if pickup else ActivityType.DELIVERY, k))
            if v.kind is not NodeKind.JOB:
                t += int(dur[here, step.location])  # type: ignore[attr-defined]
            t = max(t, step.tw_early) + step.service_duration  # type: ignore[attr-defined]
            here = step.location  # type: ignore[attr-defined]
        try:
            routes.append(Route(data, acts, vt))
        except (ValueError, IndexError, RuntimeError):
            return None
    try:
        return Solution(data, routes)
    except (ValueError, IndexError, RuntimeError):  # e.g. more routes of a type than vehicles
        return None


def _salvage(solution: Solution, inst: _Instance) -> Solution:
    """The feasible routes of ``solution`` as a solution of ``inst`` (same clients, all optional)."""
    kept = []
    for route in solution.routes():
        acts = [Activity(a.type, a.idx) for a in list(route)[1:-1]]
        candidate = Route(inst.data, acts, route.vehicle_type())
        if candidate.is_feasible():
            kept.append(candidate)
    salvaged = Solution(inst.data, kept)
    return salvaged if salvaged.is_feasible() else Solution(inst.data, [])


# --------------------------------------------------------------------------
# Penalties
# --------------------------------------------------------------------------


def _penalty_ceiling(compiled: Compiled, inst: _Instance, default: float) -> float:
    """The most a unit of violation may cost: above every prize, if int64 allows.

    With PyVRP's default ceiling, a prize larger than it (a required job
    made optional, or a large penalty) lets the search trade a little
    lateness or overload for the prize and never become feasible. Penalised
    costs must stay inside int64, which PyVRP does not check; the bound on
    violations is rough: all loads, and per node the latest finite time plus
    the longest arc, service and reload.
    """
    p = compiled.problem
    data = inst.data
    top = max((c.prize for c in data.clients()), default=0)
    top = max(top, max((s.prize for s in data.shipments()), default=0))
    if top < default:
        return default
    load = sum(sum(c.delivery) + sum(c.pickup) for c in data.clients())
    load += sum(sum(s.amount) for s in data.shipments())
    stops = _stops(compiled)
    times = [w.start for st in stops for w in st.time_windows]
    times += [w.end for st in stops for w in st.time_windows if w.end < MAX_TIME]
    times += [v.shift.start for v in p.vehicles]
    times += [v.shift.end for v in p.vehicles if v.shift.end < MAX_TIME]
    step = max(int(m.max()) for m in compiled.durations)
    step += max((st.service_duration for st in stops), default=0)
    step += max(dep.reload_duration for dep in p.depots)
    n = len(compiled.nodes)
    violation = load + n * (max(times, default=0) + step + max(int(m.max()) for m in compiled.distances))
    safe = OVERFLOW_BUDGET // max(1, violation)
    return float(max(default, min(top + 1, safe)))


def _stops(compiled: Compiled) -> list[Stop]:
    p = compiled.problem
    return [j.stop for j in p.jobs] + [s.pickup for s in p.shipments] + [s.delivery for s in p.shipments]


# --------------------------------------------------------------------------
# Running the search
# --------------------------------------------------------------------------


def history_length(limits: Limits) -> int:
    """The late-acceptance history for a search with these limits: longer for longer searches."""
    wanted = HISTORY_PER_SECOND * limits.time_limit
    if limits.max_iterations is not None:
        wanted = min(wanted, HISTORY_PER_ITERATION * limits.max_iterations)
    return _within_bounds(wanted)


def history_for_rate(iterations_per_second: float, seconds: float) -> int:
    """The history for a search of ``seconds`` at this many iterations per second."""
    return _within_bounds(HISTORY_PER_ITERATION * iterations_per_second * seconds)


def _within_bounds(wanted: float) -> int:
    low, high = HISTORY_BOUNDS
    return int(min(high, max(low, round(wanted))))


def _cut_shortest_route(data: ProblemData, solution: Solution) -> tuple[ProblemData, Solution]:
    """A fleet of one vehicle fewer than ``solution`` uses, and ``solution`` on it without its shortest route.

    Each vehicle type keeps as many vehicles as the solution uses of it (one fewer for the type of the
    cut route), so the search cannot move the cut route to a spare vehicle. PyVRP needs at least one
    vehicle per type: a type left with none keeps one with a maximum distance of zero, which any route
    exceeds. The cut route's stops are left out; the local search re-inserts them.
    """
    routes = solution.routes()
    cut = min(range(len(routes)), key=lambda r: (len(routes[r]), routes[r].distance()))
    used = [0] * data.num_vehicle_types
    for route in routes:
        used[route.vehicle_type()] += 1
    used[routes[cut].vehicle_type()] -= 1
    types = [
        vt.replace(num_available=n) if n else vt.replace(num_available=1, max_distance=0)
        for vt, n in zip(data.vehicle_types(), used, strict=True)
    ]
    fewer = data.replace(vehicle_types=types)
    return fewer, _on_fleet(fewer, solution, skip=cut)


def _fewest_routes(data: ProblemData) -> int:
    """A lower bound on the routes serving every required client: their total load over the largest vehicles.

    Per load dimension, deliveries and pickups each must fit in the routes' capacities; with reloads
    there is no such bound (0).
    """
    types = data.vehicle_types()
    if any(vt.reload_depots for vt in types):
        return 0
    required = [c for c in data.clients() if c.required]
    if not required:
        return 0
    fleet = np.array([vt.capacity for vt in types for _ in range(vt.num_available)], dtype=np.int64)
    fleet = -np.sort(-fleet, axis=0)  # each dimension's capacities, largest first
    room = np.cumsum(fleet, axis=0)
    bound = 0
    totals = [np.sum([c.delivery for c in required], axis=0), np.sum([c.pickup for c in required], axis=0)]
    for load in totals:
        for dim, total in enumerate(load):
            # The fewest vehicles holding it, taking the largest first.
            needed = int(np.searchsorted(room[:, dim], total)) + 1 if total > 0 else 0
            bound = max(bound, min(needed, len(fleet)))
    return bound


def _on_fleet(data: ProblemData, solution: Solution, skip: int = -1) -> Solution:
    """``solution``'s routes but ``skip`` as a solution of ``data`` (which differs only in fleet size)."""
    return Solution(
        data,
        [Route(data, list(r)[1:-1], r.vehicle_type()) for k, r in enumerate(solution.routes()) if k != skip],
    )


class _Stop:
    """PyVRP stopping criterion: iteration budget, caller's request, deadline, give-up point.

    PyVRP calls it before every iteration with the best cost, which is
    ``INFEASIBLE_COST`` while no feasible solution has been found.
    """

    def __init__(self, deadline: float, max_iterations: int | None, should_stop: ShouldStop | None):
        self.deadline = deadline
        self.max_iterations = max_iterations
        self.should_stop = should_stop
        #: While no feasible solution is known, stop at this time or iteration count.
        self.give_up_time: float | None = None
        self.give_up_iterations: int | None = None
        self.granted = 0
        self.gave_up = False

    def __call__(self, best_cost: int) -> bool:
        if self.max_iterations is not None and self.granted >= self.max_iterations:
            return True
        if self.should_stop is not None and self.should_stop():
            return True
        now = time.perf_counter()
        if now >= self.deadline:
            return True
        if best_cost >= INFEASIBLE_COST and (
            (self.give_up_iterations is not None and self.granted >= self.give_up_iterations)
            or (self.give_up_time is not None and now >= self.give_up_time)
        ):
            self.gave_up = True
            return True
        self.granted += 1
        return False

    def until(self, end: float, give_up: bool = True) -> _Stop:
        """This criterion, stopping at ``end`` at the latest (and never giving up unless ``give_up``)."""
        part = copy.copy(self)
        part.deadline = min(self.deadline, end)
        if not give_up:
            part.give_up_time = part.give_up_iterations = None
        return part


class _Session:
    """The state of one ``solve`` call."""

    def __init__(
        self,
        params: SolveParams,
        limits: Limits,
        on_improvement: OnImprovement | None,
        should_stop: ShouldStop | None,
        incoming: Incoming | None = None,
        history: int | None = None,
        minimise_routes: bool = False,
    ):
        self.params = params
        #: Late-acceptance history length (default: the one in ``params``).
        self.history = params.ils.history_length if history is None else history
        #: Whether the history is re-sized to the measured iteration rate (given, time-limited only).
        self.calibrate = history is not None and limits.max_iterations is None
        self.limits = limits
        self.on_improvement = on_improvement
        self.should_stop = should_stop
        self.incoming = incoming
        #: Cut routes (see ``_cut_routes``); only time-limited searches, as the cuts are timed.
        self.minimise_routes = minimise_routes and limits.max_iterations is None
        #: While set, only plans cheaper than this are reported (searches on a cut fleet start worse).
        self.floor: float | None = None
        self.start = time.perf_counter()
        self.deadline = self.start + limits.time_limit
        self.iterations = 0
        self.first_feasible: float | None = None
        #: Plans taken from ``incoming`` (cooperation), for statistics and tests.
        self.adopted = 0

    def report(self, inst: _Instance, solution: Solution) -> None:
        if self.floor is not None:
            cost = float(inst.evaluator.cost(solution))
            if cost >= self.floor:
                return
            self.floor = cost
        if self.first_feasible is None:
            self.first_feasible = time.perf_counter() - self.start
        if self.on_improvement is not None:
            self.on_improvement(_to_plan(inst, solution), float(inst.evaluator.cost(solution)))

    def stop(self, give_up_share: float | None = None) -> _Stop:
        """A stopping criterion for the rest of the budget.

        With ``give_up_share``, the search also stops while it has no feasible
        solution once that share of the whole budget is spent.
        """
        limits = self.limits
        remaining = None
        if limits.max_iterations is not None:
            remaining = max(0, limits.max_iterations - self.iterations)
        stop = _Stop(self.deadline, remaining, self.should_stop)
        if give_up_share is not None:
            stop.give_up_time = self.start + give_up_share * limits.time_limit
            if limits.max_iterations is not None:
                stop.give_up_iterations = math.ceil(give_up_share * limits.max_iterations)
        return stop

    def run(
        self, compiled: Compiled, inst: _Instance, stop: _Stop, initial: Solution | None = None
    ) -> Solution:
        """Search ``inst`` from ``initial`` (feasible) or a random start, reporting each new best.

        The loop is PyVRP's iterated local search (late-acceptance hill
        climbing, as in ``IteratedLocalSearch.run``) written out here so that a
        better plan from another search (``incoming``) can replace the current
        and best solutions without losing the penalties and the acceptance
        history a restart would reset.
        """
        data, params = inst.data, self.params
        if initial is None and (swept := sweep(data)) is not None:
            self.report(inst, swept)  # a first plan in milliseconds, before the neighbour lists and search
        rng = RandomNumberGenerator(seed=self.limits.seed % 2**32)
        neighbours = compute_neighbours(data, params.neighbourhood)
        ceiling = _penalty_ceiling(compiled, inst, params.penalty.max_penalty)
        penalty = dataclasses.replace(params.penalty, max_penalty=ceiling)

        def search(data: ProblemData) -> tuple[LocalSearch, PenaltyManager]:
            ls = LocalSearch(data, rng, neighbours, PerturbationManager(params.perturbation))
            for op in params.operators:
                if op.supports(data):
                    ls.add_operator(op(data))
            return ls, PenaltyManager(penalty.midpoint_penalties(data), penalty)

        ls, pm = search(data)
        if initial is None:
            initial = ls(Solution.make_random(data, rng), pm.max_cost_evaluator(), exhaustive=True)
        if initial.is_feasible():
            self.report(inst, initial)
        with warnings.catch_warnings():
            # Raised when no feasible solution shows up; the engine handles that itself.
            warnings.simplefilter("ignore", PenaltyBoundWarning)
            if self.minimise_routes:
                return self._cut_routes(inst, search, ls, pm, initial, stop)
            return self._iterate(inst, ls, pm, initial, stop)

    def _cut_routes(
        self,
        inst: _Instance,
        search: Callable[[ProblemData], tuple[LocalSearch, PenaltyManager]],
        ls: LocalSearch,
        pm: PenaltyManager,
        init: Solution,
        stop: _Stop,
    ) -> Solution:
        """The search with route minimisation: fewer vehicles while that pays.

        The local search alone rarely closes a route: on RC101 it stays with 16 routes (1,634) where
        the best-known plan has 15 (1,619.8), which PyVRP finds in 2.5 s when the fleet is capped at
        15. So after ROUTE_CUT_START_SHARE of the budget the search drops the best plan's shortest
        route and continues on a fleet of one vehicle fewer than that plan uses, for at most
        ROUTE_CUT_WINDOW_SHARE of the budget. A feasible plan cheaper than the best is kept and cut
        again, down to the fewest routes the loads allow (``_fewest_routes``). The rest of the budget
        goes to the whole fleet again, from the best plan.
        """
        budget = self.limits.time_limit
        part = stop.until(self.start + ROUTE_CUT_START_SHARE * budget)
        best = self._iterate(inst, ls, pm, init, part)
        if part.gave_up:
            stop.gave_up = True
            return best
        cost = inst.evaluator.cost
        fewest = max(1, _fewest_routes(inst.data))
        cut = False
        while best.is_feasible() and best.num_routes() > fewest and not stop(cost(best)):
            end = time.perf_counter() + ROUTE_CUT_WINDOW_SHARE * budget
            if end >= self.deadline:
                break
            data, start = _cut_shortest_route(inst.data, best)
            cut_ls, cut_pm = search(data)
            start = cut_ls(start, cut_pm.max_cost_evaluator(), exhaustive=True)
            self.floor = float(cost(best))
            phase = stop.until(end, give_up=False)
            found = self._iterate(inst, cut_ls, cut_pm, start, phase, cooperate=False)
            if not found.is_feasible() or cost(found) >= cost(best):
                break
            best, cut = found, True
        return self._iterate(inst, ls, pm, _on_fleet(inst.data, best) if cut else best, stop)

    def _iterate(
        self,
        inst: _Instance,
        ls: LocalSearch,
        pm: PenaltyManager,
        init: Solution,
        stop: _Stop,
        cooperate: bool = True,
    ) -> Solution:
        ils = self.params.ils
        incoming = self.incoming if cooperate else None
        history: RingBuffer[Solution] = RingBuffer(self.history)
        best = curr = start = init
        iters = no_improvement = 0
        cost_eval = pm.cost_evaluator()
        began = time.perf_counter()
        calibrate_at = began + HISTORY_CALIBRATION_SHARE * (self.deadline - began) if self.calibrate else None
        try:
            while not stop(cost_eval.cost(best)):
                iters += 1
                if calibrate_at is not None and (now := time.perf_counter()) >= calibrate_at:
                    calibrate_at = None
                    size = history_for_rate(iters / (now - began), self.deadline - began)
                    if size != self.history:
                        self.history, history = size, RingBuffer(size)
                if incoming is not None and (plan := incoming()) is not None:
                    theirs = _to_solution(inst, plan)
                    better = theirs is not None and theirs.is_feasible()
                    if better and cost_eval.cost(theirs) < cost_eval.cost(best):
                        best = curr = start = theirs  # continue from the better plan
                        history.clear()
                        no_improvement = 0
                        self.adopted += 1
                if no_improvement == ils.num_iters_no_improvement:
                    history.clear()
                    curr, no_improvement = best, 0
                cost_eval = pm.cost_evaluator()
                cand = ls(curr, cost_eval, exhaustive=False)
                pm.register(cand)
                no_improvement += 1
                if cost_eval.cost(cand) < cost_eval.cost(best):
                    best, no_improvement = cand, 0
                    if ils.exhaustive_on_best:
                        cand = ls(cand, cost_eval, exhaustive=True)
                        if cand.is_feasible():
                            best = cand
                    self.report(inst, best)  # only a feasible solution has a finite cost
                cand_cost = cost_eval.penalised_cost(cand)
                curr_cost = cost_eval.penalised_cost(curr)
                late = history.peek()
                late_cost = cost_eval.penalised_cost(start if late is None else late)
                if cand_cost < late_cost or cand_cost < curr_cost:
                    curr, curr_cost = cand, cand_cost
                if curr_cost < late_cost or late is None:
                    history.append(curr)
                else:
                    history.skip()
        finally:
            self.iterations += iters
        return best


class PyVRPEngine:
    """Solves compiled problems with PyVRP's iterated local search.

    ``required_phase_share`` is the share of the budget (time, and iterations
    when ``max_iterations`` is set) the search may spend without any feasible
    solution while required jobs are required; after that they become optional
    with a prize far above any route cost and the search starts again.
    ``start_relaxed`` skips the required phase: required jobs are prized from
    the start (a portfolio run that finds feasible plans fast on rich problems).
    """

    name = "pyvrp"
    capabilities = frozenset(Capability)

    def __init__(
        self,
        params: SolveParams | None = None,
        required_phase_share: float = 0.3,
        start_relaxed: bool = False,
        minimise_routes: bool = False,
    ):
        if not 0 < required_phase_share <= 1:
            raise ValueError("required_phase_share must be in (0, 1]")
        #: With PyVRP's default parameters, the history length follows the budget (history_length).
        self.budget_history = params is None
        self.params = params if params is not None else SolveParams()
        self.required_phase_share = required_phase_share
        self.start_relaxed = start_relaxed
        self.minimise_routes = minimise_routes
        #: Plans the last ``solve`` took from ``incoming``, and its late-acceptance history length.
        self.adopted = 0
        self.history = self.params.ils.history_length

    def solve(
        self,
        compiled: Compiled,
        limits: Limits,
        on_improvement: OnImprovement | None = None,
        should_stop: ShouldStop | None = None,
        *,
        initial: Plan | None = None,
        incoming: Incoming | None = None,
    ) -> EngineResult:
        """Search as :class:`~optimizer.engines.base.Engine` says, optionally cooperating.

        ``initial`` warm-starts the search from a plan of ``compiled`` (used
        when PyVRP accepts it as a feasible solution; the result is then never
        worse than it). ``incoming`` is polled between iterations for better
        plans found by other searches, which the search then continues from.
        """
        history = history_length(limits) if self.budget_history else None
        session = _Session(
            self.params, limits, on_improvement, should_stop, incoming, history, self.minimise_routes
        )
        try:
            return self._solve(session, compiled, initial)
        finally:
            self.adopted, self.history = session.adopted, session.history

    def _solve(self, session: _Session, compiled: Compiled, initial: Plan | None) -> EngineResult:
        p = compiled.problem
        fleet = _build_fleet(compiled)
        if not fleet.keys:
            return EngineResult(Plan([]), float(_total_prize(compiled)), 0, None)
        serve_jobs, serve_ships = _servable(compiled, fleet)
        if not (serve_jobs.any() or serve_ships.any()):
            return EngineResult(Plan([]), float(_total_prize(compiled)), 0, None)
        must_jobs = serve_jobs & np.array([j.penalty is None for j in p.jobs], dtype=bool)
        must_ships = serve_ships & np.array([s.penalty is None for s in p.shipments], dtype=bool)

        phase = (compiled, fleet, serve_jobs, serve_ships)

        def relaxed() -> _Instance:
            return _instance(*phase, np.zeros_like(must_jobs), np.zeros_like(must_ships))

        start_relaxed = self.start_relaxed or _fleet_too_small(compiled, fleet, must_jobs)
        inst = relaxed() if start_relaxed else _instance(*phase, must_jobs, must_ships)
        warm = _warm_start(inst, initial)
        if warm is None and initial is not None and not inst.relaxed:
            # A feasible plan that leaves required jobs out: continue from it with them prized.
            prized = relaxed()
            warm = _warm_start(prized, initial)
            inst = prized if warm is not None else inst
        if start_relaxed or inst.relaxed or warm is not None:
            best = session.run(compiled, inst, session.stop(), warm)
        else:
            stop = session.stop(self.required_phase_share)
            best = session.run(compiled, inst, stop)
            if not best.is_feasible():
                inst = relaxed()
                if stop.gave_up:
                    best = session.run(compiled, inst, session.stop())
        if not best.is_feasible():
            best = _salvage(best, inst)
            if best.num_routes():
                session.report(inst, best)

        return EngineResult(
            plan=_to_plan(inst, best),
            objective=float(inst.evaluator.cost(best)),
            iterations=session.iterations,
            first_feasible_seconds=session.first_feasible,
        )


def _warm_start(inst: _Instance, plan: Plan | None) -> Solution | None:
    """``plan`` as a feasible starting solution of ``inst``, or None."""
    if plan is None:
        return None
    sol = _to_solution(inst, plan)
    return sol if sol is not None and sol.is_feasible() else None


def _total_prize(compiled: Compiled) -> int:
    """The objective of serving nothing: every item's prize."""
    p = compiled.problem
    required = objective.required_prize(compiled)
    items = list(p.jobs) + list(p.shipments)
    return sum(
        required if i.penalty is None else objective.penalty_weight(compiled, i.penalty) for i in items
    )
