"""The independent checker catches every kind of corrupted plan."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from models.sourcing import SourcingInstance, SourcingPlan, check_plan, solve
from models.sourcing.plan import Allocation
from optimizer.formats.sourcing import read_sourcing_instance

STARTER = Path(__file__).resolve().parents[3] / "instances" / "sourcing" / "starter.json"


@pytest.fixture(scope="module")
def starter() -> tuple[SourcingInstance, SourcingPlan]:
    inst = read_sourcing_instance(STARTER)
    return inst, solve(inst)


def _with_allocations(plan: SourcingPlan, change: Callable[[list[Allocation]], None]
                      ) -> SourcingPlan:
    rows = list(plan.allocations)
    change(rows)
    return plan.model_copy(update={"allocations": tuple(rows)})


def _set(rows: list[Allocation], supplier: str, product: str, **update: float) -> None:
    for i, a in enumerate(rows):
        if a.supplier == supplier and a.product == product:
            q = update.get("quantity", a.quantity)
            price = update.get("unit_price", a.unit_price)
            rows[i] = a.model_copy(update={"quantity": q, "unit_price": price,
                                           "cost": update.get("cost", q * price)})
            return
    q = update["quantity"]
    rows.append(Allocation(supplier=supplier, product=product, quantity=q,
                           unit_price=update["unit_price"], cost=q * update["unit_price"]))


def _move(rows: list[Allocation], product: str, src: str, dst: str, qty: float,
          dst_price: float) -> None:
    for a in rows:
        if a.supplier == src and a.product == product:
            _set(rows, src, product, quantity=a.quantity - qty)
            break
    existing = next((a for a in rows if a.supplier == dst and a.product == product), None)
    _set(rows, dst, product, quantity=(existing.quantity if existing else 0) + qty,
         unit_price=dst_price)


def test_solver_plan_passes(starter: tuple[SourcingInstance, SourcingPlan]) -> None:
    inst, plan = starter
    report = check_plan(inst, plan)
    assert report.ok, report.violations
    assert plan.cost is not None
    assert abs(report.total - plan.cost.total) < 1e-6


CORRUPTIONS: dict[str, tuple[Callable[[list[Allocation]], None], set[str]]] = {
    # Drop an allocation of a product with hard demand.
    "demand": (lambda rows: rows.remove(next(a for a in rows if a.product == "TEE-BLK-M")),
               {"demand"}),
    # Report a cheaper price than the one in force.
    "price": (lambda rows: _set(rows, rows[0].supplier, rows[0].product,
                                unit_price=rows[0].unit_price * 0.5), {"unit_price"}),
    # A cost that does not equal quantity x price.
    "cost": (lambda rows: _set(rows, rows[0].supplier, rows[0].product,
                               cost=rows[0].cost + 10), {"allocation_cost"}),
    # Everything for the tee from GZ1 beyond its 12,000 capacity... and over the 60 % cap.
    "capacity_and_share": (lambda rows: _move(rows, "TEE-BLK-M", "HCM1", "GZ1", 4800, 2.05),
                           {"supplier_share"}),
    # An order below DHK1's MOQ of 3,000 (and an offer from an unused supplier).
    "moq": (lambda rows: _move(rows, "TEE-BLK-M", "HCM1", "DHK1", 100, 2.10), {"moq"}),
    # A supplier with no offer for the product.
    "unknown_offer": (lambda rows: _set(rows, "HCM2", "TEE-BLK-M", quantity=10, unit_price=1),
                      {"unknown_offer"}),
    # Drop the must-use supplier IZM1 entirely.
    "must_use": (lambda rows: [rows.remove(a) for a in list(rows) if a.supplier == "IZM1"],
                 {"must_use"}),
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corruption_is_caught(name: str, starter: tuple[SourcingInstance, SourcingPlan]) -> None:
    inst, plan = starter
    change, expected = CORRUPTIONS[name]
    report = check_plan(inst, _with_allocations(plan, change))
    assert not report.ok
    assert expected <= report.rules(), report.violations


def test_rule_violations_have_sizes() -> None:
    inst = SourcingInstance.model_validate({
        "products": [{"id": "P", "demand": 100}],
        "suppliers": [{"id": "A", "region": "X", "capacity": 50},
                      {"id": "B", "region": "X"}, {"id": "C", "region": "Y"}],
        "offers": [{"supplier": "A", "product": "P", "unit_price": 1, "defect_rate": 0.1,
                    "lead_time_days": 30},
                   {"supplier": "B", "product": "P", "unit_price": 2, "on_time_rate": 0.5},
                   {"supplier": "C", "product": "P", "unit_price": 3}],
        "policy": {"max_region_share": 0.8, "max_defect_rate": 0.05, "min_on_time_rate": 0.9,
                   "max_lead_time_days": 20, "min_suppliers": 3, "min_share": 0.1,
                   "excluded": ["C"], "budget": 100},
    })
    from models.sourcing import evaluate

    report = evaluate(inst, {("A", "P"): 60, ("B", "P"): 35, ("C", "P"): 5})
    by_rule = {v.rule: v.amount for v in report.violations}
    assert by_rule["supplier_capacity"] == pytest.approx(10)
    assert by_rule["region_share"] == pytest.approx(95 - 80)
    assert by_rule["defect_rate"] == pytest.approx(0.06 - 0.05)
    assert by_rule["on_time_rate"] == pytest.approx(0.9 - (0.6 + 0.175 + 0.05))
    assert by_rule["lead_time"] == pytest.approx(10)
    assert by_rule["min_suppliers"] == pytest.approx(1)
    assert by_rule["excluded"] == pytest.approx(5)
    assert by_rule["budget"] == pytest.approx(60 + 70 + 15 - 100)


def test_offer_level_rules_have_sizes() -> None:
    from models.sourcing import evaluate

    inst = SourcingInstance.model_validate({
        "products": [{"id": "P", "demand": 10}, {"id": "Q", "demand": 10}],
        "suppliers": [{"id": "A", "region": "X"}, {"id": "B", "region": "X"}],
        "offers": [{"supplier": "A", "product": "P", "unit_price": 1, "capacity": 6},
                   {"supplier": "B", "product": "P", "unit_price": 2},
                   {"supplier": "A", "product": "Q", "unit_price": 3}],
        "policy": {"whole_units": True},
        "product_policies": [{"product": "Q", "must_use": ["B"], "budget": 20}],
    })
    report = evaluate(inst, {("A", "P"): 8, ("B", "P"): 4.5, ("A", "Q"): 10})
    by_rule = {v.rule: v.amount for v in report.violations}
    assert by_rule["offer_capacity"] == pytest.approx(2)
    assert by_rule["over_purchase"] == pytest.approx(2.5)
    assert by_rule["whole_units"] == pytest.approx(0.5)
    assert by_rule["must_supply"] == pytest.approx(1)
    assert by_rule["product_budget"] == pytest.approx(10)


def _with_kpi_hhi(plan: SourcingPlan, hhi: float) -> SourcingPlan:
    kpis = list(plan.products)
    kpis[0] = kpis[0].model_copy(update={"hhi": hhi})
    return plan.model_copy(update={"products": tuple(kpis)})


def _update(plan: SourcingPlan, part: str, **values: float) -> SourcingPlan:
    current = getattr(plan, part)
    return plan.model_copy(update={part: current.model_copy(update=values)})


# Figures a plan reports about itself, each made wrong in one way.
REPORTED: dict[str, tuple[Callable[[SourcingPlan], SourcingPlan], str]] = {
    "total": (lambda p: _update(p, "cost", total=p.cost.total + 1.0), "cost_total"),
    "bound": (lambda p: _update(p, "solve", best_bound=p.cost.total + 100), "bound"),
    "supplier_list": (lambda p: p.model_copy(update={"suppliers": p.suppliers[1:]}),
                      "supplier_list"),
    "kpi": (lambda p: _with_kpi_hhi(p, 0.01), "kpi"),
}


@pytest.mark.parametrize("name", sorted(REPORTED))
def test_wrong_reported_figure_is_caught(
        name: str, starter: tuple[SourcingInstance, SourcingPlan]) -> None:
    inst, plan = starter
    corrupt, rule = REPORTED[name]
    assert rule in check_plan(inst, corrupt(plan)).rules()
