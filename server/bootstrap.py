"""The only wiring: builds the servers and the stores from one ``Settings``; nothing imports it back.

Only the entrypoints' main functions (the ``hakobu`` command) and tests import this module.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.longrunning import operations_pb2, operations_pb2_grpc
from grpc_health.v1 import health

from geo.cache import MatrixCache, cache_from_url
from geo.provider import RoadMatrixProvider
from geo.registry import GraphRegistry
from geo.service import GeoServicer
from hakobu.geo.v1 import geo_pb2, geo_pb2_grpc
from hakobu.optimizer.v1 import optimizer_pb2, optimizer_pb2_grpc
from optimizer.parallel import WorkerPool
from optimizer.service.operations import InMemoryOperationStore, OperationStore
from optimizer.service.servicer import OptimizerServicer
from server.adapters.memory.identity import InProcessDenylist
from server.adapters.postgres.database import Database
from server.adapters.postgres.master_data import PgMasterData
from server.adapters.postgres.plans import PgPlans
from server.adapters.road_graphs import RegistryGraphs
from server.entrypoints.grpc.operations import OperationsServicer
from server.identity.authenticate import Authenticator
from server.identity.ports import Denylist
from server.identity.tokens import TokenIssuer
from server.plans.ports import PlanStores
from server.plans.solver import Solver
from server.platform.grpc import Service, Tls, build_server, service_name
from server.platform.observability import PositionsCounter, PrometheusSolveMetrics
from server.platform.secrets import secret_file
from server.platform.settings import Settings, default_workers

log = logging.getLogger("hakobu.server")

OPTIMIZER_SERVICE = optimizer_pb2.DESCRIPTOR.services_by_name["OptimizerService"].full_name
OPERATIONS_SERVICE = operations_pb2.DESCRIPTOR.services_by_name["Operations"].full_name
GEO_SERVICE = geo_pb2.DESCRIPTOR.services_by_name["GeoService"].full_name


def default_geo(settings: Settings | None = None) -> tuple[GraphRegistry, MatrixCache]:
    """Road graphs (every OSM file of the OSM folder, compiled on first use, cached in the geo cache) and
    the matrix cache (Redis when ``redis_url`` is set, otherwise in-process)."""
    s = settings or Settings()
    registry = GraphRegistry(cache_dir=s.geo_cache_dir)
    if s.osm_dir is not None and s.osm_dir.is_dir():
        registry.add_directory(s.osm_dir)
    return registry, cache_from_url(s.redis_url)


def database_url(settings: Settings) -> str:
    """``DATABASE_URL``, else the embedded PostgreSQL in the data directory, started here (explicitly)."""
    if settings.database_url:
        return settings.database_url
    from server.db.config import embedded_url

    return embedded_url(settings.pg_data_dir)


@dataclass
class Batch:
    """What the batch commands (``replan``, ``scheduler``, the demo) work with; close it when done."""

    database: Database
    stores: PlanStores
    #: Road matrices for road travel (None when the command plans on straight lines only).
    road: RoadMatrixProvider | None = None
    #: The OptimizerService client when the command solves remotely, else None (solve in-process).
    solver: Solver | None = None

    def close(self) -> None:
        close = getattr(self.solver, "close", None)
        if close is not None:
            close()
        self.database.close()

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_batch(
    settings: Settings, url: str | None = None, *, road: bool = False, optimizer: str | None = None
) -> Batch:
    """The plans stores over ``url`` (default: ``database_url``), with road graphs and matrices when
    ``road``, solving with the OptimizerService at ``optimizer`` when given."""
    database = Database(url or database_url(settings))
    registry, matrices = None, None
    if road:
        registry, cache = default_geo(settings)
        matrices = RoadMatrixProvider(registry, cache)
    solver = None
    if optimizer:
        from optimizer.service.client import RemoteSolver
        from server.platform.tracing import ClientInterceptor

        solver = RemoteSolver(optimizer, road=matrices, metadata=service_metadata(settings),
                              credentials=channel_credentials(settings), interceptors=[ClientInterceptor()])
    return Batch(database, plan_stores(database, registry), matrices, solver)


def plan_stores(db: Database, registry: GraphRegistry | None = None) -> PlanStores:
    """The plans use cases' ports over PostgreSQL (and the road graphs, when given)."""
    return PlanStores(PgMasterData(db), PgPlans(db), None if registry is None else RegistryGraphs(registry))


