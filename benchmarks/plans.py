"""Plans service end to end: where one branch's OptimizePlan spends its time, and the nightly re-plan.

    python -m benchmarks.plans optimize --time-limit 30
    python -m benchmarks.plans nightly --time-limit 5 --max-iterations 300
    python -m benchmarks.plans nightly --replicas 1,2 --workers 1 --time-limit 60 --max-iterations 300

``optimize``: one branch (500 orders, 30 vehicles and drivers) solved through an in-process
OptimizerService (gRPC, warm worker pool) the way the plans service does it. The steps of
``optimize_day`` are run one by one (build_problem → encode → Optimize RPC → local re-check →
save_day) to split the wall time, then one real ``optimize_day(..., solver=RemoteSolver(...))``
call gives the total as the service sees it.

``nightly``: 20 branches × 200 orders, ``replan_all`` at each concurrency, run twice; the second
run's outcomes show whether re-planning is idempotent ("unchanged" needs a deterministic solve,
i.e. ``--max-iterations`` reached before ``--time-limit``). ``--solver local`` (default) solves in the
same process, one search per branch; ``--solver remote`` sends each branch to an in-process
OptimizerService over gRPC (``--workers`` solver processes), as ``hakobu replan --optimizer`` does.
``--replicas 1,2`` runs the batch through 1, then 2 ``hakobu serve optimizer`` processes, each pinned to
its own core, named by one round-robin target (the scale-out of the nightly batch over replicas).

Data is synthetic but shaped like a Tokyo day: orders at random points in a ~10 km box around the
branch, 5–300 kg, some with a morning (09:00–12:00) or afternoon (14:00–18:00) window; 2t / 4t
vehicles; drivers with a 中型 licence; the date is tomorrow in Japan. Each run uses a fresh
database (created and dropped here) or new organizations in ``--url``. Figures only: nothing is
asserted. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import random
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import grpc
import psycopg
from psycopg.types.json import Jsonb

from hakobu.optimizer.v1 import optimizer_pb2 as pb
from hakobu.optimizer.v1 import optimizer_pb2_grpc
from optimizer.compiled import RoadMatrices, compile_problem
from optimizer.model import Problem
from optimizer.service.client import MAX_MESSAGE_BYTES, RemoteSolver, solution_from_response
from optimizer.service.outbound import options_to_proto, problem_to_proto
from optimizer.solve import Solution, SolveOptions
from server.adapters.postgres.database import Database
from server.adapters.postgres.migrate import migrate
from server.adapters.postgres.seed import NERIMA_BOX
from server.bootstrap import create_optimizer_server, default_geo, plan_stores, service_metadata
from server.jst import tomorrow
from server.plans.build import build_problem
from server.plans.optimize import DaySummary, optimize_day, replan_all
from server.plans.ports import PlanStores
from server.plans.snapshot import snapshot_of
from server.platform.settings import Settings

ADMIN_URL = os.environ.get("HAKOBU_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
#: Half the side of the order box around a branch, in km (a ~10 km box).
HALF_BOX_KM = 5.0
#: Seconds the client gives the Optimize call beyond the time limit (as RemoteSolver does).
DEADLINE_MARGIN = 10.0

#: Depot of the ``optimize`` scenario: a delivery centre in Nakano (the box covers Shinjuku to Nerima).
OPTIMIZE_BRANCH = ("BR-NKN", "中野配送センター", 35.7074, 139.6638)
#: Nightly branches: one per Tokyo ward (approximate ward-office positions).
NIGHTLY_BRANCHES = [
    ("BR-NRM", "練馬", 35.7356, 139.6517), ("BR-ITB", "板橋", 35.7512, 139.7093),
    ("BR-KTA", "北", 35.7528, 139.7335), ("BR-ADC", "足立", 35.7750, 139.8044),
    ("BR-KTS", "葛飾", 35.7433, 139.8472), ("BR-EDG", "江戸川", 35.7067, 139.8683),
    ("BR-KOT", "江東", 35.6729, 139.8171), ("BR-SMD", "墨田", 35.7107, 139.8016),
    ("BR-TIT", "台東", 35.7126, 139.7800), ("BR-ARK", "荒川", 35.7361, 139.7834),
    ("BR-BKY", "文京", 35.7081, 139.7522), ("BR-TSM", "豊島", 35.7263, 139.7165),
    ("BR-SJK", "新宿", 35.6938, 139.7034), ("BR-NKN", "中野", 35.7074, 139.6638),
    ("BR-SGN", "杉並", 35.6995, 139.6364), ("BR-STG", "世田谷", 35.6464, 139.6532),
    ("BR-MGR", "目黒", 35.6415, 139.6982), ("BR-SNG", "品川", 35.6092, 139.7302),
    ("BR-OTA", "大田", 35.5613, 139.7160), ("BR-SBY", "渋谷", 35.6640, 139.6982),
]
MORNING = [["09:00", "12:00"]]
AFTERNOON = [["14:00", "18:00"]]


# --------------------------------------------------------------------------
# Database and synthetic data
# --------------------------------------------------------------------------


@contextmanager
def database(url: str | None, admin_url: str, keep: bool) -> Iterator[str]:
    """``url`` migrated, or a fresh ``hakobu_bench_*`` database on ``admin_url`` dropped afterwards."""
    if url is not None:
        migrate(url)
        yield url
        return
    name = f"hakobu_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    fresh = f"{admin_url.rpartition('/')[0]}/{name}"
    try:
        migrate(fresh)
        yield fresh
    finally:
        if keep:
            print(f"kept database {fresh}")
        else:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True)
class Site:
    """A branch and the box its orders are drawn in (lat min, lat max, lon min, lon max)."""

    id: str
    name: str
    latitude: float
    longitude: float
    box: tuple[float, float, float, float]


def site(branch_id: str, name: str, lat: float, lon: float) -> Site:
    dlat = HALF_BOX_KM / 111.0
    dlon = HALF_BOX_KM / (111.0 * 0.8121)  # cos(35.7°)
    return Site(branch_id, name, lat, lon, (lat - dlat, lat + dlat, lon - dlon, lon + dlon))


def nerima_site() -> Site:
    """The Nerima OSM extract's box (about 2 km square): the only place ``--travel road`` can plan."""
    lat0, lat1, lon0, lon1 = NERIMA_BOX
    return Site("BR-NRM", "練馬営業所", (lat0 + lat1) / 2, (lon0 + lon1) / 2, NERIMA_BOX)


