"""HTTP request → protobuf request, protobuf → JSON: the proto3 JSON mapping plus the google.api.http
rules for path variables, the body and query parameters (AIP-127).

A query parameter names a field by its path, in proto or JSON spelling (``plan_date.year=2026`` or
``planDate.year=2026``); a repeated field takes the parameter once per value. Every problem raises
:class:`BadRequest` with the path of the field at fault, so the caller's 400 names it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from gateway.jsonout import to_dict
from gateway.routes import Route

_FLOATS = (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT)
#: Messages given as one JSON string in the proto3 mapping, so one query value sets them.
_STRING_MESSAGES = frozenset({
    "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask",
    "google.protobuf.StringValue", "google.protobuf.BytesValue", "google.protobuf.Int64Value",
    "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
    "google.protobuf.BoolValue", "google.protobuf.DoubleValue", "google.protobuf.FloatValue",
})
_WRAPPED_BOOL = "google.protobuf.BoolValue"
_WRAPPED_FLOATS = ("google.protobuf.DoubleValue", "google.protobuf.FloatValue")


class BadRequest(ValueError):
    """Input the request message cannot hold: ``violations`` is ``[(field path, description), …]``."""

    def __init__(self, violations: list[tuple[str, str]]) -> None:
        self.violations = violations
        field, text = violations[0]
        super().__init__(f"{field}: {text}" if field else text)


def build_request(
    route: Route, path_vars: Mapping[str, str], query: Iterable[tuple[str, str]], body: bytes
) -> Message:
    """The request message of ``route`` from its path variables (percent-encoded), query parameters
    and raw body, per the route's ``body`` rule."""
    message = route.request_class()
    if route.body:
        data = _json_body(body)
        if route.body == "*":
            _parse(data, message, "")
        else:
            target = _field(message.DESCRIPTOR, route.body)
            if target is None:
                raise BadRequest([(route.body, "the route's body field does not exist")])
            if target.message_type is not None and not target.is_repeated:
                _parse(data, getattr(message, target.name), target.json_name)
            else:
                _parse({target.json_name: data}, message, "")
    elif body.strip():
        raise BadRequest([("", "このメソッドは本文を受け付けません / this method takes no request body")])
    values: dict[str, Any] = {}
    for path, raw in path_vars.items():
        _put(values, route.request_class.DESCRIPTOR, path, unquote(raw), repeated_ok=False)
    if route.body != "*":
        bound = {p.split(".")[0] for p in path_vars} | ({route.body} if route.body else set())
        for key, raw in query:
            top = key.split(".")[0]
            if top in bound or _snake(top) in bound:
                raise BadRequest([(key, "このフィールドはパスまたは本文で指定します / this field is set "
                                        "by the path or the body, not by a query parameter")])
            _put(values, route.request_class.DESCRIPTOR, key, raw, repeated_ok=True)
    elif any(True for _ in query):
        key = next(iter(query))[0]
        raise BadRequest([(key, "本文で指定してください / this method takes its fields in the body, "
                                "not as query parameters")])
    _parse(values, message, "")
    return message


