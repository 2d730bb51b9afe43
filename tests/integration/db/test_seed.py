"""Demo data loads, is scoped to the demo organization and is idempotent."""

from __future__ import annotations

import datetime

import psycopg

from server.adapters.postgres.repository import Repositories
from server.adapters.postgres.seed import DEMO_ORDERS, NERIMA_BOX, NERIMA_BRANCH_ID, ORG_ID, seed

DAY = datetime.date(2026, 12, 24)


def _counts(url: str) -> dict[str, int]:
    tables = ["organizations", "branches", "users", "vehicles", "drivers", "customers", "orders"]
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}  # type: ignore[index]


def test_seed_twice_adds_no_duplicates(db_url: str, repos: Repositories) -> None:
    """The second seed inserts nothing and the row counts stay the same."""
    first = seed(db_url, DAY)
    after_first = _counts(db_url)
    second = seed(db_url, DAY)
    assert set(second.values()) == {0}
    assert _counts(db_url) == after_first
    assert first["orders"] in (0, DEMO_ORDERS)  # 0 only if another test seeded this day first
    names = {b.name for b in repos.branches.list(ORG_ID).items}
    assert {"東京本社", "大阪支社"} <= names
    v1 = repos.vehicles.get(ORG_ID, "V-001")
    assert v1.registration_number == "品川500あ1234" and v1.payload_kg == 2000


def test_seeded_orders_lie_inside_the_nerima_extract(db_url: str, repos: Repositories) -> None:
    """All demo orders for the day belong to the Nerima branch and lie inside the OSM extract's box."""
    seed(db_url, DAY)
    orders = repos.orders.list(ORG_ID, page_size=1000, filter={"branch_id": NERIMA_BRANCH_ID,
                                                               "delivery_date": DAY}).items
    assert len(orders) == DEMO_ORDERS
    lat0, lat1, lon0, lon1 = NERIMA_BOX
    assert all(lat0 <= o.latitude <= lat1 and lon0 <= o.longitude <= lon1 for o in orders)
    assert any(o.time_windows for o in orders) and any(o.allowed_vehicle_classes for o in orders)