def new_org(url: str, label: str) -> str:
    org = f"ORG-BENCH-{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO organizations (id, code, name) VALUES (%s, %s, %s)", (org, org, f"ベンチ {label}")
        )
    return org


def seed_branch(
    url: str, org: str, where: Site, orders: int, vehicles: int, date: datetime.date, seed: int
) -> None:
    """One branch with ``vehicles`` trucks (60 % 2t, 40 % 4t), as many 中型 drivers, and ``orders`` orders.

    The same ``seed`` and branch give the same rows, so organizations seeded alike plan alike.
    """
    rng = random.Random(f"{seed}-{where.id}")
    lat0, lat1, lon0, lon1 = where.box
    vehicle_rows, driver_rows, order_rows = [], [], []
    for i in range(1, vehicles + 1):
        small = i % 5 not in (2, 4)  # 3 of 5 are 2t
        vehicle_rows.append((
            org, f"V-{where.id}-{i:03d}", where.id, f"{where.name}400か{i:04d}-{where.id}",
            "2t" if small else "4t", 2000.0 if small else 4000.0, 5000.0 if small else 8000.0,
            12.0 if small else 24.0,
        ))
        driver_rows.append((
            org, f"D-{where.id}-{i:03d}", where.id, f"EMP-{where.id}-{i:03d}",
            f"運転手{i:03d} ({where.name})", f"DL{rng.randrange(10**9, 10**10)}", "中型",
        ))
    for i in range(1, orders + 1):
        weight = float(round(rng.triangular(5, 300, 40)))
        u = rng.random()
        windows = MORNING if u < 0.25 else AFTERNOON if u < 0.45 else []
        order_rows.append((
            org, f"O-{where.id}-{date:%Y%m%d}-{i:04d}", where.id, f"{where.name} 配送先{i:04d}",
            round(rng.uniform(lat0, lat1), 6), round(rng.uniform(lon0, lon1), 6), date, Jsonb(windows),
            weight, round(weight / 200.0, 3), rng.choice([180, 300, 300, 600]),
        ))
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO branches (organization_id, id, code, name, latitude, longitude) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            (org, where.id, where.id, where.name, where.latitude, where.longitude),
        )
        cur.executemany(
            "INSERT INTO vehicles (organization_id, id, branch_id, registration_number, vehicle_class, "
            "payload_kg, gross_weight_kg, volume_m3) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            vehicle_rows,
        )
        cur.executemany(
            "INSERT INTO drivers (organization_id, id, branch_id, employee_number, name, licence_number, "
            "licence_class) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            driver_rows,
        )
        cur.executemany(
            "INSERT INTO orders (organization_id, id, branch_id, place_name, latitude, longitude, "
            "delivery_date, time_windows, weight_kg, volume_m3, service_seconds) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            order_rows,
        )


