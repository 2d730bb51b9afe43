"""Solving a :class:`Problem` on a remote OptimizerService, verified locally.

:class:`RemoteSolver` is a drop-in for :func:`optimizer.solve.solve` for code
that should not solve in-process (the plans service): it sends the problem
over gRPC, turns the answer's routes back into a :class:`Plan` by ids, and
re-checks that plan here with the independent checker. A plan that fails the
local check, or disagrees with the server about which jobs it serves, is
refused (:class:`UnverifiedPlanError`): nothing returned has only the
server's word for it.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import socket
from collections.abc import Callable, Sequence
from types import TracebackType

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from hakobu.optimizer.v1 import optimizer_pb2 as pb
from hakobu.optimizer.v1 import optimizer_pb2_grpc
from optimizer.checker import Evaluation, evaluate
from optimizer.compiled import Compiled, RoadMatrices, compile_problem
from optimizer.diagnosis import Unassigned, UnassignedReason, explain_unassigned
from optimizer.model import ModelError, Plan, Problem, TravelMode
from optimizer.service import convert
from optimizer.service.outbound import options_to_proto, problem_to_proto
from optimizer.solve import Solution, SolveOptions, SolveStats

log = logging.getLogger("hakobu.optimizer.client")

#: Seconds added to the solve's time limit for the call's deadline (compile, verify, transfer).
DEFAULT_DEADLINE_MARGIN = 10.0
#: The servers accept messages this large (server/platform/grpc.py); the client matches it.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


class RemoteSolveError(RuntimeError):
    """The OptimizerService refused or failed the call.

    ``code`` is the gRPC status code; ``field_violations`` are the
    ``google.rpc.BadRequest`` (field, description) pairs of an INVALID_ARGUMENT,
    with paths such as ``problem.jobs[3].time_windows[0]`` whose indices are
    those of the :class:`Problem` sent (``problem_to_proto`` keeps the order).
    """

    def __init__(self, code: grpc.StatusCode, message: str, field_violations: Sequence[tuple[str, str]] = ()):
        self.code = code
        self.message = message
        self.field_violations = list(field_violations)
        super().__init__(f"{code.name}: {message}")


class UnverifiedPlanError(RuntimeError):
    """The server's plan is not what it claimed: it fails the local checker or names unknown things."""


def _field_violations(err: grpc.RpcError) -> list[tuple[str, str]]:
    status = rpc_status.from_call(err)  # type: ignore[arg-type]
    out: list[tuple[str, str]] = []
    if status is None:
        return out
    for detail in status.details:
        br = error_details_pb2.BadRequest()
        if detail.Unpack(br):
            out.extend((v.field, v.description) for v in br.field_violations)
    return out


def plan_from_routes(problem: Problem, routes: Sequence[pb.Route]) -> Plan:
    """The plan a solution's routes describe, by job, shipment, depot and driver ids.

    START and END are implied by the vehicle, BREAK steps are placed again by
    the checker; every other step is a visit (RELOAD = a depot in mid-route).
    """
    planned = [
        pb.PlannedRoute(
            vehicle_id=r.vehicle_id,
            driver_id=r.driver_id,
            visits=[
                pb.PlannedVisit(type=s.type, id=s.id)
                for s in r.steps
                if s.type not in (pb.Step.START, pb.Step.END, pb.Step.BREAK)
            ],
        )
        for r in routes
    ]
    try:
        return convert.plan_from_proto(problem, planned, prefix="solution.routes")
    except ModelError as exc:
        raise UnverifiedPlanError(
            f"最適化サーバーの計画に不明な項目があります / the server's plan names unknown items: {exc}"
        ) from None


def stats_from_proto(s: pb.SolverStats) -> SolveStats:
    return SolveStats(
        engine=s.engine,
        engine_reason=s.engine_reason,
        wall_seconds=s.wall_time.ToNanoseconds() / 1e9,
        first_feasible_seconds=s.time_to_first_feasible.ToNanoseconds() / 1e9
        if s.HasField("time_to_first_feasible")
        else None,
        iterations=s.iterations,
        runs=s.runs,
        improvements=s.improvements,
    )


