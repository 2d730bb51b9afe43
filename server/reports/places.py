"""Names for the places of a day: the branch, the orders' places, else the coordinates."""

from __future__ import annotations

from collections.abc import Iterable

from server.plans.records import Branch, Order
from server.tracking.model import StopEvent
from server.tracking.segments import haversine_m

#: A point this close to a known place is at that place.
NEAR_M = 300.0


class Places:
    def __init__(self, branch: Branch, orders: Iterable[Order]) -> None:
        self.branch = branch
        self.orders = {o.id: o for o in orders}
        self._named = [
            (o.latitude, o.longitude, o.place_name or o.address or o.id) for o in self.orders.values()
        ]

    def at_branch(self, lat: float, lon: float) -> bool:
        return haversine_m(lat, lon, self.branch.latitude, self.branch.longitude) <= NEAR_M

    def name_at(self, lat: float, lon: float) -> str:
        if self.at_branch(lat, lon):
            return self.branch.name
        best, name = NEAR_M, ""
        for la, lo, n in self._named:
            d = haversine_m(lat, lon, la, lo)
            if d <= best:
                best, name = d, n
        return name or f"{lat:.5f}, {lon:.5f}"

    def name_of_order(self, order_id: str | None) -> str:
        o = self.orders.get(order_id or "")
        return (o.place_name or o.address or o.id) if o else (order_id or "")

    def name_of_event(self, e: StopEvent) -> str:
        if e.order_id and e.order_id in self.orders:
            return self.name_of_order(e.order_id)
        if e.latitude is not None and e.longitude is not None:
            return self.name_at(e.latitude, e.longitude)
        return ""
