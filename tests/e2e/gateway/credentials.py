"""The one place that says how a test calls the gateway as a user of an organization.

Until the services authenticate tokens, the services read the organization from ``x-hakobu-organization``,
which the gateway never takes from a client: the test gateway is built with that metadata instead
(``static_metadata``) and the client sends no credential. Switching to sign-in tokens changes only this
module (headers carry ``authorization: Bearer …``, ``static_metadata`` becomes empty).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ORG_HEADER = "x-hakobu-organization"


@dataclass(frozen=True)
class Credentials:
    organization: str
    #: HTTP headers a client of the gateway sends.
    headers: dict[str, str] = field(default_factory=dict)
    #: Metadata the test gateway adds to every backend call.
    static_metadata: tuple[tuple[str, str], ...] = ()


def credentials_for(organization: str) -> Credentials:
    return Credentials(organization, {}, ((ORG_HEADER, organization),))