def _unassigned(
    compiled: Compiled, evaluation: Evaluation, reported: Sequence[pb.UnassignedJob]
) -> list[Unassigned]:
    """The server's reasons for what the local evaluation leaves out, in the server's order.

    Both sides must agree on the set; an item the server gives no known reason
    for (an older or newer server) gets the local diagnosis.
    """
    p = compiled.problem
    local = {("JOB", p.jobs[j].id): j for j in evaluation.unassigned_jobs}
    local |= {("SHIPMENT", p.shipments[s].id): s for s in evaluation.unassigned_shipments}
    claimed = {("SHIPMENT" if u.is_shipment else "JOB", u.id): u for u in reported}
    if set(claimed) != set(local):
        missing = sorted(i for _, i in set(local) - set(claimed))
        extra = sorted(i for _, i in set(claimed) - set(local))
        raise UnverifiedPlanError(
            "最適化サーバーの未割当一覧がルートと一致しません / "
            "the server's unassigned jobs disagree with its routes: "
            f"left out but not reported {missing}, reported but served or unknown {extra}"
        )
    explained: dict[tuple[str, str], Unassigned] | None = None
    out: list[Unassigned] = []
    for key, u in claimed.items():
        name = pb.UnassignedJob.Reason.Name(u.reason) if u.reason in pb.UnassignedJob.Reason.values() else ""
        if name in UnassignedReason.__members__:
            out.append(Unassigned(key[0], local[key], u.id, UnassignedReason[name], u.message, u.message_ja))
            continue
        if explained is None:
            explained = {(x.kind, x.id): x for x in explain_unassigned(compiled, evaluation)}
        out.append(explained[key])
    return out


def grpc_target(target: str) -> str:
    """A gRPC target for ``target``: ``host:port`` (every address its DNS name resolves to, as ECS service
    discovery gives one A record per task) or a comma-separated list of ``host:port`` replicas, each
    resolved here (IPv4), as one ``ipv4:`` target. With the round-robin policy, calls spread over all."""
    parts = [p.strip() for p in target.split(",") if p.strip()]
    if len(parts) <= 1:
        return target
    addresses = []
    for part in parts:
        host, _, port = part.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"not host:port in the optimizer target: {part!r}")
        try:
            ip = ipaddress.IPv4Address(host)
        except ValueError:
            ip = ipaddress.IPv4Address(socket.getaddrinfo(host, int(port), socket.AF_INET)[0][4][0])
        addresses.append(f"{ip}:{port}")
    return "ipv4:" + ",".join(addresses)


