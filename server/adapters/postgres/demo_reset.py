"""The demo replays today: the demo organization's plan of a branch and day is removed (its stop events,
routes and revisions go with it) and its orders are open again, so ``hakobu demo`` can plan, publish and
drive today afresh on every run. Only for the demo data (``seed``); nothing else calls it."""

from __future__ import annotations

import datetime

import psycopg


def reset_demo_day(url: str, org: str, branch_id: str, day: datetime.date) -> int:
    """Remove the branch's plan of ``day`` in ``org`` and reopen its orders; how many plans were removed."""
    with psycopg.connect(url) as conn:
        removed = conn.execute(
            "DELETE FROM plans WHERE organization_id = %s AND branch_id = %s AND plan_date = %s",
            (org, branch_id, day),
        ).rowcount
        conn.execute(
            "UPDATE orders SET status = 'PENDING' WHERE organization_id = %s AND branch_id = %s "
            "AND delivery_date = %s AND status <> 'CANCELLED'",
            (org, branch_id, day),
        )
    return removed
