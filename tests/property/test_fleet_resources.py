"""Branches, vehicles, drivers and customers through the OrganizationService, and Get / List / Delete of
every collection, under random input: no server fault, paths that resolve, a refused write changes no row,
and an accepted vehicle keeps the day plannable (its payload is a capacity the optimizer takes)."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.type import date_pb2, latlng_pb2
from hypothesis import event, given
from hypothesis import strategies as st

from hakobu.fleet.v1 import fleet_pb2 as pb
from server.plans.ports import PlanStores
from tests.e2e.fleet.client import KINDS, Client
from tests.property.conftest import check_error
from tests.property.fleet import DAY, day_plans, rows

texts = st.one_of(
    st.text(max_size=12),
    st.text(min_size=60, max_size=70),
    st.text(min_size=195, max_size=210),
    st.sampled_from(["", " ", "\x00", "a\x00b", "x" * 1001, "🚚" * 64]),
)
amounts = st.one_of(
    st.floats(0, 20_000),
    st.sampled_from([-1.0, 1e12, 1e12 + 1, 1e300, float("inf"), float("nan")]),
    st.floats(allow_nan=True, allow_infinity=True),
)
millimetres = st.one_of(st.integers(1, 20_000), st.integers(-(2**31), 2**31 - 1))
locations = st.one_of(
    st.builds(latlng_pb2.LatLng, latitude=st.floats(35.6, 35.8), longitude=st.floats(139.5, 139.8)),
    st.builds(latlng_pb2.LatLng, latitude=st.floats(), longitude=st.floats()),
)
#: For each kind, a strategy per field (a mix of plausible and hostile values); references are added below.
FIELDS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "branch": {"code": texts, "display_name": texts, "location": locations, "address": texts},
    "vehicle": {
        "registration_number": texts,
        "vehicle_class": st.sampled_from(["軽", "2t", "4t", "10t", "", "3t", "x" * 100]),
        "payload_kg": amounts,
        "gross_weight_kg": amounts,
        "length_mm": millimetres,
        "width_mm": millimetres,
        "height_mm": millimetres,
        "volume_m3": amounts,
        "status": st.integers(-2, 2**31 - 1),
    },
    "driver": {
        "employee_number": texts,
        "display_name": texts,
        "licence_number": texts,
        "licence_class": st.one_of(st.sampled_from(["普通", "準中型", "中型", "大型", ""]), texts),
        "status": st.integers(-2, 2**31 - 1),
    },
    "customer": {
        "code": texts,
        "display_name": texts,
        "phone_number": texts,
        "email": texts,
        "address": texts,
    },
}
NEEDS_BRANCH = ("vehicle", "driver")


@pytest.fixture(scope="module")
def day_order(client: Client) -> pb.Order:
    """One open order on the planned day, so every accepted vehicle is tried by the optimizer."""
    when = date_pb2.Date(year=DAY.year, month=DAY.month, day=DAY.day)
    return client.create("order", client.sample("order", delivery_date=when))  # type: ignore[no-any-return]


@st.composite
def resources(draw: st.DrawFn, kind: str, client: Client) -> Any:
    """A resource message: a valid sample with some fields (often all of them) replaced by drawn values."""
    strategies = FIELDS[kind]
    names = draw(st.lists(st.sampled_from(sorted(strategies)), unique=True, max_size=3))
    message = client.sample(kind)
    for name in names:
        field = message.DESCRIPTOR.fields_by_name[name]
        if field.message_type is not None:
            getattr(message, name).CopyFrom(draw(strategies[name]))
        else:
            setattr(message, name, draw(strategies[name]))
    if kind in NEEDS_BRANCH and draw(st.integers(0, 4)) == 0:
        message.branch = draw(st.sampled_from(["", "organizations/x/branches/y", "branches/zz", "x" * 300]))
    return message


@pytest.mark.parametrize("kind", sorted(FIELDS))
@given(data=st.data())
def test_create(
    client: Client, stores: PlanStores, day_order: pb.Order, kind: str, data: st.DataObject
) -> None:
    message = data.draw(resources(kind, client))
    before = rows(client, kind)
    try:
        created = client.create(kind, message)
    except grpc.RpcError as err:
        check_error(err, getattr(pb, f"Create{KINDS[kind][0]}Request").DESCRIPTOR)
        assert rows(client, kind) == before, f"a refused create of a {kind} wrote rows"
        return
    event("accepted")
    try:
        if kind == "vehicle" and created.branch == client.home.name:
            day_plans(stores, client)
    finally:
        client.delete(kind, created.name)


names = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "organizations//branches/", "x" * 1500, "organizations/x/orders/\x00"]),
    st.builds(
        lambda c, i: f"organizations/{{org}}/{c}/{i}",
        st.sampled_from(["branches", "orders", "x"]),
        st.text(max_size=70),
    ),
)


@pytest.mark.parametrize("kind", sorted(KINDS))
@given(name=names, etag=st.text(max_size=5))
def test_get_and_delete(client: Client, kind: str, name: str, etag: str) -> None:
    name = name.replace("{org}", client.org)
    single = KINDS[kind][0]
    before = rows(client, kind)
    for method, request in (
        (f"Get{single}", getattr(pb, f"Get{single}Request")(name=name)),
        (f"Delete{single}", getattr(pb, f"Delete{single}Request")(name=name, etag=etag)),
    ):
        try:
            client.call(method, request)
        except grpc.RpcError as err:
            check_error(err, request.DESCRIPTOR)
    assert rows(client, kind) == before, "a random name deleted a row"


@pytest.mark.parametrize("kind", sorted(KINDS))
@given(
    page_size=st.one_of(st.integers(-5, 5), st.integers(-(2**31), 2**31 - 1)),
    page_token=st.one_of(st.just(""), st.text(max_size=40)),
    filter=st.one_of(
        st.just(""),
        st.text(max_size=40),
        st.sampled_from(
            [
                'status = "ACTIVE"',
                "branch = x",
                'delivery_date = "2026-13-01"',
                "status = 99",
                'code = "\x00"',
                "a = b AND",
                "NOT",
                'branch = "organizations/x/branches/y"',
            ]
        ),
    ),
    parent=st.sampled_from(["{parent}", "", "organizations/other", "x" * 500]),
)
def test_list(client: Client, kind: str, page_size: int, page_token: str, filter: str, parent: str) -> None:
    _, plural, _ = KINDS[kind]
    request = getattr(pb, f"List{plural}Request")(
        parent=parent.replace("{parent}", client.parent), page_size=page_size, page_token=page_token
    )
    if "filter" in request.DESCRIPTOR.fields_by_name:
        request.filter = filter
    try:
        client.call(f"List{plural}", request)
    except grpc.RpcError as err:
        check_error(err, request.DESCRIPTOR)
        return
    event("accepted")
