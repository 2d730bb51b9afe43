"""One ``Settings`` object: the only place that reads the environment.

Every variable is listed in :data:`VARIABLES` (and in the README's "Configuration" table). Relative paths
in variables resolve against the data directory, whose own default is ``var/`` under the project root
(found from this file's location, never from the working directory).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: The project root: the folder holding ``server/`` (this file is ``server/platform/settings.py``).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ORGANIZATION = "ORG-001"

#: name -> (default as documented, meaning). The README's table says the same.
VARIABLES: dict[str, tuple[str, str]] = {
    "HAKOBU_DATA_DIR": ("`var/` in the project", "local state: embedded PostgreSQL, compiled graphs"),
    "DATABASE_URL": ("unset: embedded PostgreSQL in `<data dir>/pgdata`", "PostgreSQL of the plans store"),
    "REDIS_URL": ("unset: in-process cache", "Redis for the travel-matrix cache and the sign-out denylist"),
    "HAKOBU_OSM_DIR": ("`../shared/data/osm` if present, else `data/osm/`", "OpenStreetMap extracts"),
    "HAKOBU_GEO_CACHE": ("`<data dir>/geo-cache`", "compiled road graphs"),
    "HAKOBU_OPTIMIZER_ADDRESS": ("`127.0.0.1:50051`", "OptimizerService listen address"),
    "HAKOBU_PLANS_ADDRESS": ("`127.0.0.1:50052`", "PlanService + OrganizationService listen address"),
    "HAKOBU_OPTIMIZER_TARGET": ("`127.0.0.1:50051`", "where `serve plans` reaches the optimizer"),
    "HAKOBU_TRACKING_ADDRESS": ("`127.0.0.1:50053`", "TrackingService listen address"),
    "HAKOBU_OSMAND_ADDRESS": ("`127.0.0.1:5055`", "OsmAnd HTTP endpoint for phones and GPS trackers"),
    "HAKOBU_SCHEDULE": ("built-in nightly replan", "scheduler jobs (TOML file)"),
    "HAKOBU_REPORTS_ADDRESS": ("`127.0.0.1:50054`", "ReportService listen address"),
    "HAKOBU_SMTP_URL": ("unset: mails go to the outbox folder",
                        "SMTP server of the report mails: `smtp://[user:password@]host:port` (STARTTLS "
                        "with `?starttls=1`) or `smtps://…`"),
    "HAKOBU_MAIL_FROM": ("`hakobu@localhost`", "sender of the report mails"),
    "HAKOBU_REPORT_RECIPIENTS": ("unset: no mail", "report mail addresses per branch: "
                                 "`BR-NRM=a@example.jp,b@example.jp;*=all@example.jp`"),
    "HAKOBU_OUTBOX": ("`<data dir>/outbox`", "where mails go without SMTP, and mails that failed to send"),
    "HAKOBU_ORGANIZATION": (f"`{DEFAULT_ORGANIZATION}`", "organization of the built-in schedule"),
    "HAKOBU_WORKERS": ("cores, at most 2", "solver worker processes (0 = solve in the server process)"),
    "HAKOBU_METRICS_PORT": ("`9464`", "Prometheus `/metrics` port (−1 disables)"),
    "HAKOBU_METRICS_ADDRESS": ("`127.0.0.1`", "address the metrics endpoint binds"),
    "HAKOBU_LOG_LEVEL": ("`INFO` (`WARNING` for `hakobu solve` and `hakobu demo`)", "JSON logs on stderr"),
    "HAKOBU_OTLP_ENDPOINT": ("unset: no traces exported", "OpenTelemetry collector (OTLP/gRPC) for traces"),
    "HAKOBU_OPERATION_LEASE_SECONDS": ("`60`", "an unfinished operation not renewed this long is ABORTED"),
    "HAKOBU_SHUTDOWN_GRACE_SECONDS": ("`10`", "on SIGTERM, searches stop at their best plan within this"),
    "HAKOBU_JWT_SECRET": ("unset: a key generated into `HAKOBU_JWT_KEY_FILE`",
                          "key that signs access tokens (HS256, at least 32 bytes)"),
    "HAKOBU_JWT_KEY_FILE": ("`<data dir>/secrets/jwt.key`", "file of the signing key when no secret is set"),
    "HAKOBU_SERVICE_TOKEN": ("unset: generated into `<data dir>/secrets/service.token`",
                             "credential of Hakobu's services calling each other (e.g. plans → optimizer)"),
    "HAKOBU_TLS_CERT": ("unset: plaintext gRPC", "PEM certificate chain: the gRPC servers serve TLS"),
    "HAKOBU_TLS_KEY": ("unset", "PEM private key of `HAKOBU_TLS_CERT`"),
    "HAKOBU_GATEWAY_ADDRESS": ("`127.0.0.1:8080`", "REST gateway listen address"),
    "HAKOBU_PLANS_TARGET": ("`HAKOBU_PLANS_ADDRESS`", "where the gateway reaches the plans services"),
    "HAKOBU_TRACKING_TARGET": ("unset: tracking routes answer 501", "where the gateway reaches tracking"),
    "HAKOBU_REPORTS_TARGET": ("unset: report routes answer 501", "where the gateway reaches reports"),
    "HAKOBU_GATEWAY_RATE_LIMIT": ("`2000/300`", "requests per seconds per client IP at the gateway"),
    "HAKOBU_GATEWAY_LOGIN_RATE_LIMIT": ("`20/300`", "sign-in attempts per seconds per client IP"),
    "HAKOBU_GATEWAY_LOGIN_USER_RATE_LIMIT": ("`5/300`", "sign-in attempts per seconds per org + login"),
    "HAKOBU_GATEWAY_MAX_BODY_BYTES": ("`8388608`", "largest request body the gateway accepts (else 413)"),
    "HAKOBU_GATEWAY_CORS_ORIGINS": ("unset: no cross-origin access", "origins allowed by CORS (comma list)"),
    "HAKOBU_GATEWAY_TRUSTED_PROXIES": ("`127.0.0.1`", "proxies whose X-Forwarded-For names the client"),
    "HAKOBU_OBJECT_STORE": ("`<data dir>/objects`", "proof-of-delivery files: a folder or `s3://bucket/prefix`"),
    "HAKOBU_OBJECT_STORE_ENDPOINT": ("unset: AWS S3", "endpoint of an S3-compatible store (MinIO, Ceph…)"),
    "HAKOBU_OBJECT_STORE_REGION": ("`ap-northeast-1`", "region of the S3 store"),
    "HAKOBU_TRACKING_LINK_SECRET": ("a random key kept in `<data dir>/tracking-link.key`",
                                    "HMAC key that signs consignee tracking links"),
    "HAKOBU_ARRIVAL_RADIUS_METERS": ("`150`", "a vehicle this close to a stop may be arriving"),
    "HAKOBU_ARRIVAL_DWELL_SECONDS": ("`60`", "…and staying this long is ARRIVED (GEOFENCE)"),
    "HAKOBU_SILENT_SECONDS": ("`600`", "no position this long: SILENT alert"),
    "HAKOBU_OFF_ROUTE_METERS": ("`2000`", "farther than this from the planned legs: OFF_ROUTE alert"),
    "HAKOBU_MAP_TILE_URL": ("地理院タイル (GSI)", "the web pages' map tiles, a `{z}/{x}/{y}` URL"),
}

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_DB_SCHEMES = ("postgresql", "postgres")
_REDIS_SCHEMES = ("redis", "rediss", "unix")


class SettingsError(ValueError):
    """The environment holds invalid settings; ``problems`` has one line per variable."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("設定が不正です / invalid settings:\n  " + "\n  ".join(self.problems))


