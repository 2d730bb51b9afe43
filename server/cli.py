"""The ``hakobu`` command: serve, solve, demo, db and replan."""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

from server import jst

# Solver workers are spawned and the embedded PostgreSQL is started with fork+exec, so gRPC's fork
# handlers are never needed; without them gRPC does not log a line at every subprocess start.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

log = logging.getLogger("hakobu.cli")


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="hakobu", description="Hakobu truck delivery planning")
    sub = ap.add_subparsers(dest="command", required=True)

    sv = sub.add_parser("serve", help="run a service")
    sv.add_argument("service", choices=["optimizer", "plans", "all"])
    sv.add_argument("--address", default=_env("HAKOBU_OPTIMIZER_ADDRESS", "127.0.0.1:50051"),
                    help="OptimizerService address")
    sv.add_argument("--plans-address", default=_env("HAKOBU_PLANS_ADDRESS", "127.0.0.1:50052"),
                    help="PlanService + OrganizationService address")
    sv.add_argument("--optimizer", default=_env("HAKOBU_OPTIMIZER_TARGET", "127.0.0.1:50051"),
                    help="where `serve plans` finds the OptimizerService")
    sv.add_argument("--data-dir", default="var/pgdata", help="embedded PostgreSQL data folder")
    sv.add_argument("--workers", type=int, default=int(_env("HAKOBU_WORKERS", "-1")), help="solver processes")
    sv.add_argument("--metrics-port", type=int, default=int(_env("HAKOBU_METRICS_PORT", "9464")))

    so = sub.add_parser("solve", help="solve a VRPLIB (.vrp), Solomon (.txt) or JSON request file")
    so.add_argument("file", type=Path)
    so.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    so.add_argument("--engine", choices=["auto", "pyvrp", "ortools", "hgs"], default="auto")
    so.add_argument("--seed", type=int, default=0)
    so.add_argument("--parallelism", type=int, default=None, help="parallel searches (default: cores, max 2)")
    so.add_argument("--output", type=Path, help="write here (.sol = CVRPLIB format, else JSON)")
    so.add_argument("--format", choices=["sol", "json"], help="output format (default from --output)")

    de = sub.add_parser("demo", help="start the optimizer and solve a demo day for a Tokyo branch")
    de.add_argument("--address", default=_env("HAKOBU_OPTIMIZER_ADDRESS", "127.0.0.1:50051"))
    de.add_argument("--time-limit", type=float, default=5.0)
    de.add_argument("--metrics-port", type=int, default=int(_env("HAKOBU_METRICS_PORT", "9464")))
    de.add_argument("--plans-address", default=_env("HAKOBU_PLANS_ADDRESS", "127.0.0.1:50052"))
    de.add_argument("--exit", action="store_true", help="stop after the demo instead of serving on")

    db = sub.add_parser("db", help="database: apply migrations, load demo data")
    dbs = db.add_subparsers(dest="db_command", required=True)
    for name, text in (("migrate", "apply pending migrations"), ("seed", "migrate, then load demo data")):
        p = dbs.add_parser(name, help=text)
        p.add_argument("--url", default=None, help="PostgreSQL URL (default: DATABASE_URL, else embedded)")
        p.add_argument("--data-dir", default="var/pgdata", help="embedded PostgreSQL data folder")

    rp = sub.add_parser("replan", help="re-plan the DRAFT delivery plans of a day from the stored orders")
    rp.add_argument("--date", required=True, type=_day_arg, help="YYYY-MM-DD, today or tomorrow (JST)")
    which = rp.add_mutually_exclusive_group()
    which.add_argument("--branch", action="append", metavar="ID", help="branch id (repeatable)")
    which.add_argument("--all", action="store_true", help="every branch with orders that day (default)")
    rp.add_argument("--org", default=None, help="organization id (default: every organization)")
    rp.add_argument("--force", action="store_true", help="also replace PUBLISHED plans")
    rp.add_argument("--time-limit", type=float, default=30.0, help="seconds per branch (default 30)")
    rp.add_argument("--seed", type=int, default=0)
    rp.add_argument("--concurrency", type=int, default=1, help="branches solved at once")
    rp.add_argument("--travel", choices=["haversine", "road"], default="haversine")
    rp.add_argument("--optimizer", default=os.environ.get("HAKOBU_OPTIMIZER_TARGET"), metavar="HOST:PORT",
                    help="solve with this OptimizerService (default: in this process)")
    rp.add_argument("--url", default=None, help="PostgreSQL URL (default: DATABASE_URL, else embedded)")
    rp.add_argument("--data-dir", default="var/pgdata", help="embedded PostgreSQL data folder")

    _add_scheduler_parser(sub)

    ns = ap.parse_args(argv)
    from server.observability import configure_logging

    configure_logging(_env("HAKOBU_LOG_LEVEL", "WARNING" if ns.command == "solve" else "INFO"))
    if ns.command == "serve":
        if ns.service == "optimizer":
            return _serve(ns.address, None if ns.workers < 0 else ns.workers, ns.metrics_port)
        return _serve_plans(ns)
    if ns.command == "solve":
        return _solve(ns)
    if ns.command == "db":
        return _db(ns)
    if ns.command == "replan":
        return _replan(ns)
    if ns.command == "scheduler":
        return _scheduler(ns)
    return _demo(ns)