def plans_in(url: str, org: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM plans WHERE organization_id = %s", (org,)).fetchone()
    return int(row[0]) if row else 0


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------


def table(title: str, header: list[str], body: list[list[str]], left: frozenset[int] = frozenset({0})) -> str:
    """A plain aligned table; the columns in ``left`` are left-aligned (text), the others right (figures)."""
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        pairs = enumerate(zip(row, widths, strict=True))
        cells = [c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in pairs]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([title, fmt(header), rule, *(fmt(r) for r in body)])


def _s(seconds: float) -> str:
    return f"{seconds:.3f}"


def _pct(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.1f}" if whole > 0 else "-"


def outcome_text(solution: Solution, orders: int) -> str:
    ev = solution.evaluation
    served = orders - len(solution.unassigned)
    return (
        f"served {served}/{orders}, unassigned {len(solution.unassigned)}, vehicles used {ev.vehicles_used}, "
        f"{ev.distance / 1000:.1f} km, cost {ev.cost.total:,.0f} yen, engine {solution.stats.engine}, "
        f"{solution.stats.iterations} iterations"
    )


# --------------------------------------------------------------------------
# optimize: one branch through the gRPC optimizer
# --------------------------------------------------------------------------


class TimedSolver:
    """Wraps a solver to record the call's wall time and the solution (for the server's own figures)."""

    def __init__(self, inner: RemoteSolver) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.solution: Solution | None = None

    def __call__(self, problem: Problem, options: SolveOptions) -> Solution:
        t0 = time.perf_counter()
        self.solution = self.inner(problem, options)
        self.seconds = time.perf_counter() - t0
        return self.solution


def run_optimize(ns: argparse.Namespace) -> None:
    date = tomorrow()
    where = nerima_site() if ns.travel == "road" else site(*OPTIMIZE_BRANCH)
    road: RoadMatrices | None = None
    registry = None
    if ns.travel == "road":
        from geo.provider import RoadMatrixProvider

        registry, cache = default_geo()
        road = RoadMatrixProvider(registry, cache)
    options = SolveOptions(
        time_limit=ns.time_limit, seed=ns.seed, max_iterations=ns.max_iterations, parallelism=ns.parallelism
    )
    with database(ns.url, ns.admin_url, ns.keep) as url:
        db = plan_stores(Database(url), registry)
        org = new_org(url, "optimize")
        t0 = time.perf_counter()
        seed_branch(url, org, where, ns.orders, ns.vehicles, date, ns.seed)
        seeded = time.perf_counter() - t0
        t0 = time.perf_counter()
        running = create_optimizer_server("127.0.0.1:0", workers=ns.workers)
        started = time.perf_counter() - t0
        target = f"127.0.0.1:{running.port}"
        print(
            f"optimize: {ns.orders} orders, {ns.vehicles} vehicles + drivers at {where.name} on {date}, "
            f"travel {ns.travel}; time limit {ns.time_limit:g} s, max iterations {ns.max_iterations or '-'}, "
            f"parallelism {ns.parallelism}, optimizer workers {ns.workers}\n"
            f"(seeded in {seeded:.2f} s; optimizer server started in {started:.2f} s)\n",
            flush=True,
        )
        try:
            steps_table(db, org, where.id, date, options, target, road, ns.travel)
            day_table(db, org, where.id, date, options, target, road, ns.travel)
        finally:
            running.stop()


def steps_table(
    db: PlanStores,
    org: str,
    branch_id: str,
    date: datetime.date,
    options: SolveOptions,
    target: str,
    road: RoadMatrices | None,
    travel: str,
) -> None:
    """``optimize_day``'s steps one by one: RemoteSolver.__call__ unrolled into encode / RPC / re-check."""
    channel = grpc.insecure_channel(
        target,
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ],
    )
    stub = optimizer_pb2_grpc.OptimizerServiceStub(channel)
    try:
        t = time.perf_counter()
        problem, _maps = build_problem(db, org, branch_id, date, travel)
        t_build = time.perf_counter() - t

        t = time.perf_counter()
        compile_problem(problem, road)
        t_compile = time.perf_counter() - t

        t = time.perf_counter()
        request = pb.OptimizeRequest(problem=problem_to_proto(problem), parameters=options_to_proto(options))
        size = request.ByteSize()
        t_encode = time.perf_counter() - t

        t = time.perf_counter()
        response = stub.Optimize(request, timeout=options.time_limit + DEADLINE_MARGIN,
                                 metadata=service_metadata(Settings()))
        t_rpc = time.perf_counter() - t
        server = response.stats.wall_time.ToNanoseconds() / 1e9

        t = time.perf_counter()
        solution = solution_from_response(problem, response, road)
        t_check = time.perf_counter() - t

        t = time.perf_counter()
        snap = snapshot_of(solution, problem, date)
        snap["travel"] = travel
        plan = db.plans.save_day(org, branch_id, date, snap, None)
        t_store = time.perf_counter() - t
    finally:
        channel.close()

    total = t_build + t_encode + t_rpc + t_check + t_store
    outside = total - server
    body = [
        ["load + build (build_problem)", _s(t_build), _pct(t_build, total)],
        ["encode request (problem_to_proto)", _s(t_encode), _pct(t_encode, total)],
        ["Optimize RPC, client-seen", _s(t_rpc), _pct(t_rpc, total)],
        ["  server solve (stats.wall_time)", _s(server), _pct(server, total)],
        ["  transport + (de)serialization", _s(t_rpc - server), _pct(t_rpc - server, total)],
        ["local re-check (solution_from_response)", _s(t_check), _pct(t_check, total)],
        ["store (save_day)", _s(t_store), _pct(t_store, total)],
        ["total (sum of the steps)", _s(total), "100.0"],
        ["outside the solver (total - server solve)", _s(outside), _pct(outside, total)],
        ["compile / matrix (compile_problem), apart", _s(t_compile), _pct(t_compile, total)],
    ]
    print(table("Steps one by one", ["step", "seconds", "share %"], body), flush=True)
    print(
        f"(request {size / 1024:.0f} KiB; the server's solve includes its own parse and compile, "
        "and the re-check compiles again: the compile row is measured apart and not added to the total)"
    )
    print(f"result: {outcome_text(solution, len(problem.jobs))}; plan rev {plan.revision}\n", flush=True)


