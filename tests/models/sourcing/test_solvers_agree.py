"""HiGHS and CBC prove the same optimum on generated instances."""

from __future__ import annotations

import math

import pytest

from models.sourcing import SolverOptions, SolveStatus, SourcingInstance, generate_instance, solve


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


def test_lazy_rows_are_added_only_where_the_rule_breaks() -> None:
    # Five products need 2 suppliers with >= 30 % each. A 50 % share cap makes P1..P4 meet it
    # anyway; P0 (cap lifted) buys everything from A until its rows are added in round 2.
    products = [f"P{j}" for j in range(5)]
    inst = SourcingInstance.model_validate({
        "products": [{"id": p, "demand": 100} for p in products],
        "suppliers": [{"id": "A", "region": "R"}, {"id": "B", "region": "R"}],
        "offers": [{"supplier": s, "product": p, "unit_price": price}
                   for p in products for s, price in (("A", 1.0), ("B", 2.0))],
        "policy": {"max_supplier_share": 0.5, "min_suppliers": 2, "min_share": 0.3},
        "product_policies": [{"product": "P0", "max_supplier_share": 1.0}],
    })
    lazy = solve(inst)
    eager = solve(inst, lazy_counts=False)
    assert lazy.solve.rounds == 2
    assert lazy.solve.integer_variables == eager.solve.integer_variables - 8
    assert lazy.cost is not None and eager.cost is not None
    assert lazy.cost.total == pytest.approx(4 * 150 + 70 + 60)
    assert eager.cost.total == pytest.approx(lazy.cost.total)