#: Seconds a graceful shutdown gives calls and operations when no Settings say otherwise.
DEFAULT_GRACE = 10.0

# ---------------------------------------------------------------- identity

#: Revoked tokens when there is no Redis: one list for every server of this process.
_LOCAL_DENYLIST = InProcessDenylist()


def denylist(settings: Settings) -> Denylist:
    """Revoked access tokens: in Redis (shared by every replica) when ``REDIS_URL`` is set."""
    if settings.redis_url:
        from server.adapters.redis.denylist import RedisDenylist

        return RedisDenylist.from_url(settings.redis_url)
    return _LOCAL_DENYLIST


def signing_key(settings: Settings) -> bytes:
    """``HAKOBU_JWT_SECRET``, else the key file (generated on first use)."""
    return (settings.jwt_secret or secret_file(settings.jwt_key_path)).encode()


def service_token(settings: Settings) -> str:
    """``HAKOBU_SERVICE_TOKEN``, else the token file of the data directory (generated on first use)."""
    return settings.service_token or secret_file(settings.service_token_path)


def service_metadata(settings: Settings) -> tuple[tuple[str, str], ...]:
    """The metadata with which this process calls Hakobu's other services (the service credential)."""
    return (("authorization", f"Service {service_token(settings)}"),)


def authenticator(settings: Settings | None = None, database: Database | None = None) -> Authenticator:
    """Checks every call's credential: tokens signed with the settings' key, the denylist, API keys in
    ``database`` (None: API keys are refused), and the service credential."""
    s = settings or Settings()
    from server.adapters.postgres.identity import PgApiKeys

    keys = PgApiKeys(database) if database is not None else None
    return Authenticator(TokenIssuer(signing_key(s)), denylist(s), keys, service_token(s))


def tls(settings: Settings | None) -> Tls | None:
    """The gRPC servers' certificate and key when the settings name them."""
    if settings is None or settings.tls_cert is None or settings.tls_key is None:
        return None
    return Tls(settings.tls_cert.read_bytes(), settings.tls_key.read_bytes())


def channel_credentials(settings: Settings | None) -> grpc.ChannelCredentials | None:
    """TLS to our own servers: trust their certificate (the settings' chain)."""
    served = tls(settings)
    if served is None:
        return None
    return grpc.ssl_channel_credentials(root_certificates=served.certificate_chain)



def _stop_serving(
    health_servicer: health.HealthServicer, server: grpc.Server, servicer: Any, grace: float
) -> None:
    """Report NOT_SERVING, refuse new calls, let the servicer end its searches and operations within
    ``grace`` seconds, and wait (at most a second more) for the calls under way to finish."""
    deadline = time.monotonic() + grace
    health_servicer.enter_graceful_shutdown()
    stopped = server.stop(grace)
    servicer.shutdown(grace)
    stopped.wait(max(0.0, deadline - time.monotonic()) + 1.0)

