"""The planning setting ``wait_counts_as_break``: off by default, stored per level, carried into the
problem's driving rules of vehicles and drivers."""

from __future__ import annotations

import pytest

from server.plans.build import build_problem
from server.plans.planning import DEFAULTS, parse_value
from tests.unit.plans.builders import BRANCH, ORG, day, master, stores


def test_off_by_default_and_parsed_from_text():
    assert DEFAULTS.wait_counts_as_break is False
    assert parse_value("wait_counts_as_break", "true") is True
    assert parse_value("wait_counts_as_break", "off") is False
    assert parse_value("wait_counts_as_break", "") is None
    with pytest.raises(ValueError, match="wait_counts_as_break"):
        parse_value("wait_counts_as_break", "sometimes")


def test_the_setting_reaches_the_rules_of_the_problem():
    s = stores()
    problem, _ = build_problem(s, ORG, BRANCH, day())
    assert {v.rules.wait_counts_as_break for v in problem.vehicles} == {False}
    master(s).settings[(ORG, BRANCH, None)] = {"wait_counts_as_break": True}
    problem, _ = build_problem(s, ORG, BRANCH, day())
    assert {v.rules.wait_counts_as_break for v in problem.vehicles} == {True}
    assert {d.rules.wait_counts_as_break for d in problem.drivers} == {True}
    master(s).settings[(ORG, None, "V-1")] = {"wait_counts_as_break": False}
    problem, _ = build_problem(s, ORG, BRANCH, day())
    assert {v.id: v.rules.wait_counts_as_break for v in problem.vehicles} == {
        "V-1": False, "V-2": True, "V-3": True}
