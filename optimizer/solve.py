"""``solve(problem, options) -> Solution``: the optimizer's one entry point.

Steps: compile the problem; set aside jobs no vehicle could serve even alone
(they come back unassigned with their reason); choose an engine that models
every remaining constraint; run one search per core with different seeds (PyVRP
searches may share their best plans: ``SolveOptions.cooperative``); verify
every improving plan with the independent checker and keep the best verified
one. Nothing returned has failed the checker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from optimizer.checker import Evaluation, evaluate
from optimizer.compiled import Compiled, compile_problem
from optimizer.diagnosis import (
    Unassigned,
    UnassignedReason,
    explain_unassigned,
    infeasible_alone,
    rules_unassigned,
)
from optimizer.drivers import Crew, crew_for, no_driver_unassigned
from optimizer.engines import choose_engine, family, get_engine, portfolio
from optimizer.engines.base import EngineResult, Limits
from optimizer.errors import DeadlineExpired, NoPlanError
from optimizer.model import NodeKind, Plan, Problem, Visit
from optimizer.parallel import SearchAbandoned, WorkerError, WorkerPool
from optimizer.repair import has_rules, pad_for_breaks, repair_for_rules
from optimizer.sharing import Cooperation
from optimizer.subproblem import Subproblem, restrict
from optimizer.sweep_plan import sweep_plan

ENGINES = ("auto", "pyvrp", "ortools", "hgs")
#: How cooperative parallel searches share plans (see SolveOptions.cooperative and benchmarks/RESULTS.md).
COOPERATION = Cooperation(epoch=0.5, growth=1.5)
#: When ``cooperative`` is left to Hakobu: sharing won on X instances of 250+ customers at 10 s (mean
#: gap 1.36 % vs 1.71 %, 11 of 15 paired runs better) and lost at 60 s (0.86 % vs 0.65 %) and on smaller
#: instances; see benchmarks/RESULTS.md, 2026-11-30.
COOPERATE_MIN_ITEMS = 250
COOPERATE_MAX_SECONDS = 20.0
#: A solve with a worker pool answers within this many seconds after its time limit, at every size up
#: to the job cap (``python -m benchmarks.limits``): searches get ``parallel.STOP_GRACE`` to return,
#: then their final plans are verified. The time limit counts from ``started_at``, so computing the
#: travel matrices spends it; if they alone take longer, the answer comes MIN_SEARCH + LATE_MARGIN
#: after them (road matrices of thousands of points can). Without a pool, the search runs in the
#: caller's process and cannot be given up: a solver step of its C++ code (seconds at thousands of
#: jobs) may take longer.
LATE_MARGIN = 0.5
#: Seconds a search gets when the time limit was spent before it started.
MIN_SEARCH = 0.05
#: From this many jobs, solve() sweeps a first plan itself (``optimizer.sweep_plan``) before the
#: searches start: at 5,000 jobs they need 1-3 s to load the problem before their own first plan,
#: more than a 2 s limit left them (``python -m benchmarks.limits``, benchmarks/RESULTS.md "Time
#: limits at 5,000 jobs"). Below it the searches' own sweep comes in milliseconds.
SWEEP_MIN_JOBS = 1000

__all__ = ["DeadlineExpired", "NoPlanError", "Solution", "SolveOptions", "SolveStats", "solve"]


@dataclass(frozen=True, slots=True)
class SolveOptions:
    engine: str = "auto"
    #: Wall-clock budget in seconds for the whole solve.
    time_limit: float = 10.0
    seed: int = 0
    max_iterations: int | None = None
    #: Parallel searches (different seeds); needs a WorkerPool to exceed 1.
    parallelism: int = 1
    #: Parallel PyVRP searches share their best plans every epoch (COOPERATION) instead of running
    #: independently. ``None`` (default): only where it measured better — at least COOPERATE_MIN_ITEMS
    #: jobs and shipments with a budget of at most COOPERATE_MAX_SECONDS. Timing decides what is
    #: shared, so it never applies with ``max_iterations`` (seeded runs with a limit stay deterministic).
    cooperative: bool | None = None

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}")
        if not 0 < self.time_limit <= 3600:
            raise ValueError("time_limit must be in (0, 3600] seconds")
        if self.max_iterations is not None and self.max_iterations < 1:
            raise ValueError("max_iterations must be at least 1")
        if self.parallelism < 1:
            raise ValueError("parallelism must be at least 1")


@dataclass(slots=True)
class SolveStats:
    engine: str = ""
    engine_reason: str = ""
    wall_seconds: float = 0.0
    #: From ``started_at`` to the first verified feasible plan.
    first_feasible_seconds: float | None = None
    iterations: int = 0
    runs: int = 0
    improvements: int = 0


@dataclass(slots=True)
class Solution:
    problem: Problem
    plan: Plan
    evaluation: Evaluation
    unassigned: list[Unassigned]
    stats: SolveStats = field(default_factory=SolveStats)

    @property
    def cost(self) -> float:
        return self.evaluation.cost.total


def _rank(ev: Evaluation, compiled: Compiled) -> tuple[int, float]:
    """Fewer required jobs left out first, then lower cost."""
    p = compiled.problem
    missing = sum(1 for j in ev.unassigned_jobs if p.jobs[j].penalty is None)
    missing += sum(1 for s in ev.unassigned_shipments if p.shipments[s].penalty is None)
    return missing, ev.cost.total


class _Best:
    """The best verified plan so far, shared by all runs of one solve."""

    def __init__(
        self,
        full: Compiled,
        sub: Subproblem,
        started_at: float,
        on_progress: Callable[[Solution], None] | None,
        preset: dict[tuple[str, int], Unassigned],
        stats: SolveStats,
        crew: Crew | None = None,
    ) -> None:
        self.full, self.sub, self.started_at, self.crew = full, sub, started_at, crew
        self.on_progress, self.preset, self.stats = on_progress, preset, stats
        self.plan: Plan | None = None
        self.evaluation: Evaluation | None = None
        self.rules = has_rules(full)
        #: Visits of the best plan taken off its routes for the driving-time rules.
        self.rule_removed: set[Visit] = set()
        #: Engine (family) whose plan is the best so far.
        self.source = ""

    def offer(self, plan: Plan, *, ties_win: bool = False, source: str = "") -> None:
        full_plan = self.sub.to_full(plan)
        if self.crew is not None:
            full_plan = self.crew.to_full(full_plan)
        if full_plan == self.plan:  # already verified (a search's final plan is its last improvement)
            if ties_win:
                self.source = source
            return
        ev = evaluate(self.full, full_plan)
        removed: set[Visit] = set()
        if not ev.is_feasible and self.rules:
            full_plan, ev, removed = repair_for_rules(self.full, full_plan)
            if self.crew is not None:  # the repair does not keep the routes' drivers
                full_plan = self.crew.attach(full_plan)
                ev = evaluate(self.full, full_plan)
        if not ev.is_feasible:
            return
        if self.evaluation is not None:
            new, old = _rank(ev, self.full), _rank(self.evaluation, self.full)
            if new > old or (new == old and not ties_win):
                return
            if new == old:  # same quality: keep the deterministic pick quietly
                self.plan, self.evaluation, self.rule_removed = full_plan, ev, removed
                self.source = source
                return
        self.plan, self.evaluation, self.rule_removed = full_plan, ev, removed
        self.source = source
        self.stats.improvements += 1
        if self.stats.first_feasible_seconds is None:
            self.stats.first_feasible_seconds = time.monotonic() - self.started_at
        if self.on_progress is not None:
            self.on_progress(self.solution())

    def solution(self) -> Solution:
        assert self.plan is not None and self.evaluation is not None
        self.stats.wall_seconds = time.monotonic() - self.started_at
        unassigned = [self.preset[k] for k in sorted(self.preset)]
        by_rules = {("JOB" if v.kind is NodeKind.JOB else "SHIPMENT", v.index) for v in self.rule_removed}
        for u in explain_unassigned(self.full, self.evaluation):
            if (u.kind, u.index) in self.preset:
                continue
            full_for_rules = self.rules and u.reason is UnassignedReason.FLEET_FULL
            if (u.kind, u.index) in by_rules or full_for_rules:
                u = rules_unassigned(self.full, u.kind, u.index)
            unassigned.append(u)
        return Solution(self.full.problem, self.plan, self.evaluation, unassigned, self.stats)


def cooperates(options: SolveOptions, engine: str, items: int) -> bool:
    """Whether parallel searches share plans (see ``SolveOptions.cooperative``)."""
    if engine != "pyvrp" or options.max_iterations is not None:
        return False
    if options.cooperative is not None:
        return options.cooperative
    return items >= COOPERATE_MIN_ITEMS and options.time_limit <= COOPERATE_MAX_SECONDS


def solve(
    problem: Problem,
    options: SolveOptions = SolveOptions(),
    *,
    pool: WorkerPool | None = None,
    on_progress: Callable[[Solution], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    started_at: float | None = None,
    compiled: Compiled | None = None,
) -> Solution:
    """Solve ``problem`` and return the best verified plan.

    ``on_progress`` gets every improving verified solution; ``should_stop``
    ends the search early (the best plan so far is returned); ``started_at``
    (a ``time.monotonic()`` value) is when the request arrived, for statistics.
    """
    t0 = time.monotonic() if started_at is None else started_at
    full = compiled if compiled is not None else compile_problem(problem)
    # With drivers, the engines see only the vehicles matched to a licensed driver.
    crew = crew_for(full)
    base = full if crew is None else crew.compiled
    no_crew = bool(problem.drivers) and crew is None
    preset = no_driver_unassigned(problem) if no_crew else infeasible_alone(base)
    keep_jobs = [j for j in range(len(problem.jobs)) if ("JOB", j) not in preset]
    keep_ships = [s for s in range(len(problem.shipments)) if ("SHIPMENT", s) not in preset]
    nothing_to_do = not keep_jobs and not keep_ships
    sub = Subproblem(base, (), ()) if nothing_to_do else restrict(base, keep_jobs, keep_ships)
    stats = SolveStats()
    best = _Best(full, sub, t0, on_progress, preset, stats, crew)
    if nothing_to_do:
        stats.engine, stats.engine_reason = "none", "no job can be served by any vehicle"
        best.offer(Plan([]))
        return best.solution()

    if len(keep_jobs) >= SWEEP_MIN_JOBS and (first := sweep_plan(sub.compiled)) is not None:
        best.offer(first, source="sweep")
    engine, reason = choose_engine(sub.compiled, options.engine)
    # Engines do not model breaks: they plan on travel times padded for them.
    engine_input = pad_for_breaks(sub.compiled) if best.rules else sub.compiled
    stats.engine, stats.engine_reason = engine, reason
    if best.plan is not None and time.monotonic() - t0 >= options.time_limit:
        return best.solution()  # the swept plan, as no time is left to send the problem to a search
    # A budget spent before the search (on the travel matrices) still leaves the search MIN_SEARCH
    # seconds: small problems get their plan, large ones are given up at once (see LATE_MARGIN).
    remaining = max(options.time_limit - (time.monotonic() - t0), MIN_SEARCH)
    limits = [
        Limits(time_limit=remaining, seed=options.seed + k, max_iterations=options.max_iterations)
        for k in range(options.parallelism)
    ]
    results: list[EngineResult | WorkerError]
    auto = options.engine == "auto"
    if pool is None or options.parallelism == 1:
        variants = portfolio(sub.compiled, engine, 1, auto=auto, seconds=remaining)
        res = get_engine(variants[0]).solve(
            engine_input,
            limits[0],
            on_improvement=lambda plan, _obj: best.offer(plan, source=variants[0]),
            should_stop=should_stop,
        )
        results = [res]
    else:
        variants = portfolio(sub.compiled, engine, len(limits), auto=auto, seconds=remaining)
        searches = sum(family(v) == "pyvrp" for v in variants)
        cooperate = searches > 1 and cooperates(options, engine, len(keep_jobs) + len(keep_ships))
        results = pool.run(
            engine_input,
            list(zip(variants, limits, strict=True)),
            on_improvement=lambda run, plan, _obj: best.offer(plan, source=variants[run]),
            should_stop=should_stop,
            cooperation=COOPERATION if cooperate else None,
            deadline=time.monotonic() + remaining,
        )
    errors = [r for r in results if isinstance(r, WorkerError)]
    done = [r for r in results if isinstance(r, EngineResult)]
    stats.runs = len(results)
    stats.iterations = sum(r.iterations for r in done)
    # Each run's final plan is its best; among equal ones the lowest run wins, so
    # a seeded run with an iteration limit gives the same plan every time.
    for run, r in reversed(list(enumerate(results))):
        if isinstance(r, EngineResult):
            best.offer(r.plan, ties_win=True, source=variants[run])
    if "hgs" in variants[: len(results)] and best.source:
        # Several engines searched: name the one whose plan is returned.
        stats.engine = family(best.source)
        stats.engine_reason = (
            f"{reason}; a plain CVRP: HGS-CVRP searched beside PyVRP, and the plan is {stats.engine}'s"
        )
    if best.plan is None:
        failed = [e for e in errors if not isinstance(e, SearchAbandoned)]
        if failed:
            raise WorkerError("; ".join(str(e) for e in failed))
        raise NoPlanError("no feasible plan was found before the search stopped")
    return best.solution()
