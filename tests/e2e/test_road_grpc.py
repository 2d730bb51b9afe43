"""Planning on real roads over gRPC: the Nerima extract, per-class profiles, GeoService."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import duration_pb2
from google.type import latlng_pb2

from geo.cache import InProcessCache
from geo.registry import GraphRegistry
from hakobu.geo.v1 import geo_pb2 as gpb
from hakobu.geo.v1 import geo_pb2_grpc
from hakobu.optimizer.v1 import optimizer_pb2 as pb
from hakobu.optimizer.v1 import optimizer_pb2_grpc
from server.bootstrap import Running, create_optimizer_server
from tests.credentials import SETTINGS
from tests.credentials import channel as authorized_channel

# Inside the Nerima extract (lat 35.7403-35.7584, lon 139.6577-139.6802).
DEPOT = (35.7490, 139.6690)


@pytest.fixture(scope="module")
def server(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    registry = GraphRegistry(cache_dir=tmp_path_factory.mktemp("geo-cache"))
    registry.add_file(data_dir / "osm" / "tokyo_nerima.osm")
    running = create_optimizer_server("127.0.0.1:0", workers=2, geo=(registry, InProcessCache()),
                                      settings=SETTINGS)
    yield running
    running.stop(grace=1)


@pytest.fixture(scope="module")
def channel(server: Running) -> Iterator[grpc.Channel]:
    with authorized_channel(f"127.0.0.1:{server.port}") as ch:
        yield ch


def _latlng(lat: float, lng: float) -> pb.Location:
    return pb.Location(lat_lng=latlng_pb2.LatLng(latitude=lat, longitude=lng))


def road_request(jobs: int = 15, seed: int = 3) -> pb.OptimizeRequest:
    rng = random.Random(seed)
    problem = pb.Problem(
        capacity_dimensions=["kg"], travel=pb.Travel(road=pb.RoadTravel(graph="tokyo_nerima"))
    )
    problem.depots.add(id="nerima", location=_latlng(*DEPOT))
    problem.vehicles.add(id="K-1", capacity=[350], vehicle_class="軽", cost_per_km=20, fixed_cost=3000)
    problem.vehicles.add(id="T-10", capacity=[9000], vehicle_class="10t", cost_per_km=60, fixed_cost=20000)
    for i in range(jobs):
        problem.jobs.add(
            id=f"N-{i}",
            location=_latlng(rng.uniform(35.7430, 35.7560), rng.uniform(139.6600, 139.6780)),
            demand=[rng.choice([20, 40, 60])],
            service_duration=duration_pb2.Duration(seconds=300),
        )
    return pb.OptimizeRequest(
        problem=problem, parameters=pb.SolveParameters(time_limit=duration_pb2.Duration(seconds=2), seed=1)
    )


def test_optimize_on_road_graph_is_confirmed_by_checker_and_matrix(channel) -> None:
    """Routes planned on Nerima's roads validate, and each leg's time is the road matrix's for that class."""
    stub = optimizer_pb2_grpc.OptimizerServiceStub(channel)
    geo = geo_pb2_grpc.GeoServiceStub(channel)
    req = road_request()
    resp = stub.Optimize(req, timeout=60)
    served = [s.id for r in resp.solution.routes for s in r.steps if s.type == pb.Step.DELIVERY]
    assert sorted(served) == sorted(j.id for j in req.problem.jobs)

    routes = [
        pb.PlannedRoute(
            vehicle_id=r.vehicle_id,
            visits=[pb.PlannedVisit(type=s.type, id=s.id) for s in r.steps if s.type == pb.Step.DELIVERY],
        )
        for r in resp.solution.routes
    ]
    check = stub.ValidatePlan(pb.ValidatePlanRequest(problem=req.problem, routes=routes), timeout=60)
    assert check.feasible, check.violations
    for mine, theirs in zip(resp.solution.routes, check.solution.routes, strict=True):
        assert [s.start_offset.seconds for s in mine.steps] == [s.start_offset.seconds for s in theirs.steps]

    where = {"nerima": DEPOT}
    where.update(
        {j.id: (j.location.lat_lng.latitude, j.location.lat_lng.longitude) for j in req.problem.jobs}
    )
    classes = {v.id: v.vehicle_class for v in req.problem.vehicles}
    for r in resp.solution.routes:
        stops = [where[s.id] for s in r.steps]
        m = geo.ComputeMatrix(
            gpb.ComputeMatrixRequest(
                graph="tokyo_nerima",
                vehicle_class=classes[r.vehicle_id],
                locations=[latlng_pb2.LatLng(latitude=a, longitude=b) for a, b in stops],
            ),
            timeout=30,
        )
        n = m.size
        for k in range(1, len(stops)):
            assert r.steps[k].travel_from_previous.seconds == m.durations_seconds[(k - 1) * n + k]
            assert r.steps[k].distance_from_previous_meters == m.distances_meters[(k - 1) * n + k]


def test_road_errors_name_the_graph_and_location(channel) -> None:
    """An unknown graph is NOT_FOUND; a location far outside the graph names its field."""
    stub = optimizer_pb2_grpc.OptimizerServiceStub(channel)
    req = road_request(jobs=3)
    req.problem.travel.road.graph = "atlantis"
    with pytest.raises(grpc.RpcError) as exc:
        stub.Optimize(req, timeout=30)
    assert exc.value.code() == grpc.StatusCode.NOT_FOUND and "atlantis" in exc.value.details()

    req = road_request(jobs=3)
    req.problem.jobs[2].location.lat_lng.latitude = 35.80  # ~5 km north of the extract
    with pytest.raises(grpc.RpcError) as exc:
        stub.Optimize(req, timeout=30)
    assert exc.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "problem.jobs[2].location" in exc.value.details()


def test_geo_service_lists_graphs_and_draws_legs(channel) -> None:
    """ListGraphs shows the Nerima graph; ComputeRouteGeometry returns a GeoJSON line per leg."""
    geo = geo_pb2_grpc.GeoServiceStub(channel)
    graphs = {g.graph_id: g for g in geo.ListGraphs(gpb.ListGraphsRequest(), timeout=10).graphs}
    assert "tokyo_nerima" in graphs
    pts = [DEPOT, (35.7550, 139.6750), (35.7450, 139.6620)]
    resp = geo.ComputeRouteGeometry(
        gpb.ComputeRouteGeometryRequest(
            graph="tokyo_nerima",
            vehicle_class="2t",
            locations=[latlng_pb2.LatLng(latitude=a, longitude=b) for a, b in pts],
        ),
        timeout=30,
    )
    assert len(resp.legs) == 2
    for leg in resp.legs:
        line = json.loads(leg.geojson)
        assert line["type"] == "LineString" and len(line["coordinates"]) >= 2
        assert leg.distance_meters > 0 and leg.duration_seconds > 0
    with pytest.raises(grpc.RpcError) as exc:
        geo.ComputeMatrix(gpb.ComputeMatrixRequest(graph="tokyo_nerima", vehicle_class="99t"), timeout=10)
    assert exc.value.code() == grpc.StatusCode.INVALID_ARGUMENT
