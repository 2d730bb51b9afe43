"""Settings: one object from the environment, validated, paths against the data directory."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.platform.settings import PROJECT_ROOT, VARIABLES, Settings, SettingsError


def test_defaults_do_not_depend_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    s = Settings.from_env({})
    assert s == Settings()
    assert s.data_dir == PROJECT_ROOT / "var" and s.pg_data_dir == PROJECT_ROOT / "var" / "pgdata"
    assert s.geo_cache_dir == PROJECT_ROOT / "var" / "geo-cache"
    assert (s.database_url, s.redis_url, s.schedule) == (None, None, None)


def test_relative_paths_resolve_against_the_data_directory(tmp_path: Path) -> None:
    s = Settings.from_env({
        "HAKOBU_DATA_DIR": str(tmp_path), "HAKOBU_GEO_CACHE": "graphs", "HAKOBU_OSM_DIR": "osm",
        "HAKOBU_SCHEDULE": "jobs.toml",
    })
    assert (s.geo_cache_dir, s.osm_dir) == (tmp_path / "graphs", tmp_path / "osm")
    assert s.schedule == tmp_path / "jobs.toml"
    assert Settings.from_env({"HAKOBU_DATA_DIR": "state"}).data_dir == PROJECT_ROOT / "state"


def test_values_are_read_and_blank_means_unset() -> None:
    s = Settings.from_env({
        "DATABASE_URL": "postgresql://u@db/h", "REDIS_URL": " ", "HAKOBU_WORKERS": "0",
        "HAKOBU_METRICS_PORT": "-1", "HAKOBU_LOG_LEVEL": "debug", "HAKOBU_ORGANIZATION": "ORG-9",
    })
    assert (s.database_url, s.redis_url, s.workers, s.metrics_port) == ("postgresql://u@db/h", None, 0, -1)
    assert (s.log_level, s.organization) == ("DEBUG", "ORG-9")


def test_every_bad_variable_is_named_at_once() -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"HAKOBU_WORKERS": "many", "HAKOBU_METRICS_PORT": "70000"})
    assert [p.split(":")[0] for p in err.value.problems] == ["HAKOBU_WORKERS"]
    with pytest.raises(SettingsError) as err:
        Settings.from_env({
            "DATABASE_URL": "mysql://x", "REDIS_URL": "http://x", "HAKOBU_PLANS_ADDRESS": "nowhere",
            "HAKOBU_METRICS_PORT": "70000", "HAKOBU_LOG_LEVEL": "LOUD",
        })
    named = {p.split(":")[0] for p in err.value.problems}
    assert named == {
        "DATABASE_URL", "REDIS_URL", "HAKOBU_PLANS_ADDRESS", "HAKOBU_METRICS_PORT", "HAKOBU_LOG_LEVEL",
    }


def test_every_variable_is_in_the_readme_configuration_table() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", table, flags=re.M))
    assert documented == set(VARIABLES)


def test_no_other_module_reads_the_environment() -> None:
    """Only the settings module reads ``os.environ`` (the command only sets a default for gRPC)."""
    readers = []
    for folder in ("server", "optimizer", "geo", "gateway"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"os\.environ(?!\.setdefault\(\"GRPC_)|getenv", text):
                readers.append(str(path.relative_to(PROJECT_ROOT)))
    assert readers == ["server/platform/settings.py"]


def test_operation_lease_and_shutdown_grace() -> None:
    assert (Settings().operation_lease, Settings().shutdown_grace) == (60.0, 10.0)
    s = Settings.from_env({"HAKOBU_OPERATION_LEASE_SECONDS": "3", "HAKOBU_SHUTDOWN_GRACE_SECONDS": "2.5"})
    assert (s.operation_lease, s.shutdown_grace) == (3.0, 2.5)
    with pytest.raises(SettingsError, match=r"HAKOBU_SHUTDOWN_GRACE_SECONDS: .*not a number"):
        Settings.from_env({"HAKOBU_SHUTDOWN_GRACE_SECONDS": "soon"})
    with pytest.raises(SettingsError) as bad:
        Settings.from_env({"HAKOBU_OPERATION_LEASE_SECONDS": "0", "HAKOBU_SHUTDOWN_GRACE_SECONDS": "nan"})
    assert [p.split(":")[0] for p in bad.value.problems] == [
        "HAKOBU_OPERATION_LEASE_SECONDS", "HAKOBU_SHUTDOWN_GRACE_SECONDS"]
