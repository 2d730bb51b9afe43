"""``hakobu demo``: start the optimizer, plan a demo day, then the plans services on the seeded store."""

from __future__ import annotations

import argparse
import sys
import time
from types import ModuleType

from server import jst
from server.platform.settings import Settings
from server.platform.stopsignal import StopSignal


def demo(settings: Settings, wiring: ModuleType, ns: argparse.Namespace) -> int:
    import grpc

    from geo.registry import OSM_SUFFIXES
    from hakobu.optimizer.v1 import optimizer_pb2_grpc
    from server.demo import demo_request
    from server.platform.observability import serve_metrics

    auth = wiring.authenticator(settings)  # one for both servers: a sign-out holds on each
    running = wiring.create_optimizer_server(ns.address, settings=settings, auth=auth)
    host = ns.address.rsplit(":", 1)[0]
    target = f"{host}:{running.port}"
    try:
        with grpc.insecure_channel(target) as channel:
            stub = optimizer_pb2_grpc.OptimizerServiceStub(channel)
            from geo.registry import OSM_SUFFIXES

            osm = settings.osm_dir
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
            # The demo is Hakobu's own process: it calls its optimizer with the service credential.
            md = auth.service_metadata("ORG-001")
            for msg in stub.StreamOptimize(req, timeout=ns.time_limit + 30, metadata=md):
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
    url = _demo_plans_store(settings, wiring)
    plans = _demo_plans_server(settings, wiring, ns, url, target, auth) if url else None
    print(f"\nOptimizerService (gRPC) listening on {target}")
    print(f"  try: grpcurl -plaintext {target} list   (health and reflection need no credential)")
    tracking = _demo_tracking(settings, wiring, ns, url, auth) if url else None
    reports = _demo_reports(settings, wiring, ns, url, auth) if url else None
    gateway = _demo_gateway(settings, ns, target, plans, tracking, reports) if plans is not None else None
    if tracking is not None and not ns.no_drive:
        _demo_drive(settings, wiring, ns, url, tracking, auth)
    if gateway is not None:
        print(f"\n配車画面 / planner's page: {gateway.url}/   "
              f"ドライバー / driver's page: {gateway.url}/driver\n"
              "  sign in: ORG-001 / dispatcher01 / hakobu-dispatcher (driver01 / hakobu-driver)")
    servers = [s for s in (gateway, tracking, reports) if s is not None]
    if ns.exit:
        for server in servers:
            server.stop(5.0)
        if plans is not None:
            plans.stop()
        running.stop()
        return 0
    if ns.metrics_port >= 0:
        print(f"Prometheus metrics on http://127.0.0.1:{serve_metrics(ns.metrics_port)}/metrics")
    print("Ctrl-C to stop.", flush=True)
    StopSignal().wait()
    for server in servers:
        server.stop(5.0)
    if plans is not None:
        plans.stop()
    running.stop()
    return 0


def _demo_tracking(settings: Settings, wiring: ModuleType, ns: argparse.Namespace, url: str, auth: object):
    """TrackingService and the OsmAnd endpoint on the demo store; None (and a note) when they cannot run."""
    import dataclasses

    try:
        # The drive replays today's times on a fast clock: no vehicle is "silent" against the wall clock.
        quiet = dataclasses.replace(settings, silent_after=86400.0)
        tracking = wiring.create_tracking_server(ns.tracking_address, url, osmand_address=ns.osmand_address,
                                                 settings=quiet, auth=auth)
    except Exception as exc:
        print(f"\n(tracking not started: {exc})")
        return None
    host = ns.tracking_address.rsplit(":", 1)[0]
    tracking.target = f"{host}:{tracking.port}"
    print(f"\nTrackingService (gRPC) listening on {tracking.target}, OsmAnd (Traccar Client) on "
          f"http://{host}:{tracking.osmand_port}/?id=V-101&lat=35.75&lon=139.67")
    return tracking


def _demo_reports(settings: Settings, wiring: ModuleType, ns: argparse.Namespace, url: str, auth: object):
    """ReportService on the demo store; None (and a note) when it cannot run."""
    try:
        reports = wiring.create_reports_server(ns.reports_address, url, settings=settings, auth=auth)
    except Exception as exc:
        print(f"\n(reports not started: {exc})")
        return None
    reports.target = f"{ns.reports_address.rsplit(':', 1)[0]}:{reports.port}"
    print(f"ReportService (gRPC) listening on {reports.target}")
    print("  try: .venv/bin/hakobu report daily --branch BR-NRM --date today --format pdf "
          "--output daily.pdf")
    return reports


def _demo_drive(settings: Settings, wiring: ModuleType, ns: argparse.Namespace, url: str, tracking: object,
                auth: object) -> None:
    """Plan, publish and drive today's demo plan through the tracking server's OsmAnd endpoint."""
    from server.entrypoints.cli.demo_drive import drive, plan_today

    try:
        plan = plan_today(wiring, settings, url)
    except Exception as exc:
        print(f"\n(drive skipped: {exc})")
        return
    host = ns.tracking_address.rsplit(":", 1)[0]
    registry, _ = wiring.default_geo(settings)
    graph = registry.get("tokyo_nerima") if "tokyo_nerima" in registry.ids() else None
    md = (*auth.service_metadata("ORG-001"), ("x-hakobu-user", "U-002"))  # type: ignore[attr-defined]
    with wiring.open_batch(settings, url) as batch:
        totals = drive(batch.stores, plan, (host, tracking.osmand_port), tracking.target,  # type: ignore[attr-defined]
                       graph, ns.drive_speedup, md)
        done = batch.stores.plans.get("ORG-001", plan.id)
    print(f"  走行終了 / drive done: {totals.fixes} positions ({totals.refused} refused), "
          f"{totals.taps} taps, "
          f"{totals.arrivals} arrivals detected, {totals.etas} ETAs, alerts: "
          f"{', '.join(sorted(set(totals.alerts))) or 'none'}; plan {done.status}")


