"""A migrated test database (tests/integration/db fixtures) with a published demo day, for the live half."""

from __future__ import annotations

from tests.integration.db.conftest import db_url, other_org  # noqa: F401  (fixtures)
