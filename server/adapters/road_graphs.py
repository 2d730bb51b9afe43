"""``RoadGraphs`` over the geo graph registry: which graphs exist and which one covers a branch."""

from __future__ import annotations

import logging
import threading

from geo.registry import GraphRegistry

log = logging.getLogger("hakobu.plans")


class RegistryGraphs:
    """Implements ``server.plans.ports.RoadGraphs``; a graph's area is the bounding box of its roads.

    Finding the graph of a point compiles each graph once (then it is in the registry and the disk cache).
    """

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
            box = self.registry.get(name).bbox
            with self._lock:
                self._boxes[name] = box
        return box
