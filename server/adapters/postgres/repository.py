"""Small generic, organization-scoped CRUD over psycopg 3 for branches, vehicles, drivers, customers, orders.

The records and errors are the domain's (``server.plans.records``, ``server.plans.errors``), re-exported here.

Every statement carries ``organization_id = %s``; rows are plain frozen dataclasses. The etag of a row is
its integer ``version`` as a string. Each call is one transaction.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from server.adapters.postgres.database import Database, mapped_errors
from server.plans.errors import (
    AlreadyExistsError,
    InUseError,
    InvalidArgumentError,
    InvalidReferenceError,
    NotFoundError,
    RepositoryError,
    StaleEtagError,
)
from server.plans.records import Branch, Customer, Driver, Order, Record, TimeWindows, Vehicle

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000

__all__ = [
    "BRANCHES", "CUSTOMERS", "DRIVERS", "ORDERS", "VEHICLES", "AlreadyExistsError", "Branch", "Customer",
    "Database", "Driver", "InUseError", "InvalidArgumentError", "InvalidReferenceError", "NotFoundError",
    "Order", "Page", "Record", "Repositories", "Repository", "RepositoryError", "Resource", "StaleEtagError",
    "TimeWindows", "Vehicle",
]


def _windows_to_db(value: Any) -> Jsonb:
    out = []
    for start, end in value:
        s, e = _as_time(start), _as_time(end)
        if e <= s:
            raise InvalidArgumentError(f"time window end {e} is not after start {s}")
        out.append([s.isoformat("minutes"), e.isoformat("minutes")])
    return Jsonb(out)


def _as_time(v: Any) -> datetime.time:
    try:
        return v if isinstance(v, datetime.time) else datetime.time.fromisoformat(str(v))
    except ValueError as exc:
        raise InvalidArgumentError(f"bad time of day {v!r}") from exc


def _windows_from_db(value: Any) -> TimeWindows:
    return tuple((datetime.time.fromisoformat(s), datetime.time.fromisoformat(e)) for s, e in value or ())


# ---------------------------------------------------------------- resource specs

R = TypeVar("R", bound=Record)
_META = frozenset(f.name for f in dataclasses.fields(Record))


@dataclass(frozen=True)
class Resource(Generic[R]):
    """How one record type is stored: table, filterable fields and column converters."""

    name: str  # collection id in resource names, e.g. "branches"
    table: str
    record: type[R]
    filters: frozenset[str]
    to_db: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    from_db: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        """Writable columns (everything but the metadata)."""
        return tuple(f.name for f in dataclasses.fields(self.record) if f.name not in _META)

    def row_to_record(self, row: Mapping[str, Any]) -> R:
        kw = {k: self.from_db.get(k, _identity)(v) for k, v in row.items()}
        return self.record(**kw)

    def value_to_db(self, name: str, value: Any) -> Any:
        return self.to_db.get(name, _identity)(value)


def _identity(v: Any) -> Any:
    return v


def _tuple(v: Any) -> tuple[Any, ...]:
    return tuple(v or ())


def _list(v: Any) -> list[Any]:
    return list(v or ())


BRANCHES = Resource("branches", "branches", Branch, frozenset({"code"}))
VEHICLES = Resource("vehicles", "vehicles", Vehicle, frozenset({"branch_id", "status", "vehicle_class"}))
DRIVERS = Resource("drivers", "drivers", Driver, frozenset({"branch_id", "status", "licence_class"}))
CUSTOMERS = Resource("customers", "customers", Customer, frozenset({"code"}))
ORDERS = Resource(
    "orders",
    "orders",
    Order,
    frozenset({"branch_id", "delivery_date", "status", "customer_id"}),
    to_db={"time_windows": _windows_to_db, "allowed_vehicle_classes": _list},
    from_db={"time_windows": _windows_from_db, "allowed_vehicle_classes": _tuple},
)


@dataclass(frozen=True)
class Page(Generic[R]):
    items: list[R]
    next_page_token: str  # "" on the last page


class Repository(Generic[R]):
    """Create/Get/List/Update/Delete of one resource, always inside the caller's organization."""

    def __init__(self, db: Database, resource: Resource[R]) -> None:
        self.db = db
        self.res = resource
        self._table = sql.Identifier(resource.table)

    # -- create
    def create(self, org: str, data: R, request_id: str | None = None) -> R:
        """Insert ``data`` (new id if empty); a repeated ``request_id`` returns the first call's row."""
        rid = data.id or uuid.uuid4().hex
        values = {"organization_id": org, "id": rid}
        for name in self.res.fields:
            values[name] = self.res.value_to_db(name, getattr(data, name))
        cols = list(values)
        stmt = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING *").format(
            self._table,
            sql.SQL(", ").join(map(sql.Identifier, cols)),
            sql.SQL(", ").join(sql.Placeholder(c) for c in cols),
        )
        with mapped_errors(), self.db.transaction() as conn:
            if request_id:
                # The key row is inserted first: a concurrent retry blocks here until this one commits.
                key = conn.execute(
                    "INSERT INTO idempotency_keys (organization_id, resource, request_id, resource_id) "
                    "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING resource_id",
                    (org, self.res.name, request_id, rid),
                ).fetchone()
                if key is None:
                    prev = conn.execute(
                        "SELECT resource_id FROM idempotency_keys "
                        "WHERE organization_id = %s AND resource = %s AND request_id = %s",
                        (org, self.res.name, request_id),
                    ).fetchone()
                    assert prev is not None
                    row = self._select(conn, org, prev["resource_id"])
                    if row is None:
                        raise NotFoundError(f"{self.res.name}/{prev['resource_id']} was deleted")
                    return self.res.row_to_record(row)
            row = conn.execute(stmt, values).fetchone()
        assert row is not None
        return self.res.row_to_record(row)

    def create_many(self, org: str, items: list[R]) -> list[R]:
        """Insert all of ``items`` in one transaction, or none of them (new ids where empty)."""
        out = []
        with mapped_errors(), self.db.transaction() as conn:
            for data in items:
                values = {"organization_id": org, "id": data.id or uuid.uuid4().hex}
                for name in self.res.fields:
                    values[name] = self.res.value_to_db(name, getattr(data, name))
                stmt = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING *").format(
                    self._table,
                    sql.SQL(", ").join(map(sql.Identifier, values)),
                    sql.SQL(", ").join(sql.Placeholder(c) for c in values),
                )
                row = conn.execute(stmt, values).fetchone()
                assert row is not None
                out.append(self.res.row_to_record(row))
        return out

    # -- get
    def get(self, org: str, id: str) -> R:
        with self.db.transaction() as conn:
            row = self._select(conn, org, id)
        if row is None:
            raise NotFoundError(f"{self.res.name}/{id} not found")
        return self.res.row_to_record(row)

    def _select(self, conn: psycopg.Connection[Any], org: str, id: str, lock: bool = False) -> Any:
        q = sql.SQL("SELECT * FROM {} WHERE organization_id = %s AND id = %s").format(self._table)
        if lock:
            q = q + sql.SQL(" FOR UPDATE")
        return conn.execute(q, (org, id)).fetchone()

    # -- list
    def list(
        self,
        org: str,
        page_size: int = 0,
        page_token: str = "",
        filter: Mapping[str, Any] | None = None,
    ) -> Page[R]:
        """One page in id order (keyset paging); ``filter`` is ``{field: value}`` on the allowed fields."""
        if page_size < 0:
            raise InvalidArgumentError("page_size must not be negative")
        size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        flt = dict(filter or {})
        bad = set(flt) - self.res.filters
        if bad:
            raise InvalidArgumentError(
                f"cannot filter {self.res.name} by {sorted(bad)}; allowed: {sorted(self.res.filters)}"
            )
        fkey = _filter_key(flt)
        after = _decode_token(page_token, fkey) if page_token else None
        conds = [sql.SQL("organization_id = %s")]
        params: list[Any] = [org]
        for name in sorted(flt):
            conds.append(sql.SQL("{} = %s").format(sql.Identifier(name)))
            params.append(flt[name])
        if after is not None:
            conds.append(sql.SQL("id > %s"))
            params.append(after)
        q = sql.SQL("SELECT * FROM {} WHERE {} ORDER BY id LIMIT %s").format(
            self._table, sql.SQL(" AND ").join(conds)
        )
        params.append(size + 1)
        with mapped_errors(), self.db.transaction() as conn:
            rows = conn.execute(q, params).fetchall()
        more = len(rows) > size
        rows = rows[:size]
        token = _encode_token(rows[-1]["id"], fkey) if more else ""
        return Page([self.res.row_to_record(r) for r in rows], token)

    # -- update
    def update(self, org: str, id: str, changes: Mapping[str, Any], etag: str | None) -> R:
        """Set only the fields in ``changes`` (an update mask); ``etag`` None = unconditional."""
        bad = set(changes) - set(self.res.fields)
        if bad:
            raise InvalidArgumentError(f"cannot update {sorted(bad)} of {self.res.name}")
        sets = [sql.SQL("version = version + 1"), sql.SQL("updated_at = now()")]
        params: list[Any] = []
        for name, value in changes.items():
            sets.append(sql.SQL("{} = %s").format(sql.Identifier(name)))
            params.append(self.res.value_to_db(name, value))
        q = sql.SQL("UPDATE {} SET {} WHERE organization_id = %s AND id = %s").format(
            self._table, sql.SQL(", ").join(sets)
        )
        params += [org, id]
        if etag is not None:
            q = q + sql.SQL(" AND version = %s")
            params.append(_etag_version(etag))
        q = q + sql.SQL(" RETURNING *")
        with mapped_errors(), self.db.transaction() as conn:
            row = conn.execute(q, params).fetchone()
            if row is None:
                self._missing_or_stale(conn, org, id)
        return self.res.row_to_record(row)

    # -- delete
    def delete(self, org: str, id: str, etag: str | None) -> None:
        q = sql.SQL("DELETE FROM {} WHERE organization_id = %s AND id = %s").format(self._table)
        params: list[Any] = [org, id]
        if etag is not None:
            q = q + sql.SQL(" AND version = %s")
            params.append(_etag_version(etag))
        with mapped_errors(), self.db.transaction() as conn:
            if conn.execute(q, params).rowcount == 0:
                self._missing_or_stale(conn, org, id)

    def _missing_or_stale(self, conn: psycopg.Connection[Any], org: str, id: str) -> None:
        if self._select(conn, org, id) is None:
            raise NotFoundError(f"{self.res.name}/{id} not found")
        raise StaleEtagError(f"{self.res.name}/{id} was changed by someone else; read it again")


