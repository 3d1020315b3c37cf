"""Sourcing suite: generated instances, timed build and solve, every plan checked."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from models.sourcing import (
    PlanCheckError,
    SolverOptions,
    generate_instance,
    solve,
)

#: (suppliers, products, seed) per suite; about 10 offers per product, every rule family on.
SUITES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "smoke": ((10, 20, 1), (20, 50, 2)),
    "full": ((50, 200, 1), (200, 1000, 1), (200, 1000, 2), (200, 1000, 3), (500, 2000, 1)),
}


@dataclass(frozen=True)
class Row:
    """One benchmark result."""

    instance: str
    suppliers: int
    products: int
    offers: int
    variables: int
    integer_variables: int
    constraints: int
    build_s: float
    load_s: float
    engine_s: float
    total_s: float
    non_engine_share: float
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    check: str


def run_suite(suite: str, options: SolverOptions) -> Iterator[Row]:
    """Solve every instance of ``suite`` and yield its measurements."""
    for suppliers, products, seed in SUITES[suite]:
        inst = generate_instance(suppliers, products, seed=seed)
        start = time.perf_counter()
        try:
            plan, check = solve(inst, options), "pass"  # solve() runs the checker
        except PlanCheckError as exc:
            plan, check = exc.plan, "FAIL"
        total = time.perf_counter() - start
        s = plan.solve
        engine = s.engine_seconds if s.engine_seconds is not None else s.solve_seconds
        yield Row(
            instance=inst.name, suppliers=suppliers, products=products, offers=len(inst.offers),
            variables=s.variables, integer_variables=s.integer_variables,
            constraints=s.constraints, build_s=round(s.build_seconds, 2),
            load_s=round(s.solve_seconds - engine, 2), engine_s=round(engine, 2),
            total_s=round(total, 2),
            non_engine_share=round((total - engine) / total, 3) if total > 0 else 0.0,
            status=s.status.value, objective=s.objective, bound=s.best_bound, gap=s.gap,
            check=check,
        )
