"""The port through which plans are solved: in this process, or by the OptimizerService over gRPC."""

from __future__ import annotations

from collections.abc import Callable

from optimizer.compiled import RoadMatrices, compile_problem
from optimizer.model import Problem
from optimizer.solve import Solution, SolveOptions, solve

#: Solve a problem within the options' budget and return a checker-verified solution.
Solver = Callable[[Problem, SolveOptions], Solution]


def local_solver(road: RoadMatrices | None = None) -> Solver:
    """Solve in this process (the CLI and tests without a running optimizer); ``road`` gives the road
    matrices for road travel (the wiring passes them; without them road travel fails)."""

    def run(problem: Problem, options: SolveOptions) -> Solution:
        return solve(problem, options, compiled=compile_problem(problem, road))

    return run

