"""A branch's day in memory: the plans ports filled with a small fleet and orders, and a counting solver."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from optimizer.model import Problem
from optimizer.solve import Solution, SolveOptions
from server.adapters.memory.plans import MemoryMasterData, MemoryPlans
from server.jst import tomorrow
from server.plans.ports import PlanStores
from server.plans.records import Branch, Driver, Order, Vehicle
from server.plans.solver import Progress, local_solver

ORG = "ORG-T"
BRANCH = "BR-T"
USER = "U-T"
#: Deterministic and quick: the rules, not the search, are under test.
OPTS = SolveOptions(time_limit=5, max_iterations=100, seed=1)
HOME = (35.7494, 139.6690)


def day(offset: int = 0) -> datetime.date:
    return tomorrow() + datetime.timedelta(days=offset)


def order(i: int, date: datetime.date, *, branch: str = BRANCH, weight: float = 50.0, **kw: object) -> Order:
    rng = random.Random(i)
    return Order(
        id=f"O-{i:03d}", branch_id=branch, delivery_date=date,
        latitude=HOME[0] + rng.uniform(-0.01, 0.01), longitude=HOME[1] + rng.uniform(-0.01, 0.01),
        weight_kg=weight, volume_m3=0.1, service_seconds=300, **kw,  # type: ignore[arg-type]
    )


def stores(date: datetime.date | None = None, orders: int = 12, org: str = ORG) -> PlanStores:
    """An organization with one branch, three 2t/4t trucks, three drivers, one user and ``orders`` orders."""
    master = MemoryMasterData()
    master.add(org, Branch(id=BRANCH, code="T", name="テスト営業所", latitude=HOME[0], longitude=HOME[1]))
    master.add(
        org,
        Vehicle(id="V-1", branch_id=BRANCH, registration_number="練馬1", vehicle_class="2t",
                payload_kg=2000.0, gross_weight_kg=5000.0),
        Vehicle(id="V-2", branch_id=BRANCH, registration_number="練馬2", vehicle_class="2t",
                payload_kg=2000.0, gross_weight_kg=5000.0),
        Vehicle(id="V-3", branch_id=BRANCH, registration_number="練馬3", vehicle_class="4t",
                payload_kg=4000.0, gross_weight_kg=8000.0),
        Driver(id="D-1", branch_id=BRANCH, employee_number="E1", name="一", licence_class="準中型"),
        Driver(id="D-2", branch_id=BRANCH, employee_number="E2", name="二", licence_class="準中型"),
        Driver(id="D-3", branch_id=BRANCH, employee_number="E3", name="三", licence_class="中型"),
    )
    master.add(org, *(order(i, date or day()) for i in range(1, orders + 1)))
    master.add_user(org, USER)
    return PlanStores(master, MemoryPlans(master))


@dataclass
class CountingSolver:
    """Solves in this process and counts the calls (to prove a refusal came before any solving)."""

    calls: list[int] = field(default_factory=list)

    def __call__(
        self, problem: Problem, options: SolveOptions, *, on_progress: Progress | None = None
    ) -> Solution:
        self.calls.append(len(problem.jobs))
        return local_solver()(problem, options, on_progress=on_progress)  # type: ignore[call-arg]


def master(s: PlanStores) -> MemoryMasterData:
    assert isinstance(s.master, MemoryMasterData)
    return s.master
