"""terraform/: every compose service has a task definition with the same command, ports, health check and
settings; every README setting reaches the services that read it; the seed's values are used. Read with
python-hcl2: no Terraform binary and no provider download needed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.unit.deploy import stack

ENV_DIR = stack.TERRAFORM / "envs"
SECRETS = {
    "DATABASE_URL", "REDIS_URL", "HAKOBU_JWT_SECRET", "HAKOBU_SERVICE_TOKEN", "HAKOBU_TRACKING_LINK_SECRET",
}
#: Settings whose value differs between the compose stack and AWS (endpoints, buckets, mail).
PER_DEPLOYMENT = {"HAKOBU_OBJECT_STORE", "HAKOBU_SMTP_URL", "HAKOBU_MAIL_FROM"}


@pytest.fixture(scope="module")
def task_definitions() -> dict[str, Any]:
    return stack.terraform_locals(ENV_DIR / "prod" / "services.tf")["services"]


@pytest.fixture(scope="module")
def compose_services() -> dict[str, Any]:
    return stack.load_compose()["services"]


def test_the_modules_and_environments_exist() -> None:
    for module in stack.MODULES:
        for part in ("main.tf", "variables.tf", "outputs.tf"):
            assert (stack.TERRAFORM / "modules" / module / part).is_file(), f"{module}/{part}"
    for env in stack.ENVS:
        assert (ENV_DIR / env / "env.tf").is_file()
    assert (stack.TERRAFORM / "README.md").read_text(encoding="utf-8").count("terraform apply") >= 1


@pytest.mark.parametrize("name", ["main.tf", "services.tf", "variables.tf", "versions.tf", "outputs.tf"])
def test_only_env_tf_differs_between_environments(name: str) -> None:
    prod = (ENV_DIR / "prod" / name).read_text(encoding="utf-8")
    for env in ("dev", "stg"):
        assert (ENV_DIR / env / name).read_text(encoding="utf-8") == prod, (
            f"terraform/envs/{env}/{name} differs from prod's: put environment values in env.tf"
        )


def test_every_hcl_file_parses() -> None:
    for path in sorted(stack.TERRAFORM.rglob("*.tf")):
        stack.load_hcl(path)


def _compose_ports(service: dict[str, Any]) -> set[int]:
    ports = {int(p) for p in service.get("expose", [])}
    for spec in service.get("ports", []):
        ports.add(int(str(spec).split(":")[-1].split("/")[0]))
    return ports


def test_every_compose_service_has_a_task_definition(
    task_definitions: dict[str, Any], compose_services: dict[str, Any]
) -> None:
    assert set(task_definitions) == set(stack.HAKOBU_SERVICES)
    for name in stack.HAKOBU_SERVICES:
        compose, task = compose_services[name], task_definitions[name]
        assert task["command"] == compose["command"], f"{name}: command"
        assert set(task["ports"]) == _compose_ports(compose), f"{name}: ports"
        health = compose.get("healthcheck", {})
        expected = None if health.get("disable") else health.get("test")
        assert task["health"] == expected, f"{name}: health check"
        assert task["run_as_service"] == (name in stack.SERVERS), name


def _same_target(compose_value: str, aws_value: str) -> bool:
    """``optimizer:50051`` in compose is ``optimizer.hakobu.internal:50051`` in AWS."""
    c_host, c_port = compose_value.rsplit(":", 1)
    a_host, a_port = aws_value.rsplit(":", 1)
    return c_port == a_port and a_host.split(".")[0] == c_host


def test_the_same_settings_as_compose(
    task_definitions: dict[str, Any], compose_services: dict[str, Any]
) -> None:
    for name in stack.HAKOBU_SERVICES:
        compose_env = stack.environment(compose_services[name])
        task = task_definitions[name]
        env, secrets = task["environment"], set(task["secrets"])
        assert secrets <= SECRETS, f"{name}: unknown secrets {secrets - SECRETS}"
        assert not set(env) & SECRETS, f"{name}: secrets must come from Secrets Manager, not environment"
        assert set(env) | secrets == set(compose_env), (
            f"{name}: compose and terraform/envs/*/services.tf pass different settings: "
            f"only compose {sorted(set(compose_env) - set(env) - secrets)}, "
            f"only Terraform {sorted(set(env) | secrets - set(compose_env))}"
        )
        for setting, value in env.items():
            if setting in PER_DEPLOYMENT:
                continue
            if setting in stack.TARGET_SETTING:
                assert _same_target(compose_env[setting], value), f"{name}: {setting}"
            else:
                assert value == compose_env[setting], f"{name}: {setting}={value} vs {compose_env[setting]}"


def test_every_setting_reaches_the_services_that_read_it(task_definitions: dict[str, Any]) -> None:
    image = stack.image_env()
    missing = []
    for setting, readers in {**stack.SETTING_READERS, **stack.DECLARED_AHEAD}.items():
        for name in sorted(readers):
            task = task_definitions[name]
            if setting not in image and setting not in task["environment"] and setting not in task["secrets"]:
                missing.append(f"{setting} -> {name}")
    assert not missing, "terraform/envs/*/services.tf: give these services these settings: " + ", ".join(
        missing
    )


def test_the_seeds_network_and_sizes() -> None:
    envs = {e: stack.terraform_locals(ENV_DIR / e / "env.tf")["env"] for e in stack.ENVS}
    assert envs["prod"]["vpc_cidr"] == "10.0.0.0/16"  # seed §2.1
    assert envs["stg"]["vpc_cidr"] == "10.1.0.0/16"  # seed §1B.2
    assert envs["prod"]["db_instance_class"] == "db.r6g.xlarge" and envs["prod"]["db_multi_az"] is True
    assert envs["prod"]["db_backup_days"] == 7 and envs["stg"]["db_backup_days"] == 3
    assert envs["stg"]["db_instance_class"] == "db.t3.large" and envs["stg"]["db_multi_az"] is False
    assert envs["prod"]["cache_node_type"] == "cache.r6g.large" and envs["prod"]["cache_snapshot_days"] == 5
    assert envs["stg"]["cache_node_type"] == "cache.t3.medium"
    main = (ENV_DIR / "prod" / "main.tf").read_text(encoding="utf-8")
    # Subnets 10.x.1-2 public, 10.x.11-12 app, 10.x.21-22 db (seed §2.1).
    for numbers in ("8, 1)", "8, 2)", "8, 11)", "8, 12)", "8, 21)", "8, 22)"):
        assert f"cidrsubnet(local.env.vpc_cidr, {numbers}" in main


def test_the_waf_rate_rule_and_the_jst_schedules() -> None:
    lb = stack.TERRAFORM / "modules"
    variables = stack.terraform_variables(lb / "load-balancer" / "variables.tf")
    assert variables["waf_rate_limit"]["default"] == 2000
    text = (lb / "load-balancer" / "main.tf").read_text(encoding="utf-8")
    assert "evaluation_window_sec = 300" in text and "AWSManagedRulesCommonRuleSet" in text
    jobs = stack.terraform_locals(ENV_DIR / "prod" / "services.tf")["jobs"]
    assert jobs["nightly-replan"]["cron"] == "cron(0 22 * * ? *)"
    assert jobs["nightly-replan"]["command"][:4] == ["replan", "--date", "tomorrow", "--all"]
    assert jobs["daily-reports"]["cron"] == "cron(0 6 * * ? *)"
    # the other jobs are the built-in schedule's, run once by name (hakobu scheduler --once --job NAME)
    from server.scheduler.config import DEFAULT_SCHEDULE_TOML, parse_schedule

    builtin = {job.name for job in parse_schedule(DEFAULT_SCHEDULE_TOML).jobs}
    for name, job in jobs.items():
        if job["command"][0] == "scheduler":
            assert job["command"] == ["scheduler", "--once", "--job", name] and name in builtin, name
    schedules = stack.resources(lb / "scheduler" / "main.tf", "aws_scheduler_schedule")
    assert schedules["job"]["schedule_expression_timezone"] == "Asia/Tokyo"


def test_log_retention_and_alarms_follow_the_seed() -> None:
    services = (ENV_DIR / "prod" / "services.tf").read_text(encoding="utf-8")
    pattern = r"log_retention_days = \{ for k, s in local.services : k => s.run_as_service \? 30 : 14 \}"
    assert re.search(pattern, services)
    alarms = stack.resources(stack.TERRAFORM / "modules" / "observability" / "main.tf",
                             "aws_cloudwatch_metric_alarm")
    thresholds = {name: alarm.get("threshold") for name, alarm in alarms.items()}
    assert thresholds == {
        "ecs_cpu": 80, "ecs_memory": 85, "rds_cpu": 75, "rds_memory": 2147483648,
        "unhealthy_targets": 0, "api_errors": 5, "api_latency": 3,
    }


def test_every_task_sends_traces_to_xray_through_its_collector() -> None:
    module = (stack.TERRAFORM / "modules" / "ecs-service" / "main.tf").read_text(encoding="utf-8")
    assert 'HAKOBU_OTLP_ENDPOINT = "http://127.0.0.1:4317"' in module
    assert "awsxray" in module and 'namespace               = "Hakobu"' in module
    services = (ENV_DIR / "prod" / "services.tf").read_text(encoding="utf-8")
    assert 'name = "hakobu_operations_running"' in services  # the optimizer's queue metric, via the collector
    assert "HAKOBU_OTLP_ENDPOINT" in stack.readme_settings()


def test_alb_access_logs_are_kept_seven_days() -> None:
    variables = stack.terraform_variables(stack.TERRAFORM / "modules" / "storage" / "variables.tf")
    assert variables["alb_log_expiry_days"]["default"] == 7  # seed §7.2
    assert variables["report_expiry_days"]["default"] == 365  # seed §5.1
    assert variables["pod_glacier_days"]["default"] == 90
