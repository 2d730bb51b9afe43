"""Tests for explaining unassigned jobs (optimizer.diagnosis)."""

from __future__ import annotations

import random

from benchmarks.checker import synthetic_day
from optimizer.checker import ViolationCode, evaluate
from optimizer.compiled import Compiled, compile_problem
from optimizer.diagnosis import UnassignedReason, explain_unassigned, infeasible_alone
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


def _loc(x: float, y: float = 0.0) -> Location:
    return Location(x=x, y=y)


def _compiled(
    jobs: tuple[Job, ...],
    vehicles: tuple[Vehicle, ...],
    depots: tuple[Depot, ...] = (Depot("D-1", _loc(0)),),
    shipments: tuple[Shipment, ...] = (),
    dimensions: tuple[str, ...] = ("kg",),
) -> Compiled:
    """Euclidean at 1 m per unit and 1 m/s: an arc's metres equal its seconds."""
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


def _job(jid: str, x: float, **kw: object) -> Job:
    windows = kw.pop("windows", ())
    service = kw.pop("service", 0)
    return Job(jid, Stop(_loc(x), service, windows), **kw)  # type: ignore[arg-type]


def test_too_heavy_for_every_vehicle():
    """A job heavier than the largest vehicle is CAPACITY, quoting its demand and that capacity."""
    c = _compiled(
        jobs=(_job("J-1", 100, demand=(1200,)), _job("J-2", 100, demand=(900,))),
        vehicles=(Vehicle("V-1", (1000,)), Vehicle("V-2", (800,))),
    )
    out = infeasible_alone(c)
    assert set(out) == {("JOB", 0)}
    u = out[("JOB", 0)]
    assert (u.kind, u.index, u.id, u.reason) == ("JOB", 0, "J-1", UnassignedReason.CAPACITY)
    assert "too heavy for every vehicle: 1200 kg > largest 1000 kg" in u.message
    assert "1200 kg" in u.message_ja and "1000 kg" in u.message_ja


def test_capacity_counts_only_vehicles_allowed_to_serve_the_job():
    """The largest capacity quoted is that of the compatible vehicles, the furthest-reaching ones."""
    c = _compiled(
        jobs=(_job("J-1", 100, demand=(900,), allowed_vehicle_classes=frozenset({"2t"})),),
        vehicles=(Vehicle("BIG", (5000,), vehicle_class="10t"), Vehicle("SMALL", (800,), vehicle_class="2t")),
    )
    u = infeasible_alone(c)[("JOB", 0)]
    assert u.reason is UnassignedReason.CAPACITY
    assert "900 kg > largest 800 kg" in u.message


def test_no_vehicle_of_an_allowed_class_or_with_the_skill():
    """A job excluding every vehicle's class, or needing a skill nobody has, is NO_COMPATIBLE_VEHICLE."""
    c = _compiled(
        jobs=(
            _job("J-1", 100, allowed_vehicle_classes=frozenset({"軽"})),
            _job("J-2", 100, required_skills=frozenset({"cold"})),
            _job("J-3", 100, allowed_vehicle_classes=frozenset({"2t"}), required_skills=frozenset({"lift"})),
        ),
        vehicles=(
            Vehicle("V-1", (10,), vehicle_class="2t", skills=frozenset({"lift"})),
            Vehicle("V-2", (10,), vehicle_class="4t", skills=frozenset({"cold"})),
        ),
    )
    out = infeasible_alone(c)
    assert set(out) == {("JOB", 0)}
    assert out[("JOB", 0)].reason is UnassignedReason.NO_COMPATIBLE_VEHICLE
    assert "軽" in out[("JOB", 0)].message and "軽" in out[("JOB", 0)].message_ja
    c2 = _compiled(
        jobs=(_job("J-2", 100, required_skills=frozenset({"cold", "lift"})),), vehicles=c.problem.vehicles
    )
    u = infeasible_alone(c2)[("JOB", 0)]
    assert u.reason is UnassignedReason.NO_COMPATIBLE_VEHICLE and "cold, lift" in u.message


