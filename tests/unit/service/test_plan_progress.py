"""ProgressReporter: an optimization's improving cost goes into its operation's metadata, throttled."""

from __future__ import annotations

from hakobu.plans.v1 import plans_pb2 as pb
from optimizer.service.operations import InMemoryOperationStore
from server.entrypoints.grpc.plan_progress import ProgressReporter


def _stored(store: InMemoryOperationStore, name: str) -> pb.OptimizePlanMetadata:
    meta = pb.OptimizePlanMetadata()
    op = store.get(name)
    assert op is not None
    store.to_proto(op).metadata.Unpack(meta)
    return meta


def test_first_report_is_written_at_once_later_ones_throttled_then_recorded_at_the_end() -> None:
    store = InMemoryOperationStore()
    op, _ = store.start("", pb.OptimizePlanMetadata(state=pb.OptimizePlanMetadata.RUNNING))
    before = _stored(store, op.name).update_time
    report = ProgressReporter(store, op, min_interval=3600)  # no second write within the test

    report(12_000.0, 9)
    first = _stored(store, op.name)
    assert (first.best_cost, first.improvements, first.served) == (12_000.0, 1, 9)
    assert first.update_time.ToNanoseconds() >= before.ToNanoseconds() and first.HasField("update_time")

    report(11_500.0, 10)
    report(11_500.0, 10)  # the same plan again (e.g. the final answer) is no new improvement
    throttled = _stored(store, op.name)
    assert (throttled.best_cost, throttled.improvements) == (12_000.0, 1)
    assert (report.best_cost, report.improvements, report.served) == (11_500.0, 2, 10)

    store.update(op, report.record)
    last = _stored(store, op.name)
    assert (last.best_cost, last.improvements, last.served) == (11_500.0, 2, 10)


def test_no_report_leaves_the_metadata_as_it_was() -> None:
    store = InMemoryOperationStore()
    op, _ = store.start("", pb.OptimizePlanMetadata(state=pb.OptimizePlanMetadata.RUNNING, orders=3))
    ProgressReporter(store, op).record(op)
    meta = _stored(store, op.name)
    assert (meta.best_cost, meta.improvements, meta.served, meta.orders) == (0.0, 0, 0, 3)


class _BrokenStore(InMemoryOperationStore):
    def update(self, op, mutate) -> None:  # type: ignore[no-untyped-def]
        raise OSError("database gone")


def test_a_failed_progress_write_does_not_stop_the_search() -> None:
    store = _BrokenStore()
    op, _ = store.start("", pb.OptimizePlanMetadata())
    report = ProgressReporter(store, op, min_interval=0)
    report(100.0, 1)
    report(90.0, 2)
    assert (report.best_cost, report.improvements, report.served) == (90.0, 2, 2)
