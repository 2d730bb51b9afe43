"""How many routes a capacitated problem needs at most, from its loads alone.

HGS-CVRP's default fleet (Vidal 2022) is the bin-packing bound plus 30 % and 3 routes; a
first-fit-decreasing packing of the loads may need more on instances of few, large loads, and then
its count is taken. Used where a fleet must be sized without one: HGS-CVRP's route count, and the
VRPLIB reader for files that state no ``VEHICLES`` (one truck per customer is what the format's
"unlimited fleet" means, but 5,000 customers would exceed the vehicle cap and slow every search).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np


def routes_bound(demands: Iterable[int], capacity: int) -> int:
    """At least one; loads that fit no vehicle alone are left out (they cannot be served anyway)."""
    if capacity <= 0:
        return 1
    loads = sorted((d for d in demands if d <= capacity), reverse=True)
    if not loads:
        return 1
    free = np.full(len(loads), capacity, dtype=np.int64)  # room left in each packed route
    used = 0
    for d in loads:
        k = int(np.argmax(free[: used + 1] >= d))
        free[k] -= d
        used = max(used, k + 1)
    return max(1, math.ceil(1.3 * sum(loads) / capacity) + 3, used)
