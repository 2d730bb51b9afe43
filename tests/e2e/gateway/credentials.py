"""The one place that says how a test calls the gateway as a user of an organization: a bearer token
signed with the test key (``tests/credentials.py``), which the gateway passes on to the services."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.credentials import Role, token_for


@dataclass(frozen=True)
class Credentials:
    organization: str
    #: HTTP headers a client of the gateway sends.
    headers: dict[str, str] = field(default_factory=dict)
    #: Metadata the test gateway adds to every backend call (none: the token is the credential).
    static_metadata: tuple[tuple[str, str], ...] = ()


def credentials_for(organization: str, role: Role = Role.DISPATCHER) -> Credentials:
    return Credentials(organization, {"authorization": f"Bearer {token_for(organization, role)}"})