def _demo_gateway(settings: Settings, ns: argparse.Namespace, optimizer: str, plans, tracking,
                  reports):  # -> GatewayProcess
    """The REST gateway in front of the demo's services; None (and a note) when it cannot start."""
    from server.entrypoints.cli.gateway import GatewayProcess

    host = ns.plans_address.rsplit(":", 1)[0]
    try:
        gateway = GatewayProcess(ns.gateway_address, optimizer, f"{host}:{plans.port}",
                                 getattr(tracking, "target", None), getattr(reports, "target", None),
                                 log_level=settings.log_level or "WARNING")
    except RuntimeError as exc:
        print(f"\n(REST gateway not started: {exc})")
        return None
    print(f"\nREST gateway listening on {gateway.url}")
    print(f"  API docs: {gateway.url}/docs   OpenAPI: {gateway.url}/openapi.json")
    login = '{"organization": "ORG-001", "login": "dispatcher01", "password": "hakobu-dispatcher"}'
    print(f"  try: curl -s -X POST {gateway.url}/v1/auth:login -H 'content-type: application/json' "
          f"-d '{login}'")
    print(f"       curl -s {gateway.url}/v1/organizations/ORG-001/plans "
          "-H 'authorization: Bearer <accessToken>'")
    return gateway


def _demo_plans_server(
    settings: Settings, wiring: ModuleType, ns: argparse.Namespace, url: str, optimizer: str, auth: object
):  # -> RunningPlans | None
    """Start PlanService + OrganizationService on the demo store, sign in as dispatcher01 with his
    development password and read the plans back over gRPC."""
    import grpc

    from hakobu.identity.v1 import identity_pb2, identity_pb2_grpc
    from hakobu.plans.v1 import plans_pb2, plans_pb2_grpc
    from server.adapters.postgres.seed import set_dev_passwords

    try:
        plans = wiring.create_plans_server(ns.plans_address, url, optimizer, settings=settings, auth=auth)
    except Exception as exc:
        print(f"\n(plans service not started: {exc})")
        return None
    host = ns.plans_address.rsplit(":", 1)[0]
    target = f"{host}:{plans.port}"
    passwords = set_dev_passwords(url)
    with grpc.insecure_channel(target) as channel:
        signed_in = identity_pb2_grpc.AuthServiceStub(channel).Login(identity_pb2.LoginRequest(
            organization="ORG-001", login="dispatcher01", password=passwords["dispatcher01"]), timeout=30)
        md = (("authorization", f"Bearer {signed_in.access_token}"),)
        listed = plans_pb2_grpc.PlanServiceStub(channel).ListPlans(
            plans_pb2.ListPlansRequest(parent="organizations/ORG-001", page_size=5), metadata=md, timeout=30
        )
    print(f"\nPlanService + OrganizationService (gRPC) listening on {target}")
    print("  開発用パスワード / development sign-ins (organization ORG-001): "
          + ", ".join(f"{login} / {pw}" for login, pw in passwords.items()))
    for p in listed.plans:
        d = p.plan_date
        print(f"  {p.name}  {d.year:04d}-{d.month:02d}-{d.day:02d}  "
              f"{plans_pb2.DeliveryPlan.Status.Name(p.status)} rev {p.revision}, {len(p.routes)} routes")
    login = '{"organization": "ORG-001", "login": "dispatcher01", "password": "hakobu-dispatcher"}'
    print(f"  try: grpcurl -plaintext -d '{login}' {target} hakobu.identity.v1.AuthService/Login")
    print(f"       grpcurl -plaintext -H 'authorization: Bearer <accessToken>' {target} "
          "hakobu.plans.v1.PlanService/ListPlans")
    return plans


def _demo_plans_store(settings: Settings, wiring: ModuleType) -> str | None:
    """Seed the plans store (embedded PostgreSQL unless DATABASE_URL) and plan tomorrow for 練馬; its URL."""

    try:
        from optimizer.solve import SolveOptions
        from server.adapters.postgres.migrate import migrate
        from server.adapters.postgres.seed import seed
        from server.plans.optimize import replan_all

        url = wiring.database_url(settings)
        tomorrow = jst.tomorrow()
        migrate(url)
        seed(url, tomorrow)
        print(f"\n配車計画の保存 / plans store: {url}")
        with wiring.open_batch(settings, url) as batch:
            quick = SolveOptions(time_limit=3)
            for s in replan_all(batch.stores, "ORG-001", tomorrow, None, False, 1, quick):
                print(f"  {s.line()}")
        print(f"  nightly batch: .venv/bin/hakobu replan --date {tomorrow} --all")
        return url
    except Exception as exc:  # the optimizer demo above stands on its own
        print(f"\n(plans store skipped: {exc})")
        return None


def _print_solution(sol) -> None:
    from hakobu.optimizer.v1 import optimizer_pb2 as pb

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
