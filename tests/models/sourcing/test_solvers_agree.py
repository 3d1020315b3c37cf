"""HiGHS and CBC prove the same optimum on generated instances."""

from __future__ import annotations

import math

import pytest

from models.sourcing import SolverOptions, SolveStatus, generate_instance, solve


@pytest.mark.parametrize("seed", range(3))
def test_highs_and_cbc_agree(seed: int) -> None:
    inst = generate_instance(6, 10, seed=seed, offers_per_product=4)
    highs = solve(inst, SolverOptions(solver="highs"))
    cbc = solve(inst, SolverOptions(solver="cbc"))
    assert highs.solve.status == cbc.solve.status
    if highs.solve.status == SolveStatus.OPTIMAL:
        assert highs.cost is not None and cbc.cost is not None
        assert math.isclose(highs.cost.total, cbc.cost.total, rel_tol=1e-7)


@pytest.mark.parametrize("seed", range(3))
def test_lazy_minimum_supplier_rows_give_the_same_optimum(seed: int) -> None:
    inst = generate_instance(8, 12, seed=seed, offers_per_product=4)
    data = inst.model_dump()
    data["policy"].update(min_suppliers=3, min_share=0.2)  # binding for many products
    inst = type(inst).model_validate(data)
    eager = solve(inst, lazy_counts=False)
    lazy = solve(inst, lazy_counts=True)
    assert eager.solve.status == lazy.solve.status
    if eager.solve.status == SolveStatus.OPTIMAL:
        assert eager.cost is not None and lazy.cost is not None
        assert math.isclose(eager.cost.total, lazy.cost.total, rel_tol=1e-9)


@pytest.mark.parametrize("limit", [("mip_max_improving_sols", 1), ("mip_max_nodes", 1)])
def test_limit_stopped_incumbent_is_feasible_with_honest_gap(limit: tuple[str, int]) -> None:
    # A deterministic limit (first incumbent / root node only) instead of a wall-clock one.
    inst = generate_instance(20, 50, seed=7)
    plan = solve(inst, SolverOptions(highs_options=(limit,)), lazy_counts=False)
    s = plan.solve
    assert s.status == SolveStatus.FEASIBLE
    assert s.stop_reason == "time or iteration limit reached"
    assert plan.cost is not None and math.isclose(s.objective, plan.cost.total, rel_tol=1e-9)
    assert s.best_bound is not None and s.gap is not None
    assert s.best_bound <= s.objective
    assert math.isclose(s.gap, (s.objective - s.best_bound) / s.objective)
