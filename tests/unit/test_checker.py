"""Tests for the independent plan checker (optimizer.checker)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from optimizer.checker import Evaluation, Step, ViolationCode, driving_violations, evaluate
from optimizer.compiled import Compiled, compile_problem
from optimizer.model import (
    Depot,
    Job,
    JobKind,
    Location,
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
from optimizer.rules import JAPAN_2024, DrivingRules

# --------------------------------------------------------------------------
# Small hand-built problems: Euclidean, 1 m per unit, 1 m/s, so every arc's
# distance in metres equals its duration in seconds.
# --------------------------------------------------------------------------


def _loc(x: float, y: float = 0.0) -> Location:
    return Location(x=x, y=y)


def _job(
    jid: str,
    x: float,
    y: float = 0.0,
    *,
    demand: tuple[int, ...] = (),
    service: int = 0,
    windows: tuple[TimeWindow, ...] = (),
    kind: JobKind = JobKind.DELIVERY,
    **kw: object,
) -> Job:
    return Job(jid, Stop(_loc(x, y), service, windows), kind=kind, demand=demand, **kw)  # type: ignore[arg-type]


def _compiled(
    jobs: tuple[Job, ...],
    vehicles: tuple[Vehicle, ...] = (Vehicle("V-1", (100,)),),
    depots: tuple[Depot, ...] = (Depot("D-1", _loc(0)),),
    shipments: tuple[Shipment, ...] = (),
    dimensions: tuple[str, ...] = ("kg",),
) -> Compiled:
    return compile_problem(
        Problem(
            depots=depots,
            vehicles=vehicles,
            jobs=jobs,
            shipments=shipments,
            dimensions=dimensions,
            travel=Travel(TravelMode.EUCLIDEAN, scale=1.0, rounding=Rounding.ROUND, speed=1.0),
        )
    )


def J(i: int) -> Visit:
    return Visit(NodeKind.JOB, i)


def _plan(*routes: tuple[int, list[Visit]]) -> Plan:
    return Plan([RoutePlan(v, list(visits)) for v, visits in routes])


def _codes(ev: Evaluation) -> list[ViolationCode]:
    return [v.code for v in ev.violations]


def _only(ev: Evaluation, code: ViolationCode):
    found = [v for v in ev.violations if v.code is code]
    assert len(found) == 1, ev.violations
    assert _codes(ev) == [code], ev.violations
    return found[0]


# --------------------------------------------------------------------------
# A clean route, computed by hand
# --------------------------------------------------------------------------


def test_clean_route_has_exact_times_loads_and_cost():
    """A feasible two-job route gets the hand-computed schedule, loads and cost, with waiting removed."""
    c = _compiled(
        jobs=(
            _job("J-1", 300, demand=(3,), service=60, windows=(TimeWindow(500, 900),)),
            _job("J-2", 300, 400, demand=(4,), service=30, kind=JobKind.PICKUP),
        ),
        vehicles=(
            Vehicle(
                "V-1",
                (10,),
                shift=TimeWindow(100, 5000),
                fixed_cost=50.0,
                cost_per_km=2.0,
                cost_per_hour=36.0,
            ),
        ),
        depots=(Depot("D-1", _loc(0), TimeWindow(0, 10_000)),),
    )
    ev = evaluate(c, _plan((0, [J(0), J(1)])))
    assert ev.is_feasible, ev.violations
    (r,) = ev.routes
    # Earliest departure 100 would wait 100 s at J-1; leaving at 200 ends at the same time.
    got = [
        (
            s.kind,
            s.node,
            s.arrival,
            s.start,
            s.departure,
            s.waiting,
            s.load,
            s.distance_from_previous,
            s.duration_from_previous,
            s.trip,
        )
        for s in r.steps
    ]
    assert got == [
        ("START", 0, 200, 200, 200, 0, (3,), 0, 0, 0),
        ("JOB", 1, 500, 500, 560, 0, (0,), 300, 300, 0),
        ("JOB", 2, 960, 960, 990, 0, (4,), 400, 400, 0),
        ("END", 0, 1490, 1490, 1490, 0, (0,), 500, 500, 0),
    ]
    assert (r.start_time, r.end_time, r.duration) == (200, 1490, 1290)
    assert (r.distance, r.travel_duration, r.service_duration, r.waiting_duration) == (1200, 1200, 90, 0)
    assert r.num_trips == 1 and r.vehicle == 0 and r.vehicle_id == "V-1"
    assert r.fixed_cost == 50.0
    assert r.distance_cost == pytest.approx(2.4)
    assert r.duration_cost == pytest.approx(12.9)
    assert r.cost == pytest.approx(65.3)
    assert ev.cost.total == pytest.approx(65.3) and ev.cost.penalty == 0.0
    assert (ev.distance, ev.duration, ev.vehicles_used) == (1200, 1290, 1)
    assert ev.unassigned_jobs == () and ev.unassigned_shipments == ()


def test_waiting_that_cannot_be_absorbed_counts_in_duration():
    """The departure is delayed only as far as the tightest later window allows; the rest is waiting."""
    c = _compiled(
        jobs=(
            _job("J-1", 100, windows=(TimeWindow(0, 150),)),
            _job("J-2", 200, windows=(TimeWindow(1000, 2000),)),
        ),
    )
    ev = evaluate(c, _plan((0, [J(0), J(1)])))
    assert ev.is_feasible
    (r,) = ev.routes
    # Leave at 0: J-1 at 100, J-2 at 200 waits 800. J-1 closes at 150, so at most 50 s later.
    assert r.start_time == 50
    assert [s.arrival for s in r.steps] == [50, 150, 250, 1200]
    assert [s.waiting for s in r.steps] == [0, 0, 750, 0]
    assert (r.duration, r.waiting_duration) == (1150, 750)
    assert r.duration == r.travel_duration + r.service_duration + r.waiting_duration
    # A short window long after the earliest arrival: all 400 s of waiting are absorbed.
    alone = evaluate(c, _plan((0, [J(0)])))
    c2 = _compiled(jobs=(_job("J-1", 100, windows=(TimeWindow(500, 550),)),))
    r2 = evaluate(c2, _plan((0, [J(0)]))).routes[0]
    assert (r2.start_time, r2.duration, r2.waiting_duration, r2.end_time) == (400, 200, 0, 600)
    assert alone.routes[0].start_time == 0


def test_multiple_windows_pick_the_first_one_still_reachable():
    """With windows given out of order, service starts in the first window not yet closed at arrival."""
    c = _compiled(
        jobs=(
            _job("J-1", 100, windows=(TimeWindow(0, 150),)),
            _job("J-2", 400, windows=(TimeWindow(500, 600), TimeWindow(100, 200))),
        ),
    )
    ev = evaluate(c, _plan((0, [J(0), J(1)])))
    assert ev.is_feasible
    j2 = ev.routes[0].steps[2]
    # Arrives at 400 at the earliest: too late for [100, 200], so waits for [500, 600].
    assert j2.start == 500
    # Alone, J-2 is reached at 400 too, and starting at 500 means leaving at 100.
    alone = evaluate(c, _plan((0, [J(1)]))).routes[0]
    assert (alone.start_time, alone.steps[1].start, alone.duration) == (100, 500, 800)


def test_late_in_every_window_is_reported_and_schedule_goes_on():
    """Arriving after the last window closes is a TIME_WINDOW violation; the route goes on from arrival."""
    c = _compiled(
        jobs=(
            _job("J-1", 1000, service=10, windows=(TimeWindow(0, 300), TimeWindow(400, 500))),
            _job("J-2", 1200),
        ),
    )
    ev = evaluate(c, _plan((0, [J(0), J(1)])))
    v = _only(ev, ViolationCode.TIME_WINDOW)
    assert (v.route, v.step, v.job_id, v.vehicle_id) == (0, 1, "J-1", "V-1")
    assert (v.amount, v.limit) == (1000, 500)
    assert "job J-1" in v.message and "500 s after" in v.message and "1000 s" in v.message
    assert "J-1" in v.message_ja and "500 秒" in v.message_ja
    steps = ev.routes[0].steps
    assert [(s.arrival, s.start, s.departure) for s in steps] == [
        (0, 0, 0),
        (1000, 1000, 1010),
        (1210, 1210, 1210),
        (2410, 2410, 2410),
    ]


# --------------------------------------------------------------------------
# Loads
# --------------------------------------------------------------------------


def test_multi_trip_loads_unload_pickups_and_load_next_deliveries():
    """A reload ends a trip: pickups are unloaded and the next trip's deliveries loaded."""
    c = _compiled(
        jobs=(
            _job("J-1", 100, demand=(6,)),
            _job("J-2", 200, demand=(5,), kind=JobKind.PICKUP),
            _job("J-3", 300, demand=(8,)),
            _job("J-4", 400, demand=(2,)),
        ),
        vehicles=(Vehicle("V-1", (10,), max_trips=2),),
        depots=(Depot("D-1", _loc(0), reload_duration=100),),
    )
    plan = _plan((0, [J(0), J(1), Visit(NodeKind.DEPOT, 0), J(2), J(3)]))
    ev = evaluate(c, plan)
    assert ev.is_feasible, ev.violations
    r = ev.routes[0]
    assert [s.kind for s in r.steps] == ["START", "JOB", "JOB", "RELOAD", "JOB", "JOB", "END"]
    assert [s.load for s in r.steps] == [(6,), (0,), (5,), (10,), (2,), (0,), (0,)]
    assert [s.trip for s in r.steps] == [0, 0, 0, 1, 1, 1, 1]
    reload = r.steps[3]
    assert (reload.arrival, reload.start, reload.departure) == (400, 400, 500)
    assert r.num_trips == 2 and r.service_duration == 100
    assert r.end_time == 500 + 300 + 100 + 400 == 1300
    # Without the reload: 16 > 10 at the start, back to 10 after J-1, then 15 > 10 after the pickup.
    ev2 = evaluate(c, _plan((0, [J(0), J(1), J(2), J(3)])))
    assert _codes(ev2) == [ViolationCode.CAPACITY] * 2
    got = [(v.step, v.amount, v.limit, v.dimension, v.job_id) for v in ev2.violations]
    assert got == [(0, 16, 10, "kg", None), (2, 15, 10, "kg", "J-2")]
    assert "start of trip 1" in ev2.violations[0].message


