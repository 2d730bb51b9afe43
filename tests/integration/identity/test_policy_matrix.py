"""The access policy over EVERY RPC of EVERY service × {no credential, wrong organization, each role},
against real in-process servers (optimizer + plans/identity) on a real PostgreSQL database.

The RPCs come from the generated descriptors of every ``hakobu.*`` package, not from a list: a new RPC
without an entry in ``server.identity.policy.POLICY`` fails ``test_every_rpc_has_a_policy_entry``, and
one that is served here is called under every credential. Requests name resources of organization A
(the path variables of the RPC's google.api.http rule, with ``*`` filled in), so the "wrong
organization" caller (an ADMIN of B) must get PERMISSION_DENIED exactly for the RPCs whose path names an
organization. A DRIVER on a ``DRIVER_OWN`` RPC may be refused for not being his data (the requests name
nothing of his); what he does see is tested with the services (tests/e2e/tracking/test_driver_access.py,
tests/e2e/test_plans_grpc.py).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass

import grpc
import pytest
from google.api import annotations_pb2
from google.longrunning import operations_pb2
from google.protobuf import message_factory
from google.protobuf.descriptor import MethodDescriptor

import hakobu
from server.bootstrap import (
    create_optimizer_server,
    create_plans_server,
    create_reports_server,
    create_tracking_server,
)
from server.identity import policy
from server.identity.principal import Role
from tests.credentials import metadata_for, settings
from tests.integration.db.conftest import db_url, new_org  # noqa: F401  (db_url is a fixture)

DENIED = {grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED}


def _api_methods() -> list[MethodDescriptor]:
    names = [m.name for m in pkgutil.walk_packages(hakobu.__path__, "hakobu.") if m.name.endswith("_pb2")]
    out = []
    for name in sorted(names):
        for service in importlib.import_module(name).DESCRIPTOR.services_by_name.values():
            out.extend(service.methods)
    return out


def _full(method: MethodDescriptor) -> str:
    return f"/{method.containing_service.full_name}/{method.name}"


#: Every RPC of the API, plus google.longrunning.Operations (served by the optimizer and by plans).
METHODS = [*_api_methods(), *operations_pb2.DESCRIPTOR.services_by_name["Operations"].methods]


def test_every_rpc_has_a_policy_entry() -> None:
    missing = [_full(m) for m in METHODS if policy.rule_for(_full(m)) is None]
    assert not missing, "add these to POLICY in server/identity/policy.py: " + ", ".join(missing)


def test_the_table_names_no_rpc_that_does_not_exist() -> None:
    known = {_full(m) for m in METHODS}
    assert not [m for m in policy.POLICY if m not in known]


# ---------------------------------------------------------------- calling every served RPC


@dataclass
class Servers:
    channels: dict[str, grpc.Channel]  # service full name -> channel
    a: str  # the organization whose names the requests carry
    b: str  # another organization


@pytest.fixture(scope="module")
def servers(db_url: str) -> Iterator[Servers]:  # noqa: F811
    s = settings()
    optimizer = create_optimizer_server("127.0.0.1:0", workers=0, settings=s)
    plans = create_plans_server("127.0.0.1:0", db_url, f"127.0.0.1:{optimizer.port}", settings=s)
    tracking = create_tracking_server("127.0.0.1:0", db_url, settings=s)
    to_optimizer = grpc.insecure_channel(f"127.0.0.1:{optimizer.port}")
    to_plans = grpc.insecure_channel(f"127.0.0.1:{plans.port}")
    to_tracking = grpc.insecure_channel(f"127.0.0.1:{tracking.port}")
    reports = create_reports_server("127.0.0.1:0", db_url, settings=s)
    to_reports = grpc.insecure_channel(f"127.0.0.1:{reports.port}")
    channels = {
        "hakobu.optimizer.v1.OptimizerService": to_optimizer,
        "hakobu.geo.v1.GeoService": to_optimizer,
        "google.longrunning.Operations": to_plans,
        "hakobu.fleet.v1.OrganizationService": to_plans,
        "hakobu.plans.v1.PlanService": to_plans,
        "hakobu.identity.v1.AuthService": to_plans,
        "hakobu.identity.v1.UserService": to_plans,
        "hakobu.identity.v1.ApiKeyService": to_plans,
        "hakobu.tracking.v1.TrackingService": to_tracking,
        "hakobu.reports.v1.ReportService": to_reports,
    }
    try:
        yield Servers(channels, new_org(db_url), new_org(db_url))
    finally:
        for channel in (to_optimizer, to_plans, to_tracking, to_reports):
            channel.close()
        tracking.stop(0)
        reports.stop(0)
        plans.stop(0)
        optimizer.stop(0)


def _http_path(method: MethodDescriptor) -> tuple[str, str] | None:
    """(field path, pattern) of the first path variable naming an organization's resource, or None."""
    options = method.GetOptions()
    if not options.HasExtension(annotations_pb2.http):
        return None
    rule = options.Extensions[annotations_pb2.http]
    path = getattr(rule, rule.WhichOneof("pattern"))
    for field, pattern in re.findall(r"\{([^}=]+)=([^}]*)\}", path):
        if pattern.startswith("organizations/"):
            return field, pattern
    return None


