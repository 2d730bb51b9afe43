"""The independent plan checker.

:func:`evaluate` recomputes every route of a :class:`~optimizer.model.Plan`
from the :class:`~optimizer.model.Problem` alone (never trusting an engine),
reports each violated constraint as a :class:`Violation` with an English and a
Japanese message, and computes the complete schedule (times, loads, costs)
that the API returns. A plan with violations still gets a full schedule: a
late arrival is reported and the route simply goes on from there.
"""

from __future__ import annotations

import bisect
import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from optimizer.breaks import Break, BreakPlace, BreakSchedule, latest_schedule_with_breaks, split_leg
from optimizer.compiled import Compiled
from optimizer.engines.base import vehicle_can_serve
from optimizer.licences import allows
from optimizer.model import JobKind, NodeKind, Plan, Problem, RoutePlan, Vehicle, Visit
from optimizer.rules import DrivingRules


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


# --------------------------------------------------------------------------
# Naming things in messages
# --------------------------------------------------------------------------


def _label(problem: Problem, visit: Visit) -> tuple[str, str]:
    """English and Japanese name of a visit, e.g. ("job J-7", "ジョブ J-7")."""
    k, i = visit.kind, visit.index
    if k is NodeKind.JOB:
        jid = problem.jobs[i].id
        return f"job {jid}", f"ジョブ {jid}"
    if k is NodeKind.PICKUP:
        sid = problem.shipments[i].id
        return f"pickup of shipment {sid}", f"輸送依頼 {sid} の集荷"
    if k is NodeKind.DELIVERY:
        sid = problem.shipments[i].id
        return f"delivery of shipment {sid}", f"輸送依頼 {sid} の配達"
    did = problem.depots[i].id
    return f"reload at depot {did}", f"デポ {did} での積み替え"


def _item_id(problem: Problem, visit: Visit) -> str | None:
    if visit.kind is NodeKind.JOB:
        return problem.jobs[visit.index].id
    if visit.kind in (NodeKind.PICKUP, NodeKind.DELIVERY):
        return problem.shipments[visit.index].id
    return None


def _count(problem: Problem, kind: NodeKind) -> int:
    if kind is NodeKind.JOB:
        return len(problem.jobs)
    if kind in (NodeKind.PICKUP, NodeKind.DELIVERY):
        return len(problem.shipments)
    return len(problem.depots)


_KIND_EN = {
    NodeKind.JOB: "job",
    NodeKind.PICKUP: "shipment",
    NodeKind.DELIVERY: "shipment",
    NodeKind.DEPOT: "depot",
}
_KIND_JA = {
    NodeKind.JOB: "ジョブ",
    NodeKind.PICKUP: "輸送依頼",
    NodeKind.DELIVERY: "輸送依頼",
    NodeKind.DEPOT: "デポ",
}


# --------------------------------------------------------------------------
# One route
# --------------------------------------------------------------------------


@dataclass(slots=True)
class _Point:
    """A visit prepared for scheduling."""

    visit: Visit
    kind: str
    node: int
    service: int
    #: Sorted (start, end) windows; empty means any time.
    windows: tuple[tuple[int, int], ...]


def _windows(stop_windows: tuple) -> tuple[tuple[int, int], ...]:
    ws = tuple((w.start, w.end) for w in stop_windows)
    if len(ws) > 1:
        ws = tuple(sorted(ws))
    return ws


def _prepare(compiled: Compiled, visits: list[Visit]) -> list[_Point]:
    p = compiled.problem
    n_dep, n_job, n_shp = len(p.depots), len(p.jobs), len(p.shipments)
    out: list[_Point] = []
    for vis in visits:
        k, i = vis.kind, vis.index
        if k is NodeKind.JOB:
            st = p.jobs[i].stop
            out.append(_Point(vis, "JOB", n_dep + i, st.service_duration, _windows(st.time_windows)))
        elif k is NodeKind.PICKUP:
            st = p.shipments[i].pickup
            out.append(
                _Point(vis, "PICKUP", n_dep + n_job + i, st.service_duration, _windows(st.time_windows))
            )
        elif k is NodeKind.DELIVERY:
            st = p.shipments[i].delivery
            out.append(
                _Point(
                    vis, "DELIVERY", n_dep + n_job + n_shp + i, st.service_duration, _windows(st.time_windows)
                )
            )
        else:
            d = p.depots[i]
            out.append(
                _Point(vis, "RELOAD", i, d.reload_duration, ((d.time_window.start, d.time_window.end),))
            )
    return out


@dataclass(slots=True)
class _Times:
    arrival: list[int]
    start: list[int]
    departure: list[int]
    waiting: list[int]
    #: End of the window service started in (None: no window); for late stops the last window's end.
    window_end: list[int | None]
    late: list[bool]
    end_arrival: int


