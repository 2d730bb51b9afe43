"""One request, one connected trace: a dispatcher's OptimizePlan through the plans service, its call to the
optimizer and the PostgreSQL statements of both, recorded by an in-memory exporter."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import httpx
import pytest
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import duration_pb2
from google.type import date_pb2
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client import REGISTRY

from gateway.app import create_app
from gateway.server import RunningGateway
from hakobu.plans.v1 import plans_pb2 as pb
from hakobu.plans.v1 import plans_pb2_grpc
from server.adapters.postgres.migrate import migrate
from server.adapters.postgres.seed import NERIMA_BRANCH_ID, ORG_ID, seed, tomorrow
from server.bootstrap import create_optimizer_server, create_plans_server
from server.platform import tracing
from server.platform.settings import Settings
from tests.credentials import SETTINGS, Role, metadata_for
from tests.integration.db.conftest import create_database, drop_database

EXPORTER = InMemorySpanExporter()


class _WhileTesting(SimpleSpanProcessor):
    """Records only while a test of this module runs (the provider stays for the whole pytest process)."""

    recording = False

    def on_end(self, span: ReadableSpan) -> None:
        if self.recording:
            super().on_end(span)


_PROCESSOR = _WhileTesting(EXPORTER)


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    """The process's tracer provider (it can be set once): spans into memory while these tests run."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(_PROCESSOR)
        trace.set_tracer_provider(provider)
    _WhileTesting.recording = True
    try:
        yield EXPORTER
    finally:
        _WhileTesting.recording = False
        EXPORTER.clear()


@pytest.fixture
def targets() -> Iterator[tuple[str, str]]:
    """(plans, optimizer) servers over a fresh seeded database."""
    name, url = create_database()
    optimizer = create_optimizer_server("127.0.0.1:0", workers=0, settings=SETTINGS)
    plans = None
    try:
        migrate(url)
        seed(url, tomorrow())
        plans = create_plans_server("127.0.0.1:0", url, f"127.0.0.1:{optimizer.port}", settings=SETTINGS)
        yield f"127.0.0.1:{plans.port}", f"127.0.0.1:{optimizer.port}"
    finally:
        if plans is not None:
            plans.stop()
        optimizer.stop()
        drop_database(name)


def test_one_grpc_request_yields_one_connected_trace(
    exporter: InMemorySpanExporter, targets: tuple[str, str]
) -> None:
    day = tomorrow()
    md = metadata_for(ORG_ID, Role.DISPATCHER, "U-002")
    exporter.clear()
    optimized = REGISTRY.get_sample_value("hakobu_plans_optimized_total", {"trigger": "request"}) or 0.0
    with grpc.insecure_channel(targets[0]) as raw:
        channel = grpc.intercept_channel(raw, tracing.ClientInterceptor())
        stub = plans_pb2_grpc.PlanServiceStub(channel)
        with tracing.tracer().start_as_current_span("dispatcher: optimize tomorrow") as root:
            op = stub.OptimizePlan(pb.OptimizePlanRequest(
                parent=f"organizations/{ORG_ID}",
                branch=f"organizations/{ORG_ID}/branches/{NERIMA_BRANCH_ID}",
                plan_date=date_pb2.Date(year=day.year, month=day.month, day=day.day),
                time_limit=duration_pb2.Duration(seconds=1), seed=1,
            ), metadata=md)
        done = operations_pb2_grpc.OperationsStub(raw).WaitOperation(
            operations_pb2.WaitOperationRequest(name=op.name, timeout=duration_pb2.Duration(seconds=60)),
            metadata=md)
    assert done.done and not done.HasField("error"), done.error

    _check_connected(exporter, root.get_span_context())
    # the business metric of the plans service counted it
    assert REGISTRY.get_sample_value("hakobu_plans_optimized_total", {"trigger": "request"}) == optimized + 1


def test_one_rest_request_yields_one_connected_trace(
    exporter: InMemorySpanExporter, targets: tuple[str, str]
) -> None:
    """gateway → plans → optimizer → PostgreSQL, the REST caller's traceparent at the root."""
    day = tomorrow()
    md = metadata_for(ORG_ID, Role.DISPATCHER, "U-002")
    settings = Settings(optimizer_target=targets[1], plans_address=targets[0])
    gateway = RunningGateway(create_app(settings)).start()
    exporter.clear()
    try:
        with tracing.tracer().start_as_current_span("browser: optimize tomorrow") as root:
            headers = tracing.inject_headers(dict(md))
            reply = httpx.post(
                f"{gateway.url}/v1/organizations/{ORG_ID}/branches/{NERIMA_BRANCH_ID}/plans:optimize",
                json={"parent": f"organizations/{ORG_ID}",
                      "planDate": {"year": day.year, "month": day.month, "day": day.day},
                      "timeLimit": "1s", "seed": 1},
                headers=headers, timeout=60)
        assert reply.status_code == 200, reply.text
        with grpc.insecure_channel(targets[0]) as raw:
            done = operations_pb2_grpc.OperationsStub(raw).WaitOperation(
                operations_pb2.WaitOperationRequest(name=reply.json()["name"],
                                                    timeout=duration_pb2.Duration(seconds=60)),
                metadata=md)
        assert done.done and not done.HasField("error"), done.error
    finally:
        gateway.stop()
    plans_call = _check_connected(exporter, root.get_span_context())
    spans = {s.context.span_id: s for s in exporter.get_finished_spans()}
    assert plans_call.parent is not None
    edge = spans[plans_call.parent.span_id]
    assert edge.kind == SpanKind.SERVER and edge.name.startswith("POST ")  # the gateway's span
    assert edge.parent is not None and edge.parent.span_id == root.get_span_context().span_id


def _check_connected(exporter: InMemorySpanExporter, root: trace.SpanContext) -> ReadableSpan:
    """The spans of ``root``'s trace form one tree through plans, optimizer and PostgreSQL; returns the
    plans service's OptimizePlan span."""
    trace_id = root.trace_id
    spans = [s for s in exporter.get_finished_spans() if s.context.trace_id == trace_id]
    by_id = {s.context.span_id: s for s in spans}
    # connected: every span but the root has its parent in the same trace
    root_span = by_id[root.span_id]
    orphans = [s.name for s in spans if s.parent is None and s is not root_span]
    assert not orphans, orphans
    assert all(s.parent.span_id in by_id for s in spans if s.parent is not None), [s.name for s in spans]

    def named(name: str, kind: SpanKind) -> list[ReadableSpan]:
        return [s for s in spans if s.name == name and s.kind == kind]

    (plans_call,) = named("hakobu.plans.v1.PlanService/OptimizePlan", SpanKind.SERVER)
    optimizer_calls = [s for s in spans if s.name.startswith("hakobu.optimizer.v1.OptimizerService/")]
    clients = [s for s in optimizer_calls if s.kind == SpanKind.CLIENT]
    servers = [s for s in optimizer_calls if s.kind == SpanKind.SERVER]
    assert clients and servers, [s.name for s in spans]
    assert {s.parent.span_id for s in servers} <= {c.context.span_id for c in clients}  # across the wire
    statements = [s for s in spans if s.name == "postgresql"]
    assert statements and all(s.attributes["db.system"] == "postgresql" for s in statements)

    def under(span: ReadableSpan, ancestor: ReadableSpan) -> bool:
        while span.parent is not None:
            if span.parent.span_id == ancestor.context.span_id:
                return True
            span = by_id[span.parent.span_id]
        return False

    assert all(under(c, plans_call) for c in clients)
    assert any(under(s, plans_call) for s in statements)
    return plans_call
