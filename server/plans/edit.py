"""Manual edits of a stored plan: apply, re-check with the checker, save only if clean or accepted.

A dispatcher's edits (move, assign, unassign, swap driver, lock, stop progress) are applied to the plan's
layout; the whole day is then re-timed and re-checked by the same checker the optimizer uses, so the
answer says exactly which rule the edit breaks (capacity, time windows, driving-time rules, licences…).
Nothing is stored when the checker objects, unless the caller accepts the violations; every stored edit
is a new revision with who, what and when.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.checker import Evaluation, evaluate
from optimizer.compiled import RoadMatrices, compile_problem
from optimizer.diagnosis import explain_unassigned
from optimizer.model import Problem
from optimizer.solve import Solution
from server.plans.build import IndexMaps, build_problem
from server.plans.layout import (
    STARTED_STATUSES,
    Edit,
    EditError,
    Layout,
    LockOrder,
    SetDriver,
    SetStopStatus,
    StopState,
    apply_edit,
    layout_of,
    to_model_plan,
)
from server.plans.ports import PlanStores
from server.plans.queries import check_changeable, check_user
from server.plans.records import PlanRecord
from server.plans.snapshot import snapshot_of

FINISHED = frozenset({"DONE", "FAILED", "SKIPPED"})


@dataclass(frozen=True)
class EditOutcome:
    #: The stored plan after the edit, or the unchanged current plan when nothing was saved.
    plan: PlanRecord
    #: The edited plan's content as it would be (or now is) stored.
    preview: dict[str, Any]
    violations: tuple[dict[str, Any], ...]
    saved: bool
    changes: tuple[str, ...]


def violations_json(problem: Problem, ev: Evaluation) -> list[dict[str, Any]]:
    out = []
    for v in ev.violations:
        vehicle = v.vehicle_id
        if vehicle is None and v.route is not None and v.route < len(ev.routes):
            vehicle = ev.routes[v.route].vehicle_id
        out.append({
            "code": v.code.value,
            "message": v.message,
            "message_ja": v.message_ja,
            "vehicle_id": vehicle,
            "order_id": v.job_id,
            "amount": v.amount,
            "limit": v.limit,
        })
    return out


def decorate(snap: dict[str, Any], states: dict[str, StopState]) -> dict[str, Any]:
    """Carry each order's stop progress and lock into a freshly computed snapshot."""
    for r in snap["routes"]:
        for s in r["stops"]:
            st = states.get(s["order_id"]) if s["order_id"] else None
            s["status"] = st.status if st else "PLANNED"
            s["locked"] = bool(st and st.locked)
    return snap


def recheck(
    problem: Problem, maps: IndexMaps, layout: Layout, plan: PlanRecord, road: RoadMatrices | None
) -> dict[str, Any]:
    """The layout re-timed and re-checked on the day's problem, as a snapshot with its violations."""
    model_plan = to_model_plan(layout, maps)
    compiled = compile_problem(problem, road)
    ev = evaluate(compiled, model_plan)
    solution = Solution(problem, model_plan, ev, explain_unassigned(compiled, ev))
    snap = snapshot_of(solution, problem, plan.plan_date)
    snap["travel"] = plan.travel
    snap["violations"] = violations_json(problem, ev)
    return decorate(snap, dict(layout.states))


def next_status(current: str, states: dict[str, StopState]) -> str:
    """PUBLISHED becomes IN_PROGRESS at the first reported stop, and DONE when every stop is finished."""
    reported = [s.status for s in states.values()]
    if current in ("PUBLISHED", "IN_PROGRESS") and reported and all(s in FINISHED for s in reported):
        return "DONE"
    if current == "PUBLISHED" and any(s in STARTED_STATUSES for s in reported):
        return "IN_PROGRESS"
    return current


def _refuse_forbidden_drivers(edits: Sequence[Edit], violations: list[dict[str, Any]]) -> None:
    """Driving a vehicle one's licence does not allow is against the law, not a trade-off to accept."""
    for i, e in enumerate(edits):
        if not isinstance(e, SetDriver) or e.driver_id is None:
            continue
        for v in violations:
            if v["code"] == "LICENCE" and v["vehicle_id"] == e.vehicle_id:
                raise EditError(f"edits[{i}].set_driver.driver", f"{v['message_ja']} / {v['message']}")


def edit_plan(
    stores: PlanStores,
    org: str,
    plan_id: str,
    edits: Sequence[Edit],
    etag: str | None,
    user: str | None,
    *,
    accept_violations: bool = False,
    validate_only: bool = False,
    road: RoadMatrices | None = None,
) -> EditOutcome:
    """Apply ``edits`` in order to the plan's current revision, re-check, and save when allowed.

    ``EditError`` (bad field), ``EditRefused`` / ``PlanStateError`` (state forbids it) and
    ``StaleEtagError`` (someone saved first) leave the plan untouched.
    """
    plan = stores.plans.get(org, plan_id)
    check_changeable(plan, etag, "変更", "edited")
    if not edits:
        raise EditError("edits", "編集がありません / at least one edit is required")
    if not validate_only:
        check_user(stores, org, user)
    problem, maps = build_problem(stores, org, plan.branch_id, plan.plan_date, plan.travel, allow_past=True)
    layout = layout_of(plan)
    changes = []
    for i, e in enumerate(edits):
        layout, desc = apply_edit(layout, e, f"edits[{i}]", maps.order_ids)
        changes.append(desc)
    progress_only = all(isinstance(e, (LockOrder, SetStopStatus)) for e in edits)
    if progress_only and plan.snapshot is not None:
        # Progress and locks change no route: keep the times and findings, record the new states.
        snap = decorate(copy.deepcopy(plan.snapshot), dict(layout.states))
        violations: list[dict[str, Any]] = []
    else:
        snap = recheck(problem, maps, layout, plan, road)
        violations = snap["violations"]
        _refuse_forbidden_drivers(edits, violations)
    if validate_only or (violations and not accept_violations):
        return EditOutcome(plan, snap, tuple(violations), False, tuple(changes))
    status = next_status(plan.status, dict(layout.states))
    change = "EDITED: " + "; ".join(changes)
    if violations:
        change += f" (accepted {len(violations)} violation(s))"
    stored = stores.plans.save_revision(org, plan_id, snap, user, change, etag or plan.etag, status=status)
    return EditOutcome(stored, snap, tuple(violations), True, tuple(changes))
