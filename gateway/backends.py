"""Which gRPC backend serves which service, and one channel per backend target.

The map is per proto service name, from the settings: a new service is one entry in
:func:`service_targets`. A service served by several backends (``google.longrunning.Operations``:
the plans services' and the optimizer's operations share the ``operations/{id}`` names) lists its
targets in order; a call goes to the next target while the previous one answers ``NOT_FOUND``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import grpc
from grpc import aio

from server.platform.settings import Settings

OPERATIONS = "google.longrunning.Operations"
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
_OPTIONS = (
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
)


def service_targets(settings: Settings) -> dict[str, tuple[str, ...]]:
    """Proto service name → the backend targets serving it (in the order to try). A service whose
    address the settings do not have yet (tracking, reports while they are being built) is left out:
    its routes answer 501."""
    optimizer = settings.optimizer_target
    plans = settings.plans_target or settings.plans_address
    tracking = settings.tracking_target
    reports = settings.reports_target
    targets: dict[str, tuple[str | None, ...]] = {
        "hakobu.optimizer.v1.OptimizerService": (optimizer,),
        "hakobu.geo.v1.GeoService": (optimizer,),
        "hakobu.plans.v1.PlanService": (plans,),
        "hakobu.fleet.v1.OrganizationService": (plans,),
        "hakobu.identity.v1.AuthService": (plans,),
        "hakobu.identity.v1.UserService": (plans,),
        "hakobu.identity.v1.ApiKeyService": (plans,),
        "hakobu.tracking.v1.TrackingService": (tracking,),
        "hakobu.reports.v1.ReportService": (reports,),
        OPERATIONS: (plans, optimizer),
    }
    return {name: t for name, t in targets.items() if all(t)}  # type: ignore[misc]


class Backends:
    """The gRPC channels of the gateway: one ``grpc.aio`` channel per distinct target, made on first
    use inside the running event loop."""

    def __init__(self, targets: Mapping[str, Sequence[str]]) -> None:
        self.targets = {name: tuple(dict.fromkeys(t)) for name, t in targets.items()}
        self._channels: dict[str, aio.Channel] = {}

    def targets_of(self, service: str) -> tuple[str, ...]:
        return self.targets.get(service, ())

    def channel(self, target: str) -> aio.Channel:
        channel = self._channels.get(target)
        if channel is None:
            channel = self._channels[target] = aio.insecure_channel(target, options=_OPTIONS)
        return channel

    def all_targets(self) -> list[str]:
        return sorted({t for targets in self.targets.values() for t in targets})

    async def ready(self, target: str, timeout: float) -> bool:
        """Whether ``target`` answers the gRPC health check as SERVING within ``timeout`` seconds."""
        from grpc_health.v1 import health_pb2

        check = self.channel(target).unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
            response_deserializer=health_pb2.HealthCheckResponse.FromString,
        )
        try:
            reply = await check(health_pb2.HealthCheckRequest(), timeout=timeout)
        except grpc.RpcError:
            return False
        return reply.status == health_pb2.HealthCheckResponse.SERVING

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()
        self._channels.clear()
