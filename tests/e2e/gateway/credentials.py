"""The one place that says how a test calls the gateway as a user of an organization.

The client sends ``authorization: Bearer <token>`` (a DISPATCHER's token signed with the test key, as
``AuthService.Login`` would issue it; the backends run with ``tests.credentials.SETTINGS``), which the
gateway forwards; the test gateway adds no metadata of its own (``static_metadata`` stays empty).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.credentials import Role, token_for

ORG_HEADER = "x-hakobu-organization"


@dataclass(frozen=True)
class Credentials:
    organization: str
    #: HTTP headers a client of the gateway sends.
    headers: dict[str, str] = field(default_factory=dict)
    #: Metadata the test gateway adds to every backend call.
    static_metadata: tuple[tuple[str, str], ...] = ()


def credentials_for(organization: str, role: Role = Role.ADMIN) -> Credentials:
    """An ADMIN of ``organization`` by default (the tests create master data too)."""
    return Credentials(organization, {"authorization": f"Bearer {token_for(organization, role)}"}, ())
