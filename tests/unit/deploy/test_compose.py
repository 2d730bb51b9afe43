"""docker-compose.yml runs the whole system: checked by reading it (no Docker daemon on these machines)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.deploy import stack


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return stack.load_compose()


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def test_the_whole_system_is_there(services: dict[str, Any]) -> None:
    assert set(services) == {*stack.HAKOBU_SERVICES, "postgres", "redis", "mailpit"}
    for name in stack.HAKOBU_SERVICES:
        assert services[name].get("build") == ".", f"{name} must run the image built from the Dockerfile"


def _published_host_ports(service: dict[str, Any]) -> set[int]:
    found = set()
    for port in service.get("ports", []):
        spec = str(port["published"] if isinstance(port, dict) else port)
        host = spec.split("/")[0].split(":")[-2] if spec.count(":") >= 1 else spec
        found.add(int(host))
    return found


def test_only_the_gateway_and_osmand_ports_are_published(services: dict[str, Any]) -> None:
    published = {name: _published_host_ports(s) for name, s in services.items() if s.get("ports")}
    assert published == stack.PUBLISHED


def test_every_server_has_a_health_check_on_its_own_port(services: dict[str, Any]) -> None:
    for name in stack.SERVERS:
        service = services[name]
        test = service["healthcheck"]["test"]
        assert test[:4] == ["CMD", "python", "-m", "server.platform.healthcheck"], name
        kind, target = test[4], test[5]
        listen = stack.environment(service)[stack.LISTEN_SETTING[name]]
        assert listen.startswith("0.0.0.0:"), f"{name} must listen on every interface of its container"
        assert str(stack.port_of(listen)) in target, f"{name}: health check {target} vs listen {listen}"
        assert kind == ("http" if name == "gateway" else "grpc")
    for name in ("postgres", "redis", "mailpit"):
        assert services[name]["healthcheck"]["test"], name


def test_dependencies_wait_until_healthy(services: dict[str, Any]) -> None:
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions, not a bare list"
        for other, spec in depends.items():
            condition = spec["condition"]
            if other == "migrate":
                assert condition == "service_completed_successfully", name
            else:
                assert condition == "service_healthy", f"{name} -> {other}"
                assert not services[other].get("healthcheck", {}).get("disable"), other


def test_migrations_run_once_before_every_database_user(services: dict[str, Any]) -> None:
    migrate = services["migrate"]
    assert migrate["command"] == ["db", "migrate"]
    assert migrate["restart"] == "no"
    for name in stack.HAKOBU_SERVICES:
        env = stack.environment(services[name])
        if "DATABASE_URL" in env and name != "migrate":
            assert "migrate" in services[name]["depends_on"], f"{name} must wait for the migration"
            assert env["DATABASE_URL"] == stack.environment(migrate)["DATABASE_URL"]


def test_targets_point_at_the_services_that_listen(services: dict[str, Any]) -> None:
    for name in stack.HAKOBU_SERVICES:
        for setting, value in stack.environment(services[name]).items():
            if setting in stack.TARGET_SETTING:
                other = stack.TARGET_SETTING[setting]
                listen = stack.environment(services[other])[stack.LISTEN_SETTING[other]]
                assert value == f"{other}:{stack.port_of(listen)}", f"{name}: {setting}={value}"


def test_no_mounts_from_outside_the_repository(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = str(volume["source"] if isinstance(volume, dict) else volume).split(":")[0]
            assert not source.startswith((".", "/")), f"{name} mounts {source}: use the image or a volume"
            assert source in compose.get("volumes", {}), f"{name}: {source} is not a named volume"


def test_every_setting_reaches_the_services_that_read_it(services: dict[str, Any]) -> None:
    image = stack.image_env()
    missing = []
    for setting, readers in {**stack.SETTING_READERS, **stack.DECLARED_AHEAD}.items():
        for name in sorted(readers):
            if setting not in image and setting not in stack.environment(services[name]):
                missing.append(f"{setting} -> {name}")
    assert not missing, "docker-compose.yml: give these services these settings: " + ", ".join(missing)


def test_the_settings_map_follows_the_readme() -> None:
    documented = stack.readme_settings()
    assert documented, "the README's Configuration table was not found"
    unmapped = [s for s in documented if s not in stack.SETTING_READERS]
    assert not unmapped, (
        f"new settings in the README: {unmapped}. Add each to SETTING_READERS in "
        "tests/unit/deploy/stack.py with the services that read it (remove it from DECLARED_AHEAD if it is "
        "there), then give it to those services in docker-compose.yml and terraform/stack/services.tf."
    )
    stale = [s for s in stack.SETTING_READERS if s not in documented]
    assert not stale, f"SETTING_READERS names settings the README no longer has: {stale}"


def test_compose_passes_only_known_settings(services: dict[str, Any]) -> None:
    known = set(stack.readme_settings()) | set(stack.DECLARED_AHEAD)
    for name in stack.HAKOBU_SERVICES:
        unknown = set(stack.environment(services[name])) - known
        assert not unknown, (
            f"{name} gets {sorted(unknown)}, which the README's Configuration table does not list "
            "(document them, or add them to DECLARED_AHEAD in tests/unit/deploy/stack.py)"
        )
