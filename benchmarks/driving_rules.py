"""Cost of the driving-time rules (改善基準告示) on a long-haul-like day, and the checker's proof.

A generated instance: one depot in Saitama, jobs spread over Kanto (up to
``--radius-km`` away), trucks with 11 h shifts and haversine travel at
``--speed`` km/h, so most routes drive more than 4 h. The same instance is
solved with the rules off and on, one after the other, and each plan is
re-checked by the independent checker (with the rules on for both, to show what
the rule-free plan would break). A share of the jobs (``--windows``) have a 4-hour
time window, so trucks wait; the rules are solved twice more in the same run:
waiting is work (the default) and ``wait_counts_as_break`` (a wait of 30 min or
more for a window is the 430 break, the pre-2024 reading) — what that reading saves.

    python -m benchmarks.driving_rules --vehicles 20 --jobs 200 --budget 10
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import random
from collections.abc import Sequence

from optimizer.checker import ViolationCode, evaluate
from optimizer.compiled import compile_problem
from optimizer.model import Depot, Job, Location, Problem, Stop, TimeWindow, Travel, TravelMode, Vehicle
from optimizer.parallel import WorkerPool
from optimizer.rules import DrivingRules
from optimizer.solve import SolveOptions, solve

HOUR = 3600
DEPOT = (35.906, 139.624)  # さいたま市


def instance(vehicles: int, jobs: int, radius_km: float, speed_kmh: float, seed: int,
             windows: float = 0.0) -> Problem:
    rng = random.Random(seed)
    wrng = random.Random(seed + 1000)  # windows drawn apart, so --windows 0 is the old instance
    out = []
    for i in range(jobs):
        r = radius_km * math.sqrt(rng.uniform(0.15, 1.0))
        a = rng.uniform(0, 2 * math.pi)
        lat = DEPOT[0] + r / 111.0 * math.sin(a)
        lng = DEPOT[1] + r / (111.0 * math.cos(math.radians(DEPOT[0]))) * math.cos(a)
        tw: tuple[TimeWindow, ...] = ()
        if wrng.random() < windows:
            start = wrng.randint(9, 12) * HOUR
            tw = (TimeWindow(start, start + 4 * HOUR),)
        out.append(
            Job(
                f"J{i:03d}", Stop(Location(latitude=lat, longitude=lng), 20 * 60, time_windows=tw),
                demand=(rng.randint(1, 4),),
            )
        )
    return Problem(
        depots=(Depot("saitama", Location(latitude=DEPOT[0], longitude=DEPOT[1])),),
        vehicles=tuple(
            Vehicle(
                f"T{k:02d}",
                capacity=(40,),
                shift=TimeWindow(6 * HOUR, 17 * HOUR),
                fixed_cost=20000,
                cost_per_km=60,
                cost_per_hour=2500,
            )
            for k in range(vehicles)
        ),
        jobs=tuple(out),
        travel=Travel(mode=TravelMode.HAVERSINE, speed=speed_kmh / 3.6, detour_factor=1.3),
    )


def with_rules(p: Problem, rules: DrivingRules | None) -> Problem:
    return dataclasses.replace(p, vehicles=tuple(dataclasses.replace(v, rules=rules) for v in p.vehicles))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.driving_rules")
    ap.add_argument("--vehicles", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=200)
    ap.add_argument("--radius-km", type=float, default=90.0)
    ap.add_argument("--speed", type=float, default=45.0, help="km/h")
    ap.add_argument("--budget", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--windows", type=float, default=0.3, help="share of jobs with a 4 h time window")
    ns = ap.parse_args(argv)
    base = instance(ns.vehicles, ns.jobs, ns.radius_km, ns.speed, ns.seed, ns.windows)
    ruled = with_rules(base, DrivingRules())
    waits = with_rules(base, DrivingRules(wait_counts_as_break=True))
    ruled_compiled = compile_problem(ruled)
    print(
        f"{'rules':<7} {'cost':>11} {'served':>7} {'vehicles':>8} {'driving h':>10} {'>4h routes':>10} "
        f"{'breaks':>7} {'wait h':>7} {'violations (rules on)':>22}"
    )
    with WorkerPool(2) as pool:
        for label, problem in (("off", with_rules(base, None)), ("on", ruled), ("on+wait", waits)):
            sol = solve(problem, SolveOptions(time_limit=ns.budget, seed=ns.seed, parallelism=2), pool=pool)
            ev = sol.evaluation
            driving = [sum(s.duration_from_previous for s in r.steps) for r in ev.routes]
            breaks = sum(1 for r in ev.routes for s in r.steps if s.kind == "BREAK")
            waited = sum(s.waiting for r in ev.routes for s in r.steps)
            check = evaluate(ruled_compiled, sol.plan)
            rule_codes = {
                ViolationCode.CONTINUOUS_DRIVING,
                ViolationCode.RESTRAINT,
                ViolationCode.DAILY_DRIVING,
            }
            counts = {}
            for v in check.violations:
                counts[v.code.name] = counts.get(v.code.name, 0) + 1
            shown = ", ".join(f"{k} {n}" for k, n in sorted(counts.items())) or "none"
            served = ns.jobs - len(sol.unassigned)
            print(
                f"{label:<7} {sol.cost:>11,.0f} {served:>7} {ev.vehicles_used:>8} "
                f"{sum(driving) / HOUR:>10.1f} {sum(d > 4 * HOUR for d in driving):>10} "
                f"{breaks:>7} {waited / HOUR:>7.1f} {shown:>22}"
            )
            if label == "on":
                assert not any(v.code in rule_codes for v in check.violations), "a ruled plan broke a rule"
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