class RemoteSolver:
    """``solver(problem, options) -> Solution`` on a remote OptimizerService.

    ``target`` is an address such as ``"optimizer:50051"`` (the solver then
    owns the channel: use :meth:`close` or ``with``) or an existing channel
    (left open). ``road`` is the road-matrix port (``geo.provider.RoadMatrixProvider``)
    used to verify plans of problems with ROAD travel; it must see the same
    road graphs as the server. ``metadata`` is sent with every call (e.g. the caller's credential);
    ``credentials`` make a TLS channel to a ``target`` address; ``interceptors`` wrap that channel.
    """

    def __init__(
        self,
        target: str | grpc.Channel,
        road: RoadMatrices | None = None,
        metadata: Sequence[tuple[str, str]] | None = None,
        *,
        deadline_margin: float = DEFAULT_DEADLINE_MARGIN,
        credentials: grpc.ChannelCredentials | None = None,
        interceptors: Sequence[grpc.UnaryUnaryClientInterceptor] = (),
    ) -> None:
        if isinstance(target, str):
            options = [
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                # Every address of the target serves: calls go to each replica in turn.
                ("grpc.lb_policy_name", "round_robin"),
            ]
            address = grpc_target(target)
            self._channel = (
                grpc.insecure_channel(address, options=options) if credentials is None
                else grpc.secure_channel(address, credentials, options=options)
            )
            if interceptors:  # e.g. tracing: the interceptors' channel closes the one beneath
                self._channel = grpc.intercept_channel(self._channel, *interceptors)
            self._owned = True
        else:
            self._channel, self._owned = target, False
        self._stub = optimizer_pb2_grpc.OptimizerServiceStub(self._channel)
        self._road = road
        self._metadata = tuple(metadata or ())
        self._margin = deadline_margin

    def close(self) -> None:
        """Close the channel if this solver created it."""
        if self._owned:
            self._channel.close()

    def __enter__(self) -> RemoteSolver:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __call__(
        self,
        problem: Problem,
        options: SolveOptions,
        *,
        timeout: float | None = None,
        on_progress: Callable[[float, int], None] | None = None,
    ) -> Solution:
        """Solve remotely; raise RemoteSolveError (gRPC status) or UnverifiedPlanError (bad answer).

        ``timeout`` is the call's deadline in seconds (default: the time limit
        plus the margin); the server stops its search in time to answer by it.
        With ``on_progress`` the solve streams (``StreamOptimize``): it gets
        ``(cost, jobs served)`` of every improving plan as the server finds it,
        the last call being the final plan once verified here (its local cost).
        """
        if problem.travel.mode is TravelMode.ROAD and self._road is None:
            raise ValueError(
                "道路走行の計画を検証するには道路行列が必要です / "
                "road travel: RemoteSolver needs a road-matrix port to verify the plan"
            )
        request = pb.OptimizeRequest(problem=problem_to_proto(problem), parameters=options_to_proto(options))
        deadline = options.time_limit + self._margin if timeout is None else timeout
        try:
            if on_progress is None:
                response = self._stub.Optimize(request, timeout=deadline, metadata=self._metadata)
            else:
                response = self._stream(request, deadline, on_progress)
        except grpc.RpcError as err:
            code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN  # type: ignore[attr-defined]
            details = err.details() if hasattr(err, "details") else str(err)  # type: ignore[attr-defined]
            raise RemoteSolveError(code, details or "", _field_violations(err)) from None
        solution = solution_from_response(problem, response, self._road)
        if on_progress is not None:
            ev = solution.evaluation
            on_progress(float(ev.cost.total), len(problem.jobs) - len(ev.unassigned_jobs))
        return solution

    def _stream(
        self, request: pb.OptimizeRequest, deadline: float, on_progress: Callable[[float, int], None]
    ) -> pb.OptimizeResponse:
        """The final answer of a ``StreamOptimize`` call, telling ``on_progress`` of the ones before it."""
        for message in self._stub.StreamOptimize(request, timeout=deadline, metadata=self._metadata):
            if message.final:
                return pb.OptimizeResponse(solution=message.solution, stats=message.stats)
            on_progress(message.solution.cost.total, message.solution.totals.jobs_served)
        raise RemoteSolveError(
            grpc.StatusCode.UNAVAILABLE,
            "最適化サーバーの応答が途中で終わりました / the optimizer's stream ended without a final plan",
        )


def solution_from_response(
    problem: Problem, response: pb.OptimizeResponse, road: RoadMatrices | None = None
) -> Solution:
    """The locally verified :class:`Solution` an OptimizeResponse for ``problem`` describes.

    Also for answers that arrive another way (a long-running operation's
    response, the last StreamOptimize message). ``road`` is needed for ROAD travel.
    """
    compiled = compile_problem(problem, road)
    plan = plan_from_routes(problem, response.solution.routes)
    evaluation = evaluate(compiled, plan)
    if not evaluation.is_feasible:
        first = evaluation.violations[0]
        more = len(evaluation.violations) - 1
        raise UnverifiedPlanError(
            "最適化サーバーの計画が検証に失敗しました / the server's plan fails the local check: "
            f"{first.code.value}: {first.message_ja} / {first.message}"
            + (f" (and {more} more)" if more else "")
        )
    unassigned = _unassigned(compiled, evaluation, response.solution.unassigned_jobs)
    claimed = response.solution.cost.total
    if not math.isclose(claimed, evaluation.cost.total, rel_tol=1e-9, abs_tol=1e-6):
        # Same checker on both sides: a difference means different travel data (e.g. road graphs).
        log.warning(
            "remote plan cost differs from the local evaluation",
            extra={"remote_cost": claimed, "local_cost": evaluation.cost.total},
        )
    return Solution(problem, plan, evaluation, unassigned, stats_from_proto(response.stats))