def test_shipment_is_on_board_between_pickup_and_delivery():
    """A shipment's demand is carried from its pickup to its delivery, on top of deliveries."""
    c = _compiled(
        jobs=(_job("J-1", 300, demand=(2,)),),
        shipments=(Shipment("S-1", Stop(_loc(100)), Stop(_loc(500)), demand=(4,)),),
    )
    plan = _plan((0, [Visit(NodeKind.PICKUP, 0), J(0), Visit(NodeKind.DELIVERY, 0)]))
    ev = evaluate(c, plan)
    assert ev.is_feasible
    r = ev.routes[0]
    assert [s.kind for s in r.steps] == ["START", "PICKUP", "JOB", "DELIVERY", "END"]
    assert [s.load for s in r.steps] == [(2,), (6,), (4,), (0,), (0,)]
    assert r.distance == 1000


# --------------------------------------------------------------------------
# One test per violation code
# --------------------------------------------------------------------------


def test_capacity_violation_names_dimension_job_and_amounts():
    """Pickups overflowing one dimension give one CAPACITY violation at the peak, with the job named."""
    c = _compiled(
        jobs=(
            _job("J-1", 100, demand=(6, 1), kind=JobKind.PICKUP),
            _job("J-7", 200, demand=(7, 1), kind=JobKind.PICKUP),
        ),
        vehicles=(Vehicle("V-2", (10, 5)),),
        dimensions=("kg", "m3"),
    )
    ev = evaluate(c, _plan((0, [J(0), J(1)])))
    v = _only(ev, ViolationCode.CAPACITY)
    assert (v.route, v.step, v.job_id, v.vehicle_id, v.dimension, v.amount, v.limit) == (
        0,
        2,
        "J-7",
        "V-2",
        "kg",
        13,
        10,
    )
    assert v.message == "vehicle V-2 load kg 13 exceeds capacity 10 after job J-7"
    assert "V-2" in v.message_ja and "13" in v.message_ja and "J-7" in v.message_ja
    assert ev.routes[0].steps[2].load == (13, 2)


