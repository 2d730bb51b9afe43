"""AuthService (sign-in, sign-out, who am I), UserService and ApiKeyService (ADMIN): thin servicers over
``server.identity``. Who may call what is the policy table's business (``server.identity.policy``)."""

from __future__ import annotations

import dataclasses
import datetime
import secrets
from typing import Any, NoReturn

import grpc
from google.protobuf import empty_pb2

from hakobu.identity.v1 import identity_pb2 as pb
from hakobu.identity.v1 import identity_pb2_grpc
from server.entrypoints.grpc.aip import (
    ID_PATTERN,
    decode_page_token,
    encode_page_token,
    etag_or_none,
    page_size,
    update_paths,
)
from server.entrypoints.grpc.context import Caller, caller, parse_name, parse_parent, principal, shown
from server.entrypoints.grpc.errors import FieldError, abort_bad_request, grpc_errors
from server.entrypoints.grpc.wellknown import ts
from server.identity import accounts, apikeys
from server.identity.errors import AlreadyExists, InvalidInput, NotFound, Unauthenticated
from server.identity.passwords import hash_password, password_problem
from server.identity.ports import ApiKeyRecord, ApiKeys, Denylist, UserRecord, Users
from server.identity.principal import Kind, Role
from server.identity.tokens import TokenIssuer

_USER_FIELDS = ("login", "display_name", "email", "role", "branch", "driver")


def _abort_identity(context: grpc.ServicerContext, exc: Exception) -> NoReturn:
    if isinstance(exc, InvalidInput):
        abort_bad_request(context, [(exc.field, str(exc))])
    if isinstance(exc, Unauthenticated):
        context.abort(grpc.StatusCode.UNAUTHENTICATED, str(exc))
    if isinstance(exc, NotFound):
        context.abort(grpc.StatusCode.NOT_FOUND, str(exc))
    if isinstance(exc, AlreadyExists):
        context.abort(grpc.StatusCode.ALREADY_EXISTS, str(exc))
    raise exc


def _role(value: int, field: str) -> Role:
    name = pb.Role.Name(value) if value in pb.Role.values() else ""
    if name not in Role.__members__:
        raise FieldError([(field, "ロールを指定してください / role must be ADMIN, DISPATCHER or DRIVER")])
    return Role(name)


def _ref(who: Caller, value: str, collection: str, field: str) -> str | None:
    """``organizations/{org}/{collection}/{id}`` of the caller's organization → id; empty → None."""
    if not value:
        return None
    prefix = f"organizations/{who.organization}/{collection}/"
    if not value.startswith(prefix) or not ID_PATTERN.fullmatch(value[len(prefix):]):
        raise FieldError([(field, f"{prefix}{{id}} の形式で指定してください / must be {prefix}{{id}}, "
                                  f"got {shown(value)}")])
    return value[len(prefix):]


class AuthServicer(identity_pb2_grpc.AuthServiceServicer):
    def __init__(self, users: Users, issuer: TokenIssuer, denylist: Denylist) -> None:
        self.users = users
        self.issuer = issuer
        self.denylist = denylist

    def Login(self, request: pb.LoginRequest, context: grpc.ServicerContext) -> pb.LoginResponse:
        try:
            issued = accounts.login(
                self.users, self.issuer, request.organization.strip(), request.login.strip(), request.password
            )
        except (InvalidInput, Unauthenticated) as exc:
            _abort_identity(context, exc)
        expire = ts(datetime.datetime.fromtimestamp(issued.expires_at, datetime.UTC))
        return pb.LoginResponse(access_token=issued.token, expire_time=expire)

    def Logout(self, request: pb.LogoutRequest, context: grpc.ServicerContext) -> empty_pb2.Empty:
        try:
            accounts.logout(self.denylist, principal(context))
        except InvalidInput as exc:
            _abort_identity(context, exc)
        return empty_pb2.Empty()

    def GetCurrentUser(self, request: pb.GetCurrentUserRequest, context: grpc.ServicerContext) -> Any:
        who = principal(context)
        org = f"organizations/{who.organization}"
        collection = "apiKeys" if who.kind is Kind.API_KEY else "users"
        out = pb.CurrentUser(
            name=f"{org}/{collection}/{who.subject}", organization=org, login=who.login,
            display_name=who.display_name,
            role=pb.Role.Value(who.role.value) if who.role is not None else pb.ROLE_UNSPECIFIED,
            branches=[f"{org}/branches/{b}" for b in who.branches],
            driver=f"{org}/drivers/{who.driver}" if who.driver else "",
        )
        if who.kind is Kind.USER:
            user = self.users.get(who.organization, who.subject)
            if user is not None:
                out.display_name = user.display_name
        if who.expires_at is not None:
            out.expire_time.CopyFrom(ts(datetime.datetime.fromtimestamp(who.expires_at, datetime.UTC)))
        return out