def _db(ns: argparse.Namespace) -> int:
    from server.db.config import database_url
    from server.db.migrate import migrate

    url = ns.url or database_url(ns.data_dir)
    applied = migrate(url)
    print(f"migrations applied: {', '.join(applied)}" if applied else "schema up to date", flush=True)
    if ns.db_command == "seed":
        from server.db.seed import seed

        added = seed(url)
        print("seed: " + ", ".join(f"{table} +{n}" for table, n in added.items()), flush=True)
    return 0


def _replan(ns: argparse.Namespace) -> int:
    from optimizer.solve import SolveOptions
    from server.db.config import database_url
    from server.db.repository import Database
    from server.plans.optimize import replan_all

    try:
        opts = SolveOptions(time_limit=ns.time_limit, seed=ns.seed)
        db = Database(ns.url or database_url(ns.data_dir))
        if ns.org:
            orgs = [ns.org]
        else:
            with db.transaction() as conn:
                orgs = [r["id"] for r in conn.execute("SELECT id FROM organizations ORDER BY id").fetchall()]
        solver = None
        if ns.optimizer:
            from optimizer.service.client import RemoteSolver
            from server.plans.solver import default_road

            solver = RemoteSolver(ns.optimizer, road=default_road() if ns.travel == "road" else None)
        failed = 0
        for org in orgs:
            summaries = replan_all(
                db, org, ns.date, ns.branch, ns.force, ns.concurrency, opts, travel=ns.travel, solver=solver
            )
            for s in summaries:
                print(f"[{org}] {s.line()}", flush=True)
                failed += s.outcome == "failed"
    except ValueError as exc:
        print(f"hakobu replan: {exc}", file=sys.stderr)
        return 2
    return 1 if failed else 0


# -- hakobu scheduler (the schedule, the loop and the jobs live in server/scheduler.py) -------------------


def _day_arg(text: str) -> datetime.date:
    """``--date``: YYYY-MM-DD, or today / tomorrow in Japan time (so a fixed cron line needs no date math)."""
    if text in ("today", "tomorrow"):
        return jst.today_jst() if text == "today" else jst.tomorrow()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD, today or tomorrow): {text!r}") from None


def _add_scheduler_parser(sub: argparse._SubParsersAction) -> None:
    sc = sub.add_parser("scheduler", help="run batch jobs (nightly re-planning) on cron schedules in JST")
    sc.add_argument("--config", default=None, help="schedule TOML (default: HAKOBU_SCHEDULE, else built-in: "
                    "re-plan tomorrow for all branches at 22:00 JST)")
    mode = sc.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="run every job now, then exit")
    mode.add_argument("--list", action="store_true", help="print each job and its next 3 run times")
    sc.add_argument("--url", default=None, help="PostgreSQL URL (default: DATABASE_URL, else embedded)")
    sc.add_argument("--data-dir", default="var/pgdata", help="embedded PostgreSQL data folder")


