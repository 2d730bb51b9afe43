"""What the plans use cases need from the outside, as Protocols.

PostgreSQL adapters (``server.adapters.postgres``) implement them for the services; in-memory fakes
(``server.adapters.memory``) implement the same for unit tests. The use cases run no SQL.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from server.plans.planning import PlanningLevels
from server.plans.records import Branch, Driver, Order, PlanRecord, PlanVersion, Vehicle

#: A day's snapshot: see ``server.plans.snapshot.snapshot_of``.
Snapshot = dict[str, Any]
#: Where a page of plans ends: (plan date, plan id) of its last plan.
PageKey = tuple[datetime.date, str]

ACTIVE_VEHICLE_STATUSES = ("AVAILABLE", "IN_SERVICE")
ACTIVE_DRIVER_STATUSES = ("AVAILABLE", "ON_DUTY")
DEFAULT_ALLOWED_FROM = ("DRAFT", "PUBLISHED", "IN_PROGRESS")


class MasterData(Protocol):
    """Reads of an organization's master data, as plans need them."""

    def organizations(self) -> list[str]:
        """Every organization id, sorted."""

    def branch(self, org: str, branch_id: str) -> Branch | None: ...

    def active_vehicles(self, org: str, branch_id: str) -> list[Vehicle]:
        """Vehicles of the branch in an active status (``ACTIVE_VEHICLE_STATUSES``), by id."""

    def active_drivers(self, org: str, branch_id: str) -> list[Driver]:
        """Drivers of the branch in an active status (``ACTIVE_DRIVER_STATUSES``), by id."""

    def day_orders(self, org: str, branch_id: str, date: datetime.date) -> list[Order]:
        """The branch's orders for ``date`` that are not cancelled, by id."""

    def branches_with_orders(self, org: str, date: datetime.date) -> list[str]:
        """Ids of the branches with orders (not cancelled) on ``date``, sorted."""

    def user_exists(self, org: str, user_id: str) -> bool: ...

    def planning_levels(self, org: str, branch_id: str) -> PlanningLevels:
        """The stored business settings of the organization, the branch and its vehicles."""


class PlanRepository(Protocol):
    """Stored plans and revisions; each write is one transaction applying ``server.plans.rules``."""

    def get(self, org: str, plan_id: str) -> PlanRecord:
        """The plan; ``NotFoundError`` outside ``org``."""

    def stamp(self, org: str, plan_id: str) -> str:
        """A cheap token of the plan's stored state (one indexed read): it changes with every write of
        the plan (header, revision, status) and never comes back; ``NotFoundError`` outside ``org``.
        What was read after seeing a stamp is current for as long as the stamp stays the same."""

    def find(self, org: str, branch_id: str, date: datetime.date) -> PlanRecord | None: ...

    def versions(self, org: str, plan_id: str) -> list[PlanVersion]:
        """Every stored revision, oldest first; ``NotFoundError`` for an unknown plan."""

    def revision(self, org: str, plan_id: str, revision: int) -> Snapshot:
        """One stored revision's snapshot; ``NotFoundError`` when there is none."""

    def list(
        self, org: str, *, branch_id: str | None = None, plan_date: datetime.date | None = None,
        status: str | None = None, page_size: int = 50, after: PageKey | None = None,
    ) -> tuple[list[PlanRecord], PageKey | None]:
        """Plans newest date first (then id descending), filtered; the page and the key after it."""

    def save_day(
        self, org: str, branch_id: str, date: datetime.date, snap: Snapshot, created_by: str | None,
        request_id: str | None = None, *, force: bool = False,
    ) -> PlanRecord:
        """Create the day's DRAFT plan or refresh it (``rules.refresh_change``); same content → unchanged.

        A repeated ``request_id`` returns the plan of the first call.
        """

    def save_revision(
        self, org: str, plan_id: str, snap: Snapshot, changed_by: str | None, change: str, etag: str | None,
        *, status: str | None = None, allowed_from: Sequence[str] = DEFAULT_ALLOWED_FROM,
        skip_if_same: bool = False,
    ) -> PlanRecord:
        """Store ``snap`` as the next revision (etag checked, status in ``allowed_from``); orders follow."""

    def set_status(
        self, org: str, plan_id: str, status: str, etag: str | None, changed_by: str | None,
        allowed_from: Sequence[str],
    ) -> PlanRecord:
        """Move the plan to ``status`` as a new revision with the same routes; orders follow."""

    def delete(self, org: str, plan_id: str, etag: str | None) -> None:
        """Delete a DRAFT plan with its revisions (``rules.check_deletable``)."""


class RoadGraphs(Protocol):
    """The road graphs plans may use."""

    def known(self, graph: str) -> bool: ...

    def graph_at(self, latitude: float, longitude: float) -> str | None:
        """A graph whose area holds the point, or None when none does."""


@dataclass(frozen=True)
class PlanStores:
    """The ports the plans use cases take, bundled."""

    master: MasterData
    plans: PlanRepository
    #: Road graphs for road travel; None = none available (road travel falls back to straight lines).
    graphs: RoadGraphs | None = None
