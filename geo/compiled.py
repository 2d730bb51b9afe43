"""Compiled road graphs: per vehicle class, the usable roads as arrays plus their contraction hierarchy.

``load_graph(path)`` reads an OSM file once, builds one ``ProfileGraph`` per vehicle class (the roads the
class may use, their largest strongly connected part, speeds capped for the class) and caches each on disk
as an .npz keyed by the file's sha256, the network type, the speed table and the profile; a restart loads
the .npz files and never touches the OSM file again. Files are written whole (tmp + rename) and only after
every class built, so a failure leaves nothing half-written.

Edge keys pack duration (ms) and length (dm): see ``geo.cch``. Graph node ids are 0..n-1 per class.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from geo.cch import CCH, build_cch, make_keys, split_keys
from geo.errors import NoRoadsError, OsmFileError, UnknownProfileError
from geo.osm import read_osm_file
from geo.profiles import DEFAULT_PROFILES, VehicleProfile
from geo.speeds import SpeedTable

if TYPE_CHECKING:
    import networkx as nx

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


@dataclass(frozen=True, eq=False)
class ProfileGraph:
    """The roads one vehicle class may use: a strongly connected directed graph with its CCH."""

    profile: VehicleProfile
    node_osmid: np.ndarray  # OSM node id of each node
    lat: np.ndarray
    lng: np.ndarray
    indptr: np.ndarray  # outgoing edges, CSR
    heads: np.ndarray
    keys: np.ndarray  # duration_ms << 32 | length_dm of each edge (parallel edges collapsed to the best)
    way_id: np.ndarray  # OSM way id of each edge
    cch: CCH

    @property
    def node_count(self) -> int:
        return int(self.lat.shape[0])

    @property
    def edge_count(self) -> int:
        return int(self.heads.shape[0])

    @property
    def tails(self) -> np.ndarray:
        return np.repeat(np.arange(self.node_count, dtype=np.int64), np.diff(self.indptr))

    @property
    def duration_ms(self) -> np.ndarray:
        return split_keys(self.keys)[0]

    @property
    def length_dm(self) -> np.ndarray:
        return split_keys(self.keys)[1]

    @cached_property
    def osmid_index(self) -> dict[int, int]:
        """OSM node id -> node id."""
        return {int(o): i for i, o in enumerate(self.node_osmid.tolist())}

    def edge(self, u: int, v: int) -> int:
        """Index of the edge u -> v; KeyError if there is none."""
        lo, hi = int(self.indptr[u]), int(self.indptr[u + 1])
        hits = np.flatnonzero(self.heads[lo:hi] == v)
        if hits.size == 0:
            raise KeyError(f"no edge {u} -> {v}")
        return lo + int(hits[0])

    def arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        data = {
            prefix + "profile": np.array(json.dumps(asdict(self.profile), ensure_ascii=False)),
            prefix + "node_osmid": self.node_osmid,
            prefix + "lat": self.lat,
            prefix + "lng": self.lng,
            prefix + "indptr": self.indptr,
            prefix + "heads": self.heads,
            prefix + "keys": self.keys,
            prefix + "way_id": self.way_id,
        }
        data.update(self.cch.arrays(prefix + "cch_"))
        return data

    @classmethod
    def from_arrays(cls, data: Mapping[str, np.ndarray], prefix: str = "") -> ProfileGraph:
        profile = VehicleProfile(**json.loads(str(data[prefix + "profile"])))
        return cls(
            profile=profile,
            node_osmid=data[prefix + "node_osmid"],
            lat=data[prefix + "lat"],
            lng=data[prefix + "lng"],
            indptr=data[prefix + "indptr"],
            heads=data[prefix + "heads"],
            keys=data[prefix + "keys"],
            way_id=data[prefix + "way_id"],
            cch=CCH.from_arrays(data, prefix + "cch_"),
        )


@dataclass(eq=False)
class RoadGraph:
    """One road network (one OSM source) compiled for several vehicle classes."""

    graph_id: str
    source: str  # file path or description
    network_type: str
    speeds: SpeedTable
    profiles: dict[str, ProfileGraph] = field(default_factory=dict)

    def profile(self, name: str | VehicleProfile) -> ProfileGraph:
        """The compiled graph of a vehicle class (by name or profile); UnknownProfileError if not loaded."""
        key = name.name if isinstance(name, VehicleProfile) else name
        graph = self.profiles.get(key)
        if graph is None or (isinstance(name, VehicleProfile) and graph.profile != name):
            raise UnknownProfileError(
                f"graph {self.graph_id} has no vehicle class {key!r} (loaded: {', '.join(self.profiles)})"
            )
        return graph

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(south, west, north, east) over every class's nodes."""
        lats = np.concatenate([p.lat for p in self.profiles.values()])
        lngs = np.concatenate([p.lng for p in self.profiles.values()])
        return float(lats.min()), float(lngs.min()), float(lats.max()), float(lngs.max())


