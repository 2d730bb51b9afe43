"""Breaks in a route's steps, and the driving-time rules (改善基準告示) checked on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from optimizer.breaks import Break, BreakPlace, split_leg
from optimizer.checker.messages import hm
from optimizer.checker.result import Step, Violation, ViolationCode
from optimizer.rules import DrivingRules


def insert_breaks(
    steps: list[Step], breaks: Sequence[Break], dists: list[int], durs: list[int]
) -> tuple[list[Step], list[int]]:
    """Break-free steps with BREAK steps inserted; also the new index of every old step.

    A break at a stop or by the road on leg ``k`` comes before step ``k + 1``; a
    break taken while waiting at step ``k`` comes right before it. Legs cut by
    the road breaks share their distance in proportion to the time driven.
    """
    before: dict[int, list[Break]] = {}
    for b in breaks:
        pos = b.position if b.place is BreakPlace.WAITING else b.position + 1
        before.setdefault(pos, []).append(b)
    out = [steps[0]]
    index = [0]
    for pos in range(1, len(steps)):
        st = steps[pos]
        group = before.get(pos)
        if not group:
            out.append(st)
            index.append(len(out) - 1)
            continue
        offsets = [b.driven for b in group if b.place is BreakPlace.EN_ROUTE]
        pieces = split_leg(dists[pos - 1], durs[pos - 1], offsets)
        piece = 0
        for b in group:
            prev = out[-1]
            if b.place is BreakPlace.AT_STOP:
                dd, dt = 0, 0
            else:
                dd, dt = pieces[piece]
                piece += 1
            node = steps[pos - 1].node if b.place is BreakPlace.AT_STOP else st.node
            out.append(Step("BREAK", None, node, b.start, b.start, b.end, 0, prev.load, dd, dt, prev.trip))
        if piece < len(pieces):
            dd, dt = pieces[piece]
        else:
            dd, dt = 0, 0
        last = group[-1]
        if last.place is BreakPlace.WAITING:
            st = replace(st, arrival=last.end, waiting=st.start - last.end)
        out.append(replace(st, distance_from_previous=dd, duration_from_previous=dt))
        index.append(len(out) - 1)
    return out, index


def driving_violations(
    steps: Sequence[Step],
    rules: DrivingRules,
    *,
    route: int | None = None,
    vehicle_id: str | None = None,
) -> list[Violation]:
    """Check a route's steps against ``rules``, independently of how breaks were planned.

    Driving is the travel time between steps (``duration_from_previous``);
    service, waiting and reloads are not driving and not breaks. Consecutive
    BREAK steps form one break; a break of at least ``break_min_part`` adds to
    the break time of the current stretch, and once that reaches
    ``break_total`` the stretch ends (the driving clock resets). Reports every
    stretch longer than ``max_continuous_driving`` (at the step where the limit
    is first passed), a restraint (last departure minus first) over
    ``max_restraint`` and total driving over ``max_daily_driving``.
    """
    out: list[Violation] = []
    if not rules.enabled or not steps:
        return out
    who = f"vehicle {vehicle_id}" if vehicle_id is not None else "the vehicle"
    who_ja = f"車両 {vehicle_id}" if vehicle_id is not None else "車両"
    limit = rules.max_continuous_driving
    stretch = 0  # driving in the current stretch
    rested = 0  # qualifying break time in the current stretch
    exceeded_at: int | None = None
    run = 0  # length of the current run of BREAK steps
    total = 0
    total_at: int | None = None

    def close_stretch() -> None:
        nonlocal stretch, rested, exceeded_at
        if exceeded_at is not None:
            out.append(
                Violation(
                    ViolationCode.CONTINUOUS_DRIVING,
                    f"{who} drives {stretch} s ({hm(stretch)}) without {rules.break_total} s of breaks, "
                    f"more than the continuous driving limit {limit} s ({hm(limit)})",
                    f"{who_ja} の連続運転時間 {stretch} 秒({hm(stretch)})が上限 {limit} 秒({hm(limit)})"
                    f"を超えています(休憩合計 {rules.break_total} 秒が必要です)",
                    route=route,
                    step=exceeded_at,
                    vehicle_id=vehicle_id,
                    amount=stretch,
                    limit=limit,
                )
            )
        stretch = rested = 0
        exceeded_at = None

    def end_break_run() -> None:
        nonlocal run, rested
        if run >= rules.break_min_part:
            rested += run
            if rested >= rules.break_total:
                close_stretch()
        run = 0

    for idx, st in enumerate(steps):
        drive = st.duration_from_previous if idx > 0 else 0
        if drive > 0:
            end_break_run()
            stretch += drive
            total += drive
            if exceeded_at is None and stretch > limit:
                exceeded_at = idx
            if total_at is None and rules.max_daily_driving is not None and total > rules.max_daily_driving:
                total_at = idx
        if st.kind == "BREAK":
            run += st.departure - st.arrival
        else:
            end_break_run()
    end_break_run()
    close_stretch()

    restraint = steps[-1].departure - steps[0].departure
    if restraint > rules.max_restraint:
        hard = (
            f" (also over the hard maximum {rules.hard_max_restraint} s)"
            if restraint > rules.hard_max_restraint
            else ""
        )
        over_hard = restraint > rules.hard_max_restraint
        hard_ja = f"(最大 {rules.hard_max_restraint} 秒も超過)" if over_hard else ""
        out.append(
            Violation(
                ViolationCode.RESTRAINT,
                f"{who} is restrained {restraint} s ({hm(restraint)}) from start to end, more than "
                f"{rules.max_restraint} s ({hm(rules.max_restraint)}){hard}",
                f"{who_ja} の拘束時間 {restraint} 秒({hm(restraint)})が上限 {rules.max_restraint} 秒"
                f"({hm(rules.max_restraint)})を超えています{hard_ja}",
                route=route,
                vehicle_id=vehicle_id,
                amount=restraint,
                limit=rules.max_restraint,
            )
        )
    if total_at is not None:
        assert rules.max_daily_driving is not None
        lim = rules.max_daily_driving
        out.append(
            Violation(
                ViolationCode.DAILY_DRIVING,
                f"{who} drives {total} s ({hm(total)}) in total, more than the daily limit "
                f"{lim} s ({hm(lim)})",
                f"{who_ja} の運転時間の合計 {total} 秒({hm(total)})が1日の上限 {lim} 秒({hm(lim)})"
                f"を超えています",
                route=route,
                step=total_at,
                vehicle_id=vehicle_id,
                amount=total,
                limit=lim,
            )
        )
    return out
