"""Passwords (argon2id, bcrypt accepted and rehashed), API keys, sign-in and the policy table."""

from __future__ import annotations

import dataclasses

import bcrypt
import pytest

from server.adapters.memory.identity import InProcessDenylist, MemoryApiKeys
from server.identity import accounts, apikeys, policy
from server.identity.authenticate import Authenticator
from server.identity.errors import InvalidInput, PermissionDenied, Unauthenticated
from server.identity.passwords import hash_password, password_problem, verify_password
from server.identity.ports import ApiKeyRecord, UserRecord
from server.identity.principal import Kind, Principal, Role
from server.identity.tokens import TokenIssuer

KEY = b"k" * 32


def test_argon2id_hashes_verify_and_are_salted() -> None:
    h = hash_password("correct horse")
    assert h.startswith("$argon2id$") and h != hash_password("correct horse")
    assert verify_password(h, "correct horse") == (True, False)
    assert verify_password(h, "wrong horse") == (False, False)


def test_bcrypt_hashes_verify_and_ask_for_a_rehash() -> None:
    h = bcrypt.hashpw(b"seed password", bcrypt.gensalt(rounds=4)).decode()
    assert verify_password(h, "seed password") == (True, True)
    assert verify_password(h, "other") == (False, False)


@pytest.mark.parametrize("stored", ["", "$2b$10$dev_hash_admin", "plain", "$argon2id$garbage"])
def test_empty_placeholder_or_broken_hashes_never_match(stored: str) -> None:
    assert verify_password(stored, "$2b$10$dev_hash_admin") == (False, False)


def test_password_rules() -> None:
    assert password_problem("short") is not None
    assert password_problem("long enough") is None


class Users:
    def __init__(self, *users: UserRecord) -> None:
        self.rows = {(u.organization, u.id): u for u in users}

    def by_login(self, organization: str, login: str) -> UserRecord | None:
        found = [u for u in self.rows.values() if (u.organization, u.login) == (organization, login)]
        return found[0] if found else None

    def get(self, organization: str, user_id: str) -> UserRecord | None:
        return self.rows.get((organization, user_id))

    def set_password_hash(self, organization: str, user_id: str, password_hash: str) -> bool:
        row = self.rows.get((organization, user_id))
        if row is None:
            return False
        self.rows[(organization, user_id)] = dataclasses.replace(row, password_hash=password_hash)
        return True


def test_login_issues_a_token_and_rehashes_bcrypt() -> None:
    old = bcrypt.hashpw(b"hakobu-driver", bcrypt.gensalt(rounds=4)).decode()
    users = Users(UserRecord("ORG-001", "U-003", "driver01", "ドライバーA", Role.DRIVER, branch="BR-001",
                             driver="D-001", password_hash=old))
    issuer = TokenIssuer(KEY)
    issued = accounts.login(users, issuer, "ORG-001", "driver01", "hakobu-driver")  # type: ignore[arg-type]
    who = issuer.verify(issued.token)
    assert (who.subject, who.role, who.driver, who.branches) == ("U-003", Role.DRIVER, "D-001", ("BR-001",))
    assert users.rows[("ORG-001", "U-003")].password_hash.startswith("$argon2id$")
    again = accounts.login(users, issuer, "ORG-001", "driver01", "hakobu-driver")  # type: ignore[arg-type]
    assert again.token_id != issued.token_id


@pytest.mark.parametrize(("org", "login", "password"), [
    ("ORG-001", "driver01", "wrong"), ("ORG-001", "nobody", "hakobu-driver"), ("ORG-002", "driver01", "x"),
])
def test_wrong_sign_ins_all_read_the_same(org: str, login: str, password: str) -> None:
    users = Users(UserRecord("ORG-001", "U-003", "driver01", "A", Role.DRIVER,
                             password_hash=hash_password("hakobu-driver")))
    with pytest.raises(Unauthenticated) as info:
        accounts.login(users, TokenIssuer(KEY), org, login, password)  # type: ignore[arg-type]
    assert str(info.value) == accounts.BAD_LOGIN


def test_login_names_a_missing_field() -> None:
    with pytest.raises(InvalidInput) as info:
        accounts.login(Users(), TokenIssuer(KEY), "ORG-001", "", "x")  # type: ignore[arg-type]
    assert info.value.field == "login"


def test_api_keys_are_shown_once_stored_hashed_and_revocable() -> None:
    new = apikeys.new_key()
    assert new.key.startswith(f"hk_{new.id}_") and new.key.split("_", 2)[2] not in new.secret_hash
    keys = MemoryApiKeys()
    keys.create(ApiKeyRecord("ORG-001", new.id, "配車システム", Role.DISPATCHER, new.secret_hash))
    auth = Authenticator(TokenIssuer(KEY), InProcessDenylist(), keys, None)
    for md in ({"x-api-key": new.key}, {"authorization": f"ApiKey {new.key}"},
               {"authorization": f"Bearer {new.key}"}):
        who = auth.principal(md)
        assert who is not None and (who.organization, who.role, who.kind) == (
            "ORG-001", Role.DISPATCHER, Kind.API_KEY)
    wrong_secret = new.key[:-4] + ("AAAA" if not new.key.endswith("AAAA") else "BBBB")
    with pytest.raises(Unauthenticated):
        auth.principal({"x-api-key": wrong_secret})
    assert not keys.revoke("ORG-002", new.id), "another organization cannot revoke it"
    assert keys.revoke("ORG-001", new.id)
    with pytest.raises(Unauthenticated):
        auth.principal({"x-api-key": new.key})


def test_the_policy_decides_by_role() -> None:
    plan = "/hakobu.plans.v1.PlanService/PublishPlan"
    users = "/hakobu.identity.v1.UserService/CreateUser"
    admin, dispatcher, driver = (Principal("O", "U", r) for r in (Role.ADMIN, Role.DISPATCHER, Role.DRIVER))
    policy.check(plan, dispatcher)
    policy.check(users, admin)
    for method, who in ((plan, driver), (users, dispatcher)):
        with pytest.raises(PermissionDenied):
            policy.check(method, who)
    with pytest.raises(Unauthenticated):
        policy.check(plan, None)
    policy.check("/hakobu.identity.v1.AuthService/Login", None)
    policy.check("/grpc.health.v1.Health/Check", None)
    policy.check("/hakobu.identity.v1.AuthService/GetCurrentUser", driver)
    policy.check(plan, Principal("O", "hakobu", None, Kind.SERVICE))


def test_a_method_without_an_entry_is_refused_even_to_an_admin() -> None:
    with pytest.raises(PermissionDenied, match="no entry"):
        policy.check("/hakobu.new.v1.NewService/DoIt", Principal("O", "U", Role.ADMIN))
