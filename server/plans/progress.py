"""A plan's progress from the road: the one place where stop events move stops, the plan and its orders.

Tracking (``server.tracking.events``) calls :func:`advance` for each ARRIVED, DELIVERED or FAILED event.
It goes through the same edit as a dispatcher's ``SetStopStatus`` (``server.plans.edit``), so the plan's
rules are not copied: PUBLISHED becomes IN_PROGRESS at the first reported stop and DONE when every stop
is done or failed (``edit.next_status``), and the orders follow (``rules.order_updates``, applied by the
store inside its transaction). Progress never goes backwards: a late ARRIVED after DELIVERED changes
nothing, and a finished stop keeps its outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.compiled import RoadMatrices
from server.plans.edit import FINISHED, edit_plan
from server.plans.errors import PlanStateError, StaleEtagError
from server.plans.layout import SetStopStatus
from server.plans.ports import PlanStores
from server.plans.records import PlanRecord

#: Stop status an event stands for.
STOP_STATUS_OF_EVENT = {"ARRIVED": "ARRIVED", "DELIVERED": "DONE", "FAILED": "FAILED"}
#: Plan statuses in which the road may report progress.
REPORTABLE = ("PUBLISHED", "IN_PROGRESS")
#: Tries when a dispatcher's edit or another event saved the plan between our read and our write.
ATTEMPTS = 5


@dataclass(frozen=True)
class Progress:
    plan: PlanRecord
    #: The stop's status before and after; equal when nothing changed.
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def check_reportable(plan: PlanRecord) -> None:
    """``PlanStateError`` unless the plan is out on the road (PUBLISHED or IN_PROGRESS)."""
    if plan.status not in REPORTABLE:
        raise PlanStateError(
            f"計画は {plan.status} のため進捗を記録できません / plan {plan.id} is {plan.status}; progress "
            "is recorded only on PUBLISHED or IN_PROGRESS plans"
        )


def target_status(current: str, event_type: str) -> str:
    """The stop's status after ``event_type``; ``current`` when the event would move it backwards."""
    wanted = STOP_STATUS_OF_EVENT[event_type]
    if current in FINISHED:
        return current
    if wanted == "ARRIVED" and current != "PLANNED":
        return current
    return wanted


def advance(
    stores: PlanStores, org: str, plan_id: str, order_id: str, event_type: str, user: str | None = None,
    road: RoadMatrices | None = None,
) -> Progress:
    """Apply one event's progress to the stop of ``order_id``; idempotent (a repeat changes nothing)."""
    for attempt in range(ATTEMPTS):
        plan = stores.plans.get(org, plan_id)
        found = plan.stop_of(order_id)
        before = found[1].status if found else "PLANNED"
        after = target_status(before, event_type)
        if after == before:
            return Progress(plan, before, after)
        check_reportable(plan)
        try:
            edits = [SetStopStatus(order_id, after)]
            out = edit_plan(stores, org, plan_id, edits, plan.etag, user, road=road)
        except StaleEtagError:
            if attempt == ATTEMPTS - 1:
                raise
            continue
        return Progress(out.plan, before, after)
    raise AssertionError("unreachable")
