"""The demo replays today: the demo organization's plan of a branch and day is removed (its stop events,
routes and revisions go with it), its orders are open again and the day's positions of the branch's
vehicles are gone, so ``hakobu demo`` can plan, publish and drive today afresh on every run (live state,
rebuilt from history at start, then follows the new drive). Only for the demo data (``seed``)."""

from __future__ import annotations

import datetime

import psycopg


def reset_demo_day(url: str, org: str, branch_id: str, day: datetime.date) -> int:
    """Remove the branch's plan of ``day`` in ``org``, reopen its orders and drop the day's positions of
    its vehicles; how many plans were removed."""
    from server.jst import JST

    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=JST)
    with psycopg.connect(url) as conn:
        conn.execute(
            "DELETE FROM positions WHERE organization_id = %s AND time >= %s AND time < %s AND vehicle_id IN "
            "(SELECT id FROM vehicles WHERE organization_id = %s AND branch_id = %s)",
            (org, start, start + datetime.timedelta(days=1), org, branch_id),
        )
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
