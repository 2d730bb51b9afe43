"""The fast JSON converter gives exactly what ``json_format.MessageToDict`` gives, for every message type
of the API, filled with random values of every kind (NaN, ±Infinity, 64-bit integers, bytes, enums,
maps, repeated and nested messages, Any, Timestamp, Duration)."""

from __future__ import annotations

import random

import pytest
from google.longrunning import operations_pb2
from google.protobuf import any_pb2, json_format, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from gateway.jsonout import to_dict
from gateway.routes import api_modules

FD = FieldDescriptor
_FLOATS = [0.0, 1.5, -2.25, 1e-7, 3.4e38, float("nan"), float("inf"), float("-inf"), 0.1]


def _scalar(field: FieldDescriptor, rnd: random.Random) -> object:
    t = field.type
    if field.enum_type is not None:
        return rnd.choice(field.enum_type.values).number
    if t in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT):
        return rnd.choice(_FLOATS)
    if t in (FD.TYPE_INT64, FD.TYPE_SINT64, FD.TYPE_SFIXED64):
        return rnd.choice([0, -1, 2**62, -(2**63), 12345])
    if t in (FD.TYPE_UINT64, FD.TYPE_FIXED64):
        return rnd.choice([0, 2**64 - 1, 7])
    if t in (FD.TYPE_INT32, FD.TYPE_SINT32, FD.TYPE_SFIXED32):
        return rnd.choice([0, -5, 2**31 - 1])
    if t in (FD.TYPE_UINT32, FD.TYPE_FIXED32):
        return rnd.choice([0, 2**32 - 1])
    if t == FD.TYPE_BOOL:
        return rnd.random() < 0.5
    if t == FD.TYPE_BYTES:
        return bytes(rnd.randrange(256) for _ in range(rnd.randrange(5)))
    return rnd.choice(["", "練馬営業所", "organizations/ORG-001/plans/P1", "a\"b\\c"])


def _fill(message: Message, rnd: random.Random, depth: int = 0) -> Message:
    name = message.DESCRIPTOR.full_name
    if name == "google.protobuf.Timestamp":
        message.FromSeconds(rnd.randrange(0, 2_000_000_000))  # type: ignore[attr-defined]
        message.nanos = rnd.choice([0, 500_000_000, 1])  # type: ignore[attr-defined]
        return message
    if name == "google.protobuf.Duration":
        message.FromNanoseconds(rnd.choice([0, 1_500_000_000, 30 * 10**9, 1]))  # type: ignore[attr-defined]
        return message
    if name == "google.protobuf.Any":
        inner = operations_pb2.Operation(name="operations/x", done=True)
        message.Pack(inner)  # type: ignore[attr-defined]
        return message
    if name.startswith("google.protobuf.") and name not in ("google.protobuf.Empty",):
        return message  # Struct, Value, wrappers: left empty (json_format converts them either way)
    for field in message.DESCRIPTOR.fields:
        if rnd.random() < 0.25:
            continue
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            container = getattr(message, field.name)
            key_f = field.message_type.fields_by_name["key"]
            val_f = field.message_type.fields_by_name["value"]
            for _ in range(rnd.randrange(3)):
                key = _scalar(key_f, rnd)
                if val_f.message_type is not None:
                    if depth < 3:
                        _fill(container[key], rnd, depth + 1)
                else:
                    container[key] = _scalar(val_f, rnd)
            continue
        if field.is_repeated:
            container = getattr(message, field.name)
            for _ in range(rnd.randrange(4)):
                if field.message_type is not None:
                    if depth < 3:
                        _fill(container.add(), rnd, depth + 1)
                else:
                    container.append(_scalar(field, rnd))
            continue
        if field.message_type is not None:
            if depth < 3:
                _fill(getattr(message, field.name), rnd, depth + 1)
            continue
        setattr(message, field.name, _scalar(field, rnd))
    return message


def _all_messages() -> list[Descriptor]:
    out: list[Descriptor] = []

    def walk(d: Descriptor) -> None:
        if d.GetOptions().map_entry:
            return
        out.append(d)
        for nested in d.nested_types:
            walk(nested)

    for module in api_modules():
        for d in module.DESCRIPTOR.message_types_by_name.values():
            walk(d)
    return [*out, operations_pb2.Operation.DESCRIPTOR]


@pytest.mark.parametrize("descriptor", _all_messages(), ids=lambda d: d.full_name)
def test_same_json_as_json_format(descriptor: Descriptor) -> None:
    cls = message_factory.GetMessageClass(descriptor)
    for seed in range(8):
        message = _fill(cls(), random.Random(seed))
        assert to_dict(message) == json_format.MessageToDict(message), message


def test_any_at_the_top() -> None:
    any_ = any_pb2.Any()
    any_.Pack(operations_pb2.Operation(name="operations/1"))
    assert to_dict(any_) == json_format.MessageToDict(any_)