@dataclass
class Running:
    server: grpc.Server
    port: int
    health: health.HealthServicer
    pool: WorkerPool | None
    servicer: OptimizerServicer
    #: The database of the shared operation store (None: operations in memory).
    db: Database | None = None
    store: OperationStore | None = None
    grace: float = DEFAULT_GRACE
    _stopped: bool = field(default=False, repr=False)

    def stop_searches(self) -> None:
        """Report NOT_SERVING and tell every running search to stop at its best plan (calls answer with it,
        operations SUCCEED with it); :meth:`stop` then finishes the shutdown."""
        self.health.enter_graceful_shutdown()
        self.servicer.stop_searches()

    def stop(self, grace: float | None = None) -> None:
        """Graceful shutdown within ``grace`` seconds (default: the Settings'): report NOT_SERVING, stop
        the searches at their best plan, let calls and operations finish, abort what is left, stop the
        workers."""
        if self._stopped:
            return
        self._stopped = True
        grace = self.grace if grace is None else grace
        _stop_serving(self.health, self.server, self.servicer, grace)
        if self.pool is not None:
            self.pool.close()
        close = getattr(self.store, "close", None)
        if close is not None:
            close()
        if self.db is not None:
            self.db.close()


def create_optimizer_server(
    address: str = "127.0.0.1:0",
    workers: int | None = None,
    geo: tuple[GraphRegistry, MatrixCache] | None = None,
    settings: Settings | None = None,
    auth: Authenticator | None = None,
) -> Running:
    """OptimizerService and GeoService bound to ``address`` (port 0 picks a free one), started.

    ``workers`` solver processes (default: the cores, at most 2); 0 solves in
    the server process itself (for tests and tiny deployments). ``geo`` is the
    road-graph registry and matrix cache (default: :func:`default_geo` of ``settings``).
    Every call is authenticated by ``auth`` (default: :func:`authenticator` of ``settings``, with API
    keys when the optimizer has a database).
    """
    from server.entrypoints.grpc.auth import authenticate_with

    registry, cache = geo if geo is not None else default_geo(settings)
    n = (settings.workers if settings is not None else default_workers()) if workers is None else workers
    pool = WorkerPool(n) if n > 0 else None
    if pool is not None and not pool.wait_ready():
        log.warning("solver workers are slow to start", extra={"workers": n})
    db, store = _optimizer_store(settings)
    auth = auth if auth is not None else authenticator(settings, db)
    servicer = OptimizerServicer(
        pool, store, parallelism=max(n, 1), road=RoadMatrixProvider(registry, cache),
        metrics=PrometheusSolveMetrics(),
    )
    try:
        built = build_server(address, [
            Service(OPTIMIZER_SERVICE, optimizer_pb2_grpc.add_OptimizerServiceServicer_to_server, servicer),
            Service(OPERATIONS_SERVICE, operations_pb2_grpc.add_OperationsServicer_to_server,
                    OperationsServicer(store)),
            Service(GEO_SERVICE, geo_pb2_grpc.add_GeoServiceServicer_to_server, GeoServicer(registry, cache)),
        ], authenticate=authenticate_with(auth), tls=tls(settings))
    except OSError:
        if pool is not None:
            pool.close()
        if db is not None:
            db.close()
        raise
    log.info("optimizer listening", extra={"address": address, "port": built.port, "workers": n})
    grace = settings.shutdown_grace if settings is not None else DEFAULT_GRACE
    return Running(built.server, built.port, built.health, pool, servicer, db, store, grace)


def _optimizer_store(settings: Settings | None) -> tuple[Database | None, OperationStore]:
    """The optimizer's operations: in PostgreSQL when ``DATABASE_URL`` is set (any replica, or this one
    after a restart, answers for them), else in this process."""
    if settings is None or not settings.database_url:
        return None, InMemoryOperationStore()
    from server.adapters.postgres.migrate import migrate
    from server.adapters.postgres.operations import PgOperationStore

    migrate(settings.database_url)
    db = Database(settings.database_url)
    return db, PgOperationStore(db, lease=settings.operation_lease, service="optimizer")


# ---------------------------------------------------------------- the plans server


