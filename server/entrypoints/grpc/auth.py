"""Authentication and authorization of every call: the ``authenticate`` callable the server builder
runs before each servicer (``server.platform.grpc.Authenticate``). It reads the credential
(:class:`~server.identity.authenticate.Authenticator`) and checks the policy table
(:mod:`server.identity.policy`): UNAUTHENTICATED without a valid credential, PERMISSION_DENIED when the
role may not call the method. A public method (sign-in, health, reflection) ignores a bad credential."""

from __future__ import annotations

from collections.abc import Mapping

import grpc

from server.identity import policy
from server.identity.authenticate import Authenticator
from server.identity.errors import PermissionDenied, Unauthenticated
from server.identity.principal import Principal
from server.platform.grpc import Authenticate, Refused


def authenticate_with(authenticator: Authenticator) -> Authenticate:
    def authenticate(method: str, metadata: Mapping[str, str]) -> Principal | None:
        try:
            who = authenticator.principal(metadata)
        except Unauthenticated as exc:
            if policy.is_public(method):
                return None
            raise Refused(grpc.StatusCode.UNAUTHENTICATED, str(exc)) from None
        try:
            policy.check(method, who)
        except Unauthenticated as exc:
            raise Refused(grpc.StatusCode.UNAUTHENTICATED, str(exc)) from None
        except PermissionDenied as exc:
            raise Refused(grpc.StatusCode.PERMISSION_DENIED, str(exc)) from None
        return who

    return authenticate
