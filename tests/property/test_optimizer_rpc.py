"""OptimizerService over the wire (an in-process server on port 0) under random requests, valid and
hostile: never UNKNOWN or INTERNAL, every BadRequest path resolves in the request's descriptor, and an
accepted problem comes back with every job on a route or unassigned with a reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import grpc
import pytest
from google.protobuf import duration_pb2, timestamp_pb2
from google.type import latlng_pb2
from hypothesis import event, given
from hypothesis import strategies as st

from hakobu.geo.v1 import geo_pb2, geo_pb2_grpc
from hakobu.optimizer.v1 import optimizer_pb2 as pb
from hakobu.optimizer.v1 import optimizer_pb2_grpc
from server.bootstrap import Running, create_optimizer_server
from tests.credentials import SETTINGS
from tests.credentials import channel as authorized_channel
from tests.property.conftest import check_error

T = TypeVar("T")
INT64 = st.one_of(
    st.integers(0, 50), st.sampled_from([-1, 0, 10**12, 10**12 + 1, 2**62, 2**63 - 1, -(2**63)])
)
FLOATS = st.one_of(st.floats(0, 100), st.floats(allow_nan=True, allow_infinity=True))
durations = st.one_of(
    st.builds(duration_pb2.Duration, seconds=st.integers(0, 36_000)),
    st.builds(
        duration_pb2.Duration,
        seconds=st.integers(-(315_576_000_000), 315_576_000_000),
        nanos=st.integers(-999_999_999, 999_999_999),
    ),
)
windows = st.builds(pb.TimeWindow, start_offset=durations, end_offset=durations)
ids = st.one_of(
    st.sampled_from(["a", "b", "c", "d", "e"]), st.text(max_size=5), st.text(min_size=60, max_size=300)
)
timestamps = st.builds(
    timestamp_pb2.Timestamp, seconds=st.integers(-(2**40), 2**40), nanos=st.integers(-1, 10**9)
)


def _choose(draw: st.DrawFn, chaos: float, good: st.SearchStrategy[T], bad: st.SearchStrategy[T]) -> T:
    """A plausible value, or (with probability ``chaos``) a hostile one."""
    return draw(bad) if draw(st.floats(0, 1)) < chaos else draw(good)


GOOD_LOCATIONS = {
    "euclidean": st.builds(pb.Location, point=st.builds(pb.Point, x=st.floats(0, 100), y=st.floats(0, 100))),
    "haversine": st.builds(
        pb.Location,
        lat_lng=st.builds(
            latlng_pb2.LatLng, latitude=st.floats(35.6, 35.8), longitude=st.floats(139.5, 139.8)
        ),
    ),
    "matrices": st.builds(pb.Location, matrix_index=st.integers(0, 3)),
}
BAD_LOCATIONS = st.one_of(
    st.builds(pb.Location, point=st.builds(pb.Point, x=FLOATS, y=FLOATS)),
    st.builds(pb.Location, lat_lng=st.builds(latlng_pb2.LatLng, latitude=FLOATS, longitude=FLOATS)),
    st.builds(pb.Location, matrix_index=st.integers(-3, 10)),
    st.just(pb.Location()),
)
GOOD_TRAVEL = {
    "euclidean": st.just(pb.Travel(euclidean=pb.EuclideanTravel(scale=1, speed_meters_per_second=10))),
    "haversine": st.just(pb.Travel(haversine=pb.HaversineTravel(speed_kilometers_per_hour=30))),
    "matrices": st.builds(
        pb.Travel,
        matrices=st.builds(
            pb.ExplicitMatrices,
            size=st.just(4),
            durations_seconds=st.lists(st.integers(0, 600), min_size=16, max_size=16),
            distances_meters=st.lists(st.integers(0, 6000), min_size=16, max_size=16),
        ),
    ),
}
BAD_TRAVEL = st.one_of(
    st.builds(
        pb.Travel,
        euclidean=st.builds(
            pb.EuclideanTravel, scale=FLOATS, speed_meters_per_second=FLOATS, rounding=st.integers(-1, 5)
        ),
    ),
    st.builds(
        pb.Travel,
        haversine=st.builds(
            pb.HaversineTravel,
            speed_kilometers_per_hour=st.one_of(FLOATS, st.just(1e-300)),
            detour_factor=FLOATS,
        ),
    ),
    st.builds(
        pb.Travel,
        matrices=st.builds(
            pb.ExplicitMatrices,
            size=st.sampled_from([4, 3, -1, 0]),
            durations_seconds=st.lists(INT64, max_size=17),
            distances_meters=st.lists(INT64, max_size=17),
        ),
    ),
    st.builds(pb.Travel, road=st.builds(pb.RoadTravel, graph=st.text(max_size=10), max_snap_meters=FLOATS)),
    st.just(pb.Travel()),
)
SMALL = st.integers(0, 50)
GOOD_WINDOWS = st.builds(
    lambda a, b: pb.TimeWindow(
        start_offset=duration_pb2.Duration(seconds=a), end_offset=duration_pb2.Duration(seconds=a + b)
    ),
    st.integers(0, 20_000),
    st.integers(0, 20_000),
)


@st.composite
def problems(draw: st.DrawFn) -> pb.Problem:
    """A small problem: plausible, with each field hostile with a probability drawn per example."""
    chaos = draw(st.sampled_from([0.0, 0.0, 0.0, 0.02, 0.1, 0.5]))
    kind = draw(st.sampled_from(["euclidean", "haversine", "matrices"]))
    dims = _choose(
        draw,
        chaos,
        st.sampled_from([["kg"], ["kg", "m3"]]),
        st.sampled_from([[], ["kg", "kg"], ["a"] * 9, ["x" * 100]]),
    )
    width = len(dims) or 1
    p = pb.Problem(capacity_dimensions=dims, travel=_choose(draw, chaos, GOOD_TRAVEL[kind], BAD_TRAVEL))
    location = GOOD_LOCATIONS[kind]
    if draw(st.floats(0, 1)) < chaos:
        p.time_origin.CopyFrom(draw(timestamps))
    for i in range(_choose(draw, chaos, st.just(1), st.integers(0, 2))):
        d = p.depots.add(
            id=_choose(draw, chaos, st.just(f"d{i}"), ids),
            location=_choose(draw, chaos, location, BAD_LOCATIONS),
        )
        if draw(st.floats(0, 1)) < chaos:
            d.time_window.CopyFrom(draw(windows))
    for i in range(_choose(draw, chaos, st.integers(1, 3), st.integers(0, 3))):
        v = p.vehicles.add(
            id=_choose(draw, chaos, st.just(f"v{i}"), ids),
            capacity=_choose(
                draw,
                chaos,
                st.lists(st.integers(0, 100), min_size=width, max_size=width),
                st.lists(INT64, max_size=3),
            ),
            start_depot_id=_choose(draw, chaos, st.just("d0"), st.sampled_from(["d1", "", "zz"])),
        )
        v.max_trips = _choose(draw, chaos, st.integers(0, 3), st.integers(-2, 2**31 - 1))
        v.fixed_cost = _choose(draw, chaos, st.floats(0, 100), FLOATS)
        v.vehicle_class = _choose(
            draw, chaos, st.sampled_from(["", "2t", "軽"]), st.sampled_from(["99t", "x" * 99])
        )
        v.payload_kg = _choose(draw, chaos, st.integers(0, 5000), INT64)
        if draw(st.booleans()):
            v.shift.CopyFrom(_choose(draw, chaos, GOOD_WINDOWS, windows))
        if draw(st.floats(0, 1)) < chaos:
            v.max_duration.CopyFrom(draw(durations))
    for i in range(_choose(draw, chaos, st.integers(1, 6), st.integers(0, 6))):
        j = p.jobs.add(
            id=_choose(draw, chaos, st.just(f"j{i}"), ids),
            location=_choose(draw, chaos, location, BAD_LOCATIONS),
            demand=_choose(
                draw, chaos, st.lists(SMALL, min_size=width, max_size=width), st.lists(INT64, max_size=3)
            ),
            time_windows=_choose(
                draw, chaos, st.lists(GOOD_WINDOWS, max_size=2), st.lists(windows, max_size=2)
            ),
            type=_choose(draw, chaos, st.integers(0, 2), st.integers(-1, 2**31 - 1)),
        )
        j.service_duration.CopyFrom(
            _choose(draw, chaos, st.builds(duration_pb2.Duration, seconds=st.integers(0, 600)), durations)
        )
        j.allowed_vehicle_classes.extend(
            _choose(
                draw,
                chaos,
                st.lists(st.sampled_from(["2t", "軽"]), max_size=1),
                st.lists(st.sampled_from(["x", "", "10t"]), max_size=2),
            )
        )
        if draw(st.booleans()):
            j.penalty = _choose(draw, chaos, st.floats(0, 10_000), FLOATS)
    return p


@st.composite
def optimize_requests(draw: st.DrawFn) -> pb.OptimizeRequest:
    r = pb.OptimizeRequest(problem=draw(problems()))
    r.parameters.time_limit.CopyFrom(
        draw(
            st.sampled_from(
                [duration_pb2.Duration(nanos=300_000_000)] * 4
                + [
                    duration_pb2.Duration(seconds=-1),
                    duration_pb2.Duration(nanos=-5),
                    duration_pb2.Duration(seconds=10**9),
                    duration_pb2.Duration(),
                ]
            )
        )
    )
    r.parameters.max_iterations = draw(st.sampled_from([20, 20, 20, 0, -1]))
    r.parameters.engine = draw(st.sampled_from([0, 0, 0, 1, 2, 3, 99]))
    r.parameters.parallelism = draw(st.sampled_from([1, 1, 1, 0, -3, 1000]))
    return r


@pytest.fixture(scope="module")
def channel() -> Iterator[grpc.Channel]:
    running: Running = create_optimizer_server("127.0.0.1:0", workers=2, settings=SETTINGS)
    with authorized_channel(f"127.0.0.1:{running.port}") as ch:
        yield ch
    running.stop(grace=1)


@pytest.fixture(scope="module")
def stub(channel: grpc.Channel) -> optimizer_pb2_grpc.OptimizerServiceStub:
    return optimizer_pb2_grpc.OptimizerServiceStub(channel)


@pytest.fixture(scope="module")
def geo(channel: grpc.Channel) -> geo_pb2_grpc.GeoServiceStub:
    return geo_pb2_grpc.GeoServiceStub(channel)


@given(request=optimize_requests())
def test_optimize(stub: optimizer_pb2_grpc.OptimizerServiceStub, request: pb.OptimizeRequest) -> None:
    try:
        response = stub.Optimize(request, timeout=30)
    except grpc.RpcError as err:
        check_error(err, pb.OptimizeRequest.DESCRIPTOR)
        return
    event("accepted")
    served = {s.id for r in response.solution.routes for s in r.steps if s.id}
    unassigned = {u.id for u in response.solution.unassigned_jobs if u.reason and u.message}
    assert {j.id for j in request.problem.jobs} <= served | unassigned


@given(request=optimize_requests())
def test_validate_only(stub: optimizer_pb2_grpc.OptimizerServiceStub, request: pb.OptimizeRequest) -> None:
    request.validate_only = True
    try:
        stub.OptimizeLongRunning(request, timeout=30)
    except grpc.RpcError as err:
        check_error(err, pb.OptimizeRequest.DESCRIPTOR)
        return
    event("accepted")


@given(problem=problems(), data=st.data())
def test_validate_plan(
    stub: optimizer_pb2_grpc.OptimizerServiceStub, problem: pb.Problem, data: st.DataObject
) -> None:
    job_ids = [j.id for j in problem.jobs] + ["nope"]
    vehicle_ids = [v.id for v in problem.vehicles] + ["nope"]
    visits = st.builds(pb.PlannedVisit, type=st.integers(-1, 6), id=st.sampled_from([*job_ids, "d0"]))
    routes = st.lists(
        st.builds(
            pb.PlannedRoute, vehicle_id=st.sampled_from(vehicle_ids), visits=st.lists(visits, max_size=4)
        ),
        max_size=3,
    )
    request = pb.ValidatePlanRequest(
        problem=problem, routes=data.draw(routes), require_all_jobs=data.draw(st.booleans())
    )
    try:
        stub.ValidatePlan(request, timeout=30)
    except grpc.RpcError as err:
        check_error(err, pb.ValidatePlanRequest.DESCRIPTOR)
        return
    event("accepted")


@given(data=st.data())
def test_geo(geo: geo_pb2_grpc.GeoServiceStub, data: st.DataObject) -> None:
    """ComputeMatrix and ComputeRouteGeometry: graphs already loaded (never one that would be read now, which
    takes seconds) or unknown ones, any vehicle class, any points."""
    loaded = [g.graph_id for g in geo.ListGraphs(geo_pb2.ListGraphsRequest(), timeout=30).graphs if g.loaded]
    graph = data.draw(st.one_of(st.sampled_from(loaded or [""]), st.text(max_size=20), st.just("x" * 1500)))
    points = st.one_of(
        st.builds(latlng_pb2.LatLng, latitude=st.floats(35.72, 35.76), longitude=st.floats(139.6, 139.7)),
        st.builds(latlng_pb2.LatLng, latitude=FLOATS, longitude=FLOATS),
    )
    fields = dict(
        graph=graph,
        vehicle_class=data.draw(st.sampled_from(["2t", "軽", "4t", "10t", "", "99t"])),
        locations=data.draw(st.lists(points, max_size=4)),
        max_snap_meters=data.draw(st.one_of(st.just(0.0), FLOATS)),
    )
    for method, request in (
        ("ComputeMatrix", geo_pb2.ComputeMatrixRequest(**fields)),
        ("ComputeRouteGeometry", geo_pb2.ComputeRouteGeometryRequest(**fields)),
    ):
        try:
            getattr(geo, method)(request, timeout=30)
        except grpc.RpcError as err:
            check_error(err, request.DESCRIPTOR)
            continue
        event(f"{method} accepted")
