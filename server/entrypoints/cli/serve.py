"""``hakobu serve optimizer | plans | all``: run the gRPC services until SIGINT / SIGTERM."""

from __future__ import annotations

import argparse
import signal
import threading
from types import ModuleType

from server.platform.settings import Settings


def serve_optimizer(
    settings: Settings, wiring: ModuleType, address: str, workers: int, metrics_port: int
) -> int:
    from server.platform.observability import serve_metrics

    running = wiring.create_optimizer_server(address, workers, settings=settings)
    host = address.rsplit(":", 1)[0]
    print(f"OptimizerService (gRPC) listening on {host}:{running.port}", flush=True)
    if metrics_port >= 0:
        maddr = settings.metrics_address
        mport = serve_metrics(metrics_port, maddr)
        print(f"Prometheus metrics on http://{maddr}:{mport}/metrics", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    print("shutting down…", flush=True)
    running.stop()
    return 0


def serve_plans(settings: Settings, wiring: ModuleType, ns: argparse.Namespace) -> int:
    """``serve plans`` (against a running optimizer) or ``serve all`` (optimizer + plans, one process)."""
    from server.platform.observability import serve_metrics

    stoppers = []
    target = ns.optimizer
    if ns.service == "all":
        optimizer = wiring.create_optimizer_server(ns.address, ns.workers, settings=settings)
        stoppers.append(optimizer.stop)
        host = ns.address.rsplit(":", 1)[0]
        target = f"{host}:{optimizer.port}"
        print(f"OptimizerService (gRPC) listening on {target}", flush=True)
    url = wiring.database_url(settings)
    plans = wiring.create_plans_server(ns.plans_address, url, target, settings=settings)
    stoppers.insert(0, plans.stop)
    host = ns.plans_address.rsplit(":", 1)[0]
    print(f"PlanService + OrganizationService (gRPC) listening on {host}:{plans.port} "
          f"(optimizer {target}, database {url.split('@')[-1]})", flush=True)
    print("  call with metadata x-hakobu-organization: ORG-001 (the demo organization)", flush=True)
    if ns.metrics_port >= 0:
        maddr = settings.metrics_address
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
