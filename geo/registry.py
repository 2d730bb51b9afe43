"""Road graphs by name, loaded on first use, so requests can name a graph."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from geo.compiled import RoadGraph, load_graph
from geo.errors import UnknownGraphError

#: File suffixes recognised as OpenStreetMap extracts.
OSM_SUFFIXES = (".osm.pbf", ".osm")


def graph_name(path: Path) -> str:
    """``tokyo_nerima`` for ``tokyo_nerima.osm``; ``liechtenstein-2015-07-27`` for its ``.osm.pbf``."""
    name = path.name
    for suffix in OSM_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


class GraphRegistry:
    """A thread-safe map from graph name (or compiled graph id) to RoadGraph.

    Files registered with :meth:`add_file` are compiled (or read from the disk
    cache) the first time a request names them.
    """

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None) -> None:
        self._graphs: dict[str, RoadGraph] = {}
        self._files: dict[str, Path] = {}
        self._lock = threading.Lock()
        self._cache_dir = cache_dir

    def add(self, graph: RoadGraph, name: str | None = None) -> str:
        with self._lock:
            self._graphs[graph.graph_id] = graph
            if name:
                self._graphs[name] = graph
        return name or graph.graph_id

    def add_file(self, path: str | os.PathLike[str], name: str | None = None) -> str:
        p = Path(path)
        key = name or graph_name(p)
        with self._lock:
            self._files[key] = p
        return key

    def add_directory(self, folder: str | os.PathLike[str]) -> list[str]:
        """Register every OSM file in ``folder``; returns their names."""
        return [self.add_file(p) for p in sorted(Path(folder).iterdir()) if p.name.endswith(OSM_SUFFIXES)]

    def get(self, graph_id: str) -> RoadGraph:
        """The graph with this name or id; UnknownGraphError naming the known ones otherwise."""
        with self._lock:
            graph = self._graphs.get(graph_id)
            path = self._files.get(graph_id)
            known = sorted(set(self._files) | {k for k in self._graphs if k not in self._files})
            if graph is None and path is not None:
                graph = load_graph(path, cache_dir=self._cache_dir)
                self._graphs[graph_id] = graph
                self._graphs[graph.graph_id] = graph
        if graph is None:
            raise UnknownGraphError(f"unknown graph id {graph_id!r} (known: {', '.join(known) or 'none'})")
        return graph

    def ids(self) -> list[str]:
        """Names of registered files and of graphs added directly."""
        with self._lock:
            return sorted(set(self._files) | set(self._graphs))

    def is_loaded(self, name: str) -> bool:
        with self._lock:
            return name in self._graphs

    def source(self, name: str) -> Path | None:
        with self._lock:
            return self._files.get(name)
