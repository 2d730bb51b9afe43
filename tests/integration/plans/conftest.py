"""A fresh migrated test database (the fixtures of tests/integration/db) seeded with the demo data."""

from __future__ import annotations

from tests.integration.db.conftest import db_url, other_org  # noqa: F401  (fixtures)
