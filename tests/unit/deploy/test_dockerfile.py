"""The Dockerfile: multi-stage, non-root, demo road data inside, no files from outside the repository."""

from __future__ import annotations

import importlib
import shlex

from tests.unit.deploy import stack


def test_builds_in_one_stage_and_runs_in_another() -> None:
    stages = stack.dockerfile_stages()
    assert len(stages) >= 2
    build, runtime = stages[0], stages[-1]
    assert build.name and runtime.name
    assert build.all("RUN"), "the build stage installs the project"
    copies_from_build = [a for a in runtime.all("COPY") if a.startswith(f"--from={build.name} ")]
    assert copies_from_build, "the runtime stage takes the installed environment from the build stage"
    assert not any("pip install" in r for r in runtime.all("RUN")), "no installs in the runtime stage"


def test_runs_as_a_non_root_user() -> None:
    users = stack.dockerfile_stages()[-1].all("USER")
    assert users, "the runtime stage must set USER"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_carries_the_demo_road_data() -> None:
    runtime = stack.dockerfile_stages()[-1]
    assert any(shlex.split(a)[:2] == ["data/osm", "/data/osm"] for a in runtime.all("COPY"))
    assert stack.image_env()["HAKOBU_OSM_DIR"] == "/data/osm"
    assert (stack.ROOT / "data" / "osm").is_dir()


def test_nothing_from_outside_the_repository() -> None:
    text = stack.DOCKERFILE.read_text(encoding="utf-8")
    assert "../" not in text and "shared/" not in text


def test_health_check_and_entrypoint() -> None:
    runtime = stack.dockerfile_stages()[-1]
    (health,) = runtime.all("HEALTHCHECK")
    assert "server.platform.healthcheck" in health
    importlib.import_module("server.platform.healthcheck")
    assert runtime.all("ENTRYPOINT") == ['["hakobu"]']


def test_local_state_is_writable_by_the_user() -> None:
    env = stack.image_env()
    runtime = stack.dockerfile_stages()[-1]
    assert env["HAKOBU_DATA_DIR"] == "/app/var"
    assert any("chown" in r and "/app" in r for r in runtime.all("RUN"))


def test_the_build_stage_copies_every_package_the_project_installs() -> None:
    import tomllib

    project = tomllib.loads((stack.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = project["tool"]["setuptools"]["packages"]["find"]["include"]
    folders = {name.rstrip("*").split(".")[0] for name in include} - {"hakobu"}  # hakobu lives in proto/
    copied = {shlex.split(a)[0].rstrip("/") for a in stack.dockerfile_stages()[0].all("COPY")}
    missing = sorted(f for f in folders | {"proto"} if f not in copied)
    assert not missing, f"the Dockerfile's build stage must COPY {missing} (pyproject installs them)"
