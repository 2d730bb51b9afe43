"""TrackingService: the ingest methods (devices, positions, tracks) and the live ones (stop events,
vehicle states, the fleet stream, tracking links), each half in its own module."""

from __future__ import annotations

from typing import Any

from hakobu.tracking.v1 import tracking_pb2_grpc
from server.entrypoints.grpc.tracking_ingest import IngestMethods
from server.entrypoints.grpc.tracking_live import LiveMethods
from server.tracking.ingest import Ingest


class TrackingServicer(IngestMethods, LiveMethods, tracking_pb2_grpc.TrackingServiceServicer):
    def __init__(self, ingest: Ingest, **live: Any) -> None:
        self.ingest = ingest
        init = getattr(LiveMethods, "__init__", None)
        if live and init is not object.__init__ and init is not None:
            init(self, **live)

    def shutdown(self, grace: float) -> None:
        """Called by the graceful stop: observers finish what is queued."""
        self.ingest.close(grace)