def day_table(
    db: PlanStores,
    org: str,
    branch_id: str,
    date: datetime.date,
    options: SolveOptions,
    target: str,
    road: RoadMatrices | None,
    travel: str,
) -> None:
    """One real ``optimize_day`` with a RemoteSolver, as the plans service calls it."""
    with RemoteSolver(target, road, metadata=service_metadata(Settings())) as remote:
        timed = TimedSolver(remote)
        t = time.perf_counter()
        _plan, summary = optimize_day(db, org, branch_id, date, options, None, travel=travel, solver=timed)
        total = time.perf_counter() - t
    assert timed.solution is not None
    server = timed.solution.stats.wall_seconds
    outside = total - server
    body = [
        ["optimize_day total", _s(total), "100.0"],
        ["  solver call (RPC + re-check)", _s(timed.seconds), _pct(timed.seconds, total)],
        ["    server solve (stats.wall_time)", _s(server), _pct(server, total)],
        ["  build + store + rest", _s(total - timed.seconds), _pct(total - timed.seconds, total)],
        ["outside the solver (total - server solve)", _s(outside), _pct(outside, total)],
    ]
    print(table("optimize_day(..., solver=RemoteSolver)", ["step", "seconds", "share %"], body))
    print(f"result: {outcome_text(timed.solution, summary.orders)}; outcome {summary.outcome}, "
          f"plan rev {summary.revision}", flush=True)