def test_time_window_violation():
    """Arriving after the only window closes is reported with how late."""
    c = _compiled(jobs=(_job("J-1", 700, windows=(TimeWindow(100, 600),)),))
    v = _only(evaluate(c, _plan((0, [J(0)]))), ViolationCode.TIME_WINDOW)
    assert (v.step, v.amount, v.limit, v.job_id) == (1, 700, 600, "J-1")
    assert "100 s after" in v.message


def test_shift_violation_uses_the_earlier_of_shift_and_depot_closing():
    """Coming back after the shift or depot closes is a SHIFT violation at the END step."""
    c = _compiled(
        jobs=(_job("J-1", 1000),),
        vehicles=(Vehicle("V-1", (100,), shift=TimeWindow(0, 1900)),),
        depots=(Depot("D-1", _loc(0), TimeWindow(0, 1800)),),
    )
    ev = evaluate(c, _plan((0, [J(0)])))
    v = _only(ev, ViolationCode.SHIFT)
    assert (v.step, v.amount, v.limit, v.vehicle_id) == (2, 2000, 1800, "V-1")
    assert "200 s after" in v.message
    assert ev.routes[0].end_time == 2000


def test_max_duration_violation():
    """A route longer than max_duration is reported with its duration."""
    c = _compiled(jobs=(_job("J-1", 600, service=50),), vehicles=(Vehicle("V-1", (100,), max_duration=1200),))
    v = _only(evaluate(c, _plan((0, [J(0)]))), ViolationCode.MAX_DURATION)
    assert (v.amount, v.limit, v.route, v.step) == (1250, 1200, 0, None)


def test_max_distance_violation():
    """A route longer than max_distance is reported with its distance."""
    c = _compiled(jobs=(_job("J-1", 600),), vehicles=(Vehicle("V-1", (100,), max_distance=1000),))
    v = _only(evaluate(c, _plan((0, [J(0)]))), ViolationCode.MAX_DISTANCE)
    assert (v.amount, v.limit) == (1200, 1000)
    assert "1200 m" in v.message


def test_vehicle_class_violation():
    """A job restricted to other vehicle classes is a VEHICLE_CLASS violation."""
    c = _compiled(
        jobs=(_job("J-1", 100, allowed_vehicle_classes=frozenset({"2t", "4t"})),),
        vehicles=(Vehicle("V-1", (100,), vehicle_class="10t"),),
    )
    v = _only(evaluate(c, _plan((0, [J(0)]))), ViolationCode.VEHICLE_CLASS)
    assert (v.step, v.job_id, v.vehicle_id) == (1, "J-1", "V-1")
    assert "2t, 4t" in v.message and "10t" in v.message


def test_skill_violation():
    """A job needing a skill the vehicle lacks is a SKILL violation naming the missing skill."""
    c = _compiled(
        jobs=(_job("J-1", 100, required_skills=frozenset({"cold", "lift"})),),
        vehicles=(Vehicle("V-1", (100,), skills=frozenset({"lift"})),),
    )
    v = _only(evaluate(c, _plan((0, [J(0)]))), ViolationCode.SKILL)
    assert "cold" in v.message and "lift" not in v.message.split("skills")[1].split("that")[0]


def test_duplicate_visit():
    """A job visited on two routes is reported at its second visit."""
    c = _compiled(
        jobs=(_job("J-1", 100), _job("J-2", 200)), vehicles=(Vehicle("V-1", (100,)), Vehicle("V-2", (100,)))
    )
    ev = evaluate(c, _plan((0, [J(0), J(1)]), (1, [J(1)])))
    v = _only(ev, ViolationCode.DUPLICATE_VISIT)
    assert (v.route, v.step, v.job_id, v.vehicle_id) == (1, 1, "J-2", "V-2")
    assert "route 0 step 2" in v.message
    assert len(ev.routes) == 2