def _schedule(depart: int, points: list[_Point], durs: list[int]) -> _Times:
    n = len(points)
    arr = [0] * n
    sta = [0] * n
    dep = [0] * n
    wai = [0] * n
    wend: list[int | None] = [None] * n
    late = [False] * n
    t = depart
    for i in range(n):
        pt = points[i]
        a = t + durs[i]
        s = a
        for ws, we in pt.windows:
            if we >= a:
                if ws > a:
                    s = ws
                wend[i] = we
                break
        else:
            if pt.windows:
                wend[i] = pt.windows[-1][1]
                late[i] = True
        arr[i] = a
        sta[i] = s
        wai[i] = s - a
        t = s + pt.service
        dep[i] = t
    return _Times(arr, sta, dep, wai, wend, late, t + durs[n])


def _latest_delay(times: _Times, max_leave_delay: int) -> int:
    """How much later the vehicle can leave without ending later or breaking a window.

    A delay δ at the start is absorbed by waiting: after stop k the schedule is
    shifted by max(0, δ - W_k), W_k being the waiting up to and including k.
    This assumes every stop stays in the window it was served in, which holds
    only when every stop has at most one window (see :func:`_latest_departure`).
    """
    bound = max_leave_delay
    cum = 0
    for i in range(len(times.arrival)):
        cum += times.waiting[i]
        we = times.window_end[i]
        if times.late[i]:
            b = cum  # do not make a late stop later still
        elif we is None:
            continue
        else:
            b = we - times.start[i] + cum
        if b < bound:
            bound = b
    return max(0, min(bound, cum))


def _latest_departure(times: _Times, points: list[_Point], durs: list[int]) -> int | None:
    """Latest departure whose schedule ends no later and is no later anywhere it was late.

    ``times`` is the schedule from the earliest departure. Exact for any number
    of windows per stop (a later departure may reach a later window of a stop and
    wait less). Every step of the forward pass is non-decreasing in its input:
    from an arrival ``a`` service starts at ``g(a)`` = ``a`` inside a window or
    after the last one (late), else the start of the next window. So end time,
    each arrival and each lateness are non-decreasing in the departure, the
    earliest departure minimises lateness and then end time, and the departures
    keeping both are an interval starting there. Its right end is found by a
    backward pass: ``limit`` is the latest time one may leave the current point
    and still meet every constraint after it; at stop i the latest admissible
    arrival is the largest ``a`` with ``g(a) + service <= limit`` (a down-set, as
    ``g`` is monotone), capped at the last window's end (stay on time) or, for a
    stop already late, at its current arrival (no more lateness). ``None`` only
    if no departure qualifies, which cannot happen for the earliest one.
    """
    limit = times.end_arrival - durs[len(points)]
    for i in range(len(points) - 1, -1, -1):
        pt = points[i]
        s = limit - pt.service  # latest service start
        ws = pt.windows
        if ws:
            k = bisect.bisect_right(ws, (s, math.inf)) - 1  # last window opening at or before s
            if k < 0:
                return None  # s is before the first window opens: no arrival fits
            if ws[k][1] < s and k < len(ws) - 1:
                s = ws[k][1]  # s is in a gap: arriving after ws[k] closes waits past s
            s = min(s, times.arrival[i] if times.late[i] else ws[-1][1])
        limit = s - durs[i]
    return limit


