"""``hakobu db backup`` then ``hakobu db restore`` into a fresh database: every plan is there again."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from server.adapters.postgres import backup
from server.adapters.postgres.migrate import migrate
from server.adapters.postgres.seed import seed
from server.jst import tomorrow
from tests.integration.db.conftest import create_database, drop_database
from tests.service_logs import ROOT

PLANS = "SELECT organization_id, id, branch_id, plan_date, status, revision FROM plans ORDER BY 1, 2"
COUNTS = ("plans", "routes", "stops", "plan_versions", "orders", "vehicles", "_yoyo_migration")


def _hakobu(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server.entrypoints.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def _snapshot(url: str) -> tuple[list[tuple], dict[str, int]]:
    with psycopg.connect(url) as conn:
        plans = conn.execute(PLANS).fetchall()
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTS}  # type: ignore[index]
    return plans, counts


def test_restore_into_a_fresh_database_finds_every_plan(tmp_path: Path) -> None:
    source_name, source = create_database()
    target_name, target = create_database()
    try:
        migrate(source)
        day = tomorrow()
        seed(source, day)
        planned = _hakobu("replan", "--date", day.isoformat(), "--all", "--time-limit", "1", "--url", source)
        assert planned.returncode == 0, planned.stderr
        before = _snapshot(source)
        assert before[0], "the nightly batch made no plan to back up"

        file = tmp_path / "hakobu.dump"
        made = _hakobu("db", "backup", str(file), "--url", source)
        assert made.returncode == 0, made.stderr
        assert file.stat().st_size > 0 and "backup written" in made.stdout

        restored = _hakobu("db", "restore", str(file), "--url", target)
        assert restored.returncode == 0, restored.stderr
        assert _snapshot(target) == before
    finally:
        drop_database(source_name)
        drop_database(target_name)


def test_tools_match_the_servers_major_version(db_url: str) -> None:
    major = backup.server_major(db_url)
    for name in ("pg_dump", "pg_restore"):
        version, path = backup.tools_for(name, major)[0]
        assert version >= major and path.is_file()
        assert backup.tool_major(path) == version


def test_a_missing_file_is_refused(db_url: str, tmp_path: Path) -> None:
    done = _hakobu("db", "restore", str(tmp_path / "none.dump"), "--url", db_url)
    assert done.returncode == 1 and "no such backup file" in done.stderr


def test_the_password_goes_in_a_private_passfile_not_on_the_command_line(db_url: str) -> None:
    """A command line is visible to every user of the machine (ps): the tools get the password from a
    passfile only this user can read, removed afterwards. Checked against a real role with a password
    (":" and "\\" in it, which a passfile must escape)."""
    password = "s3cret:pw\\x"
    role = f"hakobu_backup_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    try:
        params = conninfo_to_dict(db_url)
        url = make_conninfo(**{**params, "user": role, "password": password})
        with backup._conninfo(url) as conninfo:
            assert password not in conninfo
            passfile = Path(conninfo_to_dict(conninfo)["passfile"])
            assert passfile.stat().st_mode & 0o077 == 0
            with psycopg.connect(conninfo) as conn:  # a valid conninfo (this server trusts 127.0.0.1)
                assert conn.execute("SELECT current_user").fetchone() == (role,)
        assert not passfile.exists()
    finally:
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(f"DROP ROLE {role}")
