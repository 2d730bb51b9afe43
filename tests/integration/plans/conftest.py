"""A fresh migrated test database (the fixtures of tests/integration/db) seeded with the demo data."""

from __future__ import annotations

import datetime
import uuid

from server.adapters.postgres.database import Database
from server.adapters.postgres.master_data import PgMasterData
from server.adapters.postgres.plans import PgPlans
from server.adapters.postgres.seed import seed
from server.jst import tomorrow
from server.plans.ports import PlanStores
from tests.integration.db.conftest import db_url, other_org  # noqa: F401  (fixtures)


def stores_for(url: str) -> PlanStores:
    """The plans ports over the PostgreSQL database at ``url``."""
    db = Database(url)
    return PlanStores(PgMasterData(db), PgPlans(db))


def seeded_org(url: str, day: datetime.date | None = None) -> tuple[str, datetime.date]:
    """A new organization of its own holding the demo data (Nerima orders on ``day``, default tomorrow)."""
    org = f"ORG-{uuid.uuid4().hex[:10]}"
    day = day or tomorrow()
    seed(url, day, organization=org)
    return org, day
