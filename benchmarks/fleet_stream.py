"""StreamFleet latency: how long after its OsmAnd acknowledgement a position reaches a dispatcher's stream.

    python -m benchmarks.fleet_stream --positions 3000 --rate 300
    python -m benchmarks.fleet_stream --redis redis://127.0.0.1:6379/0   # the fleet bus on Redis

A tracking server (gRPC + the OsmAnd endpoint) runs in this process over a fresh database (created and
dropped here) seeded with the demo data; one ``StreamFleet`` subscriber watches 練馬営業所; one phone
per demo truck (V-101…V-103) sends one position per request, round robin, at ``--rate`` requests a
second over keep-alive HTTP. For every position the time from its 200 (durable) to the vehicle state
carrying it on the stream is recorded ("coalesced": positions acknowledged in the same commit as a newer
one of the same truck, which the stream sends only as that newer state). The issue's target: p99 ≤ 1 s.
Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

import grpc
import psycopg

ADMIN_URL = os.environ.get("HAKOBU_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
VEHICLES = ("V-101", "V-102", "V-103")


def run(ns: argparse.Namespace) -> dict[str, float]:
    from hakobu.tracking.v1 import tracking_pb2 as pb
    from hakobu.tracking.v1 import tracking_pb2_grpc
    from server.adapters.postgres.migrate import migrate
    from server.adapters.postgres.seed import NERIMA_BRANCH_ID, ORG_ID, seed
    from server.bootstrap import authenticator, create_tracking_server
    from server.platform.settings import Settings

    name = f"hakobu_bench_live_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{ADMIN_URL.rpartition('/')[0]}/{name}"
    tmp = tempfile.mkdtemp(prefix="hakobu-fleet-bench-")
    running = None
    try:
        migrate(url)
        seed(url)
        settings = dataclasses.replace(
            Settings(data_dir=Path(tmp), jwt_secret="fleet-stream-benchmark-key-0123456789",
                     service_token="fleet-stream-benchmark-token"), redis_url=ns.redis)
        auth = authenticator(settings)
        running = create_tracking_server("127.0.0.1:0", url, osmand_address="127.0.0.1:0", settings=settings,
                                         auth=auth)
        channel = grpc.insecure_channel(f"127.0.0.1:{running.port}")
        stub = tracking_pb2_grpc.TrackingServiceStub(channel)
        md = auth.service_metadata(ORG_ID)
        acked: dict[tuple[str, int], float] = {}
        latencies: list[float] = []
        lock = threading.Lock()
        call = stub.StreamFleet(pb.StreamFleetRequest(
            branch=f"organizations/{ORG_ID}/branches/{NERIMA_BRANCH_ID}"), metadata=md)
        ready = threading.Event()
        early: dict[tuple[str, int], float] = {}

        def watch() -> None:
            try:
                for u in call:
                    ready.set()
                    if not u.HasField("vehicle_state") or not u.vehicle_state.HasField("last_position"):
                        continue
                    s = u.vehicle_state
                    key = (s.vehicle.rsplit("/", 1)[1], s.last_position.time.ToMilliseconds())
                    now = time.perf_counter()
                    with lock:
                        if key in acked:
                            latencies.append(now - acked.pop(key))
                        else:
                            early[key] = now
            except grpc.RpcError:
                pass

        reader = threading.Thread(target=watch, daemon=True)
        reader.start()
        ready.wait(10)
        phone = http.client.HTTPConnection("127.0.0.1", running.osmand_port, timeout=10)
        base = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
        t0 = time.perf_counter()
        refused = 0
        for i in range(ns.positions):
            due = t0 + i / ns.rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            vehicle = VEHICLES[i % len(VEHICLES)]
            at = base + datetime.timedelta(milliseconds=1000 * i + 7)
            ms = int(at.timestamp() * 1000)
            q = urlencode({"id": vehicle, "lat": f"{35.745 + (i % 50) * 1e-4:.6f}", "lon": "139.668",
                           "timestamp": ms, "speed": "10"})
            phone.request("GET", "/?" + q)
            resp = phone.getresponse()
            resp.read()
            now = time.perf_counter()
            if resp.status != 200:
                refused += 1
                continue
            with lock:
                seen = early.pop((vehicle, ms), None)
                if seen is not None:
                    latencies.append(max(0.0, seen - now))  # on the stream before the client read its 200
                else:
                    acked[(vehicle, ms)] = now
        sent_for = time.perf_counter() - t0
        time.sleep(2.0)
        call.cancel()
        reader.join(5)
        phone.close()
        channel.close()
        with lock:
            missing = len(acked)
            lat = sorted(latencies)
        q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [0.0] * 99
        return {"positions": ns.positions, "rate": ns.positions / sent_for, "received": len(lat),
                "missing": missing, "refused": refused, "p50": q[49] * 1000, "p95": q[94] * 1000,
                "p99": q[98] * 1000, "max": (lat[-1] if lat else 0.0) * 1000}
    finally:
        if running is not None:
            running.stop(1)
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.fleet_stream",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--positions", type=int, default=3000)
    ap.add_argument("--rate", type=float, default=300.0, help="OsmAnd requests per second")
    ap.add_argument("--redis", default=None,
                    help="fleet bus and live state on this Redis (default: in-process)")
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    ns = parse_args(argv)
    r = run(ns)
    bus = "Redis" if ns.redis else "in-process"
    print(f"StreamFleet latency, {bus} fleet bus (ack of the OsmAnd 200 → vehicle state on the stream)")
    print("| positions | sent/s | received | coalesced | refused | p50 ms | p95 ms | p99 ms | max ms |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {r['positions']:.0f} | {r['rate']:.0f} | {r['received']:.0f} | {r['missing']:.0f} | "
          f"{r['refused']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['max']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
