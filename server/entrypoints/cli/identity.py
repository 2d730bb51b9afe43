"""``hakobu users create|set-password|list`` and ``hakobu apikeys create|list|revoke``: identity on the
store directly (for the first ADMIN, scripts and operators; ADMINs use UserService / ApiKeyService)."""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from types import ModuleType
from typing import Any

from server.platform.settings import Settings

ROLES = ("ADMIN", "DISPATCHER", "DRIVER")


def add_parsers(sub: Any, settings: Settings) -> None:
    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--organization", "--org", default=settings.organization,
                       help="organization id (default HAKOBU_ORGANIZATION)")
        p.add_argument("--url", default=None, help="PostgreSQL URL (default: DATABASE_URL, else embedded)")

    us = sub.add_parser("users", help="users of an organization: create, set-password, list")
    uss = us.add_subparsers(dest="users_command", required=True)
    c = uss.add_parser("create", help="create a user")
    c.add_argument("login")
    c.add_argument("--role", choices=ROLES, required=True)
    c.add_argument("--name", required=True, help="display name")
    c.add_argument("--id", default=None, help="user id (default: U-<random>)")
    c.add_argument("--branch", default=None, help="branch id")
    c.add_argument("--driver", default=None, help="driver id of a DRIVER user")
    c.add_argument("--email", default="")
    c.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    common(c)
    p = uss.add_parser("set-password", help="set a user's password")
    p.add_argument("login")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    common(p)
    common(uss.add_parser("list", help="list the users"))

    ak = sub.add_parser("apikeys", help="API keys of an organization's dispatch systems")
    aks = ak.add_subparsers(dest="apikeys_command", required=True)
    k = aks.add_parser("create", help="create a key (printed once)")
    k.add_argument("--role", choices=ROLES, default="DISPATCHER")
    k.add_argument("--name", required=True, help="what the key is for")
    common(k)
    common(aks.add_parser("list", help="list the keys (never their secrets)"))
    r = aks.add_parser("revoke", help="revoke a key")
    r.add_argument("id", help="key id (the part after hk_)")
    common(r)


def _password(ns: argparse.Namespace) -> str:
    if ns.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("パスワード / password: ")
    if getpass.getpass("もう一度 / again: ") != first:
        raise ValueError("パスワードが一致しません / the passwords differ")
    return first


def run(settings: Settings, wiring: ModuleType, ns: argparse.Namespace) -> int:
    from server.adapters.postgres.database import Database
    from server.adapters.postgres.migrate import migrate
    from server.identity.errors import InvalidInput, NotFound
    from server.plans.errors import RepositoryError

    url = str(ns.url) if ns.url else wiring.database_url(settings)
    migrate(url)
    db = Database(url)
    try:
        if ns.command == "users":
            return _users(db, ns)
        return _apikeys(db, ns)
    except (InvalidInput, NotFound, RepositoryError, ValueError) as exc:
        print(f"hakobu: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()


def _users(db: Any, ns: argparse.Namespace) -> int:
    from server.adapters.postgres.identity import PgUsers
    from server.identity import accounts
    from server.identity.errors import InvalidInput, NotFound
    from server.identity.passwords import hash_password, password_problem
    from server.identity.ports import UserRecord
    from server.identity.principal import Role

    users, org = PgUsers(db), ns.organization
    if ns.users_command == "list":
        after, rows = "", []
        while batch := users.list(org, after, 500):
            rows += batch
            after = batch[-1].id
        print(f"{'id':<12} {'login':<16} {'role':<10} {'branch':<10} {'driver':<8} name")
        for u in rows:
            print(f"{u.id:<12} {u.login:<16} {u.role.value:<10} {u.branch or '-':<10} {u.driver or '-':<8} "
                  f"{u.display_name}")
        return 0
    if ns.users_command == "create":
        password_hash = ""
        if ns.password_stdin:
            password = _password(ns)
            problem = password_problem(password)
            if problem:
                raise InvalidInput("password", problem)
            password_hash = hash_password(password)
        user = users.create(UserRecord(
            organization=org, id=ns.id or f"U-{secrets.token_hex(4)}", login=ns.login, display_name=ns.name,
            role=Role(ns.role), email=ns.email, branch=ns.branch, driver=ns.driver,
            password_hash=password_hash,
        ))
        print(f"created organizations/{org}/users/{user.id} ({user.login}, {user.role.value})")
        return 0
    user = users.by_login(org, ns.login)
    if user is None:
        raise NotFound(f"利用者が見つかりません / no user {ns.login!r} in {org}")
    accounts.set_password(users, org, user.id, _password(ns))
    print(f"password set for {ns.login} (organizations/{org}/users/{user.id})")
    return 0


def _apikeys(db: Any, ns: argparse.Namespace) -> int:
    from server.adapters.postgres.identity import PgApiKeys
    from server.identity import apikeys
    from server.identity.errors import NotFound
    from server.identity.ports import ApiKeyRecord
    from server.identity.principal import Role

    keys, org = PgApiKeys(db), ns.organization
    if ns.apikeys_command == "create":
        new = apikeys.new_key()
        keys.create(ApiKeyRecord(org, new.id, ns.name, Role(ns.role), new.secret_hash))
        print(f"created organizations/{org}/apiKeys/{new.id} ({ns.role}); the key, shown only now:")
        print(new.key)
        return 0
    if ns.apikeys_command == "revoke":
        if not keys.revoke(org, ns.id):
            raise NotFound(f"APIキーが見つかりません / no API key {ns.id!r} in {org}")
        print(f"revoked organizations/{org}/apiKeys/{ns.id}")
        return 0
    after = ""
    print(f"{'id':<18} {'role':<10} {'created':<20} {'revoked':<20} name")
    while batch := keys.list(org, after, 500):
        for k in batch:
            created = f"{k.created_at:%Y-%m-%d %H:%M}" if k.created_at else "-"
            revoked = f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "-"
            print(f"{k.id:<18} {k.role.value:<10} {created:<20} {revoked:<20} {k.display_name}")
        after = batch[-1].id
    return 0