def default_workers() -> int:
    """Solver worker processes when none are configured: the cores, at most 2."""
    return max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class Settings:
    """Everything the processes read from the environment, validated; build it with :meth:`from_env`."""

    data_dir: Path = PROJECT_ROOT / "var"
    database_url: str | None = None
    redis_url: str | None = None
    osm_dir: Path | None = field(default_factory=lambda: default_osm_dir())
    geo_cache: Path | None = None
    optimizer_address: str = "127.0.0.1:50051"
    plans_address: str = "127.0.0.1:50052"
    optimizer_target: str = "127.0.0.1:50051"
    tracking_address: str = "127.0.0.1:50053"
    osmand_address: str = "127.0.0.1:5055"
    schedule: Path | None = None
    reports_address: str = "127.0.0.1:50054"
    #: SMTP server of the report mails; None: they are written to ``outbox``.
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str = "hakobu@localhost"
    #: branch id (or ``*``) -> addresses of its report mails.
    report_recipients: dict[str, tuple[str, ...]] = field(default_factory=dict)
    outbox: Path | None = None
    organization: str = DEFAULT_ORGANIZATION
    workers: int = field(default_factory=default_workers)
    metrics_port: int = 9464
    metrics_address: str = "127.0.0.1"
    log_level: str | None = None
    #: OTLP/gRPC endpoint of an OpenTelemetry collector; None: no traces are exported.
    otlp_endpoint: str | None = None
    #: Seconds an unfinished operation keeps its lease without being renewed (then it is ABORTED).
    operation_lease: float = 60.0
    #: Seconds a graceful shutdown gives running searches and operations to finish.
    shutdown_grace: float = 10.0
    #: Key that signs access tokens; None: the key in ``jwt_key_path`` (generated there when missing).
    jwt_secret: str | None = field(default=None, repr=False)
    jwt_key_file: Path | None = None
    #: Credential of Hakobu's own services calling each other; None: ``<data dir>/secrets/service.token``.
    service_token: str | None = field(default=None, repr=False)
    #: PEM certificate chain and key: the gRPC servers serve TLS (both or neither).
    tls_cert: Path | None = None
    tls_key: Path | None = None
    gateway_address: str = "127.0.0.1:8080"
    #: Where the gateway reaches the plans services (None: ``plans_address``), tracking and reports.
    plans_target: str | None = None
    tracking_target: str | None = None
    reports_target: str | None = None
    #: (requests, seconds): the gateway's limit per client IP, and on sign-in per IP and per user.
    gateway_rate_limit: tuple[int, float] = (2000, 300.0)
    gateway_login_rate_limit: tuple[int, float] = (20, 300.0)
    gateway_login_user_rate_limit: tuple[int, float] = (5, 300.0)
    gateway_max_body_bytes: int = 8 * 1024 * 1024
    gateway_cors_origins: tuple[str, ...] = ()
    #: Peers (IPs or CIDRs, ``*`` any) whose X-Forwarded-For the gateway believes: the client IP of the
    #: rate limit and of the logs is then the one they name (an ALB's, a local reverse proxy's).
    gateway_trusted_proxies: tuple[str, ...] = ("127.0.0.1",)
    #: Proof-of-delivery files: a folder, or ``s3://bucket/prefix``; None = ``<data dir>/objects``.
    object_store: str | None = None
    object_store_endpoint: str | None = None
    object_store_region: str = "ap-northeast-1"
    #: HMAC key of tracking links; None = a random key kept in ``<data dir>/tracking-link.key``.
    tracking_link_secret: str | None = None
    arrival_radius: float = 150.0
    arrival_dwell: float = 60.0
    silent_after: float = 600.0
    off_route: float = 2000.0
    #: The web pages' map tiles ({z}/{x}/{y} URL); None = 地理院タイル (GSI).
    map_tile_url: str | None = None

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise SettingsError(problems)

    @property
    def pg_data_dir(self) -> Path:
        """Where the embedded PostgreSQL keeps its files."""
        return self.data_dir / "pgdata"

    @property
    def jwt_key_path(self) -> Path:
        return self.jwt_key_file if self.jwt_key_file is not None else self.data_dir / "secrets" / "jwt.key"

    @property
    def service_token_path(self) -> Path:
        return self.data_dir / "secrets" / "service.token"

    @property
    def outbox_dir(self) -> Path:
        """Mails written instead of sent: ``outbox`` or ``<data dir>/outbox``."""
        return self.outbox if self.outbox is not None else self.data_dir / "outbox"

    @property
    def geo_cache_dir(self) -> Path:
        """Compiled road graphs: ``geo_cache`` or ``<data dir>/geo-cache``."""
        return self.geo_cache if self.geo_cache is not None else self.data_dir / "geo-cache"

    @property
    def object_store_location(self) -> str:
        """``object_store``, or the ``objects/`` folder of the data directory."""
        return self.object_store or str(self.data_dir / "objects")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``environ`` (default ``os.environ``); ``SettingsError`` names every bad variable."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        problems: list[str] = []

        def integer(name: str, default: int) -> int:
            raw = get(name)
            if raw is None:
                return default
            try:
                return int(raw)
            except ValueError:
                problems.append(f"{name}: 整数ではありません / not an integer: {raw!r}")
                return default

        def seconds(name: str, default: float) -> float:
            raw = get(name)
            if raw is None:
                return default
            try:
                return float(raw)
            except ValueError:
                problems.append(f"{name}: 数値ではありません / not a number: {raw!r}")
                return default

        def rate(name: str, default: tuple[int, float]) -> tuple[int, float]:
            raw = get(name)
            if raw is None:
                return default
            n, sep, w = raw.partition("/")
            try:
                value = (int(n), float(w)) if sep else None
            except ValueError:
                value = None
            if value is None or value[0] < 1 or not 0 < value[1] <= 86400:
                problems.append(f"{name}: 回数/秒 の形式で指定してください / must be REQUESTS/SECONDS "
                                f"(e.g. 2000/300), not {raw!r}")
                return default
            return value

        data_raw = get("HAKOBU_DATA_DIR")
        data_dir = _resolve(data_raw, PROJECT_ROOT) if data_raw else PROJECT_ROOT / "var"
        osm_raw = get("HAKOBU_OSM_DIR")
        cache_raw = get("HAKOBU_GEO_CACHE")
        schedule_raw = get("HAKOBU_SCHEDULE")
        jwt_file_raw = get("HAKOBU_JWT_KEY_FILE")
        cert_raw, key_raw = get("HAKOBU_TLS_CERT"), get("HAKOBU_TLS_KEY")
        values = {
            "data_dir": data_dir,
            "database_url": get("DATABASE_URL"),
            "redis_url": get("REDIS_URL"),
            "osm_dir": _resolve(osm_raw, data_dir) if osm_raw else default_osm_dir(),
            "geo_cache": _resolve(cache_raw, data_dir) if cache_raw else None,
            "optimizer_address": get("HAKOBU_OPTIMIZER_ADDRESS") or cls.optimizer_address,
            "plans_address": get("HAKOBU_PLANS_ADDRESS") or cls.plans_address,
            "optimizer_target": get("HAKOBU_OPTIMIZER_TARGET") or cls.optimizer_target,
            "tracking_address": get("HAKOBU_TRACKING_ADDRESS") or cls.tracking_address,
            "osmand_address": get("HAKOBU_OSMAND_ADDRESS") or cls.osmand_address,
            "schedule": _resolve(schedule_raw, data_dir) if schedule_raw else None,
            "reports_address": get("HAKOBU_REPORTS_ADDRESS") or cls.reports_address,
            "smtp_url": get("HAKOBU_SMTP_URL"),
            "mail_from": get("HAKOBU_MAIL_FROM") or cls.mail_from,
            "report_recipients": _recipients(get("HAKOBU_REPORT_RECIPIENTS"), problems),
            "outbox": _resolve(outbox_raw, data_dir) if (outbox_raw := get("HAKOBU_OUTBOX")) else None,
            "organization": get("HAKOBU_ORGANIZATION") or DEFAULT_ORGANIZATION,
            "workers": integer("HAKOBU_WORKERS", default_workers()),
            "metrics_port": integer("HAKOBU_METRICS_PORT", cls.metrics_port),
            "metrics_address": get("HAKOBU_METRICS_ADDRESS") or cls.metrics_address,
            "log_level": (get("HAKOBU_LOG_LEVEL") or "").upper() or None,
            "otlp_endpoint": get("HAKOBU_OTLP_ENDPOINT"),
            "operation_lease": seconds("HAKOBU_OPERATION_LEASE_SECONDS", cls.operation_lease),
            "shutdown_grace": seconds("HAKOBU_SHUTDOWN_GRACE_SECONDS", cls.shutdown_grace),
            "jwt_secret": get("HAKOBU_JWT_SECRET"),
            "jwt_key_file": _resolve(jwt_file_raw, data_dir) if jwt_file_raw else None,
            "service_token": get("HAKOBU_SERVICE_TOKEN"),
            "tls_cert": _resolve(cert_raw, data_dir) if cert_raw else None,
            "tls_key": _resolve(key_raw, data_dir) if key_raw else None,
            "gateway_address": get("HAKOBU_GATEWAY_ADDRESS") or cls.gateway_address,
            "plans_target": get("HAKOBU_PLANS_TARGET"),
            "tracking_target": get("HAKOBU_TRACKING_TARGET"),
            "reports_target": get("HAKOBU_REPORTS_TARGET"),
            "gateway_rate_limit": rate("HAKOBU_GATEWAY_RATE_LIMIT", cls.gateway_rate_limit),
            "gateway_login_rate_limit": rate("HAKOBU_GATEWAY_LOGIN_RATE_LIMIT", cls.gateway_login_rate_limit),
            "gateway_login_user_rate_limit": rate("HAKOBU_GATEWAY_LOGIN_USER_RATE_LIMIT",
                                                  cls.gateway_login_user_rate_limit),
            "gateway_max_body_bytes": integer("HAKOBU_GATEWAY_MAX_BODY_BYTES", cls.gateway_max_body_bytes),
            "gateway_cors_origins": tuple(
                o.strip() for o in (get("HAKOBU_GATEWAY_CORS_ORIGINS") or "").split(",") if o.strip()
            ),
            "gateway_trusted_proxies": tuple(
                p.strip() for p in (get("HAKOBU_GATEWAY_TRUSTED_PROXIES") or "127.0.0.1").split(",")
                if p.strip()
            ),
            "object_store": _store_location(get("HAKOBU_OBJECT_STORE"), data_dir),
            "object_store_endpoint": get("HAKOBU_OBJECT_STORE_ENDPOINT"),
            "object_store_region": get("HAKOBU_OBJECT_STORE_REGION") or cls.object_store_region,
            "tracking_link_secret": get("HAKOBU_TRACKING_LINK_SECRET"),
            "arrival_radius": seconds("HAKOBU_ARRIVAL_RADIUS_METERS", cls.arrival_radius),
            "arrival_dwell": seconds("HAKOBU_ARRIVAL_DWELL_SECONDS", cls.arrival_dwell),
            "silent_after": seconds("HAKOBU_SILENT_SECONDS", cls.silent_after),
            "off_route": seconds("HAKOBU_OFF_ROUTE_METERS", cls.off_route),
            "map_tile_url": get("HAKOBU_MAP_TILE_URL"),
        }
        if problems:
            raise SettingsError(problems)
        return cls(**values)  # type: ignore[arg-type]