def _request(method: MethodDescriptor, org: str) -> object:
    """The RPC's request, its organization path variable (if any) naming a resource of ``org``."""
    request = message_factory.GetMessageClass(method.input_type)()
    found = _http_path(method)
    if found is not None:
        field, pattern = found
        parts = pattern.split("/")
        value = "/".join(org if i == 1 else ("nothing-here" if p == "*" else p) for i, p in enumerate(parts))
        target = request
        *parents, last = field.split(".")
        for name in parents:
            target = getattr(target, name)
        setattr(target, last, value)
    return request


def _call(channel: grpc.Channel, method: MethodDescriptor, request: object,
          md: tuple[tuple[str, str], ...]) -> grpc.StatusCode:
    """The status code of one call (OK when it succeeds)."""
    path = _full(method)
    ser, de = (lambda m: m.SerializeToString()), (lambda b: b)
    try:
        if method.client_streaming and method.server_streaming:
            list(channel.stream_stream(path, ser, de)(iter([request]), metadata=md, timeout=20))
        elif method.client_streaming:
            channel.stream_unary(path, ser, de)(iter([request]), metadata=md, timeout=20)
        elif method.server_streaming:
            list(channel.unary_stream(path, ser, de)(request, metadata=md, timeout=20))
        else:
            channel.unary_unary(path, ser, de)(request, metadata=md, timeout=20)
    except grpc.RpcError as err:
        return err.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


def _allowed(method: MethodDescriptor, role: Role) -> bool:
    rule = policy.rule_for(_full(method))
    assert rule is not None
    return rule.public or rule.signed_in or role in rule.roles


#: Services with no server in this repository yet: only their policy entries are checked above. When
#: one gets a server, remove it here and add its channel to the ``servers`` fixture.
NOT_SERVED_YET: set[str] = set()
SERVED = [m for m in METHODS if m.containing_service.full_name not in NOT_SERVED_YET]


@pytest.mark.parametrize("method", SERVED, ids=_full)
def test_every_credential_gets_what_the_policy_says(servers: Servers, method: MethodDescriptor) -> None:
    channel = servers.channels.get(method.containing_service.full_name)
    assert channel is not None, f"{method.containing_service.full_name} is served by no test server: add it"
    rule = policy.rule_for(_full(method))
    assert rule is not None
    request = _request(method, servers.a)
    got: dict[str, grpc.StatusCode] = {}

    got["none"] = _call(channel, method, request, ())
    for role in Role:
        got[role.value] = _call(channel, method, request, metadata_for(servers.a, role))
    got["other org"] = _call(channel, method, request, metadata_for(servers.b, Role.ADMIN))

    problems = []
    if rule.public:
        problems += [f"{k}: {v.name}" for k, v in got.items() if v in DENIED]
    else:
        if got["none"] is not grpc.StatusCode.UNAUTHENTICATED:
            problems.append(f"no credential: {got['none'].name}, want UNAUTHENTICATED")
        for role in Role:
            code = got[role.value]
            narrowed = rule.own and role is Role.DRIVER  # his own data only: another vehicle is refused
            refused_as_not_his = narrowed and code is grpc.StatusCode.PERMISSION_DENIED
            if _allowed(method, role) and code in DENIED and not refused_as_not_his:
                problems.append(f"{role.value}: {code.name}, but the policy allows it")
            if not _allowed(method, role) and code is not grpc.StatusCode.PERMISSION_DENIED:
                problems.append(f"{role.value}: {code.name}, want PERMISSION_DENIED")
        other = got["other org"]
        if _http_path(method) is not None and other is not grpc.StatusCode.PERMISSION_DENIED:
            problems.append(f"an ADMIN of another organization: {other.name}, want PERMISSION_DENIED")
        if _http_path(method) is None and other in DENIED:
            problems.append(f"an ADMIN of another organization: {other.name} (naming no organization)")
    assert not problems, f"{_full(method)}: " + "; ".join(problems)


def test_what_the_issue_asks_of_the_roles() -> None:
    """The roles as the issue states them, independently of how the table is written."""
    def allowed(method: str, role: Role) -> bool:
        rule = policy.rule_for(method)
        return rule is not None and (rule.public or rule.signed_in or role in rule.roles)

    assert allowed("/hakobu.identity.v1.UserService/CreateUser", Role.ADMIN)
    assert not allowed("/hakobu.identity.v1.UserService/CreateUser", Role.DISPATCHER)
    assert not allowed("/hakobu.identity.v1.ApiKeyService/CreateApiKey", Role.DISPATCHER)
    assert allowed("/hakobu.fleet.v1.OrganizationService/CreateVehicle", Role.ADMIN)
    assert not allowed("/hakobu.fleet.v1.OrganizationService/CreateVehicle", Role.DISPATCHER)
    for verb in ("OptimizePlan", "EditPlan", "PublishPlan"):
        assert allowed(f"/hakobu.plans.v1.PlanService/{verb}", Role.DISPATCHER)
        assert not allowed(f"/hakobu.plans.v1.PlanService/{verb}", Role.DRIVER)
    assert not allowed("/hakobu.optimizer.v1.OptimizerService/Optimize", Role.DRIVER)
    assert allowed("/hakobu.identity.v1.AuthService/Login", Role.DRIVER)