def test_window_unreachable():
    """A window that closes before any vehicle can get there is TIME_WINDOW with the earliest arrival."""
    c = _compiled(
        jobs=(
            _job("J-1", 5000, windows=(TimeWindow(0, 1000), TimeWindow(2000, 3000))),
            _job("J-2", 5000, windows=(TimeWindow(0, 1000), TimeWindow(4000, 6000))),
        ),
        vehicles=(
            Vehicle("V-1", (10,), shift=TimeWindow(0, 20_000)),
            Vehicle("V-2", (10,), shift=TimeWindow(100, 20_000)),
        ),
    )
    out = infeasible_alone(c)
    assert set(out) == {("JOB", 0)}
    u = out[("JOB", 0)]
    assert u.reason is UnassignedReason.TIME_WINDOW
    assert "5000 s (vehicle V-1)" in u.message and "3000 s" in u.message and "2000 s after" in u.message


def test_shift_too_short_to_come_back():
    """A job reachable in time but not with a return before the shift ends is SHIFT."""
    c = _compiled(
        jobs=(_job("J-1", 1000, service=100, windows=(TimeWindow(1500, 2000),)),),
        vehicles=(Vehicle("V-1", (10,), shift=TimeWindow(0, 2500)),),
        depots=(Depot("D-1", _loc(0), TimeWindow(0, 3000)),),
    )
    u = infeasible_alone(c)[("JOB", 0)]
    assert u.reason is UnassignedReason.SHIFT
    assert "2600 s" in u.message and "2500 s" in u.message


def test_shipment_waiting_that_cannot_be_absorbed_counts_against_max_duration():
    """A pickup fixed in time forces waiting before the delivery window, which counts in the duration."""
    s = Shipment(
        "S-1", Stop(_loc(1000), 0, (TimeWindow(1000, 1000),)), Stop(_loc(2000), 0, (TimeWindow(5000, 6000),))
    )
    c = _compiled(jobs=(), shipments=(s,), vehicles=(Vehicle("V-1", (5,), max_duration=6999),))
    u = infeasible_alone(c)[("SHIPMENT", 0)]
    assert u.reason is UnassignedReason.MAX_DURATION and "7000 s" in u.message
    c2 = _compiled(jobs=(), shipments=(s,), vehicles=(Vehicle("V-1", (5,), max_duration=7000),))
    assert infeasible_alone(c2) == {}


def test_vehicle_that_cannot_leave_within_its_depot_hours():
    """A shift starting after the depot closes leaves the vehicle unable to serve anything: SHIFT."""
    c = _compiled(
        jobs=(_job("J-1", 100),),
        vehicles=(Vehicle("V-1", (10,), start_depot=0, end_depot=1, shift=TimeWindow(1000, 9000)),),
        depots=(Depot("D-1", _loc(0), TimeWindow(0, 500)), Depot("D-2", _loc(200), TimeWindow(0, 9000))),
    )
    assert infeasible_alone(c)[("JOB", 0)].reason is UnassignedReason.SHIFT
    ev = evaluate(c, Plan([RoutePlan(0, [Visit(NodeKind.JOB, 0)])]))
    got = [(v.code, v.step, v.amount, v.limit) for v in ev.violations]
    assert got == [(ViolationCode.SHIFT, 0, 1000, 500)]


def test_max_duration_and_max_distance():
    """Jobs too far for every vehicle's max_duration / max_distance get those reasons."""
    c = _compiled(
        jobs=(_job("J-1", 1000, service=100),),
        vehicles=(Vehicle("V-1", (10,), max_duration=2050), Vehicle("V-2", (10,), max_duration=2000)),
    )
    u = infeasible_alone(c)[("JOB", 0)]
    assert u.reason is UnassignedReason.MAX_DURATION
    assert "vehicle V-1, needs 2100 s" in u.message and "max_duration 2050 s" in u.message
    c2 = _compiled(jobs=(_job("J-1", 1000),), vehicles=(Vehicle("V-1", (10,), max_distance=1999),))
    u2 = infeasible_alone(c2)[("JOB", 0)]
    assert u2.reason is UnassignedReason.MAX_DISTANCE and "2000 m" in u2.message
    # Waiting before the first stop does not count: leaving later removes it.
    c3 = _compiled(
        jobs=(_job("J-1", 1000, windows=(TimeWindow(5000, 5100),)),),
        vehicles=(Vehicle("V-1", (10,), max_duration=2000),),
    )
    assert infeasible_alone(c3) == {}


