"""Optimize a day over the stored data: build, solve, save, refresh, re-plan, refuse, isolate."""

from __future__ import annotations

import datetime

import psycopg
import pytest

from optimizer.model import TravelMode
from optimizer.solve import SolveOptions
from server.adapters.postgres.database import Database
from server.adapters.postgres.master_data import set_planning_settings
from server.adapters.postgres.seed import NERIMA_BRANCH_ID, ORG_ID, demo_orders
from server.entrypoints.cli.main import main
from server.plans.build import build_problem
from server.plans.errors import (
    InvalidArgumentError,
    InvalidReferenceError,
    NotFoundError,
    PlanLockedError,
    UnknownUserError,
)
from server.plans.optimize import optimize_day, replan_all
from server.plans.ports import PlanStores
from server.plans.queries import find_plan, get_plan, list_versions
from server.plans.records import PlanRecord
from tests.integration.plans.conftest import seeded_org, stores_for

# The iteration cap, not the clock, ends these solves, so runs are repeatable on a busy machine.
OPTS = SolveOptions(time_limit=30, max_iterations=200, seed=1)
def _stop_rows(db_url: str, plan_id: str) -> int:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM stops s JOIN routes r ON r.organization_id = s.organization_id "
            "AND r.id = s.route_id WHERE r.plan_id = %s",
            (plan_id,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_build_problem_from_seeded_data(db_url: str) -> None:
    """The Nerima branch becomes the depot, its fleet and drivers the vehicles, its orders the jobs."""
    org, day = seeded_org(db_url)
    problem, maps = build_problem(stores_for(db_url), org, NERIMA_BRANCH_ID, day)
    assert problem.depots[0].id == NERIMA_BRANCH_ID
    assert set(maps.vehicle_ids) == {"V-101", "V-102", "V-103"}
    assert set(maps.driver_ids) == {"D-101", "D-102", "D-103"}
    assert len(problem.jobs) == len(demo_orders(day))
    assert problem.travel.mode is TravelMode.HAVERSINE
    assert maps.origin.isoformat() == f"{day.isoformat()}T00:00:00+09:00"
    v103 = problem.vehicles[maps.vehicle_ids.index("V-103")]
    assert v103.capacity[0] == 4000 and v103.vehicle_class == "4t" and v103.rules is not None
    assert v103.shift.start == 8 * 3600 and v103.shift.end == 19 * 3600
    by_id = {o["id"]: o for o in demo_orders(day)}
    for job in problem.jobs:
        src = by_id[job.id]
        assert job.demand[0] == int(src["weight_kg"])
        assert job.stop.service_duration == src["service_seconds"]
        wins = [(w.start, w.end) for w in job.stop.time_windows]
        expected = [
            (int(s[:2]) * 3600 + int(s[3:]) * 60, int(e[:2]) * 3600 + int(e[3:]) * 60)
            for s, e in src["time_windows"].obj
        ]
        assert wins == expected
        assert job.allowed_vehicle_classes == frozenset(src["allowed_vehicle_classes"])


def test_cancelled_orders_and_inactive_vehicles_are_left_out(db_url: str) -> None:
    """A cancelled order is not a job and a vehicle in maintenance is not in the fleet."""
    org, day = seeded_org(db_url)
    cancelled = demo_orders(day)[0]["id"]
    with psycopg.connect(db_url) as conn:
        conn.execute("UPDATE orders SET status = 'CANCELLED' WHERE organization_id = %s AND id = %s",
                     (org, cancelled))
        conn.execute("UPDATE vehicles SET status = 'MAINTENANCE' WHERE organization_id = %s AND id = 'V-102'",
                     (org,))
    try:
        problem, maps = build_problem(stores_for(db_url), org, NERIMA_BRANCH_ID, day)
    finally:
        with psycopg.connect(db_url) as conn:
            conn.execute(
                "UPDATE vehicles SET status = 'AVAILABLE' WHERE organization_id = %s AND id = 'V-102'",
                (org,),
            )
    assert cancelled not in maps.order_ids
    assert len(problem.jobs) == len(demo_orders(day)) - 1
    assert "V-102" not in maps.vehicle_ids


def test_optimize_day_stores_a_plan_covering_served_orders(db_url: str) -> None:
    """The stored plan's stops are exactly the served orders, with times on that date and loads."""
    org, day = seeded_org(db_url)
    db = stores_for(db_url)
    plan, summary = optimize_day(db, org, NERIMA_BRANCH_ID, day, OPTS, "U-002")
    assert plan.status == "DRAFT" and plan.revision == 1 and plan.created_by == "U-002"
    stored = get_plan(db, org, plan.id)
    order_stops = [s.order_id for r in stored.routes for s in r.stops if s.order_id is not None]
    assert len(order_stops) == len(set(order_stops)) == summary.served
    unassigned = {u.order_id for u in stored.unassigned}
    assert set(order_stops) | unassigned == {o["id"] for o in demo_orders(day)}
    assert not set(order_stops) & unassigned
    assert summary.orders == len(demo_orders(day))
    assert summary.served + len(summary.unassigned) == summary.orders
    assert summary.vehicles_used == len(stored.routes) > 0
    for r in stored.routes:
        assert r.vehicle_id in {"V-101", "V-102", "V-103"} and r.driver_id in {"D-101", "D-102", "D-103"}
        assert [s.sequence for s in r.stops] == list(range(len(r.stops)))
        assert r.stops[0].kind == "DEPOT" and r.stops[-1].kind == "DEPOT"
        for s in r.stops:
            assert s.arrival_time is not None and s.arrival_time.date() == day
            assert s.arrival_time <= s.service_start_time <= s.departure_time
            assert len(s.load) == 2 and s.load[0] <= (4000 if r.vehicle_id == "V-103" else 2000)
    assert find_plan(db, org, NERIMA_BRANCH_ID, day) == stored


def test_refresh_bumps_revision_and_keeps_old_version(db_url: str) -> None:
    """A changed day refreshes the same DRAFT plan as revision 2 and keeps revision 1's routes."""
    org, day = seeded_org(db_url)
    db = stores_for(db_url)
    first, _ = optimize_day(db, org, NERIMA_BRANCH_ID, day, OPTS, "U-002")
    gone = next(s.order_id for r in first.routes for s in r.stops if s.order_id)
    with psycopg.connect(db_url) as conn:
        conn.execute("UPDATE orders SET status = 'CANCELLED' WHERE organization_id = %s AND id = %s",
                     (org, gone))
    second, _ = optimize_day(db, org, NERIMA_BRANCH_ID, day, OPTS, "U-001")
    assert second.id == first.id
    assert (second.revision, second.version) == (2, 2)
    assert gone not in {s.order_id for r in second.routes for s in r.stops}
    versions = list_versions(db, org, first.id)
    assert [(v.revision, v.changed_by) for v in versions] == [(1, "U-002"), (2, "U-001")]
    n1 = sum(1 for r in first.routes for s in r.stops if s.order_id)
    n2 = sum(1 for r in second.routes for s in r.stops if s.order_id)
    assert versions[1].change.startswith("REOPTIMIZED: ") and f"stops {n1}→{n2}" in versions[1].change
    old_orders = {s["order_id"] for r in versions[0].snapshot["routes"] for s in r["stops"]}
    assert gone in old_orders
    assert _stop_rows(db_url, first.id) == sum(len(r.stops) for r in second.routes)


def _planned_then_one_cancelled(db_url: str) -> tuple[PlanStores, str, datetime.date, PlanRecord]:
    """A stored plan of a day of its own, then one of its orders cancelled (a refresh would change it)."""
    org, day = seeded_org(db_url)
    db = stores_for(db_url)
    first, _ = optimize_day(db, org, NERIMA_BRANCH_ID, day, OPTS, None)
    cancelled = next(s.order_id for r in first.routes for s in r.stops if s.order_id)
    with psycopg.connect(db_url) as conn:
        conn.execute("UPDATE orders SET status = 'CANCELLED' WHERE organization_id = %s AND id = %s",
                     (org, cancelled))
    return db, org, day, first


def test_unknown_user_is_refused_before_solving_and_changes_nothing(db_url: str) -> None:
    db, org, day, first = _planned_then_one_cancelled(db_url)
    with pytest.raises(UnknownUserError, match="U-nobody"):
        optimize_day(db, org, NERIMA_BRANCH_ID, day, OPTS, "U-nobody")
    assert get_plan(db, org, first.id) == first


def test_a_save_failing_in_the_database_rolls_back_completely(db_url: str) -> None:
    """The store refuses an unknown author (foreign key) after replacing the routes: all rolled back."""
    db, org, day, first = _planned_then_one_cancelled(db_url)
    snap = dict(first.snapshot or {}, routes=[])
    with pytest.raises(InvalidReferenceError):
        db.plans.save_day(org, NERIMA_BRANCH_ID, day, snap, "U-nobody")
    assert get_plan(db, org, first.id) == first
    assert _stop_rows(db_url, first.id) == sum(len(r.stops) for r in first.routes)


def test_unknown_travel_is_refused(db_url: str) -> None:
    db, org, day, first = _planned_then_one_cancelled(db_url)
    with pytest.raises(ValueError, match="travel"):
        optimize_day(db, org, NERIMA_BRANCH_ID, day, OPTS, None, travel="teleport")
    assert get_plan(db, org, first.id) == first


def test_published_plan_is_not_replaced_without_force(db_url: str) -> None:
    db, org, day, first = _planned_then_one_cancelled(db_url)
    with psycopg.connect(db_url) as conn:
        conn.execute("UPDATE plans SET status = 'PUBLISHED' WHERE organization_id = %s AND id = %s",
                     (org, first.id))
    with pytest.raises(PlanLockedError, match="force"):
        optimize_day(db, org, NERIMA_BRANCH_ID, day, OPTS, None)
    kept = get_plan(db, org, first.id)
    assert (kept.status, kept.revision, kept.routes) == ("PUBLISHED", 1, first.routes)
    assert len(list_versions(db, org, first.id)) == 1


def test_replan_all_twice_is_idempotent(db_url: str) -> None:
    """Two nightly runs give the same plan ids, revisions, routes and no duplicate stops."""
    org, day = seeded_org(db_url)
    db = stores_for(db_url)
    one = replan_all(db, org, day, options=OPTS)
    assert [s.branch_id for s in one] == [NERIMA_BRANCH_ID] and one[0].outcome == "planned"
    before = get_plan(db, org, one[0].plan_id)
    two = replan_all(db, org, day, options=OPTS)
    assert two[0].plan_id == one[0].plan_id and two[0].outcome == "unchanged"
    after = get_plan(db, org, one[0].plan_id)
    assert after.revision == before.revision == 1

    def shape(p):  # routes without the row ids
        return [(r.vehicle_id, r.driver_id, [(s.order_id, s.arrival_time, s.load) for s in r.stops])
                for r in p.routes]

    assert shape(after) == shape(before)
    assert _stop_rows(db_url, after.id) == sum(len(r.stops) for r in after.routes)
    with psycopg.connect(db_url) as conn:
        n = conn.execute("SELECT count(*) FROM plans WHERE organization_id = %s AND plan_date = %s",
                         (org, day)).fetchone()
    assert n is not None and n[0] == 1


def test_replan_skips_published_unless_forced(db_url: str) -> None:
    """A PUBLISHED plan is kept by a re-plan and replaced (back to DRAFT) only with force."""
    org, day = seeded_org(db_url)
    db = stores_for(db_url)
    plan, _ = optimize_day(db, org, NERIMA_BRANCH_ID, day, OPTS, None)
    with psycopg.connect(db_url) as conn:
        conn.execute("UPDATE plans SET status = 'PUBLISHED' WHERE organization_id = %s AND id = %s",
                     (org, plan.id))
    skipped = replan_all(db, org, day, options=OPTS)
    assert skipped[0].outcome == "skipped" and get_plan(db, org, plan.id).status == "PUBLISHED"
    forced = replan_all(db, org, day, force=True, options=OPTS)
    assert forced[0].outcome == "planned" and forced[0].plan_id == plan.id
    again = get_plan(db, org, plan.id)
    assert again.status == "DRAFT" and again.revision == 2


def test_past_date_is_refused(db_url: str) -> None:
    """Optimizing or re-planning a date before today (JST) raises ValueError and stores nothing."""
    db = stores_for(db_url)
    past = datetime.date(2020, 1, 6)
    with pytest.raises(ValueError, match="in the past"):
        optimize_day(db, ORG_ID, NERIMA_BRANCH_ID, past, OPTS, None)
    with pytest.raises(ValueError, match="in the past"):
        replan_all(db, ORG_ID, past, options=OPTS)
    assert find_plan(db, ORG_ID, NERIMA_BRANCH_ID, past) is None


def test_other_org_cannot_read_the_plan(db_url: str, other_org: str) -> None:
    """A plan of one organization is not found from another one, by id or by day."""
    org, day = seeded_org(db_url)
    db = stores_for(db_url)
    plan, _ = optimize_day(db, org, NERIMA_BRANCH_ID, day, OPTS, None)
    with pytest.raises(NotFoundError):
        get_plan(db, other_org, plan.id)
    with pytest.raises(NotFoundError):
        list_versions(db, other_org, plan.id)
    assert find_plan(db, other_org, NERIMA_BRANCH_ID, day) is None
    with pytest.raises(LookupError):
        build_problem(db, other_org, NERIMA_BRANCH_ID, day)


def test_cli_replan_prints_one_line_per_branch(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``hakobu replan --date D --all --url U`` plans the day and prints a bilingual line per branch."""
    org, day = seeded_org(db_url)
    argv = ["replan", "--date", day.isoformat(), "--all", "--org", org, "--url", db_url,
            "--time-limit", "2", "--seed", "1"]
    assert main(argv) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and NERIMA_BRANCH_ID in out[0] and "served" in out[0] and "件配送" in out[0]
    assert find_plan(stores_for(db_url), org, NERIMA_BRANCH_ID, day) is not None
    assert main(["replan", "--date", "2020-01-01", "--url", db_url]) == 2


def test_planning_settings_stored_per_level_shape_the_problem(db_url: str) -> None:
    """Settings stored for the organization, the branch and one vehicle reach the built problem."""
    org, day = seeded_org(db_url)
    database = Database(db_url)
    set_planning_settings(database, org, {"cost_per_km": 40.0, "speed_kmh": 20.0})
    set_planning_settings(database, org, {"shift_start": datetime.time(6, 30), "max_trips": 3},
                          branch_id=NERIMA_BRANCH_ID)
    set_planning_settings(database, org, {"fixed_cost": 15000.0, "speed_kmh": 90.0}, vehicle_id="V-103")
    problem, maps = build_problem(stores_for(db_url), org, NERIMA_BRANCH_ID, day)
    by_id = dict(zip(maps.vehicle_ids, problem.vehicles, strict=True))
    assert by_id["V-101"].cost_per_km == 40.0 and by_id["V-101"].fixed_cost == 9000.0
    assert by_id["V-103"].fixed_cost == 15000.0 and by_id["V-103"].max_trips == 3
    assert by_id["V-101"].shift.start == 6 * 3600 + 30 * 60
    assert problem.travel.speed == pytest.approx(20.0 / 3.6)  # the branch's, never a vehicle's
    with pytest.raises(InvalidArgumentError):
        set_planning_settings(database, org, {"max_trips": 0}, branch_id=NERIMA_BRANCH_ID)


def test_cli_db_settings_stores_one_level_and_shows_what_applies(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    org, _ = seeded_org(db_url)
    base = ["db", "settings", "--org", org, "--url", db_url]
    branch = [*base, "--branch", NERIMA_BRANCH_ID]
    assert main([*branch, "speed_kmh=25", "shift_start=07:30", "max_trips=3"]) == 0
    out = capsys.readouterr().out
    assert "speed_kmh = 25.0" in out and "shift_start = 07:30:00" in out and "detour_factor = 1.3" in out
    assert main([*branch, "max_trips="]) == 0  # unset one value, keep the others
    out = capsys.readouterr().out
    assert "max_trips = 2" in out and "speed_kmh = 25.0" in out
    assert main([*base, "--vehicle", "V-101", "max_trips=0"]) == 2
    assert "max_trips" in capsys.readouterr().err
    assert main([*base, "colour=red"]) == 2
