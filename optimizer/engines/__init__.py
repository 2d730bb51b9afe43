"""Routing engines behind one interface, and how one is chosen for a problem."""

from __future__ import annotations

from optimizer.compiled import Compiled
from optimizer.engines.base import Capability, Engine, required_capabilities

#: Engine names in order of preference for ``auto`` (decided by benchmarks/).
PREFERENCE = ("pyvrp", "ortools")


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
    """The engine called ``name`` (imported lazily: solvers load slowly).

    ``pyvrp-relaxed`` and ``pyvrp-fewer-routes`` are internal portfolio variants of ``pyvrp``.
    """
    if name in ("pyvrp", "pyvrp-relaxed", "pyvrp-fewer-routes"):
        from optimizer.engines.pyvrp_engine import PyVRPEngine

        return PyVRPEngine(
            start_relaxed=name == "pyvrp-relaxed", minimise_routes=name == "pyvrp-fewer-routes"
        )
    if name == "ortools":
        from optimizer.engines.ortools_engine import ORToolsEngine

        return ORToolsEngine()
    raise KeyError(f"unknown engine {name!r}; known: {', '.join(PREFERENCE)}")


def portfolio(compiled: Compiled, engine: str, runs: int) -> list[str]:
    """Engine variant of each parallel run: the chosen engine, diversified.

    With PyVRP, a search that cuts routes (``pyvrp-fewer-routes``) runs beside a plain one, or alone
    when there is one run; on rich problems the second run instead starts with required jobs prized
    (a first plan sooner). At 10 s on the X instances the cuts lowered the mean gap from 1.11 % to
    0.65 % as the second of two searches and from 1.34 % to 0.83 % as the only one; on Solomon from
    0.15 % to 0.01 % (benchmarks/RESULTS.md, "Route cuts").
    """
    names = [engine] * runs
    if engine != "pyvrp" or runs < 1:
        return names
    rich = bool(required_capabilities(compiled) & RICH)
    if runs == 1:
        return names if rich else ["pyvrp-fewer-routes"]
    names[1] = "pyvrp-relaxed" if rich else "pyvrp-fewer-routes"
    return names


def capability_table() -> dict[str, frozenset[Capability]]:
    return {name: get_engine(name).capabilities for name in PREFERENCE}


def choose_engine(compiled: Compiled, requested: str = "auto") -> tuple[str, str]:
    """Pick the engine for ``compiled``: ``(name, reason)``.

    A requested engine that cannot model a constraint of the problem is replaced
    by one that can, and the reason says so: no constraint is dropped silently.
    """
    need = required_capabilities(compiled)
    table = capability_table()
    able = [n for n in PREFERENCE if need <= table[n]]
    if not able:
        missing = {n: sorted(c.value for c in need - table[n]) for n in PREFERENCE}
        raise EngineChoiceError(f"no engine models every constraint of this problem: {missing}")
    if requested in ("", "auto"):
        return able[0], f"auto: {able[0]} is the preferred engine that models every constraint"
    if requested not in table:
        raise KeyError(f"unknown engine {requested!r}; known: auto, {', '.join(PREFERENCE)}")
    if requested in able:
        return requested, "requested"
    missing_caps = ", ".join(sorted(c.value for c in need - table[requested]))
    return able[0], f"{requested} cannot model: {missing_caps}; used {able[0]} instead"
