"""The container health probe against a real gRPC server and a real HTTP server on loopback."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest
from grpc_health.v1 import health_pb2

from server.platform import healthcheck
from server.platform.grpc import build_server


@pytest.fixture
def grpc_port() -> Iterator[tuple[int, object]]:
    built = build_server("127.0.0.1:0", [])
    try:
        yield built.port, built.health
    finally:
        built.server.stop(None)


def test_grpc_serving_not_serving_and_down(grpc_port: tuple[int, object]) -> None:
    port, health = grpc_port
    assert healthcheck.main(["grpc", f"127.0.0.1:{port}"]) == 0
    health.set("", health_pb2.HealthCheckResponse.NOT_SERVING)  # type: ignore[attr-defined]
    assert healthcheck.check_grpc(f"127.0.0.1:{port}") == f"127.0.0.1:{port}: NOT_SERVING"
    assert healthcheck.main(["grpc", f"127.0.0.1:{port}"]) == 1


def test_grpc_nothing_listening() -> None:
    built = build_server("127.0.0.1:0", [])
    port = built.port
    built.server.stop(None).wait()
    assert healthcheck.main(["grpc", f"127.0.0.1:{port}"]) == 1


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 503)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_http_ok_and_failing() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        assert healthcheck.main(["http", f"{base}/healthz"]) == 0
        assert healthcheck.check_http(f"{base}/ready") == f"{base}/ready: HTTP 503"
        assert healthcheck.main(["http", f"{base}/ready"]) == 1
    finally:
        server.shutdown()
        server.server_close()


def test_usage() -> None:
    assert healthcheck.main([]) == 2
