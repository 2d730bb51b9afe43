"""The whole plan: every route checked, each item visited once, shipments kept together, costs."""

from __future__ import annotations

from dataclasses import replace

from optimizer.checker.crew import check_driver, rules_of_driver
from optimizer.checker.messages import KIND_EN, KIND_JA, count_of, item_id, label
from optimizer.checker.result import CostBreakdown, Evaluation, RouteResult, Violation, ViolationCode
from optimizer.checker.route import RouteChecker
from optimizer.checker.schedule import prepare
from optimizer.compiled import Compiled
from optimizer.model import NodeKind, Plan, Visit


def evaluate(compiled: Compiled, plan: Plan, *, require_all: bool = False) -> Evaluation:
    """Recompute every route of ``plan`` and report each violated constraint.

    Routes with no job or shipment visit are ignored (they cost nothing);
    a route whose vehicle index is unknown is reported and not scheduled, but
    its visits still count as present in the plan. With ``require_all``,
    required jobs and shipments (``penalty is None``) left out are violations.
    """
    p = compiled.problem
    n_veh = len(p.vehicles)
    violations: list[Violation] = []
    results: list[RouteResult] = []
    job_at: dict[int, tuple[int, int]] = {}
    pick_at: dict[int, tuple[int, int]] = {}
    drop_at: dict[int, tuple[int, int]] = {}
    route_of_vehicle: dict[int, int] = {}
    route_of_driver: dict[int, int] = {}

    for r, rp in enumerate(plan.routes):
        v = rp.vehicle
        known_vehicle = 0 <= v < n_veh
        vid = p.vehicles[v].id if known_vehicle else None
        route_viols: list[Violation] = []
        if not known_vehicle:
            route_viols.append(
                Violation(
                    ViolationCode.UNKNOWN_VEHICLE,
                    f"route {r} uses vehicle index {v}, but vehicle indices go from 0 to {n_veh - 1}",
                    f"ルート {r} の車両番号 {v} は存在しません(車両は 0..{n_veh - 1} の {n_veh} 台)",
                    route=r,
                    amount=v,
                    limit=n_veh,
                )
            )
        visits: list[Visit] = []
        for pos, vis in enumerate(rp.visits):
            size = count_of(p, vis.kind)
            if 0 <= vis.index < size:
                visits.append(vis)
                continue
            what, what_ja = KIND_EN[vis.kind], KIND_JA[vis.kind]
            route_viols.append(
                Violation(
                    ViolationCode.UNKNOWN_VISIT,
                    f"visit {pos} of route {r} ({vis.kind.value} {vis.index}) refers to no {what}: "
                    f"the problem has {size}",
                    f"ルート {r} の訪問 {pos}({vis.kind.value} {vis.index})に該当する{what_ja}がありません"
                    f"(全 {size} 件)",
                    route=r,
                    vehicle_id=vid,
                    amount=vis.index,
                    limit=size,
                )
            )
        if not any(vis.kind is not NodeKind.DEPOT for vis in visits):
            violations.extend(route_viols)
            continue

        checker: RouteChecker | None = None
        route_result: RouteResult | None = None
        if known_vehicle:
            # Scheduled first: breaks may add steps, which renumbers the visits' steps.
            checker = RouteChecker(compiled, r, v, prepare(compiled, visits), rules_of_driver(p, rp))
            route_result = checker.run()
        for k, vis in enumerate(visits):
            step = k + 1 if checker is None else checker.step_of[k + 1]
            if vis.kind is NodeKind.DEPOT:
                continue
            seen = job_at if vis.kind is NodeKind.JOB else pick_at if vis.kind is NodeKind.PICKUP else drop_at
            first = seen.get(vis.index)
            if first is None:
                seen[vis.index] = (r, step)
                continue
            en, ja = label(p, vis)
            route_viols.append(
                Violation(
                    ViolationCode.DUPLICATE_VISIT,
                    f"{en} is visited again at route {r} step {step}; it was already visited at route "
                    f"{first[0]} step {first[1]}",
                    f"{ja} がルート {r} のステップ {step} で重複しています(既にルート {first[0]} の"
                    f"ステップ {first[1]} で訪問済み)",
                    route=r,
                    step=step,
                    job_id=item_id(p, vis),
                    vehicle_id=vid,
                    amount=2,
                    limit=1,
                )
            )

        if checker is not None and route_result is not None:
            prev = route_of_vehicle.get(v)
            if prev is not None:
                route_viols.append(
                    Violation(
                        ViolationCode.VEHICLE_REUSED,
                        f"vehicle {vid} already drives route {prev}; route {r} cannot use it again "
                        f"(use reloads for several trips)",
                        f"車両 {vid} は既にルート {prev} を走行しており、ルート {r} で再使用できません"
                        f"(複数便は積み替えで表してください)",
                        route=r,
                        vehicle_id=vid,
                        amount=2,
                        limit=1,
                    )
                )
            else:
                route_of_vehicle[v] = r
            if rp.driver is not None:
                route_viols.extend(check_driver(p, r, v, rp.driver, route_of_driver))
                if 0 <= rp.driver < len(p.drivers):
                    route_result = replace(route_result, driver_id=p.drivers[rp.driver].id)
            elif p.drivers:
                vid = p.vehicles[v].id
                route_viols.append(
                    Violation(
                        ViolationCode.DRIVER_MISSING,
                        f"route {r} of vehicle {vid} names no driver, but the problem has drivers",
                        f"ルート {r}（車両 {vid}）に運転者が指定されていません",
                        route=r,
                        vehicle_id=vid,
                    )
                )
            results.append(route_result)
            route_viols.extend(checker.violations)
        route_viols.sort(key=lambda x: -1 if x.step is None else x.step)
        violations.extend(route_viols)

    violations.extend(_pickup_delivery(compiled, plan, pick_at, drop_at))

    unassigned_jobs = tuple(i for i in range(len(p.jobs)) if i not in job_at)
    unassigned_shp = tuple(i for i in range(len(p.shipments)) if i not in pick_at and i not in drop_at)
    penalty = 0.0
    for i in unassigned_jobs:
        job = p.jobs[i]
        if job.penalty is not None:
            penalty += job.penalty
        elif require_all:
            violations.append(
                Violation(
                    ViolationCode.REQUIRED_JOB_MISSING,
                    f"required job {job.id} is not in the plan",
                    f"必須のジョブ {job.id} が計画に含まれていません",
                    job_id=job.id,
                )
            )
    for i in unassigned_shp:
        s = p.shipments[i]
        if s.penalty is not None:
            penalty += s.penalty
        elif require_all:
            violations.append(
                Violation(
                    ViolationCode.REQUIRED_JOB_MISSING,
                    f"required shipment {s.id} is not in the plan",
                    f"必須の輸送依頼 {s.id} が計画に含まれていません",
                    job_id=s.id,
                )
            )

    fixed = sum(rr.fixed_cost for rr in results)
    dist_cost = sum(rr.distance_cost for rr in results)
    dur_cost = sum(rr.duration_cost for rr in results)
    return Evaluation(
        routes=tuple(results),
        violations=tuple(violations),
        unassigned_jobs=unassigned_jobs,
        unassigned_shipments=unassigned_shp,
        cost=CostBreakdown(fixed, dist_cost, dur_cost, penalty, fixed + dist_cost + dur_cost + penalty),
        distance=sum(rr.distance for rr in results),
        duration=sum(rr.duration for rr in results),
        vehicles_used=len({rr.vehicle for rr in results}),
    )


