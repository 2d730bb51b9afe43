"""``hakobu solve FILE``: solve a VRPLIB, Solomon or JSON request file in this process."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from types import ModuleType

from server.platform.settings import Settings


def solve_file(settings: Settings, wiring: ModuleType, ns: argparse.Namespace) -> int:
    from optimizer.io import format_cost, read_solomon, read_vrplib, write_sol
    from optimizer.model import ModelError
    from optimizer.parallel import WorkerPool
    from optimizer.solve import SolveOptions, solve

    path: Path = ns.file
    if not path.is_file():
        print(f"hakobu solve: no such file: {path}", file=sys.stderr)
        return 2
    try:
        if path.suffix.lower() == ".json":
            from optimizer.service.convert import problem_from_proto

            problem = problem_from_proto(_read_json_problem(path))
        elif path.suffix.lower() == ".vrp":
            problem = read_vrplib(path)
        else:
            problem = read_solomon(path)
    except ModelError as exc:
        for field, msg in exc.violations:
            print(f"hakobu solve: {path}: {field}: {msg}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"hakobu solve: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    from optimizer.compiled import compile_problem
    from optimizer.model import TravelMode

    try:
        road = None
        if problem.travel.mode is TravelMode.ROAD:
            from geo.provider import RoadMatrixProvider

            road = RoadMatrixProvider(*wiring.default_geo(settings))
        compiled = compile_problem(problem, road)
    except ModelError as exc:
        for field, msg in exc.violations:
            print(f"hakobu solve: {path}: {field}: {msg}", file=sys.stderr)
        return 2
    par = ns.parallelism or max(1, settings.workers)
    opts = SolveOptions(engine=ns.engine, time_limit=ns.time_limit, seed=ns.seed, parallelism=par)
    pool = WorkerPool(par) if par > 1 else None
    t0 = time.monotonic()
    try:
        sol = solve(problem, opts, pool=pool, started_at=t0, compiled=compiled)
    finally:
        if pool is not None:
            pool.close()
    fmt = ns.format or ("sol" if ns.output is None or ns.output.suffix == ".sol" else "json")
    out = open(ns.output, "w", encoding="utf-8") if ns.output else sys.stdout
    try:
        if fmt == "sol":
            write_sol(problem, sol.plan, sol.evaluation.distance, out)
        else:
            from google.protobuf import json_format

            from hakobu.optimizer.v1 import optimizer_pb2 as pb
            from optimizer.service.convert import solution_to_proto, stats_to_proto

            resp = pb.OptimizeResponse(
                solution=solution_to_proto(problem, sol.evaluation, sol.unassigned),
                stats=stats_to_proto(sol.stats),
            )
            out.write(json_format.MessageToJson(resp, ensure_ascii=False, indent=2) + "\n")
    finally:
        if ns.output:
            out.close()
    s = sol.stats
    print(
        f"{path.name}: cost {format_cost(sol.evaluation.distance, problem)} (distance), "
        f"{sol.evaluation.vehicles_used} routes, {len(sol.unassigned)} unassigned, engine {s.engine}, "
        f"first feasible {s.first_feasible_seconds or 0:.3f} s, wall {s.wall_seconds:.2f} s",
        file=sys.stderr,
    )
    return 0


def _read_json_problem(path: Path):
    from google.protobuf import json_format

    from hakobu.optimizer.v1 import optimizer_pb2 as pb

    data = json.loads(path.read_text(encoding="utf-8"))
    if "problem" in data:
        req = json_format.ParseDict(data, pb.OptimizeRequest())
        return req.problem
    return json_format.ParseDict(data, pb.Problem())
