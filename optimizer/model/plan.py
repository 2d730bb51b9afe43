"""Plans: a flat numbering of every place a route can visit (shared by the engines, the schedule
and the checker), and the routes an engine or a dispatcher gives."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class NodeKind(enum.Enum):
    DEPOT = "DEPOT"
    JOB = "JOB"
    PICKUP = "PICKUP"  # the pickup end of a shipment
    DELIVERY = "DELIVERY"  # the delivery end of a shipment


@dataclass(frozen=True, slots=True)
class Node:
    kind: NodeKind
    #: Index into ``depots``, ``jobs`` or ``shipments`` depending on ``kind``.
    index: int


@dataclass(frozen=True, slots=True)
class Visit:
    """A step of a route as an engine or a dispatcher gives it.

    ``DEPOT`` visits in the middle of a route are reloads (a new trip starts).
    """

    kind: NodeKind
    index: int


@dataclass(slots=True)
class RoutePlan:
    """The order in which one vehicle visits jobs; times are derived."""

    vehicle: int
    visits: list[Visit]
    #: Index into ``problem.drivers``; ``None`` = no driver named.
    driver: int | None = None


@dataclass(slots=True)
class Plan:
    routes: list[RoutePlan]
