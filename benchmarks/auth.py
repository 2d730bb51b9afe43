"""What authenticating every call costs: checking one credential in process (a JWT, the denylist, an API
key's hash), and a real gRPC round trip to an in-process server with and without the authenticate step.

    python -m benchmarks.auth
    python -m benchmarks.auth --calls 5000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence

import grpc

from benchmarks.plans import table
from geo.cache import InProcessCache
from geo.registry import GraphRegistry
from geo.service import GeoServicer
from hakobu.geo.v1 import geo_pb2, geo_pb2_grpc
from server.adapters.memory.identity import InProcessDenylist, MemoryApiKeys
from server.entrypoints.grpc.auth import authenticate_with
from server.identity import apikeys
from server.identity.authenticate import Authenticator
from server.identity.ports import ApiKeyRecord
from server.identity.principal import Principal, Role
from server.identity.tokens import TokenIssuer
from server.platform.grpc import Service, build_server, service_name

KEY = b"benchmark-signing-key-0123456789abcdef"


def _micros(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e6)
    return out


def _row(name: str, samples: list[float]) -> list[str]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return [name, f"{statistics.median(samples):.1f}", f"{p99:.1f}", str(len(samples))]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.auth")
    ap.add_argument("--calls", type=int, default=2000, help="measured calls per row (default 2000)")
    ns = ap.parse_args(argv)

    keys = MemoryApiKeys()
    new = apikeys.new_key()
    keys.create(ApiKeyRecord("ORG-001", new.id, "bench", Role.DISPATCHER, new.secret_hash))
    auth = Authenticator(TokenIssuer(KEY), InProcessDenylist(), keys, "benchmark-service-token")
    token = auth.issuer.issue(Principal("ORG-001", "U-002", Role.DISPATCHER)).token
    bearer = {"authorization": f"Bearer {token}"}
    in_process = [
        _row("JWT verify + denylist", _micros(lambda: auth.principal(bearer), ns.calls)),
        _row("API key (hash compare; store in memory)",
             _micros(lambda: auth.principal({"x-api-key": new.key}), ns.calls)),
        _row("service credential", _micros(
            lambda: auth.principal({"authorization": "Service benchmark-service-token"}), ns.calls)),
    ]
    print(table("checking one credential (µs)", ["credential", "p50", "p99", "calls"], in_process))

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        servicer = GeoServicer(GraphRegistry(cache_dir=tmp), InProcessCache())
        name = service_name(geo_pb2.DESCRIPTOR, "GeoService")
        service = Service(name, geo_pb2_grpc.add_GeoServiceServicer_to_server, servicer)
        for label, authenticate, md in (
            ("no authenticate step", None, ()),
            ("with authenticate (JWT)", authenticate_with(auth), tuple(bearer.items())),
        ):
            built = build_server("127.0.0.1:0", [service], authenticate=authenticate)
            with grpc.insecure_channel(f"127.0.0.1:{built.port}") as ch:
                stub = geo_pb2_grpc.GeoServiceStub(ch)
                def call(stub: geo_pb2_grpc.GeoServiceStub = stub, md: tuple = md) -> object:
                    return stub.ListGraphs(geo_pb2.ListGraphsRequest(), metadata=md)

                _micros(call, 200)  # warm up the channel
                rows.append(_row(label, _micros(call, ns.calls)))
            built.server.stop(None)
    print()
    print(table("GeoService.ListGraphs round trip, in-process server (µs)", ["server", "p50", "p99", "calls"],
                rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
