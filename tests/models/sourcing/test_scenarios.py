"""Disruption scenarios: expected cost and CVaR against hand computations."""

from __future__ import annotations

import math

import pytest

from models.sourcing import SolveStatus, SourcingInstance, check_plan, solve


def _three_suppliers(alpha: float = 0.8, cvar_weight: float = 0.0,
                     cvar_limit: float | None = None) -> SourcingInstance:
    return SourcingInstance.model_validate({
        "name": "three",
        "products": [{"id": "P", "demand": 10, "spot_price": 20}],
        "suppliers": [{"id": "A", "region": "X", "onboarding_cost": 5},
                      {"id": "B", "region": "Y", "onboarding_cost": 5},
                      {"id": "C", "region": "Y"}],
        "offers": [{"supplier": "A", "product": "P", "unit_price": 10},
                   {"supplier": "B", "product": "P", "unit_price": 11},
                   {"supplier": "C", "product": "P", "unit_price": 13}],
        "policy": {"whole_units": True},
        "scenarios": [{"id": "A-fails", "probability": 0.15},
                      {"id": "Y-storm", "probability": 0.10}],
        "disruptions": [{"scenario": "A-fails", "supplier": "A", "capacity_loss": 1.0},
                        {"scenario": "Y-storm", "region": "Y", "capacity_loss": 0.5,
                         "price_multiplier": 1.2}],
        "risk": {"alpha": alpha, "cvar_weight": cvar_weight, "cvar_limit": cvar_limit},
    })


def _costs(a: int, b: int, c: int) -> list[tuple[float, float]]:
    """(probability, cost) of every scenario for the split a/b/c, written out by hand."""
    onboarding = 5 * (a > 0) + 5 * (b > 0)
    nominal = onboarding + 10 * a + 11 * b + 13 * c
    a_fails = onboarding + 11 * b + 13 * c + 20 * a  # A delivers nothing; spot at 20
    storm = onboarding + 10 * a + 0.5 * (b * 11 + c * 13) * 1.2 + 20 * 0.5 * (b + c)
    return [(0.75, nominal), (0.15, a_fails), (0.10, storm)]


def _cvar(outcomes: list[tuple[float, float]], alpha: float) -> float:
    """Mean of the worst (1 - alpha) probability mass, filling it from the top."""
    left, total = 1 - alpha, 0.0
    for p, c in sorted(outcomes, key=lambda o: -o[1]):
        take = min(p, left)
        total += take * c
        left -= take
        if left <= 1e-12:
            break
    return total / (1 - alpha)


def _best(objective) -> float:
    return min(objective(a, b, 10 - a - b) for a in range(11) for b in range(11 - a))


def test_expected_cost_optimum_matches_enumeration() -> None:
    best = _best(lambda a, b, c: sum(p * v for p, v in _costs(a, b, c)))
    plan = solve(_three_suppliers())
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert plan.risk is not None
    assert math.isclose(plan.risk.expected_cost, best, rel_tol=1e-9)
    assert math.isclose(plan.solve.objective, best, rel_tol=1e-9)


@pytest.mark.parametrize("weight", [0.3, 1.0])
def test_mean_cvar_optimum_matches_enumeration(weight: float) -> None:
    def objective(a: int, b: int, c: int) -> float:
        outcomes = _costs(a, b, c)
        return ((1 - weight) * sum(p * v for p, v in outcomes)
                + weight * _cvar(outcomes, 0.8))

    plan = solve(_three_suppliers(cvar_weight=weight))
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert math.isclose(plan.risk.objective, _best(objective), rel_tol=1e-9)


def test_cvar_limit_mode_matches_enumeration() -> None:
    limit = 150.0
    feasible = [(a, b, 10 - a - b) for a in range(11) for b in range(11 - a)
                if _cvar(_costs(a, b, 10 - a - b), 0.8) <= limit + 1e-9]
    best = min(sum(p * v for p, v in _costs(*split)) for split in feasible)
    plan = solve(_three_suppliers(cvar_limit=limit))
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert plan.risk.cvar <= limit + 1e-6
    assert math.isclose(plan.risk.expected_cost, best, rel_tol=1e-9)


def _single_supplier(alpha: float) -> SourcingInstance:
    """One supplier, so the plan is forced: costs 100 (p 0.7), 200 (p 0.2), 300 (p 0.1)."""
    return SourcingInstance.model_validate({
        "products": [{"id": "P", "demand": 10, "spot_price": 30}],
        "suppliers": [{"id": "A", "region": "X"}],
        "offers": [{"supplier": "A", "product": "P", "unit_price": 10}],
        "scenarios": [{"id": "half", "probability": 0.2}, {"id": "all", "probability": 0.1}],
        "disruptions": [{"scenario": "half", "supplier": "A", "capacity_loss": 0.5},
                        {"scenario": "all", "supplier": "A", "capacity_loss": 1.0}],
        "risk": {"alpha": alpha},
    })


@pytest.mark.parametrize(("alpha", "var", "cvar"), [
    (0.5, 100.0, 180.0),   # (0.2*200 + 0.1*300 + (0.7-0.5)*100) / 0.5
    (0.8, 200.0, 250.0),   # (0.1*300 + (0.9-0.8)*200) / 0.2
    (0.95, 300.0, 300.0),  # the worst 5 % is all in the 300 outcome
])
def test_var_and_cvar_of_a_known_distribution(alpha: float, var: float, cvar: float) -> None:
    inst = _single_supplier(alpha)
    plan = solve(inst)
    assert plan.risk is not None
    assert [o.cost for o in plan.risk.scenarios] == [100.0, 200.0, 300.0]
    assert math.isclose(plan.risk.expected_cost, 0.7 * 100 + 0.2 * 200 + 0.1 * 300)
    assert math.isclose(plan.risk.var, var)
    assert math.isclose(plan.risk.cvar, cvar)
    report = check_plan(inst, plan)
    assert report.ok
    assert math.isclose(report.var, var) and math.isclose(report.cvar, cvar)


def test_recourse_picks_the_cheaper_of_spot_and_penalty() -> None:
    inst = _single_supplier(0.8).model_copy()
    data = inst.model_dump()
    data["products"][0]["shortage_penalty"] = 25.0  # cheaper than spot (30)
    plan = solve(SourcingInstance.model_validate(data))
    outcome = {o.scenario: o for o in plan.risk.scenarios}
    assert outcome["half"].unmet_units == 5 and outcome["half"].spot_units == 0
    assert outcome["half"].cost == 50 + 5 * 25


def test_checker_catches_a_wrong_scenario_cost() -> None:
    inst = _single_supplier(0.8)
    plan = solve(inst)
    wrong = plan.risk.scenarios[1].model_copy(update={"cost": 199.0})
    risk = plan.risk.model_copy(update={"scenarios": (plan.risk.scenarios[0], wrong,
                                                      plan.risk.scenarios[2])})
    report = check_plan(inst, plan.model_copy(update={"risk": risk}))
    assert report.rules() == {"risk"}