def user_to_proto(user: UserRecord) -> pb.User:
    org = f"organizations/{user.organization}"
    out = pb.User(
        name=f"{org}/users/{user.id}", login=user.login, display_name=user.display_name, email=user.email,
        role=pb.Role.Value(user.role.value), branch=f"{org}/branches/{user.branch}" if user.branch else "",
        driver=f"{org}/drivers/{user.driver}" if user.driver else "",
        has_password=user.password_hash.startswith("$argon2"), etag=f'"{user.version}"',
    )
    if user.created_at is not None:
        out.create_time.CopyFrom(ts(user.created_at))
    if user.updated_at is not None:
        out.update_time.CopyFrom(ts(user.updated_at))
    return out


class UserServicer(identity_pb2_grpc.UserServiceServicer):
    def __init__(self, users: Users) -> None:
        self.users = users

    def _get(self, context: grpc.ServicerContext, who: Caller, name: str, field: str = "name") -> UserRecord:
        user_id = parse_name(context, who, name, "users", field)
        user = self.users.get(who.organization, user_id)
        if user is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"利用者が見つかりません / {name} not found")
        return user

    @grpc_errors
    def GetUser(self, request: pb.GetUserRequest, context: grpc.ServicerContext) -> pb.User:
        return user_to_proto(self._get(context, caller(context), request.name))

    @grpc_errors
    def ListUsers(self, request: pb.ListUsersRequest, context: grpc.ServicerContext) -> pb.ListUsersResponse:
        who = caller(context)
        org = parse_parent(context, who, request.parent)
        limit = page_size(request.page_size)
        after = str(decode_page_token(request.page_token, org)) if request.page_token else ""
        rows = self.users.list(org, after, limit + 1)
        token = encode_page_token(rows[limit - 1].id, org) if len(rows) > limit else ""
        return pb.ListUsersResponse(users=[user_to_proto(u) for u in rows[:limit]], next_page_token=token)

    def _record(self, who: Caller, user: pb.User, user_id: str) -> UserRecord:
        bad = []
        if not user.login.strip():
            bad.append(("user.login", "必須です / required"))
        if not user.display_name.strip():
            bad.append(("user.display_name", "必須です / required"))
        if bad:
            raise FieldError(bad)
        role = _role(user.role, "user.role")
        driver = _ref(who, user.driver, "drivers", "user.driver")
        if driver is not None and role is not Role.DRIVER:
            raise FieldError([("user.driver", "ドライバーのみ指定できます / only a DRIVER has a driver")])
        return UserRecord(
            organization=who.organization, id=user_id, login=user.login.strip(),
            display_name=user.display_name.strip(), role=role, email=user.email.strip(),
            branch=_ref(who, user.branch, "branches", "user.branch"), driver=driver,
        )

    @grpc_errors
    def CreateUser(self, request: pb.CreateUserRequest, context: grpc.ServicerContext) -> pb.User:
        who = caller(context)
        parse_parent(context, who, request.parent)
        user_id = request.user_id or f"U-{secrets.token_hex(4)}"
        if not ID_PATTERN.fullmatch(user_id):
            raise FieldError([("user_id", f"IDに使えない文字が含まれています / bad id {shown(user_id)}")])
        record = self._record(who, request.user, user_id)
        if request.password:
            problem = password_problem(request.password)
            if problem:
                raise FieldError([("password", problem)])
            record = dataclasses.replace(record, password_hash=hash_password(request.password))
        return user_to_proto(self.users.create(record))

    @grpc_errors
    def UpdateUser(self, request: pb.UpdateUserRequest, context: grpc.ServicerContext) -> pb.User:
        who = caller(context)
        current = self._get(context, who, request.user.name, "user.name")
        etag = etag_or_none(request.user.etag, "user.etag")
        if etag is not None and etag.strip('W/"') != str(current.version):
            context.abort(grpc.StatusCode.ABORTED, "他の人が変更しました / the user changed since read")
        fields = set(update_paths(list(request.update_mask.paths), _USER_FIELDS))
        merged = pb.User()
        merged.CopyFrom(user_to_proto(current))
        for f in fields:
            setattr(merged, f, getattr(request.user, f))
        record = self._record(who, merged, current.id)
        try:
            return user_to_proto(self.users.update(record, fields))
        except NotFound as exc:
            _abort_identity(context, exc)

    @grpc_errors
    def DeleteUser(self, request: pb.DeleteUserRequest, context: grpc.ServicerContext) -> empty_pb2.Empty:
        who = caller(context)
        user = self._get(context, who, request.name)
        if who.principal is not None and who.principal.user == user.id:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION,
                          "自分自身は削除できません / you cannot delete yourself")
        self.users.delete(who.organization, user.id)
        return empty_pb2.Empty()

    @grpc_errors
    def SetPassword(self, request: pb.SetPasswordRequest, context: grpc.ServicerContext) -> empty_pb2.Empty:
        who = caller(context)
        user_id = parse_name(context, who, request.name, "users")
        try:
            accounts.set_password(self.users, who.organization, user_id, request.password)
        except (InvalidInput, NotFound) as exc:
            _abort_identity(context, exc)
        return empty_pb2.Empty()


