"""A tracking server (gRPC and the OsmAnd endpoint) on free ports over its own seeded database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import grpc
import psycopg
import pytest

from hakobu.tracking.v1 import tracking_pb2_grpc
from server.adapters.postgres.migrate import migrate
from server.adapters.postgres.seed import ORG_ID, seed
from server.bootstrap import RunningTracking, create_tracking_server
from tests.credentials import SETTINGS, Role, metadata_for
from tests.integration.db.conftest import create_database, drop_database


def metadata(
    org: str = ORG_ID, role: Role = Role.ADMIN, driver: str | None = None
) -> tuple[tuple[str, str], ...]:
    """The caller's credentials: a signed token of ``role`` in ``org``."""
    return metadata_for(org, role, driver=driver)


@dataclass
class Tracking:
    url: str
    running: RunningTracking
    stub: tracking_pb2_grpc.TrackingServiceStub

    @property
    def osmand(self) -> str:
        return f"http://127.0.0.1:{self.running.osmand_port}/"

    def rows(self, device: str) -> int:
        with psycopg.connect(self.url) as conn:
            row = conn.execute("SELECT count(*) FROM positions WHERE device_id = %s", (device,)).fetchone()
        assert row is not None
        return int(row[0])


@pytest.fixture(scope="module")
def tracking() -> Iterator[Tracking]:
    name, url = create_database()
    running = None
    try:
        migrate(url)
        seed(url)
        running = create_tracking_server("127.0.0.1:0", url, osmand_address="127.0.0.1:0", settings=SETTINGS)
        channel = grpc.insecure_channel(f"127.0.0.1:{running.port}")
        yield Tracking(url, running, tracking_pb2_grpc.TrackingServiceStub(channel))
        channel.close()
    finally:
        if running is not None:
            running.stop(1)
        drop_database(name)