def _json_body(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest([("", f"本文が JSON ではありません / the body is not valid JSON: {exc}")]) from None


def _parse(data: Any, message: Message, prefix: str) -> None:
    if not isinstance(data, dict):
        raise BadRequest([(prefix, "JSON オブジェクトが必要です / expected a JSON object")])
    try:
        json_format.ParseDict(data, message, ignore_unknown_fields=False)
    except json_format.ParseError as exc:
        field = _failed_field(str(exc), message.DESCRIPTOR)
        if prefix:
            field = f"{prefix}.{field}" if field else prefix
        raise BadRequest([(field, _reason(str(exc)))]) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a too deep or too large value
        raise BadRequest([(prefix, str(exc))]) from None


_UNKNOWN = re.compile(r'has no field named "([^"]+)" at "([^"]*)"')
_FAILED = re.compile(r"Failed to parse (\S+) field")
_AT = re.compile(r' at "([^"]*)"')


def _failed_field(text: str, descriptor: Descriptor) -> str:
    """The JSON path of the field a ``json_format.ParseError`` is about."""
    unknown = _UNKNOWN.search(text)
    if unknown:
        where = unknown.group(2).split(".")[1:]
        return ".".join([*where, unknown.group(1)])
    at = _AT.search(text)
    if at and "." in at.group(1):
        return at.group(1).split(".", 1)[1]
    path: list[str] = []
    current: Descriptor | None = descriptor
    for name in _FAILED.findall(text):
        field = _field(current, name) if current is not None else None
        if field is None:
            break
        path.append(name)
        current = field.message_type
    return ".".join(path)


def _reason(text: str) -> str:
    text = text.split("\n", 1)[0]
    return text if len(text) <= 300 else text[:300] + "…"


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _field(descriptor: Descriptor, name: str) -> FieldDescriptor | None:
    found = descriptor.fields_by_name.get(name)
    if found is None:
        found = next((f for f in descriptor.fields if f.json_name == name), None)
    return found


def _put(values: dict[str, Any], descriptor: Descriptor, path: str, raw: str, repeated_ok: bool) -> None:
    """Set ``values[...path]`` (a dict for ``json_format.ParseDict``) to ``raw`` converted for the field
    at ``path``; repeated fields collect their values in a list."""
    parts = path.split(".")
    target = values
    for i, part in enumerate(parts):
        field = _field(descriptor, part) if descriptor is not None else None
        if field is None:
            raise BadRequest([(path, f"不明なフィールドです / unknown field {'.'.join(parts[:i + 1])!r}")])
        last = i == len(parts) - 1
        repeated = field.is_repeated
        if not last:
            if field.message_type is None or repeated or field.message_type.GetOptions().map_entry:
                raise BadRequest([(path, f"{part!r} has no sub-fields settable by a query parameter")])
            target = target.setdefault(field.json_name, {})
            if not isinstance(target, dict):
                raise BadRequest([(path, "set twice / 二重に指定されています")])
            descriptor = field.message_type
            continue
        if field.message_type is not None and field.message_type.full_name not in _STRING_MESSAGES:
            raise BadRequest([(path, "メッセージ型はサブフィールドで指定します / a message field is set "
                                     "through its sub-fields (a.b=…)")])
        value = _scalar(field, raw, path)
        if repeated:
            if not repeated_ok:
                raise BadRequest([(path, "a repeated field cannot be a path variable")])
            target.setdefault(field.json_name, []).append(value)
        elif field.json_name in target:
            raise BadRequest([(path, "繰り返せないフィールドです / this field takes one value")])
        else:
            target[field.json_name] = value


def _scalar(field: FieldDescriptor, raw: str, path: str) -> Any:
    """A query or path string as the JSON value ``json_format`` expects for ``field``."""
    kind = field.message_type.full_name if field.message_type is not None else None
    if field.type == FieldDescriptor.TYPE_BOOL or kind == _WRAPPED_BOOL:
        lowered = raw.lower()
        if lowered not in ("true", "false", "1", "0"):
            raise BadRequest([(path, f"真偽値ではありません / not a boolean: {raw[:50]!r}")])
        return lowered in ("true", "1")
    if field.type in _FLOATS or kind in _WRAPPED_FLOATS:
        try:
            return float(raw) if raw not in ("NaN", "Infinity", "-Infinity") else raw
        except ValueError:
            raise BadRequest([(path, f"数値ではありません / not a number: {raw[:50]!r}")]) from None
    return raw  # strings, enums (by name or number), integers and bytes parse from JSON strings


def to_json(message: Message) -> dict[str, Any]:
    """``message`` in the proto3 JSON mapping (lowerCamelCase names, enums by name)."""
    return to_dict(message)
