"""Sourcing suite: generated instances, timed build and solve, every plan checked."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from models.sourcing import (
    PlanCheckError,
    SolverOptions,
    SourcingInstance,
    generate_instance,
    solve,
    with_cvar_limit,
)


@dataclass(frozen=True)
class Case:
    """A generated instance: about 10 offers per product, every rule family on; with
    ``scenarios`` disruption scenarios, and CVaR mixed into the objective with ``cvar_weight``."""

    suppliers: int
    products: int
    seed: int
    scenarios: int = 0
    cvar_weight: float = 0.0

    def instance(self) -> SourcingInstance:
        """Generate it (deterministic)."""
        inst = generate_instance(self.suppliers, self.products, seed=self.seed,
                                 scenarios=self.scenarios)
        name = inst.name + (f"-sc{self.scenarios}" if self.scenarios else "")
        if self.cvar_weight:
            inst = with_cvar_limit(inst, None, weight=self.cvar_weight)
            name += f"-cvar{self.cvar_weight:g}"
        return inst.model_copy(update={"name": name})


SUITES: dict[str, tuple[Case, ...]] = {
    "smoke": (Case(10, 20, 1), Case(20, 50, 2), Case(20, 50, 2, scenarios=8)),
    "full": (Case(50, 200, 1), Case(200, 1000, 1), Case(200, 1000, 2), Case(200, 1000, 3),
             Case(500, 2000, 1)),
    "risk": (Case(200, 1000, 1, 20), Case(200, 1000, 2, 20), Case(200, 1000, 3, 20),
             Case(200, 1000, 2, 20, cvar_weight=0.3)),
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


def run_suite(suite: str, options: SolverOptions, jobs: int = 1, cluster: str | None = None
              ) -> Iterator[Row]:
    """Solve every instance of ``suite`` and yield its measurements (as each finishes; on
    ``jobs`` processes or a Dask ``cluster``: :mod:`benchmarks.executor_runs`)."""
    from benchmarks.executor_runs import each_finished

    yield from each_finished(run_case, [(case, options) for case in SUITES[suite]], jobs,
                             cluster)


def run_case(case: Case, options: SolverOptions) -> Row:
    """Generate and solve one case; its measurements."""
    inst = case.instance()
    start = time.perf_counter()
    try:
        plan, check = solve(inst, options), "pass"  # solve() runs the checker
    except PlanCheckError as exc:
        plan, check = exc.plan, "FAIL"
    total = time.perf_counter() - start
    s = plan.solve
    engine = s.engine_seconds if s.engine_seconds is not None else s.solve_seconds
    return Row(
        instance=inst.name, suppliers=case.suppliers, products=case.products,
        offers=len(inst.offers),
        variables=s.variables, integer_variables=s.integer_variables,
        constraints=s.constraints, build_s=round(s.build_seconds, 2),
        load_s=round(s.solve_seconds - engine, 2), engine_s=round(engine, 2),
        total_s=round(total, 2),
        non_engine_share=round((total - engine) / total, 3) if total > 0 else 0.0,
        status=s.status.value, objective=s.objective, bound=s.best_bound, gap=s.gap,
        check=check,
    )
