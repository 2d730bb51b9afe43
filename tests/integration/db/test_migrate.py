"""Schema migrations on a real PostgreSQL."""

from __future__ import annotations

import psycopg

from server.adapters.postgres.migrate import MIGRATIONS_DIR, migrate, pending

BUSINESS_TABLES = {
    "branches", "users", "vehicles", "drivers", "customers", "orders", "plans", "routes", "stops",
    "plan_versions", "idempotency_keys",
}


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        return {r[0] for r in rows}


def test_migrate_from_empty_applies_every_file_then_nothing(empty_db_url: str) -> None:
    """An empty database gets every migration file once; a second run applies nothing."""
    files = sorted(p.stem for p in MIGRATIONS_DIR.glob("*.sql"))
    assert pending(empty_db_url) == files
    assert migrate(empty_db_url) == files
    assert migrate(empty_db_url) == []
    assert pending(empty_db_url) == []
    assert BUSINESS_TABLES | {"organizations"} <= _tables(empty_db_url)


def test_every_business_table_is_owned_by_an_organization(db_url: str) -> None:
    """Each business table has organization_id NOT NULL with a foreign key to organizations."""
    with psycopg.connect(db_url) as conn:
        for table in sorted(BUSINESS_TABLES):
            nullable = conn.execute(
                "SELECT is_nullable FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = %s AND column_name = 'organization_id'",
                (table,),
            ).fetchone()
            assert nullable == ("NO",), table
            fk = conn.execute(
                "SELECT count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
                "WHERE t.relname = %s AND c.contype = 'f' AND c.confrelid = 'organizations'::regclass",
                (table,),
            ).fetchone()
            assert fk is not None and fk[0] >= 1, table


def test_orders_have_the_branch_date_index(db_url: str) -> None:
    """orders is indexed by (organization_id, branch_id, delivery_date) for a day's planning query."""
    with psycopg.connect(db_url) as conn:
        defs = [r[0] for r in conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'orders'")]
    assert any("(organization_id, branch_id, delivery_date)" in d for d in defs), defs
