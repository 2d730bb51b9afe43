"""THE way tests call Hakobu's gRPC services: credentials minted with the test signing key.

Start servers with ``settings=SETTINGS`` (or ``auth=authenticator()``, or ``build_server(...,
authenticate=authenticate())``) and call them with ``metadata=metadata_for(org)``::

    optimizer = create_optimizer_server("127.0.0.1:0", workers=0, settings=SETTINGS)
    stub.Optimize(request, metadata=metadata_for("ORG-001"))                   # a DISPATCHER
    stub.CreateBranch(request, metadata=metadata_for(org, role=Role.ADMIN))   # an ADMIN

``metadata_for`` signs a JWT exactly as ``AuthService.Login`` does (no database needed); pass
``key=b"…"`` to forge one, ``expires_in=-1`` for an expired one.
"""

from __future__ import annotations

import collections
import dataclasses
import time
from collections.abc import Sequence
from typing import Any

import grpc

from server.adapters.memory.identity import InProcessDenylist
from server.entrypoints.grpc.auth import authenticate_with
from server.identity.authenticate import Authenticator
from server.identity.ports import ApiKeys
from server.identity.principal import Kind, Principal, Role
from server.identity.tokens import TokenIssuer
from server.platform.grpc import Authenticate
from server.platform.settings import Settings

__all__ = [
    "SERVICE_TOKEN", "SETTINGS", "TEST_KEY", "Role", "authenticate", "authenticator", "channel",
    "metadata_for", "service_metadata", "token_for",
]

TEST_KEY = b"hakobu-test-signing-key-0123456789abcdef"
SERVICE_TOKEN = "hakobu-test-service-token-0123456789"
#: Settings of test servers: the test signing key and service token (nothing generated on disk).
SETTINGS = Settings(jwt_secret=TEST_KEY.decode(), service_token=SERVICE_TOKEN)
#: Environment of a ``hakobu serve …`` subprocess started by a test: the same key and service token.
SERVER_ENV = {"HAKOBU_JWT_SECRET": TEST_KEY.decode(), "HAKOBU_SERVICE_TOKEN": SERVICE_TOKEN}
#: The seed's users (server/adapters/postgres/seed.py), by role.
SEED_USERS = {Role.ADMIN: "U-001", Role.DISPATCHER: "U-002", Role.DRIVER: "U-003"}


def settings(**changes: object) -> Settings:
    """:data:`SETTINGS` with ``changes`` (e.g. ``database_url=…``)."""
    return dataclasses.replace(SETTINGS, **changes)  # type: ignore[arg-type]


def authenticator(keys: ApiKeys | None = None) -> Authenticator:
    """What test servers check credentials with (API keys from ``keys``, if given)."""
    return Authenticator(TokenIssuer(TEST_KEY), InProcessDenylist(), keys, SERVICE_TOKEN)


def authenticate(keys: ApiKeys | None = None) -> Authenticate:
    """For ``build_server(..., authenticate=authenticate())``."""
    return authenticate_with(authenticator(keys))


def token_for(
    org: str, role: Role = Role.DISPATCHER, user: str | None = None, *, driver: str | None = None,
    branches: Sequence[str] = (), expires_in: float = 3600.0, key: bytes = TEST_KEY,
) -> str:
    """A signed access token of ``user`` (default: the seed's user of ``role``) in ``org``."""
    who = Principal(org, user or SEED_USERS[role], role, Kind.USER, branches=tuple(branches), driver=driver)
    now = time.time()
    issuer = TokenIssuer(key, lifetime=max(expires_in, 0.0) + 1, clock=lambda: now + min(expires_in, 0.0) - 1)
    return issuer.issue(who).token


def metadata_for(
    org: str, role: Role = Role.DISPATCHER, user: str | None = None, *, key: bytes = TEST_KEY,
    expires_in: float = 3600.0, driver: str | None = None, language: str | None = None,
) -> tuple[tuple[str, str], ...]:
    """Call metadata with a bearer token of ``role`` in ``org`` (and ``accept-language`` if given)."""
    token = token_for(org, role, user, driver=driver, expires_in=expires_in, key=key)
    md: tuple[tuple[str, str], ...] = (("authorization", f"Bearer {token}"),)
    return md + ((("accept-language", language),) if language else ())


def service_metadata(org: str | None = None, user: str | None = None) -> tuple[tuple[str, str], ...]:
    """Metadata of Hakobu's own services (the test service token), acting for ``org``."""
    md: tuple[tuple[str, str], ...] = (("authorization", f"Service {SERVICE_TOKEN}"),)
    if org:
        md += (("x-hakobu-organization", org),)
    if user:
        md += (("x-hakobu-user", user),)
    return md


class _WithMetadata(
    grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor,
):
    """Adds fixed metadata to every call that does not carry an ``authorization`` of its own."""

    def __init__(self, metadata: Sequence[tuple[str, str]]) -> None:
        self._metadata = tuple(metadata)

    def _details(self, details: Any) -> Any:
        own = tuple(details.metadata or ())
        if any(k == "authorization" or k == "x-api-key" for k, _ in own):
            return details
        return _Details(details.method, details.timeout, own + self._metadata, details.credentials,
                        getattr(details, "wait_for_ready", None), getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation: Any, details: Any, requests: Any) -> Any:
        return continuation(self._details(details), requests)

    def intercept_stream_stream(self, continuation: Any, details: Any, requests: Any) -> Any:
        return continuation(self._details(details), requests)


class _Details(
    collections.namedtuple("_Details", ("method", "timeout", "metadata", "credentials", "wait_for_ready",
                                        "compression")),
    grpc.ClientCallDetails,
):
    pass


def channel(
    target: str | grpc.Channel, org: str = "ORG-001", role: Role = Role.DISPATCHER, **options: Any
) -> grpc.Channel:
    """A channel to ``target`` (an address, or a channel to wrap) whose calls carry ``metadata_for(org,
    role)`` unless they bring their own credential: for tests of services that need no organization
    data (the optimizer, geo) and that call stubs without metadata."""
    base = grpc.insecure_channel(target, **options) if isinstance(target, str) else target
    return grpc.intercept_channel(base, _WithMetadata(metadata_for(org, role)))