def test_pickup_delivery_violations():
    """Delivery before pickup, ends on different routes, and a missing end are PICKUP_DELIVERY violations."""
    c = _compiled(
        jobs=(_job("J-1", 50),),
        shipments=tuple(Shipment(f"S-{i}", Stop(_loc(100)), Stop(_loc(200))) for i in range(3)),
        vehicles=(Vehicle("V-1", (100,)), Vehicle("V-2", (100,))),
    )
    P, D = NodeKind.PICKUP, NodeKind.DELIVERY
    plan = _plan(
        (0, [Visit(D, 0), Visit(P, 0), Visit(P, 1), Visit(P, 2)]),
        (1, [Visit(D, 1), J(0)]),
    )
    ev = evaluate(c, plan)
    vs = [v for v in ev.violations if v.code is ViolationCode.PICKUP_DELIVERY]
    assert _codes(ev) == [ViolationCode.PICKUP_DELIVERY] * 3
    got = {v.job_id: (v.route, v.step) for v in vs}
    assert got == {"S-0": (0, 1), "S-1": (1, 1), "S-2": (0, 4)}
    msg = {v.job_id: v.message for v in vs}
    assert "before it is picked up" in msg["S-0"]
    assert "same route" in msg["S-1"]
    assert "never delivered" in msg["S-2"]
    assert ev.unassigned_shipments == ()
    # Delivering what was never picked up on this route does not unload anything.
    assert all(s.load == (0,) for r in ev.routes for s in r.steps)


def test_unknown_visit_is_reported_and_the_rest_scheduled():
    """A visit index out of range is reported; the valid visits are still scheduled."""
    c = _compiled(jobs=(_job("J-1", 100),))
    ev = evaluate(c, _plan((0, [Visit(NodeKind.JOB, 5), J(0)])))
    v = _only(ev, ViolationCode.UNKNOWN_VISIT)
    assert (v.route, v.step, v.amount, v.limit) == (0, None, 5, 1)
    assert "visit 0" in v.message
    assert [s.kind for s in ev.routes[0].steps] == ["START", "JOB", "END"]


def test_unknown_vehicle():
    """A route for a vehicle index out of range is reported and not scheduled; its jobs count as planned."""
    c = _compiled(jobs=(_job("J-1", 100),))
    ev = evaluate(c, _plan((3, [J(0)])))
    v = _only(ev, ViolationCode.UNKNOWN_VEHICLE)
    assert (v.route, v.amount, v.limit) == (0, 3, 1)
    assert ev.routes == () and ev.unassigned_jobs == ()


def test_vehicle_reused():
    """Two non-empty routes for one vehicle are a VEHICLE_REUSED violation at the second."""
    c = _compiled(jobs=(_job("J-1", 100), _job("J-2", 200)))
    ev = evaluate(c, _plan((0, [J(0)]), (0, []), (0, [J(1)])))
    v = _only(ev, ViolationCode.VEHICLE_REUSED)
    assert (v.route, v.vehicle_id) == (2, "V-1")
    assert "route 0" in v.message
    assert ev.vehicles_used == 1 and len(ev.routes) == 2


def test_reload_not_allowed():
    """More trips than max_trips is RELOAD_NOT_ALLOWED at the reload that starts the extra trip."""
    c = _compiled(jobs=(_job("J-1", 100), _job("J-2", 200)), vehicles=(Vehicle("V-1", (100,), max_trips=1),))
    ev = evaluate(c, _plan((0, [J(0), Visit(NodeKind.DEPOT, 0), J(1)])))
    v = _only(ev, ViolationCode.RELOAD_NOT_ALLOWED)
    assert (v.step, v.amount, v.limit) == (2, 2, 1)


def test_required_job_missing_only_with_require_all():
    """Required jobs left out are violations only with require_all; optional ones only cost their penalty."""
    c = _compiled(jobs=(_job("J-1", 100), _job("J-2", 200), _job("J-3", 300, penalty=25.0)))
    plan = _plan((0, [J(0)]))
    ev = evaluate(c, plan)
    assert ev.is_feasible
    assert ev.unassigned_jobs == (1, 2)
    assert ev.cost.penalty == 25.0
    assert ev.cost.total == pytest.approx(ev.cost.distance + 25.0)
    v = _only(evaluate(c, plan, require_all=True), ViolationCode.REQUIRED_JOB_MISSING)
    assert (v.job_id, v.route) == ("J-2", None)


def test_empty_routes_are_omitted_and_cost_nothing():
    """A vehicle with an empty route contributes no route, no fixed cost and no violation."""
    c = _compiled(
        jobs=(_job("J-1", 100),),
        vehicles=(Vehicle("V-1", (100,), fixed_cost=10.0), Vehicle("V-2", (100,), fixed_cost=99.0)),
    )
    ev = evaluate(c, _plan((0, [J(0)]), (1, [])))
    assert ev.is_feasible and len(ev.routes) == 1 and ev.vehicles_used == 1
    assert ev.cost.fixed == 10.0
    assert ev.cost.total == pytest.approx(10.0 + 0.2)


def test_violated_plan_still_gets_a_complete_schedule():
    """Several violations at once are all reported and every step is still scheduled."""
    c = _compiled(
        jobs=tuple(_job(f"J-{i}", 100 * i, demand=(5,), windows=(TimeWindow(0, 150),)) for i in range(1, 5)),
        vehicles=(Vehicle("V-1", (10,), max_distance=100),),
    )
    ev = evaluate(c, _plan((0, [J(0), J(1), J(2), J(3)])))
    assert set(_codes(ev)) == {ViolationCode.CAPACITY, ViolationCode.TIME_WINDOW, ViolationCode.MAX_DISTANCE}
    assert [v.job_id for v in ev.violations if v.code is ViolationCode.TIME_WINDOW] == ["J-2", "J-3", "J-4"]
    r = ev.routes[0]
    assert len(r.steps) == 6
    assert [s.start for s in r.steps] == [0, 100, 200, 300, 400, 800]