def _recipients(raw: str | None, problems: list[str]) -> dict[str, tuple[str, ...]]:
    """``BR-NRM=a@x.jp,b@x.jp;*=c@x.jp`` -> {"BR-NRM": ("a@x.jp", "b@x.jp"), "*": ("c@x.jp",)}."""
    out: dict[str, tuple[str, ...]] = {}
    for part in (raw or "").split(";"):
        if not part.strip():
            continue
        branch, sep, addresses = part.partition("=")
        found = tuple(a.strip() for a in addresses.split(",") if a.strip())
        if not sep or not branch.strip() or not found or any("@" not in a for a in found):
            problems.append(f"HAKOBU_REPORT_RECIPIENTS: 営業所=宛先,… の形式で / must be BRANCH=addr,addr;… "
                            f"not {part!r}")
            continue
        out[branch.strip()] = found
    return out


def default_osm_dir() -> Path | None:
    """The shared OpenStreetMap extracts beside the repository if present, else the repository's own."""
    for folder in (PROJECT_ROOT.parent / "shared" / "data" / "osm", PROJECT_ROOT / "data" / "osm"):
        if folder.is_dir():
            return folder
    return None


def _resolve(raw: str, base: Path) -> Path:
    path = Path(raw).expanduser()
    return path if path.is_absolute() else base / path


