"""Who is calling, and which organization a resource name belongs to.

The server's authenticate callable (``server.entrypoints.grpc.auth``) has put the caller's principal on
the context: the organization and the user come from that credential (a token or an API key), never from
a header the caller sets. Only Hakobu's own services (a SERVICE credential) name the organization they act
for in ``x-hakobu-organization`` (and the user in ``x-hakobu-user``). Every resource name is
``organizations/{org}/…``; a name in another organization than the caller's is ``PERMISSION_DENIED``
whether or not the row exists, so nothing about other organizations leaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import grpc

from server.entrypoints.grpc.errors import abort_bad_request
from server.identity.principal import Kind, Principal

#: Longest piece of a caller's input echoed back in an error (so an error always fits the metadata).
MAX_ECHO = 100
ORG_HEADER = "x-hakobu-organization"
USER_HEADER = "x-hakobu-user"
_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}"


@dataclass(frozen=True)
class Caller:
    organization: str
    user: str | None = None
    principal: Principal | None = None

    @property
    def parent(self) -> str:
        return f"organizations/{self.organization}"


def shown(value: str) -> str:
    """``value`` quoted for an error message, cut to ``MAX_ECHO`` characters."""
    return repr(value) if len(value) <= MAX_ECHO else repr(value[:MAX_ECHO]) + f"… ({len(value)} characters)"


def principal(context: grpc.ServicerContext) -> Principal:
    """The call's principal; aborts ``UNAUTHENTICATED`` when the call has none."""
    who = getattr(context, "principal", None)
    if not isinstance(who, Principal):
        context.abort(
            grpc.StatusCode.UNAUTHENTICATED,
            "認証情報がありません / missing credentials: send 'authorization: Bearer <token>' or an API key",
        )
    return who


def caller(context: grpc.ServicerContext) -> Caller:
    """The caller's organization and user, from the call's credential; aborts ``UNAUTHENTICATED``
    without one (or for a service credential that names no organization)."""
    who = principal(context)
    if who.kind is not Kind.SERVICE:
        return Caller(who.organization, who.user, who)
    md = {k.lower(): v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}
    if not who.organization:
        context.abort(
            grpc.StatusCode.UNAUTHENTICATED,
            f"組織が指定されていません / a service call must name the organization in {ORG_HEADER!r}",
        )
    return Caller(who.organization, md.get(USER_HEADER, "").strip() or None, who)


def _check_org(context: grpc.ServicerContext, who: Caller, org: str) -> None:
    if org != who.organization:
        context.abort(
            grpc.StatusCode.PERMISSION_DENIED,
            f"他の組織のデータにはアクセスできません / organizations/{org} is not the caller's organization",
        )


def parse_parent(context: grpc.ServicerContext, who: Caller, parent: str, field: str = "parent") -> str:
    """``organizations/{org}`` → org (the caller's; an empty parent means the caller's organization)."""
    if not parent:
        return who.organization
    m = re.fullmatch(rf"organizations/({_SEGMENT})", parent)
    if m is None:
        abort_bad_request(
            context, [(field, f"must look like organizations/{{organization}}, got {shown(parent)}")]
        )
    _check_org(context, who, m.group(1))
    return m.group(1)


def parse_name(
    context: grpc.ServicerContext, who: Caller, name: str, collection: str, field: str = "name"
) -> str:
    """``organizations/{org}/{collection}/{id}`` → id, after checking org is the caller's."""
    m = re.fullmatch(rf"organizations/({_SEGMENT})/{re.escape(collection)}/({_SEGMENT})", name or "")
    if m is None:
        abort_bad_request(
            context,
            [(field, f"must look like organizations/{{organization}}/{collection}/{{id}}, "
                     f"got {shown(name)}")],
        )
    _check_org(context, who, m.group(1))
    return m.group(2)


def resource_name(org: str, collection: str, id: str) -> str:
    return f"organizations/{org}/{collection}/{id}"
