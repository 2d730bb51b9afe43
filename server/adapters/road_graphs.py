"""``RoadGraphs`` over the geo graph registry: which graphs exist and which one covers a branch."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from geo.registry import GraphRegistry

log = logging.getLogger("hakobu.plans")


class RegistryGraphs:
    """Implements ``server.plans.ports.RoadGraphs``; a graph's area is the box its OSM file declares
    (read from the file's header, without compiling), else the bounding box of its compiled roads."""

    def __init__(self, registry: GraphRegistry) -> None:
        self.registry = registry
        self._boxes: dict[str, tuple[float, float, float, float]] = {}
        self._lock = threading.Lock()

    def known(self, graph: str) -> bool:
        return graph in self.registry.ids()

    def graph_at(self, latitude: float, longitude: float) -> str | None:
        """The smallest graph whose area holds the point, or None."""
        ids = self.registry.ids()
        holding = []
        for name in [n for n in ids if self.registry.source(n) is not None] or ids:
            try:
                south, west, north, east = self._box(name)
            except Exception:  # an unreadable extract covers nothing
                log.warning("road graph %s cannot be loaded; skipped", name, exc_info=True)
                continue
            if south <= latitude <= north and west <= longitude <= east:
                holding.append(((north - south) * (east - west), name))
        return min(holding)[1] if holding else None

    def _box(self, name: str) -> tuple[float, float, float, float]:
        with self._lock:
            box = self._boxes.get(name)
        if box is None:
            source = self.registry.source(name)
            box = (declared_box(source) if source is not None else None) or self.registry.get(name).bbox
            with self._lock:
                self._boxes[name] = box
        return box


def declared_box(path: Path) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) from an OSM file's header (``<bounds>`` or the PBF header), if any."""
    try:
        import osmium

        reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
        try:
            box = reader.header().box()
        finally:
            reader.close()
    except Exception:  # unreadable here: the compiled graph decides
        return None
    if not box.valid():
        return None
    return box.bottom_left.lat, box.bottom_left.lon, box.top_right.lat, box.top_right.lon
