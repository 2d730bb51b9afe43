"""One search on a PyVRP instance: the iterated local search written out, its stopping criterion,
the late-acceptance history and route minimisation. The tuning constants cite the benchmark runs
that chose them."""

from __future__ import annotations

import copy
import dataclasses
import math
import time
import warnings
from collections.abc import Callable

import numpy as np
from pyvrp import ProblemData, RandomNumberGenerator, Route, Solution
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.PenaltyManager import PenaltyManager
from pyvrp.RingBuffer import RingBuffer
from pyvrp.search import LocalSearch, PerturbationManager, compute_neighbours
from pyvrp.solve import SolveParams

from optimizer.compiled import Compiled
from optimizer.engines.base import Limits, OnImprovement, ShouldStop
from optimizer.engines.pyvrp.instance import Instance, penalty_ceiling, to_plan, to_solution
from optimizer.engines.sweep import sweep
from optimizer.model import Plan

#: What PyVRP's cost evaluator returns for an infeasible solution.
INFEASIBLE_COST = int(np.iinfo(np.int64).max)

#: Late-acceptance history length per second of budget, and per iteration when the iterations are
#: capped, within bounds. PyVRP's default (300) suits long runs: at 10 s a history of 100-150 gave
#: 0.24-0.35 points lower mean gaps on the X instances than 300, and at 60 s 600 did no worse than 300
#: (``python -m benchmarks.tune``; benchmarks/RESULTS.md, 2026-12-01).
HISTORY_PER_SECOND = 10.0
HISTORY_PER_ITERATION = 0.01
HISTORY_BOUNDS = (30, 1000)
#: A time-limited search starts with HISTORY_PER_SECOND (which assumes ~1,000 iterations a second) and,
#: once this share of its time has passed, re-sizes its history to HISTORY_PER_ITERATION of the
#: iterations it will make at the rate measured so far: the rate differs up to 3x by machine, instance
#: and load. At 10 s this lowered the mean X gap from 0.86/0.95 % to 0.75/0.85 % (40 paired runs) and
#: the Solomon one from 0.17 % to 0.09 % (benchmarks/RESULTS.md, "History from the iteration rate").
HISTORY_CALIBRATION_SHARE = 0.1

#: Route minimisation (``PyVRPEngine(minimise_routes=True)``): after this share of the budget, the
#: search drops the plan's shortest route and searches with one vehicle fewer for at most
#: ROUTE_CUT_WINDOW_SHARE of the budget; a cheaper plan found that way is kept and cut again.
ROUTE_CUT_START_SHARE = 0.1
ROUTE_CUT_WINDOW_SHARE = 0.2

#: Polled by a cooperative search between iterations: a plan found elsewhere
#: (same compiled problem) to continue from if it is better, else None.
Incoming = Callable[[], Plan | None]


# --------------------------------------------------------------------------
# Running the search
# --------------------------------------------------------------------------


def history_length(limits: Limits) -> int:
    """The late-acceptance history for a search with these limits: longer for longer searches."""
    wanted = HISTORY_PER_SECOND * limits.time_limit
    if limits.max_iterations is not None:
        wanted = min(wanted, HISTORY_PER_ITERATION * limits.max_iterations)
    return _within_bounds(wanted)


def history_for_rate(iterations_per_second: float, seconds: float) -> int:
    """The history for a search of ``seconds`` at this many iterations per second."""
    return _within_bounds(HISTORY_PER_ITERATION * iterations_per_second * seconds)


def _within_bounds(wanted: float) -> int:
    low, high = HISTORY_BOUNDS
    return int(min(high, max(low, round(wanted))))


def cut_shortest_route(data: ProblemData, solution: Solution) -> tuple[ProblemData, Solution]:
    """A fleet of one vehicle fewer than ``solution`` uses, and ``solution`` on it without its shortest route.

    Each vehicle type keeps as many vehicles as the solution uses of it (one fewer for the type of the
    cut route), so the search cannot move the cut route to a spare vehicle. PyVRP needs at least one
    vehicle per type: a type left with none keeps one with a maximum distance of zero, which any route
    exceeds. The cut route's stops are left out; the local search re-inserts them.
    """
    routes = solution.routes()
    cut = min(range(len(routes)), key=lambda r: (len(routes[r]), routes[r].distance()))
    used = [0] * data.num_vehicle_types
    for route in routes:
        used[route.vehicle_type()] += 1
    used[routes[cut].vehicle_type()] -= 1
    types = [
        vt.replace(num_available=n) if n else vt.replace(num_available=1, max_distance=0)
        for vt, n in zip(data.vehicle_types(), used, strict=True)
    ]
    fewer = data.replace(vehicle_types=types)
    return fewer, on_fleet(fewer, solution, skip=cut)