def _store_location(raw: str | None, data_dir: Path) -> str | None:
    """An ``s3://`` URL as given; a folder resolved against the data directory."""
    if raw is None or raw.startswith("s3://"):
        return raw
    return str(_resolve(raw, data_dir))


def _problems(s: Settings) -> list[str]:
    out: list[str] = []
    if s.database_url is not None and s.database_url.partition("://")[0] not in _DB_SCHEMES:
        out.append("DATABASE_URL: postgresql://… の形式で指定してください / must be a postgresql:// URL")
    if s.redis_url is not None and s.redis_url.partition("://")[0] not in _REDIS_SCHEMES:
        out.append("REDIS_URL: redis://… の形式で指定してください / must be a redis://, rediss:// or unix:// "
                   "URL")
    for name, value in (
        ("HAKOBU_OPTIMIZER_ADDRESS", s.optimizer_address),
        ("HAKOBU_PLANS_ADDRESS", s.plans_address),
        ("HAKOBU_OPTIMIZER_TARGET", s.optimizer_target),
        ("HAKOBU_REPORTS_ADDRESS", s.reports_address),
        ("HAKOBU_GATEWAY_ADDRESS", s.gateway_address),
        *(("HAKOBU_PLANS_TARGET", s.plans_target),) * (s.plans_target is not None),
        *(("HAKOBU_TRACKING_TARGET", s.tracking_target),) * (s.tracking_target is not None),
        *(("HAKOBU_REPORTS_TARGET", s.reports_target),) * (s.reports_target is not None),
        ("HAKOBU_TRACKING_ADDRESS", s.tracking_address),
        ("HAKOBU_OSMAND_ADDRESS", s.osmand_address),
    ):
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or int(port) > 65535:
            out.append(f"{name}: HOST:PORT の形式で指定してください / must be HOST:PORT, not {value!r}")
    if s.smtp_url is not None and s.smtp_url.partition("://")[0] not in ("smtp", "smtps"):
        out.append("HAKOBU_SMTP_URL: smtp://host:port か smtps://host:port / must be an smtp:// or smtps:// "
                   "URL")
    if s.workers < 0 or s.workers > 256:
        out.append(f"HAKOBU_WORKERS: 0〜256 / must be from 0 to 256, not {s.workers}")
    if not -1 <= s.metrics_port <= 65535:
        out.append(f"HAKOBU_METRICS_PORT: −1〜65535 / must be from -1 to 65535, not {s.metrics_port}")
    if s.log_level is not None and s.log_level not in _LOG_LEVELS:
        out.append(f"HAKOBU_LOG_LEVEL: {'/'.join(_LOG_LEVELS)} のいずれか / must be one of "
                   f"{', '.join(_LOG_LEVELS)}, not {s.log_level!r}")
    if not 1 <= s.operation_lease <= 3600:
        out.append(f"HAKOBU_OPERATION_LEASE_SECONDS: 1〜3600 / must be from 1 to 3600, "
                   f"not {s.operation_lease}")
    if not 0 <= s.shutdown_grace <= 3600:
        out.append(f"HAKOBU_SHUTDOWN_GRACE_SECONDS: 0〜3600 / must be from 0 to 3600, "
                   f"not {s.shutdown_grace}")
    if s.jwt_secret is not None and len(s.jwt_secret.encode()) < 32:
        out.append("HAKOBU_JWT_SECRET: 32バイト以上にしてください / must be at least 32 bytes")
    if s.service_token is not None and len(s.service_token) < 16:
        out.append("HAKOBU_SERVICE_TOKEN: 16文字以上にしてください / must be at least 16 characters")
    if (s.tls_cert is None) != (s.tls_key is None):
        out.append("HAKOBU_TLS_CERT / HAKOBU_TLS_KEY: 両方指定してください / set both or neither")
    if not 1024 <= s.gateway_max_body_bytes <= 1024**3:
        out.append(f"HAKOBU_GATEWAY_MAX_BODY_BYTES: 1024〜1073741824 / must be from 1 KiB to 1 GiB, "
                   f"not {s.gateway_max_body_bytes}")
    if not s.organization:
        out.append("HAKOBU_ORGANIZATION: 空です / must not be empty")
    if s.object_store is not None and s.object_store.startswith("s3://") and \
            not s.object_store[len("s3://"):].partition("/")[0]:
        out.append("HAKOBU_OBJECT_STORE: s3://bucket/prefix の形式で / must be a folder or s3://bucket/prefix")
    if s.tracking_link_secret is not None and len(s.tracking_link_secret) < 16:
        out.append("HAKOBU_TRACKING_LINK_SECRET: 16文字以上 / must be at least 16 characters")
    for name, value, low, high in (
        ("HAKOBU_ARRIVAL_RADIUS_METERS", s.arrival_radius, 10, 5000),
        ("HAKOBU_ARRIVAL_DWELL_SECONDS", s.arrival_dwell, 0, 3600),
        ("HAKOBU_SILENT_SECONDS", s.silent_after, 30, 86400),
        ("HAKOBU_OFF_ROUTE_METERS", s.off_route, 100, 100000),
    ):
        if not low <= value <= high:
            out.append(f"{name}: {low}〜{high} / must be from {low} to {high}, not {value}")
    return out

