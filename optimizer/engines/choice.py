"""How an engine is chosen for a problem, and the parallel searches (portfolio) it runs."""

from __future__ import annotations

from optimizer.compiled import Compiled
from optimizer.engines.base import Capability, Engine, required_capabilities
from optimizer.engines.hgs_engine import HGSEngine, unsuited

#: Engine names in order of preference for ``auto`` (decided by benchmarks/). HGS-CVRP models only plain
#: capacitated problems; ``auto`` runs it beside PyVRP on those (see ``portfolio``).
PREFERENCE = ("pyvrp", "ortools", "hgs")


class EngineChoiceError(ValueError):
    """No engine can model every constraint of the problem."""


#: Capabilities that make a problem "rich": PyVRP may need long to find its first
#: plan with every job required, so a parallel run starts with jobs prized instead.
RICH = frozenset(
    {
        Capability.MULTI_TRIP,
        Capability.VEHICLE_RESTRICTIONS,
        Capability.MULTIPLE_TIME_WINDOWS,
        Capability.SHIPMENTS,
        Capability.MULTIPLE_DEPOTS,
        Capability.MAX_DURATION,
        Capability.MAX_DISTANCE,
    }
)


def get_engine(name: str) -> Engine:
    """The engine called ``name`` (PyVRP and OR-Tools are imported lazily: they load slowly).

    ``pyvrp-relaxed`` and ``pyvrp-fewer-routes`` are internal portfolio variants of ``pyvrp``.
    """
    if name == "hgs":
        return HGSEngine()
    if name in ("pyvrp", "pyvrp-relaxed", "pyvrp-fewer-routes"):
        from optimizer.engines.pyvrp import PyVRPEngine

        return PyVRPEngine(
            start_relaxed=name == "pyvrp-relaxed", minimise_routes=name == "pyvrp-fewer-routes"
        )
    if name == "ortools":
        from optimizer.engines.ortools_engine import ORToolsEngine

        return ORToolsEngine()
    raise KeyError(f"unknown engine {name!r}; known: {', '.join(PREFERENCE)}")


def family(variant: str) -> str:
    """The engine a portfolio variant belongs to: ``pyvrp-fewer-routes`` -> ``pyvrp``."""
    return variant.split("-", 1)[0]


#: HGS-CVRP joins only with at least this many seconds per job: it builds a whole population before it
#: improves, and at 10 s it helped on X-n351-k40, hurt a little on X-n401-k29 and much on X-n1001-k43
#: (benchmarks/RESULTS.md, "HGS-CVRP beside PyVRP").
HGS_SECONDS_PER_JOB = 0.025


def portfolio(
    compiled: Compiled, engine: str, runs: int, *, auto: bool = False, seconds: float = 0.0
) -> list[str]:
    """Engine variant of each parallel run: the chosen engine, diversified.

    With PyVRP, a search that cuts routes (``pyvrp-fewer-routes``) runs beside a plain one, or alone
    when there is one run; on rich problems the second run instead starts with required jobs prized
    (a first plan sooner). At 10 s on the X instances the cuts lowered the mean gap from 1.11 % to
    0.65 % as the second of two searches and from 1.34 % to 0.83 % as the only one; on Solomon from
    0.15 % to 0.01 % (benchmarks/RESULTS.md, "Route cuts").

    When the engine was left to Hakobu (``auto``), the problem is a plain CVRP that HGS-CVRP models
    and the budget (``seconds``) gives it HGS_SECONDS_PER_JOB, HGS-CVRP takes the plain search's
    place, second: its one plan comes at the end, so the route-cutting PyVRP search streams plans
    from the start, and runs alone when only one worker is free (benchmarks/RESULTS.md, "HGS-CVRP
    beside PyVRP").
    """
    names = [engine] * runs
    if engine != "pyvrp" or runs < 1:
        return names
    rich = bool(required_capabilities(compiled) & RICH)
    if runs == 1:
        return names if rich else ["pyvrp-fewer-routes"]
    names[1] = "pyvrp-relaxed" if rich else "pyvrp-fewer-routes"
    enough_time = seconds >= HGS_SECONDS_PER_JOB * len(compiled.problem.jobs)
    if auto and enough_time and _hgs_suits(compiled):
        names[0], names[1] = "pyvrp-fewer-routes", "hgs"
    return names


def _hgs_suits(compiled: Compiled) -> bool:
    return unsuited(compiled) is None


def capability_table() -> dict[str, frozenset[Capability]]:
    return {name: get_engine(name).capabilities for name in PREFERENCE}


def choose_engine(compiled: Compiled, requested: str = "auto") -> tuple[str, str]:
    """Pick the engine for ``compiled``: ``(name, reason)``.

    A requested engine that cannot model a constraint of the problem is replaced
    by one that can, and the reason says so: no constraint is dropped silently.
    """
    table = capability_table()
    gaps = {n: _gap(compiled, n, table[n]) for n in PREFERENCE}
    able = [n for n in PREFERENCE if gaps[n] is None]
    if not able:
        raise EngineChoiceError(f"no engine models every constraint of this problem: {gaps}")
    if requested in ("", "auto"):
        return able[0], f"auto: {able[0]} is the preferred engine that models every constraint"
    if requested not in table:
        raise KeyError(f"unknown engine {requested!r}; known: auto, {', '.join(PREFERENCE)}")
    if requested in able:
        return requested, "requested"
    return able[0], f"{requested} {gaps[requested]}; used {able[0]} instead"


def _gap(compiled: Compiled, name: str, capabilities: frozenset[Capability]) -> str | None:
    """Why engine ``name`` cannot solve ``compiled`` exactly, or None."""
    if name == "hgs":
        return unsuited(compiled)
    missing = required_capabilities(compiled) - capabilities
    return "cannot model: " + ", ".join(sorted(c.value for c in missing)) if missing else None
