"""A live gateway in front of real in-process gRPC servers (optimizer, plans, tracking) on a real
PostgreSQL database seeded with the demo day."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from gateway.app import create_app
from gateway.server import RunningGateway
from server.adapters.postgres.migrate import migrate
from server.adapters.postgres.seed import ORG_ID, seed, tomorrow
from server.bootstrap import create_optimizer_server, create_plans_server, create_tracking_server
from server.platform.settings import Settings
from tests.credentials import SETTINGS
from tests.e2e.gateway.credentials import Credentials, credentials_for
from tests.integration.db.conftest import create_database, drop_database


@dataclass
class Live:
    settings: Settings
    day: datetime.date
    creds: Credentials
    url: str

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.creds.headers, timeout=120, **kwargs)  # type: ignore[arg-type]

    def gateway(self, **overrides: object) -> RunningGateway:
        """Another gateway on the same backends, with some settings changed (e.g. a small rate limit)."""
        settings = dataclasses.replace(self.settings, **overrides)  # type: ignore[arg-type]
        app = create_app(settings, static_metadata=self.creds.static_metadata)
        return RunningGateway(app, trusted_proxies=settings.gateway_trusted_proxies).start()


@pytest.fixture(scope="package")
def live() -> Iterator[Live]:
    name, db = create_database()
    optimizer = create_optimizer_server("127.0.0.1:0", workers=0, settings=SETTINGS)
    plans = None
    tracking = None
    gateway = None
    try:
        migrate(db)
        day = tomorrow()
        seed(db, day)
        target = f"127.0.0.1:{optimizer.port}"
        plans = create_plans_server("127.0.0.1:0", db, target, settings=SETTINGS)
        tracking = create_tracking_server("127.0.0.1:0", db, settings=SETTINGS)
        settings = dataclasses.replace(SETTINGS, optimizer_target=target, database_url=db,
                                       plans_target=f"127.0.0.1:{plans.port}",
                                       tracking_target=f"127.0.0.1:{tracking.port}")
        creds = credentials_for(ORG_ID)
        gateway = RunningGateway(create_app(settings, static_metadata=creds.static_metadata)).start()
        yield Live(settings, day, creds, gateway.url)
    finally:
        if gateway is not None:
            gateway.stop()
        if tracking is not None:
            tracking.stop()
        if plans is not None:
            plans.stop()
        optimizer.stop()
        drop_database(name)
