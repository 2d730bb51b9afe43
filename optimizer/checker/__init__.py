"""The independent plan checker.

:func:`evaluate` recomputes every route of a :class:`~optimizer.model.Plan`
from the :class:`~optimizer.model.Problem` alone (never trusting an engine),
reports each violated constraint as a :class:`Violation` with an English and a
Japanese message, and computes the complete schedule (times, loads, costs)
that the API returns. A plan with violations still gets a full schedule: a
late arrival is reported and the route simply goes on from there.

The package: ``result`` (what is returned), ``plan`` (the whole plan), ``route`` (one route),
``schedule`` (its times), ``driving`` (breaks and driving-time rules), ``crew`` (drivers),
``messages`` (naming things).
"""

from optimizer.checker.driving import driving_violations
from optimizer.checker.plan import evaluate
from optimizer.checker.result import (
    CostBreakdown,
    Evaluation,
    RouteResult,
    Step,
    Violation,
    ViolationCode,
)

__all__ = [
    "CostBreakdown",
    "Evaluation",
    "RouteResult",
    "Step",
    "Violation",
    "ViolationCode",
    "driving_violations",
    "evaluate",
]
