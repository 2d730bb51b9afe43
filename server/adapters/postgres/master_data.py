"""``MasterData`` over PostgreSQL: the reads of branches, fleet, drivers, orders and settings plans need."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from server.adapters.postgres.database import Database, mapped_errors
from server.adapters.postgres.repository import BRANCHES, DRIVERS, ORDERS, VEHICLES
from server.plans.errors import InvalidArgumentError
from server.plans.planning import DEFAULTS, FIELDS, PlanningLevels
from server.plans.ports import ACTIVE_DRIVER_STATUSES, ACTIVE_VEHICLE_STATUSES
from server.plans.records import Branch, Driver, Order, Vehicle


class PgMasterData:
    """Implements ``server.plans.ports.MasterData``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def organizations(self) -> list[str]:
        with self.db.transaction() as conn:
            return [r["id"] for r in conn.execute("SELECT id FROM organizations ORDER BY id").fetchall()]

    def branch(self, org: str, branch_id: str) -> Branch | None:
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM branches WHERE organization_id = %s AND id = %s", (org, branch_id)
            ).fetchone()
        return None if row is None else BRANCHES.row_to_record(row)

    def active_vehicles(self, org: str, branch_id: str) -> list[Vehicle]:
        rows = self._rows(
            "SELECT * FROM vehicles WHERE organization_id = %s AND branch_id = %s AND status = ANY(%s) "
            "ORDER BY id",
            (org, branch_id, list(ACTIVE_VEHICLE_STATUSES)),
        )
        return [VEHICLES.row_to_record(r) for r in rows]

    def active_drivers(self, org: str, branch_id: str) -> list[Driver]:
        rows = self._rows(
            "SELECT * FROM drivers WHERE organization_id = %s AND branch_id = %s AND status = ANY(%s) "
            "ORDER BY id",
            (org, branch_id, list(ACTIVE_DRIVER_STATUSES)),
        )
        return [DRIVERS.row_to_record(r) for r in rows]

    def day_orders(self, org: str, branch_id: str, date: datetime.date) -> list[Order]:
        rows = self._rows(
            "SELECT * FROM orders WHERE organization_id = %s AND branch_id = %s AND delivery_date = %s "
            "AND status <> 'CANCELLED' ORDER BY id",
            (org, branch_id, date),
        )
        return [ORDERS.row_to_record(r) for r in rows]

    def branches_with_orders(self, org: str, date: datetime.date) -> list[str]:
        rows = self._rows(
            "SELECT DISTINCT branch_id FROM orders WHERE organization_id = %s AND delivery_date = %s "
            "AND status <> 'CANCELLED' ORDER BY branch_id",
            (org, date),
        )
        return [r["branch_id"] for r in rows]

    def user_exists(self, org: str, user_id: str) -> bool:
        rows = self._rows("SELECT 1 FROM users WHERE organization_id = %s AND id = %s", (org, user_id))
        return bool(rows)

    def planning_levels(self, org: str, branch_id: str) -> PlanningLevels:
        rows = self._rows(
            "SELECT s.* FROM planning_settings s WHERE s.organization_id = %s AND ("
            "(s.branch_id IS NULL AND s.vehicle_id IS NULL) OR s.branch_id = %s OR s.vehicle_id IN "
            "(SELECT id FROM vehicles WHERE organization_id = %s AND branch_id = %s))",
            (org, branch_id, org, branch_id),
        )
        organization: dict[str, object] = {}
        branch: dict[str, object] = {}
        vehicles: dict[str, dict[str, object]] = {}
        for r in rows:
            values = {k: r[k] for k in FIELDS if r[k] is not None}
            if r["vehicle_id"] is not None:
                vehicles[r["vehicle_id"]] = values
            elif r["branch_id"] is not None:
                branch = values
            else:
                organization = values
        return PlanningLevels(organization, branch, vehicles)

    def _rows(self, query: str, params: tuple[Any, ...]) -> list[Any]:
        with self.db.transaction() as conn:
            return conn.execute(query, params).fetchall()


def set_planning_settings(
    db: Database, org: str, values: dict[str, object], *, branch_id: str | None = None,
    vehicle_id: str | None = None,
) -> None:
    """Store the settings of one level (organization, branch or vehicle); absent fields become unset.

    Values are checked by the domain's rules first (``PlanningSettings``): ``InvalidArgumentError``.
    """
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise InvalidArgumentError(f"unknown planning settings: {', '.join(sorted(unknown))}")
    try:
        dataclasses.replace(DEFAULTS, **{k: v for k, v in values.items() if v is not None})  # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        raise InvalidArgumentError(str(exc)) from exc
    cols = list(FIELDS)
    with mapped_errors(), db.transaction() as conn:
        conn.execute(
            "DELETE FROM planning_settings WHERE organization_id = %s AND branch_id IS NOT DISTINCT FROM %s "
            "AND vehicle_id IS NOT DISTINCT FROM %s",
            (org, branch_id, vehicle_id),
        )
        conn.execute(
            f"INSERT INTO planning_settings (organization_id, branch_id, vehicle_id, {', '.join(cols)}) "
            f"VALUES (%s, %s, %s, {', '.join(['%s'] * len(cols))})",
            (org, branch_id, vehicle_id, *[values.get(c) for c in cols]),
        )


def stored_level(
    db: Database, org: str, *, branch_id: str | None = None, vehicle_id: str | None = None
) -> dict[str, object]:
    """The values stored at one level (organization, branch or vehicle), unset ones left out."""
    with db.transaction() as conn:
        row = conn.execute(
            "SELECT * FROM planning_settings WHERE organization_id = %s "
            "AND branch_id IS NOT DISTINCT FROM %s AND vehicle_id IS NOT DISTINCT FROM %s",
            (org, branch_id, vehicle_id),
        ).fetchone()
    return {} if row is None else {k: row[k] for k in FIELDS if row[k] is not None}