@dataclass
class RunningPlans:
    server: grpc.Server
    port: int
    health: health.HealthServicer
    servicer: object
    solver: object
    db: Database | None = None
    grace: float = DEFAULT_GRACE
    _stopped: bool = field(default=False, repr=False)

    def stop(self, grace: float | None = None) -> None:
        """Graceful shutdown within ``grace`` seconds (default: the Settings'): NOT_SERVING, no new calls,
        operations finish or end ABORTED, then the solver client and the database close."""
        if self._stopped:
            return
        self._stopped = True
        grace = self.grace if grace is None else grace
        _stop_serving(self.health, self.server, self.servicer, grace)
        close = getattr(self.solver, "close", None)
        if close is not None:
            close()
        if self.db is not None:
            self.db.close()


def create_plans_server(
    address: str,
    database_url: str,
    optimizer_target: str,
    *,
    concurrency: int = 2,
    geo: tuple[GraphRegistry, MatrixCache] | None = None,
    settings: Settings | None = None,
    auth: Authenticator | None = None,
) -> RunningPlans:
    """OrganizationService + PlanService (+ their Operations) and the identity services (AuthService,
    UserService, ApiKeyService) over ``database_url``, started.

    Plans are solved by the OptimizerService at ``optimizer_target`` (gRPC, with the service credential)
    and re-checked here with the same checker; ``concurrency`` bounds the optimizations running at once.
    Every call is authenticated by ``auth`` (default: :func:`authenticator` of ``settings`` over this
    database).
    """
    from hakobu.fleet.v1 import fleet_pb2, fleet_pb2_grpc
    from hakobu.identity.v1 import identity_pb2, identity_pb2_grpc
    from hakobu.plans.v1 import plans_pb2, plans_pb2_grpc
    from optimizer.service.client import RemoteSolver
    from server.adapters.postgres.identity import PgApiKeys, PgUsers
    from server.adapters.postgres.migrate import migrate
    from server.adapters.postgres.operations import PgOperationStore
    from server.adapters.postgres.plan_changes import PgPlanChanges
    from server.entrypoints.grpc.auth import authenticate_with
    from server.entrypoints.grpc.context import caller
    from server.entrypoints.grpc.identity import ApiKeyServicer, AuthServicer, UserServicer
    from server.entrypoints.grpc.organization import OrganizationServicer
    from server.entrypoints.grpc.plans import PlanServicer
    from server.platform.tracing import ClientInterceptor

    migrate(database_url)
    db = Database(database_url)
    registry, cache = geo if geo is not None else default_geo(settings)
    road = RoadMatrixProvider(registry, cache)
    auth = auth if auth is not None else authenticator(settings, db)
    solver = RemoteSolver(optimizer_target, road=road, metadata=auth.service_metadata(),
                          credentials=channel_credentials(settings), interceptors=[ClientInterceptor()])
    store = PgOperationStore(db, lease=settings.operation_lease if settings is not None else 60.0)
    plans = PlanServicer(
        plan_stores(db, registry), solver, store, road=road, concurrency=concurrency,
        metrics=PrometheusSolveMetrics(), plan_changes=PgPlanChanges(database_url),
    )
    operations = OperationsServicer(store, owner_of=lambda ctx: caller(ctx).organization)
    built = build_server(address, [
        Service(service_name(plans_pb2.DESCRIPTOR, "PlanService"),
                plans_pb2_grpc.add_PlanServiceServicer_to_server, plans),
        Service(service_name(fleet_pb2.DESCRIPTOR, "OrganizationService"),
                fleet_pb2_grpc.add_OrganizationServiceServicer_to_server, OrganizationServicer(db)),
        Service(OPERATIONS_SERVICE, operations_pb2_grpc.add_OperationsServicer_to_server, operations),
        Service(service_name(identity_pb2.DESCRIPTOR, "AuthService"),
                identity_pb2_grpc.add_AuthServiceServicer_to_server,
                AuthServicer(PgUsers(db), auth.issuer, auth.denylist)),
        Service(service_name(identity_pb2.DESCRIPTOR, "UserService"),
                identity_pb2_grpc.add_UserServiceServicer_to_server, UserServicer(PgUsers(db))),
        Service(service_name(identity_pb2.DESCRIPTOR, "ApiKeyService"),
                identity_pb2_grpc.add_ApiKeyServiceServicer_to_server, ApiKeyServicer(PgApiKeys(db))),
    ], thread_prefix="grpc-plans", authenticate=authenticate_with(auth), tls=tls(settings))
    log.info("plans listening", extra={"address": address, "port": built.port, "optimizer": optimizer_target})
    grace = settings.shutdown_grace if settings is not None else DEFAULT_GRACE
    return RunningPlans(built.server, built.port, built.health, plans, solver, db, grace)


