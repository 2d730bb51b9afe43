"""Routing engines behind one interface (``base``), and how one is chosen for a problem (``choice``).

The engines: ``pyvrp/`` (the default), ``ortools_engine``, ``hgs_engine`` (plain CVRPs, in a child
process: ``hgs_child``); ``sweep`` gives PyVRP's searches a first plan; ``objective`` is the integer
objective they share.
"""

from optimizer.engines.base import Capability, Engine, required_capabilities
from optimizer.engines.choice import (
    HGS_SECONDS_PER_JOB,
    PREFERENCE,
    RICH,
    EngineChoiceError,
    capability_table,
    choose_engine,
    family,
    get_engine,
    portfolio,
)

__all__ = [
    "HGS_SECONDS_PER_JOB",
    "PREFERENCE",
    "RICH",
    "Capability",
    "Engine",
    "EngineChoiceError",
    "capability_table",
    "choose_engine",
    "family",
    "get_engine",
    "portfolio",
    "required_capabilities",
]
