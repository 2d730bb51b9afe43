"""``PositionHistory`` over PostgreSQL: daily partitions, group commit, optimistic COPY.

Writes go through writer threads (``writers``, one connection each). ``append`` hands its batch to
them and waits: a writer takes every batch waiting (up to ``max_rows`` rows, lingering ``linger``
seconds for more), writes them in one transaction and completes each caller's future after COMMIT, so
concurrent callers share a commit and an acknowledgement always follows durability.

Each group is first written with plain COPY (the fast path: re-sends are rare). When it hits the
unique (device_id, time) key — a batch re-sent after a lost acknowledgement — the transaction is rolled
back and the group is written again through a staging table with ``INSERT … ON CONFLICT DO NOTHING
RETURNING``, which says which positions were new. Partitions (one per UTC day) are created when a
position of a new day arrives, and a few days ahead when a writer connects.
"""

from __future__ import annotations

import datetime
import logging
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from typing import Any

import psycopg
from psycopg import errors
from psycopg.rows import dict_row, tuple_row

from server.adapters.postgres.database import Database
from server.tracking.model import AppendResult, Position

log = logging.getLogger("hakobu.tracking")

COLUMNS = ("device_id", "time", "organization_id", "vehicle_id", "latitude", "longitude", "speed_kmh",
           "heading", "altitude", "accuracy", "battery", "attributes")
_COLS = ", ".join(COLUMNS)
#: The columns' types, for binary COPY (eight times less client CPU per row than text).
TYPES = ("text", "timestamptz", "text", "text", "float8", "float8", "float4", "float4", "float4", "float4",
         "float4", "jsonb")
_PARENT = "positions"
_STAGE = "positions_stage"

Row = tuple[Any, ...]
_Item = tuple[Sequence[Position], "Future[AppendResult]"]


def partition_name(day: datetime.date) -> str:
    return f"{_PARENT}_{day:%Y%m%d}"


