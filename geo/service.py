"""GeoService: the gRPC edge of geo/ (graphs, matrices, leg geometry)."""

from __future__ import annotations

import json

import grpc

from geo.cache import MatrixCache
from geo.errors import GeoError, PointError, UnknownGraphError, UnknownProfileError
from geo.geometry import route_geometry
from geo.matrix import MAX_POINTS, travel_matrix
from geo.registry import GraphRegistry
from hakobu.v1 import geo_pb2 as gpb
from hakobu.v1 import geo_pb2_grpc
from hakobu.v1 import optimizer_pb2 as pb
from optimizer.model import ModelError
from optimizer.service.errors import abort_invalid

DEFAULT_SNAP_M = 500.0


class GeoServicer(geo_pb2_grpc.GeoServiceServicer):
    def __init__(self, registry: GraphRegistry, cache: MatrixCache | None = None) -> None:
        self._registry = registry
        self._cache = cache

    def ListGraphs(self, request, context):
        out = gpb.ListGraphsResponse()
        for name in self._registry.ids():
            g = gpb.Graph(name=f"graphs/{name}", graph_id=name, loaded=self._registry.is_loaded(name))
            if g.loaded:
                graph = self._registry.get(name)
                south, west, north, east = graph.bbox
                g.south_west.CopyFrom(pb.LatLng(latitude=south, longitude=west))
                g.north_east.CopyFrom(pb.LatLng(latitude=north, longitude=east))
                g.vehicle_classes.extend(graph.profiles)
            out.graphs.append(g)
        return out

    def _check(self, request, context) -> tuple[list[tuple[float, float]], float]:
        v: list[tuple[str, str]] = []
        if not request.graph:
            v.append(("graph", "required: a graph id (see ListGraphs)"))
        if not request.vehicle_class:
            v.append(("vehicle_class", "required: 軽, 2t, 4t or 10t"))
        if len(request.locations) > MAX_POINTS:
            v.append(("locations", f"at most {MAX_POINTS} locations"))
        for i, loc in enumerate(request.locations):
            if not (-90 <= loc.latitude <= 90 and -180 <= loc.longitude <= 180):
                v.append((f"locations[{i}]", "latitude must be in [-90, 90] and longitude in [-180, 180]"))
        if request.max_snap_meters < 0:
            v.append(("max_snap_meters", "must not be negative"))
        if v:
            abort_invalid(context, ModelError(v))
        points = [(loc.latitude, loc.longitude) for loc in request.locations]
        return points, request.max_snap_meters or DEFAULT_SNAP_M

    def _graph(self, request, context):
        try:
            return self._registry.get(request.graph)
        except UnknownGraphError as exc:
            context.abort(grpc.StatusCode.NOT_FOUND, str(exc).strip("'\""))

    def ComputeMatrix(self, request, context):
        points, snap = self._check(request, context)
        graph = self._graph(request, context)
        try:
            m = travel_matrix(graph, request.vehicle_class, points, max_snap_m=snap, cache=self._cache)
        except UnknownProfileError as exc:
            abort_invalid(context, ModelError([("vehicle_class", str(exc))]))
        except PointError as exc:
            abort_invalid(context, ModelError([(f"locations[{exc.index}]", str(exc))]))
        n = len(points)
        return gpb.ComputeMatrixResponse(
            size=n,
            durations_seconds=m.durations.reshape(-1).tolist(),
            distances_meters=m.distances.reshape(-1).tolist(),
            snap_distances_meters=[float(x) for x in m.snaps.distances_m],
        )

    def ComputeRouteGeometry(self, request, context):
        points, snap = self._check(request, context)
        if len(points) < 2:
            abort_invalid(context, ModelError([("locations", "at least two locations are needed")]))
        graph = self._graph(request, context)
        try:
            lines = route_geometry(graph, request.vehicle_class, points, max_snap_m=snap)
            m = travel_matrix(graph, request.vehicle_class, points, max_snap_m=snap, cache=self._cache)
        except UnknownProfileError as exc:
            abort_invalid(context, ModelError([("vehicle_class", str(exc))]))
        except PointError as exc:
            abort_invalid(context, ModelError([(f"locations[{exc.index}]", str(exc))]))
        except GeoError as exc:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
        return gpb.ComputeRouteGeometryResponse(
            legs=[
                gpb.Leg(
                    geojson=json.dumps(line, separators=(",", ":")),
                    distance_meters=int(m.distances[i, i + 1]),
                    duration_seconds=int(m.durations[i, i + 1]),
                )
                for i, line in enumerate(lines)
            ]
        )
