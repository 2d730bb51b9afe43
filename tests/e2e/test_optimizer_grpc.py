"""OptimizerService over the wire: an in-process server bound to port 0."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import grpc
import pytest
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import duration_pb2
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status

from hakobu.optimizer.v1 import optimizer_pb2 as pb
from hakobu.optimizer.v1 import optimizer_pb2_grpc
from optimizer.service.errors import field_path_resolves
from server.bootstrap import Running, create_optimizer_server
from server.demo import demo_request
from tests.credentials import SETTINGS
from tests.credentials import channel as authorized_channel


@pytest.fixture(scope="module")
def server() -> Iterator[Running]:
    running = create_optimizer_server("127.0.0.1:0", workers=2, settings=SETTINGS)
    yield running
    running.stop(grace=1)


@pytest.fixture(scope="module")
def channel(server: Running) -> Iterator[grpc.Channel]:
    with authorized_channel(f"127.0.0.1:{server.port}") as ch:
        yield ch


@pytest.fixture
def stub(channel: grpc.Channel) -> optimizer_pb2_grpc.OptimizerServiceStub:
    return optimizer_pb2_grpc.OptimizerServiceStub(channel)


def _secs(s: float) -> duration_pb2.Duration:
    d = duration_pb2.Duration()
    d.FromNanoseconds(int(s * 1e9))
    return d


def small_request(time_limit: float = 1.0, jobs: int = 12, capacity: int = 10) -> pb.OptimizeRequest:
    """A planar problem: one depot, two vehicles, unit demands."""
    problem = pb.Problem(capacity_dimensions=["kg"])
    problem.depots.add(id="d", location=pb.Location(point=pb.Point(x=0, y=0)))
    for k in range(2):
        problem.vehicles.add(id=f"v{k}", capacity=[capacity], start_depot_id="d")
    for i in range(jobs):
        problem.jobs.add(
            id=f"j{i}",
            location=pb.Location(point=pb.Point(x=10 * (i % 4) + 5, y=10 * (i // 4) + 5)),
            demand=[1],
            service_duration=_secs(2),
        )
    return pb.OptimizeRequest(
        problem=problem, parameters=pb.SolveParameters(time_limit=_secs(time_limit), seed=3)
    )


def _violations(err: grpc.RpcError) -> dict[str, str]:
    status = rpc_status.from_call(err)
    assert status is not None, "INVALID_ARGUMENT must carry rich status details"
    out: dict[str, str] = {}
    for detail in status.details:
        br = error_details_pb2.BadRequest()
        if detail.Unpack(br):
            out.update({v.field: v.description for v in br.field_violations})
    return out


def _validate(stub, request: pb.OptimizeRequest, solution: pb.Solution) -> pb.ValidatePlanResponse:
    routes = [
        pb.PlannedRoute(
            vehicle_id=r.vehicle_id,
            driver_id=r.driver_id,
            visits=[
                pb.PlannedVisit(type=s.type, id=s.id)
                for s in r.steps
                if s.type not in (pb.Step.START, pb.Step.END)
            ],
        )
        for r in solution.routes
    ]
    return stub.ValidatePlan(
        pb.ValidatePlanRequest(problem=request.problem, routes=routes, require_all_jobs=True)
    )


def test_optimize_serves_every_job_and_validates(stub) -> None:
    """A unary Optimize returns routes serving every job that ValidatePlan accepts."""
    req = small_request()
    resp = stub.Optimize(req, timeout=20)
    served = {s.id for r in resp.solution.routes for s in r.steps if s.type == pb.Step.DELIVERY}
    assert served == {j.id for j in req.problem.jobs}
    assert not resp.solution.unassigned_jobs
    assert resp.stats.engine in ("pyvrp", "ortools")
    assert resp.stats.HasField("time_to_first_feasible")
    for r in resp.solution.routes:
        assert r.steps[0].type == pb.Step.START and r.steps[-1].type == pb.Step.END
        assert r.steps[0].load_after[0] <= 10
        assert all(s.load_after[0] >= 0 for s in r.steps)
    check = _validate(stub, req, resp.solution)
    assert check.feasible, check.violations
    assert check.solution.cost.total == pytest.approx(resp.solution.cost.total)


def test_optimize_demo_day_with_windows_and_classes(stub) -> None:
    """The demo day (kg/m³, windows, 車格制限, reloads) comes back verified."""
    req = demo_request(jobs=30, time_limit=2)
    resp = stub.Optimize(req, timeout=30)
    assert len(resp.solution.routes) >= 1
    by_id = {j.id: j for j in req.problem.jobs}
    classes = {v.id: v.vehicle_class for v in req.problem.vehicles}
    for r in resp.solution.routes:
        for s in r.steps:
            if s.id in by_id and by_id[s.id].allowed_vehicle_classes:
                assert classes[r.vehicle_id] in by_id[s.id].allowed_vehicle_classes
            assert s.HasField("start_time")
    assert _validate(stub, req, resp.solution).feasible


def test_optimize_honours_the_deadline(stub) -> None:
    """A 60 s budget under a 2 s deadline returns a plan before the deadline."""
    req = small_request(time_limit=60, jobs=40, capacity=25)
    t0 = time.monotonic()
    resp = stub.Optimize(req, timeout=2.0)
    assert time.monotonic() - t0 < 2.0
    assert len(resp.solution.routes) >= 1


def test_stream_sends_improving_plans_then_final(stub) -> None:
    """StreamOptimize yields non-increasing costs and ends with final=true."""
    msgs = list(stub.StreamOptimize(small_request(time_limit=1.5, jobs=30, capacity=20), timeout=20))
    assert msgs and msgs[-1].final
    assert all(not m.final for m in msgs[:-1])
    costs = [m.solution.cost.total for m in msgs]
    assert all(b <= a + 1e-6 for a, b in itertools.pairwise(costs))


def test_long_running_operation_completes(stub, channel) -> None:
    """OptimizeLongRunning returns an operation that WaitOperation sees done with a response."""
    ops = operations_pb2_grpc.OperationsStub(channel)
    op = stub.OptimizeLongRunning(small_request(time_limit=0.5), timeout=5)
    assert op.name.startswith("operations/")
    md = pb.OptimizeMetadata()
    assert op.metadata.Unpack(md) and md.jobs == 12
    done = ops.WaitOperation(operations_pb2.WaitOperationRequest(name=op.name, timeout=_secs(20)), timeout=25)
    assert done.done and done.HasField("response")
    resp = pb.OptimizeResponse()
    assert done.response.Unpack(resp)
    assert sum(len(r.steps) - 2 for r in resp.solution.routes) == 12
    listed = ops.ListOperations(operations_pb2.ListOperationsRequest(name="operations"), timeout=5)
    assert op.name in {o.name for o in listed.operations}


def test_long_running_operation_cancel_and_idempotency(stub, channel) -> None:
    """A cancelled operation ends CANCELLED; a repeated request_id returns the same operation."""
    ops = operations_pb2_grpc.OperationsStub(channel)
    req = small_request(time_limit=60, jobs=40, capacity=25)
    req.request_id = "req-cancel-1"
    op = stub.OptimizeLongRunning(req, timeout=5)
    again = stub.OptimizeLongRunning(req, timeout=5)
    assert again.name == op.name
    time.sleep(0.5)
    ops.CancelOperation(operations_pb2.CancelOperationRequest(name=op.name), timeout=5)
    done = ops.WaitOperation(operations_pb2.WaitOperationRequest(name=op.name, timeout=_secs(15)), timeout=20)
    assert done.done
    assert done.error.code == grpc.StatusCode.CANCELLED.value[0]
    md = pb.OptimizeMetadata()
    done.metadata.Unpack(md)
    assert md.state == pb.OptimizeMetadata.CANCELLED


def test_request_id_reused_for_another_request_is_refused(stub) -> None:
    """AIP-155: the same request_id with a different request is INVALID_ARGUMENT on request_id."""
    req = small_request(time_limit=0.2)
    req.request_id = f"req-reuse-{time.monotonic_ns()}"
    first = stub.OptimizeLongRunning(req, timeout=5)
    assert stub.OptimizeLongRunning(req, timeout=5).name == first.name
    req.parameters.seed = 99
    with pytest.raises(grpc.RpcError) as err:
        stub.OptimizeLongRunning(req, timeout=5)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "request_id" in _violations(err.value)


def test_unknown_operation_is_not_found(channel) -> None:
    """GetOperation on an unknown name is NOT_FOUND."""
    ops = operations_pb2_grpc.OperationsStub(channel)
    with pytest.raises(grpc.RpcError) as exc:
        ops.GetOperation(operations_pb2.GetOperationRequest(name="operations/nope"), timeout=5)
    assert exc.value.code() == grpc.StatusCode.NOT_FOUND


def test_bad_input_names_each_field(stub) -> None:
    """Negative demand and a backwards window come back as field violations."""
    req = small_request()
    req.problem.jobs[3].demand[0] = -5
    w = req.problem.jobs[1].time_windows.add()
    w.start_offset.seconds, w.end_offset.seconds = 500, 100
    req.problem.vehicles[0].start_depot_id = "missing"
    with pytest.raises(grpc.RpcError) as exc:
        stub.Optimize(req, timeout=10)
    assert exc.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = _violations(exc.value)
    assert "problem.jobs[3].demand[0]" in fields
    assert "problem.jobs[1].time_windows[0]" in fields
    assert "problem.vehicles[0].start_depot_id" in fields
    assert all(field_path_resolves(pb.OptimizeRequest.DESCRIPTOR, f) for f in fields), fields


def test_bad_matrix_and_coordinates(stub) -> None:
    """A matrix of the wrong shape and an out-of-range latitude are rejected by field."""
    req = small_request()
    req.problem.travel.matrices.size = 3
    req.problem.travel.matrices.durations_seconds.extend([0] * 8)
    req.problem.travel.matrices.distances_meters.extend([0] * 9)
    with pytest.raises(grpc.RpcError) as exc:
        stub.Optimize(req, timeout=10)
    assert "problem.travel.matrices.durations_seconds" in _violations(exc.value)

    req = small_request()
    req.problem.travel.haversine.SetInParent()
    for j in req.problem.jobs:
        j.location.lat_lng.latitude, j.location.lat_lng.longitude = 35.6, 139.7
    req.problem.depots[0].location.lat_lng.latitude = 135.0
    with pytest.raises(grpc.RpcError) as exc:
        stub.Optimize(req, timeout=10)
    assert "problem.depots[0].location.lat_lng.latitude" in _violations(exc.value)


def test_empty_request_is_invalid(stub) -> None:
    """An empty request is INVALID_ARGUMENT with a message."""
    with pytest.raises(grpc.RpcError) as exc:
        stub.Optimize(pb.OptimizeRequest(), timeout=5)
    assert exc.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "problem" in exc.value.details()


def test_validate_only_solves_nothing(stub) -> None:
    """validate_only answers an empty response for a valid request."""
    req = small_request()
    req.validate_only = True
    resp = stub.Optimize(req, timeout=5)
    assert not resp.HasField("solution")


def test_validate_only_rejects_an_invalid_request(stub) -> None:
    """validate_only still fails an invalid request with INVALID_ARGUMENT naming the field."""
    req = small_request()
    req.validate_only = True
    req.problem.jobs[2].demand[:] = [-5]
    del req.problem.vehicles[0].capacity[:]
    with pytest.raises(grpc.RpcError) as err:
        stub.Optimize(req, timeout=5)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = _violations(err.value)
    assert "problem.jobs[2].demand[0]" in fields and "problem.vehicles[0].capacity" in fields, fields
    assert all(field_path_resolves(pb.OptimizeRequest.DESCRIPTOR, f) for f in fields), fields
    with pytest.raises(grpc.RpcError) as err:
        stub.OptimizeLongRunning(req, timeout=5)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_too_heavy_job_is_unassigned_with_reason(stub) -> None:
    """A job heavier than every vehicle is returned unassigned (CAPACITY), not an error."""
    req = small_request()
    req.problem.jobs[0].demand[0] = 50
    resp = stub.Optimize(req, timeout=20)
    [u] = resp.solution.unassigned_jobs
    assert u.id == "j0" and u.reason == pb.UnassignedJob.CAPACITY
    assert u.message and u.message_ja


def test_validate_plan_reports_violations(stub) -> None:
    """ValidatePlan reports a capacity violation on an overloaded hand-made route."""
    req = small_request()
    route = pb.PlannedRoute(
        vehicle_id="v0", visits=[pb.PlannedVisit(type=pb.Step.DELIVERY, id=j.id) for j in req.problem.jobs]
    )
    resp = stub.ValidatePlan(pb.ValidatePlanRequest(problem=req.problem, routes=[route]), timeout=5)
    assert not resp.feasible
    assert any(v.code == pb.PlanViolation.CAPACITY and v.vehicle_id == "v0" for v in resp.violations)


def test_health_and_reflection(channel) -> None:
    """The standard health service says SERVING and reflection lists the API."""
    health = health_pb2_grpc.HealthStub(channel)
    for name in ("", "hakobu.optimizer.v1.OptimizerService"):
        r = health.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
        assert r.status == health_pb2.HealthCheckResponse.SERVING
    refl = reflection_pb2_grpc.ServerReflectionStub(channel)
    [resp] = list(
        refl.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5)
    )
    names = {s.name for s in resp.list_services_response.service}
    want = {"hakobu.optimizer.v1.OptimizerService", "google.longrunning.Operations", "grpc.health.v1.Health"}
    assert want <= names


def test_fleet_too_small_serves_what_fits(stub) -> None:
    """With room for 20 of 30 unit jobs, 20 are served and 10 come back FLEET_FULL."""
    resp = stub.Optimize(small_request(time_limit=2, jobs=30, capacity=10), timeout=20)
    served = sum(len(r.steps) - 2 for r in resp.solution.routes)
    assert served == 20
    assert len(resp.solution.unassigned_jobs) == 10
    assert {u.reason for u in resp.solution.unassigned_jobs} == {pb.UnassignedJob.FLEET_FULL}


def test_driving_rules_put_breaks_in_the_plan(stub) -> None:
    """A vehicle with 改善基準告示 rules gets BREAK steps of ≥ 30 min on a long day, and validates."""
    req = pb.OptimizeRequest(
        problem=pb.Problem(capacity_dimensions=["kg"]),
        parameters=pb.SolveParameters(time_limit=_secs(1), seed=1),
    )
    p = req.problem
    p.travel.euclidean.speed_meters_per_second = 1.0
    p.depots.add(id="d", location=pb.Location(point=pb.Point(x=0, y=0)))
    p.vehicles.add(id="v", capacity=[100], driving_rules=pb.DrivingRules())
    for i, (x, y) in enumerate([(5400, 0), (0, 5400), (-5400, 0), (0, -5400)]):
        p.jobs.add(id=f"j{i}", location=pb.Location(point=pb.Point(x=x, y=y)), demand=[1])
    resp = stub.Optimize(req, timeout=20)
    [route] = resp.solution.routes
    breaks = [s for s in route.steps if s.type == pb.Step.BREAK]
    assert breaks and sum(s.departure_offset.seconds - s.start_offset.seconds for s in breaks) >= 1800
    assert _validate(stub, req, resp.solution).feasible

    bad = pb.OptimizeRequest()
    bad.CopyFrom(req)
    bad.problem.vehicles[0].driving_rules.break_min_part.seconds = 3600
    with pytest.raises(grpc.RpcError) as exc:
        stub.Optimize(bad, timeout=10)
    assert any(f.startswith("problem.vehicles[0].driving_rules.") for f in _violations(exc.value))


def test_drivers_get_licensed_vehicles_and_bad_licence_is_invalid(stub) -> None:
    """Routes carry a licensed driver id, ValidatePlan checks it, and a bad licence names its field."""
    req = small_request(jobs=8)
    req.problem.vehicles[0].gross_weight_kg, req.problem.vehicles[0].payload_kg = 20_000, 10_000
    req.problem.vehicles[1].gross_weight_kg, req.problem.vehicles[1].payload_kg = 5_000, 2_000
    req.problem.drivers.add(id="jun", licence="準中型")
    req.problem.drivers.add(id="oo", licence="OGATA")
    resp = stub.Optimize(req, timeout=20)
    drivers = {r.vehicle_id: r.driver_id for r in resp.solution.routes}
    assert drivers and all(drivers.values())
    assert drivers.get("v0", "oo") == "oo" and len(set(drivers.values())) == len(drivers)
    wrong = pb.PlannedRoute(
        vehicle_id="v0",
        driver_id="jun",
        visits=[pb.PlannedVisit(type=pb.Step.DELIVERY, id=j.id) for j in req.problem.jobs[:3]],
    )
    check = stub.ValidatePlan(pb.ValidatePlanRequest(problem=req.problem, routes=[wrong]), timeout=5)
    assert any(v.code == pb.PlanViolation.LICENCE for v in check.violations)
    req.problem.drivers[1].licence = "10t"
    with pytest.raises(grpc.RpcError) as exc:
        stub.Optimize(req, timeout=10)
    assert exc.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "problem.drivers[1].licence" in _violations(exc.value)
