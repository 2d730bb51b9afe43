"""How long the checker and the diagnosis of unassigned jobs take on big inputs.

Every plan the service returns passes the checker, and every request is diagnosed for jobs no
vehicle could serve alone, so both sit on the path to the first plan. Prints, per CVRPLIB
instance, the time to evaluate its best-known plan (``optimizer.checker.evaluate``), then the
time ``optimizer.diagnosis.infeasible_alone`` takes on a synthetic day of many jobs and vehicles.

    python -m benchmarks.checker
    python -m benchmarks.checker --instances X-n101-k25,X-n1001-k43 --jobs 5000 --vehicles 2000 --repeat 5
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from benchmarks.run import DEFAULT_DATA
from optimizer.checker import evaluate
from optimizer.compiled import Compiled, compile_problem
from optimizer.diagnosis import infeasible_alone
from optimizer.io import read_vrplib
from optimizer.io.sol import read_sol
from optimizer.model import Depot, Job, Location, Problem, Stop, TimeWindow, Travel, TravelMode, Vehicle

DEFAULT_INSTANCES = ("X-n101-k25", "X-n401-k29", "X-n1001-k43")

T = TypeVar("T")


def synthetic_day(jobs: int = 5000, vehicles: int = 2000, seed: int = 5) -> Compiled:
    """A day of ``jobs`` jobs for ``vehicles`` vehicles on 60 places, some jobs unservable.

    Jobs weigh up to 1,200 kg against 500 or 1,000 kg trucks, every other one has a one-hour window,
    every seventh allows only 2t and 4t vehicles; vehicles have shifts and maximum durations.
    """
    rng = np.random.default_rng(seed)
    size = 60
    xy = rng.integers(0, 30_000, size=(size, 2))
    dist = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    items = []
    for i in range(jobs):
        start = int(rng.integers(0, 30_000))
        items.append(
            Job(
                f"J-{i}",
                Stop(
                    Location(matrix_index=int(rng.integers(1, size))),
                    300,
                    (TimeWindow(start, start + 3600),) if i % 2 else (),
                ),
                demand=(int(rng.integers(1, 1200)), int(rng.integers(0, 4))),
                allowed_vehicle_classes=frozenset({"2t", "4t"}) if i % 7 == 0 else frozenset(),
            )
        )
    fleet = tuple(
        Vehicle(
            f"V-{i}",
            (int(rng.choice([500, 1000])), 4),
            shift=TimeWindow(3600, 20_000 + i),
            vehicle_class=str(rng.choice(["2t", "4t", "10t"])),
            max_duration=int(rng.choice([15_000, 30_000])),
        )
        for i in range(vehicles)
    )
    return compile_problem(
        Problem(
            depots=(Depot("D", Location(matrix_index=0)),),
            vehicles=fleet,
            jobs=tuple(items),
            dimensions=("kg", "pallets"),
            travel=Travel(TravelMode.EXPLICIT, distances=dist, durations=dist // 10),
        )
    )


def fastest(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    """The shortest of ``repeat`` (at least one) timed calls in seconds, and what the last one returned."""
    best = float("inf")
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instances", default=",".join(DEFAULT_INSTANCES))
    ap.add_argument("--jobs", type=int, default=5000)
    ap.add_argument("--vehicles", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = ap.parse_args(argv)

    print("checker on best-known plans (fastest of", args.repeat, "runs)")
    print(f"{'instance':<14}{'jobs':>6}{'routes':>8}{'feasible':>10}{'evaluate (ms)':>15}")
    for name in [n for n in args.instances.split(",") if n]:
        path = args.data / "cvrp-x" / f"{name}.vrp"
        problem = read_vrplib(path)
        compiled = compile_problem(problem)
        plan = read_sol(problem, path.with_suffix(".sol"))
        seconds, ev = fastest(lambda c=compiled, p=plan: evaluate(c, p), args.repeat)
        feasible = "yes" if ev.is_feasible else "NO"
        print(f"{name:<14}{len(problem.jobs):>6}{len(plan.routes):>8}{feasible:>10}{seconds * 1e3:>15.1f}")

    day = synthetic_day(args.jobs, args.vehicles)
    seconds, out = fastest(lambda: infeasible_alone(day), args.repeat // 2)
    print()
    print("diagnosis of jobs no vehicle can serve alone (synthetic day)")
    print(f"{'jobs':>6}{'vehicles':>10}{'left out':>10}{'infeasible_alone (ms)':>23}")
    print(f"{args.jobs:>6}{args.vehicles:>10}{len(out):>10}{seconds * 1e3:>23.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
