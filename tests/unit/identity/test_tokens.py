"""Access tokens: signed, 24 hours, refused when expired, forged, revoked or malformed."""

from __future__ import annotations

import jwt
import pytest

from server.adapters.memory.identity import InProcessDenylist
from server.identity.authenticate import Authenticator
from server.identity.errors import Unauthenticated
from server.identity.principal import Kind, Principal, Role
from server.identity.tokens import LIFETIME, TokenIssuer

KEY = b"k" * 32
WHO = Principal("ORG-001", "U-002", Role.DISPATCHER, branches=("BR-001",), login="dispatcher01")


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_names_its_user_for_24_hours() -> None:
    clock = Clock()
    issuer = TokenIssuer(KEY, clock=clock)
    issued = issuer.issue(WHO)
    assert issued.expires_at == clock.now + 24 * 3600 == clock.now + LIFETIME
    claims = jwt.decode(issued.token, KEY, algorithms=["HS256"], options={"verify_iat": False})
    assert {"jti", "iat", "exp", "org", "sub", "role"} <= set(claims)
    assert (claims["org"], claims["sub"], claims["role"]) == ("ORG-001", "U-002", "DISPATCHER")
    who = issuer.verify(issued.token)
    assert (who.organization, who.subject, who.kind) == ("ORG-001", "U-002", Kind.USER)
    assert who.role is Role.DISPATCHER
    assert who.branches == ("BR-001",) and who.token_id == issued.token_id
    clock.now += LIFETIME - 1
    issuer.verify(issued.token)
    clock.now += 1
    with pytest.raises(Unauthenticated, match="expired"):
        issuer.verify(issued.token)


def test_every_token_has_its_own_id() -> None:
    issuer = TokenIssuer(KEY)
    assert issuer.issue(WHO).token_id != issuer.issue(WHO).token_id


@pytest.mark.parametrize("bad", [
    "", "not-a-jwt", "a.b.c",
    jwt.encode({"jti": "x", "iat": 1, "exp": 4_000_000_000, "org": "O", "sub": "U", "role": "ADMIN"},
               b"another key of thirty-two bytes!!", algorithm="HS256"),
    jwt.encode({"jti": "x", "iat": 1, "exp": 4_000_000_000, "org": "O", "sub": "U", "role": "ADMIN"},
               "", algorithm="none"),
    jwt.encode({"iat": 1, "exp": 4_000_000_000, "org": "O", "sub": "U", "role": "ADMIN"}, KEY,
               algorithm="HS256"),
    jwt.encode({"jti": "x", "iat": 1, "exp": 4_000_000_000, "org": "O", "sub": "U", "role": "ROOT"}, KEY,
               algorithm="HS256"),
])
def test_forged_or_malformed_tokens_are_refused(bad: str) -> None:
    with pytest.raises(Unauthenticated):
        TokenIssuer(KEY).verify(bad)


def test_a_tampered_token_is_refused() -> None:
    token = TokenIssuer(KEY).issue(WHO).token
    header, _payload, signature = token.split(".")
    other = TokenIssuer(KEY).issue(Principal("ORG-999", "U-001", Role.ADMIN)).token.split(".")[1]
    with pytest.raises(Unauthenticated):
        TokenIssuer(KEY).verify(f"{header}.{other}.{signature}")


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError):
        TokenIssuer(b"short")


def test_a_revoked_token_is_refused_until_it_expires() -> None:
    clock = Clock()
    issuer, denylist = TokenIssuer(KEY, clock=clock), InProcessDenylist(clock)
    auth = Authenticator(issuer, denylist, None, None)
    issued = issuer.issue(WHO)
    md = {"authorization": f"Bearer {issued.token}"}
    assert auth.principal(md) is not None
    denylist.revoke(issued.token_id, issued.expires_at)
    with pytest.raises(Unauthenticated, match="revoked"):
        auth.principal(md)
    other = issuer.issue(WHO)
    assert auth.principal({"authorization": f"Bearer {other.token}"}) is not None, "only that token"
    clock.now = issued.expires_at + 1
    assert not denylist.is_revoked(issued.token_id), "forgotten once it expired"


def test_the_organization_comes_from_the_token_not_from_the_header() -> None:
    issuer = TokenIssuer(KEY)
    auth = Authenticator(issuer, InProcessDenylist(), None, "s" * 20)
    md = {"authorization": f"Bearer {issuer.issue(WHO).token}", "x-hakobu-organization": "ORG-999"}
    who = auth.principal(md)
    assert who is not None and who.organization == "ORG-001"


def test_only_the_service_credential_names_its_organization() -> None:
    auth = Authenticator(TokenIssuer(KEY), InProcessDenylist(), None, "s" * 20)
    who = auth.principal({"authorization": "Service " + "s" * 20, "x-hakobu-organization": "ORG-7"})
    assert who is not None and (who.kind, who.organization) == (Kind.SERVICE, "ORG-7")
    with pytest.raises(Unauthenticated):
        auth.principal({"authorization": "Service wrong-token-xxxxxxxx", "x-hakobu-organization": "ORG-7"})
    assert Authenticator(TokenIssuer(KEY), InProcessDenylist(), None, None).service_metadata() == ()


@pytest.mark.parametrize("md", [
    {"authorization": "Basic dXNlcjpwYXNz"}, {"authorization": "Bearer"}, {"authorization": "Bearer  "},
    {"x-api-key": "hk_nope"}, {"authorization": "ApiKey hk_0123456789abcdef_" + "a" * 43},
])
def test_bad_credentials_are_refused(md: dict[str, str]) -> None:
    with pytest.raises(Unauthenticated):
        Authenticator(TokenIssuer(KEY), InProcessDenylist(), None, None).principal(md)


def test_no_credential_is_no_principal() -> None:
    assert Authenticator(TokenIssuer(KEY), InProcessDenylist(), None, None).principal({}) is None


def test_a_checked_token_is_remembered_and_nothing_else_passes_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock()
    issuer = TokenIssuer(KEY, clock=clock)
    token = issuer.issue(WHO).token
    first = issuer.verify(token)
    monkeypatch.setattr(jwt, "decode", None)  # a remembered token is not decoded again
    assert issuer.verify(token) is first
    monkeypatch.undo()
    header, _payload, signature = token.split(".")
    other = issuer.issue(Principal("ORG-999", "U-001", Role.ADMIN)).token.split(".")[1]
    with pytest.raises(Unauthenticated):  # another string is checked in full
        issuer.verify(f"{header}.{other}.{signature}")
    clock.now = first.expires_at  # and a remembered one still expires
    with pytest.raises(Unauthenticated, match="expired"):
        issuer.verify(token)
