"""Operation leases in PostgreSQL: a live process keeps its operations RUNNING, a dead one's end ABORTED
within the lease, and a cancel asked through another replica reaches the process running it."""

from __future__ import annotations

import time

from google.rpc import code_pb2

from hakobu.plans.v1 import plans_pb2 as pb
from server.adapters.postgres.operations import PgOperationStore
from server.adapters.postgres.repository import Database

LEASE = 1.0


def _store(db_url: str) -> PgOperationStore:
    return PgOperationStore(Database(db_url), lease=LEASE)


def _md() -> pb.OptimizePlanMetadata:
    return pb.OptimizePlanMetadata(state=pb.OptimizePlanMetadata.RUNNING, orders=3)


def test_a_live_process_keeps_its_operation_running(db_url: str, org: str) -> None:
    here, there = _store(db_url), _store(db_url)
    try:
        op, _ = here.start("", _md(), owner=org)
        time.sleep(3 * LEASE)
        seen = there.get(op.name)
        assert seen is not None and not seen.done
    finally:
        here.close()
        there.close()


def test_a_dead_process_leaves_its_operation_aborted_within_the_lease(db_url: str, org: str) -> None:
    dead, there = _store(db_url), _store(db_url)
    try:
        op, _ = dead.start("", _md(), owner=org)
        dead.close()  # as kill -9 would: nobody renews the lease any more
        assert not there.get(op.name).done  # type: ignore[union-attr]
        time.sleep(1.5 * LEASE)
        proto = there.to_proto(there.get(op.name))  # type: ignore[arg-type]
        assert proto.done and proto.error.code == code_pb2.ABORTED
        assert there.delete(op.name) and there.get(op.name) is None
    finally:
        there.close()


def test_a_cancel_through_another_replica_reaches_the_running_process(db_url: str, org: str) -> None:
    here, there = _store(db_url), _store(db_url)
    try:
        op, _ = here.start("", _md(), owner=org)
        seen = there.get(op.name)
        assert seen is not None and seen is not op
        there.cancel(seen)
        assert op.cancel.wait(3 * LEASE)
    finally:
        here.close()
        there.close()
