"""OptimizerService: a thin edge between gRPC and :func:`optimizer.solve.solve`."""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from collections.abc import Callable

import grpc
from google.rpc import code_pb2, status_pb2

from hakobu.optimizer.v1 import optimizer_pb2 as pb
from hakobu.optimizer.v1 import optimizer_pb2_grpc
from optimizer.checker import evaluate
from optimizer.compiled import Compiled, RoadMatrices, compile_problem
from optimizer.diagnosis import explain_unassigned
from optimizer.engines import EngineChoiceError
from optimizer.model import ModelError, Problem, UnknownResourceError
from optimizer.parallel import WorkerError, WorkerPool
from optimizer.service import convert, results
from optimizer.service.errors import abort_invalid, status_from_model_error
from optimizer.service.metrics import NoMetrics, SolveMetrics
from optimizer.service.operations import (
    Operation,
    OperationStore,
    RequestIdReusedError,
    failed,
    now_timestamp,
    request_hash,
)
from optimizer.service.runner import OperationCancelled, OperationRunner
from optimizer.solve import LATE_MARGIN, NoPlanError, Solution, SolveOptions, solve

log = logging.getLogger("hakobu.optimizer")

#: Seconds kept back from the call's deadline: a solve may end this much after its time limit.
DEADLINE_MARGIN = LATE_MARGIN