# -------------------------------------------------------------------------------------------- loading


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def graph_id_for(source_sha256: str, network_type: str, speeds: SpeedTable) -> str:
    """The short id of a graph: the source's hash, how it was read, and the speed table."""
    blob = f"{source_sha256}:{network_type}:{speeds.key}:v{FORMAT_VERSION}".encode()
    return hashlib.sha256(blob).hexdigest()[:12]


def load_graph(
    path: str | os.PathLike[str],
    profiles: Iterable[VehicleProfile] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    network_type: str = "drive",
    speeds: SpeedTable | None = None,
) -> RoadGraph:
    """Compile (or load from the cache) an OSM file's roads for each vehicle class.

    ``cache_dir`` is where compiled graphs are kept between runs; ``None`` (the default) keeps none. The
    library reads no environment: the server's settings pass ``HAKOBU_GEO_CACHE``. A cache that cannot be
    written is logged and skipped. Raises OsmFileError for unreadable or empty files and
    NoRoadsError when a class may use no road (then nothing is written).
    """
    path = Path(path)
    if not path.is_file():
        raise OsmFileError(f"OSM file not found: {path}")
    profiles = list(DEFAULT_PROFILES.values() if profiles is None else profiles)
    if not profiles:
        raise ValueError("load_graph needs at least one vehicle profile")
    names = [p.name for p in profiles]
    if len(set(names)) != len(names):
        raise ValueError(f"vehicle profile names must be unique: {names}")
    speeds = speeds or SpeedTable()
    graph_id = graph_id_for(file_sha256(path), network_type, speeds)
    graph = RoadGraph(graph_id=graph_id, source=str(path), network_type=network_type, speeds=speeds)
    missing: list[VehicleProfile] = []
    for profile in profiles:
        cached = _read_cached(cache_dir, graph_id, profile)
        if cached is None:
            missing.append(profile)
        else:
            graph.profiles[profile.name] = cached
    if missing:
        built = compile_profiles(read_osm_file(path, network_type), missing, speeds, source=str(path))
        for profile in missing:
            graph.profiles[profile.name] = built[profile.name]
            if cache_dir is not None:
                try:
                    _write_cached(cache_dir, graph_id, built[profile.name])
                except OSError as exc:  # e.g. a read-only folder: the graph is still usable
                    log.warning("cannot cache compiled graph in %s: %s", cache_dir, exc)
    graph.profiles = {name: graph.profiles[name] for name in names}
    return graph


def compile_graph(
    graph: nx.MultiDiGraph,
    profiles: Iterable[VehicleProfile] | None = None,
    speeds: SpeedTable | None = None,
    graph_id: str | None = None,
    source: str = "networkx graph",
    network_type: str = "drive",
) -> RoadGraph:
    """Compile an osmnx graph already in memory (e.g. from ``geo.osm.graph_from_place``); no disk cache."""
    speeds = speeds or SpeedTable()
    profiles = list(DEFAULT_PROFILES.values() if profiles is None else profiles)
    built = compile_profiles(graph, profiles, speeds, source)
    if graph_id is None:
        graph_id = hashlib.sha256(f"{source}:{network_type}:{speeds.key}".encode()).hexdigest()[:12]
    return RoadGraph(
        graph_id=graph_id, source=source, network_type=network_type, speeds=speeds, profiles=built
    )


def _cache_file(cache_dir: str | os.PathLike[str], graph_id: str, profile: VehicleProfile) -> Path:
    return Path(cache_dir) / f"{graph_id}-{profile.key}.npz"


def _read_cached(
    cache_dir: str | os.PathLike[str] | None, graph_id: str, profile: VehicleProfile
) -> ProfileGraph | None:
    if cache_dir is None:
        return None
    file = _cache_file(cache_dir, graph_id, profile)
    if not file.is_file():
        return None
    try:
        with open(file, "rb") as handle, np.load(handle, allow_pickle=False) as data:
            loaded = ProfileGraph.from_arrays({k: data[k] for k in data.files})
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
        return None  # unreadable or from another format: rebuild and overwrite
    return loaded if loaded.profile == profile else None


def _write_cached(cache_dir: str | os.PathLike[str], graph_id: str, graph: ProfileGraph) -> None:
    target = _cache_file(cache_dir, graph_id, graph.profile)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **graph.arrays())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the cache is shared like any build output
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -------------------------------------------------------------------------------------------- compiling


@dataclass(frozen=True)
class _Edges:
    tail: np.ndarray
    head: np.ndarray
    length_m: np.ndarray
    way_id: np.ndarray
    tag_group: np.ndarray  # index into tag_sets
    tag_sets: list[dict[str, object]]


