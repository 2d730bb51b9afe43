"""The ``hakobu`` command: serve, solve, demo, db, replan, scheduler, users and apikeys (one module per
group)."""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from server import jst
from server.platform.settings import Settings, SettingsError


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run the ``hakobu`` command; settings come from ``environ`` (default: the process environment)."""
    # Solver workers are spawned and the embedded PostgreSQL is started with fork+exec, so gRPC's fork
    # handlers are never needed; without them gRPC does not log a line at every subprocess start.
    os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
    try:
        settings = Settings.from_env(environ)
    except SettingsError as exc:
        print(f"hakobu: {exc}", file=sys.stderr)
        return 2
    ap = argparse.ArgumentParser(prog="hakobu", description="Hakobu truck delivery planning")
    sub = ap.add_subparsers(dest="command", required=True)

    sv = sub.add_parser("serve", help="run a service")
    sv.add_argument("service", choices=["optimizer", "plans", "tracking", "reports", "gateway", "all"])
    sv.add_argument("--address", default=settings.optimizer_address,
                    help="OptimizerService address")
    sv.add_argument("--plans-address", default=settings.plans_address,
                    help="PlanService + OrganizationService address")
    sv.add_argument("--optimizer", default=settings.optimizer_target,
                    help="where `serve plans` finds the OptimizerService")
    sv.add_argument("--gateway-address", default=settings.gateway_address,
                    help="REST gateway address (`serve gateway`, `serve all`)")
    sv.add_argument("--workers", type=int, default=settings.workers, help="solver processes")
    sv.add_argument("--tracking-address", default=settings.tracking_address, help="TrackingService address")
    sv.add_argument("--osmand-address", default=settings.osmand_address,
                    help="OsmAnd HTTP endpoint (Traccar Client) address")
    sv.add_argument("--reports-address", default=settings.reports_address, help="ReportService address")
    sv.add_argument("--metrics-port", type=int, default=settings.metrics_port)

    so = sub.add_parser("solve", help="solve a VRPLIB (.vrp), Solomon (.txt) or JSON request file")
    so.add_argument("file", type=Path)
    so.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    so.add_argument("--engine", choices=["auto", "pyvrp", "ortools", "hgs"], default="auto")
    so.add_argument("--seed", type=int, default=0)
    so.add_argument("--parallelism", type=int, default=None, help="parallel searches (default: cores, max 2)")
    so.add_argument("--output", type=Path, help="write here (.sol = CVRPLIB format, else JSON)")
    so.add_argument("--format", choices=["sol", "json"], help="output format (default from --output)")

    de = sub.add_parser("demo", help="start the optimizer and solve a demo day for a Tokyo branch")
    de.add_argument("--address", default=settings.optimizer_address)
    de.add_argument("--time-limit", type=float, default=5.0)
    de.add_argument("--metrics-port", type=int, default=settings.metrics_port)
    de.add_argument("--plans-address", default=settings.plans_address)
    de.add_argument("--gateway-address", default=settings.gateway_address)
    de.add_argument("--tracking-address", default=settings.tracking_address)
    de.add_argument("--osmand-address", default=settings.osmand_address)
    de.add_argument("--reports-address", default=settings.reports_address)
    de.add_argument("--drive-speedup", type=float, default=600.0,
                    help="the demo drive's clock runs this many times faster than real time")
    de.add_argument("--no-drive", action="store_true", help="skip driving today's plan")
    de.add_argument("--exit", action="store_true", help="stop after the demo instead of serving on")

    db = sub.add_parser("db", help="database: apply migrations, load demo data")
    dbs = db.add_subparsers(dest="db_command", required=True)
    for name, text in (("migrate", "apply pending migrations"), ("seed", "migrate, then load demo data")):
        p = dbs.add_parser(name, help=text)
        p.add_argument("--url", default=None, help="PostgreSQL URL (default: DATABASE_URL, else embedded)")
    for name, text in (("backup", "dump the database into FILE (pg_dump, custom format)"),
                       ("restore", "restore FILE into the database, replacing what it holds (pg_restore)")):
        p = dbs.add_parser(name, help=text)
        p.add_argument("file", type=Path, metavar="FILE")
        p.add_argument("--url", default=None, help="PostgreSQL URL (default: DATABASE_URL, else embedded)")
    ps = dbs.add_parser("settings", help="show or set planning settings (organization, branch or vehicle)")
    ps.add_argument("values", nargs="*", metavar="NAME=VALUE",
                    help="settings to store at that level (NAME= unsets); none: show the effective settings")
    ps.add_argument("--org", default=settings.organization, help="organization (default HAKOBU_ORGANIZATION)")
    level = ps.add_mutually_exclusive_group()
    level.add_argument("--branch", help="branch id (default: the organization's own level)")
    level.add_argument("--vehicle", help="vehicle id")
    ps.add_argument("--url", default=None, help="PostgreSQL URL (default: DATABASE_URL, else embedded)")

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
    rp.add_argument("--optimizer", default=None, metavar="HOST:PORT",
                    help="solve with this OptimizerService (default: in this process)")
    rp.add_argument("--url", default=None, help="PostgreSQL URL (default: DATABASE_URL, else embedded)")

    _add_scheduler_parser(sub)
    from server.entrypoints.cli import report

    report.add_parser(sub, settings, _day_arg)
    from server.entrypoints.cli import identity

    identity.add_parsers(sub, settings)

    ns = ap.parse_args(argv)
    from server.platform.observability import configure_logging

    configure_logging(
        settings.log_level or ("WARNING" if ns.command in ("solve", "demo") else "INFO"),
        service=ns.service if ns.command == "serve" else ns.command,  # the compose / ECS service name
    )
    from server.platform.tracing import configure_tracing

    configure_tracing(ns.service if ns.command == "serve" else ns.command, settings.otlp_endpoint)
    # The one import of the wiring: every command gets it from here.
    from server import bootstrap as wiring

    if ns.command == "serve":
        from server.entrypoints.cli import serve

        if ns.service == "optimizer":
            return serve.serve_optimizer(settings, wiring, ns.address, ns.workers, ns.metrics_port)
        if ns.service == "gateway":
            from server.entrypoints.cli.gateway import exec_gateway

            exec_gateway(ns.gateway_address)
        if ns.service == "tracking":
            return serve.serve_tracking(settings, wiring, ns)
        if ns.service == "reports":
            return serve.serve_reports(settings, wiring, ns)
        return serve.serve_plans(settings, wiring, ns)
    if ns.command == "solve":
        from server.entrypoints.cli.solve import solve_file

        return solve_file(settings, wiring, ns)
    if ns.command in ("db", "replan", "scheduler"):
        from server.entrypoints.cli import batch

        run = {"db": batch.db, "replan": batch.replan, "scheduler": batch.scheduler}[ns.command]
        return run(settings, wiring, ns)
    if ns.command == "report":
        return report.run(settings, wiring, ns)
    if ns.command in ("users", "apikeys"):
        return identity.run(settings, wiring, ns)
    from server.entrypoints.cli.demo import demo

    return demo(settings, wiring, ns)


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
    sc.add_argument("--job", action="append", metavar="NAME",
                    help="only this job of the schedule (repeatable), e.g. with --once from an outside "
                         "scheduler (EventBridge in AWS)")



if __name__ == "__main__":
    sys.exit(main())
