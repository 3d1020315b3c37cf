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