# ---------------------------------------------------------------- the tracking server


@dataclass
class RunningTracking:
    server: grpc.Server
    port: int
    health: health.HealthServicer
    servicer: Any
    ingest: Any
    #: The OsmAnd HTTP endpoint (None when not started) and its port.
    osmand: Any = None
    osmand_port: int = 0
    closers: list[Any] = field(default_factory=list)
    grace: float = DEFAULT_GRACE
    _stopped: bool = field(default=False, repr=False)

    def stop(self, grace: float | None = None) -> None:
        """NOT_SERVING, no new calls or HTTP requests, calls under way finish within ``grace``; then the
        observers drain and the history's writer, Redis clients and the database close."""
        if self._stopped:
            return
        self._stopped = True
        grace = self.grace if grace is None else grace
        if self.osmand is not None:
            self.osmand.stop(grace)
        _stop_serving(self.health, self.server, self.servicer, grace)
        for close in self.closers:
            close()


def tracking_stores(database_url: str, redis_url: str | None) -> tuple[Any, list[Any]]:
    """The ingest pipeline over PostgreSQL (history, devices) and Redis when ``redis_url`` is set (else
    in-process live state and bus), with live state rebuilt from history; and what to close after it."""
    from server.adapters.memory.tracking import MemoryFleetBus, MemoryLiveState
    from server.adapters.postgres.devices import PgDevices
    from server.adapters.postgres.tracking_history import PgPositionHistory
    from server.tracking.ingest import Ingest

    db = Database(database_url)
    history = PgPositionHistory(database_url, db=db)
    live: Any
    bus: Any
    closers: list[Any] = []
    if redis_url:
        from server.adapters.redis.fleet_bus import RedisFleetBus
        from server.adapters.redis.live_state import RedisLiveState

        live, bus = RedisLiveState(redis_url), RedisFleetBus(redis_url)
        closers += [live.close, bus.close]
    else:
        live, bus = MemoryLiveState(), MemoryFleetBus()
    ingest = Ingest(PgDevices(db), history, live, bus)
    ingest.start_live()
    return ingest, [ingest.close, history.close, *closers, db.close]


def create_tracking_server(
    address: str,
    database_url: str,
    *,
    osmand_address: str | None = None,
    settings: Settings | None = None,
    auth: Authenticator | None = None,
) -> RunningTracking:
    """TrackingService over ``database_url`` (and Redis when the settings name one), started; with the
    OsmAnd HTTP endpoint on ``osmand_address`` when given (port 0 picks a free one). Every gRPC call is
    authenticated by ``auth`` (default: :func:`authenticator` of ``settings`` over this database); the
    OsmAnd protocol has no credential: the tracker id is the identity."""
    from hakobu.tracking.v1 import tracking_pb2, tracking_pb2_grpc
    from server.adapters.postgres.migrate import migrate
    from server.entrypoints.grpc.auth import authenticate_with
    from server.entrypoints.grpc.tracking import TrackingServicer

    migrate(database_url)
    if auth is None:
        auth = authenticator(settings, Database(database_url))
    ingest, closers = tracking_stores(database_url, settings.redis_url if settings is not None else None)
    live_db = Database(database_url)
    live = create_live(settings, live_db, ingest.live, ingest.bus, ingest.history)
    ingest.register(live.monitor)
    ingest.register(PositionsCounter())
    closers = [live.close, *closers, live_db.close]
    servicer = TrackingServicer(ingest, live=live.services)
    try:
        built = build_server(address, [
            Service(service_name(tracking_pb2.DESCRIPTOR, "TrackingService"),
                    tracking_pb2_grpc.add_TrackingServiceServicer_to_server, servicer),
        ], thread_prefix="grpc-tracking", authenticate=authenticate_with(auth), tls=tls(settings))
    except BaseException:
        for close in closers:
            close()
        raise
    grace = settings.shutdown_grace if settings is not None else DEFAULT_GRACE
    running = RunningTracking(built.server, built.port, built.health, servicer, ingest, closers=closers,
                              grace=grace)
    if osmand_address is not None:
        from server.entrypoints.http.osmand import start_osmand

        running.osmand = start_osmand(osmand_address, ingest)
        running.osmand_port = running.osmand.port
    log.info("tracking listening", extra={"address": address, "port": built.port,
                                          "osmand_port": running.osmand_port})
    return running


