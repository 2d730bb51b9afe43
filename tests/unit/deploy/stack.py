"""Readers for the deployment files (compose, Dockerfile, README settings) and the one map of which
service reads which setting, shared by the compose and the Terraform tests. Nothing here needs Docker,
Terraform or a network."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
README = ROOT / "README.md"

#: Compose services that run the Hakobu image; the others are PostgreSQL, Redis and Mailpit.
HAKOBU_SERVICES = ("migrate", "optimizer", "plans", "tracking", "reports", "gateway", "scheduler")
#: Long-running servers (each has a health check, metrics and an ECS service).
SERVERS = ("optimizer", "plans", "tracking", "reports", "gateway")
#: The only host ports the stack publishes: the REST gateway and the OsmAnd position endpoint.
PUBLISHED = {"gateway": {8080}, "tracking": {5055}}

_ALL = frozenset(HAKOBU_SERVICES)
_SERVERS = frozenset(SERVERS)

#: README Configuration setting -> the services that read it and must receive it (from the image's ENV,
#: the compose service's environment or the task definition's environment/secrets). An empty set means
#: every service runs on the documented default; the comment says why.
SETTING_READERS: dict[str, frozenset[str]] = {
    "HAKOBU_DATA_DIR": _ALL,  # the image's ENV: /app/var
    "DATABASE_URL": frozenset({"migrate", "plans", "tracking", "reports", "scheduler"}),
    "REDIS_URL": frozenset({"optimizer", "plans", "tracking", "gateway", "scheduler"}),
    "HAKOBU_OSM_DIR": frozenset({"optimizer", "plans", "scheduler"}),  # the image's ENV: /data/osm
    "HAKOBU_GEO_CACHE": frozenset({"optimizer", "plans", "scheduler"}),  # the image's ENV
    "HAKOBU_OPTIMIZER_ADDRESS": frozenset({"optimizer"}),
    "HAKOBU_PLANS_ADDRESS": frozenset({"plans"}),
    "HAKOBU_TRACKING_ADDRESS": frozenset({"tracking"}),
    "HAKOBU_OSMAND_ADDRESS": frozenset({"tracking"}),
    "HAKOBU_OPTIMIZER_TARGET": frozenset({"plans", "gateway", "scheduler"}),
    "HAKOBU_SCHEDULE": frozenset(),  # the built-in schedule: re-plan at 22:00 JST
    "HAKOBU_ORGANIZATION": frozenset({"scheduler"}),
    "HAKOBU_WORKERS": frozenset({"optimizer"}),
    "HAKOBU_METRICS_PORT": _SERVERS,
    "HAKOBU_METRICS_ADDRESS": _SERVERS,
    "HAKOBU_LOG_LEVEL": _ALL,
    # unset in compose (no collector); in AWS the ecs-service module points it at the collector sidecar
    "HAKOBU_OTLP_ENDPOINT": frozenset(),
    "HAKOBU_OPERATION_LEASE_SECONDS": frozenset(),  # default 60 s fits every deployment
    "HAKOBU_SHUTDOWN_GRACE_SECONDS": frozenset(),  # default 10 s, below the stop timeouts (20 s / 30 s)
    "HAKOBU_JWT_SECRET": _SERVERS,  # every replica checks tokens with the same key
    "HAKOBU_JWT_KEY_FILE": frozenset(),  # only without HAKOBU_JWT_SECRET (one machine)
    "HAKOBU_SERVICE_TOKEN": frozenset({*SERVERS, "scheduler"}),
    "HAKOBU_TLS_CERT": frozenset(),  # TLS is terminated by the load balancer in the AWS design
    "HAKOBU_TLS_KEY": frozenset(),
    "HAKOBU_GATEWAY_ADDRESS": frozenset({"gateway"}),
    "HAKOBU_PLANS_TARGET": frozenset({"gateway"}),
    "HAKOBU_TRACKING_TARGET": frozenset({"gateway"}),
    "HAKOBU_REPORTS_TARGET": frozenset({"gateway"}),
    "HAKOBU_GATEWAY_RATE_LIMIT": frozenset(),  # the seed's WAF rule, 2000 / 5 min per IP
    "HAKOBU_GATEWAY_LOGIN_RATE_LIMIT": frozenset(),
    "HAKOBU_GATEWAY_LOGIN_USER_RATE_LIMIT": frozenset(),
    "HAKOBU_GATEWAY_MAX_BODY_BYTES": frozenset(),
    "HAKOBU_GATEWAY_CORS_ORIGINS": frozenset(),  # the planner's page is served from the gateway's origin
    "HAKOBU_OBJECT_STORE": frozenset({"tracking", "reports", "scheduler"}),  # a volume; S3 buckets in AWS
    "HAKOBU_OBJECT_STORE_ENDPOINT": frozenset(),  # unset: AWS S3 (set it for MinIO and the like)
    "HAKOBU_OBJECT_STORE_REGION": frozenset(),  # default ap-northeast-1, the seed's region
    "HAKOBU_TRACKING_LINK_SECRET": frozenset({"tracking"}),  # the same key on every tracking replica
    "HAKOBU_ARRIVAL_RADIUS_METERS": frozenset(),  # defaults: 150 m
    "HAKOBU_ARRIVAL_DWELL_SECONDS": frozenset(),  # 60 s
    "HAKOBU_SILENT_SECONDS": frozenset(),  # 600 s
    "HAKOBU_OFF_ROUTE_METERS": frozenset(),  # 2 km
    "HAKOBU_GATEWAY_TRUSTED_PROXIES": frozenset(),  # compose publishes the gateway itself; ECS: the ALB's
    "HAKOBU_MAP_TILE_URL": frozenset(),  # the planner's map: the documented default tile server
    "HAKOBU_REPORTS_ADDRESS": frozenset({"reports"}),
    # the scheduler's daily-reports job mails the reports (the reports service only serves them)
    "HAKOBU_SMTP_URL": frozenset({"scheduler"}),
    "HAKOBU_MAIL_FROM": frozenset({"scheduler"}),
    "HAKOBU_REPORT_RECIPIENTS": frozenset(),  # per company: set with the branches' addresses
    "HAKOBU_OUTBOX": frozenset(),  # default <data dir>/outbox
}

#: Settings the deployment passes before the service that reads them has landed in main (tracking,
#: reports, gateway, identity). Once a name appears in the README's table it must move to
#: SETTING_READERS (the test says so), and names no service reads any more must go.
DECLARED_AHEAD: dict[str, frozenset[str]] = {
}

#: Each server's listen-address setting, gRPC or HTTP.
LISTEN_SETTING = {
    "optimizer": "HAKOBU_OPTIMIZER_ADDRESS",
    "plans": "HAKOBU_PLANS_ADDRESS",
    "tracking": "HAKOBU_TRACKING_ADDRESS",
    "reports": "HAKOBU_REPORTS_ADDRESS",
    "gateway": "HAKOBU_GATEWAY_ADDRESS",
}
#: Settings naming another service's address, and the service they must point at.
TARGET_SETTING = {
    "HAKOBU_OPTIMIZER_TARGET": "optimizer",
    "HAKOBU_PLANS_TARGET": "plans",
    "HAKOBU_TRACKING_TARGET": "tracking",
    "HAKOBU_REPORTS_TARGET": "reports",
}


def readme_settings() -> list[str]:
    """The variables of the README's Configuration table, in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    table = section.split("| variable |", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", table, flags=re.M)


_INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}")


def _interpolate(value: Any) -> Any:
    """Compose's ``${NAME:-default}`` with nothing set in the environment: the default."""
    if isinstance(value, str):
        return _INTERPOLATION.sub(lambda m: m.group(2) or "", value)
    if isinstance(value, list):
        return [_interpolate(v) for v in value]
    if isinstance(value, dict):
        return {k: _interpolate(v) for k, v in value.items()}
    return value


def load_compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return _interpolate(data)


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A compose service's environment as a mapping (list form ``NAME=value`` too)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): str(v) for k, v in env.items()}


@dataclass
class Stage:
    """One stage of the Dockerfile: its base, name and instructions (keyword, arguments)."""

    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def dockerfile_stages() -> list[Stage]:
    text = DOCKERFILE.read_text(encoding="utf-8")
    logical: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if current and line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    stages: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = args.split()
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(words[0], name))
        elif stages:
            stages[-1].instructions.append((keyword, args.strip()))
    return stages


def image_env() -> dict[str, str]:
    """The ENV of the final image stage (``KEY=value`` pairs)."""
    env: dict[str, str] = {}
    for args in dockerfile_stages()[-1].all("ENV"):
        for word in shlex.split(args):
            if "=" in word:
                key, value = word.split("=", 1)
                env[key] = value
    return env


def port_of(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


# -- Terraform (python-hcl2) ----------------------------------------------------------------------

TERRAFORM = ROOT / "terraform"
#: The root module every environment calls: all resources, the services, jobs and routes.
STACK = TERRAFORM / "stack"
MODULES = ("network", "ecs-service", "database", "cache", "storage", "load-balancer", "scheduler",
           "observability", "secrets")
ENVS = ("dev", "stg", "prod")
#: What an environment folder holds: the provider and the stack's call with the environment's values
#: (main.tf), and the parts that are the same in every environment.
ENV_FILES = ("main.tf", "versions.tf", "variables.tf", "outputs.tf", "moved.tf", "backend.hcl",
             "terraform.tfvars.example")


def _plain(value: Any) -> Any:
    """python-hcl2 keeps string quotes (``'"INFO"'``), block markers and comments: strip them."""
    if isinstance(value, str):
        return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items() if k not in ("__is_block__", "__comments__")}
    return value


def load_hcl(path: Path) -> dict[str, Any]:
    import hcl2

    return _plain(hcl2.loads(path.read_text(encoding="utf-8")))


def terraform_locals(path: Path) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for block in load_hcl(path).get("locals", []):
        merged.update(block)
    return merged


def terraform_variables(path: Path) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for block in load_hcl(path).get("variable", []):
        merged.update(block)
    return merged


def resources(path: Path, kind: str) -> dict[str, Any]:
    """Resources of one type in a file: name -> attributes."""
    found: dict[str, Any] = {}
    for block in load_hcl(path).get("resource", []):
        found.update(block.get(kind, {}))
    return found


def stack_call(env: str) -> dict[str, Any]:
    """The arguments of ``module "hakobu"`` in terraform/envs/<env>/main.tf: the environment's values."""
    calls: dict[str, Any] = {}
    for block in load_hcl(TERRAFORM / "envs" / env / "main.tf").get("module", []):
        calls.update(block)
    return calls["hakobu"]