# --------------------------------------------------------------------------
# Latest departure against brute force
# --------------------------------------------------------------------------


def _simulate(c: Compiled, visits: list[Visit], depart: int) -> tuple[int, bool]:
    """(end time, all windows met) of a single-trip route leaving at ``depart`` (test oracle)."""
    t, here, ok = depart, 0, True
    for vis in visits:
        node = c.node_of(vis)
        stop = c.stop_of(node)
        assert stop is not None
        a = t + c.duration(0, here, node)
        starts = [max(a, w.start) for w in stop.time_windows if max(a, w.start) <= w.end]
        if stop.time_windows and not starts:
            ok = False
        t = (min(starts) if starts else a) + stop.service_duration
        here = node
    return t + c.duration(0, here, 0), ok


def test_latest_departure_matches_brute_force():
    """On random feasible routes the duration equals the best over every possible departure."""
    rng = random.Random(7)
    checked = 0
    for _ in range(200):
        jobs = []
        for i in range(4):
            windows = []
            t0 = rng.randint(0, 1500)
            for _ in range(rng.randint(0, 2)):
                windows.append(TimeWindow(t0, t0 + rng.randint(0, 600)))
                t0 += rng.randint(700, 1200)
            jobs.append(
                _job(
                    f"J-{i}",
                    rng.randint(-300, 300),
                    rng.randint(-300, 300),
                    service=rng.randint(0, 60),
                    windows=tuple(windows),
                )
            )
        c = _compiled(jobs=tuple(jobs), vehicles=(Vehicle("V-1", (100,), shift=TimeWindow(0, 10_000)),))
        visits = [J(i) for i in rng.sample(range(4), 4)]
        ev = evaluate(c, _plan((0, visits)))
        if not ev.is_feasible:
            continue
        checked += 1
        end0, _ = _simulate(c, visits, 0)
        runs = [(d, *_simulate(c, visits, d)) for d in range(0, 4000)]
        best = min(end - d for d, end, ok in runs if ok and end <= end0)
        assert ev.routes[0].duration == best
        assert ev.routes[0].end_time == end0
    assert checked >= 20


# --------------------------------------------------------------------------
# Several windows per stop: a later departure may reach a later window
# --------------------------------------------------------------------------


def _two_window_repro(cost_per_hour: float = 0.0) -> Compiled:
    """Depot at 0; A at 10 open [0, 10] and [100, 110]; B at 20 open [200, 210]; max_duration 150."""
    return _compiled(
        jobs=(
            _job("A", 10, windows=(TimeWindow(100, 110), TimeWindow(0, 10))),
            _job("B", 20, windows=(TimeWindow(200, 210),)),
        ),
        vehicles=(Vehicle("V-1", (100,), max_duration=150, cost_per_hour=cost_per_hour),),
    )


def test_later_departure_into_a_later_window_shortens_the_route():
    """Leaving at 100 serves A in its second window and gives a feasible 120 s route, not a 220 s one."""
    ev = evaluate(_two_window_repro(), _plan((0, [J(0), J(1)])))
    assert ev.is_feasible, ev.violations
    (r,) = ev.routes
    assert (r.start_time, r.end_time, r.duration) == (100, 220, 120)
    assert [(s.arrival, s.start, s.waiting) for s in r.steps] == [
        (100, 100, 0),
        (110, 110, 0),
        (120, 200, 80),
        (220, 220, 0),
    ]
    assert r.duration == r.travel_duration + r.service_duration + r.waiting_duration
    assert ev.duration == 120


def test_per_hour_cost_uses_the_shorter_multi_window_duration():
    """The per-hour cost is charged on the 120 s reached through A's later window."""
    ev = evaluate(_two_window_repro(cost_per_hour=36.0), _plan((0, [J(0), J(1)])))
    (r,) = ev.routes
    assert r.duration_cost == pytest.approx(36.0 * 120 / 3600)
    assert ev.cost.duration == pytest.approx(1.2)
    assert ev.cost.total == pytest.approx(1.2 + 40 / 1000)


def _simulate_full(c: Compiled, vehicle: Vehicle, visits: list[Visit], depart: int) -> tuple[int, int, int]:
    """(late stops, total lateness, end time) leaving at ``depart``, reloads included (test oracle)."""
    p = c.problem
    t, here, n_late, lateness = depart, vehicle.start_depot, 0, 0
    for vis in visits:
        node = c.node_of(vis)
        if vis.kind is NodeKind.DEPOT:
            depot = p.depots[vis.index]
            windows, service = (depot.time_window,), depot.reload_duration
        else:
            stop = c.stop_of(node)
            assert stop is not None
            windows, service = stop.time_windows, stop.service_duration
        a = t + c.duration(0, here, node)
        starts = [max(a, w.start) for w in windows if max(a, w.start) <= w.end]
        if windows and not starts:
            n_late += 1
            lateness += a - max(w.end for w in windows)
        t = (min(starts) if starts else a) + service
        here = node
    return n_late, lateness, t + c.duration(0, here, vehicle.end_depot)


