"""``hakobu users`` and ``hakobu apikeys`` as an operator runs them, on a real PostgreSQL database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from server.adapters.postgres.database import Database
from server.adapters.postgres.identity import PgApiKeys, PgUsers
from server.adapters.postgres.seed import seed, tomorrow
from server.identity.accounts import login
from server.identity.authenticate import Authenticator
from server.identity.principal import Role
from tests.credentials import authenticator
from tests.integration.db.conftest import db_url  # noqa: F401  (fixture)


def hakobu(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "server.entrypoints.cli", *args]
    env = {**os.environ, "DATABASE_URL": url, "HAKOBU_LOG_LEVEL": "WARNING"}
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=120, check=False, env=env)


def test_users_create_set_password_and_list(db_url: str) -> None:  # noqa: F811
    org = f"ORG-{uuid.uuid4().hex[:8]}"
    seed(db_url, tomorrow(), organization=org)
    made = hakobu(db_url, "users", "create", "dispatcher09", "--organization", org, "--role", "DISPATCHER",
                  "--name", "配車担当Z", "--id", "U-900", "--branch", "BR-001", "--password-stdin",
                  stdin="first-password\n")
    assert made.returncode == 0, made.stderr
    assert f"organizations/{org}/users/U-900" in made.stdout
    changed = hakobu(db_url, "users", "set-password", "dispatcher01", "--organization", org,
                     "--password-stdin", stdin="dispatcher-password\n")
    assert changed.returncode == 0, changed.stderr
    db = Database(db_url)
    try:
        users, auth = PgUsers(db), authenticator()
        for who, password in (("dispatcher09", "first-password"), ("dispatcher01", "dispatcher-password")):
            token = login(users, auth.issuer, org, who, password).token
            assert auth.principal({"authorization": f"Bearer {token}"}) is not None
    finally:
        db.close()
    listed = hakobu(db_url, "users", "list", "--organization", org)
    assert listed.returncode == 0, listed.stderr
    assert {"admin", "dispatcher01", "driver01", "dispatcher09"} <= set(listed.stdout.split())
    short = hakobu(db_url, "users", "set-password", "admin", "--organization", org, "--password-stdin",
                   stdin="short\n")
    assert short.returncode == 1 and "8" in short.stderr
    nobody = hakobu(db_url, "users", "set-password", "nobody", "--organization", org, "--password-stdin",
                    stdin="long-enough-pw\n")
    assert nobody.returncode == 1 and "nobody" in nobody.stderr


def test_apikeys_create_list_revoke(db_url: str) -> None:  # noqa: F811
    org = f"ORG-{uuid.uuid4().hex[:8]}"
    seed(db_url, tomorrow(), organization=org)
    made = hakobu(db_url, "apikeys", "create", "--organization", org, "--name", "配車システム")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    assert key.startswith("hk_")
    db = Database(db_url)
    try:
        auth = Authenticator(authenticator().issuer, authenticator().denylist, PgApiKeys(db), None)
        who = auth.principal({"x-api-key": key})
        assert who is not None and (who.organization, who.role) == (org, Role.DISPATCHER)
        key_id = key.split("_")[1]
        listed = hakobu(db_url, "apikeys", "list", "--organization", org)
        assert key_id in listed.stdout and key.split("_", 2)[2] not in listed.stdout
        assert hakobu(db_url, "apikeys", "revoke", key_id, "--organization", org).returncode == 0
        assert PgApiKeys(db).get(key_id).revoked_at is not None  # type: ignore[union-attr]
        assert hakobu(db_url, "apikeys", "revoke", "nope", "--organization", org).returncode == 1
    finally:
        db.close()
