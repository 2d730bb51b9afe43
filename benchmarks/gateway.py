"""The REST gateway's throughput and overhead: ``GET`` of one plan through gateway → gRPC → PostgreSQL,
against the direct gRPC ``GetPlan`` in the same run.

    python -m benchmarks.gateway --seconds 10 --concurrency 16

Three processes, as deployed: the backends (OptimizerService + PlanService over a fresh PostgreSQL
database on ``--admin-url``'s server, seeded with the demo day and one optimized plan), the gateway
(uvicorn, JSON access log on), and this one, the load generator: ``wrk`` when installed (keep-alive,
one thread), else an httpx async client; the direct gRPC calls use a ``grpc.aio`` client. Each phase
runs ``--seconds`` after a one-second warm-up. Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any

ORG = "ORG-001"
#: This run's signing key and service credential (the backends are started with them).
KEY = secrets.token_hex(32)
SERVICE = secrets.token_hex(16)


def _settings(key: str, service: str):
    from server.platform.settings import Settings

    return Settings(jwt_secret=key, service_token=service)


def _token(key: str) -> str:
    """A DISPATCHER's access token of ORG-001 (the seed's dispatcher01), signed as sign-in signs it."""
    from server.identity.principal import Kind, Principal, Role
    from server.identity.tokens import TokenIssuer

    return TokenIssuer(key.encode()).issue(Principal(ORG, "U-002", Role.DISPATCHER, Kind.USER)).token


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


# -- child processes ------------------------------------------------------------------------------


def _child_backends(db_url: str, key: str, service: str) -> None:
    """Serve the optimizer and the plans services over ``db_url`` until stdin closes."""
    from server.bootstrap import create_optimizer_server, create_plans_server

    settings = _settings(key, service)
    optimizer = create_optimizer_server("127.0.0.1:0", workers=0, settings=settings)
    plans = create_plans_server("127.0.0.1:0", db_url, f"127.0.0.1:{optimizer.port}", settings=settings)
    print(f"READY 127.0.0.1:{optimizer.port} 127.0.0.1:{plans.port}", flush=True)
    sys.stdin.read()
    plans.stop()
    optimizer.stop()


def _child_gateway(address: str, optimizer: str, plans: str) -> None:
    import dataclasses

    from gateway.app import create_app
    from gateway.server import bind, serve_forever
    from server.platform.observability import configure_logging
    from server.platform.settings import Settings

    configure_logging("INFO", service="gateway")
    settings = dataclasses.replace(Settings(), optimizer_target=optimizer, plans_target=plans,
                                   gateway_rate_limit=(10**9, 300.0))
    app = create_app(settings)
    sock = bind(address)
    print(f"READY http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    serve_forever(app, sock)


def _spawn(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.gateway", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("READY "):
            return proc, line.split()[1:]
    raise RuntimeError(f"child {args[0]} did not start")


# -- setup ----------------------------------------------------------------------------------------


def _database(admin_url: str) -> tuple[str, str]:
    import psycopg

    name = f"hakobu_bench_gw_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, f"{admin_url.rpartition('/')[0]}/{name}"


def _drop(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _one_plan(plans_target: str, day: Any, md: tuple[tuple[str, str], ...]) -> str:
    import grpc
    from google.longrunning import operations_pb2, operations_pb2_grpc
    from google.protobuf import duration_pb2
    from google.type import date_pb2

    from hakobu.plans.v1 import plans_pb2 as pb
    from hakobu.plans.v1 import plans_pb2_grpc
    from server.adapters.postgres.seed import NERIMA_BRANCH_ID

    with grpc.insecure_channel(plans_target) as channel:
        op = plans_pb2_grpc.PlanServiceStub(channel).OptimizePlan(pb.OptimizePlanRequest(
            branch=f"organizations/{ORG}/branches/{NERIMA_BRANCH_ID}",
            plan_date=date_pb2.Date(year=day.year, month=day.month, day=day.day),
            time_limit=duration_pb2.Duration(seconds=2), seed=1), metadata=md, timeout=60)
        done = operations_pb2_grpc.OperationsStub(channel).WaitOperation(
            operations_pb2.WaitOperationRequest(name=op.name, timeout=duration_pb2.Duration(seconds=60)),
            metadata=md, timeout=90)
    plan = pb.DeliveryPlan()
    done.response.Unpack(plan)
    return plan.name


# -- load -----------------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def _run(call, seconds: float, concurrency: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            ok = await call()
            latencies.append(time.perf_counter() - t0)
            errors += not ok

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors


def _measure(name: str, make_call, seconds: float, concurrency: int) -> Result:
    async def go() -> Result:
        call, close = await make_call()
        try:
            await _run(call, 1.0, concurrency)  # warm-up
            t0 = time.perf_counter()
            lat, errors = await _run(call, seconds, concurrency)
            wall = time.perf_counter() - t0
        finally:
            await close()
        return Result(name, len(lat), wall, _percentile(lat, 0.5) * 1000, _percentile(lat, 0.99) * 1000,
                      errors)

    return asyncio.run(go())


def _httpx_load(url: str, headers: dict[str, str]):
    async def make():
        import httpx

        client = httpx.AsyncClient(headers=headers, limits=httpx.Limits(max_keepalive_connections=256))

        async def call() -> bool:
            return (await client.get(url)).status_code == 200

        return call, client.aclose

    return make


def _grpc_load(target: str, name: str, md: tuple[tuple[str, str], ...]) -> Any:
    """GetPlan, or GetBranch for a branch's name, as a ``grpc.aio`` client calls it."""
    async def make():
        from grpc import aio

        from hakobu.fleet.v1 import fleet_pb2
        from hakobu.plans.v1 import plans_pb2

        channel = aio.insecure_channel(target)
        if "/branches/" in name:
            path, req, reply = ("/hakobu.fleet.v1.OrganizationService/GetBranch", fleet_pb2.GetBranchRequest,
                                fleet_pb2.Branch)
        else:
            path, req, reply = ("/hakobu.plans.v1.PlanService/GetPlan", plans_pb2.GetPlanRequest,
                                plans_pb2.DeliveryPlan)
        get = channel.unary_unary(path, request_serializer=req.SerializeToString,
                                  response_deserializer=reply.FromString)
        request = req(name=name)

        async def call() -> bool:
            await get(request, metadata=md, timeout=30)
            return True

        return call, channel.close

    return make


