"""Integer objective weights shared by the engines.

Engines optimise in integer "milli" cost units: one metre costs
``round(cost_per_km)`` milli-units, one second ``round(cost_per_hour / 3.6)``,
a used vehicle ``round(1000 * fixed_cost)``. The exact cost of a plan is always
recomputed in floating point by :mod:`optimizer.checker`.
"""

from __future__ import annotations

from optimizer.compiled import Compiled
from optimizer.model import Vehicle

MILLI = 1000


def distance_weight(v: Vehicle) -> int:
    """Milli cost units per metre."""
    return max(0, round(v.cost_per_km * MILLI / 1000))


def duration_weight(v: Vehicle) -> int:
    """Milli cost units per second."""
    return max(0, round(v.cost_per_hour * MILLI / 3600))


def fixed_weight(v: Vehicle) -> int:
    return max(0, round(v.fixed_cost * MILLI))


def penalty_weight(compiled: Compiled, penalty: float | None) -> int:
    """Milli units lost by leaving a job out.

    A required job (``penalty is None``) gets a prize far above the cost of any
    single route, so an engine leaves it out only when it cannot be fitted.
    """
    if penalty is not None:
        return max(0, round(penalty * MILLI))
    return required_prize(compiled)


def required_prize(compiled: Compiled) -> int:
    p = compiled.problem
    max_arc = max(int(m.max()) for m in compiled.distances)
    max_dur = max(int(m.max()) for m in compiled.durations)
    worst = max(
        fixed_weight(v) + 2 * max_arc * distance_weight(v) + 2 * max_dur * duration_weight(v)
        for v in p.vehicles
    )
    return min(10**12, 100 * max(worst, 1) + 10**6)