class _RouteChecker:
    """Schedules and checks one non-empty route of a known vehicle."""

    def __init__(
        self,
        compiled: Compiled,
        r: int,
        v: int,
        points: list[_Point],
        driver_rules: DrivingRules | None = None,
    ):
        #: The route's driver's rules, which take the place of the vehicle's.
        self.driver_rules = driver_rules
        self.c = compiled
        self.p = compiled.problem
        self.r = r
        self.v = v
        self.veh: Vehicle = self.p.vehicles[v]
        self.points = points
        self.violations: list[Violation] = []
        #: Index in the final steps of each break-free step (START, visits, END).
        self.step_of: list[int] = list(range(len(points) + 2))

    def _add(self, code: ViolationCode, en: str, ja: str, step: int | None, **kw: object) -> None:
        self.violations.append(
            Violation(code, en, ja, route=self.r, step=step, vehicle_id=self.veh.id, **kw)  # type: ignore[arg-type]
        )

    def run(self) -> RouteResult:
        c, p, veh, pts = self.c, self.p, self.veh, self.points
        prof = c.vehicle_profile[self.v]
        nodes = [veh.start_depot] + [pt.node for pt in pts] + [veh.end_depot]
        idx = np.asarray(nodes, dtype=np.intp)
        dists: list[int] = c.distances[prof][idx[:-1], idx[1:]].tolist()
        durs: list[int] = c.durations[prof][idx[:-1], idx[1:]].tolist()

        self._check_restrictions()
        loads, trips = self._loads()

        sd, ed = p.depots[veh.start_depot], p.depots[veh.end_depot]
        earliest = max(veh.shift.start, sd.time_window.start)
        latest_leave = min(veh.shift.end, sd.time_window.end)
        max_delay = max(0, latest_leave - earliest)
        own = self.driver_rules if self.driver_rules is not None else veh.rules
        rules = own if own is not None and own.enabled else None
        bsched: BreakSchedule | None = None
        if rules is not None:
            bsched = latest_schedule_with_breaks(
                rules, earliest, max_delay, durs, [pt.service for pt in pts], [pt.windows for pt in pts]
            )
            times = _Times(
                list(bsched.arrival),
                list(bsched.start),
                list(bsched.departure),
                list(bsched.waiting),
                list(bsched.window_end),
                list(bsched.late),
                bsched.end_time,
            )
            depart = bsched.start_time
        else:
            first = _schedule(earliest, pts, durs)
            if all(len(pt.windows) <= 1 for pt in pts):
                delay = _latest_delay(first, max_delay)
            else:
                latest = _latest_departure(first, pts, durs)
                delay = 0 if latest is None else max(0, min(latest - earliest, max_delay))
            times = first if delay == 0 else _schedule(earliest + delay, pts, durs)
            depart = earliest + delay

        start_time, end_time = depart, times.end_arrival
        duration = end_time - start_time
        distance = sum(dists)
        travel = sum(durs)
        service = sum(pt.service for pt in pts)
        waiting = sum(times.waiting)
        num_trips = trips[-1] + 1 if pts else 1

        self._check_times(times, depart, latest_leave)
        latest_back = min(veh.shift.end, ed.time_window.end)
        n = len(pts)
        if end_time > latest_back:
            over = end_time - latest_back
            self._add(
                ViolationCode.SHIFT,
                f"vehicle {veh.id} is back at depot {ed.id} at {end_time} s, {over} s after its "
                f"shift / depot closing time {latest_back} s",
                f"車両 {veh.id} のデポ {ed.id} への帰着は {end_time} 秒で、勤務・デポの終了時刻 "
                f"{latest_back} 秒を {over} 秒超過しています",
                n + 1,
                amount=end_time,
                limit=latest_back,
            )
        if veh.max_duration is not None and duration > veh.max_duration:
            self._add(
                ViolationCode.MAX_DURATION,
                f"route of vehicle {veh.id} lasts {duration} s, more than its max_duration "
                f"{veh.max_duration} s",
                f"車両 {veh.id} のルート所要時間 {duration} 秒が上限 {veh.max_duration} 秒を超えています",
                None,
                amount=duration,
                limit=veh.max_duration,
            )
        if veh.max_distance is not None and distance > veh.max_distance:
            self._add(
                ViolationCode.MAX_DISTANCE,
                f"route of vehicle {veh.id} is {distance} m long, more than its max_distance "
                f"{veh.max_distance} m",
                f"車両 {veh.id} のルート距離 {distance} m が上限 {veh.max_distance} m を超えています",
                None,
                amount=distance,
                limit=veh.max_distance,
            )
        if num_trips > veh.max_trips:
            reloads = [k for k, pt in enumerate(pts) if pt.kind == "RELOAD"]
            bad = reloads[veh.max_trips - 1] + 1
            self._add(
                ViolationCode.RELOAD_NOT_ALLOWED,
                f"vehicle {veh.id} makes {num_trips} trips but may make at most {veh.max_trips}",
                f"車両 {veh.id} の便数 {num_trips} が上限 {veh.max_trips} を超えています",
                bad,
                amount=num_trips,
                limit=veh.max_trips,
            )

        steps = [Step("START", None, veh.start_depot, depart, depart, depart, 0, loads[0], 0, 0, 0)]
        for k, pt in enumerate(pts):
            steps.append(
                Step(
                    pt.kind,
                    pt.visit,
                    pt.node,
                    times.arrival[k],
                    times.start[k],
                    times.departure[k],
                    times.waiting[k],
                    loads[k + 1],
                    dists[k],
                    durs[k],
                    trips[k],
                )
            )
        steps.append(
            Step(
                "END",
                None,
                veh.end_depot,
                end_time,
                end_time,
                end_time,
                0,
                loads[n + 1],
                dists[n],
                durs[n],
                trips[-1] if pts else 0,
            )
        )
        self.step_of = list(range(len(steps)))
        breaks: tuple[Break, ...] = ()
        if bsched is not None:
            breaks = bsched.breaks
            if breaks:
                steps, self.step_of = _insert_breaks(steps, breaks, dists, durs)
                self.violations = [
                    v if v.step is None else replace(v, step=self.step_of[v.step]) for v in self.violations
                ]
                waiting = sum(st.waiting for st in steps)
            assert rules is not None
            self.violations.extend(driving_violations(steps, rules, route=self.r, vehicle_id=veh.id))
        fixed = veh.fixed_cost
        dcost = veh.cost_per_km * distance / 1000
        tcost = veh.cost_per_hour * duration / 3600
        return RouteResult(
            vehicle=self.v,
            vehicle_id=veh.id,
            steps=tuple(steps),
            start_time=start_time,
            end_time=end_time,
            duration=duration,
            distance=distance,
            travel_duration=travel,
            service_duration=service,
            waiting_duration=waiting,
            num_trips=num_trips,
            cost=fixed + dcost + tcost,
            fixed_cost=fixed,
            distance_cost=dcost,
            duration_cost=tcost,
            breaks=breaks,
            break_duration=sum(b.duration for b in breaks),
        )

    # ---------------------------------------------------------------- checks

    def _check_restrictions(self) -> None:
        p, veh = self.p, self.veh
        checked: set[int] = set()
        for k, pt in enumerate(self.points):
            vis = pt.visit
            if vis.kind is NodeKind.JOB:
                item = p.jobs[vis.index]
            elif vis.kind is NodeKind.DEPOT or vis.index in checked:
                continue
            else:
                checked.add(vis.index)
                item = p.shipments[vis.index]
            classes, skills = item.allowed_vehicle_classes, item.required_skills
            if vehicle_can_serve(self.c, self.v, classes, skills):
                continue
            en, ja = _label(p, vis)
            if classes and veh.vehicle_class not in classes:
                allowed = ", ".join(sorted(classes))
                cls = veh.vehicle_class or "(none)"
                self._add(
                    ViolationCode.VEHICLE_CLASS,
                    f"{en} allows only vehicle classes {allowed}, but vehicle {veh.id} is of class {cls}",
                    f"{ja} は車格 {allowed} のみ可能ですが、車両 {veh.id} の車格は {cls} です",
                    k + 1,
                    job_id=item.id,
                )
            missing = skills - veh.skills
            if missing:
                miss = ", ".join(sorted(missing))
                self._add(
                    ViolationCode.SKILL,
                    f"{en} requires skills {miss} that vehicle {veh.id} does not have",
                    f"{ja} に必要なスキル {miss} を車両 {veh.id} は持っていません",
                    k + 1,
                    job_id=item.id,
                )

    def _loads(self) -> tuple[list[tuple[int, ...]], list[int]]:
        """Load after every step (START .. END) and the trip of every visit; checks capacity."""
        p, veh, pts = self.p, self.veh, self.points
        dims = p.num_dimensions
        zero = (0,) * dims

        def dem(d: tuple[int, ...]) -> tuple[int, ...]:
            return d if d else zero

        # Deliveries of each trip are loaded at its start.
        trip_deliveries: list[list[int]] = [[0] * dims]
        trips: list[int] = []
        for pt in pts:
            if pt.kind == "RELOAD":
                trip_deliveries.append([0] * dims)
            elif pt.kind == "JOB":
                job = p.jobs[pt.visit.index]
                if job.kind is JobKind.DELIVERY and job.demand:
                    acc = trip_deliveries[-1]
                    for d in range(dims):
                        acc[d] += job.demand[d]
            trips.append(len(trip_deliveries) - 1)  # a reload step belongs to the trip it starts
        load = list(trip_deliveries[0])
        picked = [0] * dims  # pickup-job amounts on board this trip
        on_board: set[int] = set()
        loads: list[tuple[int, ...]] = [tuple(load)]
        cap = veh.capacity
        # Overload episodes per dimension: (peak, step of peak) while over capacity.
        episode: list[tuple[int, int] | None] = [None] * dims

        def close(d: int) -> None:
            ep = episode[d]
            if ep is not None:
                self._capacity(d, ep[0], ep[1], trips)
                episode[d] = None

        def observe(step: int) -> None:
            for d in range(dims):
                x = load[d]
                if x > cap[d]:
                    ep = episode[d]
                    if ep is None or x > ep[0]:
                        episode[d] = (x, step)
                else:
                    close(d)

        observe(0)
        trip = 0
        for k, pt in enumerate(pts):
            if pt.kind == "JOB":
                job = p.jobs[pt.visit.index]
                if job.demand:
                    if job.kind is JobKind.DELIVERY:
                        for d in range(dims):
                            load[d] -= job.demand[d]
                    else:
                        for d in range(dims):
                            load[d] += job.demand[d]
                            picked[d] += job.demand[d]
            elif pt.kind == "PICKUP":
                s = pt.visit.index
                if s not in on_board:
                    on_board.add(s)
                    sd = dem(p.shipments[s].demand)
                    for d in range(dims):
                        load[d] += sd[d]
            elif pt.kind == "DELIVERY":
                s = pt.visit.index
                if s in on_board:
                    on_board.discard(s)
                    sd = dem(p.shipments[s].demand)
                    for d in range(dims):
                        load[d] -= sd[d]
            else:  # RELOAD: the trip ends, pickups are unloaded, next deliveries loaded
                for d in range(dims):
                    close(d)
                trip += 1
                nxt = trip_deliveries[trip]
                for d in range(dims):
                    load[d] += nxt[d] - picked[d]
                    picked[d] = 0
            observe(k + 1)
            loads.append(tuple(load))
        for d in range(dims):
            close(d)
            load[d] -= picked[d]
        loads.append(tuple(load))
        return loads, trips

    def _capacity(self, d: int, amount: int, step: int, trips: list[int]) -> None:
        p, veh = self.p, self.veh
        dim = p.dimensions[d]
        limit = veh.capacity[d]
        if step == 0:
            dep = p.depots[veh.start_depot].id
            where_en = f"at the start of trip 1 (deliveries loaded at depot {dep})"
            where_ja = f"第1便の出発時(デポ {dep} で配達分を積載)"
            job_id = None
        else:
            pt = self.points[step - 1]
            en, ja = _label(p, pt.visit)
            job_id = _item_id(p, pt.visit)
            if pt.kind == "RELOAD":
                trip = trips[step - 1] + 1
                dep = p.depots[pt.visit.index].id
                where_en = f"after reloading at depot {dep} (start of trip {trip})"
                where_ja = f"デポ {dep} での積み込み後(第{trip}便の出発時)"
            else:
                where_en, where_ja = f"after {en}", f"{ja} の後"
        self._add(
            ViolationCode.CAPACITY,
            f"vehicle {veh.id} load {dim} {amount} exceeds capacity {limit} {where_en}",
            f"車両 {veh.id} の積載量 {dim} {amount} が容量 {limit} を超えています({where_ja})",
            step,
            job_id=job_id,
            dimension=dim,
            amount=amount,
            limit=limit,
        )

    def _check_times(self, times: _Times, depart: int, latest_leave: int) -> None:
        p, veh = self.p, self.veh
        if depart > latest_leave:
            dep = p.depots[veh.start_depot].id
            self._add(
                ViolationCode.SHIFT,
                f"vehicle {veh.id} cannot leave depot {dep} before {depart} s, after its shift / depot "
                f"closing time {latest_leave} s",
                f"車両 {veh.id} はデポ {dep} を {depart} 秒より前に出発できず、勤務・デポの終了時刻 "
                f"{latest_leave} 秒を過ぎています",
                0,
                amount=depart,
                limit=latest_leave,
            )
        for k, pt in enumerate(self.points):
            if not times.late[k]:
                continue
            a = times.arrival[k]
            limit = times.window_end[k]
            assert limit is not None
            over = a - limit
            en, ja = _label(p, pt.visit)
            self._add(
                ViolationCode.TIME_WINDOW,
                f"vehicle {veh.id} starts {en} at {a} s, {over} s after its last time window "
                f"closes at {limit} s",
                f"車両 {veh.id} の{ja} の開始は {a} 秒で、最後の時間枠の終了 {limit} 秒を {over} 秒"
                f"超過しています",
                k + 1,
                job_id=_item_id(p, pt.visit),
                amount=a,
                limit=limit,
            )


