"""GeoService: the gRPC edge of geo/ (graphs, matrices, leg geometry).

Geo's own errors are turned into statuses here (``_abort_bad_request``, ``_geo_errors``): bad input is
INVALID_ARGUMENT with a ``google.rpc.BadRequest`` naming each field, an unknown graph NOT_FOUND.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from google.type import latlng_pb2
from grpc_status import rpc_status

from geo.cache import MatrixCache
from geo.errors import GeoError, PointError, UnknownGraphError, UnknownProfileError
from geo.geometry import route_geometry
from geo.matrix import MAX_POINTS, travel_matrix
from geo.registry import GraphRegistry
from hakobu.geo.v1 import geo_pb2 as gpb
from hakobu.geo.v1 import geo_pb2_grpc

DEFAULT_SNAP_M = 500.0


def _abort_bad_request(context: grpc.ServicerContext, violations: Sequence[tuple[str, str]]) -> NoReturn:
    """Abort with INVALID_ARGUMENT and one BadRequest field violation per ``(field, problem)``."""
    field, problem = violations[0]
    more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
    detail = any_pb2.Any()
    detail.Pack(
        error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=f, description=d) for f, d in violations
            ]
        )
    )
    status = status_pb2.Status(
        code=code_pb2.INVALID_ARGUMENT, message=f"invalid request: {field}: {problem}{more}", details=[detail]
    )
    context.abort_with_status(rpc_status.to_status(status))
    raise AssertionError("unreachable")  # abort raises


@contextmanager
def _geo_errors(context: grpc.ServicerContext) -> Iterator[None]:
    """Geo's errors while computing → the caller's fault (a field) or the graph's (FAILED_PRECONDITION)."""
    try:
        yield
    except UnknownProfileError as exc:
        _abort_bad_request(context, [("vehicle_class", str(exc))])
    except PointError as exc:
        _abort_bad_request(context, [(f"locations[{exc.index}]", str(exc))])
    except GeoError as exc:
        context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))


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
                g.south_west.CopyFrom(latlng_pb2.LatLng(latitude=south, longitude=west))
                g.north_east.CopyFrom(latlng_pb2.LatLng(latitude=north, longitude=east))
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
            _abort_bad_request(context, v)
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
        with _geo_errors(context):
            m = travel_matrix(graph, request.vehicle_class, points, max_snap_m=snap, cache=self._cache)
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
            _abort_bad_request(context, [("locations", "at least two locations are needed")])
        graph = self._graph(request, context)
        with _geo_errors(context):
            lines = route_geometry(graph, request.vehicle_class, points, max_snap_m=snap)
            m = travel_matrix(graph, request.vehicle_class, points, max_snap_m=snap, cache=self._cache)
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
