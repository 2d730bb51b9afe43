"""What identity needs from storage: users, API keys, and the denylist of revoked tokens."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Protocol

from server.identity.principal import Role


@dataclass(frozen=True)
class UserRecord:
    organization: str
    id: str
    login: str
    display_name: str
    role: Role
    email: str = ""
    branch: str | None = None
    driver: str | None = None
    password_hash: str = ""
    version: int = 1
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None


@dataclass(frozen=True)
class ApiKeyRecord:
    organization: str
    id: str
    display_name: str
    role: Role
    secret_hash: str = ""
    created_at: datetime.datetime | None = None
    revoked_at: datetime.datetime | None = None


class Users(Protocol):
    def by_login(self, organization: str, login: str) -> UserRecord | None: ...
    def get(self, organization: str, user_id: str) -> UserRecord | None: ...
    def list(self, organization: str, after: str, limit: int) -> list[UserRecord]: ...
    def create(self, user: UserRecord) -> UserRecord:
        """Raises :class:`~server.identity.errors.AlreadyExists` when the id or login is taken and
        :class:`~server.identity.errors.InvalidInput` when the branch or driver does not exist."""
        ...
    def update(self, user: UserRecord, fields: set[str]) -> UserRecord: ...
    def delete(self, organization: str, user_id: str) -> bool: ...
    def set_password_hash(self, organization: str, user_id: str, password_hash: str) -> bool: ...


class ApiKeys(Protocol):
    def create(self, key: ApiKeyRecord) -> ApiKeyRecord: ...
    def get(self, key_id: str) -> ApiKeyRecord | None:
        """The key with this id in any organization (ids are globally unique), revoked ones too."""
        ...
    def list(self, organization: str, after: str, limit: int) -> list[ApiKeyRecord]: ...
    def revoke(self, organization: str, key_id: str) -> bool: ...


class Denylist(Protocol):
    """Revoked access tokens by id, each kept until the token would have expired anyway."""

    def revoke(self, token_id: str, expires_at: float) -> None: ...
    def is_revoked(self, token_id: str) -> bool: ...
