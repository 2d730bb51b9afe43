"""Naming visits, items and durations in the checker's English and Japanese messages."""

from __future__ import annotations

from optimizer.model import NodeKind, Problem, Visit


def label(problem: Problem, visit: Visit) -> tuple[str, str]:
    """English and Japanese name of a visit, e.g. ("job J-7", "ジョブ J-7")."""
    k, i = visit.kind, visit.index
    if k is NodeKind.JOB:
        jid = problem.jobs[i].id
        return f"job {jid}", f"ジョブ {jid}"
    if k is NodeKind.PICKUP:
        sid = problem.shipments[i].id
        return f"pickup of shipment {sid}", f"輸送依頼 {sid} の集荷"
    if k is NodeKind.DELIVERY:
        sid = problem.shipments[i].id
        return f"delivery of shipment {sid}", f"輸送依頼 {sid} の配達"
    did = problem.depots[i].id
    return f"reload at depot {did}", f"デポ {did} での積み替え"


def item_id(problem: Problem, visit: Visit) -> str | None:
    if visit.kind is NodeKind.JOB:
        return problem.jobs[visit.index].id
    if visit.kind in (NodeKind.PICKUP, NodeKind.DELIVERY):
        return problem.shipments[visit.index].id
    return None


def count_of(problem: Problem, kind: NodeKind) -> int:
    if kind is NodeKind.JOB:
        return len(problem.jobs)
    if kind in (NodeKind.PICKUP, NodeKind.DELIVERY):
        return len(problem.shipments)
    return len(problem.depots)


KIND_EN = {
    NodeKind.JOB: "job",
    NodeKind.PICKUP: "shipment",
    NodeKind.DELIVERY: "shipment",
    NodeKind.DEPOT: "depot",
}
KIND_JA = {
    NodeKind.JOB: "ジョブ",
    NodeKind.PICKUP: "輸送依頼",
    NodeKind.DELIVERY: "輸送依頼",
    NodeKind.DEPOT: "デポ",
}


def hm(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}"
