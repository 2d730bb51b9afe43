"""Sign-in, sign-out, who-am-I, users and API keys through the real plans server on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import grpc
import psycopg
import pytest
from google.protobuf import field_mask_pb2

from hakobu.fleet.v1 import fleet_pb2, fleet_pb2_grpc
from hakobu.identity.v1 import identity_pb2 as pb
from hakobu.identity.v1 import identity_pb2_grpc
from server.adapters.postgres.seed import DEV_PASSWORDS, seed, set_dev_passwords, tomorrow
from server.bootstrap import create_optimizer_server, create_plans_server
from tests.credentials import Role, metadata_for, service_metadata, settings
from tests.integration.db.conftest import db_url  # noqa: F401  (fixture)


@dataclass
class Env:
    channel: grpc.Channel
    auth: identity_pb2_grpc.AuthServiceStub
    users: identity_pb2_grpc.UserServiceStub
    keys: identity_pb2_grpc.ApiKeyServiceStub
    fleet: fleet_pb2_grpc.OrganizationServiceStub
    org: str
    url: str


@pytest.fixture(scope="module")
def env(db_url: str) -> Iterator[Env]:  # noqa: F811
    org = f"ORG-{uuid.uuid4().hex[:8]}"
    seed(db_url, tomorrow(), organization=org)
    set_dev_passwords(db_url, org)
    s = settings()
    optimizer = create_optimizer_server("127.0.0.1:0", workers=0, settings=s)
    plans = create_plans_server("127.0.0.1:0", db_url, f"127.0.0.1:{optimizer.port}", settings=s)
    with grpc.insecure_channel(f"127.0.0.1:{plans.port}") as ch:
        yield Env(ch, identity_pb2_grpc.AuthServiceStub(ch), identity_pb2_grpc.UserServiceStub(ch),
                  identity_pb2_grpc.ApiKeyServiceStub(ch), fleet_pb2_grpc.OrganizationServiceStub(ch), org,
                  db_url)
    plans.stop(0)
    optimizer.stop(0)


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


def login(env: Env, login_id: str, password: str | None = None) -> pb.LoginResponse:
    return env.auth.Login(pb.LoginRequest(
        organization=env.org, login=login_id, password=password or DEV_PASSWORDS[login_id]))


def code_of(fn, *args, **kw) -> grpc.StatusCode:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as info:
        fn(*args, **kw)
    return info.value.code()  # type: ignore[no-any-return]


def test_sign_in_who_am_i_and_sign_out(env: Env) -> None:
    signed = login(env, "dispatcher01")
    assert signed.access_token and signed.HasField("expire_time")
    me = env.auth.GetCurrentUser(pb.GetCurrentUserRequest(), metadata=bearer(signed.access_token))
    assert me.name == f"organizations/{env.org}/users/U-002" and me.role == pb.DISPATCHER
    assert me.login == "dispatcher01" and me.branches == [f"organizations/{env.org}/branches/BR-001"]
    assert me.expire_time == signed.expire_time
    listed = env.fleet.ListBranches(fleet_pb2.ListBranchesRequest(), metadata=bearer(signed.access_token))
    assert listed.branches and all(b.name.startswith(f"organizations/{env.org}/") for b in listed.branches)
    env.auth.Logout(pb.LogoutRequest(), metadata=bearer(signed.access_token))
    assert code_of(env.auth.GetCurrentUser, pb.GetCurrentUserRequest(),
                   metadata=bearer(signed.access_token)) == grpc.StatusCode.UNAUTHENTICATED
    again = login(env, "dispatcher01")
    assert env.auth.GetCurrentUser(pb.GetCurrentUserRequest(), metadata=bearer(again.access_token)).login


def test_a_driver_signs_in_with_his_driver_record(env: Env) -> None:
    me = env.auth.GetCurrentUser(pb.GetCurrentUserRequest(),
                                 metadata=bearer(login(env, "driver01").access_token))
    assert me.role == pb.DRIVER and me.driver == f"organizations/{env.org}/drivers/D-001"


@pytest.mark.parametrize(("org", "login_id", "password"), [
    (None, "dispatcher01", "wrong-password"), (None, "nobody", "hakobu-dispatcher"),
    ("ORG-NOPE", "dispatcher01", "hakobu-dispatcher"),
])
def test_wrong_sign_ins_are_unauthenticated(env: Env, org: str | None, login_id: str, password: str) -> None:
    request = pb.LoginRequest(organization=org or env.org, login=login_id, password=password)
    assert code_of(env.auth.Login, request) == grpc.StatusCode.UNAUTHENTICATED


def test_a_bcrypt_hash_signs_in_and_becomes_argon2id(env: Env) -> None:
    import bcrypt

    with psycopg.connect(env.url) as conn:
        conn.execute("UPDATE users SET password_hash = %s WHERE organization_id = %s AND login_id = 'admin'",
                     (bcrypt.hashpw(b"old-bcrypt-pw", bcrypt.gensalt(rounds=4)).decode(), env.org))
    login(env, "admin", "old-bcrypt-pw")
    with psycopg.connect(env.url) as conn:
        row = conn.execute(
            "SELECT password_hash FROM users WHERE organization_id = %s AND login_id = 'admin'", (env.org,)
        ).fetchone()
    assert row is not None and row[0].startswith("$argon2id$")
    set_dev_passwords(env.url, env.org)


def test_the_organization_header_is_ignored_for_users_and_honoured_for_services(env: Env) -> None:
    md = (*metadata_for("ORG-ELSEWHERE", Role.ADMIN), ("x-hakobu-organization", env.org))
    me = env.auth.GetCurrentUser(pb.GetCurrentUserRequest(), metadata=md)
    assert me.organization == "organizations/ORG-ELSEWHERE"
    request = fleet_pb2.ListBranchesRequest(parent=f"organizations/{env.org}")
    assert code_of(env.fleet.ListBranches, request, metadata=md) == grpc.StatusCode.PERMISSION_DENIED
    assert code_of(env.fleet.ListBranches, request,
                   metadata=(("x-hakobu-organization", env.org),)) == grpc.StatusCode.UNAUTHENTICATED
    assert env.fleet.ListBranches(request, metadata=service_metadata(env.org)).branches


def test_expired_and_forged_tokens_are_unauthenticated(env: Env) -> None:
    for md in (metadata_for(env.org, expires_in=-1), metadata_for(env.org, key=b"x" * 32)):
        assert code_of(env.fleet.ListBranches, fleet_pb2.ListBranchesRequest(),
                       metadata=md) == grpc.StatusCode.UNAUTHENTICATED


def test_an_admin_manages_users(env: Env) -> None:
    admin = bearer(login(env, "admin").access_token)
    user = pb.User(login="dispatcher02", display_name="配車担当B", role=pb.DISPATCHER,
                   branch=f"organizations/{env.org}/branches/BR-001")
    created = env.users.CreateUser(pb.CreateUserRequest(user=user, user_id="U-100", password="first-pass-1"),
                                   metadata=admin)
    assert created.name == f"organizations/{env.org}/users/U-100" and created.has_password
    assert login(env, "dispatcher02", "first-pass-1").access_token
    assert code_of(env.users.CreateUser, pb.CreateUserRequest(user=user, user_id="U-101"),
                   metadata=admin) == grpc.StatusCode.ALREADY_EXISTS
    env.users.SetPassword(pb.SetPasswordRequest(name=created.name, password="second-pass-2"), metadata=admin)
    assert code_of(login, env, "dispatcher02", "first-pass-1") == grpc.StatusCode.UNAUTHENTICATED
    assert code_of(env.users.SetPassword, pb.SetPasswordRequest(name=created.name, password="short"),
                   metadata=admin) == grpc.StatusCode.INVALID_ARGUMENT
    changed = env.users.UpdateUser(pb.UpdateUserRequest(
        user=pb.User(name=created.name, display_name="配車担当B2"),
        update_mask=field_mask_pb2.FieldMask(paths=["display_name"])), metadata=admin)
    assert changed.display_name == "配車担当B2" and changed.login == "dispatcher02"
    logins = {u.login for u in env.users.ListUsers(pb.ListUsersRequest(page_size=2), metadata=admin).users}
    assert logins == {"admin", "dispatcher01"}
    env.users.DeleteUser(pb.DeleteUserRequest(name=created.name), metadata=admin)
    assert code_of(env.users.GetUser, pb.GetUserRequest(name=created.name),
                   metadata=admin) == grpc.StatusCode.NOT_FOUND
    dispatcher = bearer(login(env, "dispatcher01").access_token)
    assert code_of(env.users.ListUsers, pb.ListUsersRequest(),
                   metadata=dispatcher) == grpc.StatusCode.PERMISSION_DENIED


def test_api_keys_are_shown_once_and_revocable(env: Env) -> None:
    admin = bearer(login(env, "admin").access_token)
    made = env.keys.CreateApiKey(pb.CreateApiKeyRequest(
        api_key=pb.ApiKey(display_name="配車システム", role=pb.DISPATCHER)), metadata=admin)
    assert made.key.startswith("hk_") and made.api_key.name.startswith(f"organizations/{env.org}/apiKeys/")
    for md in ((("x-api-key", made.key),), (("authorization", f"ApiKey {made.key}"),)):
        me = env.auth.GetCurrentUser(pb.GetCurrentUserRequest(), metadata=md)
        assert me.name == made.api_key.name and me.role == pb.DISPATCHER
        assert env.fleet.ListBranches(fleet_pb2.ListBranchesRequest(), metadata=md).branches
    listed = env.keys.ListApiKeys(pb.ListApiKeysRequest(), metadata=admin).api_keys
    assert [k.name for k in listed] == [made.api_key.name]
    with psycopg.connect(env.url) as conn:
        stored = conn.execute("SELECT secret_hash FROM api_keys").fetchall()
    assert all(made.key.split("_", 2)[2] not in row[0] for row in stored), "the secret itself is not stored"
    env.keys.DeleteApiKey(pb.DeleteApiKeyRequest(name=made.api_key.name), metadata=admin)
    assert code_of(env.auth.GetCurrentUser, pb.GetCurrentUserRequest(),
                   metadata=(("x-api-key", made.key),)) == grpc.StatusCode.UNAUTHENTICATED
    assert env.keys.ListApiKeys(pb.ListApiKeysRequest(), metadata=admin).api_keys[0].HasField("revoke_time")


def test_refusals_carry_the_error_model(env: Env) -> None:
    """UNAUTHENTICATED and PERMISSION_DENIED come with an ErrorInfo and Japanese and English messages."""
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    for md, code in (((), grpc.StatusCode.UNAUTHENTICATED),
                     (metadata_for(env.org, Role.DRIVER), grpc.StatusCode.PERMISSION_DENIED),
                     ((*metadata_for(env.org, Role.DRIVER), ("accept-language", "ja")),
                      grpc.StatusCode.PERMISSION_DENIED)):
        with pytest.raises(grpc.RpcError) as info:
            env.users.ListUsers(pb.ListUsersRequest(), metadata=md)
        assert info.value.code() == code
        status = rpc_status.from_call(info.value)
        assert status is not None
        reasons, locales = [], set()
        for detail in status.details:
            ei, lm = error_details_pb2.ErrorInfo(), error_details_pb2.LocalizedMessage()
            if detail.Unpack(ei):
                reasons.append((ei.domain, ei.reason))
            elif detail.Unpack(lm):
                locales.add(lm.locale)
        assert reasons == [("hakobu.app", code.name)] and locales == {"ja-JP", "en-US"}
    assert not info.value.details().isascii(), "accept-language: ja gives the Japanese message"
