"""OrganizationService end to end: a server built like production's (port 0) over a fresh, migrated
PostgreSQL (``stub``), and two callers of new organizations (``a`` and ``b``)."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest

from hakobu.fleet.v1 import fleet_pb2 as pb
from hakobu.fleet.v1 import fleet_pb2_grpc
from server.adapters.postgres.database import Database
from server.entrypoints.grpc.organization import OrganizationServicer
from server.platform.grpc import Service, build_server, service_name
from tests.credentials import authenticate
from tests.e2e.fleet.client import Client, Stub
from tests.integration.db.conftest import db_url, new_org  # noqa: F401  (db_url is a fixture)


@pytest.fixture(scope="module")
def stub(db_url: str) -> Iterator[Stub]:  # noqa: F811  (the imported fixture)
    servicer = OrganizationServicer(Database(db_url))
    name = service_name(pb.DESCRIPTOR, "OrganizationService")
    built = build_server("127.0.0.1:0", [
        Service(name, fleet_pb2_grpc.add_OrganizationServiceServicer_to_server, servicer),
    ], authenticate=authenticate())
    with grpc.insecure_channel(f"127.0.0.1:{built.port}") as channel:
        yield Stub(channel)
    built.server.stop(None)


@pytest.fixture
def a(stub: Stub, db_url: str) -> Client:  # noqa: F811
    return Client(stub, new_org(db_url))


@pytest.fixture
def b(stub: Stub, db_url: str) -> Client:  # noqa: F811
    return Client(stub, new_org(db_url))
