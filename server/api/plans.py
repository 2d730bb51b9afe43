"""PlanService: daily plans over gRPC — the I/O edge of ``server.plans``.

Optimizing and re-planning are long-running operations run on a small thread pool (bounded concurrency
against the optimizer); their operations are visible only to the caller's organization through the
standard ``google.longrunning.Operations`` service of the same server.
"""

from __future__ import annotations

import base64
import datetime
import json
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
from google.longrunning import operations_pb2
from google.protobuf import empty_pb2
from google.rpc import code_pb2, status_pb2

from hakobu.v1 import plans_pb2 as pb
from hakobu.v1 import plans_pb2_grpc
from optimizer.compiled import RoadMatrices
from optimizer.service.client import RemoteSolveError
from optimizer.service.operations import OperationStore, now_timestamp
from optimizer.solve import SolveOptions
from server.api.context import Caller, caller, parse_name, parse_parent
from server.api.errors import (
    abort_bad_request,
    grpc_errors,
    status_code_for,
)
from server.api.plans_convert import (
    comparison_to_proto,
    edit_from_proto,
    plan_to_proto,
    revision_to_proto,
)
from server.api.wellknown import date_from_proto, date_to_proto
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
    get_plan,
    get_revision,
    list_plans,
    list_versions,
    set_status,
)
from server.plans.replan import replan_plan
from server.plans.solver import Solver

log = logging.getLogger("hakobu.plans")

DEFAULT_TIME_LIMIT = 10.0
_FILTER = re.compile(r'\s*(branch|plan_date|status)\s*=\s*("([^"]*)"|([A-Za-z0-9_-]+))\s*')