def test_multi_window_departure_matches_brute_force_over_every_departure():
    """With up to three windows per stop, late stops and reloads, the schedule is the brute-force best.

    Best = fewest late stops, then least lateness, then earliest end, then shortest duration, over
    every integer departure the shift and depot allow.
    """
    rng = random.Random(11)
    multi = 0
    for trial in range(300):
        jobs = []
        for i in range(4):
            windows = []
            t0 = rng.randint(0, 150)
            for _ in range(rng.choice((0, 1, 2, 2, 3, 3))):
                w = TimeWindow(t0, t0 + rng.randint(0, 40))
                windows.append(w)
                t0 = w.end + rng.randint(1, 120)
            rng.shuffle(windows)
            jobs.append(
                _job(
                    f"J-{i}",
                    rng.randint(-50, 50),
                    rng.randint(-50, 50),
                    service=rng.randint(0, 15),
                    windows=tuple(windows),
                )
            )
        shift_start = rng.randint(0, 60)
        vehicle = Vehicle(
            "V-1", (100,), shift=TimeWindow(shift_start, shift_start + rng.randint(0, 400)), max_trips=2
        )
        depot = Depot(
            "D-1",
            _loc(0),
            TimeWindow(rng.randint(0, 40), rng.randint(300, 2000)),
            reload_duration=rng.randint(0, 20),
        )
        c = _compiled(jobs=tuple(jobs), vehicles=(vehicle,), depots=(depot,))
        visits = [J(i) for i in rng.sample(range(4), 4)]
        if trial % 4 == 0:
            visits.insert(rng.randint(1, 3), Visit(NodeKind.DEPOT, 0))
        multi += any(len(job.stop.time_windows) > 1 for job in jobs)

        ev = evaluate(c, _plan((0, visits)))
        (r,) = ev.routes
        earliest = max(vehicle.shift.start, depot.time_window.start)
        latest = min(vehicle.shift.end, depot.time_window.end)
        keyed = []
        for d in range(earliest, max(earliest, latest) + 1):
            n_late, lateness, end = _simulate_full(c, vehicle, visits, d)
            keyed.append(((n_late, lateness, end, end - d), d))
        (n_late, lateness, end, duration), depart = min(keyed)
        assert (r.start_time, r.end_time, r.duration) == (depart, end, duration), trial
        late = [v for v in ev.violations if v.code is ViolationCode.TIME_WINDOW]
        assert len(late) == n_late, trial
        assert sum(v.amount - v.limit for v in late) == lateness, trial  # type: ignore[operator]
        assert r.duration == r.travel_duration + r.service_duration + r.waiting_duration
    assert multi >= 200


# --------------------------------------------------------------------------
# Benchmarks: best-known solutions must be feasible and cost exactly their BKS
# --------------------------------------------------------------------------


def _data_dir() -> Path | None:
    candidates = [os.environ.get("HAKOBU_BENCHMARK_DATA", "")]
    candidates.append(str(Path(__file__).resolve().parents[3] / "shared" / "data" / "benchmarks"))
    for cand in candidates:
        if cand and Path(cand, "cvrp-x").is_dir():
            return Path(cand)
    return None


DATA = _data_dir()
needs_data = pytest.mark.skipif(DATA is None, reason="benchmark data not found")


def _read_sol(path: Path) -> tuple[list[list[int]], float]:
    routes, cost = [], None
    for line in path.read_text().splitlines():
        if line.startswith("Route"):
            routes.append([int(x) for x in line.split(":", 1)[1].split()])
        elif line.startswith("Cost"):
            cost = float(line.split()[1])
    assert cost is not None
    return routes, cost


def _read_x(name: str) -> tuple[Compiled, Plan, int]:
    assert DATA is not None
    section, coords, demand, capacity, depot = "", {}, {}, 0, 1
    for line in (DATA / "cvrp-x" / f"{name}.vrp").read_text().splitlines():
        tok = line.split()
        if not tok or tok[0] == "EOF":
            continue
        if tok[0].startswith("CAPACITY"):
            capacity = int(tok[-1])
        elif tok[0].endswith("_SECTION"):
            section = tok[0]
        elif section == "NODE_COORD_SECTION":
            coords[int(tok[0])] = (float(tok[1]), float(tok[2]))
        elif section == "DEMAND_SECTION":
            demand[int(tok[0])] = int(tok[1])
        elif section == "DEPOT_SECTION" and int(tok[0]) > 0:
            depot = int(tok[0])
    routes, cost = _read_sol(DATA / "cvrp-x" / f"{name}.sol")
    customers = [n for n in sorted(coords) if n != depot]
    job_of = {n: k for k, n in enumerate(customers)}
    problem = Problem(
        depots=(Depot("depot", _loc(*coords[depot])),),
        vehicles=tuple(Vehicle(f"v{k}", (capacity,)) for k in range(len(routes) + 5)),
        jobs=tuple(Job(f"c{n}", Stop(_loc(*coords[n])), demand=(demand[n],)) for n in customers),
        travel=Travel(TravelMode.EUCLIDEAN, scale=1.0, rounding=Rounding.ROUND, speed=1.0),
    )
    # .sol customer i is node i + 1 of the .vrp file.
    plan = Plan([RoutePlan(k, [J(job_of[i + 1]) for i in r]) for k, r in enumerate(routes)])
    return compile_problem(problem), plan, round(cost)