def retention_runner(batch: Batch, settings: Settings) -> Any:
    """The scheduler's ``retention`` jobs over the batch's database (archiving to the object store once
    one is configured)."""
    from server.adapters.objects.s3 import object_store
    from server.adapters.postgres.tracking_history import PgPositionHistory
    from server.scheduler.runner import RetentionRunner

    archive = object_store(settings.object_store_location, settings.object_store_endpoint,
                           settings.object_store_region)
    return RetentionRunner(PgPositionHistory(batch.database.url, db=batch.database), archive)


# ---------------------------------------------------------------- tracking: the live half


@dataclass
class Live:
    """Stop events, vehicle states, the fleet stream and tracking links (``services``, for the servicer),
    and the position observer (``monitor``) to register with the ingest pipeline; ``close`` stops its
    timer."""

    services: Any
    monitor: Any
    close: Any


def create_live(settings: Settings | None, db: Database, live: Any, bus: Any, history: Any,
                *, tick_every: float = 30.0) -> Live:
    """The live half of tracking over ``db`` (plans, stop events, master records), the ingest pipeline's
    live state, fleet bus and history, the object store and the tracking-link key of the settings."""
    from server.adapters.objects.s3 import object_store
    from server.adapters.postgres.repository import Repositories
    from server.adapters.postgres.stop_events import PgStopEvents
    from server.entrypoints.grpc.tracking_live import LiveServices
    from server.tracking.events import EventDeps
    from server.tracking.fleet import FleetDeps, LiveConfig
    from server.tracking.links import load_secret
    from server.tracking.monitor import LiveMonitor, start_ticker

    s = settings or Settings()
    registry, cache = default_geo(s)  # road-graph plans: the first leg of an ETA on the roads
    stores = plan_stores(db, registry)
    repos = Repositories(db)
    events = PgStopEvents(db)
    objects = object_store(s.object_store_location, s.object_store_endpoint, s.object_store_region)
    config = LiveConfig(arrival_radius=s.arrival_radius, arrival_dwell=s.arrival_dwell,
                        silent_after=s.silent_after, off_route=s.off_route)
    from server.platform.tracking_metrics import count_alert, count_event

    event_deps = EventDeps(plans=stores, events=events, objects=objects, live=live, bus=bus,
                           on_recorded=count_event)
    fleet = FleetDeps(plans=stores, live=live, vehicles=repos.vehicles, orders=repos.orders, events=events,
                      road=RoadMatrixProvider(registry, cache), config=config)
    secret = load_secret(s.tracking_link_secret, s.data_dir / "tracking-link.key")
    services = LiveServices(events=event_deps, fleet=fleet, bus=bus, link_secret=secret)
    monitor = LiveMonitor(event_deps, fleet, history, on_alert=count_alert)
    stop = start_ticker(monitor, tick_every) if tick_every > 0 else (lambda: None)
    return Live(services, monitor, stop)


# ---------------------------------------------------------------- the reports server