def _edges_of(graph: nx.MultiDiGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray, _Edges]:
    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    osmid = np.asarray(nodes, dtype=np.int64)
    lat = np.asarray([graph.nodes[n]["y"] for n in nodes], dtype=np.float64)
    lng = np.asarray([graph.nodes[n]["x"] for n in nodes], dtype=np.float64)
    tails, heads, lengths, ways, groups = [], [], [], [], []
    tag_sets: list[dict[str, object]] = []
    seen: dict[tuple[tuple[str, str], ...], int] = {}
    for u, v, data in graph.edges(data=True):
        tags = {k: val for k, val in data.items() if k not in ("osmid", "length", "geometry", "reversed")}
        signature = tuple(sorted((k, str(val)) for k, val in tags.items()))
        group = seen.get(signature)
        if group is None:
            group = seen[signature] = len(tag_sets)
            tag_sets.append(tags)
        way = data.get("osmid", -1)
        tails.append(index[u])
        heads.append(index[v])
        lengths.append(float(data.get("length", 0.0)))
        ways.append(int(way[0] if isinstance(way, list) else way))
        groups.append(group)
    edges = _Edges(
        tail=np.asarray(tails, dtype=np.int64),
        head=np.asarray(heads, dtype=np.int64),
        length_m=np.asarray(lengths, dtype=np.float64),
        way_id=np.asarray(ways, dtype=np.int64),
        tag_group=np.asarray(groups, dtype=np.int64),
        tag_sets=tag_sets,
    )
    return osmid, lat, lng, edges


def compile_profiles(
    graph: nx.MultiDiGraph, profiles: Iterable[VehicleProfile], speeds: SpeedTable, source: str = ""
) -> dict[str, ProfileGraph]:
    """One ProfileGraph per vehicle class; NoRoadsError if a class may use no road."""
    osmid, lat, lng, edges = _edges_of(graph)
    if edges.tail.size == 0:
        raise OsmFileError(f"no roads in {source or 'the graph'}")
    built: dict[str, ProfileGraph] = {}
    for profile in profiles:
        built[profile.name] = _compile_profile(osmid, lat, lng, edges, profile, speeds, source)
    return built


def _compile_profile(
    osmid: np.ndarray,
    lat: np.ndarray,
    lng: np.ndarray,
    edges: _Edges,
    profile: VehicleProfile,
    speeds: SpeedTable,
    source: str,
) -> ProfileGraph:
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    admitted = np.asarray([profile.admits(t) for t in edges.tag_sets], dtype=bool)
    kmh = np.asarray([speeds.speed_kmh(t, profile.max_speed_kmh) for t in edges.tag_sets], dtype=np.float64)
    usable = admitted[edges.tag_group] & (edges.tail != edges.head)
    tail, head = edges.tail[usable], edges.head[usable]
    length = edges.length_m[usable]
    speed_ms = kmh[edges.tag_group[usable]] / 3.6
    duration_ms = np.maximum(1, np.rint(length / speed_ms * 1000.0)).astype(np.int64)
    length_dm = np.maximum(1, np.rint(length * 10.0)).astype(np.int64)
    keys = make_keys(duration_ms, length_dm)
    way = edges.way_id[usable]
    n = osmid.shape[0]
    if tail.size:
        # parallel edges: keep the best key of each (tail, head)
        pair = tail * n + head
        sort = np.lexsort((keys, pair))
        first = np.ones(sort.shape[0], dtype=bool)
        first[1:] = pair[sort][1:] != pair[sort][:-1]
        keep = sort[first]
        tail, head, keys, way = tail[keep], head[keep], keys[keep], way[keep]
        # largest strongly connected part
        matrix = csr_matrix((np.ones(tail.size), (tail, head)), shape=(n, n))
        _, labels = connected_components(matrix, directed=True, connection="strong")
        sizes = np.bincount(labels)
        biggest = int(np.argmax(sizes))
        nodes = np.flatnonzero(labels == biggest) if sizes[biggest] >= 2 else np.empty(0, dtype=np.int64)
    else:
        nodes = np.empty(0, dtype=np.int64)
    if nodes.size < 2:
        raise NoRoadsError(
            f"vehicle class {profile.name!r} may use no road of {source or 'the graph'}"
            " (every road forbids it by its tags)"
        )
    new_id = np.full(n, -1, dtype=np.int64)
    new_id[nodes] = np.arange(nodes.size)
    inside = (new_id[tail] >= 0) & (new_id[head] >= 0)
    tail, head, keys, way = new_id[tail[inside]], new_id[head[inside]], keys[inside], way[inside]
    sort = np.lexsort((head, tail))
    tail, head, keys, way = tail[sort], head[sort], keys[sort], way[sort]
    indptr = np.zeros(nodes.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=nodes.size), out=indptr[1:])
    node_lat, node_lng = lat[nodes], lng[nodes]
    cch = build_cch(nodes.size, tail, head, keys, node_lat, node_lng)
    return ProfileGraph(
        profile=profile,
        node_osmid=osmid[nodes],
        lat=node_lat,
        lng=node_lng,
        indptr=indptr,
        heads=head,
        keys=keys,
        way_id=way,
        cch=cch,
    )
