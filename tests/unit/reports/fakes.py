"""Stores for the report use cases: the plans' in-memory master data, and small fakes of the plan
repository (``find`` only), the position history and the stop events, filled from recorded days."""

from __future__ import annotations

import dataclasses
import datetime

from server.adapters.memory.plans import MemoryMasterData
from server.plans.records import PlanRecord
from server.reports.model import DayActuals
from server.reports.ports import ReportStores
from server.tracking.model import Position, StopEvent


class FakePlans:
    def __init__(self) -> None:
        self.plans: dict[tuple[str, str, datetime.date], PlanRecord] = {}

    def find(self, org: str, branch_id: str, date: datetime.date) -> PlanRecord | None:
        return self.plans.get((org, branch_id, date))


class FakePositions:
    def __init__(self) -> None:
        self.rows: list[Position] = []

    def between(self, org, vehicle_id, start, end) -> list[Position]:
        return sorted((p for p in self.rows if p.organization == org and p.vehicle_id == vehicle_id
                       and start <= p.time < end), key=lambda p: p.time)


class FakeEvents:
    def __init__(self) -> None:
        self.rows: list[StopEvent] = []

    def for_plan(self, org, plan_id) -> list[StopEvent]:
        return sorted((e for e in self.rows if e.organization == org and e.plan_id == plan_id),
                      key=lambda e: e.time)

    def for_vehicle(self, org, vehicle_id, start, end) -> list[StopEvent]:
        return [e for e in self.rows if e.organization == org and e.vehicle_id == vehicle_id
                and start <= e.time < end]


def stores_of(*days: DayActuals) -> ReportStores:
    """Stores holding the recorded days (each day's plan gets an id of its date)."""
    master, plans, positions, events = MemoryMasterData(), FakePlans(), FakePositions(), FakeEvents()
    for day in days:
        org = day.organization
        plan = dataclasses.replace(day.plan, id=f"PLAN-{day.date:%Y%m%d}", plan_date=day.date)
        master.add(org, day.branch, *day.orders.values())
        for v in day.vehicles:
            master.add(org, v.vehicle)
            if v.driver is not None:
                master.add(org, v.driver)
            positions.rows += v.positions
            events.rows += [dataclasses.replace(e, plan_id=plan.id) for e in v.events]
        plans.plans[(org, day.branch.id, day.date)] = plan
    return ReportStores(master, plans, positions, events)  # type: ignore[arg-type]
