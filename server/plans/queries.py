"""Use cases on stored plans that need no solver: read, list, compare, publish, delete."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from server.plans import rules
from server.plans.errors import UnknownUserError
from server.plans.ports import PageKey, PlanStores, Snapshot
from server.plans.records import PlanRecord, PlanVersion


def check_user(stores: PlanStores, org: str, user: str | None) -> None:
    """``UnknownUserError`` when ``user`` (who changes a plan) is set but not a user of ``org``."""
    if user is not None and not stores.master.user_exists(org, user):
        raise UnknownUserError(org, user)


def check_changeable(plan: PlanRecord, etag: str | None, action_ja: str, action: str) -> None:
    """A DONE plan takes no change (``PlanStateError``); a stale etag fails (``StaleEtagError``)."""
    rules.check_changeable(plan.id, plan.status, etag, plan.version, action_ja, action)


def get_plan(stores: PlanStores, org: str, plan_id: str) -> PlanRecord:
    """The plan with its routes and ordered stops; ``NotFoundError`` outside ``org``."""
    return stores.plans.get(org, plan_id)


def plan_stamp(stores: PlanStores, org: str, plan_id: str) -> str:
    """The plan's stamp (``PlanRepository.stamp``): changes with every write; ``NotFoundError`` outside
    ``org``."""
    return stores.plans.stamp(org, plan_id)


def find_plan(stores: PlanStores, org: str, branch_id: str, date: datetime.date) -> PlanRecord | None:
    return stores.plans.find(org, branch_id, date)


def list_versions(stores: PlanStores, org: str, plan_id: str) -> list[PlanVersion]:
    """Every saved revision of the plan, oldest first (who, what, when, and the routes then)."""
    return stores.plans.versions(org, plan_id)


def get_revision(stores: PlanStores, org: str, plan_id: str, revision: int) -> Snapshot:
    """The snapshot (routes, unassigned, totals) of one stored revision."""
    return stores.plans.revision(org, plan_id, revision)


def list_plans(
    stores: PlanStores, org: str, *, branch_id: str | None = None, plan_date: datetime.date | None = None,
    status: str | None = None, page_size: int = 50, after: PageKey | None = None,
) -> tuple[list[PlanRecord], PageKey | None]:
    """Plans of ``org`` newest date first (then id), filtered; returns (page, key after the page or None)."""
    return stores.plans.list(
        org, branch_id=branch_id, plan_date=plan_date, status=status, page_size=page_size, after=after
    )


def set_status(
    stores: PlanStores, org: str, plan_id: str, status: str, etag: str | None, changed_by: str | None,
    allowed_from: Sequence[str],
) -> PlanRecord:
    """Move the plan to ``status`` (e.g. publish a DRAFT); a new revision records who and when."""
    check_user(stores, org, changed_by)
    return stores.plans.set_status(org, plan_id, status, etag, changed_by, allowed_from)


def publish_plan(
    stores: PlanStores, org: str, plan_id: str, etag: str | None, user: str | None
) -> PlanRecord:
    """DRAFT → PUBLISHED; orders on its routes become PLANNED, its unassigned ones PENDING."""
    return set_status(stores, org, plan_id, "PUBLISHED", etag, user, ("DRAFT",))


def delete_plan(stores: PlanStores, org: str, plan_id: str, etag: str | None) -> None:
    """Delete a DRAFT plan (routes, stops and revisions go with it); other statuses are kept."""
    stores.plans.delete(org, plan_id, etag)


def driver_day(
    stores: PlanStores, org: str, driver_id: str, start: datetime.date
) -> tuple[PlanRecord, int] | None:
    """The nearest plan on or after ``start`` that is published (or under way) and has a route of
    ``driver_id``, with that route's index; None when there is none."""
    found: list[tuple[datetime.date, PlanRecord, int]] = []
    for status in ("PUBLISHED", "IN_PROGRESS"):
        after: PageKey | None = None
        while True:
            plans, after = list_plans(stores, org, status=status, page_size=100, after=after)
            for plan in plans:
                if plan.plan_date < start:
                    after = None  # newest first: the rest are older
                    break
                index = next((i for i, r in enumerate(plan.routes) if r.driver_id == driver_id), None)
                if index is not None:
                    found.append((plan.plan_date, plan, index))
            if after is None:
                break
    if not found:
        return None
    _, plan, index = min(found, key=lambda x: x[0])
    return plan, index
