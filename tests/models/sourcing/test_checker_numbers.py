"""Every number a sourcing plan reports is checked: a tampered figure (NaN, inf or a plain
wrong value) is caught with its rule code, and a what-if copy of an instance is validated again
with fresh cached views."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from models.checking import agrees
from models.sourcing import (
    SolveStatus,
    SourcingInstance,
    SourcingPlan,
    check_plan,
    generate_instance,
    solve,
)
from models.sourcing.plan import CostBreakdown

NAN, INF = math.nan, math.inf


@pytest.fixture(scope="module")
def solved() -> tuple[SourcingInstance, SourcingPlan]:
    inst = generate_instance(5, 3, seed=3, offers_per_product=4)
    plan = solve(inst)
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert check_plan(inst, plan).ok
    return inst, plan


@pytest.fixture(scope="module")
def risky() -> tuple[SourcingInstance, SourcingPlan]:
    inst = generate_instance(5, 3, seed=4, offers_per_product=4, scenarios=3)
    plan = solve(inst)
    assert plan.risk is not None and check_plan(inst, plan).ok
    return inst, plan


def _copy(model: Any, **update: Any) -> Any:
    return model.model_copy(update=update)


def _first(items: tuple[Any, ...], **update: Any) -> tuple[Any, ...]:
    return (_copy(items[0], **update), *items[1:])


def _kpi(plan: SourcingPlan, **update: Any) -> SourcingPlan:
    return _copy(plan, products=_first(plan.products, **update))


TAMPERINGS: dict[str, tuple[Callable[[SourcingPlan], SourcingPlan], str]] = {
    "nan total": (lambda p: _copy(p, cost=_copy(p.cost, total=NAN)), "cost_total"),
    "inf total": (lambda p: _copy(p, cost=_copy(p.cost, total=INF)), "cost_total"),
    "nan purchase": (lambda p: _copy(p, cost=_copy(p.cost, purchase=NAN)), "cost_purchase"),
    "nan onboarding": (lambda p: _copy(p, cost=_copy(p.cost, onboarding=NAN)),
                       "cost_onboarding"),
    "nan penalty": (lambda p: _copy(p, cost=_copy(p.cost, shortage_penalty=NAN)),
                    "cost_shortage_penalty"),
    "nan objective": (lambda p: _copy(p, solve=_copy(p.solve, objective=NAN)), "objective"),
    "nan bound": (lambda p: _copy(p, solve=_copy(p.solve, best_bound=NAN)), "bound"),
    "optimal with a 50% gap": (
        lambda p: _copy(p, solve=_copy(p.solve, gap=0.5,
                                       best_bound=p.solve.objective * 0.5)), "status"),
    "gap not matching the bound": (lambda p: _copy(p, solve=_copy(p.solve, gap=0.2)), "gap"),
    "nan gap": (lambda p: _copy(p, solve=_copy(p.solve, gap=NAN)), "gap"),
    "negative seconds": (lambda p: _copy(p, solve=_copy(p.solve, solve_seconds=-1.0)),
                         "solve_figures"),
    "nan seconds": (lambda p: _copy(p, solve=_copy(p.solve, build_seconds=NAN)),
                    "solve_figures"),
    "altered supplier spend": (
        lambda p: _copy(p, suppliers=_first(p.suppliers, spend=p.suppliers[0].spend + 100)),
        "supplier_figures"),
    "nan supplier spend": (lambda p: _copy(p, suppliers=_first(p.suppliers, spend=NAN)),
                           "supplier_figures"),
    "altered supplier units": (
        lambda p: _copy(p, suppliers=_first(p.suppliers, units=p.suppliers[0].units + 1)),
        "supplier_figures"),
    "altered onboarding cost": (
        lambda p: _copy(p, suppliers=_first(
            p.suppliers, onboarding_cost=p.suppliers[0].onboarding_cost + 1)),
        "supplier_figures"),
    "altered region": (lambda p: _copy(p, suppliers=_first(p.suppliers, region="Mars")),
                       "supplier_figures"),
    "nan unit price": (lambda p: _copy(p, allocations=_first(p.allocations, unit_price=NAN)),
                       "unit_price"),
    "nan allocation cost": (lambda p: _copy(p, allocations=_first(p.allocations, cost=NAN)),
                            "allocation_cost"),
    "inf quantity": (lambda p: _copy(p, allocations=_first(p.allocations, quantity=INF)),
                     "quantity"),
    "nan quantity": (lambda p: _copy(p, allocations=_first(p.allocations, quantity=NAN)),
                     "quantity"),
    "altered product spend": (lambda p: _kpi(p, spend=p.products[0].spend + 5), "kpi"),
    "nan product spend": (lambda p: _kpi(p, spend=NAN), "kpi"),
    "altered demand": (lambda p: _kpi(p, demand=p.products[0].demand + 1), "kpi"),
    "altered shortage": (lambda p: _kpi(p, shortage=p.products[0].shortage + 1), "kpi"),
    "altered supplier count": (lambda p: _kpi(p, suppliers=p.products[0].suppliers + 1),
                               "kpi"),
    "extra share": (lambda p: _kpi(p, supplier_shares={**p.products[0].supplier_shares,
                                                        "ghost": 0.1}), "kpi"),
    "nan share": (lambda p: _kpi(p, supplier_shares={
        s: NAN for s in p.products[0].supplier_shares}), "kpi"),
    "altered region share": (lambda p: _kpi(p, region_shares={
        r: v / 2 for r, v in p.products[0].region_shares.items()}), "kpi"),
    "nan hhi": (lambda p: _kpi(p, hhi=NAN), "kpi"),
    "altered defect rate": (lambda p: _kpi(p, defect_rate=0.5), "kpi"),
    "nan on-time rate": (lambda p: _kpi(p, on_time_rate=NAN), "kpi"),
    "altered lead time": (lambda p: _kpi(p, max_lead_time_days=999.0), "kpi"),
}


@pytest.mark.parametrize("name", sorted(TAMPERINGS))
def test_each_tampered_number_is_caught(
    solved: tuple[SourcingInstance, SourcingPlan], name: str
) -> None:
    inst, plan = solved
    tamper, rule = TAMPERINGS[name]
    report = check_plan(inst, tamper(plan))
    assert rule in report.rules(), (name, report.violations)


def _outcome(plan: SourcingPlan, index: int, **update: Any) -> SourcingPlan:
    assert plan.risk is not None
    scenarios = list(plan.risk.scenarios)
    scenarios[index] = _copy(scenarios[index], **update)
    return _copy(plan, risk=_copy(plan.risk, scenarios=tuple(scenarios)))


RISK_TAMPERINGS: dict[str, Callable[[SourcingPlan], SourcingPlan]] = {
    "nan expected cost": lambda p: _copy(p, risk=_copy(p.risk, expected_cost=NAN)),
    "nan cvar": lambda p: _copy(p, risk=_copy(p.risk, cvar=NAN)),
    "altered var": lambda p: _copy(p, risk=_copy(p.risk, var=p.risk.var + 1)),
    "altered alpha": lambda p: _copy(p, risk=_copy(p.risk, alpha=0.5)),
    "nan scenario cost": lambda p: _outcome(p, 1, cost=NAN),
    "altered probability": lambda p: _outcome(p, 1, probability=0.9),
    "altered delivered": lambda p: _outcome(p, 1, delivered=p.risk.scenarios[1].delivered + 1),
    "altered spot units": lambda p: _outcome(p, 1, spot_units=p.risk.scenarios[1].spot_units
                                             + 1),
    "altered unmet units": lambda p: _outcome(p, 0, unmet_units=3.0),
    "nan recourse": lambda p: _outcome(p, 1, recourse_cost=NAN),
    "dropped scenario": lambda p: _copy(p, risk=_copy(p.risk, scenarios=p.risk.scenarios[:-1])),
}


@pytest.mark.parametrize("name", sorted(RISK_TAMPERINGS))
def test_each_tampered_risk_figure_is_caught(
    risky: tuple[SourcingInstance, SourcingPlan], name: str
) -> None:
    inst, plan = risky
    report = check_plan(inst, RISK_TAMPERINGS[name](plan))
    assert "risk" in report.rules(), (name, report.violations)


def test_feasible_status_with_a_gap_passes(solved: tuple[SourcingInstance, SourcingPlan]) -> None:
    inst, plan = solved
    objective = plan.solve.objective
    assert objective is not None
    bound = objective * 0.5
    feasible = _copy(plan, solve=_copy(plan.solve, status=SolveStatus.FEASIBLE, gap=0.5,
                                       best_bound=bound))
    assert check_plan(inst, feasible).ok


def test_agrees_never_accepts_nan_or_inf() -> None:
    assert agrees(1.0, 1.0 + 1e-9, 1e-6)
    assert not agrees(NAN, NAN, 1.0)
    assert not agrees(INF, INF, 1.0)
    assert not agrees(NAN, 1.0, INF)
    assert not agrees(None, 1.0, 1.0)
    assert not agrees(1.0, NAN, 1.0)


# ---- what-if copies ---------------------------------------------------------------------

def test_model_copy_of_a_solved_instance_uses_fresh_views(
    solved: tuple[SourcingInstance, SourcingPlan],
) -> None:
    inst, _plan = solved
    inst.product_by_id, inst.rules_for(inst.products[0].id)  # fill the caches
    products = tuple(p.model_copy(update={"demand": p.demand + 10}) for p in inst.products)
    what_if = inst.model_copy(update={"products": products})
    assert what_if.product_by_id[products[0].id].demand == products[0].demand
    plan = solve(what_if)
    assert plan.solve.status.has_solution
    report = check_plan(what_if, plan)
    assert report.ok, report.violations
    assert sum(k.demand for k in plan.products) == pytest.approx(
        sum(p.demand for p in products))


def test_model_copy_revalidates_the_update(
    solved: tuple[SourcingInstance, SourcingPlan],
) -> None:
    inst, _plan = solved
    with pytest.raises(ValidationError):
        inst.model_copy(update={"offers": (*inst.offers, inst.offers[0])})  # duplicate
    bad = inst.products[0].model_copy(update={"demand": -5.0})  # not validated by pydantic
    with pytest.raises(ValidationError):
        inst.model_copy(update={"products": (bad, *inst.products[1:])})
    with pytest.raises(ValidationError):
        inst.model_copy(update={"policy": {"max_supplier_share": 2.0}})


def test_an_infeasible_plan_may_not_carry_figures() -> None:
    inst = SourcingInstance.model_validate({
        "products": [{"id": "P", "demand": 10}],
        "suppliers": [{"id": "S", "region": "R"}],
        "offers": [{"supplier": "S", "product": "P", "unit_price": 1, "capacity": 4}],
    })
    plan = solve(inst)
    assert plan.solve.status == SolveStatus.INFEASIBLE
    assert plan.explanation is not None and plan.explanation.relaxations
    # the empty plan breaks demand (that is why it is infeasible), nothing else
    assert check_plan(inst, plan).rules() == {"demand"}
    relaxations = plan.explanation.relaxations
    bad = _copy(plan, explanation=_copy(plan.explanation, relaxations=(
        _copy(relaxations[0], amount=NAN), *relaxations[1:])))
    assert "explanation" in check_plan(inst, bad).rules()
    costed = _copy(plan, cost=CostBreakdown(onboarding=0, purchase=0, shortage_penalty=0,
                                            total=NAN))
    assert "no_solution_with_allocations" in check_plan(inst, costed).rules()
