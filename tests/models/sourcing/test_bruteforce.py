"""The MILP optimum equals a brute-force enumeration of every whole-unit allocation."""

from __future__ import annotations

import itertools
import math

import pytest

from models.sourcing import SolverOptions, SolveStatus, evaluate, solve
from tests.models.sourcing.tiny import tiny_instance


def _compositions(total: int, parts: int):
    """Every way to write 0..total as an ordered sum of ``parts`` non-negative integers."""
    for cut in itertools.combinations(range(total + parts), parts):
        values, previous = [], -1
        for c in cut:
            values.append(c - previous - 1)
            previous = c
        yield values  # the last slot is the remainder (unmet demand), see below


def _brute_force(inst) -> float | None:
    per_product = []
    for product in inst.products:
        keys = [(o.supplier, o.product) for o in inst.offers if o.product == product.id]
        demand = int(product.demand)
        options = []
        for parts in _compositions(demand, len(keys)):
            bought = sum(parts)
            if bought > demand or (product.shortage_penalty is None and bought < demand):
                continue
            options.append(dict(zip(keys, parts, strict=True)))
        per_product.append(options)
    best = None
    for combo in itertools.product(*per_product):
        quantities = {k: q for part in combo for k, q in part.items() if q}
        report = evaluate(inst, quantities)
        if report.ok and (best is None or report.objective < best - 1e-9):
            best = report.objective
    return best


@pytest.mark.parametrize(("seed", "scenarios"),
                         [(s, False) for s in range(24)] + [(s, True) for s in range(12)])
def test_milp_matches_brute_force(seed: int, scenarios: bool) -> None:
    """The optimum (with scenarios: expected cost mixed with CVaR) equals the enumeration
    priced by the checker."""
    inst = tiny_instance(seed, scenarios=scenarios)
    expected = _brute_force(inst)
    plan = solve(inst, SolverOptions(solver="highs"))
    if expected is None:
        assert plan.solve.status == SolveStatus.INFEASIBLE
    else:
        assert plan.solve.status == SolveStatus.OPTIMAL
        assert plan.objective is not None
        assert math.isclose(plan.objective, expected, rel_tol=1e-9, abs_tol=1e-6)
