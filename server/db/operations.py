"""Long-running operations kept in PostgreSQL, so any replica of the plans service answers for them.

Operations run in the process that accepted them (its in-memory entry carries the cancel and finished
events); every change is written through to the ``operations`` table. Another replica, or this one after
a restart, reads them from the table: ``GetOperation``, ``ListOperations`` and ``WaitOperation`` (by
polling) work everywhere. An operation whose process died is reported as failed (``ABORTED``) once it has
not changed for longer than any solve may take; the plan it was making is untouched, because a plan is
stored in one transaction at the end.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.longrunning import operations_pb2
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, status_pb2
from psycopg import errors

from optimizer.service.operations import RETENTION_SECONDS, OperationStore, _Entry
from server.adapters.postgres.repository import Database

#: An unfinished operation unchanged for this long has lost its process (solves last at most an hour).
ORPHAN_AFTER = datetime.timedelta(minutes=65)
POLL_SECONDS = 0.5


@dataclass
class _Stored(_Entry):
    """An operation read from the table (running elsewhere, or finished)."""

    metadata_any: any_pb2.Any | None = None
    response_any: any_pb2.Any | None = None


def _pack(message: Message | None) -> bytes | None:
    if message is None:
        return None
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed.SerializeToString()


class PgOperationStore(OperationStore):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db

    # ------------------------------------------------------------ rows

    def _stored(self, row: dict[str, Any]) -> _Stored:
        md = any_pb2.Any.FromString(row["metadata"])
        resp = any_pb2.Any.FromString(row["response"]) if row["response"] is not None else None
        err = status_pb2.Status.FromString(row["error"]) if row["error"] is not None else None
        done = bool(row["done"])
        now = datetime.datetime.now(datetime.UTC)
        if not done and now - row["updated_at"] > ORPHAN_AFTER:
            done, err = True, status_pb2.Status(
                code=code_pb2.ABORTED,
                message="処理が中断されました。もう一度実行してください / the operation was interrupted "
                        "(its server stopped); the plan was not changed — run it again",
            )
        entry = _Stored(
            name=row["name"], metadata=None, created=row["created_at"].timestamp(), done=done,
            owner=row["organization_id"], error=err, metadata_any=md, response_any=resp,
        )
        if done:
            entry.finished.set()
        return entry

    def _row(self, name: str) -> dict[str, Any] | None:
        with self.db.transaction() as conn:
            return conn.execute("SELECT * FROM operations WHERE name = %s", (name,)).fetchone()

    def _write(self, entry: _Entry) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE operations SET done = %s, metadata = %s, response = %s, error = %s, "
                "updated_at = now() WHERE name = %s",
                (entry.done, _pack(entry.metadata), _pack(entry.response),
                 entry.error.SerializeToString() if entry.error is not None else None, entry.name),
            )

    # ------------------------------------------------------------ the store

    def start(self, request_id: str, metadata: Message, owner: str = "") -> tuple[_Entry, bool]:
        rid = request_id or None
        with self.db.transaction() as conn:
            conn.execute(
                "DELETE FROM operations WHERE done AND created_at < now() - %s",
                (datetime.timedelta(seconds=RETENTION_SECONDS),),
            )
            if rid is not None:
                row = conn.execute(
                    "SELECT * FROM operations WHERE organization_id = %s AND request_id = %s", (owner, rid)
                ).fetchone()
                if row is not None:
                    return self.get(row["name"]) or self._stored(row), False
        entry, created = super().start(request_id, metadata, owner)
        if not created:
            return entry, False
        try:
            with self.db.transaction() as conn:
                conn.execute(
                    "INSERT INTO operations (organization_id, name, request_id, metadata) "
                    "VALUES (%s, %s, %s, %s)",
                    (owner, entry.name, rid, _pack(metadata)),
                )
        except errors.UniqueViolation:  # the same request id was accepted elsewhere a moment ago
            super().delete(entry.name)
            row = self._row_by_request(owner, rid)
            return self._stored(row), False
        return entry, True

    def _row_by_request(self, owner: str, rid: str | None) -> dict[str, Any]:
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM operations WHERE organization_id = %s AND request_id = %s", (owner, rid)
            ).fetchone()
        assert row is not None
        return row

    def get(self, name: str) -> _Entry | None:
        local = super().get(name)
        if local is not None and not local.done:
            return local  # running here: this process knows best
        row = self._row(name)
        if row is None:
            if local is not None:
                super().delete(name)  # deleted through another replica
            return None
        return local if local is not None else self._stored(row)

    def list(self, owner: str | None = None) -> list[_Entry]:
        local = {e.name: e for e in super().list(owner)}
        with self.db.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM operations WHERE %s::text IS NULL OR organization_id = %s "
                "ORDER BY created_at, name",
                (owner, owner),
            ).fetchall()
        return [local.get(r["name"]) or self._stored(r) for r in rows]

    def delete(self, name: str) -> bool:
        gone = super().delete(name)
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM operations WHERE name = %s", (name,)).rowcount > 0 or gone

    def update(self, entry: _Entry, mutate: Callable[[_Entry], None]) -> None:
        super().update(entry, mutate)
        self._write(entry)

    def cancel(self, entry: _Entry) -> None:
        super().cancel(entry)
        with self.db.transaction() as conn:
            conn.execute("UPDATE operations SET cancel_requested = true WHERE name = %s", (entry.name,))

    def wait(self, entry: _Entry, timeout: float | None) -> _Entry:
        if not isinstance(entry, _Stored):
            return super().wait(entry, timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        current: _Entry = entry
        while not current.done and (deadline is None or time.monotonic() < deadline):
            time.sleep(POLL_SECONDS if deadline is None else max(0.0, min(POLL_SECONDS,
                                                                          deadline - time.monotonic())))
            current = self.get(entry.name) or current
        return current

    def to_proto(self, entry: _Entry) -> operations_pb2.Operation:
        if not isinstance(entry, _Stored):
            return super().to_proto(entry)
        op = operations_pb2.Operation(name=entry.name, done=entry.done)
        if entry.metadata_any is not None:
            op.metadata.CopyFrom(entry.metadata_any)
        if entry.response_any is not None:
            op.response.CopyFrom(entry.response_any)
        elif entry.error is not None:
            op.error.CopyFrom(entry.error)
        return op
