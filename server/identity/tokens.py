"""Access tokens: JWTs signed with HS256 (PyJWT), valid 24 hours, each with its own id (``jti``) so
sign-out can revoke it. Claims: ``jti``, ``iat``, ``exp``, ``org``, ``sub`` (user id), ``role``, and
``br`` (branches), ``drv`` (a DRIVER's driver id), ``login``."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import jwt

from server.identity.errors import Unauthenticated
from server.identity.principal import Kind, Principal, Role

ALGORITHM = "HS256"
LIFETIME = 24 * 3600.0
#: Shortest signing key accepted (bytes): HS256 wants at least 256 bits.
MIN_KEY_BYTES = 32
_REQUIRED = ("jti", "iat", "exp", "org", "sub", "role")
#: Tokens whose signature and claims were checked, kept per issuer (a client sends the same token on
#: every call); past this many the memo starts over.
VERIFIED_MEMO = 4096


@dataclass(frozen=True)
class Issued:
    token: str
    token_id: str
    expires_at: float


class TokenIssuer:
    """Signs and checks access tokens with one secret key."""

    def __init__(
        self, key: bytes, lifetime: float = LIFETIME, clock: Callable[[], float] = time.time
    ) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the signing key must have at least {MIN_KEY_BYTES} bytes")
        self._key = key
        self.lifetime = lifetime
        self._clock = clock
        #: token → its principal, once its signature and claims were checked (expiry is checked per call)
        self._verified: dict[str, Principal] = {}

    def issue(self, who: Principal) -> Issued:
        """A token naming ``who`` (a user), valid ``lifetime`` seconds from now."""
        if who.role is None:
            raise ValueError("a token needs a role")
        now = int(self._clock())
        jti = secrets.token_urlsafe(16)
        exp = now + int(self.lifetime)
        claims: dict[str, object] = {
            "jti": jti, "iat": now, "exp": exp, "org": who.organization, "sub": who.subject,
            "role": who.role.value, "login": who.login,
        }
        if who.branches:
            claims["br"] = list(who.branches)
        if who.driver:
            claims["drv"] = who.driver
        return Issued(jwt.encode(claims, self._key, algorithm=ALGORITHM), jti, float(exp))

    def verify(self, token: str) -> Principal:
        """The principal ``token`` names; :class:`Unauthenticated` when it is expired, forged or malformed
        (revocation is the caller's check: :class:`~server.identity.authenticate.Authenticator`)."""
        known = self._verified.get(token)
        if known is not None:
            if known.expires_at is not None and known.expires_at <= self._clock():
                raise Unauthenticated(
                    "アクセストークンの有効期限が切れています / the access token has expired: sign in again"
                )
            return known
        who = self._decode(token)
        if len(self._verified) >= VERIFIED_MEMO:
            self._verified.clear()
        self._verified[token] = who
        return who

    def _decode(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token, self._key, algorithms=[ALGORITHM],
                # exp is checked below with this issuer's clock (tests move it); the signature here
                options={"require": list(_REQUIRED), "verify_iat": False, "verify_exp": False},
                leeway=0,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated(
                "アクセストークンの有効期限が切れています / the access token has expired: sign in again"
            ) from None
        except jwt.InvalidTokenError:
            raise Unauthenticated("アクセストークンが不正です / the access token is invalid") from None
        if int(claims["exp"]) <= self._clock():  # our clock, not the library's (tests move it)
            raise Unauthenticated(
                "アクセストークンの有効期限が切れています / the access token has expired: sign in again"
            )
        try:
            role = Role(claims["role"])
        except ValueError:
            raise Unauthenticated("アクセストークンが不正です / the access token is invalid") from None
        branches = claims.get("br") or []
        return Principal(
            organization=str(claims["org"]), subject=str(claims["sub"]), role=role, kind=Kind.USER,
            branches=tuple(str(b) for b in branches) if isinstance(branches, list) else (),
            driver=str(claims["drv"]) if claims.get("drv") else None,
            token_id=str(claims["jti"]), expires_at=float(claims["exp"]), login=str(claims.get("login", "")),
        )


def new_key() -> bytes:
    """A fresh random signing key (32 bytes)."""
    return secrets.token_bytes(MIN_KEY_BYTES)
