"""Compiled road graphs: per-class filtering, the largest strongly connected part, and the disk cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import geo.compiled as compiled
from geo.compiled import RoadGraph, load_graph
from geo.errors import NoRoadsError, UnknownGraphError, UnknownProfileError
from geo.profiles import DEFAULT_PROFILES, VehicleProfile
from geo.registry import GraphRegistry
from geo.speeds import SpeedTable
from tests.unit.geo.conftest import synthetic_osm


def test_nerima_matches_the_documented_drive_graph(nerima: RoadGraph) -> None:
    """Nerima's drive graph, largest strongly connected part, has the 2,474 nodes osmnx gives."""
    for name in DEFAULT_PROFILES:
        assert nerima.profile(name).node_count == 2474
    south, west, north, east = nerima.bbox
    assert 35.72 < south < 35.741 and 35.757 < north < 35.77
    assert 139.64 < west < 139.658 and 139.68 < east < 139.70


def test_real_maxheight_removes_a_road_for_big_trucks(nakameguro: RoadGraph) -> None:
    """Naka-Meguro's way 58105376 (maxheight 2.9) is in the 軽 graph and absent for 2t, 4t and 10t."""
    way = 58105376
    assert (nakameguro.profile("軽").way_id == way).sum() > 0
    for name in ("2t", "4t", "10t"):
        assert (nakameguro.profile(name).way_id == way).sum() == 0


def test_cached_load_skips_the_osm_file(
    osm_dir: Path, geo_cache: Path, nerima: RoadGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second load reads the .npz cache (never the OSM file) and gives the same arrays."""

    def fail(*_: object, **__: object) -> None:
        raise AssertionError("the OSM file was parsed again")

    monkeypatch.setattr(compiled, "read_osm_file", fail)
    again = load_graph(osm_dir / "tokyo_nerima.osm", cache_dir=geo_cache)
    assert again.graph_id == nerima.graph_id
    for name in DEFAULT_PROFILES:
        a, b = nerima.profile(name), again.profile(name)
        assert np.array_equal(a.keys, b.keys) and np.array_equal(a.cch.up, b.cch.up)


def test_cache_key_follows_profile_and_speeds(tmp_path: Path) -> None:
    """A changed profile gets its own cache file; a changed speed table gets a new graph id."""
    osm = synthetic_osm(tmp_path / "t.osm", {})
    cache = tmp_path / "cache"
    kei = DEFAULT_PROFILES["軽"]
    first = load_graph(osm, profiles=[kei], cache_dir=cache)
    taller = VehicleProfile("軽", height_m=2.1, width_m=1.48, length_m=3.4, weight_t=1.2, is_hgv=False)
    load_graph(osm, profiles=[taller], cache_dir=cache)
    assert len(list(cache.glob("*.npz"))) == 2
    slower = load_graph(osm, profiles=[kei], cache_dir=cache, speeds=SpeedTable(fallback_kmh=5.0))
    assert slower.graph_id != first.graph_id
    assert not list(cache.glob("*.tmp"))


def test_class_without_roads_fails_and_writes_nothing(tmp_path: Path) -> None:
    """When every road is too low for the 10t class, load_graph names it and caches no class at all."""
    osm = synthetic_osm(tmp_path / "low.osm", {"maxheight": "2.0"}, {"maxheight": "2.0"})
    cache = tmp_path / "cache"
    with pytest.raises(NoRoadsError, match="10t"):
        load_graph(osm, profiles=[DEFAULT_PROFILES["軽"], DEFAULT_PROFILES["10t"]], cache_dir=cache)
    assert not cache.exists() or not any(cache.iterdir())


def test_unknown_class_and_graph_id(nerima: RoadGraph) -> None:
    """Asking for a class that was not compiled, or a graph id not loaded, names what is available."""
    with pytest.raises(UnknownProfileError, match="no vehicle class 'bus'"):
        nerima.profile("bus")
    registry = GraphRegistry()
    registry.add(nerima)
    assert registry.get(nerima.graph_id) is nerima
    with pytest.raises(UnknownGraphError, match=rf"unknown graph id 'nope'.*{nerima.graph_id}"):
        registry.get("nope")


def test_damaged_cache_file_is_rebuilt(tmp_path: Path) -> None:
    """A truncated .npz in the cache is ignored and replaced by a fresh build."""
    osm = synthetic_osm(tmp_path / "t.osm", {})
    cache = tmp_path / "cache"
    kei = DEFAULT_PROFILES["軽"]
    good = load_graph(osm, profiles=[kei], cache_dir=cache)
    (file,) = cache.glob("*.npz")
    file.write_bytes(file.read_bytes()[:100])
    rebuilt = load_graph(osm, profiles=[kei], cache_dir=cache)
    assert np.array_equal(rebuilt.profile("軽").keys, good.profile("軽").keys)
    assert file.stat().st_size > 100


def test_unwritable_cache_still_loads(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A cache folder that cannot be created is logged and skipped; the graph is still returned."""
    osm = synthetic_osm(tmp_path / "t.osm", {})
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    graph = load_graph(osm, profiles=[DEFAULT_PROFILES["軽"]], cache_dir=blocker / "cache")
    assert graph.profile("軽").node_count == 5
    assert "cannot cache compiled graph" in caplog.text
