"""Demo data loads, is scoped to the demo organization and is idempotent."""

from __future__ import annotations

import datetime
import uuid

import psycopg

from server.adapters.postgres.repository import Repositories
from server.adapters.postgres.seed import DEMO_ORDERS, NERIMA_BOX, NERIMA_BRANCH_ID, seed

DAY = datetime.date(2026, 12, 24)


TABLES = ["organizations", "branches", "users", "vehicles", "drivers", "customers", "orders"]


def _counts(url: str, org: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t} WHERE organization_id = %s", (org,)).fetchone()[0]  # type: ignore[index]
            for t in TABLES[1:]
        }
        counts["organizations"] = conn.execute(
            "SELECT count(*) FROM organizations WHERE id = %s", (org,)
        ).fetchone()[0]  # type: ignore[index]
    return counts


def test_seed_loads_every_demo_row_once_and_a_second_seed_adds_nothing(
    db_url: str, repos: Repositories
) -> None:
    """The first seed of a fresh organization inserts every demo row; the second inserts nothing."""
    org = f"ORG-SEED-{uuid.uuid4().hex[:8]}"
    first = seed(db_url, DAY, organization=org)
    expected = {"organizations": 1, "branches": 3, "users": 3, "vehicles": 5, "drivers": 5, "customers": 2,
                "orders": DEMO_ORDERS}
    assert first == expected
    assert _counts(db_url, org) == expected
    second = seed(db_url, DAY, organization=org)
    assert second == dict.fromkeys(TABLES, 0)
    assert _counts(db_url, org) == expected
    names = {b.name for b in repos.branches.list(org).items}
    assert names == {"東京本社", "大阪支社", "練馬営業所"}
    v1 = repos.vehicles.get(org, "V-001")
    assert v1.registration_number == "品川500あ1234" and v1.payload_kg == 2000


def test_seeded_orders_lie_inside_the_nerima_extract(db_url: str, repos: Repositories) -> None:
    """All demo orders for the day belong to the Nerima branch and lie inside the OSM extract's box."""
    org = f"ORG-SEED-{uuid.uuid4().hex[:8]}"
    seed(db_url, DAY, organization=org)
    every = repos.orders.list(org, page_size=1000, filter={"delivery_date": DAY}).items
    assert {o.branch_id for o in every} == {NERIMA_BRANCH_ID}
    orders = repos.orders.list(org, page_size=1000, filter={"branch_id": NERIMA_BRANCH_ID,
                                                               "delivery_date": DAY}).items
    assert len(orders) == DEMO_ORDERS
    lat0, lat1, lon0, lon1 = NERIMA_BOX
    assert all(lat0 <= o.latitude <= lat1 and lon0 <= o.longitude <= lon1 for o in orders)
    assert any(o.time_windows for o in orders) and any(o.allowed_vehicle_classes for o in orders)
