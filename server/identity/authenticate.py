"""From a call's metadata to its principal: a JWT (``authorization: Bearer``), an API key
(``x-api-key`` or ``authorization: ApiKey``) or Hakobu's own service credential
(``authorization: Service <token>``, the only one that may name its organization in
``x-hakobu-organization``)."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from server.identity import apikeys
from server.identity.errors import Unauthenticated
from server.identity.ports import ApiKeys, Denylist
from server.identity.principal import Kind, Principal
from server.identity.tokens import TokenIssuer

AUTHORIZATION = "authorization"
API_KEY_HEADER = "x-api-key"
ORG_HEADER = "x-hakobu-organization"
SERVICE_NAME = "hakobu"

_INVALID_KEY = "APIキーが不正です / the API key is invalid or revoked"


class Authenticator:
    """Checks credentials: tokens with ``issuer`` and ``denylist``, API keys with ``keys`` (None: API keys
    are refused, e.g. on a server without a database), the service credential with ``service_token``."""

    def __init__(
        self, issuer: TokenIssuer, denylist: Denylist, keys: ApiKeys | None, service_token: str | None
    ) -> None:
        self.issuer = issuer
        self.denylist = denylist
        self.keys = keys
        self._service = service_token

    def principal(self, metadata: Mapping[str, str]) -> Principal | None:
        """The principal of the call's credential; None without any credential; :class:`Unauthenticated`
        when the credential is not valid. ``metadata`` keys are lower case."""
        auth = metadata.get(AUTHORIZATION, "").strip()
        key = metadata.get(API_KEY_HEADER, "").strip()
        if auth:
            scheme, _, value = auth.partition(" ")
            scheme, value = scheme.lower(), value.strip()
            if scheme == "bearer" and value:  # an API key sent as a bearer token works too
                return self.api_key(value) if value.startswith(f"{apikeys.PREFIX}_") else self.token(value)
            if scheme == "apikey" and value:
                return self.api_key(value)
            if scheme == "service" and value:
                return self.service(value, metadata.get(ORG_HEADER, "").strip())
            raise Unauthenticated(
                "authorization ヘッダーの形式が不正です / the authorization header must be "
                "'Bearer <token>' or 'ApiKey <key>'"
            )
        if key:
            return self.api_key(key)
        return None

    def token(self, token: str) -> Principal:
        who = self.issuer.verify(token)
        if who.token_id and self.denylist.is_revoked(who.token_id):
            raise Unauthenticated(
                "このアクセストークンはログアウト済みです / the access token was revoked (signed out)"
            )
        return who

    def api_key(self, key: str) -> Principal:
        parsed = apikeys.parse(key)
        if parsed is None or self.keys is None:
            raise Unauthenticated(_INVALID_KEY)
        key_id, secret = parsed
        record = self.keys.get(key_id)
        if record is None or record.revoked_at is not None or not apikeys.matches(secret, record.secret_hash):
            raise Unauthenticated(_INVALID_KEY)
        return Principal(
            organization=record.organization, subject=record.id, role=record.role, kind=Kind.API_KEY,
            display_name=record.display_name,
        )

    def service(self, token: str, organization: str) -> Principal:
        if not self._service or not hmac.compare_digest(token.encode(), self._service.encode()):
            raise Unauthenticated("サービス認証情報が不正です / the service credential is invalid")
        return Principal(organization=organization, subject=SERVICE_NAME, role=None, kind=Kind.SERVICE)

    def service_metadata(self, organization: str | None = None) -> tuple[tuple[str, str], ...]:
        """Metadata with which one of Hakobu's services calls another (as ``organization``, if given)."""
        if not self._service:
            return ()
        md: tuple[tuple[str, str], ...] = ((AUTHORIZATION, f"Service {self._service}"),)
        return md + (((ORG_HEADER, organization),) if organization else ())
