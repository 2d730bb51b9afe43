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
    "REDIS_URL": ("unset: in-process cache", "Redis for the travel-matrix cache"),
    "HAKOBU_OSM_DIR": ("`../shared/data/osm` if present, else `data/osm/`", "OpenStreetMap extracts"),
    "HAKOBU_GEO_CACHE": ("`<data dir>/geo-cache`", "compiled road graphs"),
    "HAKOBU_OPTIMIZER_ADDRESS": ("`127.0.0.1:50051`", "OptimizerService listen address"),
    "HAKOBU_PLANS_ADDRESS": ("`127.0.0.1:50052`", "PlanService + OrganizationService listen address"),
    "HAKOBU_OPTIMIZER_TARGET": ("`127.0.0.1:50051`", "where `serve plans` reaches the optimizer"),
    "HAKOBU_SCHEDULE": ("built-in nightly replan", "scheduler jobs (TOML file)"),
    "HAKOBU_ORGANIZATION": (f"`{DEFAULT_ORGANIZATION}`", "organization of the built-in schedule"),
    "HAKOBU_WORKERS": ("cores, at most 2", "solver worker processes (0 = solve in the server process)"),
    "HAKOBU_METRICS_PORT": ("`9464`", "Prometheus `/metrics` port (−1 disables)"),
    "HAKOBU_METRICS_ADDRESS": ("`127.0.0.1`", "address the metrics endpoint binds"),
    "HAKOBU_LOG_LEVEL": ("`INFO` (`WARNING` for `hakobu solve`)", "JSON logs on stderr"),
    "HAKOBU_OPERATION_LEASE_SECONDS": ("`60`", "an unfinished operation not renewed this long is ABORTED"),
    "HAKOBU_SHUTDOWN_GRACE_SECONDS": ("`10`", "on SIGTERM, searches stop at their best plan within this"),
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
    schedule: Path | None = None
    organization: str = DEFAULT_ORGANIZATION
    workers: int = field(default_factory=default_workers)
    metrics_port: int = 9464
    metrics_address: str = "127.0.0.1"
    log_level: str | None = None
    #: Seconds an unfinished operation keeps its lease without being renewed (then it is ABORTED).
    operation_lease: float = 60.0
    #: Seconds a graceful shutdown gives running searches and operations to finish.
    shutdown_grace: float = 10.0
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
    def geo_cache_dir(self) -> Path:
        """Compiled road graphs: ``geo_cache`` or ``<data dir>/geo-cache``."""
        return self.geo_cache if self.geo_cache is not None else self.data_dir / "geo-cache"

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

        data_raw = get("HAKOBU_DATA_DIR")
        data_dir = _resolve(data_raw, PROJECT_ROOT) if data_raw else PROJECT_ROOT / "var"
        osm_raw = get("HAKOBU_OSM_DIR")
        cache_raw = get("HAKOBU_GEO_CACHE")
        schedule_raw = get("HAKOBU_SCHEDULE")
        values = {
            "data_dir": data_dir,
            "database_url": get("DATABASE_URL"),
            "redis_url": get("REDIS_URL"),
            "osm_dir": _resolve(osm_raw, data_dir) if osm_raw else default_osm_dir(),
            "geo_cache": _resolve(cache_raw, data_dir) if cache_raw else None,
            "optimizer_address": get("HAKOBU_OPTIMIZER_ADDRESS") or cls.optimizer_address,
            "plans_address": get("HAKOBU_PLANS_ADDRESS") or cls.plans_address,
            "optimizer_target": get("HAKOBU_OPTIMIZER_TARGET") or cls.optimizer_target,
            "schedule": _resolve(schedule_raw, data_dir) if schedule_raw else None,
            "organization": get("HAKOBU_ORGANIZATION") or DEFAULT_ORGANIZATION,
            "workers": integer("HAKOBU_WORKERS", default_workers()),
            "metrics_port": integer("HAKOBU_METRICS_PORT", cls.metrics_port),
            "metrics_address": get("HAKOBU_METRICS_ADDRESS") or cls.metrics_address,
            "log_level": (get("HAKOBU_LOG_LEVEL") or "").upper() or None,
            "operation_lease": seconds("HAKOBU_OPERATION_LEASE_SECONDS", cls.operation_lease),
            "shutdown_grace": seconds("HAKOBU_SHUTDOWN_GRACE_SECONDS", cls.shutdown_grace),
            "map_tile_url": get("HAKOBU_MAP_TILE_URL"),
        }
        if problems:
            raise SettingsError(problems)
        return cls(**values)  # type: ignore[arg-type]


def default_osm_dir() -> Path | None:
    """The shared OpenStreetMap extracts beside the repository if present, else the repository's own."""
    for folder in (PROJECT_ROOT.parent / "shared" / "data" / "osm", PROJECT_ROOT / "data" / "osm"):
        if folder.is_dir():
            return folder
    return None


def _resolve(raw: str, base: Path) -> Path:
    path = Path(raw).expanduser()
    return path if path.is_absolute() else base / path


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
    ):
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or int(port) > 65535:
            out.append(f"{name}: HOST:PORT の形式で指定してください / must be HOST:PORT, not {value!r}")
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
    if not s.organization:
        out.append("HAKOBU_ORGANIZATION: 空です / must not be empty")
    return out

