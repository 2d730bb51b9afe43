"""What a DRIVER may reach (``DRIVER_OWN`` in ``server.identity.policy``): of plans, only those published
to drivers (PUBLISHED, IN_PROGRESS, DONE) from today (Japan time) on, and of each only his own routes;
nothing at all of a plan without one of his routes; of vehicles, only the one he drives today."""

from __future__ import annotations

import grpc

from hakobu.plans.v1 import plans_pb2 as pb
from server.entrypoints.grpc.context import Caller
from server.entrypoints.grpc.wellknown import date_from_proto
from server.identity.principal import Role
from server.jst import today_jst
from server.plans.errors import NotFoundError
from server.plans.ports import PlanStores
from server.plans.queries import get_plan, list_plans
from server.plans.records import PlanRecord

_VISIBLE = (pb.DeliveryPlan.PUBLISHED, pb.DeliveryPlan.IN_PROGRESS, pb.DeliveryPlan.DONE)


def is_driver(who: Caller) -> bool:
    return who.principal is not None and who.principal.role is Role.DRIVER


def driver_view(who: Caller, plan: pb.DeliveryPlan) -> pb.DeliveryPlan | None:
    """``plan`` as the caller may see it: unchanged for staff; for a DRIVER only his routes, or None."""
    if not is_driver(who):
        return plan
    assert who.principal is not None
    driver = who.principal.driver
    if driver is None or plan.status not in _VISIBLE or date_from_proto(plan.plan_date) < today_jst():
        return None
    mine = f"organizations/{who.organization}/drivers/{driver}"
    routes = [r for r in plan.routes if r.driver == mine]
    if not routes:
        return None
    out = pb.DeliveryPlan()
    out.CopyFrom(plan)
    del out.routes[:]
    out.routes.extend(routes)
    return out


_VISIBLE_STATUSES = ("PUBLISHED", "IN_PROGRESS", "DONE")


def _drives(plan: PlanRecord, driver: str) -> bool:
    return plan.status in _VISIBLE_STATUSES and any(r.driver_id == driver for r in plan.routes)


def check_own_plan(context: grpc.ServicerContext, stores: PlanStores, who: Caller, plan_id: str) -> None:
    """For a DRIVER (tracking's ``DRIVER_OWN`` methods on a plan): NOT_FOUND unless ``plan_id`` is a plan
    published to drivers, from today on, with a route of his. Staff pass."""
    if not is_driver(who):
        return
    assert who.principal is not None
    try:
        plan = get_plan(stores, who.organization, plan_id)
    except NotFoundError:
        return  # the servicer answers NOT_FOUND itself
    driver = who.principal.driver
    if driver is None or plan.plan_date < today_jst() or not _drives(plan, driver):
        context.abort(grpc.StatusCode.NOT_FOUND, f"計画が見つかりません / plan {plan_id!r} not found")


def check_own_vehicle(
    context: grpc.ServicerContext, stores: PlanStores, who: Caller, vehicle_id: str
) -> None:
    """For a DRIVER: PERMISSION_DENIED unless he drives ``vehicle_id`` today (a route of his on it in a
    plan published to drivers). Staff pass."""
    if not is_driver(who):
        return
    assert who.principal is not None
    driver = who.principal.driver
    plans, _ = list_plans(stores, who.organization, plan_date=today_jst(), page_size=1000)
    if driver is None or not any(
        r.vehicle_id == vehicle_id and r.driver_id == driver
        for p in plans if p.status in _VISIBLE_STATUSES for r in p.routes
    ):
        context.abort(grpc.StatusCode.PERMISSION_DENIED,
                      f"本日の担当車両ではありません / {vehicle_id!r} is not the vehicle you drive today")
