"""Demo data: the seed document's organization, branches, users, vehicles, drivers and customers
(``database/init/02_seed_data.sql``, adapted to our schema) plus a 練馬営業所 branch inside the Nerima OSM
extract with ~100 generated orders for tomorrow. Idempotent: fixed ids and ``ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from server.jst import tomorrow

ORG_ID = "ORG-001"
NERIMA_BRANCH_ID = "BR-NRM"
NERIMA_BOX = (35.7403, 35.7584, 139.6577, 139.6802)  # lat min, lat max, lon min, lon max of the OSM extract
DEMO_ORDERS = 100

ORGANIZATIONS = [
    {"id": ORG_ID, "code": "DEV-ORG", "name": "開発用物流企業", "address": "東京都千代田区丸の内1-1-1"},
]
BRANCHES = [
    {"id": "BR-001", "code": "TKY-01", "name": "東京本社", "address": "東京都千代田区丸の内1-1-1",
     "latitude": 35.6812, "longitude": 139.7671},
    {"id": "BR-002", "code": "OSA-01", "name": "大阪支社", "address": "大阪府大阪市北区梅田1-1-1",
     "latitude": 34.7024, "longitude": 135.4959},
    {"id": NERIMA_BRANCH_ID, "code": "NRM-01", "name": "練馬営業所", "address": "東京都練馬区豊玉北6丁目",
     "latitude": 35.7494, "longitude": 139.6690},
]
USERS = [
    {"id": "U-001", "branch_id": "BR-001", "login_id": "admin", "password_hash": "$2b$10$dev_hash_admin",
     "name": "管理者", "email": "admin@example.com", "role": "ADMIN"},
    {"id": "U-002", "branch_id": "BR-001", "login_id": "dispatcher01",
     "password_hash": "$2b$10$dev_hash_dispatcher", "name": "配車担当A", "email": "dispatcher01@example.com",
     "role": "DISPATCHER"},
    {"id": "U-003", "branch_id": "BR-001", "login_id": "driver01", "password_hash": "$2b$10$dev_hash_driver",
     "name": "ドライバーA", "email": "driver01@example.com", "role": "DRIVER", "driver_id": "D-001"},
]
# The seed's vehicle_type TRUCK_2TON / TRUCK_4TON become vehicle classes 2t / 4t; max_load_weight = payload.
VEHICLES = [
    {"id": "V-001", "branch_id": "BR-001", "registration_number": "品川500あ1234", "vehicle_class": "2t",
     "payload_kg": 2000.0, "gross_weight_kg": 5000.0},
    {"id": "V-002", "branch_id": "BR-001", "registration_number": "品川500あ5678", "vehicle_class": "4t",
     "payload_kg": 4000.0, "gross_weight_kg": 8000.0},
    {"id": "V-101", "branch_id": NERIMA_BRANCH_ID, "registration_number": "練馬400か1001",
     "vehicle_class": "2t", "payload_kg": 2000.0, "gross_weight_kg": 5000.0},
    {"id": "V-102", "branch_id": NERIMA_BRANCH_ID, "registration_number": "練馬400か1002",
     "vehicle_class": "2t", "payload_kg": 2000.0, "gross_weight_kg": 5000.0},
    {"id": "V-103", "branch_id": NERIMA_BRANCH_ID, "registration_number": "練馬400か2001",
     "vehicle_class": "4t", "payload_kg": 4000.0, "gross_weight_kg": 8000.0},
]
DRIVERS = [
    {"id": "D-001", "branch_id": "BR-001", "employee_number": "EMP-001", "name": "山田太郎",
     "licence_number": "DL12345678", "licence_class": "準中型"},
    {"id": "D-002", "branch_id": "BR-001", "employee_number": "EMP-002", "name": "佐藤花子",
     "licence_number": "DL87654321", "licence_class": "中型"},
    {"id": "D-101", "branch_id": NERIMA_BRANCH_ID, "employee_number": "EMP-101", "name": "鈴木一郎",
     "licence_number": "DL10100001", "licence_class": "準中型"},
    {"id": "D-102", "branch_id": NERIMA_BRANCH_ID, "employee_number": "EMP-102", "name": "高橋次郎",
     "licence_number": "DL10200002", "licence_class": "準中型"},
    {"id": "D-103", "branch_id": NERIMA_BRANCH_ID, "employee_number": "EMP-103", "name": "田中三郎",
     "licence_number": "DL10300003", "licence_class": "中型"},
]
CUSTOMERS = [
    {"id": "C-001", "code": "CUST-001", "name": "ABC商事株式会社", "phone_number": "03-1234-5678",
     "email": "contact@abc.co.jp"},
    {"id": "C-002", "code": "CUST-002", "name": "XYZ物産株式会社", "phone_number": "06-9876-5432",
     "email": "info@xyz.co.jp"},
]

_WINDOWS = [[], [["09:00", "12:00"]], [["12:00", "14:00"]], [["14:00", "16:00"]], [["16:00", "18:00"]],
            [["09:00", "11:00"], ["15:00", "17:00"]]]


def demo_orders(delivery_date: datetime.date, n: int = DEMO_ORDERS) -> list[dict[str, Any]]:
    """``n`` reproducible orders for the Nerima branch on ``delivery_date`` (ids contain the date)."""
    rng = random.Random(f"hakobu-nerima-{delivery_date.isoformat()}")
    lat0, lat1, lon0, lon1 = NERIMA_BOX
    out = []
    for i in range(1, n + 1):
        small_only = rng.random() < 0.1  # narrow street: 2t trucks only
        out.append({
            "id": f"O-NRM-{delivery_date:%Y%m%d}-{i:03d}",
            "branch_id": NERIMA_BRANCH_ID,
            "customer_id": CUSTOMERS[i % len(CUSTOMERS)]["id"] if i % 5 == 0 else None,
            "place_name": f"練馬区 配送先{i:03d}",
            "address": f"東京都練馬区 {rng.randint(1, 6)}丁目{rng.randint(1, 30)}-{rng.randint(1, 20)}",
            "latitude": round(rng.uniform(lat0, lat1), 6),
            "longitude": round(rng.uniform(lon0, lon1), 6),
            "delivery_date": delivery_date,
            "time_windows": Jsonb(rng.choice(_WINDOWS)),
            "weight_kg": float(rng.randint(5, 200)),
            "volume_m3": round(rng.uniform(0.02, 0.8), 2),
            "service_seconds": rng.choice([180, 300, 300, 600]),
            "allowed_vehicle_classes": ["2t"] if small_only else [],
            "notes": "狭い道路のため2t車のみ" if small_only else "",
        })
    return out


def _insert(conn: psycopg.Connection[Any], table: str, rows: list[dict[str, Any]], org: str | None) -> int:
    from psycopg import sql

    n = 0
    for row in rows:
        values = dict(row) if org is None else {"organization_id": org, **row}
        cols = list(values)
        q = sql.SQL("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING").format(
            sql.Identifier(table),
            sql.SQL(", ").join(map(sql.Identifier, cols)),
            sql.SQL(", ").join(sql.Placeholder(c) for c in cols),
        )
        n += conn.execute(q, values).rowcount
    return n


def seed(url: str, delivery_date: datetime.date | None = None, organization: str = ORG_ID) -> dict[str, int]:
    """Insert the demo rows that are missing, in one transaction; return rows inserted per table.

    ``organization`` other than the demo one gets the same branches, fleet, users and orders under its
    own id (tests give each case its own organization that way).
    """
    day = delivery_date or tomorrow()
    orgs = ORGANIZATIONS if organization == ORG_ID else [
        {**ORGANIZATIONS[0], "id": organization, "code": organization, "name": f"{organization} (demo)"}
    ]
    with psycopg.connect(url) as conn:
        return {
            "organizations": _insert(conn, "organizations", orgs, None),
            "branches": _insert(conn, "branches", BRANCHES, organization),
            "vehicles": _insert(conn, "vehicles", VEHICLES, organization),
            "drivers": _insert(conn, "drivers", DRIVERS, organization),
            "users": _insert(conn, "users", USERS, organization),  # after drivers: driver01 is D-001
            "customers": _insert(conn, "customers", CUSTOMERS, organization),
            "orders": _insert(conn, "orders", demo_orders(day), organization),
            **_demo_devices(conn, organization),
        }


#: The demo's development passwords of the seed's users (``hakobu demo`` sets and prints them).
DEV_PASSWORDS = {"admin": "hakobu-admin", "dispatcher01": "hakobu-dispatcher", "driver01": "hakobu-driver"}


def set_dev_passwords(url: str, organization: str = ORG_ID) -> dict[str, str]:
    """Give the seed's users their development passwords (argon2id hashes); login → password."""
    from server.identity.passwords import hash_password

    with psycopg.connect(url) as conn:
        for login, password in DEV_PASSWORDS.items():
            conn.execute(
                "UPDATE users SET password_hash = %s WHERE organization_id = %s AND login_id = %s",
                (hash_password(password), organization, login),
            )
    return dict(DEV_PASSWORDS)
def _demo_devices(conn: psycopg.Connection[Any], organization: str) -> dict[str, int]:
    """The demo organization's trackers: one per vehicle, its id the vehicle id (V-001, …), so a phone
    running Traccar Client can be pointed at the demo at once. Tracker ids are global: other
    organizations get none."""
    if organization != ORG_ID:
        return {}
    devices = [{"id": v["id"], "vehicle_id": v["id"], "display_name": f"{v['id']} のスマートフォン"}
               for v in VEHICLES]
    assignments = [{"vehicle_id": v["id"], "device_id": v["id"]} for v in VEHICLES]
    _insert(conn, "device_assignments", assignments, organization)
    return {"devices": _insert(conn, "devices", devices, organization)}
