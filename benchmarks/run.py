"""Compare Hakobu with PyVRP and OR-Tools on the X (CVRP) and Solomon (VRPTW) benchmarks.

    python -m benchmarks.run --set x --instances X-n101-k25,X-n153-k22 --budget 10
    python -m benchmarks.run --set solomon --budget 10 --engines hakobu,pyvrp --csv out.csv
    python -m benchmarks.run --set x --budget 10 --seed 1,2,3 --engines hakobu,hakobu-coop

``hakobu-coop`` is Hakobu with cooperative parallel searches (``SolveOptions.cooperative``;
``--epoch`` sets their sharing schedule). With several seeds or contenders, runs are paired by
instance and seed and compared with the first contender.

Every contender gets the same wall-clock budget and runs alone (one after the
other). Every plan is re-costed and checked here, with Hakobu's readers and
integer matrices, so costs are comparable with the best-known solutions
(X: nearest-integer arcs; Solomon: arcs truncated to tenths, printed /10).
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from benchmarks.peers import Kind, PeerRun, run_hgs, run_ortools, run_pyvrp
from optimizer.compiled import Compiled, compile_problem
from optimizer.io import format_cost, read_solomon, read_vrplib
from optimizer.model import NodeKind, Plan, Problem, RoutePlan, Visit

DEFAULT_DATA = Path(
    os.environ.get(
        "HAKOBU_BENCHMARK_DATA", Path(__file__).resolve().parents[2] / "shared" / "data" / "benchmarks"
    )
)
SET_DIRS: dict[Kind, tuple[str, str]] = {"x": ("cvrp-x", ".vrp"), "solomon": ("solomon", ".txt")}
DEFAULT_INSTANCES: dict[Kind, list[str]] = {
    "x": [
        "X-n101-k25",
        "X-n153-k22",
        "X-n186-k15",
        "X-n200-k36",
        "X-n251-k28",
        "X-n303-k21",
        "X-n351-k40",
        "X-n401-k29",
    ],
    "solomon": ["C101", "C201", "R101", "R201", "RC101", "RC201"],
}
ENGINES = ("hakobu", "hakobu-pyvrp", "hakobu-coop", "hakobu-indep", "pyvrp", "hgs", "ortools")
DEFAULT_ENGINES = ("hakobu", "pyvrp", "ortools")


@dataclass(frozen=True, slots=True)
class Instance:
    name: str
    kind: Kind
    path: Path
    bks: float


@dataclass(slots=True)
class Row:
    instance: str
    set: str
    contender: str
    budget_s: float
    seed: int
    cost: float | None  # file units (Solomon: distance / 10)
    cost_text: str
    bks: float
    gap_pct: float | None
    first_feasible_s: float | None
    wall_s: float
    feasible: bool
    routes: int
    note: str


# --------------------------------------------------------------------------
# Independent check of a plan: CVRP / VRPTW with one depot
# --------------------------------------------------------------------------


def check_plan(compiled: Compiled, plan: Plan) -> tuple[int, list[str]]:
    """Total distance in model units and the list of violated constraints (empty = feasible)."""
    p = compiled.problem
    problems: list[str] = []
    used = [r for r in plan.routes if r.visits]
    if len(used) > len(p.vehicles):
        problems.append(f"{len(used)} routes for {len(p.vehicles)} vehicles")
    if len({r.vehicle for r in used}) != len(used):
        problems.append("a vehicle is used for more than one route")
    seen = [v.index for r in used for v in r.visits if v.kind is NodeKind.JOB]
    if sorted(seen) != list(range(len(p.jobs))):
        missing = len(set(range(len(p.jobs))) - set(seen))
        problems.append(f"{missing} jobs unserved, {len(seen) - len(set(seen))} served twice")
    depot = p.depots[0].time_window
    total = 0
    for r in used:
        here, t, load = 0, depot.start, 0
        for visit in r.visits:
            if visit.kind is not NodeKind.JOB:
                problems.append(f"unexpected {visit.kind.value} visit")
                continue
            node = compiled.node_of(visit)
            job = p.jobs[visit.index]
            total += compiled.distance(r.vehicle, here, node)
            t += compiled.duration(r.vehicle, here, node)
            if job.stop.time_windows:
                still_open = [w.start for w in job.stop.time_windows if w.end >= t]
                if not still_open:
                    problems.append(f"job {job.id} reached at {t}, after its time windows")
                t = max(t, min(still_open, default=t))
            t += job.stop.service_duration
            load += job.demand[0] if job.demand else 0
            here = node
        total += compiled.distance(r.vehicle, here, 0)
        t += compiled.duration(r.vehicle, here, 0)
        if t > depot.end:
            problems.append(f"route of vehicle {r.vehicle} returns at {t} after {depot.end}")
        if load > p.vehicles[r.vehicle].capacity[0]:
            problems.append(f"route of vehicle {r.vehicle} carries {load} > capacity")
    return total, problems


def plan_from_nodes(routes: list[list[int]]) -> Plan:
    """File node numbers (depot 0, customers 1..n-1) to a Plan; both readers keep file order."""
    return Plan(
        routes=[RoutePlan(k, [Visit(NodeKind.JOB, node - 1) for node in r]) for k, r in enumerate(routes)]
    )


# --------------------------------------------------------------------------
# Contenders
# --------------------------------------------------------------------------


def read_problem(inst: Instance) -> Problem:
    return read_vrplib(inst.path) if inst.kind == "x" else read_solomon(inst.path)


@dataclass(slots=True)
class Outcome:
    plan: Plan | None  # None: no feasible plan (or none available to re-check)
    first_feasible_s: float | None
    wall_s: float
    note: str = ""
    #: What the contender itself reports (model units), used when it gives no plan.
    reported_distance: int | None = None
    reported_feasible: bool | None = None


_POOL: dict[int, Any] = {}
#: Parallel searches for hakobu (set from --parallelism; the service's default is the cores, at most 2).
PARALLELISM = [2]


def _pool(size: int) -> Any:
    """A warm worker pool, started once per run like the service's."""
    from optimizer.parallel import WorkerPool

    if size not in _POOL:
        _POOL[size] = WorkerPool(size)
        _POOL[size].wait_ready()  # the first run should not pay for starting the workers
    return _POOL[size]