def _scheduler(ns: argparse.Namespace) -> int:
    from server import scheduler as sch

    try:
        schedule = sch.load_schedule(ns.config)
    except sch.ScheduleConfigError as exc:
        print(f"hakobu scheduler: {exc}", file=sys.stderr)
        return 2
    if ns.list:
        for line in sch.describe_schedule(schedule, datetime.datetime.now(jst.JST)):
            print(line, flush=True)
        return 0
    from server.db.config import database_url
    from server.db.repository import Database

    db = Database(ns.url or database_url(ns.data_dir))
    stop = threading.Event()
    with sch.stop_on_signals(stop):
        if ns.once:
            once = sch.Scheduler(schedule, sch.ReplanRunner(db), sch.MemoryRunState(), stop=stop)
            results = once.run_once()
            for job, r in results:
                print(f"{job.name}: {'成功 / ok' if r.ok else '失敗 / failed'} — {r.message}", flush=True)
            return 0 if results and all(r.ok for _, r in results) else 1
        state = sch.PostgresRunState(db)
        try:
            state.check()
        except RuntimeError as exc:
            print(f"hakobu scheduler: {exc}", file=sys.stderr)
            return 2
        sch.Scheduler(schedule, sch.ReplanRunner(db), state, stop=stop).run_forever()
    return 0