# --------------------------------------------------------------------------
# nightly: replan_all over many branches
# --------------------------------------------------------------------------


@dataclass
class NightlyRun:
    concurrency: int
    run: int
    wall: float
    summaries: list[DaySummary]
    plans: int


def run_nightly(ns: argparse.Namespace) -> None:
    date = tomorrow()
    branches = [site(*b) for b in NIGHTLY_BRANCHES[: ns.branches]]
    options = SolveOptions(time_limit=ns.time_limit, seed=ns.seed, max_iterations=ns.max_iterations)
    print(
        f"nightly: {len(branches)} branches × {ns.orders} orders, {ns.vehicles} vehicles + drivers each, "
        f"on {date}; time limit {ns.time_limit:g} s per branch, max iterations {ns.max_iterations or '-'}; "
        + ("solved by `hakobu serve optimizer` replicas over gRPC, one core each\n" if ns.replicas else
           "solved in this process, one search per branch\n" if ns.solver == "local" else
           f"solved by an OptimizerService over gRPC ({ns.workers} workers), one search per branch\n"),
        flush=True,
    )
    if ns.replicas:
        run_nightly_replicas(ns, date, branches, options)
        return
    runs: list[NightlyRun] = []
    solver = None
    server = None
    if ns.solver == "remote":
        server = create_optimizer_server("127.0.0.1:0", workers=ns.workers)
        solver = RemoteSolver(f"127.0.0.1:{server.port}", metadata=service_metadata(Settings()))
    try:
        _nightly_runs(ns, date, branches, options, solver, runs)
    finally:
        if solver is not None:
            solver.close()
        if server is not None:
            server.stop()
    print()
    print(nightly_table(runs))
    print(consistency(runs), flush=True)


@contextmanager
def optimizer_replicas(count: int, workers: int) -> Iterator[tuple[str, str]]:
    """``count`` ``hakobu serve optimizer`` processes on free ports, replica ``i`` pinned to core ``i``
    (taskset, which its solver processes inherit), each with ``workers`` solver processes; yields the
    optimizer target naming them all (``host:port,host:port``, called round robin) and their service
    token."""
    token = f"benchmark-{uuid.uuid4().hex}"
    env = {**os.environ, "HAKOBU_METRICS_PORT": "-1", "HAKOBU_LOG_LEVEL": "WARNING",
           "HAKOBU_SERVICE_TOKEN": token, "HAKOBU_JWT_SECRET": f"benchmark-jwt-{uuid.uuid4().hex}"}
    cores = os.cpu_count() or 1
    procs: list[subprocess.Popen[str]] = []
    addresses = []
    try:
        for i in range(count):
            command = [sys.executable, "-m", "server.entrypoints.cli", "serve", "optimizer",
                       "--address", "127.0.0.1:0", "--workers", str(workers)]
            if shutil.which("taskset"):
                command = ["taskset", "-c", str(i % cores), *command]
            proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    text=True)
            procs.append(proc)
            assert proc.stdout is not None
            for line in proc.stdout:
                if "listening on" in line:
                    addresses.append(line.split("listening on ")[1].split()[0])
                    break
            else:
                raise RuntimeError(f"optimizer replica {i} did not start")
        yield ",".join(addresses), token
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)


