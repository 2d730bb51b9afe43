"""Write the roads of an OpenStreetMap file as a small .osm.pbf (how data/osm/ was made).

    python scripts/osm_extract.py ../shared/data/osm/tokyo_nerima.osm data/osm/tokyo_nerima.osm.pbf

Keeps every way with a ``highway`` tag (all its tags) and the nodes those ways use (location and tags);
drops buildings, land use, relations and the editing metadata (user, changeset, timestamp), which the
road graphs never read. The file's bounds are kept. The output is OpenStreetMap data under the ODbL:
credit "© OpenStreetMap contributors" wherever it is distributed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import osmium


def extract_roads(source: Path, target: Path) -> tuple[int, int]:
    """Write ``source``'s highway ways and their nodes to ``target``; return (nodes, ways) written."""
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    needed: set[int] = set()
    for way in osmium.FileProcessor(str(source), osmium.osm.WAY):
        tags = {t.k: t.v for t in way.tags}
        if "highway" in tags:
            refs = [n.ref for n in way.nodes]
            ways.append((way.id, refs, tags))
            needed.update(refs)
    nodes: list[osmium.osm.mutable.Node] = []
    for node in osmium.FileProcessor(str(source), osmium.osm.NODE):
        if node.id in needed and node.location.valid():
            tags = {t.k: t.v for t in node.tags}
            nodes.append(osmium.osm.mutable.Node(id=node.id, location=node.location, tags=tags))
    header = osmium.io.Header()
    box = osmium.io.Reader(str(source), osmium.osm.osm_entity_bits.NOTHING).header().box()
    if box.valid():
        header.add_box(box)
    header.set("generator", "hakobu scripts/osm_extract.py")
    target.unlink(missing_ok=True)
    out = osmium.io.File(str(target), "pbf,add_metadata=false")
    writer = osmium.SimpleWriter(out, header=header)
    try:
        for node in nodes:  # in the source's order, so the graph is built exactly as from the source
            writer.add_node(node)
        for way_id, refs, tags in ways:
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=refs, tags=tags))
    finally:
        writer.close()
    return len(nodes), len(ways)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="an .osm or .osm.pbf file")
    parser.add_argument("target", type=Path, help="the .osm.pbf to write")
    ns = parser.parse_args(argv)
    nodes, ways = extract_roads(ns.source, ns.target)
    print(f"{ns.target}: {nodes} nodes, {ways} ways, {ns.target.stat().st_size} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
