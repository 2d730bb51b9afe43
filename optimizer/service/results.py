"""Answers out: the optimizer's results (routes, unassigned jobs, stats, checker violations) → the
hakobu.optimizer.v1 messages (requests come in through ``convert``)."""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf import duration_pb2, timestamp_pb2

from hakobu.optimizer.v1 import optimizer_pb2 as pb
from optimizer.checker import Evaluation, RouteResult, Violation
from optimizer.diagnosis import Unassigned
from optimizer.model import JobKind, Problem
from optimizer.solve import SolveStats


def _duration(seconds: float) -> duration_pb2.Duration:
    out = duration_pb2.Duration()
    out.FromNanoseconds(round(seconds * 1e9))
    return out


_STEP_TYPES = {
    "START": pb.Step.START,
    "RELOAD": pb.Step.RELOAD,
    "END": pb.Step.END,
    "PICKUP": pb.Step.SHIPMENT_PICKUP,
    "DELIVERY": pb.Step.SHIPMENT_DELIVERY,
    "BREAK": pb.Step.BREAK,
}


def _ts(origin: timestamp_pb2.Timestamp | None, offset: int) -> timestamp_pb2.Timestamp | None:
    if origin is None:
        return None
    out = timestamp_pb2.Timestamp()
    out.FromSeconds(origin.seconds + offset)
    return out


def _node_id(problem: Problem, node: int) -> str:
    """Id of the depot, job or shipment at a compiled node (the numbering of optimizer.compiled)."""
    d, nj, ns = len(problem.depots), len(problem.jobs), len(problem.shipments)
    if node < d:
        return problem.depots[node].id
    if node < d + nj:
        return problem.jobs[node - d].id
    return problem.shipments[(node - d - nj) % ns].id


def route_to_proto(problem: Problem, rr: RouteResult, origin: timestamp_pb2.Timestamp | None) -> pb.Route:
    out = pb.Route(
        vehicle_id=rr.vehicle_id,
        distance_meters=rr.distance,
        duration=_duration(rr.duration),
        travel_duration=_duration(rr.travel_duration),
        service_duration=_duration(rr.service_duration),
        waiting_duration=_duration(rr.waiting_duration),
        trips=rr.num_trips,
        cost=rr.cost,
        driver_id=rr.driver_id,
    )
    vehicle = problem.vehicles[rr.vehicle]
    breaks = iter(rr.breaks)
    for st in rr.steps:
        if st.kind == "BREAK":
            brk = next(breaks, None)
            typ = pb.Step.BREAK
            ident = "" if brk is None or brk.place.name == "EN_ROUTE" else _node_id(problem, st.node)
        elif st.kind == "JOB":
            assert st.visit is not None
            job = problem.jobs[st.visit.index]
            typ = pb.Step.PICKUP if job.kind is JobKind.PICKUP else pb.Step.DELIVERY
            ident = job.id
        elif st.kind in ("PICKUP", "DELIVERY"):
            assert st.visit is not None
            typ, ident = _STEP_TYPES[st.kind], problem.shipments[st.visit.index].id
        else:
            typ = _STEP_TYPES[st.kind]
            depot = {"START": vehicle.start_depot, "END": vehicle.end_depot}.get(
                st.kind, st.visit.index if st.visit is not None else vehicle.start_depot
            )
            ident = problem.depots[depot].id
        step = pb.Step(
            type=typ,
            id=ident,
            arrival_offset=_duration(st.arrival),
            start_offset=_duration(st.start),
            departure_offset=_duration(st.departure),
            waiting=_duration(st.waiting),
            load_after=list(st.load),
            distance_from_previous_meters=st.distance_from_previous,
            travel_from_previous=_duration(st.duration_from_previous),
            trip=st.trip,
        )
        if origin is not None:
            step.arrival_time.CopyFrom(_ts(origin, st.arrival))
            step.start_time.CopyFrom(_ts(origin, st.start))
            step.departure_time.CopyFrom(_ts(origin, st.departure))
        out.steps.append(step)
    return out


_REASONS = {name: getattr(pb.UnassignedJob, name) for name in pb.UnassignedJob.Reason.keys()}


def unassigned_to_proto(u: Unassigned) -> pb.UnassignedJob:
    return pb.UnassignedJob(
        id=u.id,
        is_shipment=u.kind == "SHIPMENT",
        reason=_REASONS.get(u.reason.name, pb.UnassignedJob.REASON_UNSPECIFIED),
        message=u.message,
        message_ja=u.message_ja,
    )


def solution_to_proto(
    problem: Problem,
    evaluation: Evaluation,
    unassigned: Iterable[Unassigned],
    origin: timestamp_pb2.Timestamp | None = None,
) -> pb.Solution:
    unassigned = list(unassigned)
    served = len(problem.jobs) + len(problem.shipments)
    served -= len(evaluation.unassigned_jobs) + len(evaluation.unassigned_shipments)
    c = evaluation.cost
    return pb.Solution(
        routes=[route_to_proto(problem, rr, origin) for rr in evaluation.routes],
        unassigned_jobs=[unassigned_to_proto(u) for u in unassigned],
        cost=pb.CostBreakdown(
            fixed=c.fixed, distance=c.distance, duration=c.duration, penalty=c.penalty, total=c.total
        ),
        totals=pb.Totals(
            distance_meters=evaluation.distance,
            duration=_duration(evaluation.duration),
            vehicles_used=evaluation.vehicles_used,
            jobs_served=served,
            jobs_unassigned=len(evaluation.unassigned_jobs) + len(evaluation.unassigned_shipments),
        ),
    )


def stats_to_proto(s: SolveStats) -> pb.SolverStats:
    out = pb.SolverStats(
        engine=s.engine,
        engine_reason=s.engine_reason,
        wall_time=_duration(s.wall_seconds),
        iterations=s.iterations,
        runs=s.runs,
        improvements=s.improvements,
    )
    if s.first_feasible_seconds is not None:
        out.time_to_first_feasible.CopyFrom(_duration(s.first_feasible_seconds))
    return out


_CODES = {name: getattr(pb.PlanViolation, name) for name in pb.PlanViolation.Code.keys()}


def violation_to_proto(v: Violation) -> pb.PlanViolation:
    return pb.PlanViolation(
        code=_CODES.get(v.code.name, pb.PlanViolation.CODE_UNSPECIFIED),
        message=v.message,
        message_ja=v.message_ja,
        route_index=-1 if v.route is None else v.route,
        step_index=-1 if v.step is None else v.step,
        job_id=v.job_id or "",
        vehicle_id=v.vehicle_id or "",
        dimension=v.dimension or "",
        amount=v.amount or 0,
        limit=v.limit or 0,
    )