def run_nightly_replicas(
    ns: argparse.Namespace, date: datetime.date, branches: Sequence[Site], options: SolveOptions
) -> None:
    """The nightly batch through 1, 2, … optimizer replicas (one core each), as many branches in flight
    as replicas."""
    runs: list[NightlyRun] = []
    for count in ns.replicas:
        with optimizer_replicas(count, ns.workers) as (target, token):
            cores = "core 0" if count == 1 else f"cores 0-{count - 1}"
            print(f"{count} replica(s) at {target} (pinned to {cores})", flush=True)
            metadata = (("authorization", f"Service {token}"),)
            with RemoteSolver(target, metadata=metadata) as solver:
                one = argparse.Namespace(**{**vars(ns), "concurrency": [count]})
                _nightly_runs(one, date, branches, options, solver, runs)
    print()
    print(nightly_table(runs, first="replicas (= concurrency)"))
    print(consistency(runs), flush=True)


def _nightly_runs(
    ns: argparse.Namespace, date: datetime.date, branches: Sequence[Site], options: SolveOptions,
    solver: RemoteSolver | None, runs: list[NightlyRun],
) -> None:
    with database(ns.url, ns.admin_url, ns.keep) as url:
        db = plan_stores(Database(url))
        for conc in ns.concurrency:
            # A fresh organization, seeded alike, per concurrency: every first run starts with no plans.
            org = new_org(url, f"nightly c={conc}")
            t0 = time.perf_counter()
            for b in branches:
                seed_branch(url, org, b, ns.orders, ns.vehicles, date, ns.seed)
            print(f"concurrency {conc}: seeded in {time.perf_counter() - t0:.2f} s", flush=True)
            for run in (1, 2):
                t0 = time.perf_counter()
                summaries = replan_all(db, org, date, concurrency=conc, options=options, solver=solver)
                wall = time.perf_counter() - t0
                runs.append(NightlyRun(conc, run, wall, summaries, plans_in(url, org)))
                print(f"  run {run}: {wall:.1f} s", flush=True)


def nightly_table(runs: Sequence[NightlyRun], first: str = "concurrency") -> str:
    body = []
    for r in runs:
        outcomes = Counter(s.outcome for s in r.summaries)
        solved = [s for s in r.summaries if s.outcome in ("planned", "unchanged")]
        orders = sum(s.orders for s in solved)
        served = sum(s.served for s in solved)
        body.append([
            str(r.concurrency),
            str(r.run),
            f"{r.wall:.1f}",
            f"{sum(s.seconds for s in r.summaries) / max(len(r.summaries), 1):.2f}",
            ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())),
            str(r.plans),
            f"{served}/{orders}",
            str(sum(len(s.unassigned) for s in solved)),
            str(sum(s.vehicles_used for s in solved)),
            f"{sum(s.distance_m for s in solved) / 1000:.1f}",
        ])
    header = [first, "run", "wall (s)", "mean branch (s)", "outcomes", "plans", "served",
              "unassigned", "vehicles", "km"]
    return table("replan_all", header, body, left=frozenset({4}))


