"""Reading OSM files: the drive filter, one-way streets, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.errors import OsmFileError
from geo.osm import keep_way, read_osm_file
from tests.unit.geo.conftest import synthetic_osm


def test_drive_filter_matches_osmnx() -> None:
    """Drivable classes are kept; footways, private roads, service alleys and areas are not."""
    assert keep_way({"highway": "residential"})
    assert not keep_way({"highway": "footway"})
    assert not keep_way({"highway": "residential", "access": "private"})
    assert not keep_way({"highway": "service"})
    assert keep_way({"highway": "service"}, "drive_service")
    assert not keep_way({"highway": "service", "service": "parking_aisle"}, "drive_service")
    assert not keep_way({"highway": "residential", "area": "yes"})
    assert keep_way({"highway": "footway"}, "all")
    with pytest.raises(ValueError, match="network type"):
        keep_way({"highway": "residential"}, "boat")


def test_oneway_is_kept_in_one_direction(tmp_path: Path) -> None:
    """A oneway=yes way gives edges in its direction only; a two-way way gives both directions."""
    graph = read_osm_file(synthetic_osm(tmp_path / "t.osm", {"oneway": "yes", "maxheight": "2.5"}))
    assert graph.has_edge(1, 2) and graph.has_edge(2, 3)
    assert not graph.has_edge(2, 1) and not graph.has_edge(3, 2)
    assert graph.has_edge(1, 4) and graph.has_edge(4, 1)
    assert graph.edges[1, 2, 0]["maxheight"] == "2.5"  # the rule tags survive the osmnx round trip


def test_pbf_is_read(osm_dir: Path) -> None:
    """The Liechtenstein .osm.pbf reads into a drive graph of the documented size (before SCC)."""
    graph = read_osm_file(osm_dir / "liechtenstein-2015-07-27.osm.pbf")
    assert 12_600 <= len(graph) <= 15_000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"this is not OSM data at all", "cannot read"),
        (
            b'<?xml version="1.0"?><osm version="0.6"><node id="1" lat="35" lon="139"/></osm>',
            "no drive roads",
        ),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path: Path, content: bytes, message: str) -> None:
    """Empty, unreadable and road-less files raise OsmFileError naming the problem."""
    path = tmp_path / "bad.osm"
    path.write_bytes(content)
    with pytest.raises(OsmFileError, match=message):
        read_osm_file(path)


def test_missing_file(tmp_path: Path) -> None:
    """A path that does not exist raises OsmFileError."""
    with pytest.raises(OsmFileError, match="not found"):
        read_osm_file(tmp_path / "nope.osm.pbf")