def run_hakobu(
    inst: Instance, budget: float, seed: int, cooperative: bool | None = None, engine: str = "auto"
) -> Outcome:
    """Hakobu's ``solve()``; times count from before reading the file, like the peers'.

    ``cooperative``: None = Hakobu's default (``hakobu``), True = the parallel searches always share
    plans (``hakobu-coop``), False = they never do (``hakobu-indep``). ``engine="pyvrp"``
    (``hakobu-pyvrp``) keeps HGS-CVRP out: PyVRP searches only.
    """
    from optimizer.solve import SolveOptions, solve

    par = PARALLELISM[0]
    pool = _pool(par) if par > 1 else None
    start = time.perf_counter()
    started_at = time.monotonic()  # the budget and first-feasible time include reading the file
    problem = read_problem(inst)
    options = SolveOptions(
        engine=engine, time_limit=budget, seed=seed, parallelism=par, cooperative=cooperative
    )
    solution = solve(problem, options, pool=pool, started_at=started_at)
    wall = time.perf_counter() - start
    ev = solution.evaluation
    first = solution.stats.first_feasible_seconds
    feasible = bool(ev.is_feasible) and not ev.unassigned_jobs
    plan = getattr(solution, "plan", None)
    return Outcome(
        plan=plan if isinstance(plan, Plan) and feasible else None,
        first_feasible_s=first,
        wall_s=wall,
        note="" if feasible else f"infeasible per checker ({len(ev.unassigned_jobs)} unassigned)",
        reported_distance=int(ev.distance),
        reported_feasible=feasible,
    )


def run_peer(
    fn: Callable[[Path, Kind, float, int], PeerRun], inst: Instance, budget: float, seed: int
) -> Outcome:
    run = fn(inst.path, inst.kind, budget, seed)
    if not run.routes:
        return Outcome(None, None, run.wall_seconds, "no feasible solution", reported_feasible=False)
    return Outcome(plan_from_nodes(run.routes), run.first_feasible_seconds, run.wall_seconds)


CONTENDERS: dict[str, Callable[[Instance, float, int], Outcome]] = {
    "hakobu": run_hakobu,
    "hakobu-pyvrp": lambda inst, budget, seed: run_hakobu(inst, budget, seed, engine="pyvrp"),
    "hakobu-coop": lambda inst, budget, seed: run_hakobu(inst, budget, seed, cooperative=True),
    "hakobu-indep": lambda inst, budget, seed: run_hakobu(inst, budget, seed, cooperative=False),
    "pyvrp": lambda inst, budget, seed: run_peer(run_pyvrp, inst, budget, seed),
    "hgs": lambda inst, budget, seed: run_peer(run_hgs, inst, budget, seed),
    "ortools": lambda inst, budget, seed: run_peer(run_ortools, inst, budget, seed),
}


