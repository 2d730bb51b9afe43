"""Smoke test of the default database: an embedded PostgreSQL (pgserver) in a local folder."""

from __future__ import annotations

import pytest

from server.db.config import database_url, embedded_url
from server.db.migrate import migrate
from server.db.repository import Branch, Database, Repositories


@pytest.mark.slow
def test_embedded_default_migrates_and_stores(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without DATABASE_URL an embedded server starts in the folder, migrates and stores a row."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    data_dir = tmp_path / "pg"
    url = database_url(data_dir)
    assert url == embedded_url(data_dir)  # started once, reused
    from server.db.migrate import MIGRATIONS_DIR

    assert migrate(url) == sorted(p.stem for p in MIGRATIONS_DIR.glob("*.sql"))
    assert migrate(url) == []  # nothing pending the second time
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO organizations (id, code, name) VALUES ('ORG-E', 'E', '組み込み')")
    repos = Repositories(Database(url))
    data = Branch(code="NRM", name="練馬営業所", latitude=35.75, longitude=139.67)
    made = repos.branches.create("ORG-E", data)
    assert repos.branches.get("ORG-E", made.id) == made
