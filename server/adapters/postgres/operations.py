"""Long-running operations kept in PostgreSQL, so any replica of the plans service answers for them.

Operations run in the process that accepted them (an in-memory store keeps their cancel and finished
events); every change is written through to the ``operations`` table. Another replica, or this one after
a restart, reads them from the table: ``GetOperation``, ``ListOperations`` and ``WaitOperation`` (by
polling) work everywhere.

Each unfinished operation holds a lease: the process running it renews its ``updated_at`` every
``lease / 3`` seconds (and picks up cancellations asked through another replica). An operation whose
lease ran out — its process died — is reported as failed (``ABORTED``) to everyone, within ``lease``
seconds (default one minute); the plan it was making is untouched, because a plan is stored in one
transaction at the end.

One table holds the operations of every service: ``service`` scopes a store to its own (``plans``: owned
by an organization; ``optimizer``: the OptimizerService's ``OptimizeLongRunning``, owned by no one, kept
with a NULL organization).
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable
from typing import Any

from google.longrunning import operations_pb2
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, status_pb2
from psycopg import errors

from optimizer.service.operations import (
    RETENTION_SECONDS,
    InMemoryOperationStore,
    Operation,
    check_same_request,
    to_proto,
)
from server.adapters.postgres.database import Database

#: Seconds an unfinished operation stays RUNNING without its process renewing it.
LEASE_SECONDS = 60.0
POLL_SECONDS = 0.5


def _pack(message: Message | None) -> bytes | None:
    if message is None:
        return None
    if isinstance(message, any_pb2.Any):
        return message.SerializeToString()
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed.SerializeToString()


class PgOperationStore:
    """An ``OperationStore`` in the ``operations`` table; the operations this process runs are also kept
    in memory (they carry the events that cancel and finish them)."""

    def __init__(self, db: Database, lease: float = LEASE_SECONDS, service: str = "plans") -> None:
        self.db = db
        self.lease = lease
        self.service = service
        self._local = InMemoryOperationStore()
        self._stop = threading.Event()
        self._renewer = threading.Thread(target=self._renew_leases, name="operation-leases", daemon=True)
        self._renewer.start()

    def close(self) -> None:
        """Stop renewing the leases of this process's operations (they end ABORTED unless finished)."""
        self._stop.set()
        self._renewer.join()

    def _renew_leases(self) -> None:
        while not self._stop.wait(self.lease / 3):
            names = [op.name for op in self._local.running()]
            if not names:
                continue
            try:
                with self.db.transaction() as conn:
                    rows = conn.execute(
                        "UPDATE operations SET updated_at = now() WHERE name = ANY(%s) AND NOT done "
                        "RETURNING name, cancel_requested",
                        (names,),
                    ).fetchall()
            except Exception:  # the database is away: try again at the next beat
                continue
            for row in rows:
                op = self._local.get(row["name"])
                if op is not None and row["cancel_requested"]:
                    op.cancel.set()  # cancelled through another replica

    # ------------------------------------------------------------ rows

    def _stored(self, row: dict[str, Any]) -> Operation:
        """An operation read from the table (running elsewhere, or finished): metadata and response stay
        packed in ``Any``."""
        resp = any_pb2.Any.FromString(row["response"]) if row["response"] is not None else None
        err = status_pb2.Status.FromString(row["error"]) if row["error"] is not None else None
        done = bool(row["done"])
        now = datetime.datetime.now(datetime.UTC)
        if not done and now - row["updated_at"] > datetime.timedelta(seconds=self.lease):
            done, err = True, status_pb2.Status(
                code=code_pb2.ABORTED,
                message="処理が中断されました。もう一度実行してください / the operation was interrupted "
                        "(its server stopped); the plan was not changed — run it again",
            )
        op = Operation(
            name=row["name"], metadata=any_pb2.Any.FromString(row["metadata"]),
            created=row["created_at"].timestamp(), done=done, owner=row["organization_id"] or "", error=err,
            response=resp, request_hash=row["request_hash"],
        )
        if done:
            op.finished.set()
        return op

    def _row(self, name: str) -> dict[str, Any] | None:
        with self.db.transaction() as conn:
            return conn.execute(
                "SELECT * FROM operations WHERE name = %s AND service = %s", (name, self.service)
            ).fetchone()

    def _row_by_request(self, owner: str, rid: str) -> dict[str, Any] | None:
        with self.db.transaction() as conn:
            return conn.execute(
                "SELECT * FROM operations WHERE service = %s AND organization_id IS NOT DISTINCT FROM %s "
                "AND request_id = %s",
                (self.service, owner or None, rid),
            ).fetchone()

    def _write(self, op: Operation) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE operations SET done = %s, metadata = %s, response = %s, error = %s, "
                "updated_at = now() WHERE name = %s",
                (op.done, _pack(op.metadata), _pack(op.response),
                 op.error.SerializeToString() if op.error is not None else None, op.name),
            )

    # ------------------------------------------------------------ the store

    def start(
        self, request_id: str, metadata: Message, owner: str = "", fingerprint: str = ""
    ) -> tuple[Operation, bool]:
        with self.db.transaction() as conn:
            conn.execute(
                "DELETE FROM operations WHERE done AND created_at < now() - %s",
                (datetime.timedelta(seconds=RETENTION_SECONDS),),
            )
        if request_id:
            row = self._row_by_request(owner, request_id)
            if row is not None:
                existing = self.get(row["name"]) or self._stored(row)
                check_same_request(existing, request_id, fingerprint)
                return existing, False
        op, created = self._local.start(request_id, metadata, owner, fingerprint)
        if not created:
            return op, False
        try:
            with self.db.transaction() as conn:
                conn.execute(
                    "INSERT INTO operations (organization_id, name, request_id, metadata, request_hash, "
                    "service) VALUES (%s, %s, %s, %s, %s, %s)",
                    (owner or None, op.name, request_id or None, _pack(metadata), fingerprint, self.service),
                )
        except errors.UniqueViolation:  # the same request id was accepted elsewhere a moment ago
            self._local.delete(op.name)
            row = self._row_by_request(owner, request_id)
            assert row is not None
            existing = self._stored(row)
            check_same_request(existing, request_id, fingerprint)
            return existing, False
        return op, True

    def get(self, name: str) -> Operation | None:
        local = self._local.get(name)
        if local is not None and not local.done:
            return local  # running here: this process knows best
        row = self._row(name)
        if row is None:
            if local is not None:
                self._local.delete(name)  # deleted through another replica
            return None
        return local if local is not None else self._stored(row)

    def list(self, owner: str | None = None) -> list[Operation]:
        local = {op.name: op for op in self._local.list(owner)}
        with self.db.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM operations WHERE service = %s AND (%s::text IS NULL "
                "OR organization_id IS NOT DISTINCT FROM %s) ORDER BY created_at, name",
                (self.service, owner, owner or None),
            ).fetchall()
        return [local.get(r["name"]) or self._stored(r) for r in rows]

    def running(self) -> list[Operation]:
        return self._local.running()

    def delete(self, name: str) -> bool:
        gone = self._local.delete(name)
        with self.db.transaction() as conn:
            deleted = conn.execute(
                "DELETE FROM operations WHERE name = %s AND service = %s", (name, self.service)
            ).rowcount
        return deleted > 0 or gone

    def update(self, op: Operation, mutate: Callable[[Operation], None]) -> None:
        self._local.update(op, mutate)
        self._write(op)

    def cancel(self, op: Operation) -> None:
        op.cancel.set()
        with self.db.transaction() as conn:
            conn.execute("UPDATE operations SET cancel_requested = true WHERE name = %s", (op.name,))

    def wait(self, op: Operation, timeout: float | None) -> Operation:
        if self._local.get(op.name) is op:
            return self._local.wait(op, timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        current = op
        while not current.done and (deadline is None or time.monotonic() < deadline):
            left = POLL_SECONDS if deadline is None else deadline - time.monotonic()
            time.sleep(max(0.0, min(POLL_SECONDS, left)))
            current = self.get(op.name) or current
        return current

    def to_proto(self, op: Operation) -> operations_pb2.Operation:
        if self._local.get(op.name) is op:
            return self._local.to_proto(op)
        return to_proto(op)
