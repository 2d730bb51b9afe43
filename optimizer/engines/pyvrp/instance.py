"""The PyVRP instance of one phase of a search, and plans to and from PyVRP solutions."""

from __future__ import annotations

import dataclasses

import numpy as np
from pyvrp import (
    Activity,
    ActivityType,
    Client,
    ClientGroup,
    CostEvaluator,
    Depot,
    ProblemData,
    Route,
    Shipment,
    Solution,
)
from pyvrp import Location as PyLocation

from optimizer.compiled import Compiled, node_locations
from optimizer.engines import objective
from optimizer.engines.pyvrp.fleet import Fleet, shipment_windows, window_kwargs
from optimizer.model import MAX_TIME, JobKind, NodeKind, Plan, RoutePlan, Stop, TravelMode, Visit

#: PyVRP's integer costs wrap around silently; penalised costs are kept below this.
OVERFLOW_BUDGET = 10**18


# --------------------------------------------------------------------------
# The PyVRP instance for one phase
# --------------------------------------------------------------------------


@dataclasses.dataclass
class Instance:
    data: ProblemData
    fleet: Fleet
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


def build_instance(
    compiled: Compiled,
    fleet: Fleet,
    serve_jobs: np.ndarray,
    serve_ships: np.ndarray,
    hard_jobs: np.ndarray,
    hard_ships: np.ndarray,
) -> Instance:
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
            clients.append(
                Client(d + j, required=hard, **common, **load, **window_kwargs(win[0] if win else None))
            )
            client_job.append(j)
            continue
        group = ClientGroup(required=hard)
        for w in sorted(win, key=lambda w: w.start):
            group.add_client(len(clients))
            clients.append(
                Client(d + j, required=False, group=len(groups), **common, **load, **window_kwargs(w))
            )
            client_job.append(j)
        groups.append(group)

    shipments: list[Shipment] = []
    shipment_of: list[int] = []
    for s, sh in enumerate(p.shipments):
        if not serve_ships[s]:
            continue
        pick, drop = shipment_windows(sh.pickup.time_windows, sh.delivery.time_windows)
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
                **window_kwargs(pick, "pickup_tw_"),
                **window_kwargs(drop, "delivery_tw_"),
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
    return Instance(data, fleet, client_job, shipment_of, relaxed)


def to_plan(inst: Instance, solution: Solution) -> Plan:
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


def to_solution(inst: Instance, plan: Plan) -> Solution | None:
    """``plan`` as a solution of ``inst`` (the inverse of :func:`to_plan`), None if ``inst`` lacks a part.

    Routes keep their order, so which vehicle of a type drives which route may
    change: ``to_plan`` gives a type's routes to its first vehicles. For a job
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


def salvage(solution: Solution, inst: Instance) -> Solution:
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


def penalty_ceiling(compiled: Compiled, inst: Instance, default: float) -> float:
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
