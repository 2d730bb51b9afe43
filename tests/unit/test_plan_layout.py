"""Dispatcher edits on a plan's layout and plan comparison: pure functions, no database."""

from __future__ import annotations

import pytest

from server.plans.compare import compare, describe
from server.plans.layout import (
    RELOAD,
    EditError,
    EditRefused,
    Layout,
    LockOrder,
    MoveOrder,
    RouteLayout,
    SetDriver,
    SetStopStatus,
    StopState,
    UnassignOrder,
    apply_edit,
)

KNOWN = ("A", "B", "C", "D", "E")


def _layout(**states: StopState) -> Layout:
    return Layout(
        (RouteLayout("V1", "D1", ("A", "B", RELOAD, "C")), RouteLayout("V2", "D2", ("D",))), dict(states)
    )


def test_move_within_and_across_routes_and_assign() -> None:
    lay, desc = apply_edit(_layout(), MoveOrder("A", "V1", 1), "edits[0]", KNOWN)
    assert lay.routes[0].items == ("B", "A", RELOAD, "C") and "A" in desc
    lay, _ = apply_edit(_layout(), MoveOrder("C", "V2", 0), "edits[0]", KNOWN)
    assert lay.routes[0].items == ("A", "B") and lay.routes[1].items == ("C", "D")  # trailing reload gone
    lay, _ = apply_edit(_layout(), MoveOrder("E", "V3"), "edits[0]", KNOWN)  # unassigned → new route
    assert lay.routes[2] == RouteLayout("V3", None, ("E",))


def test_bad_edits_name_their_field() -> None:
    with pytest.raises(EditError) as err:
        apply_edit(_layout(), MoveOrder("A", "V2", 5), "edits[3]", KNOWN)
    assert err.value.field == "edits[3].move_order.position"
    with pytest.raises(EditError) as err:
        apply_edit(_layout(), UnassignOrder("Z"), "edits[0]", KNOWN)
    assert err.value.field == "edits[0].unassign_order.order"
    with pytest.raises(EditError) as err:
        apply_edit(_layout(), SetStopStatus("A", "LOST"), "edits[1]", KNOWN)
    assert err.value.field == "edits[1].set_stop_status.status"


def test_what_has_happened_stays() -> None:
    done = _layout(A=StopState("DONE"))
    with pytest.raises(EditRefused):
        apply_edit(done, MoveOrder("A", "V2"), "edits[0]", KNOWN)
    with pytest.raises(EditRefused):
        apply_edit(done, UnassignOrder("A"), "edits[0]", KNOWN)
    with pytest.raises(EditRefused):  # nothing may be put before a stop that already happened
        apply_edit(done, MoveOrder("D", "V1", 0), "edits[0]", KNOWN)
    lay, _ = apply_edit(done, MoveOrder("D", "V1", 1), "edits[0]", KNOWN)
    assert lay.routes[0].items[:2] == ("A", "D")


def test_driver_swap_lock_and_progress() -> None:
    lay, _ = apply_edit(_layout(), SetDriver("V1", "D2"), "edits[0]", KNOWN)
    assert [r.driver_id for r in lay.routes] == ["D2", "D1"]
    lay, _ = apply_edit(lay, LockOrder("C"), "edits[1]", KNOWN)
    assert lay.state("C").locked
    lay, _ = apply_edit(lay, SetStopStatus("C", "ARRIVED"), "edits[2]", KNOWN)
    assert lay.state("C") == StopState("ARRIVED", True)
    with pytest.raises(EditRefused):
        apply_edit(lay, LockOrder("E"), "edits[3]", KNOWN)  # not on a route


def _snap(routes: dict[str, list[str]], unassigned: list[str], km: dict[str, int]) -> dict:
    return {
        "routes": [
            {"vehicle_id": v, "driver_id": None, "distance_m": km[v] * 1000, "cost": 1.0,
             "start_time": "2026-12-01T08:00:00+09:00", "end_time": "2026-12-01T10:00:00+09:00",
             "stops": [{"order_id": o} for o in orders]}
            for v, orders in routes.items()
        ],
        "unassigned": [{"order_id": o} for o in unassigned],
        "violations": [{"code": "TIME_WINDOW", "vehicle_id": "V2", "order_id": "D"}],
    }


def test_compare_counts_and_per_vehicle_changes() -> None:
    a = _snap({"V1": ["A", "B"], "V2": ["C"]}, ["D"], {"V1": 10, "V2": 5})
    b = _snap({"V1": ["B", "A", "D"]}, ["C"], {"V1": 12})
    c = compare(a, b)
    assert (c.a.stops, c.b.stops, c.a.vehicles_used, c.b.vehicles_used) == (3, 3, 2, 1)
    assert (c.a.distance_m, c.b.distance_m, c.a.duration_s, c.b.late_stops) == (15000, 12000, 14400, 1)
    v1, v2 = c.routes
    assert v1.added == ("D",) and v1.resequenced and not v1.removed
    assert v2.removed == ("C",) and v2.distance_after_m == 0
    assert c.newly_unassigned == ("C",) and c.newly_assigned == ("D",)
    assert describe(a, b) == ("+1 assigned / -1 unassigned, stops 3→3, 2 route(s) changed, "
                              "vehicles 2→1, -3.0 km")
