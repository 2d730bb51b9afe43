"""RegistryGraphs: which road graph holds a branch, from the graphs' own extent."""

from __future__ import annotations

from pathlib import Path

from geo.registry import GraphRegistry
from server.adapters.road_graphs import RegistryGraphs
from tests.unit.geo.conftest import _NODES, synthetic_osm


def test_a_point_inside_a_graph_gets_it_and_one_outside_gets_none(tmp_path: Path) -> None:
    registry = GraphRegistry(cache_dir=None)
    registry.add_file(synthetic_osm(tmp_path / "town.osm", {}), "town")
    graphs = RegistryGraphs(registry)
    lats = [lat for lat, _ in _NODES.values()]
    lngs = [lng for _, lng in _NODES.values()]
    middle = ((min(lats) + max(lats)) / 2, (min(lngs) + max(lngs)) / 2)
    assert graphs.known("town") and not graphs.known("atlantis")
    assert graphs.graph_at(*middle) == "town"
    assert graphs.graph_at(max(lats) + 0.5, middle[1]) is None


def test_an_unreadable_extract_covers_nothing(tmp_path: Path) -> None:
    registry = GraphRegistry(cache_dir=None)
    (tmp_path / "broken.osm").write_text("not xml", encoding="utf-8")
    registry.add_file(tmp_path / "broken.osm", "broken")
    assert RegistryGraphs(registry).graph_at(35.0, 139.0) is None


def test_the_box_an_extract_declares_is_used_without_compiling_it(tmp_path: Path) -> None:
    """A file's own ``<bounds>`` decides (this one has no roads at all, so compiling it would fail)."""
    osm = tmp_path / "declared.osm"
    osm.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'
        '<bounds minlat="35.74" minlon="139.65" maxlat="35.76" maxlon="139.68"/>\n</osm>\n',
        encoding="utf-8",
    )
    registry = GraphRegistry(cache_dir=None)
    registry.add_file(osm, "declared")
    assert RegistryGraphs(registry).graph_at(35.75, 139.66) == "declared"
    assert not registry.is_loaded("declared")
