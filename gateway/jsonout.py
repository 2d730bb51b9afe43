"""Messages → proto3 JSON objects, fast: the same output as ``json_format.MessageToDict`` (camelCase
names, 64-bit integers as strings, enums by name, well-known types in their JSON forms), from
converters built once per message type that walk only the fields a message has set (``ListFields``).

``json_format`` walks every field of every message in Python; on a plan with a hundred stops that is
milliseconds per reply, the largest cost of the gateway. Types this module does not specialize (Any,
Struct, Value, wrappers, …) go through ``json_format`` itself, so the output stays exact; the unit tests
compare both on real messages.
"""

from __future__ import annotations

import base64
import datetime
import math
from collections.abc import Callable
from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.internal import type_checkers
from google.protobuf.message import Message

FD = FieldDescriptor
Converter = Callable[[Any], Any]
_INT64 = {FD.CPPTYPE_INT64, FD.CPPTYPE_UINT64}
#: Well-known types with their own JSON form, converted by ``json_format`` (except the two below).
_DELEGATED_PREFIX = "google.protobuf."
_cache: dict[str, Callable[[Message], dict[str, Any]]] = {}


def to_dict(message: Message) -> Any:
    """``message`` as ``json_format.MessageToDict(message)`` gives it."""
    return _message_converter(message.DESCRIPTOR)(message)


def _double(value: float) -> Any:
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _float(value: float) -> Any:
    if math.isfinite(value):
        return type_checkers.ToShortestFloat(value)
    return _double(value)


def _bytes(value: bytes) -> str:
    return base64.b64encode(value).decode("utf-8")


_EPOCH = datetime.datetime(1970, 1, 1)


def _timestamp(value: Message) -> str:
    """RFC 3339 in UTC with 0, 3, 6 or 9 fraction digits, as ``Timestamp.ToJsonString``."""
    nanos = value.nanos  # type: ignore[attr-defined]
    text = (_EPOCH + datetime.timedelta(seconds=value.seconds)).isoformat()  # type: ignore[attr-defined]
    if nanos == 0:
        return text + "Z"
    if nanos % 1_000_000 == 0:
        return f"{text}.{nanos // 1_000_000:03d}Z"
    if nanos % 1000 == 0:
        return f"{text}.{nanos // 1000:06d}Z"
    return f"{text}.{nanos:09d}Z"


def _duration(value: Message) -> str:
    return value.ToJsonString()  # type: ignore[attr-defined]


def _delegate(value: Message) -> Any:
    return json_format.MessageToDict(value)


def _scalar_converter(field: FieldDescriptor) -> Converter | None:
    """None: the value is its own JSON (strings, bools, 32-bit integers)."""
    if field.enum_type is not None:
        names = {v.number: v.name for v in field.enum_type.values}
        return lambda v: names.get(v, v)
    if field.cpp_type in _INT64:
        return str
    if field.type == FD.TYPE_DOUBLE:
        return _double
    if field.type == FD.TYPE_FLOAT:
        return _float
    if field.type == FD.TYPE_BYTES:
        return _bytes
    return None


def _value_converter(field: FieldDescriptor) -> Converter | None:
    if field.message_type is None:
        return _scalar_converter(field)
    full = field.message_type.full_name
    if full == "google.protobuf.Timestamp":
        return _timestamp
    if full == "google.protobuf.Duration":
        return _duration
    if full.startswith(_DELEGATED_PREFIX) or full == "google.protobuf.Any":
        return _delegate
    return _lazy(field.message_type)


def _lazy(descriptor: Descriptor) -> Converter:
    """The converter of ``descriptor``, looked up at first use (message types may be recursive)."""
    holder: list[Callable[[Message], dict[str, Any]]] = []

    def convert(value: Message) -> dict[str, Any]:
        if not holder:
            holder.append(_message_converter(descriptor))
        return holder[0](value)

    return convert


def _map_converter(field: FieldDescriptor) -> Converter:
    key_field = field.message_type.fields_by_name["key"]
    value = _value_converter(field.message_type.fields_by_name["value"])
    if key_field.type == FD.TYPE_BOOL:
        def key(k: Any) -> str:
            return "true" if k else "false"
    else:
        key = str
    if value is None:
        return lambda m: {key(k): v for k, v in m.items()}
    return lambda m: {key(k): value(v) for k, v in m.items()}


def _field_converter(field: FieldDescriptor) -> Converter | None:
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        return _map_converter(field)
    one = _value_converter(field)
    if field.is_repeated:
        if one is None:
            return list
        return lambda values: [one(v) for v in values]
    return one


def _message_converter(descriptor: Descriptor) -> Callable[[Message], dict[str, Any]]:
    found = _cache.get(descriptor.full_name)
    if found is not None:
        return found
    if descriptor.full_name.startswith(_DELEGATED_PREFIX):
        _cache[descriptor.full_name] = _delegate
        return _delegate
    table: dict[int, tuple[str, Converter | None]] = {}
    for field in descriptor.fields:
        table[field.number] = (field.json_name, _field_converter(field))

    def convert(message: Message) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field, value in message.ListFields():
            entry = table.get(field.number)
            if entry is None:  # an extension: json_format knows how to name it
                return json_format.MessageToDict(message)
            name, conv = entry
            out[name] = value if conv is None else conv(value)
        return out

    _cache[descriptor.full_name] = convert
    return convert