# --------------------------------------------------------------------------
# Breaks and driving-time rules
# --------------------------------------------------------------------------


def _insert_breaks(
    steps: list[Step], breaks: Sequence[Break], dists: list[int], durs: list[int]
) -> tuple[list[Step], list[int]]:
    """Break-free steps with BREAK steps inserted; also the new index of every old step.

    A break at a stop or by the road on leg ``k`` comes before step ``k + 1``; a
    break taken while waiting at step ``k`` comes right before it. Legs cut by
    the road breaks share their distance in proportion to the time driven.
    """
    before: dict[int, list[Break]] = {}
    for b in breaks:
        pos = b.position if b.place is BreakPlace.WAITING else b.position + 1
        before.setdefault(pos, []).append(b)
    out = [steps[0]]
    index = [0]
    for pos in range(1, len(steps)):
        st = steps[pos]
        group = before.get(pos)
        if not group:
            out.append(st)
            index.append(len(out) - 1)
            continue
        offsets = [b.driven for b in group if b.place is BreakPlace.EN_ROUTE]
        pieces = split_leg(dists[pos - 1], durs[pos - 1], offsets)
        piece = 0
        for b in group:
            prev = out[-1]
            if b.place is BreakPlace.AT_STOP:
                dd, dt = 0, 0
            else:
                dd, dt = pieces[piece]
                piece += 1
            node = steps[pos - 1].node if b.place is BreakPlace.AT_STOP else st.node
            out.append(Step("BREAK", None, node, b.start, b.start, b.end, 0, prev.load, dd, dt, prev.trip))
        if piece < len(pieces):
            dd, dt = pieces[piece]
        else:
            dd, dt = 0, 0
        last = group[-1]
        if last.place is BreakPlace.WAITING:
            st = replace(st, arrival=last.end, waiting=st.start - last.end)
        out.append(replace(st, distance_from_previous=dd, duration_from_previous=dt))
        index.append(len(out) - 1)
    return out, index