def _partition_day(name: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(name.removeprefix(f"{_PARENT}_"), "%Y%m%d").date()
    except ValueError:
        return None


class PgPositionHistory:
    """Implements ``server.tracking.ports.PositionHistory``. Nothing connects until first used."""

    def __init__(
        self,
        url: str,
        *,
        writers: int = 1,
        max_rows: int = 2000,
        linger: float = 0.002,
        days_ahead: int = 3,
        db: Database | None = None,
    ) -> None:
        self.url = url
        self.db = db if db is not None else Database(url)
        self._own_db = db is None
        self.max_rows = max_rows
        self.linger = linger
        self.days_ahead = days_ahead
        self._writers = writers
        self._queue: queue.Queue[_Item | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._start_lock = threading.Lock()
        self._known: set[datetime.date] = set()
        self._known_lock = threading.Lock()
        self._closed = False

    # ------------------------------------------------------------ writing
    def append(self, positions: Sequence[Position]) -> AppendResult:
        return self.submit(positions).result()

    def submit(self, positions: Sequence[Position]) -> Future[AppendResult]:
        """Queue ``positions`` for the writers; the future completes after their COMMIT (or fails)."""
        future: Future[AppendResult] = Future()
        if not positions:
            future.set_result(AppendResult(0, 0))
            return future
        if self._closed:
            raise RuntimeError("position history is closed")
        self._start()
        self._queue.put((positions, future))
        return future

    def _start(self) -> None:
        if self._threads:
            return
        with self._start_lock:
            if self._threads:
                return
            for i in range(self._writers):
                t = threading.Thread(target=self._run, name=f"positions-writer-{i}", daemon=True)
                t.start()
                self._threads.append(t)

    def close(self) -> None:
        """Write what is queued, stop the writers, release the read pool."""
        self._closed = True
        for _ in self._threads:
            self._queue.put(None)
        for t in self._threads:
            t.join(10)
        self._threads = []
        if self._own_db:
            self.db.close()

    def _run(self) -> None:
        conn: psycopg.Connection[Any] | None = None
        while True:
            first = self._queue.get()
            if first is None:
                break
            group, stop = self._gather(first)
            conn = self._flush(conn, group)
            if stop:
                break
        if conn is not None:
            conn.close()

    def _flush(
        self, conn: psycopg.Connection[Any] | None, group: list[_Item]
    ) -> psycopg.Connection[Any] | None:
        """Write ``group`` and complete its futures; the connection to go on with (None: make a new one).
        A group refused by the database for its data (not for a lost connection) is written again batch
        by batch, so one bad batch fails alone."""
        try:
            if conn is None or conn.closed:
                conn = self._connect()
            results = self._write(conn, group)
        except Exception as exc:
            lost = isinstance(exc, psycopg.OperationalError)
            bad_data = isinstance(exc, psycopg.DatabaseError) and not lost
            if bad_data and len(group) > 1 and conn is not None and not conn.closed:
                for item in group:
                    conn = self._flush(conn, [item])
                return conn
            log.warning("positions not stored", extra={"batches": len(group), "error": repr(exc)})
            for _, future in group:
                future.set_exception(exc)
            if conn is not None and not bad_data:
                conn.close()
                conn = None
            return conn
        for (_, future), result in zip(group, results, strict=True):
            future.set_result(result)
        return conn

    def _gather(self, first: _Item) -> tuple[list[_Item], bool]:
        """``first`` and the batches queued behind it, up to ``max_rows`` rows; whether to stop after."""
        group = [first]
        rows = len(first[0])
        deadline = time.monotonic() + self.linger
        while rows < self.max_rows:
            try:
                wait = deadline - time.monotonic()
                item = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return group, True
            group.append(item)
            rows += len(item[0])
        return group, False

    def _connect(self) -> psycopg.Connection[Any]:
        conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (LIKE {_PARENT}) ON COMMIT DELETE ROWS")
        self._refresh_partitions(conn)
        today = datetime.datetime.now(datetime.UTC).date()
        ahead = {today + datetime.timedelta(days=i) for i in range(-1, self.days_ahead + 1)}
        self._ensure_partitions(conn, ahead)
        return conn

    def _write(self, conn: psycopg.Connection[Any], group: list[_Item]) -> list[AppendResult]:
        rows = [_row(p) for batch, _ in group for p in batch]
        self._ensure_partitions(conn, {r[1].date() for r in rows})
        try:
            self._copy(conn, rows)
        except errors.UniqueViolation:
            return self._staged(conn, group, rows)
        except errors.CheckViolation:  # no partition: dropped by another process's retention run
            self._refresh_partitions(conn)
            self._ensure_partitions(conn, {r[1].date() for r in rows})
            return self._staged(conn, group, rows)
        return [AppendResult(len(batch), 0, tuple(batch)) for batch, _ in group]

    @staticmethod
    def _copy(conn: psycopg.Connection[Any], rows: list[Row]) -> None:
        with (conn.transaction(), conn.cursor() as cur,
              cur.copy(f"COPY {_PARENT} ({_COLS}) FROM STDIN (FORMAT BINARY)") as cp):
            cp.set_types(TYPES)
            for r in rows:
                cp.write_row(r)

    @staticmethod
    def _staged(conn: psycopg.Connection[Any], group: list[_Item], rows: list[Row]) -> list[AppendResult]:
        with conn.transaction(), conn.cursor() as cur:
            with cur.copy(f"COPY {_STAGE} ({_COLS}) FROM STDIN (FORMAT BINARY)") as cp:
                cp.set_types(TYPES)
                for r in rows:
                    cp.write_row(r)
            cur.execute(
                f"INSERT INTO {_PARENT} ({_COLS}) SELECT {_COLS} FROM {_STAGE} "
                f"ON CONFLICT (device_id, time) DO NOTHING RETURNING device_id, time"
            )
            new = {(d, t) for d, t in cur.fetchall()}
        results = []
        for batch, _ in group:
            stored = []
            for p in batch:
                key = (p.device_id, p.time)
                if key in new:
                    new.discard(key)  # a position twice in the group is new once
                    stored.append(p)
            results.append(AppendResult(len(stored), len(batch) - len(stored), tuple(stored)))
        return results

    # ------------------------------------------------------------ partitions
    def _refresh_partitions(self, conn: psycopg.Connection[Any]) -> None:
        found = set(self._partitions(conn))
        with self._known_lock:
            self._known = found

    def _ensure_partitions(self, conn: psycopg.Connection[Any], days: set[datetime.date]) -> None:
        missing = days - self._known
        for day in sorted(missing):
            start = datetime.datetime.combine(day, datetime.time(), datetime.UTC)
            end = start + datetime.timedelta(days=1)
            try:
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {partition_name(day)} PARTITION OF {_PARENT} "
                    f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
                )
            except (errors.DuplicateTable, errors.UniqueViolation):
                pass  # another writer made it at the same moment
            with self._known_lock:
                self._known.add(day)

    @staticmethod
    def _partitions(conn: psycopg.Connection[Any]) -> list[datetime.date]:
        with conn.cursor(row_factory=tuple_row) as cur:
            rows = cur.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s", (_PARENT,)
            ).fetchall()
        return sorted(d for (name,) in rows if (d := _partition_day(name)) is not None)

    def days(self) -> list[datetime.date]:
        with self.db.transaction() as conn:
            return self._partitions(conn)

    def drop_before(self, day: datetime.date) -> list[datetime.date]:
        dropped = []
        with self.db.transaction() as conn:
            for d in self._partitions(conn):
                if d < day:
                    conn.execute(f"DROP TABLE IF EXISTS {partition_name(d)}")
                    dropped.append(d)
        with self._known_lock:
            self._known -= set(dropped)
        if dropped:
            log.info("position partitions dropped", extra={"days": [d.isoformat() for d in dropped]})
        return dropped

    # ------------------------------------------------------------ reading
    def between(
        self, org: str, vehicle_id: str, start: datetime.datetime, end: datetime.datetime
    ) -> list[Position]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                f"SELECT {_COLS} FROM {_PARENT} WHERE device_id IN (SELECT device_id FROM device_assignments "
                f"WHERE organization_id = %s AND vehicle_id = %s) AND organization_id = %s "
                f"AND vehicle_id = %s AND time >= %s AND time < %s ORDER BY time",
                (org, vehicle_id, org, vehicle_id, start, end),
            ).fetchall()
        return [_position(r) for r in rows]

    def latest(self, since: datetime.datetime) -> list[Position]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                f"SELECT DISTINCT ON (organization_id, vehicle_id) {_COLS} FROM {_PARENT} WHERE time >= %s "
                f"ORDER BY organization_id, vehicle_id, time DESC",
                (since,),
            ).fetchall()
        return [_position(r) for r in rows]

    def day_positions(self, day: datetime.date) -> Iterator[Position]:
        with psycopg.connect(self.url, row_factory=dict_row) as conn:
            if day not in self._partitions(conn):
                return
            with conn.cursor(name="day_positions") as cur:
                cur.itersize = 5000
                cur.execute(f"SELECT {_COLS} FROM {partition_name(day)} ORDER BY time, device_id")
                for r in cur:
                    yield _position(r)


def _row(p: Position) -> Row:
    return (p.device_id, p.time, p.organization, p.vehicle_id, p.latitude, p.longitude, p.speed_kmh,
            p.heading, p.altitude, p.accuracy, p.battery, p.attributes or None)


def _real(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _position(r: dict[str, Any]) -> Position:
    return Position(
        organization=r["organization_id"], device_id=r["device_id"], vehicle_id=r["vehicle_id"],
        time=r["time"].astimezone(datetime.UTC), latitude=r["latitude"], longitude=r["longitude"],
        speed_kmh=_real(r["speed_kmh"]), heading=_real(r["heading"]), altitude=_real(r["altitude"]),
        accuracy=_real(r["accuracy"]), battery=_real(r["battery"]), attributes=r["attributes"] or {},
    )
