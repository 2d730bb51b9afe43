"""A migrated database of its own for the tracking tests, organizations with vehicles and devices, and
the db fixtures (a migrated test database with the demo data) for the live half."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from server.adapters.postgres.migrate import migrate
from tests.integration.db.conftest import (  # noqa: F401  (db_url, other_org: fixtures)
    create_database,
    db_url,
    drop_database,
    new_org,
    other_org,
)


@pytest.fixture(scope="session")
def tracking_db_url() -> Iterator[str]:
    name, url = create_database()
    try:
        migrate(url)
        yield url
    finally:
        drop_database(name)


def org_with_vehicles(url: str, vehicles: tuple[str, ...] = ("V-001", "V-002")) -> str:
    """A new organization with one branch and the given vehicles; returns its id."""
    org = new_org(url)
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO branches (organization_id, id, code, name, latitude, longitude) "
            "VALUES (%s, 'BR-1', 'BR-1', '本店', 35.68, 139.76)", (org,)
        )
        for v in vehicles:
            conn.execute(
                "INSERT INTO vehicles (organization_id, id, branch_id, registration_number, vehicle_class, "
                "payload_kg) VALUES (%s, %s, 'BR-1', %s, 'SMALL', 2000)", (org, v, f"品川 {v}")
            )
    return org


def unique_id(prefix: str = "dev") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"
