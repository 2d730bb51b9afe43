"""The error model every service answers with (AIP-193), added in one place for every call.

Servicers abort as usual (``context.abort(code, "日本語 / English")`` or a status with a
``google.rpc.BadRequest``). :class:`ErrorDetailsContext`, which the server builder's interceptor hands
to every servicer, turns each abort into a status that also carries

* a ``google.rpc.ErrorInfo``: ``domain`` "hakobu.app", ``reason`` the status code's name (e.g.
  ``INVALID_ARGUMENT``, ``NOT_FOUND``), and for a bad request the first field in ``metadata["field"]``;
* one ``google.rpc.LocalizedMessage`` per language the message has (``ja-JP``, ``en-US``);

and whose main message is in the caller's language when the call names one: Japanese when
``accept-language`` prefers ``ja``, English when it prefers ``en`` (messages written "日本語 / English" are
split at the first " / "); without ``accept-language`` the message stays as written.
"""

from __future__ import annotations

from typing import Any, NoReturn

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

DOMAIN = "hakobu.app"
LANGUAGE_HEADER = "accept-language"
_DETAILS_KEY = "grpc-status-details-bin"


def split_message(text: str) -> tuple[str | None, str]:
    """``"日本語 / English"`` → (Japanese, English); a message without a Japanese part → (None, text)."""
    ja, sep, en = text.partition(" / ")
    if sep and not ja.isascii() and en:
        return ja, en
    return None, text


def prefers_japanese(accept_language: str) -> bool | None:
    """Whether an ``accept-language`` value ranks Japanese above English (``ja``, ``ja-JP,en;q=0.5``);
    None when it names neither."""
    ranked: list[tuple[float, str]] = []
    for i, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((-q, f"{i:04d}{tag.strip().lower()}"))
    for _, key in sorted(ranked):
        tag = key[4:]
        if tag.startswith("ja"):
            return True
        if tag.startswith("en"):
            return False
    return None


def _pack(message: Any) -> any_pb2.Any:
    out = any_pb2.Any()
    out.Pack(message)
    return out


def enrich(status: status_pb2.Status, japanese: bool | None) -> status_pb2.Status:
    """``status`` with an ErrorInfo and LocalizedMessages (unless it has them) and its main message in
    the caller's language (``japanese`` None: as written)."""
    ja, en = split_message(status.message)
    kinds = {d.type_url.rsplit("/", 1)[-1] for d in status.details}
    message = status.message if japanese is None else (ja if japanese and ja else en)
    out = status_pb2.Status(code=status.code, message=message, details=status.details)
    if "google.rpc.ErrorInfo" not in kinds:
        info = error_details_pb2.ErrorInfo(reason=code_pb2.Code.Name(status.code), domain=DOMAIN)
        for detail in status.details:
            bad = error_details_pb2.BadRequest()
            if detail.Unpack(bad) and bad.field_violations:
                info.metadata["field"] = bad.field_violations[0].field
        out.details.append(_pack(info))
    if "google.rpc.LocalizedMessage" not in kinds:
        out.details.append(_pack(error_details_pb2.LocalizedMessage(locale="en-US", message=en)))
        if ja:
            out.details.append(_pack(error_details_pb2.LocalizedMessage(locale="ja-JP", message=ja)))
    return out


class ErrorDetailsContext:
    """A servicer context whose aborts carry the error model's details; everything else is the call's
    own context."""

    def __init__(self, context: grpc.ServicerContext) -> None:
        self._context = context
        #: Who calls, as the server's authenticate callable said (None: not authenticated).
        self.principal: Any = None
        md = {k.lower(): v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}
        self._japanese = prefers_japanese(md.get(LANGUAGE_HEADER, ""))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)

    def abort(self, code: grpc.StatusCode, details: str) -> NoReturn:
        status = status_pb2.Status(code=code.value[0], message=details)
        self._context.abort_with_status(rpc_status.to_status(enrich(status, self._japanese)))
        raise AssertionError("unreachable")  # abort raises

    def abort_with_status(self, status: grpc.Status) -> NoReturn:
        rich: status_pb2.Status | None = None
        for key, value in getattr(status, "trailing_metadata", None) or ():
            if key == _DETAILS_KEY:
                rich = status_pb2.Status.FromString(value)
        if rich is None:
            code = status.code  # type: ignore[attr-defined]
            rich = status_pb2.Status(code=code.value[0], message=status.details)  # type: ignore[attr-defined]
        self._context.abort_with_status(rpc_status.to_status(enrich(rich, self._japanese)))
        raise AssertionError("unreachable")  # abort raises
