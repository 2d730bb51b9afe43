"""``PyVRPEngine``: the phases of a solve (required jobs, then prized if need be), warm starts."""

from __future__ import annotations

import numpy as np
from pyvrp import Solution
from pyvrp.solve import SolveParams

from optimizer.compiled import Compiled
from optimizer.engines import objective
from optimizer.engines.base import Capability, EngineResult, Limits, OnImprovement, ShouldStop
from optimizer.engines.pyvrp.fleet import build_fleet, fleet_too_small, servable
from optimizer.engines.pyvrp.instance import Instance, build_instance, salvage, to_plan, to_solution
from optimizer.engines.pyvrp.search import Incoming, Session, history_length
from optimizer.model import Plan


class PyVRPEngine:
    """Solves compiled problems with PyVRP's iterated local search.

    ``required_phase_share`` is the share of the budget (time, and iterations
    when ``max_iterations`` is set) the search may spend without any feasible
    solution while required jobs are required; after that they become optional
    with a prize far above any route cost and the search starts again.
    ``start_relaxed`` skips the required phase: required jobs are prized from
    the start (a portfolio run that finds feasible plans fast on rich problems).
    """

    name = "pyvrp"
    capabilities = frozenset(Capability)

    def __init__(
        self,
        params: SolveParams | None = None,
        required_phase_share: float = 0.3,
        start_relaxed: bool = False,
        minimise_routes: bool = False,
    ):
        if not 0 < required_phase_share <= 1:
            raise ValueError("required_phase_share must be in (0, 1]")
        #: With PyVRP's default parameters, the history length follows the budget (history_length).
        self.budget_history = params is None
        self.params = params if params is not None else SolveParams()
        self.required_phase_share = required_phase_share
        self.start_relaxed = start_relaxed
        self.minimise_routes = minimise_routes
        #: Plans the last ``solve`` took from ``incoming``, and its late-acceptance history length.
        self.adopted = 0
        self.history = self.params.ils.history_length

    def solve(
        self,
        compiled: Compiled,
        limits: Limits,
        on_improvement: OnImprovement | None = None,
        should_stop: ShouldStop | None = None,
        *,
        initial: Plan | None = None,
        incoming: Incoming | None = None,
    ) -> EngineResult:
        """Search as :class:`~optimizer.engines.base.Engine` says, optionally cooperating.

        ``initial`` warm-starts the search from a plan of ``compiled`` (used
        when PyVRP accepts it as a feasible solution; the result is then never
        worse than it). ``incoming`` is polled between iterations for better
        plans found by other searches, which the search then continues from.
        """
        history = history_length(limits) if self.budget_history else None
        session = Session(
            self.params, limits, on_improvement, should_stop, incoming, history, self.minimise_routes
        )
        try:
            return self._solve(session, compiled, initial)
        finally:
            self.adopted, self.history = session.adopted, session.history

    def _solve(self, session: Session, compiled: Compiled, initial: Plan | None) -> EngineResult:
        p = compiled.problem
        fleet = build_fleet(compiled)
        if not fleet.keys:
            return EngineResult(Plan([]), float(_total_prize(compiled)), 0, None)
        serve_jobs, serve_ships = servable(compiled, fleet)
        if not (serve_jobs.any() or serve_ships.any()):
            return EngineResult(Plan([]), float(_total_prize(compiled)), 0, None)
        must_jobs = serve_jobs & np.array([j.penalty is None for j in p.jobs], dtype=bool)
        must_ships = serve_ships & np.array([s.penalty is None for s in p.shipments], dtype=bool)

        phase = (compiled, fleet, serve_jobs, serve_ships)

        def relaxed() -> Instance:
            return build_instance(*phase, np.zeros_like(must_jobs), np.zeros_like(must_ships))

        start_relaxed = self.start_relaxed or fleet_too_small(compiled, fleet, must_jobs)
        inst = relaxed() if start_relaxed else build_instance(*phase, must_jobs, must_ships)
        warm = _warm_start(inst, initial)
        if warm is None and initial is not None and not inst.relaxed:
            # A feasible plan that leaves required jobs out: continue from it with them prized.
            prized = relaxed()
            warm = _warm_start(prized, initial)
            inst = prized if warm is not None else inst
        if start_relaxed or inst.relaxed or warm is not None:
            best = session.run(compiled, inst, session.stop(), warm)
        else:
            stop = session.stop(self.required_phase_share)
            best = session.run(compiled, inst, stop)
            if not best.is_feasible():
                inst = relaxed()
                if stop.gave_up:
                    best = session.run(compiled, inst, session.stop())
        if not best.is_feasible():
            best = salvage(best, inst)
            if best.num_routes():
                session.report(inst, best)

        return EngineResult(
            plan=to_plan(inst, best),
            objective=float(inst.evaluator.cost(best)),
            iterations=session.iterations,
            first_feasible_seconds=session.first_feasible,
        )


def _warm_start(inst: Instance, plan: Plan | None) -> Solution | None:
    """``plan`` as a feasible starting solution of ``inst``, or None."""
    if plan is None:
        return None
    sol = to_solution(inst, plan)
    return sol if sol is not None and sol.is_feasible() else None


def _total_prize(compiled: Compiled) -> int:
    """The objective of serving nothing: every item's prize."""
    p = compiled.problem
    required = objective.required_prize(compiled)
    items = list(p.jobs) + list(p.shipments)
    return sum(
        required if i.penalty is None else objective.penalty_weight(compiled, i.penalty) for i in items
    )