class PlanServicer(plans_pb2_grpc.PlanServiceServicer):
    def __init__(
        self,
        db: PlanStores,
        solver: Solver,
        store: OperationStore,
        *,
        road: RoadMatrices | None = None,
        concurrency: int = 2,
    ) -> None:
        self.db = db
        self.solver = solver
        self.store = store
        #: Road matrices for plans with road travel (other travel modes never use them).
        self.road = road
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="plans")

    def shutdown(self) -> None:
        for entry in self.store.running():
            entry.cancel.set()
        self._pool.shutdown(wait=True, cancel_futures=True)


    # ------------------------------------------------------------ helpers

    def _name(self, context: grpc.ServicerContext, who: Caller) -> Callable[[str, str, str], str]:
        return lambda name, collection, field: parse_name(context, who, name, collection, field)

    # ------------------------------------------------------------ reads

    @grpc_errors
    def GetPlan(self, request: pb.GetPlanRequest, context: grpc.ServicerContext) -> pb.DeliveryPlan:
        who = caller(context)
        plan_id = parse_name(context, who, request.name, "plans")
        plan = get_plan(self.db, who.organization, plan_id)
        if request.revision < 0:
            abort_bad_request(context, [("revision", "0 以上 / must be 0 (current) or a stored revision")])
        if request.revision and request.revision != plan.revision:
            return plan_to_proto(plan, get_revision(self.db, who.organization, plan_id, request.revision))
        return plan_to_proto(plan)

    @grpc_errors
    def ListPlans(self, request: pb.ListPlansRequest, context: grpc.ServicerContext) -> pb.ListPlansResponse:
        who = caller(context)
        org = parse_parent(context, who, request.parent)
        flt: dict[str, str] = {}
        if request.filter.strip():
            for clause in re.split(r"\s+AND\s+", request.filter.strip()):
                m = _FILTER.fullmatch(clause)
                if m is None:
                    abort_bad_request(context, [(
                        "filter",
                        f"使えない条件です / unsupported clause {clause!r}; use branch, plan_date, status "
                        "joined by AND",
                    )])
                flt[m.group(1)] = m.group(3) if m.group(3) is not None else m.group(4)
        branch = parse_name(context, who, flt["branch"], "branches", "filter") if "branch" in flt else None
        try:
            day = datetime.date.fromisoformat(flt["plan_date"]) if "plan_date" in flt else None
        except ValueError:
            abort_bad_request(context, [("filter", f"bad plan_date {flt['plan_date']!r} (YYYY-MM-DD)")])
        status = flt.get("status")
        if status is not None and status not in pb.DeliveryPlan.Status.keys()[1:]:
            abort_bad_request(context, [("filter", f"unknown status {status!r}")])
        key = json.dumps([branch, flt.get("plan_date"), status])
        after = None
        if request.page_token:
            try:
                d, pid, k = json.loads(base64.urlsafe_b64decode(request.page_token.encode()))
                assert k == key
                after = (datetime.date.fromisoformat(d), pid)
            except Exception:
                abort_bad_request(context, [("page_token", "bad page_token (or made for another filter)")])
        if request.page_size < 0:
            abort_bad_request(context, [("page_size", "must not be negative")])
        plans, nxt = list_plans(
            self.db, org, branch_id=branch, plan_date=day, status=status,
            page_size=request.page_size or 50, after=after,
        )
        token = ""
        if nxt is not None:
            token = base64.urlsafe_b64encode(json.dumps([nxt[0].isoformat(), nxt[1], key]).encode()).decode()
        return pb.ListPlansResponse(plans=[plan_to_proto(p) for p in plans], next_page_token=token)

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
        if not 0 < limit <= 3600:
            abort_bad_request(context, [("time_limit", "0 秒より長く 3600 秒以下 / must be in (0, 3600] s")])
        return SolveOptions(time_limit=limit, seed=max(0, seed))

    def _run(
        self, entry: Any, work: Callable[[], Any], on_done: Callable[[Any], Any]
    ) -> None:
        def mark(state: int) -> Callable[[Any], None]:
            return lambda e: setattr(e.metadata, "state", state)

        def task() -> None:
            if entry.cancel.is_set():
                self.store.update(entry, lambda e: _fail(e, code_pb2.CANCELLED, "cancelled"))
                return
            self.store.update(entry, mark(pb.OptimizePlanMetadata.RUNNING))
            failure: tuple[int, str] | None = None
            try:
                result = work()
                response = on_done(result)
            except RemoteSolveError as exc:
                failure = (exc.code.value[0], f"optimizer: {exc}")
            except (RepositoryError, EditError, EditRefused, PlanStateError, PlanLockedError,
                    LookupError, ValueError) as exc:
                failure = (_status_code(exc), str(exc))
            except Exception as exc:  # an operation must always finish
                log.exception("plan operation failed", extra={"operation": entry.name})
                failure = (code_pb2.INTERNAL, f"internal error: {exc}")
            if failure is not None:
                code, message = failure
                self.store.update(entry, lambda e: _fail(e, code, message))
            else:
                def finish(e: Any) -> None:
                    e.response = response
                    e.metadata.state = pb.OptimizePlanMetadata.SUCCEEDED
                    e.done = True

                self.store.update(entry, finish)

        self._pool.submit(task)

    @grpc_errors
    def OptimizePlan(
        self, request: pb.OptimizePlanRequest, context: grpc.ServicerContext
    ) -> operations_pb2.Operation:
        who = caller(context)
        org = parse_parent(context, who, request.parent)
        violations = []
        if not request.branch:
            violations.append(("branch", "必須です / required"))
        if not request.HasField("plan_date"):
            violations.append(("plan_date", "必須です / required"))
        travel = request.travel or "haversine"
        if travel not in ("haversine", "road"):
            violations.append(("travel", "haversine か road / must be 'haversine' or 'road'"))
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
        entry, created = self.store.start(request.request_id, md, owner=org)
        if request.validate_only:
            def valid(e: Any) -> None:
                e.metadata.state = pb.OptimizePlanMetadata.SUCCEEDED
                e.response = pb.DeliveryPlan()
                e.done = True

            self.store.update(entry, valid)
            return self.store.to_proto(entry)
        if created:
            def work() -> Any:
                # A day with stops that happened or were locked is re-planned around them.
                return optimize_day(
                    self.db, org, branch, day, options, who.user, travel=travel,
                    request_id=request.request_id or None, force=request.force, solver=self.solver,
                    road=self.road,
                )[0]

            def done(plan: Any) -> pb.DeliveryPlan:
                entry.metadata.plan = f"organizations/{org}/plans/{plan.id}"
                return plan_to_proto(plan)

            self._run(entry, work, done)
        return self.store.to_proto(entry)

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
        entry, created = self.store.start(request.request_id, md, owner=who.organization)
        if created:
            def work() -> Any:
                return replan_plan(
                    self.db, who.organization, plan_id, options, self.solver, who.user,
                    request.etag or None, road=self.road,
                )

            def done(out: Any) -> pb.ReplanPlanResponse:
                org = who.organization
                return pb.ReplanPlanResponse(
                    plan=plan_to_proto(out.plan),
                    added_orders=[f"organizations/{org}/orders/{o}" for o in out.added],
                    removed_orders=[f"organizations/{org}/orders/{o}" for o in out.removed],
                    kept_on_road=out.kept_on_road,
                    kept_locked=out.kept_locked,
                )

            self._run(entry, work, done)
        return self.store.to_proto(entry)


def _status_code(exc: Exception) -> int:
    """An operation's error code (google.rpc.Code) for a failure of its work."""
    code = status_code_for(exc)
    if code is None:
        code = grpc.StatusCode.NOT_FOUND if isinstance(exc, LookupError) else (
            grpc.StatusCode.INVALID_ARGUMENT if isinstance(exc, ValueError) else grpc.StatusCode.INTERNAL
        )
    return int(code.value[0])


def _fail(entry: Any, code: int, message: str) -> None:
    entry.error = status_pb2.Status(code=code, message=message)
    entry.metadata.state = pb.OptimizePlanMetadata.CANCELLED if code == code_pb2.CANCELLED else (
        pb.OptimizePlanMetadata.FAILED
    )
    entry.done = True
