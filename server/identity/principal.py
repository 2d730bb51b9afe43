"""Roles and the principal a credential names."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Role(enum.StrEnum):
    """What a user (or an API key) may do; see :mod:`server.identity.policy`."""

    ADMIN = "ADMIN"
    DISPATCHER = "DISPATCHER"
    DRIVER = "DRIVER"


class Kind(enum.StrEnum):
    USER = "user"
    API_KEY = "api_key"
    #: One of Hakobu's own services calling another (e.g. plans → optimizer): trusted with every method
    #: and the only credential whose call may name its organization in ``x-hakobu-organization``.
    SERVICE = "service"


@dataclass(frozen=True)
class Principal:
    """Who a call comes from, as its credential says."""

    organization: str
    #: User id (``U-002``), API key id, or the service's name.
    subject: str
    role: Role | None
    kind: Kind = Kind.USER
    branches: tuple[str, ...] = ()
    #: For a DRIVER: his driver id (``D-001``), whose routes and vehicle he may see.
    driver: str | None = None
    vehicle: str | None = None
    #: The access token's id and expiry (seconds since the epoch), for sign-out.
    token_id: str | None = None
    expires_at: float | None = None
    login: str = ""
    display_name: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def user(self) -> str | None:
        """The user id recorded as who changed something (None for API keys and services)."""
        return self.subject if self.kind is Kind.USER else None
