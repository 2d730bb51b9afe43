"""problem_to_proto / options_to_proto are the exact inverses of the server's readers."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from hakobu.optimizer.v1 import optimizer_pb2 as pb
from optimizer.licences import Licence
from optimizer.model import (
    MAX_TIME,
    Depot,
    Driver,
    Job,
    JobKind,
    Location,
    Problem,
    Rounding,
    Shipment,
    Stop,
    TimeWindow,
    Travel,
    TravelMode,
    Vehicle,
)
from optimizer.rules import JAPAN_2024, DrivingRules
from optimizer.service.convert import options_from_proto, problem_from_proto
from optimizer.service.outbound import options_to_proto, problem_to_proto
from optimizer.solve import SolveOptions
from tests.unit.engines.builders import at, explicit, job

JST = timezone(timedelta(hours=9))


def round_trip(problem: Problem) -> Problem:
    """Through the bytes on the wire, so field presence must survive serialisation."""
    wire = problem_to_proto(problem).SerializeToString()
    return problem_from_proto(pb.Problem.FromString(wire))


def assert_same(a: Problem, b: Problem) -> None:
    assert b == a
    for name in ("durations", "distances"):
        ma, mb = getattr(a.travel, name), getattr(b.travel, name)
        assert (ma is None) == (mb is None)
        if ma is not None:
            assert np.array_equal(ma, mb)


def ll(lat: float, lng: float) -> Location:
    return Location(latitude=lat, longitude=lng)


def euclidean_problem() -> Problem:
    """Two dimensions, reload depots, multi windows, every job attribute, pickups."""
    depots = (
        Depot("DC-A", at(0, 0), TimeWindow(6 * 3600, 20 * 3600), reload_duration=900),
        Depot("DC-B", at(50.5, -3.25)),
        Depot("DC-C", at(7, 7), TimeWindow(0, 0)),
    )
    vehicles = (
        Vehicle("v-plain", (10, 4)),
        Vehicle(
            "v-full",
            (2000, 12),
            start_depot=1,
            end_depot=0,
            shift=TimeWindow(8 * 3600, MAX_TIME),
            fixed_cost=12000.5,
            cost_per_km=0.0,
            cost_per_hour=1500.25,
            max_duration=10 * 3600,
            max_distance=250_000,
            vehicle_class="4t",
            skills=frozenset({"冷凍", "lift"}),
            max_trips=3,
            rules=JAPAN_2024,
            gross_weight_kg=7990,
            payload_kg=3500,
        ),
        Vehicle("v-shift", (5, 5), start_depot=2, end_depot=2, shift=TimeWindow(0, 3600), max_trips=2),
    )
    jobs = (
        job(
            "j-windows",
            at(3, 4),
            windows=(TimeWindow(9 * 3600, 10 * 3600), TimeWindow(13 * 3600)),
            service=300,
        ),
        job("j-pickup", at(-2.5, 1e-3), kind=JobKind.PICKUP, penalty=0.0, classes=frozenset({"2t", "4t"})),
        job("j-penalty", at(10, 10), service=60, penalty=123.75, skills=frozenset({"lift"})),
        job("j-zero-window", at(1, 1), windows=(TimeWindow(0, 0),)),
    )
    # Two dimensions: per-job demands, and one job with none at all.
    jobs = tuple(replace(j, demand=(k + 1, k)) for k, j in enumerate(jobs))
    jobs += (Job("j-no-demand", Stop(at(4, 4))),)
    shipment = Shipment(
        "s-1",
        Stop(at(1, 2), 120, (TimeWindow(100, 200),)),
        Stop(at(5, 6), 30, (TimeWindow(0, 50), TimeWindow(300, 400))),
        demand=(3, 1),
        allowed_vehicle_classes=frozenset({"4t"}),
        required_skills=frozenset({"lift"}),
        penalty=5000.0,
    )
    return Problem(
        depots=depots,
        vehicles=vehicles,
        jobs=jobs,
        shipments=(shipment,),
        travel=Travel(mode=TravelMode.EUCLIDEAN, scale=10.0, rounding=Rounding.TRUNCATE, speed=2.5),
        dimensions=("kg", "pallets"),
    )


def test_euclidean_problem_round_trips() -> None:
    p = euclidean_problem()
    assert_same(p, round_trip(p))


@pytest.mark.parametrize("rounding", list(Rounding))
def test_every_rounding_round_trips(rounding: Rounding) -> None:
    p = Problem(
        depots=(Depot("d", at(0)),),
        vehicles=(Vehicle("v", (1,)),),
        jobs=(job("j", at(1)),),
        travel=Travel(mode=TravelMode.EUCLIDEAN, rounding=rounding),
    )
    assert_same(p, round_trip(p))


def test_explicit_matrices_and_shipments_round_trip() -> None:
    dist = [[0, 5, 9, 4], [5, 0, 3, 7], [9, 3, 0, 2], [4, 7, 2, 0]]
    travel = explicit(dist)
    assert travel.durations is not None
    travel = Travel(mode=TravelMode.EXPLICIT, distances=travel.distances, durations=travel.durations * 60)
    p = Problem(
        depots=(Depot("d", Location(matrix_index=0), reload_duration=60),),
        vehicles=(Vehicle("v", (8,), max_trips=2), Vehicle("w", (8,), cost_per_km=2.0)),
        jobs=(job("j1", Location(matrix_index=3), 2, windows=(TimeWindow(0, 100), TimeWindow(200, 300))),),
        shipments=(
            Shipment("s1", Stop(Location(matrix_index=1)), Stop(Location(matrix_index=2), 45), (4,)),
            Shipment("s2", Stop(Location(matrix_index=2)), Stop(Location(matrix_index=1)), penalty=1.5),
        ),
        travel=travel,
        dimensions=("kg",),
    )
    back = round_trip(p)
    assert_same(p, back)
    assert back.travel.durations is not None and back.travel.durations[0, 2] == 540


def test_haversine_with_drivers_and_rules_round_trips() -> None:
    custom = DrivingRules(
        max_continuous_driving=3 * 3600,
        break_total=0,
        break_min_part=0,
        max_restraint=12 * 3600,
        hard_max_restraint=12 * 3600,
        max_daily_driving=9 * 3600,
        enabled=False,
    )
    p = Problem(
        depots=(Depot("練馬", ll(35.749, 139.669)),),
        vehicles=(
            Vehicle("軽-1", (350,), vehicle_class="軽", rules=custom, gross_weight_kg=1500),
            Vehicle("10t-1", (9000,), vehicle_class="10t", rules=JAPAN_2024, payload_kg=9500),
        ),
        jobs=(job("n-1", ll(35.75, 139.66), 20, service=300),),
        travel=Travel(mode=TravelMode.HAVERSINE, speed=30 / 3.6, detour_factor=1.45),
        dimensions=("kg",),
        drivers=(
            Driver("田中", Licence.OGATA, rules=custom),
            Driver("佐藤", Licence.FUTSU),
            Driver("鈴木", Licence.LIMITED_8T, rules=JAPAN_2024),
            Driver("高橋", Licence.JUNCHUGATA),
            Driver("伊藤", Licence.CHUGATA),
            Driver("渡辺", Licence.LIMITED_5T),
        ),
    )
    assert_same(p, round_trip(p))


def haversine(speed: float) -> Problem:
    return Problem(
        depots=(Depot("d", ll(35.0, 139.0)),),
        vehicles=(Vehicle("v", (1,)),),
        jobs=(job("j", ll(35.01, 139.01)),),
        travel=Travel(mode=TravelMode.HAVERSINE, speed=speed),
    )


@pytest.mark.parametrize("kmh", [3.6, 30.0, 25.0, 17.3, 42.123456, 0.5, 80.0])
def test_haversine_speed_from_the_wire_is_exact(kmh: float) -> None:
    """Every speed the server can read (km/h ÷ 3.6) comes back bit for bit."""
    speed = kmh / 3.6
    assert round_trip(haversine(speed)).travel.speed == speed


@pytest.mark.parametrize("speed", [7.7, 11.111, 0.123456789, 13.9])
def test_haversine_speed_is_within_one_ulp(speed: float) -> None:
    """Some m/s values have no km/h that divides back to them: the nearest is sent."""
    back = round_trip(haversine(speed)).travel.speed
    assert abs(back - speed) <= math.ulp(speed)


def test_road_travel_round_trips() -> None:
    p = Problem(
        depots=(Depot("d", ll(35.7490, 139.6690)),),
        vehicles=(Vehicle("k", (350,), vehicle_class="軽"), Vehicle("t", (4000,), vehicle_class="4t")),
        jobs=(job("j", ll(35.75, 139.67), 10, windows=(TimeWindow(3600, 7200),)),),
        travel=Travel(mode=TravelMode.ROAD, graph="tokyo_nerima", max_snap=123.5),
        dimensions=("kg",),
    )
    msg = problem_to_proto(p)
    assert msg.travel.WhichOneof("method") == "road"
    assert_same(p, round_trip(p))


def test_wire_form_uses_ids_and_open_ended_windows() -> None:
    """The encoding the API documents: depot ids, no end offset for open windows, unset optional fields."""
    msg = problem_to_proto(euclidean_problem())
    full = msg.vehicles[1]
    assert (full.start_depot_id, full.end_depot_id) == ("DC-B", "DC-A")
    assert not full.shift.HasField("end_offset") and full.shift.start_offset.seconds == 8 * 3600
    assert not msg.vehicles[0].HasField("shift") and not msg.vehicles[0].HasField("max_duration")
    assert not msg.vehicles[0].HasField("driving_rules")
    assert not msg.depots[1].HasField("time_window")
    assert msg.depots[2].time_window.HasField("end_offset")  # [0, 0] is not "always open"
    assert not msg.jobs[0].HasField("penalty") and msg.jobs[1].HasField("penalty")
    assert msg.jobs[1].type == pb.Job.PICKUP
    assert not msg.HasField("time_origin")


def test_time_origin_is_sent_when_given() -> None:
    origin = datetime(2025, 4, 1, 8, 0, tzinfo=JST)
    msg = problem_to_proto(euclidean_problem(), time_origin=origin)
    assert msg.time_origin.ToDatetime(tzinfo=UTC) == origin
    with pytest.raises(ValueError, match="timezone"):
        problem_to_proto(euclidean_problem(), time_origin=datetime(2025, 4, 1, 8, 0))


@pytest.mark.parametrize(
    "options",
    [
        SolveOptions(),
        SolveOptions(engine="pyvrp", time_limit=1.5, seed=42, max_iterations=500, parallelism=2),
        SolveOptions(engine="ortools", time_limit=0.3, seed=-7, parallelism=16),
        SolveOptions(engine="auto", time_limit=3600, max_iterations=1),
    ],
)
def test_options_round_trip(options: SolveOptions) -> None:
    wire = options_to_proto(options).SerializeToString()
    assert options_from_proto(pb.SolveParameters.FromString(wire), default_parallelism=9) == options
