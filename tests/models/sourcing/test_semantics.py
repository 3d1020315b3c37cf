"""The rules of docs/sourcing-format.md where they were open or wrongly implemented: each is
stated on a tiny instance whose optimum is worked out by hand (in the comments), and the
model (solve), the pre-checks and the independent checker must all agree with it."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from pydantic import ValidationError

from models.sourcing import SolveStatus, SourcingInstance, check_plan, evaluate, solve


def _inst(products: list[dict[str, Any]], offers: list[tuple[str, str, float]],
          policy: dict[str, Any] | None = None,
          product_policies: list[dict[str, Any]] | None = None,
          suppliers: list[dict[str, Any]] | None = None,
          price_breaks: list[dict[str, Any]] | None = None) -> SourcingInstance:
    ids = sorted({s for s, _p, _c in offers})
    return SourcingInstance.model_validate({
        "name": "semantics",
        "products": products,
        "suppliers": suppliers or [{"id": s, "region": "R"} for s in ids],
        "offers": [{"supplier": s, "product": p, "unit_price": c} for s, p, c in offers],
        "price_breaks": price_breaks or [],
        "policy": policy or {},
        "product_policies": product_policies or [],
    })


def _quantities(plan) -> dict[tuple[str, str], float]:
    return {(a.supplier, a.product): a.quantity for a in plan.allocations}


# ---- product-level must_use on a zero-demand product: exempt ----------------------------

def _zero_demand_must_use() -> SourcingInstance:
    # P0 has no demand; its override says S1 must supply it. P1: 5 units, S0 at 2 each.
    return _inst(
        [{"id": "P0", "demand": 0}, {"id": "P1", "demand": 5}],
        [("S0", "P0", 1.0), ("S1", "P0", 9.0), ("S0", "P1", 2.0), ("S1", "P1", 3.0)],
        product_policies=[{"product": "P0", "must_use": ["S1"]}],
    )


def test_zero_demand_product_must_use_is_exempt_in_the_model() -> None:
    # Old code: the pre-check said "S1 must supply P0, but its minimum order 1 exceeds the
    # most it can supply (0)" -> infeasible (exit 3).
    inst = _zero_demand_must_use()
    plan = solve(inst)
    assert plan.solve.status == SolveStatus.OPTIMAL, plan.infeasibility
    assert not plan.infeasibility
    assert _quantities(plan) == {("S0", "P1"): 5.0}
    assert plan.cost is not None and plan.cost.total == pytest.approx(10.0)
    assert check_plan(inst, plan).ok


def test_zero_demand_product_must_use_is_exempt_in_the_checker() -> None:
    # Old code: the checker reported must_supply S1/P0 for a plan that buys nothing of P0.
    inst = _zero_demand_must_use()
    assert evaluate(inst, {("S0", "P1"): 5.0}).ok


# ---- must-use means at least one unit ------------------------------------------------------

def _must_use_instance(where: str) -> SourcingInstance:
    products = [{"id": "P", "demand": 5}]
    offers = [("S0", "P", 2.0), ("S1", "P", 7.0)]
    if where == "global":
        return _inst(products, offers, policy={"must_use": ["S1"]})
    return _inst(products, offers, product_policies=[{"product": "P", "must_use": ["S1"]}])


@pytest.mark.parametrize("where, rule", [("global", "must_use"), ("product", "must_supply")])
def test_half_a_unit_does_not_meet_must_use(where: str, rule: str) -> None:
    # Old code: any positive quantity counted as "used".
    inst = _must_use_instance(where)
    report = evaluate(inst, {("S0", "P"): 4.5, ("S1", "P"): 0.5})
    assert rule in report.rules()
    assert [v.amount for v in report.violations if v.rule == rule] == [pytest.approx(0.5)]
    assert evaluate(inst, {("S0", "P"): 4.0, ("S1", "P"): 1.0}).ok


@pytest.mark.parametrize("where", ["global", "product"])
def test_must_use_optimum_buys_exactly_one_unit(where: str) -> None:
    # S1 is dearer, so the optimum buys the least it may: 1 unit at 7 + 4 at 2 = 15.
    inst = _must_use_instance(where)
    plan = solve(inst)
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert _quantities(plan) == {("S0", "P"): 4.0, ("S1", "P"): 1.0}
    assert plan.cost is not None and plan.cost.total == pytest.approx(15.0)
    assert check_plan(inst, plan).ok


def test_product_must_use_at_least_the_moq() -> None:
    # per product: at least max(MOQ, 1) units; MOQ 3 -> 3 units at 7 + 2 at 2 = 25.
    inst = SourcingInstance.model_validate({
        "products": [{"id": "P", "demand": 5}],
        "suppliers": [{"id": "S0", "region": "R"}, {"id": "S1", "region": "R"}],
        "offers": [{"supplier": "S0", "product": "P", "unit_price": 2},
                   {"supplier": "S1", "product": "P", "unit_price": 7, "moq": 3}],
        "product_policies": [{"product": "P", "must_use": ["S1"]}],
    })
    plan = solve(inst)
    assert plan.cost is not None and plan.cost.total == pytest.approx(25.0)
    assert "must_supply" in evaluate(inst, {("S0", "P"): 4.0, ("S1", "P"): 1.0}).rules()


def test_global_and_product_must_use_both_apply() -> None:
    # Global: S2 supplies >= 1 unit of anything (cheapest: 1 unit of P1 at 4). Per product:
    # S1 supplies >= 1 unit of P0 (at 6). P0: 1 x 6 + 3 x 1 = 9; P1: 1 x 4 + 3 x 1 = 7.
    inst = _inst(
        [{"id": "P0", "demand": 4}, {"id": "P1", "demand": 4}],
        [("S0", "P0", 1.0), ("S1", "P0", 6.0), ("S2", "P0", 8.0),
         ("S0", "P1", 1.0), ("S1", "P1", 9.0), ("S2", "P1", 4.0)],
        policy={"must_use": ["S2"]},
        product_policies=[{"product": "P0", "must_use": ["S1"]}],
    )
    plan = solve(inst)
    assert plan.cost is not None and plan.cost.total == pytest.approx(16.0)
    assert _quantities(plan) == {("S0", "P0"): 3.0, ("S1", "P0"): 1.0,
                                 ("S0", "P1"): 3.0, ("S2", "P1"): 1.0}
    assert check_plan(inst, plan).ok


# ---- whole units and fractional demand -------------------------------------------------

def test_whole_units_refuses_a_fractional_demand_with_a_clear_message() -> None:
    with pytest.raises(ValidationError) as caught:
        _inst([{"id": "P", "demand": 2.5}], [("S0", "P", 1.0)], policy={"whole_units": True})
    error = caught.value.errors()[0]
    assert error["loc"] == ("products", 0, "demand")
    assert "not a whole number" in error["msg"] and "whole units" in error["msg"]


# ---- never more than the demand ----------------------------------------------------------

def test_no_buying_above_demand_even_when_cheaper() -> None:
    # 8 units wanted; 10 units would cost 10 x 1 = 10 < 8 x 2 = 16 (all-units break at 10),
    # but buying above demand is not allowed: the optimum pays 16.
    inst = _inst([{"id": "P", "demand": 8}], [("S0", "P", 2.0)],
                 price_breaks=[{"supplier": "S0", "product": "P", "min_quantity": 10,
                                "unit_price": 1.0}])
    plan = solve(inst)
    assert plan.cost is not None and plan.cost.total == pytest.approx(16.0)
    report = evaluate(inst, {("S0", "P"): 10.0})
    assert "over_purchase" in report.rules()


# ---- min_share is of demand --------------------------------------------------------------

def test_min_share_is_a_share_of_demand_not_of_purchase() -> None:
    # Soft demand 10 (penalty 0.5 per unit, cheaper than buying); 2 suppliers must each
    # supply >= 40 % of the DEMAND, i.e. 4 units: 4 x 1 + 4 x 5 + 2 x 0.5 = 25.
    # (Were it 40 % of the purchase, 1 unit each would do: 1 + 5 + 8 x 0.5 = 10.)
    inst = _inst([{"id": "P", "demand": 10, "shortage_penalty": 0.5}],
                 [("S0", "P", 1.0), ("S1", "P", 5.0)],
                 policy={"min_suppliers": 2, "min_share": 0.4})
    plan = solve(inst)
    assert plan.cost is not None and plan.cost.total == pytest.approx(25.0)
    assert _quantities(plan) == {("S0", "P"): 4.0, ("S1", "P"): 4.0}
    assert "min_suppliers" in evaluate(inst, {("S0", "P"): 1.0, ("S1", "P"): 1.0}).rules()
    assert check_plan(inst, plan).ok


def test_max_share_is_a_share_of_purchase() -> None:
    # Soft demand 10 at penalty 3; S0 at 1, S1 at 10 (dearer than the penalty); no supplier
    # above 50 % of the purchased quantity. The optimum is found by enumeration.
    inst = _inst([{"id": "P", "demand": 10, "shortage_penalty": 3.0}],
                 [("S0", "P", 1.0), ("S1", "P", 10.0)],
                 policy={"max_supplier_share": 0.5, "whole_units": True})
    best = min(
        (q0 * 1.0 + q1 * 10.0 + (10 - q0 - q1) * 3.0, q0, q1)
        for q0, q1 in itertools.product(range(11), repeat=2)
        if q0 + q1 <= 10 and evaluate(inst, {("S0", "P"): q0, ("S1", "P"): q1}).ok
    )
    plan = solve(inst)
    assert plan.cost is not None and plan.cost.total == pytest.approx(best[0])
    # a share of the purchase, not of demand: 5 from each (50 % of 10 bought) is fine, and
    # 4 + 1 breaks it (80 % of 5 bought) although 4 is only 40 % of the demand
    assert evaluate(inst, {("S0", "P"): 5, ("S1", "P"): 5}).ok
    assert "supplier_share" in evaluate(inst, {("S0", "P"): 4, ("S1", "P"): 1}).rules()


# ---- budgets: the product's and the global one both apply ------------------------------

def test_product_budget_and_global_budget_both_apply() -> None:
    # P0: 4 units, S0 at 3 (12) or S1 at 2 with onboarding 5. P1: 4 units, S0 at 1 (4).
    # Without budgets: S1 for P0 (8 + 5 = 13 > 12): S0 for both, 16.
    # P0's budget 10 bars S0's 12 for P0 -> S1 for P0: 8 + 5 onboarding + 4 = 17.
    # A global budget of 16.5 (onboarding + purchase) then bars 17: infeasible.
    base = {
        "products": [{"id": "P0", "demand": 4}, {"id": "P1", "demand": 4}],
        "suppliers": [{"id": "S0", "region": "R"},
                      {"id": "S1", "region": "R", "onboarding_cost": 5}],
        "offers": [{"supplier": "S0", "product": "P0", "unit_price": 3},
                   {"supplier": "S1", "product": "P0", "unit_price": 2},
                   {"supplier": "S0", "product": "P1", "unit_price": 1}],
    }
    free = solve(SourcingInstance.model_validate(base))
    assert free.cost is not None and free.cost.total == pytest.approx(16.0)
    capped = SourcingInstance.model_validate(
        {**base, "product_policies": [{"product": "P0", "budget": 10}]})
    plan = solve(capped)
    assert plan.cost is not None and plan.cost.total == pytest.approx(17.0)
    assert "product_budget" in evaluate(capped, {("S0", "P0"): 4, ("S0", "P1"): 4}).rules()
    both = SourcingInstance.model_validate(
        {**base, "product_policies": [{"product": "P0", "budget": 10}],
         "policy": {"budget": 16.5}})
    assert solve(both, explain=False).solve.status == SolveStatus.INFEASIBLE
    assert "budget" in evaluate(both, {("S1", "P0"): 4, ("S0", "P1"): 4}).rules()
    # the product budget is of purchase only: onboarding does not count against it
    assert "product_budget" not in evaluate(capped, {("S1", "P0"): 4, ("S0", "P1"): 4}).rules()
