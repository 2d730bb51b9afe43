"""Fixtures for the geo tests: compiled Tokyo extracts (built once per session) and synthetic OSM files."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.compiled import RoadGraph, load_graph

# A small synthetic town near Shibuya. A and B are joined directly by a 450 m road (tags set by the test)
# and by a 1.1 km detour A-C-D-B of plain residential roads.
_NODES = {
    1: (35.7000, 139.7000),  # A
    2: (35.7000, 139.7025),  # M, middle of the direct road
    3: (35.7000, 139.7050),  # B
    4: (35.7030, 139.7000),  # C
    5: (35.7030, 139.7050),  # D
}
A, B, C, D = _NODES[1], _NODES[3], _NODES[4], _NODES[5]


def synthetic_osm(path: Path, direct_tags: dict[str, str], detour_tags: dict[str, str] | None = None) -> Path:
    """Write the synthetic town to ``path``; the direct road A-M-B carries ``direct_tags``."""
    detour = {"highway": "residential", **(detour_tags or {})}
    direct = {"highway": "residential", **direct_tags}
    ways = [(10, [1, 2, 3], direct), (11, [1, 4], detour), (12, [4, 5], detour), (13, [5, 3], detour)]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    lines += [f'<node id="{i}" lat="{lat}" lon="{lng}"/>' for i, (lat, lng) in _NODES.items()]
    for way_id, refs, tags in ways:
        nds = "".join(f'<nd ref="{r}"/>' for r in refs)
        tgs = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append(f'<way id="{way_id}">{nds}{tgs}</way>')
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def geo_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("geo-cache")


@pytest.fixture(scope="session")
def osm_dir(data_dir: Path) -> Path:
    folder = data_dir / "osm"
    if not folder.is_dir():
        pytest.skip(f"OSM extracts not found at {folder}")
    return folder


@pytest.fixture(scope="session")
def nerima(osm_dir: Path, geo_cache: Path) -> RoadGraph:
    return load_graph(osm_dir / "tokyo_nerima.osm", cache_dir=geo_cache)


@pytest.fixture(scope="session")
def nakameguro(osm_dir: Path, geo_cache: Path) -> RoadGraph:
    return load_graph(osm_dir / "tokyo_nakameguro.osm", cache_dir=geo_cache)
