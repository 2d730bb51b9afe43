"""``python -m gateway``: the REST gateway process (``hakobu serve gateway`` runs it).

The one composition root of the gateway process: settings from the environment, the rate-limit store
(Redis when ``REDIS_URL`` is set, else in-process), JSON logs carrying each request's id.
"""

from __future__ import annotations

import dataclasses
import sys

from server.platform.observability import configure_logging
from server.platform.settings import Settings, SettingsError


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m gateway", description="Hakobu REST gateway")
    ap.add_argument("--address", default=None, help="HOST:PORT (default HAKOBU_GATEWAY_ADDRESS)")
    ap.add_argument("--optimizer-target", default=None, help="default HAKOBU_OPTIMIZER_TARGET")
    ap.add_argument("--plans-target", default=None, help="the plans services (default HAKOBU_PLANS_TARGET)")
    ap.add_argument("--tracking-target", default=None, help="default HAKOBU_TRACKING_TARGET")
    ap.add_argument("--reports-target", default=None, help="default HAKOBU_REPORTS_TARGET")
    ap.add_argument("--log-level", default=None, help="default HAKOBU_LOG_LEVEL, else INFO")
    ap.add_argument("--metrics-port", type=int, default=None, help="default HAKOBU_METRICS_PORT (-1: none)")
    ap.add_argument("--exit-with-parent", action="store_true",
                    help="stop when the process that started this one is gone (serve all, the demo)")
    ns = ap.parse_args(argv)
    if ns.exit_with_parent:
        _exit_with_parent()
    try:
        settings = Settings.from_env()
        settings = dataclasses.replace(
            settings,
            optimizer_target=ns.optimizer_target or settings.optimizer_target,
            plans_target=ns.plans_target or settings.plans_target,
            tracking_target=ns.tracking_target or settings.tracking_target,
            reports_target=ns.reports_target or settings.reports_target,
            metrics_port=settings.metrics_port if ns.metrics_port is None else ns.metrics_port,
        )
    except SettingsError as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 2
    configure_logging(ns.log_level or settings.log_level or "INFO", service="gateway")
    from server.platform.tracing import configure_tracing

    configure_tracing("gateway", settings.otlp_endpoint)
    from gateway.app import create_app
    from gateway.ratelimit import InProcessRateLimiter, RateLimiter
    from gateway.server import bind, serve_forever

    limiter: RateLimiter
    if settings.redis_url:
        from server.adapters.redis.ratelimit import RedisRateLimiter

        limiter = RedisRateLimiter(settings.redis_url)
    else:
        limiter = InProcessRateLimiter()
    app = create_app(settings, limiter)
    address = ns.address or settings.gateway_address
    try:
        sock = bind(address)
    except OSError as exc:
        print(f"gateway: cannot listen on {address}: {exc}", file=sys.stderr)
        return 1
    host, port = sock.getsockname()[:2]
    host = f"[{host}]" if ":" in host else host
    print(f"REST gateway listening on http://{host}:{port} (docs http://{host}:{port}/docs)", flush=True)
    if settings.metrics_port >= 0:
        from server.platform.observability import serve_metrics

        mport = serve_metrics(settings.metrics_port, settings.metrics_address)
        print(f"Prometheus metrics on http://{settings.metrics_address}:{mport}/metrics", flush=True)
    serve_forever(app, sock, settings.gateway_trusted_proxies)
    return 0


def _exit_with_parent() -> None:
    """SIGTERM this process (a graceful stop) once its parent is gone, e.g. killed with SIGKILL: a
    gateway started by ``serve all`` or the demo never outlives them."""
    import os
    import signal
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