def test_shipment_delivery_window_unreachable():
    """A delivery that closes before the shipment can get there from its pickup is TIME_WINDOW on it."""
    s = Shipment(
        "S-1", Stop(_loc(1000), 0, (TimeWindow(1000, 1200),)), Stop(_loc(2000), 0, (TimeWindow(0, 1500),))
    )
    ok = Shipment("S-2", Stop(_loc(1000)), Stop(_loc(2000)), demand=(3,))
    c = _compiled(jobs=(), shipments=(s, ok), vehicles=(Vehicle("V-1", (5,)),))
    out = infeasible_alone(c)
    assert set(out) == {("SHIPMENT", 0)}
    u = out[("SHIPMENT", 0)]
    assert (u.kind, u.id, u.reason) == ("SHIPMENT", "S-1", UnassignedReason.TIME_WINDOW)
    assert "delivery" in u.message and "2000 s" in u.message and "配達" in u.message_ja


def test_explain_unassigned_penalty_fleet_full_and_infeasible():
    """Unassigned items get their infeasible reason, else NOT_WORTH_ITS_PENALTY or FLEET_FULL."""
    c = _compiled(
        jobs=(
            _job("J-1", 100, demand=(5,)),
            _job("J-2", 200, demand=(5,)),
            _job("J-3", 9000, demand=(1,), penalty=3.0),
            _job("J-4", 100, demand=(50,)),
        ),
        vehicles=(Vehicle("V-1", (5,)),),
    )
    ev = evaluate(c, Plan([RoutePlan(0, [Visit(NodeKind.JOB, 0)])]))
    assert ev.unassigned_jobs == (1, 2, 3)
    got = {u.id: u for u in explain_unassigned(c, ev)}
    assert got["J-2"].reason is UnassignedReason.FLEET_FULL
    assert "no vehicle had room or time left" in got["J-2"].message
    assert got["J-3"].reason is UnassignedReason.NOT_WORTH_ITS_PENALTY and "3" in got["J-3"].message
    assert got["J-4"].reason is UnassignedReason.CAPACITY
    assert all(u.message_ja for u in got.values())
    everything = explain_unassigned(c, evaluate(c, Plan([])))
    assert [(u.id, u.reason) for u in everything] == [
        ("J-1", UnassignedReason.FLEET_FULL),
        ("J-2", UnassignedReason.FLEET_FULL),
        ("J-3", UnassignedReason.NOT_WORTH_ITS_PENALTY),
        ("J-4", UnassignedReason.CAPACITY),
    ]


# --------------------------------------------------------------------------
# Agreement with the checker
# --------------------------------------------------------------------------

_STAGE = {
    ViolationCode.VEHICLE_CLASS: 0,
    ViolationCode.SKILL: 0,
    ViolationCode.CAPACITY: 1,
    ViolationCode.TIME_WINDOW: 2,
    ViolationCode.SHIFT: 3,
    ViolationCode.MAX_DURATION: 4,
    ViolationCode.MAX_DISTANCE: 5,
}
_REASON = [
    UnassignedReason.NO_COMPATIBLE_VEHICLE,
    UnassignedReason.CAPACITY,
    UnassignedReason.TIME_WINDOW,
    UnassignedReason.SHIFT,
    UnassignedReason.MAX_DURATION,
    UnassignedReason.MAX_DISTANCE,
]


