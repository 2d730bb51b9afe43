"""Small generic, organization-scoped CRUD over psycopg 3 for branches, vehicles, drivers, customers, orders.

Every statement carries ``organization_id = %s``; rows are plain frozen dataclasses. The etag of a row is
its integer ``version`` as a string. Each call is one transaction.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

import psycopg
from psycopg import errors, sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


class RepositoryError(Exception):
    """Base of the storage errors the service layer maps to gRPC status codes."""


class NotFoundError(RepositoryError):
    """No such row in the caller's organization."""


class StaleEtagError(RepositoryError):
    """The row changed since the caller read it (etag mismatch); nothing was written."""


class AlreadyExistsError(RepositoryError):
    """A row with this id or unique key already exists."""


class InvalidReferenceError(RepositoryError):
    """A referenced row (branch, customer, …) does not exist in the caller's organization."""


class InUseError(RepositoryError):
    """The row is still referenced by other rows and cannot be deleted."""


class InvalidArgumentError(RepositoryError, ValueError):
    """Bad field, filter, page token or value."""


# ---------------------------------------------------------------- records


@dataclass(frozen=True, kw_only=True)
class Record:
    """Fields every row has; on create an empty ``id`` gets a new one and the others are ignored."""

    id: str = ""
    organization_id: str = ""
    version: int = 0
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None

    @property
    def etag(self) -> str:
        return str(self.version)


@dataclass(frozen=True, kw_only=True)
class Branch(Record):
    code: str
    name: str
    latitude: float
    longitude: float
    address: str = ""


@dataclass(frozen=True, kw_only=True)
class Vehicle(Record):
    branch_id: str
    registration_number: str
    vehicle_class: str
    payload_kg: float
    gross_weight_kg: float | None = None
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None
    volume_m3: float | None = None
    status: str = "AVAILABLE"


@dataclass(frozen=True, kw_only=True)
class Driver(Record):
    branch_id: str
    employee_number: str
    name: str
    licence_number: str = ""
    licence_class: str = ""
    status: str = "AVAILABLE"


@dataclass(frozen=True, kw_only=True)
class Customer(Record):
    code: str
    name: str
    phone_number: str = ""
    email: str = ""
    address: str = ""


TimeWindows = tuple[tuple[datetime.time, datetime.time], ...]


@dataclass(frozen=True, kw_only=True)
class Order(Record):
    branch_id: str
    latitude: float
    longitude: float
    delivery_date: datetime.date
    customer_id: str | None = None
    place_name: str = ""
    address: str = ""
    time_windows: TimeWindows = ()
    weight_kg: float = 0.0
    volume_m3: float = 0.0
    service_seconds: int = 300
    allowed_vehicle_classes: tuple[str, ...] = ()
    notes: str = ""
    status: str = "PENDING"


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


# ---------------------------------------------------------------- database


class Database:
    """Connection factory for one PostgreSQL URL; each ``transaction()`` is one connection and transaction."""

    def __init__(self, url: str) -> None:
        self.url = url

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        with psycopg.connect(self.url, row_factory=dict_row) as conn:  # commit on success, else rollback
            yield conn


@contextmanager
def _mapped_errors() -> Iterator[None]:
    try:
        yield
    except errors.UniqueViolation as exc:
        raise AlreadyExistsError(_detail(exc)) from exc
    except errors.ForeignKeyViolation as exc:
        if "is still referenced" in (exc.diag.message_detail or ""):
            raise InUseError(_detail(exc)) from exc
        raise InvalidReferenceError(_detail(exc)) from exc
    except (errors.CheckViolation, errors.NotNullViolation, errors.DataError) as exc:
        raise InvalidArgumentError(_detail(exc)) from exc


def _detail(exc: psycopg.Error) -> str:
    return exc.diag.message_detail or exc.diag.message_primary or str(exc)


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
        with _mapped_errors(), self.db.transaction() as conn:
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
        with _mapped_errors(), self.db.transaction() as conn:
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
        with _mapped_errors(), self.db.transaction() as conn:
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
        with _mapped_errors(), self.db.transaction() as conn:
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
