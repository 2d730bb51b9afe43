"""Orders through the OrganizationService, over PostgreSQL: whatever a caller sends, the answer is no
server fault, its field paths resolve, a refused write leaves the rows as they were, and an accepted order
makes a day the optimizer accepts (one validation per concept: the store's rules are the optimizer's)."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf import duration_pb2, field_mask_pb2
from google.type import date_pb2, latlng_pb2, timeofday_pb2
from hypothesis import event, given
from hypothesis import strategies as st

from hakobu.fleet.v1 import fleet_pb2 as pb
from optimizer.model import MAX_AMOUNT
from server.plans.ports import PlanStores
from tests.e2e.fleet.client import Client
from tests.property.conftest import bad_fields, check_error
from tests.property.fleet import DAY, day_plans, rows

# ---------------------------------------------------------------- strategies


def _tod(hours: int, minutes: int) -> timeofday_pb2.TimeOfDay:
    return timeofday_pb2.TimeOfDay(hours=hours, minutes=minutes)


def _window(start: int, end: int) -> pb.Order.TimeWindow:
    return pb.Order.TimeWindow(start_time=_tod(start, 0), end_time=_tod(end, 0))


@st.composite
def good_windows(draw: st.DrawFn) -> pb.Order.TimeWindow:
    start = draw(st.integers(6 * 4, 20 * 4))
    end = draw(st.integers(start + 1, 23 * 4))
    return pb.Order.TimeWindow(
        start_time=_tod(start // 4, 15 * (start % 4)), end_time=_tod(end // 4, 15 * (end % 4))
    )


bad_amounts = st.one_of(
    st.sampled_from([-1.0, 1e9, 1e12, 1e12 + 1, 1e15, 1e300, float("inf"), float("nan"), 5e-324]),
    st.floats(allow_nan=True, allow_infinity=True),
)
bad_times = st.builds(
    timeofday_pb2.TimeOfDay,
    hours=st.integers(-2, 25),
    minutes=st.integers(-1, 61),
    seconds=st.integers(0, 60),
    nanos=st.sampled_from([0, 1, -1]),
)
texts = st.text(max_size=20)
#: A plausible value for each field a caller writes.
GOOD: dict[str, st.SearchStrategy[Any]] = {
    "delivery_date": st.just(date_pb2.Date(year=DAY.year, month=DAY.month, day=DAY.day)),
    "location": st.builds(
        latlng_pb2.LatLng, latitude=st.floats(35.6, 35.8), longitude=st.floats(139.5, 139.8)
    ),
    "weight_kg": st.floats(0, 3000),
    "volume_m3": st.floats(0, 10),
    "time_windows": st.lists(good_windows(), max_size=3),
    "place_name": texts,
    "address": texts,
    "notes": texts,
    "service_duration": st.builds(duration_pb2.Duration, seconds=st.integers(0, 3600)),
    "allowed_vehicle_classes": st.lists(st.sampled_from(["軽", "2t", "4t", "10t"]), max_size=2),
    "status": st.sampled_from([v for v in pb.Order.Status.values() if v]),
}
#: A hostile value for each field.
BAD: dict[str, st.SearchStrategy[Any]] = {
    "branch": st.sampled_from(["", "organizations/x/branches/y", "branches/zz", "x" * 300]),
    "customer": st.sampled_from(["organizations/x/customers/y", "nope", "x" * 300]),
    "delivery_date": st.builds(
        date_pb2.Date, year=st.integers(0, 10000), month=st.integers(0, 13), day=st.integers(0, 32)
    ),
    "location": st.builds(latlng_pb2.LatLng, latitude=st.floats(), longitude=st.floats()),
    "weight_kg": bad_amounts,
    "volume_m3": bad_amounts,
    "time_windows": st.lists(
        st.builds(pb.Order.TimeWindow, start_time=bad_times, end_time=bad_times), min_size=1, max_size=3
    ),
    "place_name": st.text(min_size=190, max_size=1100),
    "address": st.text(min_size=990, max_size=1100),
    "notes": st.text(min_size=990, max_size=1100),
    "service_duration": st.builds(
        duration_pb2.Duration, seconds=st.integers(-(2**40), 2**40), nanos=st.integers(-(10**9), 10**9)
    ),
    "allowed_vehicle_classes": st.lists(st.sampled_from(["", "3t", "x" * 70]), min_size=1, max_size=2),
    "status": st.integers(-5, 2**31 - 1),
}


@st.composite
def order_fields(draw: st.DrawFn, branch: str) -> dict[str, Any]:
    """An order's fields: plausible ones, then a few (often none) replaced by hostile values."""
    out: dict[str, Any] = {"branch": branch}
    for name, strategy in GOOD.items():
        if name in ("delivery_date", "location", "weight_kg") or draw(st.booleans()):
            out[name] = draw(strategy)
    for name in draw(st.lists(st.sampled_from(sorted(BAD)), max_size=2, unique=True)):
        out[name] = draw(BAD[name])
    return out


