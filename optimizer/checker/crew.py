"""The drivers named by routes: known, not driving twice, licensed for the vehicle."""

from __future__ import annotations

from optimizer.checker.result import Violation, ViolationCode
from optimizer.licences import allows
from optimizer.model import Problem, RoutePlan
from optimizer.rules import DrivingRules


def rules_of_driver(p: Problem, rp: RoutePlan) -> DrivingRules | None:
    """The driving rules of the route's driver, if it names one that has rules."""
    if rp.driver is None or not 0 <= rp.driver < len(p.drivers):
        return None
    return p.drivers[rp.driver].rules


def check_driver(p: Problem, r: int, v: int, d: int, route_of_driver: dict[int, int]) -> list[Violation]:
    """Violations of route ``r`` (vehicle ``v``) being driven by driver index ``d``."""
    veh = p.vehicles[v]
    n = len(p.drivers)
    if not 0 <= d < n:
        return [
            Violation(
                ViolationCode.UNKNOWN_DRIVER,
                f"route {r} names driver index {d}, but the problem has {n} driver(s)",
                f"ルート {r} の運転者番号 {d} は存在しません(運転者は {n} 人)",
                route=r,
                vehicle_id=veh.id,
                amount=d,
                limit=n,
            )
        ]
    drv = p.drivers[d]
    out: list[Violation] = []
    prev = route_of_driver.setdefault(d, r)
    if prev != r:
        out.append(
            Violation(
                ViolationCode.DRIVER_REUSED,
                f"driver {drv.id} already drives route {prev}; route {r} cannot have the same driver",
                f"運転者 {drv.id} は既にルート {prev} を担当しており、ルート {r} には割り当てられません",
                route=r,
                vehicle_id=veh.id,
                amount=2,
                limit=1,
            )
        )
    if not allows(drv.licence, veh.gross_weight_kg, veh.payload_kg):
        gross = "unknown" if veh.gross_weight_kg is None else f"{veh.gross_weight_kg} kg"
        pay = "unknown" if veh.payload_kg is None else f"{veh.payload_kg} kg"
        gross_ja = "不明" if veh.gross_weight_kg is None else f"{veh.gross_weight_kg} kg"
        pay_ja = "不明" if veh.payload_kg is None else f"{veh.payload_kg} kg"
        out.append(
            Violation(
                ViolationCode.LICENCE,
                f"driver {drv.id}'s licence {drv.licence.value} ({drv.licence.name}) does not allow "
                f"vehicle {veh.id} (gross weight {gross}, payload {pay})",
                f"運転者 {drv.id} の免許({drv.licence.value})では車両 {veh.id}"
                f"(車両総重量 {gross_ja}、最大積載量 {pay_ja})を運転できません",
                route=r,
                vehicle_id=veh.id,
                amount=veh.gross_weight_kg,
            )
        )
    return out
