"""The port through which plans are solved: in this process, or by the OptimizerService over gRPC."""

from __future__ import annotations

from collections.abc import Callable

from optimizer.compiled import RoadMatrices, compile_problem
from optimizer.model import Problem
from optimizer.solve import Solution, SolveOptions, solve

#: Solve a problem within the options' budget and return a checker-verified solution.
Solver = Callable[[Problem, SolveOptions], Solution]


def local_solver(road: RoadMatrices | None = None) -> Solver:
    """Solve in this process (the CLI and tests without a running optimizer)."""

    def run(problem: Problem, options: SolveOptions) -> Solution:
        return solve(problem, options, compiled=compile_problem(problem, road))

    return run


def default_road() -> RoadMatrices:
    """Road matrices from the default graph registry and cache (see server.app.default_geo)."""
    from geo.provider import RoadMatrixProvider
    from server.app import default_geo

    return RoadMatrixProvider(*default_geo())
