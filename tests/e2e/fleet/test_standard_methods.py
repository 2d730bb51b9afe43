"""OrganizationService over the wire: the standard methods, paging, filters, masks, etags, request ids
and isolation between organizations."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import duration_pb2
from google.type import date_pb2, latlng_pb2

from hakobu.fleet.v1 import fleet_pb2 as pb
from server.entrypoints.grpc.context import ORG_HEADER
from tests.e2e.fleet.client import (
    CHANGE,
    KINDS,
    Client,
    Code,
    Stub,
    fails,
    japanese_first,
    tod,
    uid,
    violations,
)

# ---------------------------------------------------------------- CRUD


@pytest.mark.parametrize("kind", KINDS)
def test_create_get_list_update_delete(a: Client, kind: str) -> None:
    """Every resource goes through its whole life over the wire, under a client-chosen id."""
    collection = KINDS[kind][2]
    chosen = uid(kind)
    created = a.create(kind, a.sample(kind), **{f"{kind}_id": chosen})
    assert created.name == f"{a.parent}/{collection}/{chosen}"
    assert created.etag and created.create_time.seconds > 0 and created.update_time.seconds > 0
    assert a.get(kind, created.name) == created
    assert created.name in [r.name for r in a.list(kind)]

    field, value = CHANGE[kind]
    change = type(created)(name=created.name, etag=created.etag, **{field: value})
    updated = a.update(kind, change, [field])
    assert getattr(updated, field) == value
    assert updated.etag != created.etag
    expected = type(created)()
    expected.CopyFrom(created)
    setattr(expected, field, value)
    for meta in ("etag", "update_time"):
        expected.ClearField(meta)
        updated.ClearField(meta)
    assert updated == expected, "only the masked field changed"

    a.delete(kind, created.name, etag=a.get(kind, created.name).etag)
    fails(Code.NOT_FOUND, a.get, kind, created.name)
    fails(Code.NOT_FOUND, a.delete, kind, created.name)
    assert created.name not in [r.name for r in a.list(kind)]


def test_order_round_trips_every_field(a: Client) -> None:
    """Dates, Japan-time windows, durations, references and enums survive storage unchanged."""
    customer = a.create("customer", a.sample("customer"))
    order = a.sample(
        "order",
        customer=customer.name,
        address="東京都練馬区豊玉北6-12-1",
        time_windows=[
            pb.Order.TimeWindow(start_time=tod(9), end_time=tod(12)),
            pb.Order.TimeWindow(start_time=tod(14, 30), end_time=tod(16)),
        ],
        volume_m3=0.75,
        service_duration=duration_pb2.Duration(seconds=420),
        allowed_vehicle_classes=["軽", "2t"],
        notes="午前中",
        status=pb.Order.PLANNED,
    )
    created = a.create("order", order)
    for field in ("name", "etag", "create_time", "update_time"):
        created.ClearField(field)
    assert created == order

    plain = a.create("order", a.sample("order"))
    assert plain.status == pb.Order.PENDING
    assert plain.service_duration.seconds == 300, "unset service duration defaults to 5 minutes"
    assert plain.customer == "" and not plain.time_windows


def test_vehicle_and_driver_details(a: Client) -> None:
    """Optional vehicle sizes stay unset until given; a romaji licence class is stored in Japanese."""
    bare = a.create("vehicle", a.sample("vehicle", gross_weight_kg=None))
    assert not bare.HasField("gross_weight_kg") and not bare.HasField("length_mm")
    assert bare.status == pb.Vehicle.AVAILABLE
    sizes = dict(length_mm=6200, width_mm=2200, height_mm=3100, volume_m3=18)
    sized = a.create("vehicle", a.sample("vehicle", **sizes))
    assert (sized.length_mm, sized.width_mm, sized.height_mm, sized.volume_m3) == (6200, 2200, 3100, 18)

    driver = a.create("driver", a.sample("driver", licence_class="CHUGATA"))
    assert driver.licence_class == "中型"
    assert driver.status == pb.Driver.AVAILABLE
    assert a.create("driver", a.sample("driver", licence_class="")).licence_class == ""


def test_duplicates_are_already_exists(a: Client) -> None:
    first = a.create("branch", a.sample("branch"), branch_id="nerima")
    fails(Code.ALREADY_EXISTS, a.create, "branch", a.sample("branch"), branch_id="nerima")
    err = fails(Code.ALREADY_EXISTS, a.create, "branch", a.sample("branch", code=first.code))
    assert japanese_first(err.details())


# ---------------------------------------------------------------- paging and filters


def test_paging_walks_every_row_once(a: Client) -> None:
    names = {a.create("customer", a.sample("customer")).name for _ in range(7)}
    pages: list[list[str]] = []
    token = ""
    while True:
        request = pb.ListCustomersRequest(parent=a.parent, page_size=3, page_token=token)
        page = a.call("ListCustomers", request)
        pages.append([c.name for c in page.customers])
        token = page.next_page_token
        if not token:
            break
    assert [len(p) for p in pages] == [3, 3, 1]
    seen = [n for p in pages for n in p]
    assert seen == sorted(seen) and set(seen) == names

    first = a.call("ListCustomers", pb.ListCustomersRequest(parent=a.parent, page_size=3))
    other_filter = pb.ListCustomersRequest(
        parent=a.parent, page_size=3, page_token=first.next_page_token, filter='code = "x"'
    )
    assert "page_token" in violations(fails(Code.INVALID_ARGUMENT, a.call, "ListCustomers", other_filter))
    garbage = pb.ListCustomersRequest(parent=a.parent, page_token="not-a-token")
    assert "page_token" in violations(fails(Code.INVALID_ARGUMENT, a.call, "ListCustomers", garbage))
    negative = pb.ListCustomersRequest(parent=a.parent, page_size=-1)
    assert "page_size" in violations(fails(Code.INVALID_ARGUMENT, a.call, "ListCustomers", negative))
    everything = a.call("ListCustomers", pb.ListCustomersRequest(page_size=100))
    assert _names(list(everything.customers)) == names, "an empty parent means the caller's organization"


def _names(items: list[Any]) -> set[str]:
    return {i.name for i in items}


def test_filters(a: Client) -> None:
    b1, b2 = a.home, a.create("branch", a.sample("branch"))
    v1 = a.create("vehicle", a.sample("vehicle"))
    v2 = a.create("vehicle", a.sample("vehicle", vehicle_class="4t", status=pb.Vehicle.MAINTENANCE))
    v3 = a.create("vehicle", a.sample("vehicle", branch=b2.name))
    assert _names(a.list("vehicle", filter=f'branch = "{b1.name}"')) == _names([v1, v2])
    both = f'branch = "{b1.name}" AND status = AVAILABLE'
    assert _names(a.list("vehicle", filter=both)) == _names([v1])
    assert _names(a.list("vehicle", filter='vehicle_class = "2t"')) == _names([v1, v3])
    assert _names(a.list("vehicle", filter="status=MAINTENANCE")) == _names([v2])

    c = a.create("customer", a.sample("customer", code="C-100"))
    assert _names(a.list("customer", filter='code = "C-100"')) == _names([c])
    day1, day2 = date_pb2.Date(year=2026, month=12, day=1), date_pb2.Date(year=2026, month=12, day=2)
    o1 = a.create("order", a.sample("order", delivery_date=day1))
    o2 = a.create("order", a.sample("order", delivery_date=day2))
    o3 = a.create("order", a.sample("order", delivery_date=day1, branch=b2.name, customer=c.name))
    assert _names(a.list("order", filter='delivery_date = "2026-12-01"')) == _names([o1, o3])
    day_and_branch = f'delivery_date = "2026-12-01" AND branch = "{b1.name}"'
    assert _names(a.list("order", filter=day_and_branch)) == {o1.name}
    assert _names(a.list("order", filter=f'customer = "{c.name}"')) == {o3.name}
    assert _names(a.list("order", filter="status = PENDING")) == _names([o1, o2, o3])
    assert a.list("order", filter="status = DELIVERED") == []

    d = a.create("driver", a.sample("driver", licence_class="中型"))
    a.create("driver", a.sample("driver", licence_class="普通"))
    assert _names(a.list("driver", filter="licence_class = CHUGATA")) == {d.name}


@pytest.mark.parametrize(
    "kind, text",
    [
        ("vehicle", "colour = red"),
        ("vehicle", "status = FLYING"),
        ("vehicle", "status AVAILABLE"),
        ("vehicle", "status = AVAILABLE OR status = RETIRED"),
        ("vehicle", "status = AVAILABLE AND status = RETIRED"),
        ("vehicle", 'branch = "branches/b1"'),
        ("order", 'delivery_date = "12/01/2026"'),
        ("customer", "status = PENDING"),
        ("driver", 'licence_class = "自転車"'),
    ],
)
def test_bad_filters_name_the_filter(a: Client, kind: str, text: str) -> None:
    found = violations(fails(Code.INVALID_ARGUMENT, lambda: a.list(kind, filter=text)))
    assert set(found) == {"filter"}
    assert japanese_first(found["filter"]) or "must look like" in found["filter"]


# ---------------------------------------------------------------- updates and concurrency


def test_update_mask_changes_only_the_named_fields(a: Client) -> None:
    v = a.create("vehicle", a.sample("vehicle", length_mm=4700))
    bigger = a.update("vehicle", pb.Vehicle(name=v.name, payload_kg=3000), ["payload_kg"])
    assert bigger.payload_kg == 3000
    assert (bigger.vehicle_class, bigger.registration_number, bigger.branch) == (
        v.vehicle_class, v.registration_number, v.branch,
    )  # fmt: skip
    assert bigger.gross_weight_kg == 5000 and bigger.length_mm == 4700

    cleared = a.update("vehicle", pb.Vehicle(name=v.name), ["gross_weight_kg", "etag", "name"])
    assert not cleared.HasField("gross_weight_kg"), "a masked unset optional field is cleared"
    assert cleared.payload_kg == 3000

    for paths in (["colour"], ["location"], ["payload_kg", "branch.name"]):
        err = fails(Code.INVALID_ARGUMENT, a.update, "vehicle", pb.Vehicle(name=v.name), paths)
        assert "update_mask" in violations(err)
    assert a.get("vehicle", v.name).etag == cleared.etag, "a refused update writes nothing"

    full = a.get("vehicle", v.name)
    full.registration_number = "練馬100あ0001"
    full.status = pb.Vehicle.RETIRED
    full.ClearField("length_mm")
    replaced = a.update("vehicle", full)  # empty mask: every mutable field
    assert replaced.registration_number == "練馬100あ0001" and replaced.status == pb.Vehicle.RETIRED
    assert not replaced.HasField("length_mm")

    b = a.create("branch", a.sample("branch"))
    osaka = latlng_pb2.LatLng(latitude=34.7, longitude=135.5)
    moved = a.update("branch", pb.Branch(name=b.name, location=osaka), ["location"])
    assert (moved.location.latitude, moved.location.longitude) == (34.7, 135.5) and moved.code == b.code


def test_stale_etag_is_aborted_and_loses_nothing(a: Client) -> None:
    c = a.create("customer", a.sample("customer"))
    mine = a.update("customer", pb.Customer(name=c.name, etag=c.etag, phone_number="03-1111-2222"),
                    ["phone_number"])  # fmt: skip
    theirs = pb.Customer(name=c.name, etag=c.etag, phone_number="06-9999-0000")
    err = fails(Code.ABORTED, a.update, "customer", theirs, ["phone_number"])
    assert japanese_first(err.details())
    assert a.get("customer", c.name) == mine, "the first writer's change is kept"

    fails(Code.ABORTED, a.delete, "customer", c.name, c.etag)
    assert a.get("customer", c.name) == mine, "a stale delete deletes nothing"
    bad = violations(fails(Code.INVALID_ARGUMENT, a.update, "customer", pb.Customer(name=c.name, etag="abc")))
    assert "customer.etag" in bad
    a.delete("customer", c.name, mine.etag)


def test_request_id_retry_returns_the_same_row(a: Client) -> None:
    order = a.sample("order")
    rid = str(uuid.uuid4())
    first = a.create("order", order, request_id=rid)
    again = a.create("order", order, request_id=rid)
    assert again == first
    assert len(a.list("order")) == 1
    other = a.create("order", order, request_id=str(uuid.uuid4()))
    assert other.name != first.name and len(a.list("order")) == 2


# ---------------------------------------------------------------- who may see what


Call = Callable[[], Any]


def _every_call(caller: Client, owner: Client, rows: dict[str, Any]) -> Iterator[tuple[str, Call]]:
    """Each standard method of each resource, aimed at ``owner``'s organization and rows."""
    for kind, row in rows.items():
        single, plural, _ = KINDS[kind]
        yield f"Get{single}", lambda row=row, kind=kind: caller.get(kind, row.name)
        yield f"Update{single}", lambda row=row, kind=kind: caller.update(kind, row, [CHANGE[kind][0]])
        yield f"Delete{single}", lambda row=row, kind=kind: caller.delete(kind, row.name)
        yield f"List{plural}", lambda single=single, plural=plural: caller.call(
            f"List{plural}", getattr(pb, f"List{plural}Request")(parent=owner.parent)
        )
        yield f"Create{single}", lambda single=single, kind=kind: caller.call(
            f"Create{single}",
            getattr(pb, f"Create{single}Request")(parent=owner.parent, **{kind: owner.sample(kind)}),
        )


