"""AIP helpers shared by every gRPC edge: update masks (AIP-134), client ids and request ids (AIP-122,
AIP-155), etags (AIP-154), filters (an AIP-160 subset) and page tokens (AIP-158).

Each turns bad input into a ``FieldError`` naming the request field (``update_mask``, ``filter``,
``page_token`` …), which ``@grpc_errors`` answers as INVALID_ARGUMENT with a BadRequest.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from optimizer.licences import parse_licence
from server.entrypoints.grpc.context import shown
from server.entrypoints.grpc.errors import FieldError

#: A client-chosen id: the last segment of a resource name (the alphabet ``context.parse_name`` reads).
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")
MAX_REQUEST_ID = 128
#: Fields every resource has that a client never writes; an update mask naming them is not an error.
OUTPUT_ONLY = frozenset({"name", "etag", "create_time", "update_time"})
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000

#: ``resolve(resource name, collection, field path) -> row id``; raises FieldError (or aborts) when it can't.
Resolve = Callable[[str, str, str], str]


# ---------------------------------------------------------------- update masks, ids, etags


def update_paths(paths: Sequence[str], mutable: Sequence[str]) -> tuple[str, ...]:
    """The mutable fields an update mask names: empty or ``*`` = all; output-only fields are ignored."""
    if not paths or "*" in paths:
        return tuple(mutable)
    bad = [p for p in paths if p not in mutable and p not in OUTPUT_ONLY]
    if bad:
        raise FieldError(
            [
                (
                    "update_mask",
                    f"更新できない項目です / unknown or immutable field {shown(p)}; "
                    f"allowed: {', '.join(mutable)}",
                )
                for p in bad
            ]
        )
    return tuple(p for p in mutable if p in paths)


def check_create_ids(resource_id: str, request_id: str, id_field: str) -> None:
    """AIP-122 client-chosen id and AIP-155 request id: both optional, both bounded."""
    bad = []
    if resource_id and not ID_PATTERN.fullmatch(resource_id):
        bad.append(
            (
                id_field,
                f"IDに使えない文字が含まれています / {id_field} must be 1..128 of A-Za-z0-9._~- "
                f"starting with a letter or digit, got {shown(resource_id)}",
            )
        )
    if len(request_id) > MAX_REQUEST_ID:
        bad.append(("request_id", f"長すぎます / request_id is longer than {MAX_REQUEST_ID} characters"))
    if bad:
        raise FieldError(bad)


_ETAG = re.compile(r'(W/)?"?\d{1,9}"?')


def etag_or_none(etag: str, field: str) -> str | None:
    """``None`` for an unconditional write; FieldError for an etag this service never hands out."""
    if not etag:
        return None
    if not _ETAG.fullmatch(etag.strip()):
        raise FieldError([(field, f"不正なetagです / {shown(etag)} is not an etag returned by this service")])
    return etag


# ---------------------------------------------------------------- filters (AIP-160 subset)

_CLAUSE = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"=()]+)\s*')
_AND = re.compile(r"AND\s+")


def _filter_error(text: str) -> FieldError:
    return FieldError([("filter", text)])


def _unquote(value: str) -> str:
    if value.startswith('"'):
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _filter_text(value: str, resolve: Resolve) -> str:
    return value


def _filter_date(value: str, resolve: Resolve) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise _filter_error(f"日付はYYYY-MM-DDで指定してください / bad date {shown(value)}") from None


def _filter_licence(value: str, resolve: Resolve) -> str:
    try:
        return parse_licence(value).value
    except ValueError as exc:
        raise _filter_error(f"不明な免許区分です / {exc}") from None


def _filter_ref(collection: str) -> Callable[[str, Resolve], str]:
    def convert(value: str, resolve: Resolve) -> str:
        return resolve(value, collection, "filter")

    return convert


def _filter_enum(enum: Any, what: str = "status") -> Callable[[str, Resolve], str]:
    names = [n for n in enum.keys() if not n.endswith("_UNSPECIFIED")]

    def convert(value: str, resolve: Resolve) -> str:
        if value not in names:
            known = ", ".join(names)
            raise _filter_error(f"不明な値です / unknown {what} {shown(value)}; expected one of {known}")
        return value

    return convert


#: filter field → (repository field, value converter)
FilterSpec = Mapping[str, tuple[str, Callable[[str, Resolve], Any]]]


def parse_filter(text: str, spec: FilterSpec, resolve: Resolve) -> dict[str, Any]:
    """``field = value [AND field = value …]`` → ``{repository field: value}``; FieldError on ``filter``."""
    out: dict[str, Any] = {}
    pos, text = 0, text.strip()
    while pos < len(text):
        m = _CLAUSE.match(text, pos)
        if m is None:
            raise _filter_error(
                f"フィルタを読めません / cannot read the filter at character {pos + 1}: expected "
                f'`field = value` clauses joined by AND, e.g. `status = AVAILABLE AND code = "X"`'
            )
        field, value = m.group(1), _unquote(m.group(2))
        if field not in spec:
            raise _filter_error(
                f"この項目では絞り込めません / cannot filter by {shown(field)}; allowed: {', '.join(spec)}"
            )
        column, convert = spec[field]
        if column in out:
            raise _filter_error(f"項目が重複しています / {shown(field)} appears twice in the filter")
        out[column] = convert(value, resolve)
        pos = m.end()
        if pos < len(text):
            and_ = _AND.match(text, pos)
            if and_ is None:
                raise _filter_error(
                    f"フィルタを読めません / expected AND at character {pos + 1} of the filter"
                )
            pos = and_.end()
    return out


def filter_bool(value: str, resolve: Resolve) -> bool:
    """A ``true`` / ``false`` filter value."""
    if value not in ("true", "false"):
        raise _filter_error(f"true か false を指定してください / expected true or false, got {shown(value)}")
    return value == "true"


def filter_enum(enum: Any, what: str = "status") -> Callable[[str, Resolve], str]:
    """A filter value that must be one of ``enum``'s names (UNSPECIFIED excluded)."""
    return _filter_enum(enum, what)


filter_text = _filter_text
filter_date = _filter_date
filter_licence = _filter_licence
filter_ref = _filter_ref


# ---------------------------------------------------------------- page sizes and tokens (AIP-158)


def page_size(value: int, field: str = "page_size") -> int:
    """The page size to use: 0 means the default, more than the maximum means the maximum."""
    if value < 0:
        raise FieldError([(field, f"0以上を指定してください / {field} must be >= 0, got {value}")])
    return min(value or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def encode_page_token(cursor: Any, query: Any) -> str:
    """An opaque token for the page after ``cursor`` (JSON data) of the list asked by ``query`` (JSON data:
    the filter and whatever else must stay the same from page to page)."""
    raw = json.dumps([cursor, query], ensure_ascii=False, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str, query: Any, field: str = "page_token") -> Any:
    """The cursor in a token from :func:`encode_page_token`; FieldError when it is not one of ours or was
    made for another query."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        cursor, made_for = json.loads(raw)
    except (ValueError, TypeError, binascii.Error):
        raise FieldError(
            [(field, "ページトークンが使えません / bad page_token; start again without it")]
        ) from None
    if made_for != json.loads(json.dumps(query, default=str)):
        raise FieldError(
            [(field, "条件が最初のページと違います / page_token was made for another filter; start again")]
        )
    return cursor
