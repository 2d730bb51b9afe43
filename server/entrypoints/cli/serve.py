"""``hakobu serve optimizer | plans | tracking | all``: run the gRPC services (and with ``all`` the
tracking service and the REST gateway) until SIGINT / SIGTERM."""

from __future__ import annotations

import argparse
import atexit
import logging
import os
import sys
import threading
import time
from types import ModuleType
from typing import Any

from server.platform.settings import Settings
from server.platform.stopsignal import StopSignal


def serve_optimizer(
    settings: Settings, wiring: ModuleType, address: str, workers: int, metrics_port: int
) -> int:
    from server.platform.observability import serve_metrics

    stop = StopSignal()  # from here on: a signal during start-up is kept, honoured once started
    # Tokens and the service credential; API keys too when DATABASE_URL is set.
    running = wiring.create_optimizer_server(address, workers, settings=settings)
    host = address.rsplit(":", 1)[0]
    print(f"OptimizerService (gRPC) listening on {host}:{running.port}", flush=True)
    if metrics_port >= 0:
        maddr = settings.metrics_address
        mport = serve_metrics(metrics_port, maddr)
        print(f"Prometheus metrics on http://{maddr}:{mport}/metrics", flush=True)
    stop.wait()
    print("shutting down…", flush=True)
    running.stop(settings.shutdown_grace)
    _exit_now()
    return 0


def serve_plans(settings: Settings, wiring: ModuleType, ns: argparse.Namespace) -> int:
    """``serve plans`` (against a running optimizer) or ``serve all`` (optimizer + plans, one process)."""
    from server.platform.observability import serve_metrics

    stop = StopSignal()
    stoppers = []
    optimizer = None
    target = ns.optimizer
    url = wiring.database_url(settings)
    auth = wiring.authenticator(settings, wiring.Database(url))  # tokens and API keys, for both servers
    if ns.service == "all":
        optimizer = wiring.create_optimizer_server(ns.address, ns.workers, settings=settings, auth=auth)
        stoppers.append(optimizer.stop)
        host = ns.address.rsplit(":", 1)[0]
        target = f"{host}:{optimizer.port}"
        print(f"OptimizerService (gRPC) listening on {target}", flush=True)
    plans = wiring.create_plans_server(ns.plans_address, url, target, settings=settings, auth=auth)
    stoppers.insert(0, plans.stop)
    host = ns.plans_address.rsplit(":", 1)[0]
    print(f"PlanService + OrganizationService (gRPC) listening on {host}:{plans.port} "
          f"(optimizer {target}, database {url.split('@')[-1]})", flush=True)
    print("  sign in with hakobu.identity.v1.AuthService/Login, then call with "
          "'authorization: Bearer <token>'", flush=True)
    if ns.service == "all":
        tracking = _start_tracking(settings, wiring, ns, url, auth)
        stoppers.insert(0, tracking.stop)
        tracking_target = f"{ns.tracking_address.rsplit(':', 1)[0]}:{tracking.port}"
        reports = _start_reports(settings, wiring, ns, url, auth)
        stoppers.insert(0, reports.stop)
        reports_target = f"{ns.reports_address.rsplit(':', 1)[0]}:{reports.port}"
        from server.entrypoints.cli.gateway import GatewayProcess

        try:
            gateway = GatewayProcess(ns.gateway_address, target, f"{host}:{plans.port}", tracking_target,
                                     reports_target)
        except RuntimeError as exc:
            print(f"hakobu: {exc}", file=sys.stderr, flush=True)
            for fn in stoppers:
                fn(1.0)
            _exit_now()
            return 1
        stoppers.insert(0, gateway.stop)
        print(f"REST gateway listening on {gateway.url} (OpenAPI {gateway.url}/openapi.json, "
              f"docs {gateway.url}/docs)", flush=True)
    if ns.metrics_port >= 0:
        maddr = settings.metrics_address
        print(f"Prometheus metrics on http://{maddr}:{serve_metrics(ns.metrics_port, maddr)}/metrics",
              flush=True)
    stop.wait()
    print("shutting down…", flush=True)
    if optimizer is not None:
        optimizer.stop_searches()  # the plans' running optimizations get their best plan now
    deadline = time.monotonic() + settings.shutdown_grace
    for fn in stoppers:
        fn(max(0.0, deadline - time.monotonic()))
    _exit_now()
    return 0


def _start_tracking(
    settings: Settings, wiring: ModuleType, ns: argparse.Namespace, url: str, auth: Any = None
) -> Any:
    tracking = wiring.create_tracking_server(ns.tracking_address, url, osmand_address=ns.osmand_address,
                                             settings=settings, auth=auth)
    host = ns.tracking_address.rsplit(":", 1)[0]
    ohost = ns.osmand_address.rsplit(":", 1)[0]
    print(f"TrackingService (gRPC) listening on {host}:{tracking.port}", flush=True)
    print(f"OsmAnd endpoint (Traccar Client) on http://{ohost}:{tracking.osmand_port}/ "
          f"(demo tracker ids: the vehicle ids, V-001, …)", flush=True)
    return tracking


def _start_reports(
    settings: Settings, wiring: ModuleType, ns: argparse.Namespace, url: str, auth: Any = None
) -> Any:
    reports = wiring.create_reports_server(ns.reports_address, url, settings=settings, auth=auth)
    host = ns.reports_address.rsplit(":", 1)[0]
    print(f"ReportService (gRPC) listening on {host}:{reports.port}", flush=True)
    return reports


def serve_reports(settings: Settings, wiring: ModuleType, ns: argparse.Namespace) -> int:
    """``serve reports``: ReportService over the plans store's database (plans, tracking history)."""
    stop = StopSignal()
    reports = _start_reports(settings, wiring, ns, wiring.database_url(settings))
    stop.wait()
    print("shutting down…", flush=True)
    reports.stop(settings.shutdown_grace)
    _exit_now()
    return 0


def serve_tracking(settings: Settings, wiring: ModuleType, ns: argparse.Namespace) -> int:
    """``serve tracking``: TrackingService and the OsmAnd endpoint over the plans store's database."""
    from server.platform.observability import serve_metrics

    stop = StopSignal()
    tracking = _start_tracking(settings, wiring, ns, wiring.database_url(settings))
    import gc

    gc.freeze()  # what startup made lives on: later collections need not scan it
    gc.set_threshold(50_000, 20, 20)  # ingestion allocates short-lived objects by the million
    if ns.metrics_port >= 0:
        maddr = settings.metrics_address
        print(f"Prometheus metrics on http://{maddr}:{serve_metrics(ns.metrics_port, maddr)}/metrics",
              flush=True)
    stop.wait()
    print("shutting down…", flush=True)
    tracking.stop(settings.shutdown_grace)
    _exit_now()
    return 0


def _exit_now() -> None:
    """After a graceful stop, leave at once when a thread outlived the grace: its operation was already
    marked ABORTED, and its work (e.g. a call to a remote optimizer) must not hold the process past the
    grace. Exit handlers run either way."""
    lingering = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if not lingering:
        return
    logging.getLogger("hakobu.server").warning(
        "exiting with work still running", extra={"threads": [t.name for t in lingering]}
    )
    atexit._run_exitfuncs()  # e.g. stop the embedded PostgreSQL, as a normal exit would
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