def _etag_version(etag: str) -> int:
    try:
        return int(etag.strip().strip('"').removeprefix("W/").strip('"'))
    except ValueError as exc:
        raise InvalidArgumentError(f"bad etag {etag!r}") from exc


def _filter_key(flt: Mapping[str, Any]) -> str:
    return json.dumps(sorted((k, str(v)) for k, v in flt.items()), ensure_ascii=False)


def _encode_token(last_id: str, fkey: str) -> str:
    raw = json.dumps([last_id, fkey], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, fkey: str) -> str:
    try:
        last_id, key = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError) as exc:
        raise InvalidArgumentError("bad page_token") from exc
    if key != fkey:
        raise InvalidArgumentError("page_token was made for a different filter")
    return str(last_id)


@dataclass
class Repositories:
    """The five repositories over one database."""

    db: Database
    resources: ClassVar[tuple[Resource[Any], ...]] = (BRANCHES, VEHICLES, DRIVERS, CUSTOMERS, ORDERS)

    def __post_init__(self) -> None:
        self.branches = Repository(self.db, BRANCHES)
        self.vehicles = Repository(self.db, VEHICLES)
        self.drivers = Repository(self.db, DRIVERS)
        self.customers = Repository(self.db, CUSTOMERS)
        self.orders = Repository(self.db, ORDERS)