def _read_solomon(name: str) -> tuple[Compiled, Plan, int]:
    assert DATA is not None
    lines = (DATA / "solomon" / f"{name}.txt").read_text().splitlines()
    numeric = [ln.split() for ln in lines if ln.split() and ln.split()[0].isdigit()]
    n_vehicles, capacity = int(numeric[0][0]), int(numeric[0][1])
    rows = [[float(x) for x in r] for r in numeric[1:] if len(r) == 7]
    depot = rows[0]
    problem = Problem(
        depots=(Depot("0", _loc(depot[1], depot[2]), TimeWindow(int(depot[4]) * 10, int(depot[5]) * 10)),),
        vehicles=tuple(Vehicle(f"v{k}", (capacity,)) for k in range(n_vehicles)),
        jobs=tuple(
            Job(
                str(int(r[0])),
                Stop(_loc(r[1], r[2]), int(r[6]) * 10, (TimeWindow(int(r[4]) * 10, int(r[5]) * 10),)),
                demand=(int(r[3]),),
            )
            for r in rows[1:]
        ),
        travel=Travel(TravelMode.EUCLIDEAN, scale=10.0, rounding=Rounding.TRUNCATE, speed=1.0),
    )
    routes, cost = _read_sol(DATA / "solomon" / f"{name}.sol")
    plan = Plan([RoutePlan(k, [J(i - 1) for i in r]) for k, r in enumerate(routes)])
    return compile_problem(problem), plan, round(cost * 10)


@needs_data
def test_x_n101_k25_best_known_plan_is_feasible_at_its_cost():
    """The X-n101-k25 best-known plan is feasible and its distance is exactly the Cost line."""
    c, plan, cost = _read_x("X-n101-k25")
    ev = evaluate(c, plan, require_all=True)
    assert ev.is_feasible, ev.violations[:5]
    assert ev.distance == cost == 27591
    assert ev.cost.total == pytest.approx(cost / 1000)
    assert ev.vehicles_used == len(plan.routes)


@needs_data
@pytest.mark.parametrize(("name", "bks"), [("C101", 8273), ("R101", 16377)])
def test_solomon_best_known_plans_are_feasible_at_their_cost(name: str, bks: int):
    """Solomon best-known plans meet every window and cost exactly 10 × their Cost line."""
    c, plan, cost = _read_solomon(name)
    ev = evaluate(c, plan, require_all=True)
    assert ev.is_feasible, ev.violations[:5]
    assert ev.distance == cost == bks


@needs_data
def test_solomon_plan_with_swapped_stops_is_reported_late():
    """Swapping two stops of a tight C101 route makes the checker report time windows, not silently pass."""
    c, plan, _ = _read_solomon("C101")
    visits = plan.routes[0].visits
    visits[0], visits[-1] = visits[-1], visits[0]
    ev = evaluate(c, plan)
    assert ViolationCode.TIME_WINDOW in _codes(ev)


@needs_data
def test_evaluate_accepts_the_1000_job_best_known_plan():
    """The 1000-customer X-n1001-k43 best-known plan is feasible at its published cost.

    Its time is measured by ``python -m benchmarks.checker``, not asserted here.
    """
    c, plan, cost = _read_x("X-n1001-k43")
    ev = evaluate(c, plan)
    assert ev.is_feasible and ev.distance == cost


# --------------------------------------------------------------------------
# Driving-time rules (改善基準告示): breaks planned by the checker and verified
# --------------------------------------------------------------------------

_H, _M = 3600, 60


def _ruled(*jobs: Job, rules: DrivingRules | None = JAPAN_2024) -> Compiled:
    return _compiled(tuple(jobs), vehicles=(Vehicle("V-1", (100,), rules=rules),))


def _st(kind: str, arrival: int, departure: int, drive: int = 0) -> Step:
    return Step(kind, None, 0, arrival, arrival, departure, 0, (0,), drive, drive, 0)


def _drive_codes(steps: list[Step], rules: DrivingRules = JAPAN_2024) -> list[ViolationCode]:
    return [v.code for v in driving_violations(steps, rules)]


def test_checker_adds_a_break_to_six_hours_of_driving():
    """A 3 h out / 3 h back route gets a 30 min BREAK step at the stop and stays feasible."""
    ev = evaluate(_ruled(_job("A", 3 * _H, service=20 * _M)), _plan((0, [J(0)])))
    assert ev.is_feasible, ev.violations
    r = ev.routes[0]
    assert [s.kind for s in r.steps] == ["START", "JOB", "BREAK", "END"]
    brk = r.steps[2]
    assert brk.departure - brk.arrival == 30 * _M and brk.arrival == r.steps[1].departure
    assert r.duration == 6 * _H + 20 * _M + 30 * _M and r.break_duration == 30 * _M
    assert sum(s.duration_from_previous for s in r.steps) == 6 * _H
    assert sum(s.distance_from_previous for s in r.steps) == r.distance == 6 * 3600


def test_checker_splits_a_long_leg_with_a_road_side_break():
    """A 5 h leg becomes 4 h of driving, a BREAK step, then 1 h; distances add up."""
    ev = evaluate(_ruled(_job("A", 5 * _H)), _plan((0, [J(0)])))
    assert ev.is_feasible, ev.violations
    steps = ev.routes[0].steps
    assert [s.kind for s in steps] == ["START", "BREAK", "JOB", "BREAK", "BREAK", "END"]
    assert [s.duration_from_previous for s in steps] == [0, 4 * _H, 1 * _H, 0, 4 * _H, 1 * _H]
    assert sum(s.distance_from_previous for s in steps) == 10 * 3600
    assert steps[1].node == steps[2].node  # the road-side break is shown at the next stop's node


