"""Tests for the Solomon VRPTW reader."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from optimizer.compiled import compile_problem
from optimizer.io import read_solomon
from optimizer.model import Rounding, TravelMode

DATA = (
    Path(
        os.environ.get(
            "HAKOBU_BENCHMARK_DATA", Path(__file__).resolve().parents[4] / "shared" / "data" / "benchmarks"
        )
    )
    / "solomon"
)
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"benchmark data not found at {DATA}")

TINY = """TINY

VEHICLE
NUMBER     CAPACITY
  2         50

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0         0          0          0       100          0
    7      3         4         10          5        20         2.5
    9      1         1         20          0        90         10
"""


@needs_data
def test_c101_fields():
    """C101 gives 100 jobs with the file's ids, 25 vehicles of capacity 200 and windows in tenths."""
    p = read_solomon(DATA / "C101.txt")
    assert len(p.jobs) == 100
    assert [j.id for j in p.jobs] == [str(i) for i in range(1, 101)]
    assert len(p.vehicles) == 25 and {v.capacity for v in p.vehicles} == {(200,)}
    depot = p.depots[0]
    assert (depot.location.x, depot.location.y) == (40.0, 50.0)
    assert (depot.time_window.start, depot.time_window.end) == (0, 12360)
    first, last = p.jobs[0], p.jobs[-1]
    assert first.demand == (10,) and first.stop.service_duration == 900
    assert [(w.start, w.end) for w in first.stop.time_windows] == [(9120, 9670)]
    assert [(w.start, w.end) for w in last.stop.time_windows] == [(6470, 7260)]
    assert p.travel.mode is TravelMode.EUCLIDEAN and p.travel.rounding is Rounding.TRUNCATE
    assert p.travel.scale == 10.0 and p.travel.speed == 1.0


@needs_data
def test_c101_distances_truncated_tenths():
    """Compiled distances and durations are Euclidean distances ×10 truncated, computed by hand."""
    c = compile_problem(read_solomon(DATA / "C101.txt"))
    assert c.distance(0, 0, 1) == 186  # sqrt(349) = 18.681 -> 186, not 187
    assert c.distance(0, 0, 2) == 206  # sqrt(425) = 20.616
    assert c.distance(0, 1, 2) == 20  # exactly 2.0
    assert c.distance(0, 0, 20) == 100  # exactly 10.0 must not truncate to 99
    assert c.duration(0, 0, 1) == 186 and c.duration(0, 0, 20) == 100


def test_decimal_service_and_custom_ids(tmp_path):
    """Non-sequential ids are kept and a decimal service time becomes an integer number of tenths."""
    f = tmp_path / "tiny.txt"
    f.write_text(TINY)
    p = read_solomon(f)
    assert [j.id for j in p.jobs] == ["7", "9"]
    assert [j.stop.service_duration for j in p.jobs] == [25, 100]
    assert len(p.vehicles) == 2 and p.vehicles[0].capacity == (50,)
    assert compile_problem(p).distance(0, 0, 1) == 50


def test_missing_file(tmp_path):
    """A missing instance file raises FileNotFoundError with its path."""
    with pytest.raises(FileNotFoundError, match=r"C999\.txt"):
        read_solomon(tmp_path / "C999.txt")


def test_vrplib_file_is_rejected(tmp_path):
    """A VRPLIB file is not mistaken for a Solomon instance."""
    f = tmp_path / "x.vrp"
    f.write_text("NAME : x\nTYPE : CVRP\nDIMENSION : 2\nNODE_COORD_SECTION\n1 0 0\n2 1 1\n")
    with pytest.raises(ValueError, match="not a Solomon instance"):
        read_solomon(f)


def test_bad_row_names_the_line(tmp_path):
    """A customer row with a missing value is reported with its line number."""
    f = tmp_path / "bad.txt"
    f.write_text(
        TINY.replace("    9      1         1         20          0        90         10", "    9 1 1 20")
    )
    with pytest.raises(ValueError, match=r"bad\.txt:12: expected 7 values"):
        read_solomon(f)