def _hm(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}"


def driving_violations(
    steps: Sequence[Step],
    rules: DrivingRules,
    *,
    route: int | None = None,
    vehicle_id: str | None = None,
) -> list[Violation]:
    """Check a route's steps against ``rules``, independently of how breaks were planned.

    Driving is the travel time between steps (``duration_from_previous``);
    service, waiting and reloads are not driving and not breaks. Consecutive
    BREAK steps form one break; a break of at least ``break_min_part`` adds to
    the break time of the current stretch, and once that reaches
    ``break_total`` the stretch ends (the driving clock resets). Reports every
    stretch longer than ``max_continuous_driving`` (at the step where the limit
    is first passed), a restraint (last departure minus first) over
    ``max_restraint`` and total driving over ``max_daily_driving``.
    """
    out: list[Violation] = []
    if not rules.enabled or not steps:
        return out
    who = f"vehicle {vehicle_id}" if vehicle_id is not None else "the vehicle"
    who_ja = f"車両 {vehicle_id}" if vehicle_id is not None else "車両"
    limit = rules.max_continuous_driving
    stretch = 0  # driving in the current stretch
    rested = 0  # qualifying break time in the current stretch
    exceeded_at: int | None = None
    run = 0  # length of the current run of BREAK steps
    total = 0
    total_at: int | None = None

    def close_stretch() -> None:
        nonlocal stretch, rested, exceeded_at
        if exceeded_at is not None:
            out.append(
                Violation(
                    ViolationCode.CONTINUOUS_DRIVING,
                    f"{who} drives {stretch} s ({_hm(stretch)}) without {rules.break_total} s of breaks, "
                    f"more than the continuous driving limit {limit} s ({_hm(limit)})",
                    f"{who_ja} の連続運転時間 {stretch} 秒({_hm(stretch)})が上限 {limit} 秒({_hm(limit)})"
                    f"を超えています(休憩合計 {rules.break_total} 秒が必要です)",
                    route=route,
                    step=exceeded_at,
                    vehicle_id=vehicle_id,
                    amount=stretch,
                    limit=limit,
                )
            )
        stretch = rested = 0
        exceeded_at = None

    def end_break_run() -> None:
        nonlocal run, rested
        if run >= rules.break_min_part:
            rested += run
            if rested >= rules.break_total:
                close_stretch()
        run = 0

    for idx, st in enumerate(steps):
        drive = st.duration_from_previous if idx > 0 else 0
        if drive > 0:
            end_break_run()
            stretch += drive
            total += drive
            if exceeded_at is None and stretch > limit:
                exceeded_at = idx
            if total_at is None and rules.max_daily_driving is not None and total > rules.max_daily_driving:
                total_at = idx
        if st.kind == "BREAK":
            run += st.departure - st.arrival
        else:
            end_break_run()
    end_break_run()
    close_stretch()

    restraint = steps[-1].departure - steps[0].departure
    if restraint > rules.max_restraint:
        hard = (
            f" (also over the hard maximum {rules.hard_max_restraint} s)"
            if restraint > rules.hard_max_restraint
            else ""
        )
        over_hard = restraint > rules.hard_max_restraint
        hard_ja = f"(最大 {rules.hard_max_restraint} 秒も超過)" if over_hard else ""
        out.append(
            Violation(
                ViolationCode.RESTRAINT,
                f"{who} is restrained {restraint} s ({_hm(restraint)}) from start to end, more than "
                f"{rules.max_restraint} s ({_hm(rules.max_restraint)}){hard}",
                f"{who_ja} の拘束時間 {restraint} 秒({_hm(restraint)})が上限 {rules.max_restraint} 秒"
                f"({_hm(rules.max_restraint)})を超えています{hard_ja}",
                route=route,
                vehicle_id=vehicle_id,
                amount=restraint,
                limit=rules.max_restraint,
            )
        )
    if total_at is not None:
        assert rules.max_daily_driving is not None
        lim = rules.max_daily_driving
        out.append(
            Violation(
                ViolationCode.DAILY_DRIVING,
                f"{who} drives {total} s ({_hm(total)}) in total, more than the daily limit "
                f"{lim} s ({_hm(lim)})",
                f"{who_ja} の運転時間の合計 {total} 秒({_hm(total)})が1日の上限 {lim} 秒({_hm(lim)})"
                f"を超えています",
                route=route,
                step=total_at,
                vehicle_id=vehicle_id,
                amount=total,
                limit=lim,
            )
        )
    return out


