"""Forward-only schema migrations (yoyo-migrations over psycopg 3) from ``migrations/*.sql`` beside it."""

from __future__ import annotations

from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def yoyo_url(url: str) -> str:
    """Turn a libpq URL (``postgresql://…``) into the yoyo form that selects the psycopg 3 backend."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"not a database URL: {url!r}")
    if scheme in ("postgres", "postgresql"):
        scheme = "postgresql+psycopg"
    return f"{scheme}://{rest}"


def pending(url: str) -> list[str]:
    """Ids of the migrations not yet applied to the database at ``url``."""
    from yoyo import get_backend, read_migrations

    backend = get_backend(yoyo_url(url))
    try:
        return [m.id for m in backend.to_apply(read_migrations(str(MIGRATIONS_DIR)))]
    finally:
        backend.connection.close()


def migrate(url: str) -> list[str]:
    """Apply every pending migration (each in its own transaction, under yoyo's lock); return their ids."""
    from yoyo import get_backend, read_migrations

    backend = get_backend(yoyo_url(url))
    try:
        migrations = read_migrations(str(MIGRATIONS_DIR))
        with backend.lock():
            todo = backend.to_apply(migrations)
            backend.apply_migrations(todo)
        return [m.id for m in todo]
    finally:
        backend.connection.close()
