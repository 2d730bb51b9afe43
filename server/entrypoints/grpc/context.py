"""Who is calling, and which organization a resource name belongs to.

The services sit behind the gateway (or another trusted caller) that authenticates the user and passes
the identity as call metadata: ``x-hakobu-organization`` (required) and ``x-hakobu-user`` (optional, the
user id recorded as who changed a plan). Every resource name is ``organizations/{org}/…``; a name in
another organization than the caller's is ``PERMISSION_DENIED`` whether or not the row exists, so
nothing about other organizations leaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import grpc

from server.entrypoints.grpc.errors import abort_bad_request

#: Longest piece of a caller's input echoed back in an error (so an error always fits the metadata).
MAX_ECHO = 100
ORG_HEADER = "x-hakobu-organization"
USER_HEADER = "x-hakobu-user"
_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}"


@dataclass(frozen=True)
class Caller:
    organization: str
    user: str | None = None

    @property
    def parent(self) -> str:
        return f"organizations/{self.organization}"


def shown(value: str) -> str:
    """``value`` quoted for an error message, cut to ``MAX_ECHO`` characters."""
    return repr(value) if len(value) <= MAX_ECHO else repr(value[:MAX_ECHO]) + f"… ({len(value)} characters)"


def caller(context: grpc.ServicerContext) -> Caller:
    """The caller's identity from the call metadata; aborts ``UNAUTHENTICATED`` without one."""
    md = {k.lower(): v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}
    org = md.get(ORG_HEADER, "").strip()
    if not org:
        context.abort(
            grpc.StatusCode.UNAUTHENTICATED,
            f"組織が指定されていません / missing call metadata {ORG_HEADER!r} (the caller's organization)",
        )
    user = md.get(USER_HEADER, "").strip() or None
    return Caller(org, user)


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