def _pickup_delivery(
    compiled: Compiled,
    plan: Plan,
    pick_at: dict[int, tuple[int, int]],
    drop_at: dict[int, tuple[int, int]],
) -> list[Violation]:
    p = compiled.problem
    out: list[Violation] = []

    def vid(r: int) -> str | None:
        v = plan.routes[r].vehicle
        return p.vehicles[v].id if 0 <= v < len(p.vehicles) else None

    for s in sorted(set(pick_at) | set(drop_at)):
        sid = p.shipments[s].id
        pk, dl = pick_at.get(s), drop_at.get(s)
        if dl is None:
            assert pk is not None
            en = f"shipment {sid} is picked up (route {pk[0]} step {pk[1]}) but never delivered"
            ja = f"輸送依頼 {sid} は集荷されています(ルート {pk[0]} ステップ {pk[1]})が配達されていません"
            at = pk
        elif pk is None:
            en = f"shipment {sid} is delivered (route {dl[0]} step {dl[1]}) but never picked up"
            ja = f"輸送依頼 {sid} は配達されています(ルート {dl[0]} ステップ {dl[1]})が集荷されていません"
            at = dl
        elif pk[0] != dl[0]:
            en = (
                f"shipment {sid} is picked up on route {pk[0]} but delivered on route {dl[0]}; "
                f"both must be on the same route"
            )
            ja = (
                f"輸送依頼 {sid} の集荷はルート {pk[0]}、配達はルート {dl[0]} です。"
                f"同じルートである必要があります"
            )
            at = dl
        elif pk[1] > dl[1]:
            en = (
                f"shipment {sid} is delivered at step {dl[1]} of route {dl[0]} before it is picked "
                f"up at step {pk[1]}"
            )
            ja = (
                f"輸送依頼 {sid} はルート {dl[0]} のステップ {dl[1]} で配達され、集荷(ステップ "
                f"{pk[1]})より前になっています"
            )
            at = dl
        else:
            continue
        out.append(
            Violation(
                ViolationCode.PICKUP_DELIVERY,
                en,
                ja,
                route=at[0],
                step=at[1],
                job_id=sid,
                vehicle_id=vid(at[0]),
            )
        )
    return out