def key_to_proto(key: ApiKeyRecord) -> pb.ApiKey:
    out = pb.ApiKey(name=f"organizations/{key.organization}/apiKeys/{key.id}", display_name=key.display_name,
                    role=pb.Role.Value(key.role.value))
    if key.created_at is not None:
        out.create_time.CopyFrom(ts(key.created_at))
    if key.revoked_at is not None:
        out.revoke_time.CopyFrom(ts(key.revoked_at))
    return out


class ApiKeyServicer(identity_pb2_grpc.ApiKeyServiceServicer):
    def __init__(self, keys: ApiKeys) -> None:
        self.keys = keys

    @grpc_errors
    def CreateApiKey(self, request: pb.CreateApiKeyRequest, context: grpc.ServicerContext) -> Any:
        who = caller(context)
        parse_parent(context, who, request.parent)
        if not request.api_key.display_name.strip():
            raise FieldError([("api_key.display_name", "必須です / required")])
        role = _role(request.api_key.role, "api_key.role")
        new = apikeys.new_key()
        record = self.keys.create(ApiKeyRecord(
            organization=who.organization, id=new.id, display_name=request.api_key.display_name.strip(),
            role=role, secret_hash=new.secret_hash,
        ))
        return pb.CreateApiKeyResponse(api_key=key_to_proto(record), key=new.key)

    @grpc_errors
    def ListApiKeys(self, request: pb.ListApiKeysRequest, context: grpc.ServicerContext) -> Any:
        who = caller(context)
        org = parse_parent(context, who, request.parent)
        limit = page_size(request.page_size)
        after = str(decode_page_token(request.page_token, org)) if request.page_token else ""
        rows = self.keys.list(org, after, limit + 1)
        token = encode_page_token(rows[limit - 1].id, org) if len(rows) > limit else ""
        return pb.ListApiKeysResponse(api_keys=[key_to_proto(k) for k in rows[:limit]], next_page_token=token)

    @grpc_errors
    def DeleteApiKey(self, request: pb.DeleteApiKeyRequest, context: grpc.ServicerContext) -> empty_pb2.Empty:
        who = caller(context)
        key_id = parse_name(context, who, request.name, "apiKeys")
        if not self.keys.revoke(who.organization, key_id):
            context.abort(grpc.StatusCode.NOT_FOUND, f"APIキーが見つかりません / {request.name} not found")
        return empty_pb2.Empty()