def _serve(address: str, workers: int | None, metrics_port: int, ready: threading.Event | None = None) -> int:
    from server.app import create_optimizer_server
    from server.observability import serve_metrics

    running = create_optimizer_server(address, workers)
    host = address.rsplit(":", 1)[0]
    print(f"OptimizerService (gRPC) listening on {host}:{running.port}", flush=True)
    if metrics_port >= 0:
        maddr = _env("HAKOBU_METRICS_ADDRESS", "127.0.0.1")
        mport = serve_metrics(metrics_port, maddr)
        print(f"Prometheus metrics on http://{maddr}:{mport}/metrics", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    print("shutting down…", flush=True)
    running.stop()
    return 0


def _serve_plans(ns: argparse.Namespace) -> int:
    """``serve plans`` (against a running optimizer) or ``serve all`` (optimizer + plans, one process)."""
    from server.app import create_optimizer_server, create_plans_server
    from server.db.config import database_url
    from server.observability import serve_metrics

    stoppers = []
    target = ns.optimizer
    if ns.service == "all":
        optimizer = create_optimizer_server(ns.address, None if ns.workers < 0 else ns.workers)
        stoppers.append(optimizer.stop)
        host = ns.address.rsplit(":", 1)[0]
        target = f"{host}:{optimizer.port}"
        print(f"OptimizerService (gRPC) listening on {target}", flush=True)
    url = database_url(ns.data_dir)
    plans = create_plans_server(ns.plans_address, url, target)
    stoppers.insert(0, plans.stop)
    host = ns.plans_address.rsplit(":", 1)[0]
    print(f"PlanService + OrganizationService (gRPC) listening on {host}:{plans.port} "
          f"(optimizer {target}, database {url.split('@')[-1]})", flush=True)
    print("  call with metadata x-hakobu-organization: ORG-001 (the demo organization)", flush=True)
    if ns.metrics_port >= 0:
        maddr = _env("HAKOBU_METRICS_ADDRESS", "127.0.0.1")
        print(f"Prometheus metrics on http://{maddr}:{serve_metrics(ns.metrics_port, maddr)}/metrics",
              flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    print("shutting down…", flush=True)
    for fn in stoppers:
        fn()
    return 0


def _solve(ns: argparse.Namespace) -> int:
    from optimizer.io import format_cost, read_solomon, read_vrplib, write_sol
    from optimizer.model import ModelError
    from optimizer.parallel import WorkerPool
    from optimizer.solve import SolveOptions, solve
    from server.app import default_workers

    path: Path = ns.file
    if not path.is_file():
        print(f"hakobu solve: no such file: {path}", file=sys.stderr)
        return 2
    try:
        if path.suffix.lower() == ".json":
            from optimizer.service.convert import problem_from_proto

            problem = problem_from_proto(_read_json_problem(path))
        elif path.suffix.lower() == ".vrp":
            problem = read_vrplib(path)
        else:
            problem = read_solomon(path)
    except ModelError as exc:
        for field, msg in exc.violations:
            print(f"hakobu solve: {path}: {field}: {msg}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"hakobu solve: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    from optimizer.compiled import compile_problem
    from optimizer.model import TravelMode

    try:
        road = None
        if problem.travel.mode is TravelMode.ROAD:
            from geo.provider import RoadMatrixProvider
            from server.app import default_geo

            road = RoadMatrixProvider(*default_geo())
        compiled = compile_problem(problem, road)
    except ModelError as exc:
        for field, msg in exc.violations:
            print(f"hakobu solve: {path}: {field}: {msg}", file=sys.stderr)
        return 2
    par = ns.parallelism or default_workers()
    opts = SolveOptions(engine=ns.engine, time_limit=ns.time_limit, seed=ns.seed, parallelism=par)
    pool = WorkerPool(par) if par > 1 else None
    t0 = time.monotonic()
    try:
        sol = solve(problem, opts, pool=pool, started_at=t0, compiled=compiled)
    finally:
        if pool is not None:
            pool.close()
    fmt = ns.format or ("sol" if ns.output is None or ns.output.suffix == ".sol" else "json")
    out = open(ns.output, "w", encoding="utf-8") if ns.output else sys.stdout
    try:
        if fmt == "sol":
            write_sol(problem, sol.plan, sol.evaluation.distance, out)
        else:
            from google.protobuf import json_format

            from hakobu.v1 import optimizer_pb2 as pb
            from optimizer.service.convert import solution_to_proto, stats_to_proto

            resp = pb.OptimizeResponse(
                solution=solution_to_proto(problem, sol.evaluation, sol.unassigned),
                stats=stats_to_proto(sol.stats),
            )
            out.write(json_format.MessageToJson(resp, ensure_ascii=False, indent=2) + "\n")
    finally:
        if ns.output:
            out.close()
    s = sol.stats
    print(
        f"{path.name}: cost {format_cost(sol.evaluation.distance, problem)} (distance), "
        f"{sol.evaluation.vehicles_used} routes, {len(sol.unassigned)} unassigned, engine {s.engine}, "
        f"first feasible {s.first_feasible_seconds or 0:.3f} s, wall {s.wall_seconds:.2f} s",
        file=sys.stderr,
    )
    return 0


def _read_json_problem(path: Path):
    from google.protobuf import json_format

    from hakobu.v1 import optimizer_pb2 as pb

    data = json.loads(path.read_text(encoding="utf-8"))
    if "problem" in data:
        req = json_format.ParseDict(data, pb.OptimizeRequest())
        return req.problem
    return json_format.ParseDict(data, pb.Problem())


def _demo(ns: argparse.Namespace) -> int:
    import grpc

    from hakobu.v1 import optimizer_pb2_grpc
    from server.app import create_optimizer_server
    from server.demo import demo_request
    from server.observability import serve_metrics

    running = create_optimizer_server(ns.address)
    host = ns.address.rsplit(":", 1)[0]
    target = f"{host}:{running.port}"
    try:
        with grpc.insecure_channel(target) as channel:
            stub = optimizer_pb2_grpc.OptimizerServiceStub(channel)
            from geo.registry import OSM_SUFFIXES
            from server.app import default_osm_dir

            osm = default_osm_dir()
            found = osm is not None and any((osm / f"tokyo_nerima{s}").is_file() for s in OSM_SUFFIXES)
            graph = "tokyo_nerima" if found else None
            req = demo_request(time_limit=ns.time_limit, road_graph=graph)
            where = f"練馬営業所, roads of graph {graph}" if graph else "東京本社, straight-line travel"
            print(
                f"デモ / demo: {where} — {len(req.problem.jobs)} 件の配送依頼 / orders, "
                f"{len(req.problem.vehicles)} 台 / vehicles",
                flush=True,
            )
            last = None
            t0 = time.monotonic()
            for msg in stub.StreamOptimize(req, timeout=ns.time_limit + 30):
                last = msg
                label = "最終 / final" if msg.final else "改善 / improved"
                t = msg.solution.totals
                print(
                    f"  {time.monotonic() - t0:6.2f} s  {label}: cost {msg.solution.cost.total:,.0f}, "
                    f"{t.jobs_served} served / 配送 {t.jobs_served} 件, {t.vehicles_used} vehicles"
                )
            assert last is not None
            _print_solution(last.solution)
    except grpc.RpcError as exc:
        print(f"demo failed: {exc.code().name}: {exc.details()}", file=sys.stderr)
        running.stop()
        return 1
    url = _demo_plans_store()
    plans = _demo_plans_server(ns, url, target) if url else None
    print(f"\nOptimizerService (gRPC) listening on {target}")
    print(f"  try: grpcurl -plaintext {target} list")
    if ns.exit:
        if plans is not None:
            plans.stop()
        running.stop()
        return 0
    if ns.metrics_port >= 0:
        print(f"Prometheus metrics on http://127.0.0.1:{serve_metrics(ns.metrics_port)}/metrics")
    print("Ctrl-C to stop.", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    if plans is not None:
        plans.stop()
    running.stop()
    return 0


def _demo_plans_server(ns: argparse.Namespace, url: str, optimizer: str):  # -> RunningPlans | None
    """Start PlanService + OrganizationService on the demo store and read the plans back over gRPC."""
    import grpc

    from hakobu.v1 import plans_pb2, plans_pb2_grpc
    from server.app import create_plans_server

    try:
        plans = create_plans_server(ns.plans_address, url, optimizer)
    except Exception as exc:
        print(f"\n(plans service not started: {exc})")
        return None
    host = ns.plans_address.rsplit(":", 1)[0]
    target = f"{host}:{plans.port}"
    md = (("x-hakobu-organization", "ORG-001"),)
    with grpc.insecure_channel(target) as channel:
        listed = plans_pb2_grpc.PlanServiceStub(channel).ListPlans(
            plans_pb2.ListPlansRequest(parent="organizations/ORG-001", page_size=5), metadata=md, timeout=30
        )
    print(f"\nPlanService + OrganizationService (gRPC) listening on {target} "
          "(metadata x-hakobu-organization: ORG-001)")
    for p in listed.plans:
        d = p.plan_date
        print(f"  {p.name}  {d.year:04d}-{d.month:02d}-{d.day:02d}  "
              f"{plans_pb2.DeliveryPlan.Status.Name(p.status)} rev {p.revision}, {len(p.routes)} routes")
    print(f"  try: grpcurl -plaintext -H 'x-hakobu-organization: ORG-001' {target} "
          "hakobu.v1.PlanService/ListPlans")
    return plans


def _demo_plans_store() -> str | None:
    """Seed the plans store (embedded PostgreSQL unless DATABASE_URL) and plan tomorrow for 練馬; its URL."""

    try:
        from optimizer.solve import SolveOptions
        from server.db.config import database_url
        from server.db.migrate import migrate
        from server.db.repository import Database
        from server.db.seed import seed
        from server.plans.optimize import replan_all

        url = database_url()
        tomorrow = jst.tomorrow()
        migrate(url)
        seed(url, tomorrow)
        print(f"\n配車計画の保存 / plans store: {url}")
        for s in replan_all(Database(url), "ORG-001", tomorrow, None, False, 1, SolveOptions(time_limit=3)):
            print(f"  {s.line()}")
        print(f"  nightly batch: .venv/bin/hakobu replan --date {tomorrow} --all")
        return url
    except Exception as exc:  # the optimizer demo above stands on its own
        print(f"\n(plans store skipped: {exc})")
        return None


def _print_solution(sol) -> None:
    from hakobu.v1 import optimizer_pb2 as pb

    print(
        f"\n配車計画 / plan: total cost {sol.cost.total:,.0f}, {sol.totals.distance_meters / 1000:.1f} km, "
        f"{sol.totals.vehicles_used} vehicles, {sol.totals.jobs_served} served, "
        f"{sol.totals.jobs_unassigned} unassigned"
    )
    for r in sol.routes:
        dur = r.duration.seconds / 3600
        print(
            f"  {r.vehicle_id} ({r.driver_id or '-'}): {len(r.steps) - 2} stops, "
            f"{r.distance_meters / 1000:.1f} km, {dur:.1f} h, {r.trips} trip(s)"
        )
        for st in r.steps:
            at = st.start_time.ToDatetime(tzinfo=jst.JST) if st.HasField("start_time") else None
            t = at.strftime("%H:%M") if at else ""
            print(f"      {t}  {pb.Step.Type.Name(st.type):<17} {st.id:<10} load {list(st.load_after)}")
    for u in sol.unassigned_jobs:
        print(f"  未割当 {u.id}: {u.message_ja} / {u.message}")


if __name__ == "__main__":
    sys.exit(main())
