"""Is the time limit kept at every size up to the job cap, and how much memory does the cap take?

For each size, a fresh process builds a haversine problem around Tokyo Station (``jobs``
deliveries, ``--vehicles`` trucks that can carry them all with some room), starts a warm pool of
two workers (as the service keeps them), and calls ``solve()`` with ``--time-limit``. The clock
starts before the travel matrices are computed, as it does when a request arrives. Printed per
size: the compile time (matrices), the wall time of the whole call, how far it went over the
limit, when the first verified plan came, and the peak memory of the process and its workers
together, sampled every 50 ms (the sum of resident sizes, which counts shared pages once per
process, and the sum of proportional sizes, which splits them), and of the largest process.
"no plan": the call ended in time without one (``NoPlanError``, DEADLINE_EXCEEDED at the edge).

    python -m benchmarks.limits                       # 100, 1,000 and 5,000 jobs, 2 s
    python -m benchmarks.limits --sizes 5000 --time-limit 2 --repeat 3
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from optimizer.model import Depot, Job, Location, Problem, Stop, Travel, TravelMode, Vehicle

#: Tokyo Station; jobs are spread over a square of about 40 km around it.
CENTRE = (35.681, 139.767)
SPREAD_DEGREES = 0.2
#: 30 km/h in metres per second, the optimizer's default for haversine travel.
SPEED = 30 / 3.6


def problem(jobs: int, vehicles: int, seed: int = 1) -> Problem:
    """``jobs`` deliveries of 1-10 units; ``vehicles`` trucks with 20 % more room than needed."""
    rng = random.Random(seed)
    lat0, lng0 = CENTRE
    demands = [rng.randint(1, 10) for _ in range(jobs)]
    capacity = math.ceil(1.2 * sum(demands) / vehicles)
    depot = Depot("depot", Location(latitude=lat0, longitude=lng0))
    return Problem(
        depots=(depot,),
        vehicles=tuple(Vehicle(f"truck-{k}", (capacity,)) for k in range(vehicles)),
        jobs=tuple(
            Job(
                f"job-{i}",
                Stop(
                    Location(
                        latitude=lat0 + rng.uniform(-SPREAD_DEGREES, SPREAD_DEGREES) / 2,
                        longitude=lng0 + rng.uniform(-SPREAD_DEGREES, SPREAD_DEGREES) / 2,
                    ),
                    service_duration=300,
                ),
                demand=(d,),
            )
            for i, d in enumerate(demands)
        ),
        travel=Travel(mode=TravelMode.HAVERSINE, speed=SPEED),
    )


class _PeakMemory:
    """Samples the memory of this process and all its descendants (Linux ``/proc``): the sum of
    their resident sizes (pages shared between them counted in each), the sum of their
    proportional sizes (PSS: shared pages split between the processes mapping them, so the sum is
    what they take together), and the largest resident size of one process."""

    def __init__(self, interval: float = 0.05) -> None:
        self.total = 0
        self.proportional = 0
        self.largest = 0
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        pids: list[int] = []
        for k in itertools.count():
            if self._stop.is_set():
                return
            if k % 10 == 0:  # listing every process is the costly part: the workers rarely change
                pids = _tree(os.getpid())
            sizes = [_rss(pid) for pid in pids]
            self.total = max(self.total, sum(sizes))
            self.proportional = max(self.proportional, sum(_pss(pid) for pid in pids))
            self.largest = max(self.largest, *sizes)
            self._stop.wait(self._interval)


def _rss(pid: int) -> int:
    """Resident bytes of ``pid`` (0 if it has gone)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid: int) -> int:
    """Proportional set size of ``pid`` in bytes (0 if it has gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def measure(jobs: int, vehicles: int, time_limit: float, seed: int) -> dict[str, float]:
    """One solve of the generated problem with a warm pool of two workers."""
    from optimizer.compiled import compile_problem
    from optimizer.parallel import WorkerPool
    from optimizer.solve import NoPlanError, SolveOptions, solve

    p = problem(jobs, vehicles, seed)
    with _PeakMemory() as memory, WorkerPool(2) as pool:
        pool.wait_ready()
        t0 = time.monotonic()
        compiled = compile_problem(p)
        t_compile = time.monotonic() - t0
        options = SolveOptions(time_limit=time_limit, seed=seed, parallelism=2)
        try:
            sol = solve(p, options, pool=pool, started_at=t0, compiled=compiled)
        except NoPlanError:  # answered in time, but without a plan (DEADLINE_EXCEEDED)
            sol = None
        wall = time.monotonic() - t0
    return {
        "jobs": jobs,
        "compile": t_compile,
        "wall": wall,
        "over": wall - time_limit,
        "first": math.nan if sol is None else sol.stats.first_feasible_seconds or math.nan,
        "unassigned": -1 if sol is None else len(sol.unassigned),
        "routes": 0 if sol is None else sum(1 for r in sol.plan.routes if r.visits),
        "km": math.nan if sol is None else sol.evaluation.distance / 1000,
        "peak_rss_sum_mb": memory.total / 2**20,
        "peak_pss_sum_mb": memory.proportional / 2**20,
        "peak_largest_mb": memory.largest / 2**20,
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.limits", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,5000", help="comma-separated job counts")
    ap.add_argument("--vehicles", type=int, default=50)
    ap.add_argument("--time-limit", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size here
    ns = ap.parse_args(argv)
    if ns.one is not None:
        print(json.dumps(measure(ns.one, ns.vehicles, ns.time_limit, ns.seed)))
        return 0
    print(f"time limit {ns.time_limit:g} s, {ns.vehicles} vehicles, haversine, pool of 2 workers")
    head = f"{'jobs':>6} {'compile s':>10} {'wall s':>8} {'over limit s':>13} {'first plan s':>13}"
    memory = f"{'peak RSS sum MB':>16} {'PSS sum MB':>11} {'largest MB':>11}"
    print(f"{head} {'routes':>7} {'unassigned':>11} {'km':>7} {memory}")
    root = Path(__file__).resolve().parents[1]
    for size in (int(s) for s in ns.sizes.split(",")):
        for _ in range(ns.repeat):
            args = ["--one", str(size), "--vehicles", str(ns.vehicles), "--time-limit", str(ns.time_limit)]
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.limits", *args, "--seed", str(ns.seed)],
                cwd=root,
                capture_output=True,
                text=True,
            )
            if out.returncode != 0:
                print(f"{size:>6} failed: {out.stderr.strip().splitlines()[-1:]}", flush=True)
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            routes = f"{r['routes']:>7}" if r["unassigned"] >= 0 else f"{'no plan':>7}"
            print(
                f"{r['jobs']:>6} {r['compile']:>10.2f} {r['wall']:>8.2f} {r['over']:>13.2f}"
                f" {r['first']:>13.2f} {routes} {max(r['unassigned'], 0):>11} {r['km']:>7.0f}"
                f" {r['peak_rss_sum_mb']:>16.0f} {r['peak_pss_sum_mb']:>11.0f} {r['peak_largest_mb']:>11.0f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