def test_organizations_are_isolated(a: Client, b: Client) -> None:
    """A caller of A is refused every method on B's names and never sees B's rows."""
    theirs = {kind: b.create(kind, b.sample(kind)) for kind in KINDS}
    mine = {kind: a.create(kind, a.sample(kind)) for kind in KINDS}
    for method, call in _every_call(a, b, theirs):
        err = fails(Code.PERMISSION_DENIED, call)
        assert japanese_first(err.details()), method
    ghost = f"{b.parent}/branches/does-not-exist"
    fails(Code.PERMISSION_DENIED, a.get, "branch", ghost)  # same answer whether or not it exists
    fails(Code.PERMISSION_DENIED, a.create, "vehicle", a.sample("vehicle", branch=theirs["branch"].name))
    fails(Code.PERMISSION_DENIED, lambda: a.list("order", filter=f'branch = "{theirs["branch"].name}"'))
    for kind, row in theirs.items():
        listed = _names(a.list(kind))
        assert row.name not in listed and mine[kind].name in listed
        assert all(n.startswith(a.parent + "/") for n in listed)
        assert b.get(kind, row.name) == row, "B's rows are untouched"


def test_missing_or_claimed_credentials_are_unauthenticated(stub: Stub) -> None:
    """No credential, or only the organization header a caller could set: UNAUTHENTICATED."""
    service = pb.DESCRIPTOR.services_by_name["OrganizationService"]
    assert len(service.methods) == 26  # the standard five on five resources, and ImportOrders
    for method in service.methods:
        request = getattr(pb, method.input_type.name)()
        for metadata in ((), ((ORG_HEADER, "  "),), ((ORG_HEADER, "ORG-001"),)):
            with pytest.raises(grpc.RpcError) as info:
                getattr(stub, method.name)(request, metadata=metadata)
            assert info.value.code() == Code.UNAUTHENTICATED, method.name


