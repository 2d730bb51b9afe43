"""Read OSM data (.osm XML or .osm.pbf) into an osmnx street graph: drivable ways, one-way streets, tags.

pyosmium reads either format and keeps the ways of the chosen network (osmnx's filters, evaluated here);
the kept ways and their nodes are written to a small OSM XML file that ``osmnx.graph_from_xml`` turns into a
networkx MultiDiGraph (one edge per way segment, not simplified; one-way streets in one direction only).
Connectivity (largest strongly connected part) is decided per vehicle class later, after the class's
tag rules have removed the roads it may not use.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

from geo.errors import OsmFileError

if TYPE_CHECKING:
    import networkx as nx

# Way tags kept on the graph's edges: osmnx's defaults plus what the speed and vehicle rules read.
WAY_TAGS: tuple[str, ...] = (
    "highway",
    "oneway",
    "junction",
    "name",
    "ref",
    "lanes",
    "maxspeed",
    "access",
    "area",
    "service",
    "bridge",
    "tunnel",
    "width",
    "est_width",
    "vehicle",
    "motor_vehicle",
    "motorcar",
    "goods",
    "hgv",
    "maxheight",
    "maxheight:physical",
    "maxwidth",
    "maxwidth:physical",
    "maxlength",
    "maxweight",
    "maxweightrating",
    "maxweight:hgv",
)

# osmnx's network filters (osmnx._overpass._get_network_filter), as exact values rather than regexes.
_NOT_DRIVE = frozenset(
    {
        "abandoned",
        "bridleway",
        "bus_guideway",
        "construction",
        "corridor",
        "cycleway",
        "elevator",
        "escalator",
        "footway",
        "no",
        "path",
        "pedestrian",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "rest_area",
        "services",
        "steps",
        "track",
    }
)
_NOT_ANY = frozenset(
    {"abandoned", "construction", "no", "planned", "platform", "proposed", "raceway", "razed"}
)
_SERVICE_DRIVE = frozenset({"alley", "driveway", "emergency_access", "parking", "parking_aisle", "private"})
_SERVICE_DRIVE_SERVICE = frozenset({"emergency_access", "parking", "parking_aisle", "private"})

NETWORK_TYPES = ("drive", "drive_service", "all")


def keep_way(tags: Mapping[str, str], network_type: str = "drive") -> bool:
    """True if a way with these tags belongs to the network: osmnx's 'drive', 'drive_service' or 'all'."""
    highway = tags.get("highway")
    if highway is None or tags.get("area") == "yes":
        return False
    if network_type == "all":
        return highway not in _NOT_ANY
    if tags.get("access") == "private" or highway in _NOT_DRIVE:
        return False
    if tags.get("motor_vehicle") == "no" or tags.get("motorcar") == "no":
        return False
    if network_type == "drive":
        return highway != "service" and tags.get("service") not in _SERVICE_DRIVE
    if network_type == "drive_service":
        return tags.get("service") not in _SERVICE_DRIVE_SERVICE
    raise ValueError(f"unknown network type {network_type!r}; use one of {NETWORK_TYPES}")


def read_osm_file(path: str | os.PathLike[str], network_type: str = "drive") -> nx.MultiDiGraph:
    """The network's ways in an .osm or .osm.pbf file as an unsimplified osmnx MultiDiGraph (all parts).

    Raises OsmFileError if the file cannot be read or holds no way of the network.
    """
    if network_type not in NETWORK_TYPES:
        raise ValueError(f"unknown network type {network_type!r}; use one of {NETWORK_TYPES}")
    path = Path(path)
    if not path.is_file():
        raise OsmFileError(f"OSM file not found: {path}")
    if path.stat().st_size == 0:
        raise OsmFileError(f"OSM file is empty: {path}")
    with tempfile.TemporaryDirectory(prefix="hakobu-osm-") as tmp:
        xml = Path(tmp) / "roads.osm"
        ways = _write_filtered_xml(path, xml, network_type)
        if ways == 0:
            raise OsmFileError(f"no {network_type} roads in OSM file {path}")
        return graph_from_xml(xml)


def graph_from_xml(path: Path) -> nx.MultiDiGraph:
    """osmnx.graph_from_xml with our way tags kept, unsimplified, every component retained."""
    import osmnx as ox

    with _useful_way_tags(WAY_TAGS):
        return ox.graph_from_xml(path, simplify=False, retain_all=True)


def graph_from_place(query: str | Mapping[str, str], network_type: str = "drive") -> nx.MultiDiGraph:
    """Download a place's network with osmnx (needs the network; not used in tests)."""
    import osmnx as ox

    with _useful_way_tags(WAY_TAGS):
        return ox.graph_from_place(query, network_type=network_type, simplify=False, retain_all=True)


def graph_from_bbox(
    west: float, south: float, east: float, north: float, network_type: str = "drive"
) -> nx.MultiDiGraph:
    """Download a bounding box's network with osmnx (needs the network; not used in tests)."""
    import osmnx as ox

    with _useful_way_tags(WAY_TAGS):
        return ox.graph_from_bbox(
            (west, south, east, north), network_type=network_type, simplify=False, retain_all=True
        )


@contextlib.contextmanager
def _useful_way_tags(tags: tuple[str, ...]) -> Iterator[None]:
    import osmnx as ox

    saved = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = list(dict.fromkeys([*saved, *tags]))
    try:
        yield
    finally:
        ox.settings.useful_tags_way = saved


def _write_filtered_xml(source: Path, target: Path, network_type: str) -> int:
    """Write the network's ways and their nodes to ``target`` as OSM XML; return the number of ways."""
    import osmium

    ways: list[tuple[int, list[int], dict[str, str]]] = []
    needed: set[int] = set()
    try:
        for way in osmium.FileProcessor(str(source), osmium.osm.WAY):
            tags = {t.k: t.v for t in way.tags}
            if keep_way(tags, network_type):
                refs = [n.ref for n in way.nodes]
                if len(refs) >= 2:
                    ways.append((way.id, refs, {k: v for k, v in tags.items() if k in WAY_TAGS}))
                    needed.update(refs)
        nodes: dict[int, tuple[float, float]] = {}
        for node in osmium.FileProcessor(str(source), osmium.osm.NODE):
            if node.id in needed and node.location.valid():
                nodes[node.id] = (node.location.lat, node.location.lon)
    except RuntimeError as exc:  # libosmium's parse and format errors
        raise OsmFileError(f"cannot read OSM file {source}: {exc}") from exc
    with open(target, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="hakobu">\n')
        for node_id, (lat, lon) in nodes.items():
            out.write(f'<node id="{node_id}" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
        written = 0
        for way_id, refs, tags in ways:
            present = [r for r in refs if r in nodes]
            if len(present) < 2:
                continue
            out.write(f'<way id="{way_id}">')
            out.write("".join(f'<nd ref="{r}"/>' for r in present))
            out.write("".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()))
            out.write("</way>\n")
            written += 1
        out.write("</osm>\n")
    return written