def evaluate(inst: Instance, compiled: Compiled, contender: str, budget: float, seed: int) -> Row:
    """Run one contender on one instance and re-check its plan on ``compiled``."""
    try:
        out = CONTENDERS[contender](inst, budget, seed)
    except Exception as err:  # a crashing contender is a result, not the end of the benchmark
        out = Outcome(None, None, math.nan, f"error: {type(err).__name__}: {err}", reported_feasible=False)
    problem = compiled.problem
    distance: int | None = None
    feasible = False
    routes = 0
    note = out.note
    if out.plan is not None:
        distance, violations = check_plan(compiled, out.plan)
        routes = sum(1 for r in out.plan.routes if r.visits)
        if out.reported_distance is not None and out.reported_distance != distance:
            violations.append(f"reported distance {out.reported_distance}, recomputed {distance}")
        feasible = not violations
        note = "; ".join(violations[:3])
    elif out.reported_feasible and out.reported_distance is not None:
        distance, feasible = out.reported_distance, True
        note = "not re-checked (no plan)"
    cost = None if distance is None else distance / problem.travel.scale
    return Row(
        instance=inst.name,
        set=inst.kind,
        contender=contender,
        budget_s=budget,
        seed=seed,
        cost=cost,
        cost_text="-" if distance is None else format_cost(distance, problem),
        bks=inst.bks,
        gap_pct=None if cost is None else 100.0 * (cost - inst.bks) / inst.bks,
        first_feasible_s=out.first_feasible_s if feasible else None,
        wall_s=out.wall_s,
        feasible=feasible,
        routes=routes,
        note=note,
    )


# --------------------------------------------------------------------------
# Instances, tables, CLI
# --------------------------------------------------------------------------


def load_bks(folder: Path) -> dict[str, float]:
    with (folder / "bks.csv").open() as fh:
        return {row["instance"]: float(row["bks"]) for row in csv.DictReader(fh)}


def resolve_instances(data: Path, which: str, names: Sequence[str] | None) -> list[Instance]:
    kinds: list[Kind] = ["x", "solomon"] if which == "both" else [which]  # type: ignore[list-item]
    out: list[Instance] = []
    wanted = list(names) if names else [n for k in kinds for n in DEFAULT_INSTANCES[k]]
    for name in wanted:
        for kind in kinds:
            folder, ext = SET_DIRS[kind]
            path = data / folder / f"{name}{ext}"
            if path.is_file():
                bks = load_bks(data / folder)
                if name not in bks:
                    raise SystemExit(f"{name}: no best-known value in {data / folder / 'bks.csv'}")
                out.append(Instance(name, kind, path, bks[name]))
                break
        else:
            dirs = ", ".join(str(data / SET_DIRS[k][0]) for k in kinds)
            raise SystemExit(f"instance {name!r} not found in {dirs}")
    return out


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None or math.isnan(value) else format(value, fmt)


def format_table(inst: Instance, rows: list[Row]) -> str:
    header = ["contender", "cost", "gap %", "first feas. (s)", "wall (s)", "feasible", "routes", "note"]
    several = len({r.seed for r in rows}) > 1
    body = [
        [
            f"{r.contender} s{r.seed}" if several else r.contender,
            r.cost_text,
            _num(r.gap_pct, ".2f"),
            _num(r.first_feasible_s, ".2f"),
            _num(r.wall_s, ".2f"),
            "yes" if r.feasible else "no",
            str(r.routes),
            r.note,
        ]
        for r in rows
    ]
    bks_text = f"{inst.bks:.1f}" if inst.kind == "solomon" else f"{inst.bks:.0f}"
    return f"{inst.name}  (BKS {bks_text})\n" + _align(header, body)


def format_summary(rows: list[Row], contenders: Sequence[str]) -> str:
    header = ["contender", "feasible", "mean gap %", "mean first feas. (s)", "mean wall (s)"]
    body = []
    for c in contenders:
        mine = [r for r in rows if r.contender == c]
        ok = [r for r in mine if r.feasible]
        body.append(
            [
                c,
                f"{len(ok)}/{len(mine)}",
                _num(_mean([r.gap_pct for r in ok]), ".2f"),
                _num(_mean([r.first_feasible_s for r in ok]), ".2f"),
                _num(_mean([r.wall_s for r in mine]), ".2f"),
            ]
        )
    return "Summary (means over feasible runs)\n" + _align(header, body)


