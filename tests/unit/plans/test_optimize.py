"""optimize_day and replan_all through the in-memory ports: create, refresh, refuse, skip."""

from __future__ import annotations

import datetime

import pytest

from server.plans.edit import edit_plan
from server.plans.errors import PlanLockedError, UnknownUserError
from server.plans.layout import SetStopStatus
from server.plans.optimize import optimize_day, replan_all
from server.plans.queries import list_versions, set_status
from tests.unit.plans.builders import BRANCH, OPTS, ORG, USER, CountingSolver, day, master, order, stores


def test_first_optimize_stores_a_draft_covering_every_order() -> None:
    s = stores(day())
    plan, summary = optimize_day(s, ORG, BRANCH, day(), OPTS, USER)
    assert (plan.status, plan.revision, plan.created_by) == ("DRAFT", 1, USER)
    served = {st.order_id for r in plan.routes for st in r.stops if st.order_id}
    assert served | {u.order_id for u in plan.unassigned} == {f"O-{i:03d}" for i in range(1, 13)}
    assert summary.outcome == "planned" and summary.served == len(served)


def test_same_result_again_is_unchanged_and_a_new_order_is_a_new_revision() -> None:
    s = stores(day())
    first, _ = optimize_day(s, ORG, BRANCH, day(), OPTS, USER)
    again, summary = optimize_day(s, ORG, BRANCH, day(), OPTS, USER)
    assert summary.outcome == "unchanged" and (again.id, again.revision) == (first.id, 1)
    master(s).add(ORG, order(13, day()))
    third, summary = optimize_day(s, ORG, BRANCH, day(), OPTS, USER)
    assert third.id == first.id and third.revision == 2 and summary.outcome == "planned"
    assert "stops 12→13" in list_versions(s, ORG, first.id)[-1].change


def test_unknown_user_is_refused_before_solving_naming_the_user() -> None:
    """Bug: a caller not in users made the write fail on a foreign key only after the solve."""
    s = stores(day())
    solver = CountingSolver()
    with pytest.raises(UnknownUserError, match="U-ghost"):
        optimize_day(s, ORG, BRANCH, day(), OPTS, "U-ghost", solver=solver)
    assert solver.calls == [] and s.plans.find(ORG, BRANCH, day()) is None


def test_in_progress_plan_without_force_fails_naming_force() -> None:
    """Bug: OptimizePlan on an IN_PROGRESS plan without force reported success and changed nothing."""
    s = stores(day())
    plan, _ = optimize_day(s, ORG, BRANCH, day(), OPTS, USER)
    published = set_status(s, ORG, plan.id, "PUBLISHED", plan.etag, USER, ("DRAFT",))
    first = next(st.order_id for r in plan.routes for st in r.stops if st.order_id)
    running = edit_plan(s, ORG, plan.id, [SetStopStatus(first, "ARRIVED")], published.etag, USER).plan
    assert running.status == "IN_PROGRESS"
    solver = CountingSolver()
    with pytest.raises(PlanLockedError, match="force"):
        optimize_day(s, ORG, BRANCH, day(), OPTS, USER, solver=solver)
    assert solver.calls == [] and s.plans.get(ORG, plan.id) == running
    master(s).add(ORG, order(13, day()))
    replanned, _ = optimize_day(s, ORG, BRANCH, day(), OPTS, USER, solver=solver, force=True)
    assert solver.calls and replanned.revision == running.revision + 1 and replanned.status == "IN_PROGRESS"
    assert replanned.stop_of(first) is not None and replanned.stop_of(first)[1].status == "ARRIVED"


def test_published_plan_needs_force_and_done_plan_never_changes() -> None:
    s = stores(day())
    plan, _ = optimize_day(s, ORG, BRANCH, day(), OPTS, USER)
    published = set_status(s, ORG, plan.id, "PUBLISHED", plan.etag, USER, ("DRAFT",))
    with pytest.raises(PlanLockedError, match="force"):
        optimize_day(s, ORG, BRANCH, day(), OPTS, USER)
    assert s.plans.get(ORG, plan.id) == published
    master(s).add(ORG, order(13, day()))
    forced, _ = optimize_day(s, ORG, BRANCH, day(), OPTS, USER, force=True)
    assert (forced.id, forced.status, forced.revision) == (plan.id, "DRAFT", published.revision + 1)
    done = set_status(s, ORG, plan.id, "DONE", None, USER, ("DRAFT",))
    with pytest.raises(PlanLockedError, match="DONE"):
        optimize_day(s, ORG, BRANCH, day(), OPTS, USER, force=True)
    assert s.plans.get(ORG, plan.id) == done


def test_replan_all_skips_published_unless_forced_and_reports_days_without_orders() -> None:
    s = stores(day())
    [first] = replan_all(s, ORG, day(), options=OPTS)
    assert first.outcome == "planned"
    set_status(s, ORG, first.plan_id or "", "PUBLISHED", None, USER, ("DRAFT",))
    [skipped] = replan_all(s, ORG, day(), options=OPTS)
    assert skipped.outcome == "skipped" and "--force" in skipped.message
    [forced] = replan_all(s, ORG, day(), force=True, options=OPTS)
    assert forced.outcome == "planned" and s.plans.get(ORG, first.plan_id or "").status == "DRAFT"
    assert [x.outcome for x in replan_all(s, ORG, day(), ["BR-NONE"], options=OPTS)] == ["no_orders"]


def test_one_failing_branch_does_not_stop_the_others() -> None:
    s = stores(day())
    master(s).add(ORG, order(99, day(), branch="BR-GONE"))  # orders of a branch that does not exist
    summaries = {x.branch_id: x for x in replan_all(s, ORG, day(), options=OPTS)}
    assert summaries["BR-GONE"].outcome == "failed" and "not found" in summaries["BR-GONE"].message
    assert summaries[BRANCH].outcome == "planned"


def test_a_bad_stored_order_fails_its_branch_naming_the_order() -> None:
    s = stores(day())
    windows = ((datetime.time(9), datetime.time(12)), (datetime.time(10), datetime.time(11)))
    master(s).add(ORG, order(13, day(), time_windows=windows))
    [summary] = replan_all(s, ORG, day(), options=OPTS)
    assert summary.outcome == "failed" and "orders/O-013.time_windows" in summary.message


def test_on_progress_hears_each_improving_plan_down_to_the_stored_one() -> None:
    s = stores(day())
    seen: list[tuple[float, int]] = []
    _, summary = optimize_day(s, ORG, BRANCH, day(), OPTS, USER, on_progress=lambda c, n: seen.append((c, n)))
    assert seen, "no improving plan reported"
    costs = [c for c, _ in seen]
    assert costs == sorted(costs, reverse=True)  # each report is an improvement
    assert costs[-1] == pytest.approx(summary.cost) and seen[-1][1] == summary.served


def test_on_progress_also_reaches_a_replan_around_kept_stops() -> None:
    s = stores(day())
    plan, _ = optimize_day(s, ORG, BRANCH, day(), OPTS, USER)
    first = next(st.order_id for r in plan.routes for st in r.stops if st.order_id)
    published = set_status(s, ORG, plan.id, "PUBLISHED", plan.etag, USER, ("DRAFT",))
    edit_plan(s, ORG, plan.id, [SetStopStatus(first, "ARRIVED")], published.etag, USER)
    master(s).add(ORG, order(13, day()))  # something new to fit around the route under way
    seen: list[float] = []
    solver = CountingSolver()
    optimize_day(s, ORG, BRANCH, day(), OPTS, USER, solver=solver, force=True,
                 on_progress=lambda c, n: seen.append(c))
    assert solver.calls and seen
