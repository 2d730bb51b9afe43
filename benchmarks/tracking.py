"""Tracking ingestion under load: gRPC batches, OsmAnd requests, and a fault run.

Everything runs against PRIVATE servers this script starts (a PostgreSQL cluster initialised into
/tmp, a redis-server, ``hakobu serve tracking`` as a child process), each on a free port: the shared
127.0.0.1:5432 / 6379 are never touched. The load generator runs on the same machine.

    python -m benchmarks.tracking grpc --positions 2000000        # batches of 100, 4 streams
    python -m benchmarks.tracking osmand --seconds 20             # wrk, keep-alive and new connections
    python -m benchmarks.tracking fleet                           # ack → StreamFleet subscriber
    python -m benchmarks.tracking fault --seconds 60              # Redis, PostgreSQL restarted, SIGKILL
    python -m benchmarks.tracking all

``grpc``: the positions of ``--devices`` trackers reporting every second, interleaved, pre-serialized
(the client does no protobuf work while measuring) and sent as ``ReportPositionsRequest`` batches over
``--streams`` streams of one channel, each keeping ``--window`` batches unacknowledged at most. Printed:
positions/s over the whole run and per 10 s stretch (sustained), acknowledgement latency p50/p99/max,
and the rows counted in PostgreSQL afterwards.

``osmand``: wrk with a Lua script that gives every request a new (id, timestamp): keep-alive over
``--connections`` connections, then ``Connection: close`` (a new TCP connection per request).

``fault``: gRPC load (with retries of unacknowledged batches, as a client must) while Redis is
restarted, then PostgreSQL, then the server is killed with SIGKILL and started again. Afterwards every
acknowledged position must be in PostgreSQL (0 lost) exactly once (0 duplicates).
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import psycopg

from benchmarks.tracking_env import SERVICE_TOKEN, PrivatePostgres, PrivateRedis, TrackingProcess
from hakobu.tracking.v1 import tracking_pb2 as pb

ORG = "BENCH"
METHOD = "/hakobu.tracking.v1.TrackingService/ReportPositions"
MD = (("authorization", f"Service {SERVICE_TOKEN}"), ("x-hakobu-organization", ORG))
CENTRE = (35.68, 139.76)
#: (device id, time) of a position; (batch id, serialized request, its positions' keys) of a batch.
Key = tuple[str, datetime.datetime]
Batch = tuple[str, bytes, list[Key]]


def device_id(i: int) -> str:
    return f"bench-{i:06d}"


def setup_fleet(url: str, devices: int) -> None:
    """An organization with one branch, ``devices`` vehicles and a tracker on each (ids bench-000000…)."""
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO organizations (id, code, name) VALUES (%s, %s, 'ベンチマーク') "
                     "ON CONFLICT DO NOTHING", (ORG, ORG))
        conn.execute("INSERT INTO branches (organization_id, id, code, name, latitude, longitude) VALUES "
                     "(%s, 'B', 'B', '本店', 35.68, 139.76) ON CONFLICT DO NOTHING", (ORG,))
        have = conn.execute("SELECT count(*) FROM devices WHERE organization_id = %s", (ORG,)).fetchone()
        if have and have[0] >= devices:
            return
        with conn.cursor() as cur:
            with cur.copy("COPY vehicles (organization_id, id, branch_id, registration_number, "
                          "vehicle_class, payload_kg) FROM STDIN") as cp:
                for i in range(devices):
                    cp.write_row((ORG, f"BV-{i:06d}", "B", f"ベンチ{i:06d}", "2t", 2000))
            with cur.copy("COPY devices (id, organization_id, vehicle_id) FROM STDIN") as cp:
                for i in range(devices):
                    cp.write_row((device_id(i), ORG, f"BV-{i:06d}"))
            with cur.copy("COPY device_assignments (organization_id, vehicle_id, device_id) "
                          "FROM STDIN") as cp:
                for i in range(devices):
                    cp.write_row((ORG, f"BV-{i:06d}", device_id(i)))


def make_batches(devices: int, total: int, batch: int, start: datetime.datetime,
                 first_device: int = 0) -> list[Batch]:
    """(batch id, serialized request, its (device, time) keys): each device one fix a second from
    ``start``, devices interleaved."""
    out = []
    seconds = (total + devices - 1) // devices
    keys: list[Key] = []
    request = pb.ReportPositionsRequest()
    n = 0
    for k in range(seconds):
        t = start + datetime.timedelta(seconds=k)
        for i in range(devices):
            if n >= total:
                break
            p = request.positions.add(device_id=device_id(first_device + i), speed_kmh=30.0 + i % 20,
                                      heading_degrees=float(k % 360))
            p.time.FromDatetime(t)
            p.location.latitude = CENTRE[0] + (i % 100) * 0.001 + k * 1e-5
            p.location.longitude = CENTRE[1] + (i // 100 % 100) * 0.001
            keys.append((device_id(first_device + i), t))
            n += 1
            if len(request.positions) == batch:
                request.batch_id = f"b{len(out)}"
                out.append((request.batch_id, request.SerializeToString(), keys))
                request, keys = pb.ReportPositionsRequest(), []
    if request.positions:
        request.batch_id = f"b{len(out)}"
        out.append((request.batch_id, request.SerializeToString(), keys))
    return out


# ---------------------------------------------------------------- the gRPC load


@dataclass
class StreamStats:
    latencies: list[float] = field(default_factory=list)
    acked: list[tuple[float, int]] = field(default_factory=list)  # (time, positions accepted + dup)
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: int = 0
    acked_keys: list[Key] = field(default_factory=list)


def run_stream(target: str, batches: Sequence[Batch],
               window: int, stats: StreamStats, *, retry: bool = False, keep_keys: bool = False,
               stop: threading.Event | None = None) -> None:
    """Send ``batches`` over one stream with at most ``window`` unacknowledged; with ``retry``, a broken
    stream is opened again and every unacknowledged batch sent again (as a client must)."""
    todo = list(batches)
    ever_sent: set[str] = set()
    while todo:
        channel = grpc.insecure_channel(target)
        call = channel.stream_stream(METHOD, request_serializer=lambda b: b,
                                     response_deserializer=pb.ReportPositionsResponse.FromString)
        slots = threading.Semaphore(window)
        sent: dict[str, tuple[float, int, list[Key]]] = {}
        done: set[str] = set()
        closed = threading.Event()

        try:
            for ack in call(_requests(todo, slots, closed, sent, ever_sent, stop), metadata=MD):
                now = time.perf_counter()
                t0, _, keys = sent.pop(ack.batch_id)
                done.add(ack.batch_id)
                stats.latencies.append(now - t0)
                stats.acked.append((now, ack.accepted + ack.duplicates))
                stats.accepted += ack.accepted
                stats.duplicates += ack.duplicates
                stats.rejected += len(ack.rejected)
                if keep_keys:
                    stats.acked_keys.extend(keys)
                slots.release()
        except grpc.RpcError:
            stats.errors += 1
            if not retry:
                raise
            time.sleep(0.5)
        finally:
            closed.set()
            channel.close()
        todo = [b for b in todo if b[0] not in done]
        if stop is not None and stop.is_set():  # no new batches: only the unacknowledged ones again
            todo = [b for b in todo if b[0] in ever_sent]


def _requests(items: list[Batch], slots: threading.Semaphore, closed: threading.Event,
              sent: dict[str, tuple[float, int, list[Key]]], ever_sent: set[str],
              stop: threading.Event | None) -> Iterator[bytes]:
    """The stream's requests, each waiting for a free slot (at most ``window`` unacknowledged); after
    ``stop``, only batches sent before (and not acknowledged) are sent again."""
    for batch_id, data, keys in items:
        if stop is not None and stop.is_set() and batch_id not in ever_sent:
            return
        while not slots.acquire(timeout=0.5):
            if closed.is_set():
                return
        if closed.is_set():
            return
        sent[batch_id] = (time.perf_counter(), len(keys), keys)
        ever_sent.add(batch_id)
        yield data


def grpc_load(target: str, batches: list[Batch],
              streams: int, window: int, **kw: object) -> tuple[list[StreamStats], float, float]:
    parts = [batches[i::streams] for i in range(streams)]
    stats = [StreamStats() for _ in range(streams)]
    threads = [threading.Thread(target=run_stream, args=(target, part, window, st), kwargs=kw)
               for part, st in zip(parts, stats, strict=True)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return stats, t0, time.perf_counter()


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def per_stretch(stats: list[StreamStats], t0: float, t1: float, width: float = 10.0) -> list[float]:
    """Positions acknowledged per second in each ``width``-second stretch of the run (whole ones)."""
    events = sorted(e for s in stats for e in s.acked)
    buckets = [0] * max(1, int((t1 - t0) // width))
    for t, n in events:
        i = int((t - t0) // width)
        if i < len(buckets):
            buckets[i] += n
    return [b / width for b in buckets]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def count_rows(url: str) -> tuple[int, int]:
    """(rows, distinct (device, time)) of the benchmark organization."""
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*), count(DISTINCT (device_id, time)) FROM positions "
                           "WHERE organization_id = %s", (ORG,)).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def bench_grpc(ns: argparse.Namespace, pg: PrivatePostgres, redis: PrivateRedis | None) -> dict[str, object]:
    server = TrackingProcess(pg.url, redis.url if redis else None)
    try:
        setup_fleet(pg.url, ns.devices)
        start = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(
            seconds=ns.positions // ns.devices + 120)
        t = time.perf_counter()
        batches = make_batches(ns.devices, ns.positions, ns.batch, start)
        took = time.perf_counter() - t
        print(f"  {len(batches):,} batches of {ns.batch} prepared in {took:.1f} s", flush=True)
        rows_before = count_rows(pg.url)[0]
        cpu0 = cpu_seconds(server.pid())
        stats, t0, t1 = grpc_load(server.grpc, batches, ns.streams, ns.window)
        cpu = cpu_seconds(server.pid()) - cpu0
        latencies = [x for s in stats for x in s.latencies]
        accepted = sum(s.accepted for s in stats)
        rows, distinct = count_rows(pg.url)
        stretches = per_stretch(stats, t0, t1)
        return {
            "positions": ns.positions, "seconds": t1 - t0, "rate": accepted / (t1 - t0),
            "stretch_min": min(stretches), "stretch_median": statistics.median(stretches),
            "p50": percentile(latencies, 0.5) * 1000, "p99": percentile(latencies, 0.99) * 1000,
            "max": max(latencies) * 1000, "accepted": accepted,
            "duplicates": sum(s.duplicates for s in stats), "rejected": sum(s.rejected for s in stats),
            "rows": rows - rows_before, "distinct": distinct - rows_before,
            "server_cpu_us": cpu / max(accepted, 1) * 1e6,
        }
    finally:
        server.stop()


WRK_SCRIPT = """
-- every request a new (tracker, time): tracker n % {devices}, time advancing a millisecond per round
counter = 0
local threads = {{}}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function request()
  counter = counter + 1
  local n = counter * {threads} + tid
  local device = string.format("bench-%06d", n % {devices})
  local ts = {base} + math.floor(n / {devices})
  local lat = 35.6 + (n % 100) * 0.001
  local query = "/?id=" .. device .. "&timestamp=" .. ts .. "&lat=" .. lat
  return wrk.format("GET", query .. "&lon=139.7&speed=12&bearing=90")
