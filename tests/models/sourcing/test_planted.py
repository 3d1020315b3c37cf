"""Instances whose optimum is known by hand (the reasoning is in each case's comment)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from models.sourcing import SolverOptions, SolveStatus, SourcingInstance, solve


def _inst(offers: list[dict[str, Any]], demand: dict[str, float] | None = None,
          suppliers: list[dict[str, Any]] | None = None, **extra: Any) -> SourcingInstance:
    demand = demand or {"P": 100.0}
    names = sorted({o["supplier"] for o in offers})
    return SourcingInstance.model_validate({
        "products": [{"id": p, "demand": d} for p, d in demand.items()],
        "suppliers": suppliers or [{"id": s, "region": "R"} for s in names],
        "offers": offers,
        **extra,
    })


def _offer(s: str, price: float, p: str = "P", **kw: Any) -> dict[str, Any]:
    return {"supplier": s, "product": p, "unit_price": price, **kw}


CASES = {
    # Cap 50 %: 50 from A at 1 and 50 from B at 2.
    "share_cap": (_inst([_offer("A", 1), _offer("B", 2), _offer("C", 3)],
                        policy={"max_supplier_share": 0.5}), 150.0),
    # All-units break at 100 units gives 1.5 on every unit: buy all 100 from A.
    "price_break_reached": (_inst([_offer("A", 2), _offer("B", 1.8)],
                                  price_breaks=[{"supplier": "A", "product": "P",
                                                 "min_quantity": 100, "unit_price": 1.5}]),
                            150.0),
    # Cap 60 % keeps A below its break: cost 2q + 1.8(100 - q) with q >= 40 -> 188.
    "price_break_blocked_by_cap": (_inst([_offer("A", 2), _offer("B", 1.8)],
                                         price_breaks=[{"supplier": "A", "product": "P",
                                                        "min_quantity": 100,
                                                        "unit_price": 1.5}],
                                         policy={"max_supplier_share": 0.6}), 188.0),
    # A's MOQ 80 is above the 70 % cap, so A is unusable: B 70 at 1.5 + C 30 at 3.
    "moq_blocks_cheapest": (_inst([_offer("A", 1, moq=80), _offer("B", 1.5), _offer("C", 3)],
                                  policy={"max_supplier_share": 0.7}), 195.0),
    # Onboarding: A (100) serves both products at 5 -> 200, cheaper than B+C at 12 -> 240.
    "onboarding_consolidates": (_inst(
        [_offer("A", 5, "P1"), _offer("A", 5, "P2"), _offer("B", 12, "P1"),
         _offer("C", 12, "P2")], demand={"P1": 10, "P2": 10},
        suppliers=[{"id": "A", "region": "R", "onboarding_cost": 100},
                   {"id": "B", "region": "R"}, {"id": "C", "region": "R"}]), 200.0),
    # Penalty 4 per unit is below the price 5: leave all 10 units short.
    "shortage_cheaper": (SourcingInstance.model_validate({
        "products": [{"id": "P", "demand": 10, "shortage_penalty": 4}],
        "suppliers": [{"id": "A", "region": "R"}],
        "offers": [_offer("A", 5)]}), 40.0),
    # Region X <= 80 and blended defect <= 2 % (A at 4 % <= 50 units): A 50, B 30, C 20.
    "region_and_quality": (_inst(
        [_offer("A", 1, defect_rate=0.04), _offer("B", 1.2), _offer("C", 2)],
        suppliers=[{"id": "A", "region": "X"}, {"id": "B", "region": "X"},
                   {"id": "C", "region": "Y"}],
        policy={"max_region_share": 0.8, "max_defect_rate": 0.02}), 126.0),
    # A's 50 kg go to P1 first (2 saved per kg vs 1 per kg on P2): A 20 P1 + 15 P2, B 5 P2.
    "weight_capacity": (SourcingInstance.model_validate({
        "products": [{"id": "P1", "demand": 20, "unit_weight": 1},
                     {"id": "P2", "demand": 20, "unit_weight": 2}],
        "suppliers": [{"id": "A", "region": "R", "capacity": 50, "capacity_unit": "weight"},
                      {"id": "B", "region": "R"}],
        "offers": [_offer("A", 1, "P1"), _offer("A", 1, "P2"), _offer("B", 3, "P1"),
                   _offer("B", 3, "P2")]}), 50.0),
    # Two suppliers with >= 30 % each: A 70 at 1 + B 30 at 2 (C at 5 unused).
    "min_suppliers": (_inst([_offer("A", 1), _offer("B", 2), _offer("C", 5)],
                            policy={"min_suppliers": 2, "min_share": 0.3}), 130.0),
    # Must use C (price 5): it takes one unit, A the other 99.
    "must_use": (_inst([_offer("A", 1), _offer("C", 5)], policy={"must_use": ["C"]}), 104.0),
    # Lead time limit 20 d excludes A: all from B.
    "lead_time": (_inst([_offer("A", 1, lead_time_days=30), _offer("B", 2, lead_time_days=10)],
                        policy={"max_lead_time_days": 20}), 200.0),
    # Override: P2 may buy at most 60 % from one supplier (A 6 + B 4 = 14); P1 all from A (10).
    "product_override": (_inst([_offer("A", 1, "P1"), _offer("A", 1, "P2"),
                                _offer("B", 2, "P1"), _offer("B", 2, "P2")],
                               demand={"P1": 10, "P2": 10},
                               product_policies=[{"product": "P2",
                                                  "max_supplier_share": 0.6}]), 24.0),
    # Zero demand buys nothing and its rules do not apply; A has capacity 0, so P from B at 2.
    "zero_demand_and_zero_capacity": (SourcingInstance.model_validate({
        "products": [{"id": "Z", "demand": 0}, {"id": "P", "demand": 10}],
        "suppliers": [{"id": "A", "region": "R", "capacity": 0}, {"id": "B", "region": "R"}],
        "offers": [_offer("A", 1), _offer("B", 2), _offer("B", 2, "Z", moq=5)],
        "policy": {"min_suppliers": 1, "min_share": 0.5}}), 20.0),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_planted_optimum(name: str, solver: str) -> None:
    inst, expected = CASES[name]
    plan = solve(inst, SolverOptions(solver=solver))
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert plan.cost is not None
    assert math.isclose(plan.cost.total, expected, rel_tol=1e-9, abs_tol=1e-6)


def test_budget_below_optimum_is_infeasible() -> None:
    inst = _inst([_offer("A", 1), _offer("B", 2)], policy={"budget": 99.0})
    assert solve(inst).solve.status == SolveStatus.INFEASIBLE


def test_excluded_must_supply_is_explained_before_solving() -> None:
    inst = _inst([_offer("A", 1), _offer("B", 2)],
                 policy={"excluded": ["B"]},
                 product_policies=[{"product": "P", "must_use": ["B"]}])
    plan = solve(inst)
    assert plan.solve.status == SolveStatus.INFEASIBLE
    assert plan.infeasibility == (
        "supplier B must supply product P, but the supplier is excluded",)