def _wrk(name: str, url: str, headers: dict[str, str], seconds: float, concurrency: int) -> Result:
    head = [arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")]
    subprocess.run(["wrk", "-t1", f"-c{concurrency}", "-d1s", *head, url], capture_output=True, check=True)
    out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{int(seconds)}s", "--latency", *head, url],
                         capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if m is None:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Result(name, total, seconds, ms("50"), ms("99"), int(bad.group(1)) if bad else 0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--client", choices=["auto", "wrk", "httpx"], default="auto")
    ap.add_argument("--admin-url", default=os.environ.get("HAKOBU_TEST_PG_ADMIN_URL",
                                                          "postgresql://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--child-backends", nargs=3, metavar=("DB_URL", "KEY", "SERVICE"), help=argparse.SUPPRESS)
    ap.add_argument("--child-gateway", nargs=3, metavar=("ADDR", "OPT", "PLANS"), help=argparse.SUPPRESS)
    ns = ap.parse_args(argv)
    if ns.child_backends:
        _child_backends(*ns.child_backends)
        return 0
    if ns.child_gateway:
        _child_gateway(*ns.child_gateway)
        return 0

    from server.adapters.postgres.migrate import migrate
    from server.adapters.postgres.seed import seed, tomorrow

    name, db = _database(ns.admin_url)
    procs: list[subprocess.Popen[str]] = []
    try:
        migrate(db)
        day = tomorrow()
        seed(db, day)
        backends, (optimizer, plans) = _spawn("--child-backends", db, KEY, SERVICE)
        procs.append(backends)
        token = _token(KEY)
        md = (("authorization", f"Bearer {token}"),)
        plan = _one_plan(plans, day, md)
        gateway, (url,) = _spawn("--child-gateway", "127.0.0.1:0", optimizer, plans)
        procs.append(gateway)
        headers = {"authorization": f"Bearer {token}"}
        use_wrk = ns.client == "wrk" or (ns.client == "auto" and shutil.which("wrk"))
        results = []
        for what, resource in (("plan", plan), ("branch", f"organizations/{ORG}/branches/BR-NRM")):
            http_url = f"{url}/v1/{resource}"
            results.append(_measure(f"{what}: direct gRPC", _grpc_load(plans, resource, md), ns.seconds,
                                    ns.concurrency))
            if use_wrk:
                results.append(_wrk(f"{what}: gateway (wrk)", http_url, headers, ns.seconds, ns.concurrency))
            else:
                results.append(_measure(f"{what}: gateway (httpx)", _httpx_load(http_url, headers),
                                        ns.seconds, ns.concurrency))
    finally:
        for proc in procs:
            if proc.stdin:
                proc.stdin.close()
            proc.terminate()
            proc.wait(30)
        _drop(ns.admin_url, name)
    print(f"GET of one plan ({plan}: routes and stops, about 28 KB of JSON) and of one branch;")
    print(f"{ns.concurrency} concurrent, {ns.seconds:.0f} s each, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    print(f"{'path':<26} {'requests/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for r in results:
        print(f"{r.name:<26} {r.rps:>10.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.errors:>6}")
    for direct, through in (results[0:2], results[2:4]):
        print(f"{through.name.split(':')[0]}: gateway overhead p50 {through.p50_ms - direct.p50_ms:+.2f} ms, "
              f"p99 {through.p99_ms - direct.p99_ms:+.2f} ms, "
              f"throughput {through.rps / direct.rps:.0%} of direct")
    return 0


if __name__ == "__main__":
    sys.exit(main())
