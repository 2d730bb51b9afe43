"""The port through which plans are solved: in this process, or by the OptimizerService over gRPC."""

from __future__ import annotations

from collections.abc import Callable

from optimizer.compiled import RoadMatrices, compile_problem
from optimizer.model import Problem
from optimizer.solve import Solution, SolveOptions, solve

#: Solve a problem within the options' budget and return a checker-verified solution.
Solver = Callable[[Problem, SolveOptions], Solution]
#: ``on_progress(best_cost, served)``: told of every improving plan the search finds (yen, jobs served).
Progress = Callable[[float, int], None]


def local_solver(road: RoadMatrices | None = None) -> Solver:
    """Solve in this process (the CLI and tests without a running optimizer); ``road`` gives the road
    matrices for road travel (the wiring passes them; without them road travel fails). The solver also
    takes an ``on_progress`` keyword (:data:`Progress`)."""

    def run(problem: Problem, options: SolveOptions, *, on_progress: Progress | None = None) -> Solution:
        def report(sol: Solution) -> None:
            if on_progress is not None:
                ev = sol.evaluation
                served = len(problem.jobs) - len(ev.unassigned_jobs)
                on_progress(float(ev.cost.total), served)

        return solve(problem, options, compiled=compile_problem(problem, road), on_progress=report)

    return run


def reporting(solver: Solver, on_progress: Progress | None) -> Solver:
    """``solver`` telling ``on_progress`` of its improving plans (the solver must take an ``on_progress``
    keyword, as :func:`local_solver`'s and ``RemoteSolver`` do); ``solver`` itself when there is none."""
    if on_progress is None:
        return solver

    def run(problem: Problem, options: SolveOptions) -> Solution:
        return solver(problem, options, on_progress=on_progress)  # type: ignore[call-arg]

    return run
