"""Property tests: hypothesis builds random requests, valid and invalid, for every RPC and stored resource.

Examples are bounded and derandomized (a fixed seed) so CI is fast and repeatable; the profile comes from
``HAKOBU_HYPOTHESIS_PROFILE``: ``ci`` (the default) or ``long`` (many more examples, for a measured run).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import grpc
import pytest
from google.protobuf.descriptor import Descriptor
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from hypothesis import HealthCheck, event, settings

from hakobu.fleet.v1 import fleet_pb2 as pb
from hakobu.fleet.v1 import fleet_pb2_grpc
from optimizer.service.errors import field_path_resolves
from server.adapters.postgres.database import Database
from server.adapters.postgres.master_data import PgMasterData
from server.adapters.postgres.plans import PgPlans
from server.entrypoints.grpc.organization import OrganizationServicer
from server.plans.ports import PlanStores
from server.platform.grpc import Service, build_server, service_name
from tests.credentials import authenticate
from tests.e2e.fleet.client import Client
from tests.integration.db.conftest import db_url, new_org  # noqa: F401  (db_url is a fixture)

_COMMON = dict(
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
settings.register_profile("ci", max_examples=30, **_COMMON)
settings.register_profile("long", max_examples=1000, **_COMMON)
settings.load_profile(os.environ.get("HAKOBU_HYPOTHESIS_PROFILE", "ci"))

#: Codes no input may ever produce: they mean the server failed, not the caller.
SERVER_FAULTS = (grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL)
_INDEX = re.compile(r"\[\d+\]")


def bad_fields(err: grpc.RpcError) -> list[str]:
    """The field paths of the google.rpc.BadRequest an error carries (none if it carries none)."""
    status = rpc_status.from_call(err)  # type: ignore[arg-type]
    out: list[str] = []
    for detail in status.details if status is not None else ():
        br = error_details_pb2.BadRequest()
        if detail.Unpack(br):
            out += [v.field for v in br.field_violations]
    return out


def check_error(err: grpc.RpcError, request: Descriptor) -> None:
    """The properties of every error: no server fault, and each BadRequest path resolves in ``request``."""
    paths = bad_fields(err)
    first = _INDEX.sub("[]", paths[0]) if paths else ""
    event(f"refused: {err.code().name} {first}".rstrip())
    assert err.code() not in SERVER_FAULTS, f"{err.code()}: {err.details()}"
    for path in paths:
        assert field_path_resolves(request, path), f"{path!r} does not resolve in {request.full_name}"


@pytest.fixture(scope="module")
def client(db_url: str) -> Iterator[Client]:  # noqa: F811  (the imported fixture)
    """An OrganizationService in process (port 0) and a caller of a new organization with a truck."""
    db = Database(db_url)
    servicer = OrganizationServicer(db)
    name = service_name(pb.DESCRIPTOR, "OrganizationService")
    built = build_server(
        "127.0.0.1:0",
        [
            Service(name, fleet_pb2_grpc.add_OrganizationServiceServicer_to_server, servicer),
        ],
        authenticate=authenticate(),
    )
    with grpc.insecure_channel(f"127.0.0.1:{built.port}") as channel:
        c = Client(fleet_pb2_grpc.OrganizationServiceStub(channel), new_org(db_url))
        c.create("vehicle", c.sample("vehicle"))  # a day needs a truck to be a problem at all
        yield c
    built.server.stop(None)
    db.close()


@pytest.fixture(scope="module")
def stores(db_url: str) -> Iterator[PlanStores]:  # noqa: F811
    """The plans ports over the same database: one pool for the whole module."""
    db = Database(db_url)
    yield PlanStores(PgMasterData(db), PgPlans(db))
    db.close()