end
"""


@dataclass
class WrkResult:
    rate: float
    p50: float
    p99: float
    requests: int
    errors: str


def wrk(url: str, seconds: float, connections: int, *, close: bool, devices: int, base_ms: int) -> WrkResult:
    threads = 2
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT.format(devices=devices, threads=threads, base=base_ms))
        script = f.name
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--latency", "-s", script, url]
    if close:
        cmd[1:1] = ["-H", "Connection: close"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    os.unlink(script)

    def latency(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if m is None:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: (.*)", out)
    found = (f"{bad.group(1)} non-2xx" if bad else "", sock.group(1) if sock else "")
    errors = ", ".join(x for x in found if x)
    return WrkResult(float(rate.group(1)) if rate else 0.0, latency("50"), latency("99"),
                     int(total.group(1)) if total else 0, errors or "none")


def bench_osmand(ns: argparse.Namespace, pg: PrivatePostgres, redis: PrivateRedis | None) -> None:
    server = TrackingProcess(pg.url, redis.url if redis else None)
    try:
        setup_fleet(pg.url, ns.devices)
        base = int((time.time() - 3 * 3600) * 1000)
        url = f"http://{server.osmand}/"
        print("\n| OsmAnd HTTP, one position per request | connections | req/s | p50 ms | p99 ms | requests "
              "| rows stored | errors | server CPU µs/request |")
        print("|---|---:|---:|---:|---:|---:|---:|---|---:|")
        for close, label in ((False, "keep-alive"), (True, "new connection per request")):
            before = count_rows(pg.url)[0]
            cpu0 = cpu_seconds(server.pid())
            r = wrk(url, ns.seconds, ns.connections, close=close, devices=ns.devices, base_ms=base)
            cpu = cpu_seconds(server.pid()) - cpu0
            base += 10_000_000  # the next run's times are new
            rows = count_rows(pg.url)[0] - before
            print(f"| {label} | {ns.connections} | {r.rate:,.0f} | {r.p50:.1f} | {r.p99:.1f} "
                  f"| {r.requests:,} "
                  f"| {rows:,} | {r.errors} | {cpu / max(r.requests, 1) * 1e6:.0f} |", flush=True)
    finally:
        server.stop()


def setup_small_branch(url: str, vehicles: int) -> list[str]:
    """A second branch ``L`` with its own few vehicles and trackers (lat-000…), for StreamFleet."""
    ids = [f"lat-{i:03d}" for i in range(vehicles)]
    setup_fleet(url, 0)
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO branches (organization_id, id, code, name, latitude, longitude) VALUES "
                     "(%s, 'L', 'L', '支店', 35.68, 139.76) ON CONFLICT DO NOTHING", (ORG,))
        for i in ids:
            conn.execute("INSERT INTO vehicles (organization_id, id, branch_id, registration_number, "
                         "vehicle_class, payload_kg) VALUES (%s, %s, 'L', %s, '2t', 2000) "
                         "ON CONFLICT DO NOTHING", (ORG, f"LV-{i}", f"L{i}"))
            conn.execute("INSERT INTO devices (id, organization_id, vehicle_id) VALUES (%s, %s, %s) "
                         "ON CONFLICT DO NOTHING", (i, ORG, f"LV-{i}"))
            conn.execute("INSERT INTO device_assignments VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                         (ORG, f"LV-{i}", i))
    return ids


def bench_stream_fleet(ns: argparse.Namespace, pg: PrivatePostgres, redis: PrivateRedis | None) -> None:
    """Seconds from a batch's acknowledgement to its position in a StreamFleet subscriber's update."""
    server = TrackingProcess(pg.url, redis.url if redis else None)
    try:
        devices = setup_small_branch(pg.url, 10)
        channel = grpc.insecure_channel(server.grpc)
        stream = channel.unary_stream("/hakobu.tracking.v1.TrackingService/StreamFleet",
                                      request_serializer=pb.StreamFleetRequest.SerializeToString,
                                      response_deserializer=pb.FleetUpdate.FromString)
        received: dict[tuple[str, int], float] = {}
        ready = threading.Event()
        updates = stream(pb.StreamFleetRequest(branch=f"organizations/{ORG}/branches/L"), metadata=MD)

        def listen() -> None:
            try:
                for u in updates:
                    ready.set()
                    if u.HasField("vehicle_state") and u.vehicle_state.HasField("last_position"):
                        p = u.vehicle_state.last_position
                        received.setdefault((p.device_id, p.time.seconds), time.perf_counter())
            except grpc.RpcError:
                pass

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        ready.wait(30)
        time.sleep(1.0)
        acked: dict[tuple[str, int], float] = {}
        start = int(time.time()) - 3600
        report = channel.stream_stream(METHOD, request_serializer=pb.ReportPositionsRequest.SerializeToString,
                                       response_deserializer=pb.ReportPositionsResponse.FromString)
        for n in range(ns.fleet_positions):
            device = devices[n % len(devices)]
            request = pb.ReportPositionsRequest(batch_id=str(n))
            p = request.positions.add(device_id=device, speed_kmh=20.0)
            p.time.seconds = start + n
            p.location.latitude, p.location.longitude = 35.68 + n * 1e-4, 139.76
            (ack,) = list(report(iter([request]), metadata=MD))
            assert ack.accepted == 1, ack
            acked[(device, start + n)] = time.perf_counter()
            time.sleep(0.05)
        time.sleep(2.0)
        updates.cancel()
        channel.close()
        lat = [received[k] - t for k, t in acked.items() if k in received]
        print("\n| StreamFleet: ack → subscriber | positions | received | p50 ms | p99 ms | max ms |")
        print("|---|---:|---:|---:|---:|---:|")
        print(f"| one branch, 10 vehicles, 20 positions/s | {len(acked)} | {len(lat)} "
              f"| {percentile(lat, 0.5) * 1000:.0f} | {percentile(lat, 0.99) * 1000:.0f} "
              f"| {max(lat, default=float('nan')) * 1000:.0f} |", flush=True)
    finally:
        server.stop()


def bench_fault(ns: argparse.Namespace, pg: PrivatePostgres, redis: PrivateRedis | None) -> None:
    """Load with retries while Redis, then PostgreSQL are restarted and the server is SIGKILLed once;
    then every acknowledged position must be stored exactly once."""
    assert redis is not None, "the fault run restarts Redis: run it without --no-redis"
    server = TrackingProcess(pg.url, redis.url)
    events: list[str] = []
    try:
        setup_fleet(pg.url, ns.devices)
        total = ns.fault_positions
        start = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(hours=5)
        batches = make_batches(ns.devices, total, ns.batch, start)
        before = count_rows(pg.url)[0]
        stop = threading.Event()
        t0 = time.perf_counter()

        def restart_server() -> None:
            server.kill()
            server.start()

        def faults() -> None:
            step = ns.seconds / 4
            for what, act in (("Redis restarted", redis.restart), ("PostgreSQL restarted", pg.restart),
                              ("server SIGKILLed and started again", restart_server)):
                time.sleep(step)
                act()
                events.append(f"{time.perf_counter() - t0:5.1f} s: {what}")
                print(f"  {events[-1]}", flush=True)
            time.sleep(step)
            stop.set()  # no new batches from here; the unacknowledged ones are sent until acknowledged

        fault_thread = threading.Thread(target=faults, daemon=True)
        fault_thread.start()
        stats = [StreamStats() for _ in range(2)]
        parts = [batches[i::2] for i in range(2)]
        threads = [threading.Thread(target=run_stream, args=(server.grpc, part, ns.window, st),
                                    kwargs={"retry": True, "keep_keys": True, "stop": stop})
                   for part, st in zip(parts, stats, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        fault_thread.join()
        elapsed = time.perf_counter() - t0
        acked = {k for s in stats for k in s.acked_keys}
        with psycopg.connect(pg.url) as conn:
            stored = conn.execute("SELECT device_id, time FROM positions WHERE organization_id = %s",
                                  (ORG,)).fetchall()
        rows = len(stored) - before
        keys = set(stored)
        lost = len(acked - keys)
        duplicates = len(stored) - len(keys)
        print("\n| fault run | positions prepared | seconds | stream errors (retried) | acknowledged | "
              "rows | lost | duplicates |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        print(f"| {'; '.join(e.split(': ')[1] for e in events)} | {total:,} | {elapsed:.1f} "
              f"| {sum(s.errors for s in stats)} | {len(acked):,} | {rows:,} | {lost} | {duplicates} |",
              flush=True)
    finally:
        server.stop()


def print_grpc(r: dict[str, object]) -> None:
    print("\n| gRPC batches | positions | seconds | positions/s | sustained (min / median of 10 s) "
          "| ack p50 / p99 / max ms | rows stored |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(f"| {r['batch']} × {r['streams']} streams | {r['positions']:,} | {r['seconds']:.1f} "
          f"| {r['rate']:,.0f} "
          f"| {r['stretch_min']:,.0f} / {r['stretch_median']:,.0f} | {r['p50']:.1f} / {r['p99']:.1f} / "
          f"{r['max']:.0f} | {r['rows']:,} ({r['duplicates']} dup acks, {r['rejected']} rejected) |",
          flush=True)
    print(f"  server CPU: {r['server_cpu_us']:.1f} µs per position", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.tracking", description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["grpc", "osmand", "fleet", "fault", "all"])
    ap.add_argument("--positions", type=int, default=2_000_000)
    ap.add_argument("--devices", type=int, default=2_000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--streams", type=int, default=4)
    ap.add_argument("--window", type=int, default=8, help="unacknowledged batches per stream")
    ap.add_argument("--seconds", type=float, default=20.0, help="osmand: wrk duration; fault: load duration")
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--no-redis", action="store_true", help="live state in process instead of Redis")
    ap.add_argument("--fleet-positions", type=int, default=200, help="fleet: positions, one each 50 ms")
    ap.add_argument("--fault-positions", type=int, default=800_000,
                    help="fault: positions prepared (sending stops a quarter of --seconds after the last "
                         "fault)")
    ns = ap.parse_args(argv)
    print("starting a private PostgreSQL cluster and redis-server…", flush=True)
    pg = PrivatePostgres()
    redis = None if ns.no_redis else PrivateRedis()
    try:
        if ns.what in ("grpc", "all"):
            print(f"gRPC: {ns.positions:,} positions…", flush=True)
            r = bench_grpc(ns, pg, redis)
            r.update(batch=ns.batch, streams=ns.streams)
            print_grpc(r)
        if ns.what in ("osmand", "all"):
            bench_osmand(ns, pg, redis)
        if ns.what in ("fleet", "all"):
            bench_stream_fleet(ns, pg, redis)
        if ns.what in ("fault", "all"):
            bench_fault(ns, pg, redis)
    finally:
        if redis is not None:
            redis.stop()
        pg.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


