"""The OpenStreetMap extract the repository carries (data/osm/) against the shared one it was made from."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from geo.osm import NETWORK_TYPES, read_osm_file

REPO = Path(__file__).resolve().parents[2]
CARRIED = REPO / "data" / "osm" / "tokyo_nerima.osm.pbf"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("osm_extract", REPO / "scripts" / "osm_extract.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_carried_extract_is_what_the_script_makes(data_dir: Path, tmp_path: Path) -> None:
    """scripts/osm_extract.py on the shared Nerima file rebuilds data/osm's file byte for byte."""
    out = tmp_path / "tokyo_nerima.osm.pbf"
    nodes, ways = _script().extract_roads(data_dir / "osm" / "tokyo_nerima.osm", out)
    assert (nodes, ways) == (2779, 687)
    assert out.read_bytes() == CARRIED.read_bytes()
    assert CARRIED.stat().st_size < 64 * 1024


@pytest.mark.parametrize("network_type", NETWORK_TYPES)
def test_carried_extract_gives_the_shared_graph(data_dir: Path, network_type: str) -> None:
    """Every road network read from the small file equals, node and edge with tags, the full file's."""
    small = read_osm_file(CARRIED, network_type)
    full = read_osm_file(data_dir / "osm" / "tokyo_nerima.osm", network_type)
    assert dict(small.nodes(data=True)) == dict(full.nodes(data=True))
    edges = {(u, v, k): d for u, v, k, d in small.edges(keys=True, data=True)}
    assert edges == {(u, v, k): d for u, v, k, d in full.edges(keys=True, data=True)}
    assert len(edges) > 1000


def test_carried_extract_is_credited() -> None:
    """The ODbL asks for the credit wherever the data is distributed: the folder's README and the main one."""
    for readme in (REPO / "data" / "osm" / "README.md", REPO / "README.md"):
        text = readme.read_text()
        assert "© OpenStreetMap contributors" in text and "ODbL" in text, readme
