"""Raw PyVRP with different search parameters, one search per core, at a fixed wall-clock budget.

    python -m benchmarks.tune --budget 10 --seeds 1,2 --variants default,nb30,hist100
    python -m benchmarks.tune --set solomon --variants default,pert10
    python -m benchmarks.tune --variants default,fix50   # a fixed cost per route (fewer routes?)

Used to choose the search parameters of Hakobu's PyVRP engine (``optimizer/engines/pyvrp/``).
Runs are spread over ``--jobs`` processes (default 2, one per core); each run is single-threaded.
Two runs at once are slower than one alone (here 12-32 % fewer iterations in the same time), and
equally so for every variant: compare variants of one command, not with other tables.
Prints the mean gap per variant and each variant against ``default`` on the same instance and seed.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.peers import PYVRP_SCALE, read_pyvrp
from benchmarks.run import DEFAULT_DATA, Instance, resolve_instances


def _params(name: str) -> object:
    """SolveParams for a variant name such as ``nb30`` or ``hist100+pert10`` (``fixN`` is not a parameter)."""
    from pyvrp.IteratedLocalSearch import IteratedLocalSearchParams
    from pyvrp.search import NeighbourhoodParams, PerturbationParams
    from pyvrp.solve import SolveParams

    ils: dict[str, object] = {}
    nb: dict[str, object] = {}
    pert: dict[str, object] = {}
    extra_ops: list[object] = []
    for part in name.split("+"):
        if part == "default" or _FIX.fullmatch(part):
            continue
        if part == "ops3":  # the longer segment moves PyVRP has but does not use by default
            from pyvrp.search import Relocate3, Swap31, Swap32, Swap33

            extra_ops = [Relocate3, Swap31, Swap32, Swap33]
            continue
        for prefix, target, key in (
            ("nb", nb, "num_neighbours"),
            ("hist", ils, "history_length"),
            ("pertmin", pert, "min_perturbations"),
            ("pert", pert, "max_perturbations"),
            ("noimp", ils, "num_iters_no_improvement"),
        ):
            if part.startswith(prefix) and part[len(prefix) :].isdigit():
                target[key] = int(part[len(prefix) :])
                break
        else:
            raise SystemExit(f"unknown variant part {part!r}")
    return SolveParams(
        operators=[*SolveParams().operators, *extra_ops],  # type: ignore[list-item]
        ils=IteratedLocalSearchParams(**ils),  # type: ignore[arg-type]
        neighbourhood=NeighbourhoodParams(**nb),  # type: ignore[arg-type]
        perturbation=PerturbationParams(**pert),  # type: ignore[arg-type]
    )


_FIX = re.compile(r"fix(\d+)")


def _route_cost(name: str) -> float:
    """``fixN``: a fixed cost per route of N % of the mean depot round trip (0 without ``fixN``)."""
    found = [int(m.group(1)) for part in name.split("+") if (m := _FIX.fullmatch(part))]
    return found[-1] / 100.0 if found else 0.0


def _with_route_cost(data: Any, share: float) -> Any:
    """``data`` whose vehicles cost ``share`` × the mean depot round trip each to use."""
    if share <= 0:
        return data
    dist = np.asarray(data.distance_matrix(0))
    depot = data.depots()[0].location
    clients = [c.location for c in data.clients()]
    round_trip = float(np.mean(dist[depot, clients] + dist[clients, depot]))
    fixed = round(share * round_trip)
    return data.replace(vehicle_types=[vt.replace(fixed_cost=fixed) for vt in data.vehicle_types()])


def _run(job: tuple[str, Instance, float, int]) -> tuple[str, str, int, float, int]:
    """(variant, instance, seed, gap %, iterations) of one run of raw ``pyvrp.solve``."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    variant, inst, budget, seed = job
    start = time.perf_counter()
    data = _with_route_cost(read_pyvrp(inst.path, inst.kind), _route_cost(variant))
    scale = PYVRP_SCALE[inst.kind]
    left = budget - (time.perf_counter() - start)
    res = pyvrp.solve(
        data, stop=MaxRuntime(left), seed=seed, params=_params(variant), collect_stats=False, display=False
    )
    cost = res.best.distance() / scale if res.best.is_feasible() else float("inf")
    return variant, inst.name, seed, 100.0 * (cost - inst.bks) / inst.bks, res.num_iterations


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", choices=["x", "solomon", "both"], default="x")
    ap.add_argument("--instances", default="", help="comma-separated names (default: the README's)")
    ap.add_argument("--budget", type=float, default=10.0)
    ap.add_argument("--seeds", default="1")
    ap.add_argument("--variants", default="default,nb30,hist100")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = ap.parse_args(argv)
    names = [n for n in args.instances.split(",") if n] or None
    instances = resolve_instances(args.data, args.set, names)
    variants = [v for v in args.variants.split(",") if v]
    for v in variants:
        _params(v)  # fail early on a bad name
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = [(v, inst, args.budget, s) for s in seeds for inst in instances for v in variants]
    with mp.get_context("spawn").Pool(args.jobs) as pool:
        rows = []
        for row in pool.imap_unordered(_run, jobs):
            rows.append(row)
            v, name, seed, gap, iters = row
            print(f"{name:12} s{seed} {v:24} gap {gap:6.2f} %  {iters:7d} it", flush=True)
    gaps = {(v, n, s): g for v, n, s, g, _ in rows}
    print(f"\nbudget {args.budget} s, seeds {args.seeds}, {len(instances)} instances")
    print(f"{'variant':24} {'mean gap %':>10} {'vs default':>10} {'better':>6} {'worse':>6}")
    for v in variants:
        mine = [g for (vv, _, _), g in gaps.items() if vv == v]
        diffs = [
            gaps[v, n, s] - gaps["default", n, s]
            for (vv, n, s) in gaps
            if vv == v and ("default", n, s) in gaps
        ]
        better = sum(d < -1e-9 for d in diffs)
        worse = sum(d > 1e-9 for d in diffs)
        mean_diff = statistics.fmean(diffs) if diffs else float("nan")
        print(f"{v:24} {statistics.fmean(mine):10.3f} {mean_diff:10.3f} {better:6d} {worse:6d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
