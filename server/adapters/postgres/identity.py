"""Users and API keys over PostgreSQL (implements ``server.identity.ports.Users`` and ``ApiKeys``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from psycopg import sql

from server.adapters.postgres.database import Database, mapped_errors
from server.identity.ports import ApiKeyRecord, UserRecord
from server.identity.principal import Role

#: UserRecord field -> column, for the fields an update may change.
_USER_COLUMNS = {
    "login": "login_id", "display_name": "name", "email": "email", "role": "role", "branch": "branch_id",
    "driver": "driver_id",
}


def _user(row: dict[str, Any]) -> UserRecord:
    role = row["role"]
    return UserRecord(
        organization=row["organization_id"], id=row["id"], login=row["login_id"], display_name=row["name"],
        role=Role(role) if role in Role.__members__ else Role.DRIVER, email=row["email"],
        branch=row["branch_id"], driver=row["driver_id"], password_hash=row["password_hash"],
        version=row["version"], created_at=row["created_at"], updated_at=row["updated_at"],
    )


def _key(row: dict[str, Any]) -> ApiKeyRecord:
    return ApiKeyRecord(
        organization=row["organization_id"], id=row["id"], display_name=row["display_name"],
        role=Role(row["role"]), secret_hash=row["secret_hash"], created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )


class PgUsers:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _one(self, query: str, params: tuple[Any, ...]) -> UserRecord | None:
        with self.db.transaction() as conn:
            row = conn.execute(query, params).fetchone()
        return None if row is None else _user(row)

    def by_login(self, organization: str, login: str) -> UserRecord | None:
        return self._one("SELECT * FROM users WHERE organization_id = %s AND login_id = %s",
                         (organization, login))

    def get(self, organization: str, user_id: str) -> UserRecord | None:
        return self._one("SELECT * FROM users WHERE organization_id = %s AND id = %s",
                         (organization, user_id))

    def list(self, organization: str, after: str, limit: int) -> list[UserRecord]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM users WHERE organization_id = %s AND id > %s ORDER BY id LIMIT %s",
                (organization, after, limit),
            ).fetchall()
        return [_user(r) for r in rows]

    def create(self, user: UserRecord) -> UserRecord:
        with mapped_errors(), self.db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO users (organization_id, id, branch_id, login_id, password_hash, name, email,"
                " role, driver_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING *",
                (user.organization, user.id, user.branch, user.login, user.password_hash, user.display_name,
                 user.email, user.role.value, user.driver),
            ).fetchone()
        assert row is not None
        return _user(row)

    def update(self, user: UserRecord, fields: set[str]) -> UserRecord:
        values = {_USER_COLUMNS[f]: getattr(user, f) for f in sorted(fields) if f in _USER_COLUMNS}
        values = {k: (v.value if isinstance(v, Role) else v) for k, v in values.items()}
        assignments = [sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder(c)) for c in values]
        assignments += [sql.SQL("version = version + 1"), sql.SQL("updated_at = now()")]
        query = sql.SQL("UPDATE users SET {} WHERE organization_id = {} AND id = {} RETURNING *").format(
            sql.SQL(", ").join(assignments), sql.Placeholder("_org"), sql.Placeholder("_id"))
        with mapped_errors(), self.db.transaction() as conn:
            row = conn.execute(query, {**values, "_org": user.organization, "_id": user.id}).fetchone()
        if row is None:
            from server.identity.errors import NotFound

            raise NotFound(f"利用者が見つかりません / user {user.id!r} not found")
        return _user(row)

    def delete(self, organization: str, user_id: str) -> bool:
        with mapped_errors(), self.db.transaction() as conn:
            return conn.execute("DELETE FROM users WHERE organization_id = %s AND id = %s",
                                (organization, user_id)).rowcount > 0

    def set_password_hash(self, organization: str, user_id: str, password_hash: str) -> bool:
        with self.db.transaction() as conn:
            return conn.execute(
                "UPDATE users SET password_hash = %s, version = version + 1, updated_at = now() "
                "WHERE organization_id = %s AND id = %s", (password_hash, organization, user_id),
            ).rowcount > 0


class PgApiKeys:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, key: ApiKeyRecord) -> ApiKeyRecord:
        with mapped_errors(), self.db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO api_keys (organization_id, id, display_name, role, secret_hash) "
                "VALUES (%s, %s, %s, %s, %s) RETURNING *",
                (key.organization, key.id, key.display_name, key.role.value, key.secret_hash),
            ).fetchone()
        assert row is not None
        return _key(row)

    def get(self, key_id: str) -> ApiKeyRecord | None:
        row = self.db.read_one("SELECT * FROM api_keys WHERE id = %s", (key_id,))  # one round trip a call
        return None if row is None else _key(row)

    def list(self, organization: str, after: str, limit: int) -> list[ApiKeyRecord]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM api_keys WHERE organization_id = %s AND id > %s ORDER BY id LIMIT %s",
                (organization, after, limit),
            ).fetchall()
        return [dataclasses.replace(_key(r), secret_hash="") for r in rows]

    def revoke(self, organization: str, key_id: str) -> bool:
        with self.db.transaction() as conn:
            return conn.execute(
                "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) "
                "WHERE organization_id = %s AND id = %s", (organization, key_id),
            ).rowcount > 0