# --------------------------------------------------------------------------
# The whole plan
# --------------------------------------------------------------------------


def evaluate(compiled: Compiled, plan: Plan, *, require_all: bool = False) -> Evaluation:
    """Recompute every route of ``plan`` and report each violated constraint.

    Routes with no job or shipment visit are ignored (they cost nothing);
    a route whose vehicle index is unknown is reported and not scheduled, but
    its visits still count as present in the plan. With ``require_all``,
    required jobs and shipments (``penalty is None``) left out are violations.
    """
    p = compiled.problem
    n_veh = len(p.vehicles)
    violations: list[Violation] = []
    results: list[RouteResult] = []
    job_at: dict[int, tuple[int, int]] = {}
    pick_at: dict[int, tuple[int, int]] = {}
    drop_at: dict[int, tuple[int, int]] = {}
    route_of_vehicle: dict[int, int] = {}
    route_of_driver: dict[int, int] = {}

    for r, rp in enumerate(plan.routes):
        v = rp.vehicle
        known_vehicle = 0 <= v < n_veh
        vid = p.vehicles[v].id if known_vehicle else None
        route_viols: list[Violation] = []
        if not known_vehicle:
            route_viols.append(
                Violation(
                    ViolationCode.UNKNOWN_VEHICLE,
                    f"route {r} uses vehicle index {v}, but vehicle indices go from 0 to {n_veh - 1}",
                    f"ルート {r} の車両番号 {v} は存在しません(車両は 0..{n_veh - 1} の {n_veh} 台)",
                    route=r,
                    amount=v,
                    limit=n_veh,
                )
            )
        visits: list[Visit] = []
        for pos, vis in enumerate(rp.visits):
            size = _count(p, vis.kind)
            if 0 <= vis.index < size:
                visits.append(vis)
                continue
            what, what_ja = _KIND_EN[vis.kind], _KIND_JA[vis.kind]
            route_viols.append(
                Violation(
                    ViolationCode.UNKNOWN_VISIT,
                    f"visit {pos} of route {r} ({vis.kind.value} {vis.index}) refers to no {what}: "
                    f"the problem has {size}",
                    f"ルート {r} の訪問 {pos}({vis.kind.value} {vis.index})に該当する{what_ja}がありません"
                    f"(全 {size} 件)",
                    route=r,
                    vehicle_id=vid,
                    amount=vis.index,
                    limit=size,
                )
            )
        if not any(vis.kind is not NodeKind.DEPOT for vis in visits):
            violations.extend(route_viols)
            continue

        checker: _RouteChecker | None = None
        route_result: RouteResult | None = None
        if known_vehicle:
            # Scheduled first: breaks may add steps, which renumbers the visits' steps.
            checker = _RouteChecker(compiled, r, v, _prepare(compiled, visits), _driver_rules(p, rp))
            route_result = checker.run()
        for k, vis in enumerate(visits):
            step = k + 1 if checker is None else checker.step_of[k + 1]
            if vis.kind is NodeKind.DEPOT:
                continue
            seen = job_at if vis.kind is NodeKind.JOB else pick_at if vis.kind is NodeKind.PICKUP else drop_at
            first = seen.get(vis.index)
            if first is None:
                seen[vis.index] = (r, step)
                continue
            en, ja = _label(p, vis)
            route_viols.append(
                Violation(
                    ViolationCode.DUPLICATE_VISIT,
                    f"{en} is visited again at route {r} step {step}; it was already visited at route "
                    f"{first[0]} step {first[1]}",
                    f"{ja} がルート {r} のステップ {step} で重複しています(既にルート {first[0]} の"
                    f"ステップ {first[1]} で訪問済み)",
                    route=r,
                    step=step,
                    job_id=_item_id(p, vis),
                    vehicle_id=vid,
                    amount=2,
                    limit=1,
                )
            )

        if checker is not None and route_result is not None:
            prev = route_of_vehicle.get(v)
            if prev is not None:
                route_viols.append(
                    Violation(
                        ViolationCode.VEHICLE_REUSED,
                        f"vehicle {vid} already drives route {prev}; route {r} cannot use it again "
                        f"(use reloads for several trips)",
                        f"車両 {vid} は既にルート {prev} を走行しており、ルート {r} で再使用できません"
                        f"(複数便は積み替えで表してください)",
                        route=r,
                        vehicle_id=vid,
                        amount=2,
                        limit=1,
                    )
                )
            else:
                route_of_vehicle[v] = r
            if rp.driver is not None:
                route_viols.extend(_check_driver(p, r, v, rp.driver, route_of_driver))
                if 0 <= rp.driver < len(p.drivers):
                    route_result = replace(route_result, driver_id=p.drivers[rp.driver].id)
            elif p.drivers:
                vid = p.vehicles[v].id
                route_viols.append(
                    Violation(
                        ViolationCode.DRIVER_MISSING,
                        f"route {r} of vehicle {vid} names no driver, but the problem has drivers",
                        f"ルート {r}（車両 {vid}）に運転者が指定されていません",
                        route=r,
                        vehicle_id=vid,
                    )
                )
            results.append(route_result)
            route_viols.extend(checker.violations)
        route_viols.sort(key=lambda x: -1 if x.step is None else x.step)
        violations.extend(route_viols)

    violations.extend(_pickup_delivery(compiled, plan, pick_at, drop_at))

    unassigned_jobs = tuple(i for i in range(len(p.jobs)) if i not in job_at)
    unassigned_shp = tuple(i for i in range(len(p.shipments)) if i not in pick_at and i not in drop_at)
    penalty = 0.0
    for i in unassigned_jobs:
        job = p.jobs[i]
        if job.penalty is not None:
            penalty += job.penalty
        elif require_all:
            violations.append(
                Violation(
                    ViolationCode.REQUIRED_JOB_MISSING,
                    f"required job {job.id} is not in the plan",
                    f"必須のジョブ {job.id} が計画に含まれていません",
                    job_id=job.id,
                )
            )
    for i in unassigned_shp:
        s = p.shipments[i]
        if s.penalty is not None:
            penalty += s.penalty
        elif require_all:
            violations.append(
                Violation(
                    ViolationCode.REQUIRED_JOB_MISSING,
                    f"required shipment {s.id} is not in the plan",
                    f"必須の輸送依頼 {s.id} が計画に含まれていません",
                    job_id=s.id,
                )
            )

    fixed = sum(rr.fixed_cost for rr in results)
    dist_cost = sum(rr.distance_cost for rr in results)
    dur_cost = sum(rr.duration_cost for rr in results)
    return Evaluation(
        routes=tuple(results),
        violations=tuple(violations),
        unassigned_jobs=unassigned_jobs,
        unassigned_shipments=unassigned_shp,
        cost=CostBreakdown(fixed, dist_cost, dur_cost, penalty, fixed + dist_cost + dur_cost + penalty),
        distance=sum(rr.distance for rr in results),
        duration=sum(rr.duration for rr in results),
        vehicles_used=len({rr.vehicle for rr in results}),
    )


