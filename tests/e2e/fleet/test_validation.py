"""OrganizationService over the wire: bad input is INVALID_ARGUMENT naming every field (Japanese first),
unknown names NOT_FOUND, referenced rows cannot be deleted."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import duration_pb2
from google.type import date_pb2, latlng_pb2

from hakobu.fleet.v1 import fleet_pb2 as pb
from optimizer.service.errors import field_path_resolves
from tests.e2e.fleet.client import (
    CHANGE,
    KINDS,
    Client,
    Code,
    fails,
    japanese_first,
    tod,
    violations,
)

# ---------------------------------------------------------------- bad input


def _window(start: int, end: int) -> pb.Order.TimeWindow:
    return pb.Order.TimeWindow(start_time=tod(start), end_time=tod(end))


BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    ("order", {"location": None}, "order.location"),
    ("order", {"location": latlng_pb2.LatLng(latitude=10, longitude=139.7)}, "order.location"),
    ("order", {"location": latlng_pb2.LatLng(latitude=35.7, longitude=160)}, "order.location"),
    ("order", {"time_windows": [_window(12, 9)]}, "order.time_windows[0]"),
    ("order", {"time_windows": [_window(9, 12), _window(15, 15)]}, "order.time_windows[1]"),
    ("order", {"time_windows": [pb.Order.TimeWindow(start_time=tod(9))]}, "order.time_windows[0].end_time"),
    ("order", {"time_windows": [pb.Order.TimeWindow(start_time=tod(9), end_time=tod(25))]},
     "order.time_windows[0].end_time"),
    ("order", {"weight_kg": -1}, "order.weight_kg"),
    ("order", {"volume_m3": -0.5}, "order.volume_m3"),
    ("order", {"service_duration": duration_pb2.Duration(seconds=-60)}, "order.service_duration"),
    ("order", {"allowed_vehicle_classes": ["2t", "3t"]}, "order.allowed_vehicle_classes[1]"),
    ("order", {"delivery_date": date_pb2.Date(year=2026, month=2, day=30)}, "order.delivery_date"),
    ("order", {"delivery_date": None}, "order.delivery_date"),
    ("order", {"branch": "@/branches/nowhere"}, "order.branch"),
    ("order", {"customer": "@/customers/nobody"}, "order.customer"),
    ("branch", {"location": latlng_pb2.LatLng(latitude=0, longitude=0)}, "branch.location"),
    ("branch", {"display_name": " "}, "branch.display_name"),
    ("vehicle", {"vehicle_class": "3t"}, "vehicle.vehicle_class"),
    ("vehicle", {"payload_kg": -1}, "vehicle.payload_kg"),
    ("vehicle", {"gross_weight_kg": -5}, "vehicle.gross_weight_kg"),
    ("vehicle", {"length_mm": 0}, "vehicle.length_mm"),
    ("vehicle", {"registration_number": ""}, "vehicle.registration_number"),
    ("vehicle", {"branch": "@/branches/nowhere"}, "vehicle.branch"),
    ("vehicle", {"branch": "branches/not-a-full-name"}, "vehicle.branch"),
    ("driver", {"licence_class": "自転車"}, "driver.licence_class"),
    ("driver", {"branch": ""}, "driver.branch"),
    ("customer", {"code": ""}, "customer.code"),
    ("customer", {"code": "C" * 65}, "customer.code"),
    ("customer", {"display_name": "名" * 201}, "customer.display_name"),
    ("order", {"notes": "x" * 1_000_001}, "order.notes"),
    ("driver", {"licence_number": "1" * 65}, "driver.licence_number"),
]  # fmt: skip


@pytest.mark.parametrize("kind, change, path", BAD_INPUT, ids=[p for _, _, p in BAD_INPUT])
def test_bad_input_names_the_field(a: Client, kind: str, change: dict[str, Any], path: str) -> None:
    message = a.sample(kind)
    before = len(a.list(kind))
    for field, value in change.items():
        if value is None:
            message.ClearField(field)
        elif isinstance(value, list):
            getattr(message, field).extend(value)
        elif isinstance(value, str):
            setattr(message, field, value.replace("@", a.parent))
        elif isinstance(value, int | float):
            setattr(message, field, value)
        else:
            getattr(message, field).CopyFrom(value)
    found = violations(fails(Code.INVALID_ARGUMENT, a.create, kind, message))
    assert path in found, found
    request = getattr(pb, f"Create{KINDS[kind][0]}Request").DESCRIPTOR
    assert all(field_path_resolves(request, f) for f in found), found
    assert japanese_first(found[path]) or "must look like" in found[path], found[path]
    assert len(a.list(kind)) == before, "nothing was stored"


def test_every_violation_is_reported_at_once(a: Client) -> None:
    message = a.sample("order", weight_kg=-3, time_windows=[_window(18, 8)], allowed_vehicle_classes=["11t"])
    message.ClearField("location")
    found = violations(fails(Code.INVALID_ARGUMENT, a.create, "order", message))
    assert set(found) == {
        "order.location", "order.weight_kg", "order.time_windows[0]", "order.allowed_vehicle_classes[0]",
    }  # fmt: skip


def test_updates_are_validated_too(a: Client) -> None:
    o = a.create("order", a.sample("order"))
    bad = pb.Order(name=o.name, time_windows=[_window(17, 9)], weight_kg=-1)
    found = violations(fails(Code.INVALID_ARGUMENT, a.update, "order", bad, ["time_windows"]))
    assert set(found) == {"order.time_windows[0]"}, "only masked fields are checked"
    assert a.get("order", o.name) == o


def test_bad_ids_name_the_field(a: Client) -> None:
    sample = a.sample("customer")
    found = violations(fails(Code.INVALID_ARGUMENT, a.create, "customer", sample, customer_id="ä b"))
    assert "customer_id" in found
    found = violations(fails(Code.INVALID_ARGUMENT, a.get, "customer", "customers/x"))
    assert "name" in found
    huge = "x" * 10_000  # echoed cut short: the error still fits the metadata
    err = fails(Code.INVALID_ARGUMENT, a.get, "customer", huge)
    assert len(err.details()) < 500 and "10000 characters" in err.details()


# ---------------------------------------------------------------- references and missing rows


def test_deleting_a_referenced_branch_fails_precondition(a: Client) -> None:
    branch = a.home
    v = a.create("vehicle", a.sample("vehicle"))
    err = fails(Code.FAILED_PRECONDITION, a.delete, "branch", branch.name)
    assert japanese_first(err.details())
    assert a.get("branch", branch.name) == branch
    c = a.create("customer", a.sample("customer"))
    o = a.create("order", a.sample("order", customer=c.name))
    fails(Code.FAILED_PRECONDITION, a.delete, "customer", c.name)

    a.delete("vehicle", v.name)
    a.delete("order", o.name)
    a.delete("customer", c.name)
    a.delete("branch", branch.name)
    fails(Code.NOT_FOUND, a.get, "branch", branch.name)


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_names_are_not_found(a: Client, kind: str) -> None:
    name = f"{a.parent}/{KINDS[kind][2]}/nothing-here"
    err = fails(Code.NOT_FOUND, a.get, kind, name)
    assert japanese_first(err.details()) and name in err.details()
    fails(Code.NOT_FOUND, a.delete, kind, name)
    field, value = CHANGE[kind]
    fails(Code.NOT_FOUND, a.update, kind, type(a.sample(kind))(name=name, **{field: value}), [field])


def test_errors_carry_error_info_and_the_callers_language(a: Client) -> None:
    """AIP-193: ErrorInfo (domain, reason, field) and LocalizedMessages on every error; accept-language
    picks the main message (without it, the message stays Japanese first, then English)."""
    import grpc
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    from tests.credentials import Role, metadata_for

    name = f"{a.parent}/branches/nothing-here"
    for language, main in (("ja-JP,en;q=0.5", "ja"), ("en", "en"), ("", "both")):
        md = metadata_for(a.org, Role.ADMIN, language=language or None)
        with pytest.raises(grpc.RpcError) as info:
            a.stub.GetBranch(pb.GetBranchRequest(name=name), metadata=md)
        status = rpc_status.from_call(info.value)
        assert status is not None and info.value.code() == Code.NOT_FOUND
        infos, messages = [], {}
        for d in status.details:
            ei, lm = error_details_pb2.ErrorInfo(), error_details_pb2.LocalizedMessage()
            if d.Unpack(ei):
                infos.append(ei)
            elif d.Unpack(lm):
                messages[lm.locale] = lm.message
        assert [(i.domain, i.reason) for i in infos] == [("hakobu.app", "NOT_FOUND")]
        assert set(messages) == {"ja-JP", "en-US"} and name in messages["en-US"]
        want = {"ja": messages["ja-JP"], "en": messages["en-US"]}.get(main)
        assert status.message == (want or f'{messages["ja-JP"]} / {messages["en-US"]}')

    err = fails(Code.INVALID_ARGUMENT, a.create, "order", a.sample("order", weight_kg=-1))
    status = rpc_status.from_call(err)
    assert status is not None
    fields = []
    for d in status.details:
        ei = error_details_pb2.ErrorInfo()
        if d.Unpack(ei):
            fields.append(ei.metadata["field"])
    assert fields == ["order.weight_kg"]
