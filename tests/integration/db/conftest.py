"""A fresh, migrated PostgreSQL database per test run on the local server (127.0.0.1:5432, user postgres)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from server.adapters.postgres.database import close_pool
from server.adapters.postgres.migrate import migrate
from server.adapters.postgres.repository import Database, Repositories

ADMIN_URL = os.environ.get("HAKOBU_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _admin() -> psycopg.Connection:
    try:
        return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {ADMIN_URL} (set HAKOBU_TEST_PG_ADMIN_URL): {exc}")


def _url_for(name: str) -> str:
    base, _, _ = ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


def create_database() -> tuple[str, str]:
    """Create an empty database ``hakobu_test_<random>``; return (name, url)."""
    name = f"hakobu_test_{uuid.uuid4().hex[:12]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, _url_for(name)


def drop_database(name: str) -> None:
    close_pool(_url_for(name))  # no pooled connection left to reconnect to a dropped database
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_db_url() -> Iterator[str]:
    name, url = create_database()
    yield url
    drop_database(name)


@pytest.fixture(scope="session")
def db_url() -> Iterator[str]:
    name, url = create_database()
    try:
        migrate(url)
        yield url
    finally:
        drop_database(name)


@pytest.fixture(scope="session")
def repos(db_url: str) -> Repositories:
    return Repositories(Database(db_url))


def new_org(db_url: str) -> str:
    """Insert a new organization with a random id and return the id."""
    org = f"ORG-{uuid.uuid4().hex[:10]}"
    with psycopg.connect(db_url) as conn:
        conn.execute(
            "INSERT INTO organizations (id, code, name) VALUES (%s, %s, %s)", (org, org, f"会社 {org}")
        )
    return org


@pytest.fixture
def org(db_url: str) -> str:
    return new_org(db_url)


@pytest.fixture
def other_org(db_url: str) -> str:
    return new_org(db_url)