def _driver_rules(p: Problem, rp: RoutePlan) -> DrivingRules | None:
    """The driving rules of the route's driver, if it names one that has rules."""
    if rp.driver is None or not 0 <= rp.driver < len(p.drivers):
        return None
    return p.drivers[rp.driver].rules


def _check_driver(p: Problem, r: int, v: int, d: int, route_of_driver: dict[int, int]) -> list[Violation]:
    """Violations of route ``r`` (vehicle ``v``) being driven by driver index ``d``."""
    veh = p.vehicles[v]
    n = len(p.drivers)
    if not 0 <= d < n:
        return [
            Violation(
                ViolationCode.UNKNOWN_DRIVER,
                f"route {r} names driver index {d}, but the problem has {n} driver(s)",
                f"ルート {r} の運転者番号 {d} は存在しません(運転者は {n} 人)",
                route=r,
                vehicle_id=veh.id,
                amount=d,
                limit=n,
            )
        ]
    drv = p.drivers[d]
    out: list[Violation] = []
    prev = route_of_driver.setdefault(d, r)
    if prev != r:
        out.append(
            Violation(
                ViolationCode.DRIVER_REUSED,
                f"driver {drv.id} already drives route {prev}; route {r} cannot have the same driver",
                f"運転者 {drv.id} は既にルート {prev} を担当しており、ルート {r} には割り当てられません",
                route=r,
                vehicle_id=veh.id,
                amount=2,
                limit=1,
            )
        )
    if not allows(drv.licence, veh.gross_weight_kg, veh.payload_kg):
        gross = "unknown" if veh.gross_weight_kg is None else f"{veh.gross_weight_kg} kg"
        pay = "unknown" if veh.payload_kg is None else f"{veh.payload_kg} kg"
        gross_ja = "不明" if veh.gross_weight_kg is None else f"{veh.gross_weight_kg} kg"
        pay_ja = "不明" if veh.payload_kg is None else f"{veh.payload_kg} kg"
        out.append(
            Violation(
                ViolationCode.LICENCE,
                f"driver {drv.id}'s licence {drv.licence.value} ({drv.licence.name}) does not allow "
                f"vehicle {veh.id} (gross weight {gross}, payload {pay})",
                f"運転者 {drv.id} の免許({drv.licence.value})では車両 {veh.id}"
                f"(車両総重量 {gross_ja}、最大積載量 {pay_ja})を運転できません",
                route=r,
                vehicle_id=veh.id,
                amount=veh.gross_weight_kg,
            )
        )
    return out


