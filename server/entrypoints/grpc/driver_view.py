"""What a DRIVER sees of plans (``DRIVER_OWN`` in ``server.identity.policy``): only plans published to
drivers (PUBLISHED, IN_PROGRESS, DONE) from today (Japan time) on, and of each only his own routes;
nothing at all of a plan without one of his routes."""

from __future__ import annotations

from hakobu.plans.v1 import plans_pb2 as pb
from server.entrypoints.grpc.context import Caller
from server.entrypoints.grpc.wellknown import date_from_proto
from server.identity.principal import Role
from server.jst import today_jst

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