def test_checker_reports_restraint_over_thirteen_hours():
    """6.5 h out and back (13 h of driving plus breaks) breaks the 13 h restraint and a 9 h driving cap."""
    rules = DrivingRules(max_daily_driving=9 * _H)
    ev = evaluate(_ruled(_job("A", 6.5 * _H), rules=rules), _plan((0, [J(0)])))
    (rest,) = [v for v in ev.violations if v.code is ViolationCode.RESTRAINT]
    assert rest.amount == ev.routes[0].duration > 13 * _H and rest.limit == 13 * _H
    (daily,) = [v for v in ev.violations if v.code is ViolationCode.DAILY_DRIVING]
    assert (daily.amount, daily.limit) == (13 * _H, 9 * _H)
    assert "拘束時間" in rest.message_ja
    assert ViolationCode.CONTINUOUS_DRIVING not in _codes(ev)


def test_breaks_can_make_a_window_late():
    """A window reachable without breaks is missed once the mandatory break is added."""
    late = (TimeWindow(0, 6 * _H + 10 * _M),)
    jobs = (_job("A", 3 * _H), _job("B", 3 * _H, 3 * _H, windows=late))
    plan = _plan((0, [J(0), J(1)]))
    assert evaluate(_ruled(*jobs, rules=None), plan).is_feasible
    ev = evaluate(_ruled(*jobs), plan)
    tw = _only(ev, ViolationCode.TIME_WINDOW)
    steps = ev.routes[0].steps
    assert steps[tw.step].visit == J(1) and [s.kind for s in steps][:4] == ["START", "JOB", "BREAK", "JOB"]


def test_disabled_rules_add_no_breaks():
    """A vehicle whose rule set is switched off is scheduled exactly as one without rules."""
    c_off = _ruled(_job("A", 5 * _H), rules=DrivingRules(enabled=False))
    c_none = _ruled(_job("A", 5 * _H), rules=None)
    plan = _plan((0, [J(0)]))
    off, none = evaluate(c_off, plan), evaluate(c_none, plan)
    assert off.is_feasible and off.routes[0].steps == none.routes[0].steps
    assert off.routes[0].breaks == ()


def test_violation_steps_follow_inserted_breaks():
    """A violation at a visit points at that visit's step even when breaks come before it."""
    jobs = (_job("A", 5 * _H), _job("B", 5 * _H, demand=(500,)))
    ev = evaluate(_ruled(*jobs), _plan((0, [J(0), J(1)])))
    cap = [v for v in ev.violations if v.code is ViolationCode.CAPACITY]
    steps = ev.routes[0].steps
    assert cap and all(steps[v.step].kind in ("START", "JOB") for v in cap if v.step is not None)


def test_verification_flags_continuous_driving_without_breaks():
    """5 h of driving with no break is one CONTINUOUS_DRIVING violation at the step passing 4 h."""
    steps = [_st("START", 0, 0), _st("JOB", 3 * _H, 3 * _H, 3 * _H), _st("END", 5 * _H, 5 * _H, 2 * _H)]
    (v,) = driving_violations(steps, JAPAN_2024, route=0, vehicle_id="V")
    assert (v.code, v.amount, v.limit, v.step) == (ViolationCode.CONTINUOUS_DRIVING, 5 * _H, 4 * _H, 2)
    assert "連続運転" in v.message_ja


def test_verification_accepts_split_breaks_of_ten_minutes_or_more():
    """2 h, 15 min break, 2 h, 15 min break, 2 h: the two parts make 30 min and nothing is over 4 h."""
    t = 0
    steps = [_st("START", 0, 0)]
    for k in range(3):
        t += 2 * _H
        steps.append(_st("JOB", t, t, 2 * _H))
        if k < 2:
            steps.append(_st("BREAK", t, t + 15 * _M))
            t += 15 * _M
    steps.append(_st("END", t, t))
    assert _drive_codes(steps) == []


def test_verification_ignores_breaks_shorter_than_the_minimum_part():
    """Six 5 min breaks do not count: 6 h of driving is one over-long stretch."""
    t = 0
    steps = [_st("START", 0, 0)]
    for _ in range(6):
        t += _H
        steps.append(_st("JOB", t, t, _H))
        steps.append(_st("BREAK", t, t + 5 * _M))
        t += 5 * _M
    assert _drive_codes(steps) == [ViolationCode.CONTINUOUS_DRIVING]


def test_verification_does_not_count_loading_as_a_break():
    """A 2 h service between two 2.5 h drives leaves a 5 h stretch."""
    steps = [
        _st("START", 0, 0),
        _st("JOB", int(2.5 * _H), int(4.5 * _H), int(2.5 * _H)),
        _st("END", 7 * _H, 7 * _H, int(2.5 * _H)),
    ]
    (v,) = driving_violations(steps, JAPAN_2024)
    assert v.amount == 5 * _H


def test_verification_reports_restraint_and_daily_driving():
    """A 14 h day with 10 h of properly broken driving breaks the 13 h restraint and a 9 h cap."""
    steps = [
        _st("START", 0, 0),
        _st("JOB", 4 * _H, 4 * _H, 4 * _H),
        _st("BREAK", 4 * _H, 5 * _H),
        _st("JOB", 9 * _H, 9 * _H, 4 * _H),
        _st("BREAK", 9 * _H, 12 * _H),
        _st("END", 14 * _H, 14 * _H, 2 * _H),
    ]
    rules = DrivingRules(max_daily_driving=9 * _H)
    vs = driving_violations(steps, rules)
    assert [v.code for v in vs] == [ViolationCode.RESTRAINT, ViolationCode.DAILY_DRIVING]
    assert (vs[0].amount, vs[1].amount, vs[1].step) == (14 * _H, 10 * _H, 5)
    assert driving_violations(steps, DrivingRules(enabled=False)) == []
