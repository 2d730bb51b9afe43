"""PlanService: daily plans over gRPC — the I/O edge of ``server.plans``.

Optimizing and re-planning are long-running operations run on a small thread pool (bounded concurrency
against the optimizer); their operations are visible only to the caller's organization through the
standard ``google.longrunning.Operations`` service of the same server.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

import grpc
from google.longrunning import operations_pb2
from google.protobuf import empty_pb2
from google.rpc import code_pb2, status_pb2

from hakobu.plans.v1 import plans_pb2 as pb
from hakobu.plans.v1 import plans_pb2_grpc
from optimizer.compiled import RoadMatrices
from optimizer.service.client import RemoteSolveError
from optimizer.service.convert import duration_problem
from optimizer.service.metrics import SolveMetrics
from optimizer.service.operations import (
    Operation,
    OperationStore,
    RequestIdReusedError,
    now_timestamp,
    request_hash,
)
from optimizer.service.runner import OperationRunner
from optimizer.solve import SolveOptions
from server.entrypoints.grpc import aip
from server.entrypoints.grpc.context import Caller, caller, parse_name, parse_parent
from server.entrypoints.grpc.driver_view import driver_view, is_driver
from server.entrypoints.grpc.errors import (
    FieldError,
    abort_bad_request,
    grpc_errors,
    status_code_for,
)
from server.entrypoints.grpc.fleet_convert import order_to_proto
from server.entrypoints.grpc.plan_cache import ChangeFeed, PlanReplyCache
from server.entrypoints.grpc.plan_progress import ProgressReporter
from server.entrypoints.grpc.plans_convert import (
    TRAVEL_NAMES,
    comparison_to_proto,
    edit_from_proto,
    plan_to_proto,
    revision_to_proto,
)
from server.entrypoints.grpc.wellknown import date_from_proto, date_to_proto
from server.identity.principal import Role
from server.jst import today_jst
from server.plans.build import build_problem
from server.plans.compare import compare
from server.plans.edit import edit_plan
from server.plans.errors import PlanLockedError, PlanStateError, RepositoryError
from server.plans.layout import EditError, EditRefused
from server.plans.optimize import check_can_optimize, optimize_day
from server.plans.ports import PlanStores
from server.plans.queries import (
    check_changeable,
    check_user,
    delete_plan,
    driver_day,
    get_plan,
    get_revision,
    list_plans,
    list_versions,
    plan_stamp,
    set_status,
)
from server.plans.replan import replan_plan
from server.plans.solver import Solver, reporting
from server.platform.observability import PLANS_OPTIMIZED

log = logging.getLogger("hakobu.plans")

DEFAULT_TIME_LIMIT = 10.0
#: ListPlans filter fields → (list_plans argument, value converter).
_FILTERS: aip.FilterSpec = {
    "branch": ("branch_id", aip.filter_ref("branches")),
    "plan_date": ("plan_date", aip.filter_date),
    "status": ("status", aip.filter_enum(pb.DeliveryPlan.Status)),
}


class PlanServicer(plans_pb2_grpc.PlanServiceServicer):
    def __init__(
        self,
        db: PlanStores,
        solver: Solver,
        store: OperationStore,
        *,
        road: RoadMatrices | None = None,
        concurrency: int = 2,
        metrics: SolveMetrics | None = None,
        plan_changes: ChangeFeed | None = None,
    ) -> None:
        self.db = db
        self.solver = solver
        self.store = store
        #: Road matrices for plans with road travel (other travel modes never use them).
        self.road = road
        self._runner = OperationRunner(store, workers=concurrency, name="plans", metrics=metrics)
        #: GetPlan's replies, reused while a plan is unchanged (``plan_cache``).
        self._replies = PlanReplyCache()
        #: Tells the cache of every plan written, so its replies are reused without a stamp read.
        self._changes = plan_changes
        if plan_changes is not None:
            plan_changes.start(self._replies)

    def shutdown(self, grace: float | None = None) -> None:
        """Stop the operations, giving them ``grace`` seconds (see ``OperationRunner.shutdown``), then the
        store's background work."""
        self._runner.shutdown(grace)
        if self._changes is not None:
            self._changes.close()
        close = getattr(self.store, "close", None)
        if close is not None:
            close()

    # ------------------------------------------------------------ helpers

    def _name(self, context: grpc.ServicerContext, who: Caller) -> Callable[[str, str, str], str]:
        return lambda name, collection, field: parse_name(context, who, name, collection, field)

    # ------------------------------------------------------------ reads

    @grpc_errors
    def GetPlan(self, request: pb.GetPlanRequest, context: grpc.ServicerContext) -> pb.DeliveryPlan:
        who = caller(context)
        plan_id = parse_name(context, who, request.name, "plans")
        org = who.organization
        if request.revision <= 0:  # the current revision: reused while the plan's stamp is unchanged
            shown = self._replies.get(org, plan_id, lambda: plan_stamp(self.db, org, plan_id),
                                      lambda: plan_to_proto(get_plan(self.db, org, plan_id)))
        if request.revision < 0:
            abort_bad_request(context, [("revision", "0 以上 / must be 0 (current) or a stored revision")])
        if request.revision > 0:
            plan = get_plan(self.db, org, plan_id)
            old = request.revision != plan.revision
            snap = get_revision(self.db, org, plan_id, request.revision) if old else None
            shown = plan_to_proto(plan, snap)
        seen = driver_view(who, shown)
        if seen is None:  # a DRIVER asking for a plan without his routes: as if it did not exist
            context.abort(grpc.StatusCode.NOT_FOUND, f"計画が見つかりません / {request.name} not found")
        return seen

    @grpc_errors
    def GetDriverDay(self, request: pb.GetDriverDayRequest, context: grpc.ServicerContext) -> pb.DriverDay:
        who = caller(context)
        driver_id = parse_name(context, who, request.driver, "drivers", "driver")
        me = who.principal
        if me is not None and me.role == Role.DRIVER and me.driver != driver_id:
            # a driver sees his own day only; another driver's is, for him, not there
            context.abort(grpc.StatusCode.NOT_FOUND,
                          f"運行が見つかりません / no day of {request.driver!r} for you")
        start = date_from_proto(request.date) if request.HasField("date") else today_jst()
        found = driver_day(self.db, who.organization, driver_id, start)
        if found is None:
            return pb.DriverDay()
        plan, index = found
        route = plan_to_proto(plan).routes[index]
        day_orders = self.db.master.day_orders(who.organization, plan.branch_id, plan.plan_date)
        orders = {o.id: o for o in day_orders}
        on_route = [orders[s.order_id] for s in plan.routes[index].stops if s.order_id in orders]
        return pb.DriverDay(plan=f"{who.parent}/plans/{plan.id}", plan_date=date_to_proto(plan.plan_date),
                            route=route, orders=[order_to_proto(o) for o in on_route])

    @grpc_errors
    def ListPlans(self, request: pb.ListPlansRequest, context: grpc.ServicerContext) -> pb.ListPlansResponse:
        who = caller(context)
        org = parse_parent(context, who, request.parent)
        flt = aip.parse_filter(request.filter, _FILTERS, self._name(context, who))
        size = aip.page_size(request.page_size)
        after = None
        if request.page_token:
            cursor = aip.decode_page_token(request.page_token, flt)
            try:
                after = (datetime.date.fromisoformat(cursor[0]), str(cursor[1]))
            except (TypeError, ValueError, IndexError, KeyError):
                raise FieldError([("page_token", "ページトークンが使えません / bad page_token")]) from None
        plans, nxt = list_plans(self.db, org, page_size=size, after=after, **flt)
        token = aip.encode_page_token([nxt[0].isoformat(), nxt[1]], flt) if nxt is not None else ""
        shown = [plan_to_proto(p) for p in plans]
        if is_driver(who):  # his routes of published plans only (a page may then hold fewer plans)
            shown = [v for v in (driver_view(who, p) for p in shown) if v is not None]
        return pb.ListPlansResponse(plans=shown, next_page_token=token)

    @grpc_errors
    def ListPlanRevisions(
        self, request: pb.ListPlanRevisionsRequest, context: grpc.ServicerContext
    ) -> pb.ListPlanRevisionsResponse:
        who = caller(context)
        plan_id = parse_name(context, who, request.name, "plans")
        versions = list_versions(self.db, who.organization, plan_id)
        return pb.ListPlanRevisionsResponse(revisions=[revision_to_proto(v) for v in versions])

    @grpc_errors
    def ComparePlans(
        self, request: pb.ComparePlansRequest, context: grpc.ServicerContext
    ) -> pb.ComparePlansResponse:
        who = caller(context)
        snaps = []
        for field, name, rev in (("a", request.a, request.a_revision), ("b", request.b, request.b_revision)):
            plan_id = parse_name(context, who, name, "plans", field)
            plan = get_plan(self.db, who.organization, plan_id)
            snaps.append(
                get_revision(self.db, who.organization, plan_id, rev) if rev else (plan.snapshot or {})
            )
        return comparison_to_proto(who.organization, compare(snaps[0], snaps[1]))

    # ------------------------------------------------------------ edits and status

    @grpc_errors
    def EditPlan(self, request: pb.EditPlanRequest, context: grpc.ServicerContext) -> pb.EditPlanResponse:
        who = caller(context)
        plan_id = parse_name(context, who, request.name, "plans")
        violations = []
        if not request.etag:
            violations.append(("etag", "必須です / required: the etag of the plan the edits were made on"))
        if not request.edits:
            violations.append(("edits", "編集がありません / at least one edit is required"))
        for i, e in enumerate(request.edits):
            if e.WhichOneof("edit") is None:
                violations.append((f"edits[{i}]", "編集の種類がありません / set one kind of edit"))
        if violations:
            abort_bad_request(context, violations)
        parse = self._name(context, who)
        edits = [edit_from_proto(e, f"edits[{i}]", parse) for i, e in enumerate(request.edits)]
        out = edit_plan(
            self.db, who.organization, plan_id, edits, request.etag, who.user,
            accept_violations=request.accept_violations, validate_only=request.validate_only, road=self.road,
        )
        shown = plan_to_proto(out.plan, None if out.saved else out.preview)
        return pb.EditPlanResponse(
            plan=shown,
            violations=shown.issues,
            saved=out.saved,
            changes=list(out.changes),
        )

    @grpc_errors
    def PublishPlan(self, request: pb.PublishPlanRequest, context: grpc.ServicerContext) -> pb.DeliveryPlan:
        who = caller(context)
        plan_id = parse_name(context, who, request.name, "plans")
        plan = set_status(
            self.db, who.organization, plan_id, "PUBLISHED", request.etag or None, who.user, ("DRAFT",)
        )
        return plan_to_proto(plan)

    @grpc_errors
    def DeletePlan(self, request: pb.DeletePlanRequest, context: grpc.ServicerContext) -> empty_pb2.Empty:
        who = caller(context)
        plan_id = parse_name(context, who, request.name, "plans")
        delete_plan(self.db, who.organization, plan_id, request.etag or None)
        return empty_pb2.Empty()

    # ------------------------------------------------------------ long-running

    def _options(self, context: grpc.ServicerContext, time_limit: Any, seed: int) -> SolveOptions:
        limit = DEFAULT_TIME_LIMIT
        if time_limit.seconds or time_limit.nanos:
            limit = time_limit.seconds + time_limit.nanos / 1e9
        if duration_problem(time_limit) is not None or not 0 < limit <= 3600:
            abort_bad_request(context, [("time_limit", "0 秒より長く 3600 秒以下 / must be in (0, 3600] s")])
        return SolveOptions(time_limit=limit, seed=max(0, seed))

    def _start(self, request: Any, metadata: Any, org: str) -> tuple[Operation, bool]:
        """The operation for ``request`` (a validate_only one never takes its request id); FieldError when
        the request id already started an operation for another request."""
        rid = "" if getattr(request, "validate_only", False) else request.request_id
        try:
            return self.store.start(rid, metadata, owner=org, fingerprint=request_hash(request))
        except RequestIdReusedError as exc:
            raise FieldError([("request_id", f"別の依頼で使われた request_id です / {exc}")]) from exc

    @grpc_errors
    def OptimizePlan(
        self, request: pb.OptimizePlanRequest, context: grpc.ServicerContext
    ) -> operations_pb2.Operation:
        who = caller(context)
        org = parse_parent(context, who, request.parent)
        if request.branch:  # another organization's branch is PERMISSION_DENIED before any other check
            parse_name(context, who, request.branch, "branches", "branch")
        violations = []
        if not request.branch:
            violations.append(("branch", "必須です / required"))
        if not request.HasField("plan_date"):
            violations.append(("plan_date", "必須です / required"))
        travel = TRAVEL_NAMES.get(request.travel or pb.TRAVEL_MODE_HAVERSINE)
        if travel is None:
            violations.append(("travel", f"不明な移動方法です / unknown travel mode {request.travel}"))
        if violations:
            abort_bad_request(context, violations)
        branch = parse_name(context, who, request.branch, "branches", "branch")
        try:
            day = date_from_proto(request.plan_date)
        except ValueError:
            abort_bad_request(context, [("plan_date", "日付が正しくありません / not a valid date")])
        if day < today_jst():
            abort_bad_request(context, [("plan_date", f"過去の日付です / {day} is in the past "
                                                      f"(today is {today_jst()} in Japan)")])
        options = self._options(context, request.time_limit, request.seed)
        check_can_optimize(self.db, org, branch, day, who.user, request.force)  # refuse before solving
        try:
            problem, _ = build_problem(self.db, org, branch, day, travel)
        except LookupError:
            context.abort(grpc.StatusCode.NOT_FOUND, f"拠点が見つかりません / {request.branch} not found")
        md = pb.OptimizePlanMetadata(
            state=pb.OptimizePlanMetadata.QUEUED, create_time=now_timestamp(), update_time=now_timestamp(),
            branch=request.branch, plan_date=date_to_proto(day), orders=len(problem.jobs),
            vehicles=len(problem.vehicles),
        )
        # A validate_only request never takes (or answers for) its request id: it must not touch the
        # operation a real request made with that id.
        op, created = self._start(request, md, org)
        if request.validate_only:
            self._runner.finish(op, pb.DeliveryPlan())
        elif created:
            def work(o: Operation) -> pb.DeliveryPlan:
                # A day with stops that happened or were locked is re-planned around them.
                progress = ProgressReporter(self.store, o)
                plan = optimize_day(
                    self.db, org, branch, day, options, who.user, travel=travel,
                    request_id=request.request_id or None, force=request.force, solver=self.solver,
                    road=self.road, on_progress=progress,
                )[0]
                progress.record(o)  # the final numbers go out with the operation's end
                o.metadata.plan = f"organizations/{org}/plans/{plan.id}"  # type: ignore[attr-defined]
                PLANS_OPTIMIZED.labels("request").inc()
                return plan_to_proto(plan)

            self._runner.submit(op, work, _operation_error)
        return self.store.to_proto(op)

    @grpc_errors
    def ReplanPlan(
        self, request: pb.ReplanPlanRequest, context: grpc.ServicerContext
    ) -> operations_pb2.Operation:
        who = caller(context)
        plan_id = parse_name(context, who, request.name, "plans")
        plan = get_plan(self.db, who.organization, plan_id)
        check_changeable(plan, request.etag, "再計画", "re-planned")  # answer now, not in the operation
        check_user(self.db, who.organization, who.user)
        options = self._options(context, request.time_limit, request.seed)
        md = pb.OptimizePlanMetadata(
            state=pb.OptimizePlanMetadata.QUEUED, create_time=now_timestamp(), update_time=now_timestamp(),
            branch=f"organizations/{who.organization}/branches/{plan.branch_id}",
            plan_date=date_to_proto(plan.plan_date), plan=request.name,
        )
        op, created = self._start(request, md, who.organization)
        if created:
            def work(o: Operation) -> pb.ReplanPlanResponse:
                progress = ProgressReporter(self.store, o)
                out = replan_plan(
                    self.db, who.organization, plan_id, options, reporting(self.solver, progress), who.user,
                    request.etag or None, road=self.road,
                )
                progress.record(o)
                org = who.organization
                PLANS_OPTIMIZED.labels("replan").inc()
                return pb.ReplanPlanResponse(
                    plan=plan_to_proto(out.plan),
                    added_orders=[f"organizations/{org}/orders/{o}" for o in out.added],
                    removed_orders=[f"organizations/{org}/orders/{o}" for o in out.removed],
                    kept_on_road=out.kept_on_road,
                    kept_locked=out.kept_locked,
                )

            self._runner.submit(op, work, _operation_error)
        return self.store.to_proto(op)


def _status_code(exc: Exception) -> int:
    """An operation's error code (google.rpc.Code) for a failure of its work."""
    code = status_code_for(exc)
    if code is None:
        code = grpc.StatusCode.NOT_FOUND if isinstance(exc, LookupError) else (
            grpc.StatusCode.INVALID_ARGUMENT if isinstance(exc, ValueError) else grpc.StatusCode.INTERNAL
        )
    return int(code.value[0])


def _operation_error(exc: Exception) -> status_pb2.Status:
    """The error of a plan operation whose work raised ``exc``."""
    if isinstance(exc, RemoteSolveError):
        return status_pb2.Status(code=exc.code.value[0], message=f"optimizer: {exc}")
    if isinstance(exc, (RepositoryError, EditError, EditRefused, PlanStateError, PlanLockedError,
                        LookupError, ValueError)):
        return status_pb2.Status(code=_status_code(exc), message=str(exc))
    return status_pb2.Status(code=code_pb2.INTERNAL, message=f"internal error: {exc}")