def fewest_routes(data: ProblemData) -> int:
    """A lower bound on the routes serving every required client: their total load over the largest vehicles.

    Per load dimension, deliveries and pickups each must fit in the routes' capacities; with reloads
    there is no such bound (0).
    """
    types = data.vehicle_types()
    if any(vt.reload_depots for vt in types):
        return 0
    required = [c for c in data.clients() if c.required]
    if not required:
        return 0
    fleet = np.array([vt.capacity for vt in types for _ in range(vt.num_available)], dtype=np.int64)
    fleet = -np.sort(-fleet, axis=0)  # each dimension's capacities, largest first
    room = np.cumsum(fleet, axis=0)
    bound = 0
    totals = [np.sum([c.delivery for c in required], axis=0), np.sum([c.pickup for c in required], axis=0)]
    for load in totals:
        for dim, total in enumerate(load):
            # The fewest vehicles holding it, taking the largest first.
            needed = int(np.searchsorted(room[:, dim], total)) + 1 if total > 0 else 0
            bound = max(bound, min(needed, len(fleet)))
    return bound


def on_fleet(data: ProblemData, solution: Solution, skip: int = -1) -> Solution:
    """``solution``'s routes but ``skip`` as a solution of ``data`` (which differs only in fleet size)."""
    return Solution(
        data,
        [Route(data, list(r)[1:-1], r.vehicle_type()) for k, r in enumerate(solution.routes()) if k != skip],
    )


class StopCriterion:
    """PyVRP stopping criterion: iteration budget, caller's request, deadline, give-up point.

    PyVRP calls it before every iteration with the best cost, which is
    ``INFEASIBLE_COST`` while no feasible solution has been found.
    """

    def __init__(self, deadline: float, max_iterations: int | None, should_stop: ShouldStop | None):
        self.deadline = deadline
        self.max_iterations = max_iterations
        self.should_stop = should_stop
        #: While no feasible solution is known, stop at this time or iteration count.
        self.give_up_time: float | None = None
        self.give_up_iterations: int | None = None
        self.granted = 0
        self.gave_up = False

    def out_of_time(self) -> bool:
        """Whether the deadline has passed or the caller asked to stop (no iteration is counted)."""
        stopped = self.should_stop is not None and self.should_stop()
        return stopped or time.perf_counter() >= self.deadline

    def __call__(self, best_cost: int) -> bool:
        if self.max_iterations is not None and self.granted >= self.max_iterations:
            return True
        if self.should_stop is not None and self.should_stop():
            return True
        now = time.perf_counter()
        if now >= self.deadline:
            return True
        if best_cost >= INFEASIBLE_COST and (
            (self.give_up_iterations is not None and self.granted >= self.give_up_iterations)
            or (self.give_up_time is not None and now >= self.give_up_time)
        ):
            self.gave_up = True
            return True
        self.granted += 1
        return False

    def until(self, end: float, give_up: bool = True) -> StopCriterion:
        """This criterion, stopping at ``end`` at the latest (and never giving up unless ``give_up``)."""
        part = copy.copy(self)
        part.deadline = min(self.deadline, end)
        if not give_up:
            part.give_up_time = part.give_up_iterations = None
        return part


