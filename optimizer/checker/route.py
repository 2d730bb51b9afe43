"""Schedules and checks one route of a known vehicle: loads, windows, shift, limits, breaks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from optimizer.breaks import Break, BreakSchedule, latest_schedule_with_breaks
from optimizer.checker.driving import driving_violations, insert_breaks
from optimizer.checker.messages import item_id, label
from optimizer.checker.result import RouteResult, Step, Violation, ViolationCode
from optimizer.checker.schedule import Point, Times, latest_delay, latest_departure, schedule
from optimizer.compiled import Compiled
from optimizer.engines.base import vehicle_can_serve
from optimizer.model import JobKind, NodeKind, Vehicle
from optimizer.rules import DrivingRules


class RouteChecker:
    """Schedules and checks one non-empty route of a known vehicle."""

    def __init__(
        self,
        compiled: Compiled,
        r: int,
        v: int,
        points: list[Point],
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
            times = Times(
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
            first = schedule(earliest, pts, durs)
            if all(len(pt.windows) <= 1 for pt in pts):
                delay = latest_delay(first, max_delay)
            else:
                latest = latest_departure(first, pts, durs)
                delay = 0 if latest is None else max(0, min(latest - earliest, max_delay))
            times = first if delay == 0 else schedule(earliest + delay, pts, durs)
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
                steps, self.step_of = insert_breaks(steps, breaks, dists, durs)
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
            en, ja = label(p, vis)
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
            en, ja = label(p, pt.visit)
            job_id = item_id(p, pt.visit)
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

    def _check_times(self, times: Times, depart: int, latest_leave: int) -> None:
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
            en, ja = label(p, pt.visit)
            self._add(
                ViolationCode.TIME_WINDOW,
                f"vehicle {veh.id} starts {en} at {a} s, {over} s after its last time window "
                f"closes at {limit} s",
                f"車両 {veh.id} の{ja} の開始は {a} 秒で、最後の時間枠の終了 {limit} 秒を {over} 秒"
                f"超過しています",
                k + 1,
                job_id=item_id(p, pt.visit),
                amount=a,
                limit=limit,
            )
