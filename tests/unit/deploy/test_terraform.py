"""terraform/: every compose service has a task definition with the same command, ports, health check and
settings; every README setting reaches the services that read it; the seed's values are used; each
environment is a thin caller of the one stack (terraform/stack). Read with python-hcl2: no Terraform binary
and no provider download needed."""

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
    return stack.terraform_locals(stack.STACK / "services.tf")["services"]


@pytest.fixture(scope="module")
def compose_services() -> dict[str, Any]:
    return stack.load_compose()["services"]


def test_the_modules_and_environments_exist() -> None:
    for module in stack.MODULES:
        for part in ("main.tf", "variables.tf", "outputs.tf"):
            assert (stack.TERRAFORM / "modules" / module / part).is_file(), f"{module}/{part}"
    for part in ("main.tf", "services.tf", "variables.tf", "outputs.tf", "versions.tf"):
        assert (stack.STACK / part).is_file(), f"stack/{part}"
    for env in stack.ENVS:
        tf_files = sorted(p.name for p in (ENV_DIR / env).glob("*.tf"))
        assert tf_files == sorted(f for f in stack.ENV_FILES if f.endswith(".tf")), env
        assert all((ENV_DIR / env / f).is_file() for f in stack.ENV_FILES), env
    assert (stack.TERRAFORM / "README.md").read_text(encoding="utf-8").count("terraform apply") >= 1


@pytest.mark.parametrize("name", ["versions.tf", "variables.tf", "outputs.tf", "moved.tf"])
def test_only_main_tf_differs_between_environments(name: str) -> None:
    prod = (ENV_DIR / "prod" / name).read_text(encoding="utf-8")
    for env in ("dev", "stg"):
        assert (ENV_DIR / env / name).read_text(encoding="utf-8") == prod, (
            f"terraform/envs/{env}/{name} differs from prod's: put its values in main.tf's module call"
        )


def _names(blocks: list[dict[str, Any]]) -> set[str]:
    return {name for block in blocks for name in block}


@pytest.mark.parametrize("env", stack.ENVS)
def test_each_environment_is_a_thin_caller_of_the_stack(env: str) -> None:
    folder = ENV_DIR / env
    main = stack.load_hcl(folder / "main.tf")
    assert set(main) == {"provider", "module"}, f"envs/{env}/main.tf: resources belong in terraform/stack"
    assert not any((stack.load_hcl(folder / f).keys() - {"terraform", "variable", "output", "moved"})
                   for f in ("versions.tf", "variables.tf", "outputs.tf", "moved.tf"))
    call = stack.stack_call(env)
    assert call["source"] == "../../stack"
    inputs = stack.terraform_variables(stack.STACK / "variables.tf")
    given = set(call) - {"source"}
    required = {name for name, v in inputs.items() if "default" not in v}
    assert required <= given <= set(inputs), (
        f"envs/{env}: missing {sorted(required - given)}, unknown {sorted(given - set(inputs))}"
    )
    # the deploy-time inputs (terraform.tfvars) go straight through, declared as the stack declares them
    own = stack.terraform_variables(folder / "variables.tf")
    for name, variable in own.items():
        assert call[name] == f"${{var.{name}}}", f"envs/{env}: {name}"
        assert variable.get("type") == inputs[name].get("type"), f"envs/{env}: {name}'s type"
        assert variable.get("default") == inputs[name].get("default"), f"envs/{env}: {name}'s default"
    tfvars = stack.load_hcl(folder / "terraform.tfvars.example")
    assert set(tfvars) <= set(own) and {n for n, v in own.items() if "default" not in v} <= set(tfvars)
    # every output of the stack is the environment's output
    outputs = stack.load_hcl(folder / "outputs.tf")["output"]
    passed = {name: block["value"] for o in outputs for name, block in o.items()}
    stack_outputs = _names(stack.load_hcl(stack.STACK / "outputs.tf")["output"])
    assert passed == {name: f"${{module.hakobu.{name}}}" for name in stack_outputs}
    # its own state and its own tag
    assert stack.load_hcl(folder / "backend.hcl")["key"] == f"{env}/terraform.tfstate"
    tags = main["provider"][0]["aws"]["default_tags"][0]["tags"]
    assert tags["Environment"] == call["env"]["name"] == env