def _random_problem(rng: random.Random) -> Compiled:
    def windows() -> tuple[TimeWindow, ...]:
        out, t = [], rng.randint(0, 4000)
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            out.append(TimeWindow(t, t + rng.randint(0, 800)))
            t += rng.randint(1000, 3000)
        return tuple(out)

    def stop() -> Stop:
        return Stop(_loc(rng.randint(-2000, 2000), rng.randint(-2000, 2000)), rng.randint(0, 300), windows())

    def restrictions() -> dict:
        return {
            "allowed_vehicle_classes": frozenset(rng.sample(["2t", "4t", "10t"], rng.choice([0, 0, 1, 2]))),
            "required_skills": frozenset(rng.sample(["cold", "lift"], rng.choice([0, 0, 0, 1]))),
        }

    depots = (
        Depot("D-1", _loc(0), TimeWindow(0, rng.randint(6000, 12_000))),
        Depot("D-2", _loc(1500, 1500), TimeWindow(rng.randint(0, 1000), 12_000)),
    )
    vehicles = tuple(
        Vehicle(
            f"V-{i}",
            (rng.randint(5, 20), rng.randint(2, 6)),
            start_depot=rng.randint(0, 1),
            end_depot=rng.randint(0, 1),
            shift=TimeWindow(rng.randint(0, 2000), rng.randint(5000, 12_000)),
            max_duration=rng.choice([None, rng.randint(3000, 8000)]),
            max_distance=rng.choice([None, rng.randint(3000, 9000)]),
            vehicle_class=rng.choice(["2t", "4t", "10t"]),
            skills=frozenset(rng.sample(["cold", "lift"], rng.randint(0, 1))),
        )
        for i in range(6)
    )
    jobs = tuple(
        Job(
            f"J-{i}",
            stop(),
            kind=rng.choice(list(JobKind)),
            demand=(rng.randint(0, 22), rng.randint(0, 6)),
            **restrictions(),
        )
        for i in range(40)
    )
    shipments = tuple(
        Shipment(f"S-{i}", stop(), stop(), demand=(rng.randint(0, 22), rng.randint(0, 6)), **restrictions())
        for i in range(15)
    )
    return compile_problem(
        Problem(
            depots=depots,
            vehicles=vehicles,
            jobs=jobs,
            shipments=shipments,
            dimensions=("kg", "pallets"),
            travel=Travel(TravelMode.EUCLIDEAN, scale=1.0, rounding=Rounding.ROUND, speed=1.0),
        )
    )


def test_infeasible_alone_agrees_with_the_checker():
    """Infeasible alone exactly when the checker rejects the item alone on every vehicle, for that reason."""
    rng = random.Random(3)
    reasons = set()
    for _ in range(10):
        c = _random_problem(rng)
        p = c.problem
        out = infeasible_alone(c)
        items = [("JOB", i, [Visit(NodeKind.JOB, i)]) for i in range(len(p.jobs))]
        items += [
            ("SHIPMENT", i, [Visit(NodeKind.PICKUP, i), Visit(NodeKind.DELIVERY, i)])
            for i in range(len(p.shipments))
        ]
        for kind, i, visits in items:
            best = -1
            for v in range(len(p.vehicles)):
                ev = evaluate(c, Plan([RoutePlan(v, visits)]))
                stages = [_STAGE[x.code] for x in ev.violations]
                best = max(best, min(stages) if stages else 6)
            if best == 6:
                assert (kind, i) not in out
            else:
                assert out[(kind, i)].reason is _REASON[best], (kind, i, out[(kind, i)].message)
                reasons.add(_REASON[best])
    assert len(reasons) >= 4, reasons


def test_infeasible_alone_on_5000_jobs_and_2000_vehicles():
    """A big day: every job too heavy for every truck is left out, for capacity and window reasons.

    Its time is measured by ``python -m benchmarks.checker``, not asserted here.
    """
    c = synthetic_day(jobs=5000, vehicles=2000)
    out = infeasible_alone(c)
    heavy = {i for i, j in enumerate(c.problem.jobs) if j.demand[0] > 1000}
    assert heavy and heavy <= {i for (_, i) in out}
    assert {u.reason for u in out.values()} >= {UnassignedReason.CAPACITY, UnassignedReason.TIME_WINDOW}
    assert len(out) < len(c.problem.jobs)
