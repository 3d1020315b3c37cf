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
