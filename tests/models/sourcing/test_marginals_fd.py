"""Demand marginal values against finite differences.

The value reported for one more unit of demand is the dual of the fixed-structure LP (suppliers,
price tiers and counted suppliers as in the plan). That LP's cost is convex and piecewise linear
in the demand, so the value must lie between the backward and the forward difference of a
re-solve with demand -1 / +1 (same binaries), and equal both where they agree (the structure
does not move). Where the full MILP re-solved with demand +-1 keeps the plan's suppliers and
tiers, its cost change equals the value too."""

from __future__ import annotations

import pytest

from models.sourcing import (
    SourcingInstance,
    SourcingPlan,
    generate_instance,
    marginal_values,
    solve,
)

#: Seeds of 6-supplier, 4-product instances; 3 and 7 reported a negative demand value
#: (-0.15, -0.65 per unit) where a re-solve costs +3.20 and +2.98 more: the dual of a
#: soft-demand product's demand row (one with a shortage penalty) was left out, leaving only
#: the share caps' part.
SEEDS = (3, 7, 8, 11)
TOL = 1e-6


def _with_demand(inst: SourcingInstance, product: str, delta: float) -> SourcingInstance:
    products = tuple(p.model_copy(update={"demand": p.demand + delta}) if p.id == product
                     else p for p in inst.products)
    return inst.model_copy(update={"products": products})


def _structure(plan: SourcingPlan) -> tuple[frozenset[str], frozenset[tuple[str, str, float]]]:
    return (frozenset(u.supplier for u in plan.suppliers),
            frozenset((a.supplier, a.product, a.unit_price) for a in plan.allocations))


@pytest.mark.parametrize("seed", SEEDS)
def test_demand_value_lies_between_the_fixed_structure_differences(seed: int) -> None:
    inst = generate_instance(6, 4, seed=seed)
    plan = solve(inst)
    values = marginal_values(inst, plan)
    assert values.objective is not None
    demand = {v.subject: v.value for v in values.values if v.kind == "demand"}
    assert set(demand) == {p.id for p in inst.products if p.demand > 0}
    agreed = 0
    for product in inst.products:
        up = marginal_values(_with_demand(inst, product.id, +1), plan).objective
        down = marginal_values(_with_demand(inst, product.id, -1), plan).objective
        assert up is not None and down is not None
        forward, backward = up - values.objective, values.objective - down
        scale = TOL * max(1.0, abs(forward), abs(backward))
        value = demand[product.id]
        assert backward - scale <= value <= forward + scale, (product.id, backward, value,
                                                              forward)
        if abs(forward - backward) <= scale:
            assert value == pytest.approx(forward, rel=1e-6, abs=1e-6)
            agreed += 1
    assert agreed >= 2  # the test compares exact values, not only brackets


@pytest.mark.parametrize("seed", SEEDS)
def test_demand_value_matches_a_free_resolve_when_the_structure_stays(seed: int) -> None:
    inst = generate_instance(6, 4, seed=seed)
    plan = solve(inst)
    assert plan.cost is not None
    demand = {v.subject: v.value for v in marginal_values(inst, plan).values
              if v.kind == "demand"}
    compared = 0
    for product in inst.products:
        for delta in (+1, -1):
            other = solve(_with_demand(inst, product.id, delta))
            assert other.cost is not None
            if _structure_kept(plan, other):
                change = (other.cost.total - plan.cost.total) * delta
                # the free MILP can only do at least as well as the fixed structure, and
                # equals it here; per unit, the LP value is exact between its kinks
                assert change == pytest.approx(demand[product.id], rel=1e-6, abs=1e-6) \
                    or _kink(inst, plan, product.id)
                compared += 1
    assert compared >= 1


def _structure_kept(plan: SourcingPlan, other: SourcingPlan) -> bool:
    tiers = {(a.supplier, a.product): a.unit_price for a in plan.allocations}
    again = {(a.supplier, a.product): a.unit_price for a in other.allocations}
    return tiers == again


def _kink(inst: SourcingInstance, plan: SourcingPlan, product: str) -> bool:
    """True when the fixed-structure LP has a kink at the current demand (forward and
    backward differences differ): a dual is then one subgradient, not the slope."""
    base = marginal_values(inst, plan).objective
    up = marginal_values(_with_demand(inst, product, +1), plan).objective
    down = marginal_values(_with_demand(inst, product, -1), plan).objective
    assert base is not None and up is not None and down is not None
    return abs((up - base) - (base - down)) > 1e-6 * max(1.0, abs(base))


def test_single_supplier_value_is_its_price() -> None:
    # One supplier supplies the whole hard demand: the demand row and the offer's bound
    # x <= demand bind together (a degenerate LP); one more unit costs the unit price, 3.
    inst = SourcingInstance.model_validate({
        "products": [{"id": "P", "demand": 10}],
        "suppliers": [{"id": "S", "region": "R", "onboarding_cost": 5}],
        "offers": [{"supplier": "S", "product": "P", "unit_price": 3}],
    })
    values = marginal_values(inst, solve(inst))
    assert {(v.kind, v.subject): v.value for v in values.values}[("demand", "P")] == \
        pytest.approx(3.0)


def test_soft_demand_value_includes_its_own_row() -> None:
    # Soft demand 10 at penalty 8, one supplier at 3 with capacity 6: 6 bought, 4 short. One
    # more unit of demand is one more unit short: +8 (the old value was 0: the soft demand
    # row was not read).
    inst = SourcingInstance.model_validate({
        "products": [{"id": "P", "demand": 10, "shortage_penalty": 8}],
        "suppliers": [{"id": "S", "region": "R"}],
        "offers": [{"supplier": "S", "product": "P", "unit_price": 3, "capacity": 6}],
    })
    plan = solve(inst)
    assert plan.cost is not None and plan.cost.total == pytest.approx(6 * 3 + 4 * 8)
    values = {(v.kind, v.subject): v.value for v in marginal_values(inst, plan).values}
    assert values[("demand", "P")] == pytest.approx(8.0)
    assert values[("offer_capacity", "S/P")] == pytest.approx(3.0 - 8.0)
