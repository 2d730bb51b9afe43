"""Sample records for repository tests."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from server.adapters.postgres.repository import (
    Branch,
    Customer,
    Driver,
    Order,
    Record,
    Repositories,
    Repository,
    Vehicle,
)

DAY = datetime.date(2026, 12, 1)


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def branch(repos: Repositories, org: str, **kw: Any) -> Branch:
    code = uid("B")
    data = Branch(code=code, name=f"拠点 {code}", latitude=35.75, longitude=139.67, **kw)
    return repos.branches.create(org, data)


def sample(repos: Repositories, name: str, org: str) -> tuple[Repository[Any], Record]:
    """A repository and a valid new (not yet stored) record for it in ``org``."""
    if name == "branches":
        code = uid("B")
        return repos.branches, Branch(code=code, name="練馬営業所", latitude=35.75, longitude=139.67)
    if name == "customers":
        return repos.customers, Customer(code=uid("C"), name="ABC商事株式会社")
    b = branch(repos, org)
    if name == "vehicles":
        reg = f"練馬400か{uuid.uuid4().int % 10000:04d}-{uid('x')}"
        return repos.vehicles, Vehicle(branch_id=b.id, registration_number=reg, vehicle_class="2t",
                                       payload_kg=2000)
    if name == "drivers":
        return repos.drivers, Driver(branch_id=b.id, employee_number=uid("EMP"), name="山田太郎")
    assert name == "orders"
    return repos.orders, Order(branch_id=b.id, latitude=35.745, longitude=139.66, delivery_date=DAY)


# one field per resource that update may change, with a new value
CHANGE = {
    "branches": ("name", "新しい名前"),
    "customers": ("name", "XYZ物産株式会社"),
    "vehicles": ("status", "MAINTENANCE"),
    "drivers": ("status", "ON_LEAVE"),
    "orders": ("notes", "置き配可"),
}
RESOURCES = sorted(CHANGE)