class Session:
    """The state of one ``solve`` call."""

    def __init__(
        self,
        params: SolveParams,
        limits: Limits,
        on_improvement: OnImprovement | None,
        should_stop: ShouldStop | None,
        incoming: Incoming | None = None,
        history: int | None = None,
        minimise_routes: bool = False,
    ):
        self.params = params
        #: Late-acceptance history length (default: the one in ``params``).
        self.history = params.ils.history_length if history is None else history
        #: Whether the history is re-sized to the measured iteration rate (given, time-limited only).
        self.calibrate = history is not None and limits.max_iterations is None
        self.limits = limits
        self.on_improvement = on_improvement
        self.should_stop = should_stop
        self.incoming = incoming
        #: Cut routes (see ``_cut_routes``); only time-limited searches, as the cuts are timed.
        self.minimise_routes = minimise_routes and limits.max_iterations is None
        #: While set, only plans cheaper than this are reported (searches on a cut fleet start worse).
        self.floor: float | None = None
        self.start = time.perf_counter()
        self.deadline = self.start + limits.time_limit
        self.iterations = 0
        self.first_feasible: float | None = None
        #: Plans taken from ``incoming`` (cooperation), for statistics and tests.
        self.adopted = 0

    def report(self, inst: Instance, solution: Solution) -> None:
        if self.floor is not None:
            cost = float(inst.evaluator.cost(solution))
            if cost >= self.floor:
                return
            self.floor = cost
        if self.first_feasible is None:
            self.first_feasible = time.perf_counter() - self.start
        if self.on_improvement is not None:
            self.on_improvement(to_plan(inst, solution), float(inst.evaluator.cost(solution)))

    def stop(self, give_up_share: float | None = None) -> StopCriterion:
        """A stopping criterion for the rest of the budget.

        With ``give_up_share``, the search also stops while it has no feasible
        solution once that share of the whole budget is spent.
        """
        limits = self.limits
        remaining = None
        if limits.max_iterations is not None:
            remaining = max(0, limits.max_iterations - self.iterations)
        stop = StopCriterion(self.deadline, remaining, self.should_stop)
        if give_up_share is not None:
            stop.give_up_time = self.start + give_up_share * limits.time_limit
            if limits.max_iterations is not None:
                stop.give_up_iterations = math.ceil(give_up_share * limits.max_iterations)
        return stop

    def run(
        self, compiled: Compiled, inst: Instance, stop: StopCriterion, initial: Solution | None = None
    ) -> Solution:
        """Search ``inst`` from ``initial`` (feasible) or a random start, reporting each new best.

        The loop is PyVRP's iterated local search (late-acceptance hill
        climbing, as in ``IteratedLocalSearch.run``) written out here so that a
        better plan from another search (``incoming``) can replace the current
        and best solutions without losing the penalties and the acceptance
        history a restart would reset.
        """
        data, params = inst.data, self.params
        swept = sweep(data) if initial is None else None
        if swept is not None:
            self.report(inst, swept)  # a first plan in milliseconds, before the neighbour lists and search
        # The neighbour lists and the first local search each take seconds at thousands of clients,
        # and cannot be interrupted: a search out of time returns the swept plan instead.
        if swept is not None and stop.out_of_time():
            return swept
        rng = RandomNumberGenerator(seed=self.limits.seed % 2**32)
        neighbours = compute_neighbours(data, params.neighbourhood)
        ceiling = penalty_ceiling(compiled, inst, params.penalty.max_penalty)
        penalty = dataclasses.replace(params.penalty, max_penalty=ceiling)

        def search(data: ProblemData) -> tuple[LocalSearch, PenaltyManager]:
            ls = LocalSearch(data, rng, neighbours, PerturbationManager(params.perturbation))
            for op in params.operators:
                if op.supports(data):
                    ls.add_operator(op(data))
            return ls, PenaltyManager(penalty.midpoint_penalties(data), penalty)

        ls, pm = search(data)
        if swept is not None and stop.out_of_time():
            return swept
        if initial is None:
            initial = ls(Solution.make_random(data, rng), pm.max_cost_evaluator(), exhaustive=True)
        if initial.is_feasible():
            self.report(inst, initial)
        with warnings.catch_warnings():
            # Raised when no feasible solution shows up; the engine handles that itself.
            warnings.simplefilter("ignore", PenaltyBoundWarning)
            if self.minimise_routes:
                return self._cut_routes(inst, search, ls, pm, initial, stop)
            return self._iterate(inst, ls, pm, initial, stop)

    def _cut_routes(
        self,
        inst: Instance,
        search: Callable[[ProblemData], tuple[LocalSearch, PenaltyManager]],
        ls: LocalSearch,
        pm: PenaltyManager,
        init: Solution,
        stop: StopCriterion,
    ) -> Solution:
        """The search with route minimisation: fewer vehicles while that pays.

        The local search alone rarely closes a route: on RC101 it stays with 16 routes (1,634) where
        the best-known plan has 15 (1,619.8), which PyVRP finds in 2.5 s when the fleet is capped at
        15. So after ROUTE_CUT_START_SHARE of the budget the search drops the best plan's shortest
        route and continues on a fleet of one vehicle fewer than that plan uses, for at most
        ROUTE_CUT_WINDOW_SHARE of the budget. A feasible plan cheaper than the best is kept and cut
        again, down to the fewest routes the loads allow (``fewest_routes``). The rest of the budget
        goes to the whole fleet again, from the best plan.
        """
        budget = self.limits.time_limit
        part = stop.until(self.start + ROUTE_CUT_START_SHARE * budget)
        best = self._iterate(inst, ls, pm, init, part)
        if part.gave_up:
            stop.gave_up = True
            return best
        cost = inst.evaluator.cost
        fewest = max(1, fewest_routes(inst.data))
        cut = False
        while best.is_feasible() and best.num_routes() > fewest and not stop(cost(best)):
            end = time.perf_counter() + ROUTE_CUT_WINDOW_SHARE * budget
            if end >= self.deadline:
                break
            data, start = cut_shortest_route(inst.data, best)
            cut_ls, cut_pm = search(data)
            start = cut_ls(start, cut_pm.max_cost_evaluator(), exhaustive=True)
            self.floor = float(cost(best))
            phase = stop.until(end, give_up=False)
            found = self._iterate(inst, cut_ls, cut_pm, start, phase, cooperate=False)
            if not found.is_feasible() or cost(found) >= cost(best):
                break
            best, cut = found, True
        return self._iterate(inst, ls, pm, on_fleet(inst.data, best) if cut else best, stop)

    def _iterate(
        self,
        inst: Instance,
        ls: LocalSearch,
        pm: PenaltyManager,
        init: Solution,
        stop: StopCriterion,
        cooperate: bool = True,
    ) -> Solution:
        ils = self.params.ils
        incoming = self.incoming if cooperate else None
        history: RingBuffer[Solution] = RingBuffer(self.history)
        best = curr = start = init
        iters = no_improvement = 0
        cost_eval = pm.cost_evaluator()
        began = time.perf_counter()
        calibrate_at = began + HISTORY_CALIBRATION_SHARE * (self.deadline - began) if self.calibrate else None
        try:
            while not stop(cost_eval.cost(best)):
                iters += 1
                if calibrate_at is not None and (now := time.perf_counter()) >= calibrate_at:
                    calibrate_at = None
                    size = history_for_rate(iters / (now - began), self.deadline - began)
                    if size != self.history:
                        self.history, history = size, RingBuffer(size)
                if incoming is not None and (plan := incoming()) is not None:
                    theirs = to_solution(inst, plan)
                    better = theirs is not None and theirs.is_feasible()
                    if better and cost_eval.cost(theirs) < cost_eval.cost(best):
                        best = curr = start = theirs  # continue from the better plan
                        history.clear()
                        no_improvement = 0
                        self.adopted += 1
                if no_improvement == ils.num_iters_no_improvement:
                    history.clear()
                    curr, no_improvement = best, 0
                cost_eval = pm.cost_evaluator()
                cand = ls(curr, cost_eval, exhaustive=False)
                pm.register(cand)
                no_improvement += 1
                if cost_eval.cost(cand) < cost_eval.cost(best):
                    best, no_improvement = cand, 0
                    if ils.exhaustive_on_best:
                        cand = ls(cand, cost_eval, exhaustive=True)
                        if cand.is_feasible():
                            best = cand
                    self.report(inst, best)  # only a feasible solution has a finite cost
                cand_cost = cost_eval.penalised_cost(cand)
                curr_cost = cost_eval.penalised_cost(curr)
                late = history.peek()
                late_cost = cost_eval.penalised_cost(start if late is None else late)
                if cand_cost < late_cost or cand_cost < curr_cost:
                    curr, curr_cost = cand, cand_cost
                if curr_cost < late_cost or late is None:
                    history.append(curr)
                else:
                    history.skip()
        finally:
            self.iterations += iters
        return best
