"""THE policy: for every RPC of every Hakobu service, who may call it. One table, :data:`POLICY`.

Adding a method or a service means adding ONE line per RPC below, keyed by the full method name as gRPC
sends it (``/package.Service/Method``), e.g.::

    "/hakobu.tracking.v1.TrackingService/ReportPositions": DRIVER_OWN,

A method without an entry is refused for everyone (PERMISSION_DENIED), and the policy test
(``tests/integration/identity/test_policy_matrix.py``) fails for every RPC of every proto without an entry.

Rules:

* :data:`PUBLIC` — no credential needed (sign-in, health checking, reflection).
* :data:`SIGNED_IN` — any valid credential, any role.
* :data:`ADMIN_ONLY`, :data:`STAFF` (ADMIN and DISPATCHER), :data:`EVERYONE` (all three roles) — role sets.
* :data:`DRIVER_OWN` — ADMIN and DISPATCHER; and DRIVER, for his own vehicle's / routes' data only: the
  servicer narrows a DRIVER's call to ``Principal.driver`` / ``Principal.vehicle`` (``Rule.own``).

Hakobu's own services (a SERVICE credential) may call every method that has an entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.identity.errors import PermissionDenied, Unauthenticated
from server.identity.principal import Kind, Principal, Role


@dataclass(frozen=True)
class Rule:
    #: Roles that may call; empty with ``public`` or ``signed_in``.
    roles: frozenset[Role] = frozenset()
    public: bool = False
    signed_in: bool = False
    #: A DRIVER may call it for his own data only (the servicer narrows the call).
    own: bool = False


PUBLIC = Rule(public=True)
SIGNED_IN = Rule(signed_in=True)
ADMIN_ONLY = Rule(frozenset({Role.ADMIN}))
STAFF = Rule(frozenset({Role.ADMIN, Role.DISPATCHER}))
EVERYONE = Rule(frozenset(Role))
DRIVER_OWN = Rule(frozenset(Role), own=True)

#: Services open to everyone, every method (standard health checking and reflection).
PUBLIC_SERVICES = frozenset({
    "grpc.health.v1.Health",
    "grpc.reflection.v1alpha.ServerReflection",
    "grpc.reflection.v1.ServerReflection",
})

_OPT = "/hakobu.optimizer.v1.OptimizerService/"
_GEO = "/hakobu.geo.v1.GeoService/"
_OPS = "/google.longrunning.Operations/"
_ORG = "/hakobu.fleet.v1.OrganizationService/"
_PLAN = "/hakobu.plans.v1.PlanService/"
_AUTH = "/hakobu.identity.v1.AuthService/"
_USER = "/hakobu.identity.v1.UserService/"
_KEY = "/hakobu.identity.v1.ApiKeyService/"
_TRK = "/hakobu.tracking.v1.TrackingService/"
_RPT = "/hakobu.reports.v1.ReportService/"

POLICY: dict[str, Rule] = {
    # sign-in
    _AUTH + "Login": PUBLIC,
    _AUTH + "Logout": SIGNED_IN,
    _AUTH + "GetCurrentUser": SIGNED_IN,
    # users and API keys: ADMIN manages them
    _USER + "GetUser": ADMIN_ONLY,
    _USER + "ListUsers": ADMIN_ONLY,
    _USER + "CreateUser": ADMIN_ONLY,
    _USER + "UpdateUser": ADMIN_ONLY,
    _USER + "DeleteUser": ADMIN_ONLY,
    _USER + "SetPassword": ADMIN_ONLY,
    _KEY + "CreateApiKey": ADMIN_ONLY,
    _KEY + "ListApiKeys": ADMIN_ONLY,
    _KEY + "DeleteApiKey": ADMIN_ONLY,
    # the optimizer and road data: dispatch work (dispatch systems call it with a DISPATCHER API key)
    _OPT + "Optimize": STAFF,
    _OPT + "StreamOptimize": STAFF,
    _OPT + "OptimizeLongRunning": STAFF,
    _OPT + "ValidatePlan": STAFF,
    _GEO + "ListGraphs": STAFF,
    _GEO + "ComputeMatrix": STAFF,
    _GEO + "ComputeRouteGeometry": STAFF,
    # long-running operations (of the optimizer and of plans)
    _OPS + "GetOperation": STAFF,
    _OPS + "ListOperations": STAFF,
    _OPS + "DeleteOperation": STAFF,
    _OPS + "CancelOperation": STAFF,
    _OPS + "WaitOperation": STAFF,
    # master data: staff read it, ADMIN changes it; orders (配送依頼) are dispatch work
    _ORG + "GetBranch": STAFF,
    _ORG + "ListBranches": STAFF,
    _ORG + "CreateBranch": ADMIN_ONLY,
    _ORG + "UpdateBranch": ADMIN_ONLY,
    _ORG + "DeleteBranch": ADMIN_ONLY,
    _ORG + "GetVehicle": STAFF,
    _ORG + "ListVehicles": STAFF,
    _ORG + "CreateVehicle": ADMIN_ONLY,
    _ORG + "UpdateVehicle": ADMIN_ONLY,
    _ORG + "DeleteVehicle": ADMIN_ONLY,
    _ORG + "GetDriver": STAFF,
    _ORG + "ListDrivers": STAFF,
    _ORG + "CreateDriver": ADMIN_ONLY,
    _ORG + "UpdateDriver": ADMIN_ONLY,
    _ORG + "DeleteDriver": ADMIN_ONLY,
    _ORG + "GetCustomer": STAFF,
    _ORG + "ListCustomers": STAFF,
    _ORG + "CreateCustomer": ADMIN_ONLY,
    _ORG + "UpdateCustomer": ADMIN_ONLY,
    _ORG + "DeleteCustomer": ADMIN_ONLY,
    _ORG + "GetOrder": STAFF,
    _ORG + "ListOrders": STAFF,
    _ORG + "CreateOrder": STAFF,
    _ORG + "UpdateOrder": STAFF,
    _ORG + "DeleteOrder": STAFF,
    _ORG + "ImportOrders": STAFF,
    # plans: dispatchers plan, edit and publish; a driver reads his own routes of published plans
    _PLAN + "GetPlan": DRIVER_OWN,
    _PLAN + "ListPlans": DRIVER_OWN,
    _PLAN + "ListPlanRevisions": STAFF,
    _PLAN + "OptimizePlan": STAFF,
    _PLAN + "EditPlan": STAFF,
    _PLAN + "PublishPlan": STAFF,
    _PLAN + "ReplanPlan": STAFF,
    _PLAN + "ComparePlans": STAFF,
    _PLAN + "DeletePlan": STAFF,
    _PLAN + "GetDriverDay": DRIVER_OWN,
    # tracking: drivers report for their own vehicle; staff watch the fleet; a consignee's link is open
    _TRK + "CreateDevice": ADMIN_ONLY,
    _TRK + "GetDevice": STAFF,
    _TRK + "ListDevices": STAFF,
    _TRK + "DeleteDevice": ADMIN_ONLY,
    _TRK + "ReportPositions": DRIVER_OWN,
    _TRK + "RecordStopEvent": DRIVER_OWN,
    _TRK + "ListStopEvents": DRIVER_OWN,
    _TRK + "GetVehicleState": DRIVER_OWN,
    _TRK + "ListVehicleStates": STAFF,
    _TRK + "StreamFleet": STAFF,
    _TRK + "GetTrack": STAFF,
    _TRK + "CreateTrackingLink": STAFF,
    _TRK + "GetShipmentTracking": PUBLIC,
    # reports: staff read the organization's; a DRIVER only his own 運転日報 (the servicer narrows it)
    _RPT + "GetDailyReport": STAFF,
    _RPT + "ListDrivingDiaries": DRIVER_OWN,
    _RPT + "GetDrivingDiary": DRIVER_OWN,
    _RPT + "CheckRules": STAFF,
    _RPT + "GetMonthlySummary": STAFF,
    _RPT + "ExportReport": DRIVER_OWN,
}


def rule_for(method: str) -> Rule | None:
    """The rule of a full method name (``/pkg.Service/Method``), or None when it has no entry."""
    service = method.lstrip("/").partition("/")[0]
    if service in PUBLIC_SERVICES:
        return PUBLIC
    return POLICY.get(method)


def is_public(method: str) -> bool:
    rule = rule_for(method)
    return rule is not None and rule.public


def check(method: str, who: Principal | None) -> Rule:
    """The rule that lets ``who`` (None: no credential) call ``method``; raises :class:`Unauthenticated`
    or :class:`PermissionDenied` otherwise."""
    rule = rule_for(method)
    if rule is not None and rule.public:
        return rule
    if who is None:
        raise Unauthenticated(
            "認証情報がありません / missing credentials: send 'authorization: Bearer <token>' "
            "(from AuthService.Login) or an API key"
        )
    if rule is None:
        raise PermissionDenied(f"この操作は許可されていません / {method} has no entry in the access policy")
    if who.kind is Kind.SERVICE or rule.signed_in or who.role in rule.roles:
        return rule
    role = who.role.value if who.role else "none"
    raise PermissionDenied(
        f"この操作を行う権限がありません（ロール {role}） / the role {role} may not call {method.lstrip('/')}"
    )
