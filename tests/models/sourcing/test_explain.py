"""Each infeasible fixture is explained with the rule that has to give and by how much."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from models.sourcing import SolveStatus, SourcingInstance, solve

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sourcing" / "infeasible"

#: fixture -> (rule, subject or None for "summed over subjects", total amount)
EXPECTED = {
    "demand_over_capacity": ("demand", "P1", 100.0),  # 900 units of capacity for 1000
    "share_cap_too_tight": ("supplier_share", None, 100.0),  # 3 x 30 % = 90 % of 1000
    "too_few_suppliers": ("min_suppliers", "P1", 1.0),  # 3 needed, 2 offers
    "one_region": ("region_share", "Asia/P1", 400.0),  # 100 % in one region, cap 60 %
    "defect_rate": ("defect_rate", "P1", 0.01),  # best offer 3 %, limit 2 %
    "lead_time": ("lead_time", "A/P1", 4.0),  # 14 d against 10 d (B is 30 d)
    "budget": ("budget", "total", 2000.0),  # 1000 units at 10 against 8000
    "must_use_excluded": ("must_use", "B", 1.0),  # B must be used but is excluded
    "product_budget": ("product_budget", "P2", 100.0),  # 100 units at 10 against 900
}


def _load(name: str) -> SourcingInstance:
    return SourcingInstance.model_validate_json((FIXTURES / f"{name}.json").read_text())


def test_every_fixture_has_an_expectation() -> None:
    assert {p.stem for p in FIXTURES.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_infeasible_fixture_is_explained(name: str) -> None:
    rule, subject, amount = EXPECTED[name]
    plan = solve(_load(name))
    assert plan.solve.status == SolveStatus.INFEASIBLE
    assert plan.explanation is not None
    assert plan.explanation.elastic_status == SolveStatus.OPTIMAL
    relaxed = plan.explanation.relaxations
    assert {r.rule for r in relaxed} == {rule}, relaxed
    if subject is not None:
        assert {r.subject for r in relaxed} == {subject}
    assert math.isclose(sum(r.amount for r in relaxed), amount, rel_tol=1e-6, abs_tol=1e-6)
    assert all(r.message and r.title for r in relaxed)


def test_pre_check_names_demand_capacity_and_exclusions() -> None:
    plan = solve(_load("demand_over_capacity"))
    assert plan.infeasibility == (
        "product P1 demand 1,000 exceeds what its 2 eligible offers can supply (900 within "
        "offer and supplier capacities)",)


def test_pre_check_counts_offers_left_out_by_lead_time() -> None:
    plan = solve(_load("lead_time"))
    assert plan.infeasibility == (
        "product P1 has demand 1000 but no eligible offer; 2 offers left out: 2 because of the "
        "lead-time limit",)


def test_explanation_not_computed_when_not_asked() -> None:
    plan = solve(_load("budget"), explain=False)
    assert plan.solve.status == SolveStatus.INFEASIBLE
    assert plan.explanation is None