@pytest.mark.parametrize("env", stack.ENVS)
def test_every_service_is_sized_in_every_environment(env: str, task_definitions: dict[str, Any]) -> None:
    call = stack.stack_call(env)
    assert set(call["sizes"]) == set(task_definitions), env
    for name, size in call["sizes"].items():
        assert size["min"] <= size["desired"] <= size["max"], f"{env}/{name}"
        assert (size["desired"] > 0) == (name in stack.SERVERS), f"{env}/{name}: only servers run always"
    fields = re.findall(r"(\w+) = (?:string|bool|number)",
                        stack.terraform_variables(stack.STACK / "variables.tf")["env"]["type"])
    assert set(call["env"]) == set(fields), env


def test_moved_blocks_keep_an_applied_environments_state() -> None:
    """Before the stack was a module, each environment held its modules and resources itself."""
    main = stack.load_hcl(stack.STACK / "main.tf")
    services = stack.load_hcl(stack.STACK / "services.tf")
    addresses = {f"module.{name}" for name in _names(main["module"]) | _names(services["module"])}
    addresses |= {f"{kind}.{name}" for b in main["resource"] for kind, names in b.items() for name in names}
    moved = {(m["from"], m["to"]) for m in stack.load_hcl(ENV_DIR / "prod" / "moved.tf")["moved"]}
    assert moved == {(f"${{{a}}}", f"${{module.hakobu.{a}}}") for a in addresses}


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
            f"{name}: compose and terraform/stack/services.tf pass different settings: "
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
    assert not missing, "terraform/stack/services.tf: give these services these settings: " + ", ".join(
        missing
    )


def test_the_seeds_network_and_sizes() -> None:
    envs = {e: stack.stack_call(e)["env"] for e in stack.ENVS}
    assert envs["prod"]["vpc_cidr"] == "10.0.0.0/16"  # seed §2.1
    assert envs["stg"]["vpc_cidr"] == "10.1.0.0/16"  # seed §1B.2
    assert envs["prod"]["db_instance_class"] == "db.r6g.xlarge" and envs["prod"]["db_multi_az"] is True
    assert envs["prod"]["db_backup_days"] == 7 and envs["stg"]["db_backup_days"] == 3
    assert envs["stg"]["db_instance_class"] == "db.t3.large" and envs["stg"]["db_multi_az"] is False
    assert envs["prod"]["cache_node_type"] == "cache.r6g.large" and envs["prod"]["cache_snapshot_days"] == 5
    assert envs["stg"]["cache_node_type"] == "cache.t3.medium"
    main = (stack.STACK / "main.tf").read_text(encoding="utf-8")
    # Subnets 10.x.1-2 public, 10.x.11-12 app, 10.x.21-22 db (seed §2.1).
    for numbers in ("8, 1)", "8, 2)", "8, 11)", "8, 12)", "8, 21)", "8, 22)"):
        assert f"cidrsubnet(var.env.vpc_cidr, {numbers}" in main


def test_the_waf_rate_rule_and_the_jst_schedules() -> None:
    lb = stack.TERRAFORM / "modules"
    variables = stack.terraform_variables(lb / "load-balancer" / "variables.tf")
    assert variables["waf_rate_limit"]["default"] == 2000
    text = (lb / "load-balancer" / "main.tf").read_text(encoding="utf-8")
    assert "evaluation_window_sec = 300" in text and "AWSManagedRulesCommonRuleSet" in text
    jobs = stack.terraform_locals(stack.STACK / "services.tf")["jobs"]
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
    services = (stack.STACK / "services.tf").read_text(encoding="utf-8")
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
    services = (stack.STACK / "services.tf").read_text(encoding="utf-8")
    assert 'name = "hakobu_operations_running"' in services  # the optimizer's queue metric, via the collector
    assert "HAKOBU_OTLP_ENDPOINT" in stack.readme_settings()


def test_alb_access_logs_are_kept_seven_days() -> None:
    variables = stack.terraform_variables(stack.TERRAFORM / "modules" / "storage" / "variables.tf")
    assert variables["alb_log_expiry_days"]["default"] == 7  # seed §7.2
    assert variables["report_expiry_days"]["default"] == 365  # seed §5.1
    assert variables["pod_glacier_days"]["default"] == 90