class OptimizerServicer(optimizer_pb2_grpc.OptimizerServiceServicer):
    """``pool`` runs the searches (None: in this process); ``store`` keeps the long-running operations,
    which ``runner`` (default: one over ``store``, ``max_operations`` at a time) runs; ``metrics`` hears
    about every solve."""

    def __init__(
        self,
        pool: WorkerPool | None,
        store: OperationStore,
        parallelism: int,
        max_operations: int = 2,
        road: RoadMatrices | None = None,
        metrics: SolveMetrics | None = None,
        runner: OperationRunner | None = None,
    ):
        self._road = road
        self._pool = pool
        self._store = store
        self._metrics = metrics or NoMetrics()
        self._parallelism = parallelism if pool is not None else 1
        self._runner = runner or OperationRunner(
            store, workers=max_operations, name="operation", metrics=self._metrics
        )

    def shutdown(self, grace: float | None = None) -> None:
        """Stop every search at its best plan (calls answer with it, operations SUCCEED with it) and give
        the operations ``grace`` seconds to finish; see :meth:`OperationRunner.shutdown`."""
        self._runner.shutdown(grace)

    def stop_searches(self) -> None:
        """Tell every running search to stop at its best plan now (before :meth:`shutdown`)."""
        self._runner.stopping.set()

    def _stopping(self, context: grpc.ServicerContext) -> Callable[[], bool]:
        stopping = self._runner.stopping
        return lambda: stopping.is_set() or not context.is_active()

    # -- parsing -------------------------------------------------------------

    def _parse(self, request: pb.OptimizeRequest) -> tuple[Problem, SolveOptions]:
        if not request.HasField("problem"):
            raise ModelError([("problem", "required: the request has no problem")])
        problem = convert.problem_from_proto(request.problem)
        options = convert.options_from_proto(request.parameters, self._parallelism)
        return problem, options

    def _bounded(self, options: SolveOptions, context: grpc.ServicerContext) -> SolveOptions:
        remaining = context.time_remaining()
        if remaining is None or remaining - DEADLINE_MARGIN >= options.time_limit:
            return options
        return dataclasses.replace(options, time_limit=max(0.05, remaining - DEADLINE_MARGIN))

    def _solve(
        self,
        problem: Problem,
        options: SolveOptions,
        started: float,
        should_stop: Callable[[], bool],
        on_progress: Callable[[Solution], None] | None = None,
    ) -> Solution:
        compiled = self._compile(problem)
        sol = solve(
            problem,
            options,
            pool=self._pool,
            on_progress=on_progress,
            should_stop=should_stop,
            started_at=started,
            compiled=compiled,
        )
        self._metrics.solved(len(problem.jobs) + len(problem.shipments), sol.stats.first_feasible_seconds)
        log.info(
            "solved",
            extra={
                "jobs": len(problem.jobs) + len(problem.shipments),
                "vehicles": len(problem.vehicles),
                "engine": sol.stats.engine,
                "cost": round(sol.cost, 3),
                "unassigned": len(sol.unassigned),
                "wall_seconds": round(sol.stats.wall_seconds, 3),
                "first_feasible_seconds": sol.stats.first_feasible_seconds,
                "improvements": sol.stats.improvements,
            },
        )
        return sol

    def _compile(self, problem: Problem) -> Compiled:
        """Travel matrices for ``problem``; errors name fields under ``problem.``."""
        try:
            return compile_problem(problem, self._road)
        except ModelError as exc:
            mode = problem.travel.mode
            paths = [(f"problem.{convert.wire_path(f, mode)}", m) for f, m in exc.violations]
            raise type(exc)(paths) from None

    @staticmethod
    def _response(request: pb.OptimizeRequest, sol: Solution) -> pb.OptimizeResponse:
        origin = request.problem.time_origin if request.problem.HasField("time_origin") else None
        return pb.OptimizeResponse(
            solution=results.solution_to_proto(sol.problem, sol.evaluation, sol.unassigned, origin),
            stats=results.stats_to_proto(sol.stats),
        )

    def _abort_for(self, exc: Exception, context: grpc.ServicerContext) -> None:
        if isinstance(exc, NoPlanError) and self._runner.stopping.is_set():
            context.abort(grpc.StatusCode.UNAVAILABLE,
                          "サーバーが停止中です。もう一度実行してください / the server is shutting down and "
                          "stopped the search before it found a plan; call again")
        if isinstance(exc, UnknownResourceError):
            context.abort(grpc.StatusCode.NOT_FOUND, str(exc))
        if isinstance(exc, ModelError):
            abort_invalid(context, exc)
        if isinstance(exc, EngineChoiceError):
            abort_invalid(context, ModelError([("parameters.engine", str(exc))]))
        if isinstance(exc, NoPlanError):
            context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, f"{exc}; allow more time")
        if isinstance(exc, WorkerError):
            log.error("search failed", extra={"error": str(exc)})
            context.abort(grpc.StatusCode.INTERNAL, "the search failed; see server logs")
        raise exc

    # -- methods ---------------------------------------------------------------

    def Optimize(self, request, context):
        started = time.monotonic()
        try:
            problem, options = self._parse(request)
            if request.validate_only:
                return pb.OptimizeResponse()
            sol = self._solve(problem, self._bounded(options, context), started, self._stopping(context))
            return self._response(request, sol)
        except (ModelError, EngineChoiceError, NoPlanError, WorkerError) as exc:
            self._abort_for(exc, context)

    def StreamOptimize(self, request, context):
        started = time.monotonic()
        try:
            problem, options = self._parse(request)
        except ModelError as exc:
            abort_invalid(context, exc)
        if request.validate_only:
            yield pb.OptimizeProgress(final=True)
            return
        options = self._bounded(options, context)
        out: queue.Queue[tuple[str, object]] = queue.Queue()
        origin = request.problem.time_origin if request.problem.HasField("time_origin") else None

        def progress(sol: Solution) -> None:
            out.put(("progress", sol))

        def work() -> None:
            try:
                out.put(
                    (
                        "done",
                        self._solve(problem, options, started, self._stopping(context), progress),
                    )
                )
            except Exception as exc:
                out.put(("error", exc))

        threading.Thread(target=work, name="stream-solve", daemon=True).start()
        while True:
            kind, item = out.get()
            if kind == "error":
                assert isinstance(item, Exception)
                self._abort_for(item, context)
            assert isinstance(item, Solution)
            yield pb.OptimizeProgress(
                solution=results.solution_to_proto(
                    item.problem, item.evaluation, item.unassigned, origin
                ),
                stats=results.stats_to_proto(item.stats),
                final=kind == "done",
            )
            if kind == "done":
                return

    def OptimizeLongRunning(self, request, context):
        started = time.monotonic()
        try:
            problem, options = self._parse(request)
        except ModelError as exc:
            abort_invalid(context, exc)
        md = pb.OptimizeMetadata(
            state=pb.OptimizeMetadata.QUEUED,
            create_time=now_timestamp(),
            update_time=now_timestamp(),
            jobs=len(problem.jobs),
            vehicles=len(problem.vehicles),
        )
        # A validate_only request never takes (or answers for) its request id: it starts nothing.
        try:
            op, created = self._store.start(
                "" if request.validate_only else request.request_id, md, fingerprint=request_hash(request)
            )
        except RequestIdReusedError as exc:
            abort_invalid(context, ModelError([("request_id", str(exc))]))
        if request.validate_only:
            self._runner.finish(op, pb.OptimizeResponse())
        elif created:
            self._runner.submit(op, lambda o: self._run_operation(o, request, problem, options, started),
                                self._operation_error)
        return self._store.to_proto(op)

    def _run_operation(
        self, op: Operation, request: pb.OptimizeRequest, problem: Problem, options: SolveOptions,
        started: float,
    ) -> pb.OptimizeResponse:
        def progress(sol: Solution) -> None:
            def mutate(o: Operation) -> None:
                o.metadata.best_cost = sol.cost  # type: ignore[attr-defined]
                o.metadata.improvements = sol.stats.improvements  # type: ignore[attr-defined]

            self._store.update(op, mutate)

        stopping = self._runner.stopping
        try:
            sol = self._solve(
                problem, options, started, lambda: op.cancel.is_set() or stopping.is_set(), progress
            )
        except NoPlanError:
            if op.cancel.is_set():
                raise OperationCancelled() from None
            raise
        if op.cancel.is_set():
            raise OperationCancelled()
        return self._response(request, sol)

    @staticmethod
    def _operation_error(exc: Exception) -> status_pb2.Status:
        if isinstance(exc, ModelError):
            return status_from_model_error(exc)
        if isinstance(exc, NoPlanError):
            return failed(code_pb2.DEADLINE_EXCEEDED, str(exc))
        return failed(code_pb2.INTERNAL, f"search failed: {exc}")

    def ValidatePlan(self, request, context):
        try:
            if not request.HasField("problem"):
                raise ModelError([("problem", "required: the request has no problem")])
            problem = convert.problem_from_proto(request.problem)
            plan = convert.plan_from_proto(problem, request.routes)
            compiled = self._compile(problem)
        except UnknownResourceError as exc:
            context.abort(grpc.StatusCode.NOT_FOUND, str(exc))
        except ModelError as exc:
            abort_invalid(context, exc)
        ev = evaluate(compiled, plan, require_all=request.require_all_jobs)
        origin = request.problem.time_origin if request.problem.HasField("time_origin") else None
        return pb.ValidatePlanResponse(
            feasible=ev.is_feasible,
            violations=[results.violation_to_proto(v) for v in ev.violations],
            solution=results.solution_to_proto(problem, ev, explain_unassigned(compiled, ev), origin),
        )

