"""TLS for gRPC as a setting: with HAKOBU_TLS_CERT/KEY the servers speak TLS only, and Hakobu's own
clients (plans → optimizer) trust that certificate."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import grpc
import pytest

from hakobu.optimizer.v1 import optimizer_pb2_grpc
from server.bootstrap import channel_credentials, create_optimizer_server
from tests.credentials import metadata_for, service_metadata, settings
from tests.e2e.test_optimizer_grpc import small_request


@pytest.fixture(scope="module")
def pem(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


def test_the_optimizer_serves_tls_only(pem: tuple[Path, Path]) -> None:
    cert, key = pem
    s = settings(tls_cert=cert, tls_key=key)
    running = create_optimizer_server("127.0.0.1:0", workers=0, settings=s)
    target = f"localhost:{running.port}"
    try:
        credentials = channel_credentials(s)
        assert credentials is not None
        with grpc.secure_channel(target, credentials) as ch:
            stub = optimizer_pb2_grpc.OptimizerServiceStub(ch)
            answer = stub.Optimize(small_request(), metadata=metadata_for("ORG-001"), timeout=60)
            assert answer.solution.routes
            stub.Optimize(small_request(), metadata=service_metadata(), timeout=60)
            with pytest.raises(grpc.RpcError) as info:
                stub.Optimize(small_request(), timeout=60)
            assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED, "TLS does not replace credentials"
        with grpc.insecure_channel(target) as ch, pytest.raises(grpc.RpcError) as info:
            optimizer_pb2_grpc.OptimizerServiceStub(ch).Optimize(
                small_request(), metadata=metadata_for("ORG-001"), timeout=5)
        assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        running.stop(0)
