"""RemoteSolver against a real in-process OptimizerService: solve remotely, verify locally."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from geo.cache import InProcessCache
from geo.provider import RoadMatrixProvider
from geo.registry import GraphRegistry
from hakobu.optimizer.v1 import optimizer_pb2 as pb
from hakobu.optimizer.v1 import optimizer_pb2_grpc
from optimizer.checker import evaluate
from optimizer.compiled import compile_problem
from optimizer.diagnosis import UnassignedReason
from optimizer.licences import Licence
from optimizer.model import (
    Depot,
    Driver,
    Location,
    NodeKind,
    Problem,
    Shipment,
    Stop,
    TimeWindow,
    Travel,
    TravelMode,
    Vehicle,
)
from optimizer.rules import JAPAN_2024
from optimizer.service.client import (
    RemoteSolveError,
    RemoteSolver,
    UnverifiedPlanError,
    solution_from_response,
)
from optimizer.service.outbound import options_to_proto, problem_to_proto
from optimizer.solve import SolveOptions
from server.bootstrap import Running, create_optimizer_server
from tests.credentials import SETTINGS, metadata_for
from tests.credentials import channel as authorized_channel
from tests.unit.engines.builders import at, job

FAST = SolveOptions(time_limit=1.0, seed=3)

# A synthetic 4 × 4 grid of residential streets (about 220 m apart) near Shibuya.
LAT0, LNG0, STEP = 35.6600, 139.7000, 0.002


def _grid_osm(path: Path) -> Path:
    nodes = {r * 4 + c + 1: (LAT0 + r * STEP, LNG0 + c * STEP) for r in range(4) for c in range(4)}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    lines += [f'<node id="{i}" lat="{lat}" lon="{lng}"/>' for i, (lat, lng) in nodes.items()]
    ways = [[r * 4 + c + 1 for c in range(4)] for r in range(4)]
    ways += [[r * 4 + c + 1 for r in range(4)] for c in range(4)]
    for k, refs in enumerate(ways):
        nds = "".join(f'<nd ref="{n}"/>' for n in refs)
        lines.append(f'<way id="{100 + k}">{nds}<tag k="highway" v="residential"/></way>')
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def osm_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _grid_osm(tmp_path_factory.mktemp("osm") / "test_grid.osm")


@pytest.fixture(scope="module")
def server(osm_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    registry = GraphRegistry(cache_dir=tmp_path_factory.mktemp("server-geo"))
    registry.add_file(osm_file)
    running = create_optimizer_server("127.0.0.1:0", workers=0, geo=(registry, InProcessCache()),
                                      settings=SETTINGS)
    yield running
    running.stop(grace=1)


@pytest.fixture(scope="module")
def channel(server: Running) -> Iterator[grpc.Channel]:
    with authorized_channel(f"127.0.0.1:{server.port}") as ch:
        yield ch


@pytest.fixture(scope="module")
def road(osm_file: Path, tmp_path_factory: pytest.TempPathFactory) -> RoadMatrixProvider:
    """The client's own road port over the same extract (as the plans service would have)."""
    registry = GraphRegistry(cache_dir=tmp_path_factory.mktemp("client-geo"))
    registry.add_file(osm_file)
    return RoadMatrixProvider(registry, InProcessCache())