@given(data=st.data())
def test_create_order(client: Client, stores: PlanStores, data: st.DataObject) -> None:
    fields = data.draw(order_fields(client.home.name))
    before = rows(client, "order")
    try:
        created = client.create("order", pb.Order(**fields))
    except grpc.RpcError as err:
        check_error(err, pb.CreateOrderRequest.DESCRIPTOR)
        assert rows(client, "order") == before, "a refused create wrote rows"
        return
    event("accepted")
    try:
        if created.delivery_date == date_pb2.Date(year=DAY.year, month=DAY.month, day=DAY.day):
            day_plans(stores, client)
    finally:
        client.delete("order", created.name)


@given(data=st.data())
def test_update_order(client: Client, stores: PlanStores, data: st.DataObject) -> None:
    base = client.create(
        "order",
        client.sample("order", delivery_date=date_pb2.Date(year=DAY.year, month=DAY.month, day=DAY.day)),
    )
    try:
        fields = data.draw(order_fields(client.home.name))
        paths = data.draw(
            st.one_of(
                st.just(sorted(fields)), st.lists(st.sampled_from(sorted(fields)), min_size=1, unique=True)
            )
        )
        change = pb.Order(name=base.name, **fields)
        mask = field_mask_pb2.FieldMask(paths=paths)
        try:
            updated = client.call("UpdateOrder", pb.UpdateOrderRequest(order=change, update_mask=mask))
        except grpc.RpcError as err:
            check_error(err, pb.UpdateOrderRequest.DESCRIPTOR)
            assert client.get("order", base.name) == base, "a refused update changed the row"
            return
        event("accepted")
        if updated.delivery_date == base.delivery_date:
            day_plans(stores, client)
    finally:
        client.delete("order", base.name)


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"time_windows": [_window(9, 12), _window(10, 11)]}, "order.time_windows"),  # overlapping
        ({"time_windows": [_window(9, 10), _window(10, 11)]}, "order.time_windows"),  # touching at 10:00
        ({"weight_kg": 1e300}, "order.weight_kg"),
        ({"weight_kg": MAX_AMOUNT + 1.0}, "order.weight_kg"),
        ({"volume_m3": MAX_AMOUNT / 1000 + 1}, "order.volume_m3"),
        ({"place_name": "a\x00b"}, "order.place_name"),
    ],
)
def test_what_the_optimizer_refuses_the_store_refuses(
    client: Client, fields: dict[str, Any], path: str
) -> None:
    """The cases the properties found (each once stored, then failing the whole day): refused on write, at
    the field, and nothing stored."""
    before = rows(client, "order")
    when = date_pb2.Date(year=DAY.year, month=DAY.month, day=DAY.day)
    with pytest.raises(grpc.RpcError) as info:
        client.create("order", client.sample("order", delivery_date=when, **fields))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert bad_fields(info.value) == [path]
    assert rows(client, "order") == before


def test_the_largest_amounts_the_store_takes_are_planned(client: Client, stores: PlanStores) -> None:
    when = date_pb2.Date(year=DAY.year, month=DAY.month, day=DAY.day)
    big = client.sample("order", delivery_date=when, weight_kg=float(MAX_AMOUNT), volume_m3=MAX_AMOUNT / 1000,
                        time_windows=[_window(9, 10), _window(11, 12)])  # fmt: skip
    created = client.create("order", big)
    try:
        day_plans(stores, client)  # refused by no one: it is unassigned (too heavy), with its reason
    finally:
        client.delete("order", created.name)
