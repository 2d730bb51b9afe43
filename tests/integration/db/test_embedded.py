"""Smoke test of the default database: an embedded PostgreSQL (pgserver) in a local folder."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest

from server.adapters.postgres.migrate import migrate
from server.adapters.postgres.repository import Branch, Database, Repositories
from server.bootstrap import database_url
from server.db.config import embedded_url
from server.platform.settings import Settings


def _data_dir() -> Path:
    """A folder of its own that the server's own user can reach (pytest's shared, rotated temporary
    folders are not: parallel sessions remove them), removed when this process ends."""
    path = Path(tempfile.mkdtemp(prefix="hakobu-embedded-"))
    path.chmod(0o755)
    atexit.register(shutil.rmtree, path, True)  # registered first: runs after the server has stopped
    return path


@pytest.mark.slow
def test_embedded_default_migrates_and_stores() -> None:
    """Without DATABASE_URL an embedded server starts in the data folder, migrates and stores a row."""
    data_dir = _data_dir()
    settings = Settings.from_env({"HAKOBU_DATA_DIR": str(data_dir)})
    url = database_url(settings)
    assert url == embedded_url(data_dir / "pgdata")  # started once, reused
    from server.adapters.postgres.migrate import MIGRATIONS_DIR

    assert migrate(url) == sorted(p.stem for p in MIGRATIONS_DIR.glob("*.sql"))
    assert migrate(url) == []  # nothing pending the second time
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO organizations (id, code, name) VALUES ('ORG-E', 'E', '組み込み')")
    repos = Repositories(Database(url))
    data = Branch(code="NRM", name="練馬営業所", latitude=35.75, longitude=139.67)
    made = repos.branches.create("ORG-E", data)
    assert repos.branches.get("ORG-E", made.id) == made