def planar_problem(jobs: int = 10, heavy: bool = True) -> Problem:
    """One depot, two vehicles of 10 kg; with ``heavy``, one extra job no vehicle can carry."""
    items = [job(f"j{i}", at(10 * (i % 4) + 5, 10 * (i // 4) + 5), 1, service=2) for i in range(jobs)]
    if heavy:
        items.append(job("too-heavy", at(3, 3), 11))
    return Problem(
        depots=(Depot("d", at(0, 0)),),
        vehicles=(Vehicle("v0", (10,)), Vehicle("v1", (10,))),
        jobs=tuple(items),
        dimensions=("kg",),
    )


def served_ids(problem: Problem, plan) -> list[str]:
    out = []
    for route in plan.routes:
        for v in route.visits:
            if v.kind is NodeKind.JOB:
                out.append(problem.jobs[v.index].id)
            elif v.kind is NodeKind.DELIVERY:
                out.append(problem.shipments[v.index].id)
    return out


def test_remote_plan_passes_local_checker_and_reports_unassigned(channel: grpc.Channel) -> None:
    problem = planar_problem()
    solver = RemoteSolver(channel, metadata=metadata_for("ORG-001"))  # its own credential wins
    sol = solver(problem, FAST)

    assert sol.problem is problem
    # Checked here again, independently of the solver's own evaluation.
    assert evaluate(compile_problem(problem), sol.plan).is_feasible
    assert sol.evaluation.is_feasible
    served = served_ids(problem, sol.plan)
    assert sorted(served) == sorted(f"j{i}" for i in range(10))
    assert len(served) == len(set(served))
    assert [(u.kind, u.id, u.index) for u in sol.unassigned] == [("JOB", "too-heavy", 10)]
    heavy = sol.unassigned[0]
    assert heavy.reason is UnassignedReason.CAPACITY
    assert heavy.message and heavy.message_ja and heavy.message != heavy.message_ja
    assert sol.stats.engine in ("pyvrp", "ortools") and sol.stats.runs >= 1
    assert sol.stats.first_feasible_seconds is not None and 0 < sol.stats.wall_seconds < 5
    assert sol.cost == pytest.approx(sol.evaluation.cost.total) and sol.cost > 0


def test_matches_the_servers_answer(channel: grpc.Channel) -> None:
    """Same plan as the raw RPC gives for the same request (seeded, iteration-limited)."""
    problem = planar_problem(heavy=False)
    options = SolveOptions(time_limit=1.0, seed=5, max_iterations=200)
    raw = optimizer_pb2_grpc.OptimizerServiceStub(channel).Optimize(
        pb.OptimizeRequest(problem=problem_to_proto(problem), parameters=options_to_proto(options)),
        timeout=30,
    )
    sol = RemoteSolver(channel)(problem, options)
    raw_jobs = {
        r.vehicle_id: [s.id for s in r.steps if s.type == pb.Step.DELIVERY] for r in raw.solution.routes
    }
    ours = {
        problem.vehicles[r.vehicle].id: [problem.jobs[v.index].id for v in r.visits] for r in sol.plan.routes
    }
    assert ours == raw_jobs
    assert sol.cost == pytest.approx(raw.solution.cost.total)


def test_streaming_reports_each_improvement_and_verifies_the_final_plan(channel: grpc.Channel) -> None:
    """With ``on_progress`` the solve streams: every improving plan's (cost, served) arrives as found, the
    last report is the final plan as verified here, and the plan is the one the unary call gives."""
    problem = planar_problem()
    options = SolveOptions(time_limit=1.0, seed=5, max_iterations=200)
    seen: list[tuple[float, int]] = []
    sol = RemoteSolver(channel)(problem, options, on_progress=lambda c, n: seen.append((c, n)))
    assert len(seen) >= 2  # at least one improvement from the stream, then the verified final plan
    assert all(cost > 0 and 0 <= served <= 10 for cost, served in seen)
    assert seen[-1] == (pytest.approx(sol.evaluation.cost.total), 10)
    assert seen[-2][0] == pytest.approx(seen[-1][0])  # the final plan is the last improvement
    assert all(later <= earlier + 1e-6 for (earlier, _), (later, _) in itertools.pairwise(seen))
    assert sol.evaluation.is_feasible and [u.id for u in sol.unassigned] == ["too-heavy"]
    unary = RemoteSolver(channel)(problem, options)
    assert sol.cost == pytest.approx(unary.cost)


def test_streaming_keeps_the_servers_error(channel: grpc.Channel) -> None:
    bad = SolveOptions(time_limit=1.0, parallelism=17)
    with pytest.raises(RemoteSolveError) as info:
        RemoteSolver(channel)(planar_problem(), bad, on_progress=lambda cost, served: None)
    assert info.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in info.value.field_violations] == ["parameters.parallelism"]


def test_reloads_shipments_and_drivers_come_back(server: Running) -> None:
    """Multi-trip routes (RELOAD steps), shipments and the route's driver map back onto the model."""
    problem = Problem(
        depots=(Depot("dc", at(0, 0), reload_duration=60),),
        vehicles=(
            Vehicle("small", (4,), max_trips=3, gross_weight_kg=3000, payload_kg=1500, rules=JAPAN_2024),
        ),
        jobs=tuple(
            job(f"r{i}", at(20 + i, 5), 1, windows=(TimeWindow(0, 5000), TimeWindow(6000, 90000)))
            for i in range(8)
        ),
        shipments=(Shipment("s", Stop(at(30, 30), 5), Stop(at(35, 30), 5), (1,)),),
        dimensions=("kg",),
        drivers=(Driver("ogata", Licence.OGATA),),
    )
    with RemoteSolver(f"127.0.0.1:{server.port}", metadata=metadata_for("ORG-001")) as solver:
        sol = solver(problem, FAST)
    assert sol.evaluation.is_feasible and not sol.unassigned
    (route,) = sol.plan.routes
    assert route.driver == 0 and sol.evaluation.routes[0].driver_id == "ogata"
    assert any(v.kind is NodeKind.DEPOT for v in route.visits)  # 9 kg on a 4 kg truck: it reloads
    kinds = [v.kind for v in route.visits if v.kind in (NodeKind.PICKUP, NodeKind.DELIVERY)]
    assert kinds == [NodeKind.PICKUP, NodeKind.DELIVERY]
    assert sorted(served_ids(problem, sol.plan)) == sorted([*(f"r{i}" for i in range(8)), "s"])


def test_road_travel_is_verified_with_the_clients_road_port(
    channel: grpc.Channel, road: RoadMatrixProvider
) -> None:
    problem = Problem(
        depots=(Depot("d", Location(latitude=LAT0, longitude=LNG0)),),
        vehicles=(Vehicle("k", (350,), vehicle_class="軽"), Vehicle("t", (2000,), vehicle_class="2t")),
        jobs=tuple(
            job(f"g{i}", Location(latitude=LAT0 + STEP * (i % 4), longitude=LNG0 + STEP * (i // 2)), 50)
            for i in range(6)
        ),
        travel=Travel(mode=TravelMode.ROAD, graph="test_grid", max_snap=100.0),
        dimensions=("kg",),
    )
    sol = RemoteSolver(channel, road=road)(problem, FAST)
    assert sol.evaluation.is_feasible and not sol.unassigned
    assert sorted(served_ids(problem, sol.plan)) == [f"g{i}" for i in range(6)]
    assert sol.evaluation.distance > 0

    with pytest.raises(ValueError, match="road"):
        RemoteSolver(channel)(problem, FAST)  # no road port: the plan could not be verified


def test_bad_input_keeps_code_and_field_paths(channel: grpc.Channel, road: RoadMatrixProvider) -> None:
    solver = RemoteSolver(channel, road=road)
    # Valid for the model, refused by the server: the path names the request's field.
    with pytest.raises(RemoteSolveError) as info:
        solver(planar_problem(), SolveOptions(time_limit=1.0, parallelism=17))
    err = info.value
    assert err.code is grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in err.field_violations] == ["parameters.parallelism"]
    assert "parameters.parallelism" in err.message

    # A job 1 km from the nearest street: the path's index is the job's index in the Problem sent.
    far = Problem(
        depots=(Depot("d", Location(latitude=LAT0, longitude=LNG0)),),
        vehicles=(Vehicle("k", (350,), vehicle_class="軽"),),
        jobs=(
            job("near", Location(latitude=LAT0 + STEP, longitude=LNG0), 1),
            job("far", Location(latitude=LAT0 - 0.01, longitude=LNG0), 1),
        ),
        travel=Travel(mode=TravelMode.ROAD, graph="test_grid", max_snap=100.0),
    )
    with pytest.raises(RemoteSolveError) as info:
        solver(far, FAST)
    assert info.value.code is grpc.StatusCode.INVALID_ARGUMENT
    fields = [f for f, _ in info.value.field_violations]
    assert fields == ["problem.jobs[1].location"]

    unknown = Problem(
        depots=far.depots,
        vehicles=far.vehicles,
        jobs=far.jobs[:1],
        travel=Travel(mode=TravelMode.ROAD, graph="atlantis"),
    )
    with pytest.raises(RemoteSolveError) as info:
        solver(unknown, FAST)
    assert info.value.code is grpc.StatusCode.NOT_FOUND and not info.value.field_violations


def test_deadline_is_the_callers(channel: grpc.Channel) -> None:
    with pytest.raises(RemoteSolveError) as info:
        RemoteSolver(channel)(planar_problem(), FAST, timeout=0.001)
    assert info.value.code is grpc.StatusCode.DEADLINE_EXCEEDED


def test_unreachable_server_is_a_remote_error() -> None:
    with RemoteSolver("127.0.0.1:1") as solver, pytest.raises(RemoteSolveError) as info:
        solver(planar_problem(), FAST, timeout=2)
    assert info.value.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def test_a_plan_that_is_not_what_the_server_claims_is_refused(channel: grpc.Channel) -> None:
    """Real answers, altered the way a faulty or mismatched server could: each is refused."""
    problem = planar_problem(jobs=12, heavy=False)  # 12 kg: needs both 10 kg vehicles
    request = pb.OptimizeRequest(problem=problem_to_proto(problem), parameters=options_to_proto(FAST))
    answer = optimizer_pb2_grpc.OptimizerServiceStub(channel).Optimize(request, timeout=30)
    assert solution_from_response(problem, answer).evaluation.is_feasible

    # A job silently dropped: the routes and the unassigned list disagree.
    dropped = pb.OptimizeResponse()
    dropped.CopyFrom(answer)
    route = next(r for r in dropped.solution.routes if any(s.type == pb.Step.DELIVERY for s in r.steps))
    k = next(i for i, s in enumerate(route.steps) if s.type == pb.Step.DELIVERY)
    del route.steps[k]
    with pytest.raises(UnverifiedPlanError, match="unassigned"):
        solution_from_response(problem, dropped)

    # Every job on one 10 kg vehicle: over capacity.
    merged = pb.OptimizeResponse()
    merged.CopyFrom(answer)
    steps = [s for r in merged.solution.routes for s in r.steps if s.type == pb.Step.DELIVERY]
    one = pb.Route(vehicle_id="v0", steps=[pb.Step(type=pb.Step.START, id="d"), *steps])
    del merged.solution.routes[:]
    merged.solution.routes.append(one)
    with pytest.raises(UnverifiedPlanError, match="CAPACITY"):
        solution_from_response(problem, merged)

    # A job the problem does not have.
    ghost = pb.OptimizeResponse()
    ghost.CopyFrom(answer)
    ghost.solution.routes[0].steps.insert(1, pb.Step(type=pb.Step.DELIVERY, id="ghost"))
    with pytest.raises(UnverifiedPlanError, match="ghost"):
        solution_from_response(problem, ghost)


def test_an_unknown_reason_gets_the_local_diagnosis(channel: grpc.Channel) -> None:
    """A server that sends no reason (older or newer enum) still yields a reason for the dispatcher."""
    problem = planar_problem(jobs=4)
    request = pb.OptimizeRequest(problem=problem_to_proto(problem), parameters=options_to_proto(FAST))
    answer = optimizer_pb2_grpc.OptimizerServiceStub(channel).Optimize(request, timeout=30)
    (entry,) = answer.solution.unassigned_jobs
    entry.reason = pb.UnassignedJob.REASON_UNSPECIFIED
    entry.message = entry.message_ja = ""
    (u,) = solution_from_response(problem, answer).unassigned
    assert (u.id, u.reason) == ("too-heavy", UnassignedReason.CAPACITY)
    assert "11" in u.message and u.message_ja
