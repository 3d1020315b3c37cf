"""Marginal values agree with finite differences (re-solve with the limit moved by one)."""

from __future__ import annotations

import math

import pytest

from models.sourcing import (
    SolveStatus,
    SourcingInstance,
    generate_instance,
    marginal_values,
    solve,
)


def _two_suppliers(cap_a: float | None = 60, demand: float = 100, share: float | None = None,
                   supplier_cap: float | None = None) -> SourcingInstance:
    return SourcingInstance.model_validate({
        "products": [{"id": "P", "demand": demand}],
        "suppliers": [{"id": "A", "region": "X", "capacity": supplier_cap},
                      {"id": "B", "region": "Y", "onboarding_cost": 5}],
        "offers": [{"supplier": "A", "product": "P", "unit_price": 10, "capacity": cap_a},
                   {"supplier": "B", "product": "P", "unit_price": 12}],
        "policy": {"max_supplier_share": share},
    })


def _values(inst: SourcingInstance) -> dict[tuple[str, str], float]:
    plan = solve(inst)
    result = marginal_values(inst, plan)
    assert result.status == SolveStatus.OPTIMAL
    assert "conditional on the chosen supplier set" in result.basis
    return {(v.kind, v.subject): v.value for v in result.values}


def _cost(inst: SourcingInstance) -> float:
    plan = solve(inst)
    assert plan.cost is not None
    return plan.cost.total


@pytest.mark.parametrize(("values_of", "key", "moved"), [
    (lambda: _two_suppliers(), ("offer_capacity", "A/P"), lambda: _two_suppliers(cap_a=61)),
    (lambda: _two_suppliers(), ("demand", "P"), lambda: _two_suppliers(demand=101)),
    (lambda: _two_suppliers(cap_a=None, supplier_cap=70), ("supplier_capacity", "A"),
     lambda: _two_suppliers(cap_a=None, supplier_cap=71)),
    (lambda: _two_suppliers(cap_a=None, share=0.55), ("supplier_share", "P"),
     lambda: _two_suppliers(cap_a=None, share=0.56)),
    (lambda: _two_suppliers(cap_a=None, share=0.55), ("demand", "P"),
     lambda: _two_suppliers(cap_a=None, share=0.55, demand=101)),
])
def test_marginal_value_equals_finite_difference(values_of, key, moved) -> None:
    base = values_of()
    value = _values(base)[key]
    assert value != 0  # each case is built so that the limit binds
    assert math.isclose(value, _cost(moved()) - _cost(base), rel_tol=1e-6, abs_tol=1e-6)


def test_slack_capacity_is_worth_nothing() -> None:
    values = _values(_two_suppliers(cap_a=60, share=0.55))  # the share cap binds first
    assert values[("offer_capacity", "A/P")] == 0.0


def test_duals_lie_between_one_sided_differences_on_a_generated_instance() -> None:
    """For the fixed-binary LP, cost is convex in each limit: every dual lies between the
    backward and the forward difference (an LP dual is a subgradient)."""
    inst = generate_instance(8, 12, seed=4)
    plan = solve(inst)
    base = marginal_values(inst, plan)
    checked = 0
    for v in base.values:
        if v.kind not in ("offer_capacity", "supplier_capacity"):
            continue
        sides = []
        for step in (-1.0, 1.0):
            moved = _move_capacity(inst, v.kind, v.subject, step)
            other = marginal_values(moved, plan)
            sides.append(None if other.status != SolveStatus.OPTIMAL
                         else (other.objective - base.objective) * step)
        backward, forward = sides
        if backward is not None:
            assert backward <= v.value + 1e-6
        if forward is not None:
            assert v.value <= forward + 1e-6
        checked += 1
    assert checked >= 5


def _move_capacity(inst: SourcingInstance, kind: str, subject: str,
                   step: float) -> SourcingInstance:
    data = inst.model_dump()
    if kind == "offer_capacity":
        supplier, product = subject.split("/")
        for offer in data["offers"]:
            if (offer["supplier"], offer["product"]) == (supplier, product):
                offer["capacity"] += step
    else:
        for supplier in data["suppliers"]:
            if supplier["id"] == subject:
                supplier["capacity"] += step
    return SourcingInstance.model_validate(data)