def _pickup_delivery(
    compiled: Compiled,
    plan: Plan,
    pick_at: dict[int, tuple[int, int]],
    drop_at: dict[int, tuple[int, int]],
) -> list[Violation]:
    p = compiled.problem
    out: list[Violation] = []

    def vid(r: int) -> str | None:
        v = plan.routes[r].vehicle
        return p.vehicles[v].id if 0 <= v < len(p.vehicles) else None

    for s in sorted(set(pick_at) | set(drop_at)):
        sid = p.shipments[s].id
        pk, dl = pick_at.get(s), drop_at.get(s)
        if dl is None:
            assert pk is not None
            en = f"shipment {sid} is picked up (route {pk[0]} step {pk[1]}) but never delivered"
            ja = f"輸送依頼 {sid} は集荷されています(ルート {pk[0]} ステップ {pk[1]})が配達されていません"
            at = pk
        elif pk is None:
            en = f"shipment {sid} is delivered (route {dl[0]} step {dl[1]}) but never picked up"
            ja = f"輸送依頼 {sid} は配達されています(ルート {dl[0]} ステップ {dl[1]})が集荷されていません"
            at = dl
        elif pk[0] != dl[0]:
            en = (
                f"shipment {sid} is picked up on route {pk[0]} but delivered on route {dl[0]}; "
                f"both must be on the same route"
            )
            ja = (
                f"輸送依頼 {sid} の集荷はルート {pk[0]}、配達はルート {dl[0]} です。"
                f"同じルートである必要があります"
            )
            at = dl
        elif pk[1] > dl[1]:
            en = (
                f"shipment {sid} is delivered at step {dl[1]} of route {dl[0]} before it is picked "
                f"up at step {pk[1]}"
            )
            ja = (
                f"輸送依頼 {sid} はルート {dl[0]} のステップ {dl[1]} で配達され、集荷(ステップ "
                f"{pk[1]})より前になっています"
            )
            at = dl
        else:
            continue
        out.append(
            Violation(
                ViolationCode.PICKUP_DELIVERY,
                en,
                ja,
                route=at[0],
                step=at[1],
                job_id=sid,
                vehicle_id=vid(at[0]),
            )
        )
    return out