def consistency(runs: Sequence[NightlyRun]) -> str:
    """Whether every run produced the same per-branch results (distance, vehicles) as the first one."""
    def key(r: NightlyRun) -> dict[str, tuple[int, int, int]]:
        return {s.branch_id: (s.distance_m, s.vehicles_used, len(s.unassigned)) for s in r.summaries}

    if not runs:
        return ""
    first = key(runs[0])
    differing = [f"c={r.concurrency} run {r.run}" for r in runs[1:] if key(r) != first]
    if not differing:
        return "every run gave the same per-branch distance / vehicles / unassigned as the first"
    return f"per-branch results differ from the first run in: {', '.join(differing)}"


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.plans", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="scenario", required=True)

    def common(p: argparse.ArgumentParser, orders: int, vehicles: int, limit: float) -> None:
        p.add_argument("--orders", type=int, default=orders, help=f"orders per branch (default {orders})")
        p.add_argument("--vehicles", type=int, default=vehicles,
                       help=f"vehicles (and as many drivers) per branch (default {vehicles})")
        p.add_argument("--time-limit", type=float, default=limit,
                       help=f"optimizer budget in seconds per solve (default {limit:g})")
        p.add_argument("--max-iterations", type=int, default=None,
                       help="iteration cap per search: with it a seeded solve is deterministic")
        p.add_argument("--seed", type=int, default=1, help="data and solver seed (default 1)")
        p.add_argument("--url", help="use this PostgreSQL database (migrated, new organizations) "
                       "instead of a fresh one")
        p.add_argument("--admin-url", default=ADMIN_URL,
                       help="server where the fresh database is created (default $HAKOBU_TEST_PG_ADMIN_URL "
                       "or postgres@127.0.0.1:5432)")
        p.add_argument("--keep", action="store_true", help="keep the fresh database (its URL is printed)")

    opt = sub.add_parser("optimize", help="one branch through the gRPC optimizer, time split by step")
    common(opt, 500, 30, 30.0)
    opt.add_argument("--workers", type=int, default=2, help="optimizer server solver processes (default 2)")
    opt.add_argument("--parallelism", type=int, default=2,
                     help="parallel searches asked of the optimizer (default 2, one per worker)")
    opt.add_argument("--travel", choices=["haversine", "road"], default="haversine",
                     help="road: the branch and orders are put inside the Nerima OSM extract (~2 km box)")

    night = sub.add_parser("nightly", help="replan_all over many branches at several concurrencies")
    common(night, 200, 10, 5.0)
    night.add_argument("--branches", type=int, default=20, choices=range(1, len(NIGHTLY_BRANCHES) + 1),
                       metavar="N", help="branches, one per Tokyo ward (default and at most 20)")
    night.add_argument("--concurrency", default="1,2", help="comma-separated concurrencies (default 1,2)")
    night.add_argument("--solver", choices=["local", "remote"], default="local",
                       help="solve in this process, or through an in-process OptimizerService (gRPC)")
    night.add_argument("--workers", type=int, default=2,
                       help="optimizer solver processes for --solver remote (default 2)")
    night.add_argument("--replicas", default=None,
                       help="comma-separated optimizer replica counts (e.g. 1,2): each replica a "
                            "`hakobu serve optimizer` process pinned to its own core, with --workers "
                            "solver processes; branches in flight = replicas")

    ns = ap.parse_args(argv)
    if not ns.time_limit > 0:
        ap.error("--time-limit must be positive")
    if ns.max_iterations is not None and ns.max_iterations < 1:
        ap.error("--max-iterations must be at least 1")
    if ns.scenario == "nightly":
        try:
            ns.concurrency = [int(c) for c in ns.concurrency.split(",") if c.strip()]
        except ValueError:
            ap.error("--concurrency: comma-separated integers")
        if not ns.concurrency or min(ns.concurrency) < 1:
            ap.error("--concurrency: at least one value, each at least 1")
        try:
            ns.replicas = [int(c) for c in ns.replicas.split(",") if c.strip()] if ns.replicas else []
        except ValueError:
            ap.error("--replicas: comma-separated integers")
        if ns.replicas and min(ns.replicas) < 1:
            ap.error("--replicas: each at least 1")
    return ns


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    ns = parse_args(argv)
    if ns.scenario == "optimize":
        run_optimize(ns)
    else:
        run_nightly(ns)
    return 0


if __name__ == "__main__":
    sys.exit(main())

