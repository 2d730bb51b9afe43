"""The sign-in use cases: log in (check the password, rehash old hashes, issue a token), log out
(revoke the token), and set a password."""

from __future__ import annotations

from server.identity.errors import InvalidInput, NotFound, Unauthenticated
from server.identity.passwords import hash_password, password_problem, verify_password, waste_time
from server.identity.ports import Denylist, UserRecord, Users
from server.identity.principal import Kind, Principal
from server.identity.tokens import Issued, TokenIssuer

BAD_LOGIN = "会社コード、ログインID、またはパスワードが違います / wrong organization, login or password"


def principal_of(user: UserRecord) -> Principal:
    return Principal(
        organization=user.organization, subject=user.id, role=user.role, kind=Kind.USER,
        branches=(user.branch,) if user.branch else (), driver=user.driver, login=user.login,
        display_name=user.display_name,
    )


def login(users: Users, issuer: TokenIssuer, organization: str, login_id: str, password: str) -> Issued:
    """A token for the user ``login_id`` of ``organization`` when ``password`` is his; a bcrypt (or
    outdated argon2) hash is replaced by a fresh argon2id one. :class:`Unauthenticated` otherwise, with
    the same message whatever was wrong."""
    for field, value in (("organization", organization), ("login", login_id), ("password", password)):
        if not value:
            raise InvalidInput(field, "必須です / required")
    user = users.by_login(organization, login_id)
    if user is None:
        waste_time(password)
        raise Unauthenticated(BAD_LOGIN)
    ok, rehash = verify_password(user.password_hash, password)
    if not ok:
        raise Unauthenticated(BAD_LOGIN)
    if rehash:
        users.set_password_hash(user.organization, user.id, hash_password(password))
    return issuer.issue(principal_of(user))


def logout(denylist: Denylist, who: Principal) -> None:
    """Revoke the token ``who`` came with (an API key is revoked with ApiKeyService.DeleteApiKey)."""
    if who.token_id is None or who.expires_at is None:
        raise InvalidInput(
            "authorization",
            "ログアウトできるのはアクセストークンだけです / only an access token can sign out",
        )
    denylist.revoke(who.token_id, who.expires_at)


def set_password(users: Users, organization: str, user_id: str, password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise InvalidInput("password", problem)
    if not users.set_password_hash(organization, user_id, hash_password(password)):
        raise NotFound(f"利用者が見つかりません / user {user_id!r} not found")
