"""Frontier points: monotone, within their caps, every plan passing the checker."""

from __future__ import annotations

import itertools
import math

import pytest

from models.sourcing import (
    FrontierPoint,
    Measure,
    SolveStatus,
    check_plan,
    generate_instance,
    least_measure,
    solve_point,
)
from models.sourcing.frontier import (
    cap_met,
    epsilon_grid,
    mark_dominated,
    measure_of,
    point_cost,
    with_cvar_limit,
    with_share_cap,
)


def _sweep(inst, measure: Measure, points: int):
    plan = solve_point(inst, measure, None)
    high = measure_of(inst, plan, measure)
    low, status = least_measure(inst, measure)
    assert status == SolveStatus.OPTIMAL and low is not None and low <= high + 1e-9
    out = [(None, plan)]
    out += [(eps, solve_point(inst, measure, eps)) for eps in epsilon_grid(high, low, points)]
    return out


@pytest.mark.parametrize("measure", [Measure.MAX_SHARE, Measure.CVAR])
def test_frontier_is_monotone_and_every_point_checks(measure: Measure) -> None:
    inst = generate_instance(8, 12, seed=3, scenarios=5)
    sweep = _sweep(inst, measure, 5)
    costs = []
    for eps, plan in sweep:
        assert plan.solve.status == SolveStatus.OPTIMAL
        assert cap_met(inst, plan, measure, eps)
        capped = inst if eps is None else (
            with_share_cap(inst, eps) if measure == Measure.MAX_SHARE
            else with_cvar_limit(inst, eps))
        assert check_plan(capped, plan).ok
        costs.append(point_cost(plan, measure))
    # tighter caps never make the optimum cheaper
    assert all(b >= a - 1e-6 * abs(a) for a, b in itertools.pairwise(costs))
    assert costs[-1] > costs[0]  # the instance has a real trade-off


def test_hhi_frontier_keeps_each_cap_within_the_tangent_bound() -> None:
    inst = generate_instance(5, 3, seed=1)
    sweep = _sweep(inst, Measure.HHI, 3)
    costs = [point_cost(p, Measure.HHI) for _eps, p in sweep]
    assert all(b >= a - 1e-6 * abs(a) for a, b in itertools.pairwise(costs))
    for eps, plan in sweep:
        assert check_plan(inst, plan).ok
        assert cap_met(inst, plan, Measure.HHI, eps)


def test_least_max_share_spreads_demand_evenly_when_nothing_else_binds() -> None:
    from models.sourcing import SourcingInstance

    inst = SourcingInstance.model_validate({
        "products": [{"id": "P", "demand": 90}],
        "suppliers": [{"id": s, "region": s} for s in "ABC"],
        "offers": [{"supplier": s, "product": "P", "unit_price": 10 + i}
                   for i, s in enumerate("ABC")],
    })
    low, status = least_measure(inst, Measure.MAX_SHARE)
    assert status == SolveStatus.OPTIMAL and math.isclose(low, 1 / 3, rel_tol=1e-9)
    plan = solve_point(inst, Measure.MAX_SHARE, epsilon_grid(1.0, low, 2)[-1])
    assert sorted(a.quantity for a in plan.allocations) == pytest.approx([30, 30, 30])
    assert plan.cost.total == pytest.approx(30 * (10 + 11 + 12))


def test_epsilon_grid_runs_from_just_below_the_top_to_the_least_value() -> None:
    grid = epsilon_grid(0.7, 0.3, 5)
    assert len(grid) == 4
    assert grid[0] < 0.7 and grid[-1] == pytest.approx(0.3, abs=1e-6)
    assert grid == sorted(grid, reverse=True)


def test_mark_dominated() -> None:
    def point(i: int, cost: float | None, measure: float | None) -> FrontierPoint:
        return FrontierPoint(index=i, epsilon=None, status=SolveStatus.OPTIMAL, cost=cost,
                             measure=measure)

    marked = mark_dominated([point(0, 100, 0.7), point(1, 110, 0.5), point(2, 120, 0.6),
                             point(3, 130, 0.3), point(4, None, None), point(5, 130, 0.3)])
    assert [p.dominated for p in marked] == [False, False, True, False, True, True]