@dataclass
class RunningReports:
    server: grpc.Server
    port: int
    health: health.HealthServicer
    servicer: Any
    closers: list[Any] = field(default_factory=list)
    grace: float = DEFAULT_GRACE
    _stopped: bool = field(default=False, repr=False)

    def stop(self, grace: float | None = None) -> None:
        if self._stopped:
            return
        self._stopped = True
        _stop_serving(self.health, self.server, self.servicer, self.grace if grace is None else grace)
        for close in self.closers:
            close()


def report_stores(db: Database) -> Any:
    """The reports' ports over PostgreSQL: master data, plans, position history and stop events."""
    from server.adapters.postgres.stop_events import PgStopEvents
    from server.adapters.postgres.tracking_history import PgPositionHistory
    from server.reports.ports import ReportStores

    return ReportStores(PgMasterData(db), PgPlans(db), PgPositionHistory(db.url, db=db), PgStopEvents(db))


def report_rules(settings: Settings | None) -> Any:
    from server.reports.usecases import ReportRules

    return ReportRules()


def create_reports_server(
    address: str,
    database_url: str | None = None,
    *,
    settings: Settings | None = None,
    auth: Authenticator | None = None,
    stores: Any = None,
    now: Any = None,
) -> RunningReports:
    """ReportService over ``database_url`` (or over ``stores``, the reports' ports, in tests), started.
    Every call is authenticated by ``auth`` (default: :func:`authenticator` of ``settings``)."""
    from hakobu.reports.v1 import reports_pb2, reports_pb2_grpc
    from server.entrypoints.grpc.auth import authenticate_with
    from server.entrypoints.grpc.reports import ReportServicer

    closers: list[Any] = []
    db = None
    if stores is None:
        if database_url is None:
            raise ValueError("create_reports_server needs database_url or stores")
        from server.adapters.postgres.migrate import migrate

        migrate(database_url)
        db = Database(database_url)
        stores = report_stores(db)
        closers += [stores.positions.close, db.close]
    if auth is None:
        auth = authenticator(settings, db)
    kw = {"now": now} if now is not None else {}
    servicer = ReportServicer(stores, rules=report_rules(settings), **kw)
    try:
        built = build_server(address, [
            Service(service_name(reports_pb2.DESCRIPTOR, "ReportService"),
                    reports_pb2_grpc.add_ReportServiceServicer_to_server, servicer),
        ], thread_prefix="grpc-reports", authenticate=authenticate_with(auth), tls=tls(settings))
    except OSError:
        for close in closers:
            close()
        raise
    log.info("reports listening", extra={"address": address, "port": built.port})
    grace = settings.shutdown_grace if settings is not None else DEFAULT_GRACE
    return RunningReports(built.server, built.port, built.health, servicer, closers, grace)


def report_mail(settings: Settings) -> Any:
    """Report mails: SMTP when ``HAKOBU_SMTP_URL`` is set (failed mails kept in the outbox), else every
    mail written to the outbox folder; None when no branch has addresses."""
    from server.adapters.mail.outbox import OutboxMailer
    from server.adapters.mail.smtp import SmtpMailer
    from server.reports.delivery import MailConfig

    if not settings.report_recipients:
        return None
    outbox = OutboxMailer(settings.outbox_dir)
    mailer = SmtpMailer(settings.smtp_url) if settings.smtp_url else outbox
    return MailConfig(mailer, outbox, settings.mail_from, settings.report_recipients)


def reports_runner(batch: Batch, settings: Settings) -> Any:
    """The scheduler's ``reports`` jobs over the batch's database, the object store of the settings and
    the report mail."""
    from server.adapters.objects.s3 import object_store
    from server.scheduler.reports_runner import ReportsRunner

    objects = object_store(settings.object_store_location, settings.object_store_endpoint,
                           settings.object_store_region)
    mail = report_mail(settings)
    return ReportsRunner(report_stores(batch.database), objects, mail, report_rules(settings))
