"""The rules of a plan's life, as pure functions every store applies inside its own transaction.

A day has at most one plan per branch. Optimizing creates it as DRAFT, or refreshes a DRAFT (a new
revision); a PUBLISHED plan is replaced only with ``force`` (it goes back to DRAFT); IN_PROGRESS and DONE
plans are never replaced by a new solution. Only DRAFT plans can be deleted; DONE plans take no change.
Every change needs the caller's etag to be current (or none). Orders follow a plan once it is out of DRAFT.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from server.plans.errors import PlanLockedError, PlanStateError, StaleEtagError

STATUSES = ("DRAFT", "PUBLISHED", "IN_PROGRESS", "DONE")
#: Order status that a stop's progress stands for, once the plan is out of DRAFT.
ORDER_STATUS_OF_STOP = {
    "PLANNED": "PLANNED", "ARRIVED": "IN_TRANSIT", "DONE": "DELIVERED", "FAILED": "FAILED",
    "SKIPPED": "PLANNED",
}


def check_etag(plan_id: str, etag: str | None, current: int | str) -> None:
    """``StaleEtagError`` unless ``etag`` is empty (unconditional) or the plan's current version."""
    if etag and etag.strip().strip('"') != str(current):
        raise StaleEtagError(
            f"計画 {plan_id} は他の人が変更しました。読み直してください / plans/{plan_id} was changed by "
            f"someone else (etag {etag} is stale, current {current}); read it again"
        )


def check_changeable(plan_id: str, status: str, etag: str | None, version: int, action_ja: str,
                     action: str) -> None:
    """A DONE plan takes no change (``PlanStateError``); a stale etag fails (``StaleEtagError``)."""
    if status == "DONE":
        raise PlanStateError(
            f"完了した計画は{action_ja}できません / plan {plan_id} is DONE; it cannot be {action}"
        )
    check_etag(plan_id, etag, version)


def refresh_change(plan_id: str, status: str, force: bool, where: str) -> str:
    """The change label of replacing a stored plan by a new solution; ``PlanLockedError`` if it may not."""
    if status in ("IN_PROGRESS", "DONE") or (status == "PUBLISHED" and not force):
        hint = " (use force to replace a published plan)" if status == "PUBLISHED" else ""
        raise PlanLockedError(f"plan {plan_id} of {where} is {status}; it is not replaced{hint}")
    return "REOPTIMIZED" if status == "DRAFT" else f"REOPTIMIZED_FROM_{status}"


def check_reoptimize(plan_id: str, status: str, force: bool, where: str) -> None:
    """Optimizing a day whose plan is out of DRAFT: PUBLISHED and IN_PROGRESS need ``force`` (then the plan
    is re-planned around what happened), DONE never changes; ``PlanLockedError`` says which and why."""
    if status == "DONE":
        raise PlanLockedError(f"計画は完了しています / plan {plan_id} of {where} is DONE; it is not changed")
    if status in ("PUBLISHED", "IN_PROGRESS") and not force:
        raise PlanLockedError(
            f"計画は {status} です。force を指定すると再計画します / plan {plan_id} of {where} is {status}; "
            "it is not changed without force (set force to re-plan it around what already happened)"
        )


def check_transition(plan_id: str, status: str, target: str | None, allowed_from: Sequence[str]) -> None:
    """``PlanStateError`` unless a plan in ``status`` may change (to ``target``, None = content only)."""
    if status in allowed_from:
        return
    if target is None:
        raise PlanStateError(
            f"計画は {status} のため変更できません / plan {plan_id} is {status}; it cannot be changed"
        )
    raise PlanStateError(
        f"計画は {status} のため {target} にできません / plan {plan_id} is {status}; "
        f"it cannot become {target}"
    )


def check_deletable(plan_id: str, status: str) -> None:
    if status != "DRAFT":
        raise PlanStateError(
            f"下書き以外の計画は削除できません / plan {plan_id} is {status}; only DRAFT plans can be deleted"
        )


def order_updates(
    status: str, stops: Sequence[tuple[str, str]], unassigned: Sequence[str]
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Orders follow a plan out of DRAFT: (order → status of its stop, orders back to PENDING if PLANNED).

    ``stops`` is (order id, stop status) for every order on a route. A DRAFT plan changes no order.
    """
    if status == "DRAFT":
        return {}, ()
    return {o: ORDER_STATUS_OF_STOP[s] for o, s in stops}, tuple(unassigned)


def day_save_change(
    plan_id: str, status: str, force: bool, where: str, current: dict[str, Any] | None, new: dict[str, Any]
) -> str | None:
    """The change label of saving a new solution over the stored day plan, or None when nothing changes
    (a DRAFT whose current revision has the same content); ``PlanLockedError`` if it may not be replaced."""
    change = refresh_change(plan_id, status, force, where)
    if status == "DRAFT" and current is not None and current == new:
        return None
    if current is not None:
        from server.plans.compare import describe

        change += ": " + describe(current, new)
    return change
