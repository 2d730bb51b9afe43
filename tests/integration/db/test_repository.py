"""Org-scoped CRUD: paging, filters, etags and idempotent creates on a real PostgreSQL."""

from __future__ import annotations

import datetime

import pytest

from server.adapters.postgres.repository import (
    AlreadyExistsError,
    Branch,
    InUseError,
    InvalidArgumentError,
    InvalidReferenceError,
    NotFoundError,
    Order,
    Repositories,
    StaleEtagError,
)

from .samples import CHANGE, DAY, RESOURCES, branch, sample


@pytest.mark.parametrize("name", RESOURCES)
def test_create_get_update_delete_round_trip(repos: Repositories, org: str, name: str) -> None:
    """Create gives an id and etag, get returns the same row, update bumps the etag, delete removes it."""
    repo, data = sample(repos, name, org)
    made = repo.create(org, data)
    assert made.id and made.organization_id == org and made.version == 1
    assert repo.get(org, made.id) == made
    field, value = CHANGE[name]
    updated = repo.update(org, made.id, {field: value}, made.etag)
    assert getattr(updated, field) == value and updated.etag != made.etag
    assert updated.updated_at is not None and made.updated_at is not None
    assert updated.updated_at >= made.updated_at
    repo.delete(org, made.id, updated.etag)
    with pytest.raises(NotFoundError):
        repo.get(org, made.id)


def test_order_fields_round_trip(repos: Repositories, org: str) -> None:
    """Time windows, vehicle classes and dates come back as they were stored."""
    b = branch(repos, org)
    windows = ((datetime.time(9), datetime.time(12)), (datetime.time(14), datetime.time(16, 30)))
    data = Order(branch_id=b.id, latitude=35.75, longitude=139.66, delivery_date=DAY, time_windows=windows,
                 weight_kg=12.5, allowed_vehicle_classes=("2t",), notes="午前指定")
    got = repos.orders.get(org, repos.orders.create(org, data).id)
    assert got.time_windows == windows
    assert got.allowed_vehicle_classes == ("2t",)
    assert got.delivery_date == DAY and got.weight_kg == 12.5


def test_keyset_paging_visits_every_row_once(repos: Repositories, org: str) -> None:
    """Listing 7 customers 3 at a time yields 3+3+1 rows, all distinct, then an empty token."""
    made = {repos.customers.create(org, sample(repos, "customers", org)[1]).id for _ in range(7)}
    seen: list[str] = []
    sizes = []
    token = ""
    while True:
        page = repos.customers.list(org, page_size=3, page_token=token)
        seen += [c.id for c in page.items]
        sizes.append(len(page.items))
        token = page.next_page_token
        if not token:
            break
    assert sizes == [3, 3, 1]
    assert sorted(seen) == sorted(made) and len(set(seen)) == len(seen)


def test_filters_by_branch_date_and_status(repos: Repositories, org: str) -> None:
    """Order filters on branch, delivery date and status return exactly the matching rows."""
    b1, b2 = branch(repos, org), branch(repos, org)
    day2 = DAY + datetime.timedelta(days=1)
    ids = {}
    for key, (b, d) in {"a": (b1, DAY), "b": (b1, day2), "c": (b2, DAY)}.items():
        ids[key] = repos.orders.create(
            org, Order(branch_id=b.id, latitude=35.75, longitude=139.66, delivery_date=d)
        ).id
    repos.orders.update(org, ids["a"], {"status": "CANCELLED"}, None)
    ls = repos.orders.list
    assert {o.id for o in ls(org, filter={"branch_id": b1.id}).items} == {ids["a"], ids["b"]}
    assert {o.id for o in ls(org, filter={"branch_id": b1.id, "delivery_date": DAY}).items} == {ids["a"]}
    assert {o.id for o in ls(org, filter={"delivery_date": DAY.isoformat(), "status": "PENDING"}).items} == {
        ids["c"]
    }
    with pytest.raises(InvalidArgumentError):
        ls(org, filter={"notes": "x"})


def test_page_token_is_bound_to_its_filter(repos: Repositories, org: str) -> None:
    """A page token made under one filter is rejected under another."""
    b = branch(repos, org)
    for _ in range(3):
        repos.drivers.create(org, sample(repos, "drivers", org)[1])
    page = repos.drivers.list(org, page_size=1)
    assert page.next_page_token
    with pytest.raises(InvalidArgumentError):
        repos.drivers.list(org, page_size=1, page_token=page.next_page_token, filter={"branch_id": b.id})
    with pytest.raises(InvalidArgumentError):
        repos.drivers.list(org, page_token="not a token")


def test_stale_etag_fails_and_loses_nothing(repos: Repositories, org: str) -> None:
    """Two writers read the same version; the second write fails and the first one's change survives."""
    repo, data = sample(repos, "vehicles", org)
    v = repo.create(org, data)
    first = repo.update(org, v.id, {"status": "MAINTENANCE"}, v.etag)
    with pytest.raises(StaleEtagError):
        repo.update(org, v.id, {"status": "RETIRED", "payload_kg": 1.0}, v.etag)
    with pytest.raises(StaleEtagError):
        repo.delete(org, v.id, v.etag)
    now = repo.get(org, v.id)
    assert now == first and now.status == "MAINTENANCE" and now.payload_kg == 2000


def test_unknown_ids_are_not_found(repos: Repositories, org: str) -> None:
    """get, update and delete of an id that does not exist raise NotFoundError."""
    with pytest.raises(NotFoundError):
        repos.branches.get(org, "nope")
    with pytest.raises(NotFoundError):
        repos.branches.update(org, "nope", {"name": "x"}, "1")
    with pytest.raises(NotFoundError):
        repos.branches.delete(org, "nope", None)


def test_create_with_request_id_is_idempotent(repos: Repositories, org: str) -> None:
    """Retrying a create with the same request id returns the first row and stores nothing new."""
    repo, data = sample(repos, "customers", org)
    first = repo.create(org, data, request_id="req-1")
    again = repo.create(org, data, request_id="req-1")
    assert again == first
    codes = [c.code for c in repo.list(org, page_size=1000).items]
    assert codes.count(data.code) == 1
    other = repo.create(org, sample(repos, "customers", org)[1], request_id="req-2")
    assert other.id != first.id


def test_duplicates_bad_references_and_deletes_in_use(repos: Repositories, org: str) -> None:
    """Duplicate ids, unknown branches and deleting a referenced branch are refused."""
    b = branch(repos, org)
    with pytest.raises(AlreadyExistsError):
        repos.branches.create(org, Branch(id=b.id, code="other", name="x", latitude=35.0, longitude=139.0))
    with pytest.raises(InvalidReferenceError):
        data = Order(branch_id="missing", latitude=35.7, longitude=139.6, delivery_date=DAY)
        repos.orders.create(org, data)
    repos.orders.create(org, Order(branch_id=b.id, latitude=35.7, longitude=139.6, delivery_date=DAY))
    with pytest.raises(InUseError):
        repos.branches.delete(org, b.id, None)
    with pytest.raises(InvalidArgumentError):
        repos.orders.update(org, "x", {"organization_id": "other"}, None)
