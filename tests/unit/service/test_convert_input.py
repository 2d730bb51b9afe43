"""Malformed wire values (unknown enum numbers, bad Durations and Timestamps) are field violations."""

from __future__ import annotations

import pytest
from google.protobuf import duration_pb2, timestamp_pb2

from hakobu.optimizer.v1 import optimizer_pb2 as pb
from optimizer.model import ModelError
from optimizer.service.convert import options_from_proto, plan_from_proto, problem_from_proto


def _problem() -> pb.Problem:
    def at(x: float) -> pb.Location:
        return pb.Location(point=pb.Point(x=x, y=0))

    return pb.Problem(
        depots=[pb.Depot(id="d", location=at(0))],
        vehicles=[pb.Vehicle(id="v", capacity=[10])],
        jobs=[pb.Job(id="j0", location=at(1), demand=[1]), pb.Job(id="j1", location=at(2), demand=[1])],
    )


def _fields(msg: pb.Problem) -> dict[str, str]:
    with pytest.raises(ModelError) as err:
        problem_from_proto(msg)
    return dict(err.value.violations)


def test_a_valid_problem_reads() -> None:
    assert [j.id for j in problem_from_proto(_problem()).jobs] == ["j0", "j1"]


def test_unknown_enum_values_name_their_field() -> None:
    msg = _problem()
    msg.jobs[1].type = 7  # type: ignore[assignment]
    msg.travel.euclidean.rounding = 9  # type: ignore[assignment]
    fields = _fields(msg)
    assert "unknown value 7" in fields["problem.jobs[1].type"]
    assert "unknown value 9" in fields["problem.travel.euclidean.rounding"]


def test_malformed_durations_name_their_field() -> None:
    msg = _problem()
    msg.jobs[0].service_duration.CopyFrom(duration_pb2.Duration(seconds=5, nanos=-1))
    msg.jobs[1].time_windows.add(start_offset=duration_pb2.Duration(seconds=10**13))
    msg.vehicles[0].driving_rules.max_daily_driving.CopyFrom(duration_pb2.Duration(seconds=-1, nanos=5))
    fields = _fields(msg)
    assert set(fields) == {
        "problem.jobs[0].service_duration",
        "problem.jobs[1].time_windows[0].start_offset",
        "problem.vehicles[0].driving_rules.max_daily_driving",
    }
    assert all("Duration" in text for text in fields.values())


def test_a_time_origin_past_year_9999_is_refused() -> None:
    msg = _problem()
    msg.time_origin.CopyFrom(timestamp_pb2.Timestamp(seconds=253_402_300_800))
    assert "Timestamp" in _fields(msg)["problem.time_origin"]
    msg.time_origin.CopyFrom(timestamp_pb2.Timestamp(seconds=253_402_300_000))  # 9999-12-31: plans overflow
    assert "too late" in _fields(msg)["problem.time_origin"]


def test_an_unknown_visit_type_and_a_bad_time_limit_are_field_violations() -> None:
    problem = problem_from_proto(_problem())
    route = pb.PlannedRoute(vehicle_id="v", visits=[pb.PlannedVisit(type=42, id="j0")])  # type: ignore[arg-type]
    with pytest.raises(ModelError) as err:
        plan_from_proto(problem, [route])
    assert [f for f, _ in err.value.violations] == ["routes[0].visits[0].type"]
    params = pb.SolveParameters(time_limit=duration_pb2.Duration(seconds=2, nanos=-5))
    with pytest.raises(ModelError) as err:
        options_from_proto(params, 1)
    assert [f for f, _ in err.value.violations] == ["parameters.time_limit"]


def test_field_paths_resolve_in_the_descriptors() -> None:
    from optimizer.service.errors import field_path_resolves

    request = pb.OptimizeRequest.DESCRIPTOR
    for path in ("problem", "problem.jobs[3].time_windows[0].start_offset", "parameters.time_limit",
                 "problem.travel.haversine.speed_kilometers_per_hour", "problem.depots[0].location.lat_lng"):
        assert field_path_resolves(request, path), path
    for path in ("problem.travel.speed", "problem.jobs.demand[0]x", "problem.time_origin[0]", "",
                 "problem.vehicles[0].rules", "problem.dimensions"):
        assert not field_path_resolves(request, path), path


def _latlng_problem() -> pb.Problem:
    msg = pb.Problem(
        depots=[pb.Depot(id="d", location=pb.Location(lat_lng={"latitude": 35.68, "longitude": 139.76}))],
        vehicles=[pb.Vehicle(id="v", capacity=[10])],
        jobs=[pb.Job(id="j", demand=[1],
                     location=pb.Location(lat_lng={"latitude": 35.66, "longitude": 139.70}))],
    )
    msg.travel.haversine.speed_kilometers_per_hour = 25
    return msg


def test_model_findings_come_back_under_the_request_paths() -> None:
    """Fields the model names its own way are reported as the request spells them, in the right unit."""
    from optimizer.service.errors import field_path_resolves

    msg = _latlng_problem()
    msg.travel.haversine.speed_kilometers_per_hour = 1e-300
    msg.travel.haversine.detour_factor = 0.5
    msg.jobs[0].location.lat_lng.latitude = 95
    rules = msg.vehicles[0].driving_rules
    rules.break_total.seconds, rules.break_min_part.seconds = 600, 1200
    msg.vehicles[0].max_distance_meters = -1
    fields = _fields(msg)
    assert "km/h" in fields["problem.travel.haversine.speed_kilometers_per_hour"]
    assert {
        "problem.travel.haversine.detour_factor", "problem.jobs[0].location.lat_lng.latitude",
        "problem.vehicles[0].driving_rules.break_min_part", "problem.vehicles[0].max_distance_meters",
    } <= set(fields)
    assert all(field_path_resolves(pb.OptimizeRequest.DESCRIPTOR, f) for f in fields), fields

    explicit = _problem()
    explicit.travel.matrices.size = 3
    explicit.travel.matrices.durations_seconds[:] = [0, 1, -2, 1, 0, 1, 2, 1, 0]
    explicit.travel.matrices.distances_meters[:] = [0] * 9
    for i, loc in enumerate((explicit.depots[0].location, *(j.location for j in explicit.jobs))):
        loc.matrix_index = i
    assert "problem.travel.matrices.durations_seconds" in _fields(explicit)
