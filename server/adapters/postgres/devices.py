"""``Devices`` over PostgreSQL: trackers registered to vehicles (``devices``, migration 0009)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from server.adapters.postgres.database import Database, mapped_errors
from server.tracking.model import Device

_COLUMNS = "id, organization_id, vehicle_id, driver_id, display_name, created_at, last_seen_at"


class PgDevices:
    """Implements ``server.tracking.ports.Devices``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def find(self, device_id: str) -> Device | None:
        with self.db.transaction() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM devices WHERE id = %s", (device_id,)).fetchone()
        return None if row is None else _device(row)

    def find_many(self, device_ids: Sequence[str]) -> dict[str, Device]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM devices WHERE id = ANY(%s)", (list(device_ids),)
            ).fetchall()
        return {r["id"]: _device(r) for r in rows}

    def create(self, device: Device) -> Device:
        with mapped_errors(), self.db.transaction() as conn:
            row = conn.execute(
                f"INSERT INTO devices (id, organization_id, vehicle_id, driver_id, display_name) "
                f"VALUES (%s, %s, %s, %s, %s) RETURNING {_COLUMNS}",
                (device.device_id, device.organization, device.vehicle_id, device.driver_id,
                 device.display_name),
            ).fetchone()
            conn.execute(
                "INSERT INTO device_assignments (organization_id, vehicle_id, device_id) VALUES (%s, %s, %s) "
                "ON CONFLICT DO NOTHING",
                (device.organization, device.vehicle_id, device.device_id),
            )
        assert row is not None
        return _device(row)

    def get(self, org: str, device_id: str) -> Device | None:
        with self.db.transaction() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM devices WHERE organization_id = %s AND id = %s", (org, device_id)
            ).fetchone()
        return None if row is None else _device(row)

    def list(self, org: str, page_size: int, after: str | None) -> tuple[list[Device], str | None]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM devices WHERE organization_id = %s AND id > %s ORDER BY id LIMIT %s",
                (org, after or "", page_size + 1),
            ).fetchall()
        page = [_device(r) for r in rows[:page_size]]
        return page, (page[-1].device_id if len(rows) > page_size else None)

    def delete(self, org: str, device_id: str) -> bool:
        with self.db.transaction() as conn:
            cur = conn.execute("DELETE FROM devices WHERE organization_id = %s AND id = %s", (org, device_id))
            return cur.rowcount > 0


def _device(row: dict[str, Any]) -> Device:
    return Device(
        device_id=row["id"], organization=row["organization_id"], vehicle_id=row["vehicle_id"],
        driver_id=row["driver_id"], display_name=row["display_name"], created_at=row["created_at"],
        last_seen_at=row["last_seen_at"],
    )
