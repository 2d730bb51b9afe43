"""Routing engine on PyVRP's iterated local search (the default engine).

The compiled problem maps onto one :class:`pyvrp.ProblemData`:

* locations are the compiled nodes in order, profiles the compiled travel
  profiles;
* a job is a client (one per time window, the windows of one job forming a
  mutually exclusive group); a shipment is a PyVRP shipment (one window per
  end: the earliest pickup window and the latest delivery window);
* identical vehicles share a vehicle type; several trips become reloads at a
  copy of the start depot whose service duration is the reload duration;
* ``allowed_vehicle_classes`` / ``required_skills`` become extra capacity
  dimensions (see :class:`_Compat`), so breaking them is an excess load;
* items no vehicle could serve even alone on a route are left out.

Required jobs are required clients as long as the fleet can plausibly serve
them all; when the search finds no feasible solution that way, they become
optional with a very large prize (and penalties above it) so the caller still
gets a feasible plan serving as many as fit.

The package: ``engine`` (:class:`PyVRPEngine`), ``search`` (one search and its tuning),
``instance`` (the PyVRP data and plan conversions), ``fleet`` (vehicle types and servability).
"""

from __future__ import annotations

from optimizer.engines.pyvrp.engine import PyVRPEngine
from optimizer.engines.pyvrp.search import HISTORY_BOUNDS, history_for_rate, history_length

__all__ = ["HISTORY_BOUNDS", "PyVRPEngine", "history_for_rate", "history_length"]