def format_paired(rows: list[Row], contenders: Sequence[str]) -> str:
    """Each contender against the first on the same instance and seed, where both are feasible."""
    first = contenders[0]
    ref = {(r.instance, r.seed): r.gap_pct for r in rows if r.contender == first and r.feasible}
    header = ["contender", "pairs", "mean gap %", f"mean {first} %", "mean diff", "better", "equal", "worse"]
    body = []
    for c in contenders[1:]:
        pairs = [
            (r.gap_pct, ref[r.instance, r.seed])
            for r in rows
            if r.contender == c and r.feasible and (r.instance, r.seed) in ref
        ]
        pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
        diffs = [a - b for a, b in pairs]
        body.append(
            [
                c,
                str(len(pairs)),
                _num(_mean([a for a, _ in pairs]), ".3f"),
                _num(_mean([b for _, b in pairs]), ".3f"),
                _num(_mean(diffs), "+.3f"),
                str(sum(d < -1e-9 for d in diffs)),
                str(sum(abs(d) <= 1e-9 for d in diffs)),
                str(sum(d > 1e-9 for d in diffs)),
            ]
        )
    return f"Paired with {first} (same instance and seed; diff < 0: better)\n" + _align(header, body)


def _mean(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None and not math.isnan(v)]
    return sum(vals) / len(vals) if vals else None


def _align(header: list[str], body: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    right = {1, 2, 3, 4, 6}

    def fmt(row: list[str]) -> str:
        cells = [
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *(fmt(r) for r in body)])


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    ap.add_argument("--set", choices=["x", "solomon", "both"], default="x", help="benchmark set")
    ap.add_argument("--instances", help="comma-separated names (default: the README's figure instances)")
    ap.add_argument("--budget", type=float, default=10.0, help="wall-clock seconds per run")
    ap.add_argument("--seed", default="1", help="seed, or comma-separated seeds (paired runs)")
    ap.add_argument(
        "--epoch",
        default=None,
        help="hakobu-coop's sharing epoch in seconds, optionally growing: 1, 0.5, 0.5x1.5 (0.5 s, x1.5 each)",
    )
    ap.add_argument("--parallelism", type=int, default=2, help="hakobu's parallel searches (default 2)")
    ap.add_argument(
        "--engines", default=",".join(DEFAULT_ENGINES), help=f"comma-separated subset of {ENGINES}"
    )
    ap.add_argument("--csv", type=Path, help="also write every run as a CSV row here")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding cvrp-x/ and solomon/")
    args = ap.parse_args(argv)
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in args.engines if e not in ENGINES]
    if unknown or not args.engines:
        ap.error(f"--engines: unknown {unknown}; choose from {ENGINES}")
    if not args.budget > 0:
        ap.error("--budget must be positive")
    args.instances = [n.strip() for n in args.instances.split(",") if n.strip()] if args.instances else None
    try:
        args.seeds = [int(x) for x in args.seed.split(",") if x.strip()]
    except ValueError:
        ap.error("--seed: integers separated by commas")
    if not args.seeds:
        ap.error("--seed: at least one seed")
    if args.epoch is not None:
        epoch, _, growth = args.epoch.partition("x")
        try:
            args.epoch = (float(epoch), float(growth or 1.0))
        except ValueError:
            ap.error("--epoch: SECONDS or SECONDSxGROWTH, e.g. 1 or 0.5x1.5")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    PARALLELISM[0] = args.parallelism
    if args.epoch is not None:
        import optimizer.solve
        from optimizer.sharing import Cooperation

        optimizer.solve.COOPERATION = Cooperation(*args.epoch)
    instances = resolve_instances(args.data, args.set, args.instances)
    rows: list[Row] = []
    for inst in instances:
        compiled = compile_problem(read_problem(inst))
        mine = [evaluate(inst, compiled, c, args.budget, seed) for seed in args.seeds for c in args.engines]
        rows += mine
        print(format_table(inst, mine), end="\n\n", flush=True)
    print(format_summary(rows, args.engines), flush=True)
    if len(args.engines) > 1:
        print("\n" + format_paired(rows, args.engines), flush=True)
    if args.csv:
        write_csv(args.csv, rows)
    for pool in _POOL.values():
        pool.close()
    return 0


def write_csv(path: Path, rows: list[Row]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[f.name for f in fields(Row)])
        writer.writeheader()
        for r in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in asdict(r).items()})


if __name__ == "__main__":
    sys.exit(main())
