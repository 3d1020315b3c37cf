"""Cost versus diversification: epsilon-constraint solves between the two extreme plans.

Measures (each is "lower is more diversified / safer"):

``max-share``
    The largest share of a product's purchased quantity placed with one supplier, over all
    products. A point caps it by tightening ``max_supplier_share`` in the policy (and in every
    override that is looser), so the cap is an ordinary business rule the checker verifies.
``hhi``
    The largest Herfindahl index of a product, of shares of its *demand* (a planned shortage
    counts as unconcentrated; for hard demand this is the plan's HHI). HHI is convex; a point
    bounds it with tangent cuts ``q_o >= 2 a s_o - a^2`` at ``a = 0, 1/K, ..., 1`` and
    ``sum_o q_o <= eps`` (no binaries, no quadratic terms). The tangents under-estimate
    ``s^2`` by at most ``1 / (4 K^2)`` per offer in use (K = 8: 0.0039), so the true HHI of a
    point is at most ``eps + n / (4 K^2)`` with ``n`` the product's suppliers; each point
    reports and is drawn at its true value.
``cvar``
    CVaR at the instance's alpha of the scenario cost. A point minimises the expected cost with
    ``cvar_limit = eps`` (checked by the checker).

The cost of a point is the instance's objective (for ``cvar``: the expected cost).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from enum import StrEnum

import pulp
from pydantic import BaseModel, ConfigDict

from models.solver import SolverOptions, SolveStatus, run_pulp
from models.sourcing.data import SourcingInstance
from models.sourcing.formulation import SourcingModel, build_model
from models.sourcing.plan import SourcingPlan
from models.sourcing.solve import solve

#: Tangent points per unit interval for the HHI outer approximation. More are tighter but make
#: the MILP much slower (20 x 50 instance, one point: 4 -> 24 s, 8 -> 82 s, 20 -> 289 s).
HHI_TANGENTS = 8
#: The least-measure solve stops at this gap, and by default after this many seconds: proving
#: the exact minimum of a max-share over hundreds of products can take far longer than every
#: other frontier point together (50 x 200: over 11 minutes).
LEAST_GAP = 0.01
LEAST_TIME_LIMIT = 20.0
#: Relative slack on the tightest cap, so that the least-measure plan stays feasible.
CAP_SLACK = 1e-7


class Measure(StrEnum):
    """What the frontier trades cost against."""

    MAX_SHARE = "max-share"
    HHI = "hhi"
    CVAR = "cvar"


class FrontierPoint(BaseModel):
    """One epsilon-constraint solve. ``epsilon`` None is the cost-optimal extreme."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int
    epsilon: float | None
    status: SolveStatus
    cost: float | None = None
    measure: float | None = None
    gap: float | None = None
    suppliers_used: int | None = None
    seconds: float = 0.0
    dominated: bool = False
    cap_met: bool | None = None
    note: str = ""


def measure_of(instance: SourcingInstance, plan: SourcingPlan, measure: Measure) -> float:
    """The plan's value of ``measure``, computed from its allocations."""
    if measure == Measure.CVAR:
        if plan.risk is not None:
            return plan.risk.cvar
        assert plan.cost is not None
        return plan.cost.total  # one scenario: CVaR is the cost
    per_product: dict[str, list[float]] = {}
    for a in plan.allocations:
        per_product.setdefault(a.product, []).append(a.quantity)
    worst = 0.0
    for product_id, quantities in per_product.items():
        if measure == Measure.MAX_SHARE:
            total = sum(quantities)
            value = max(quantities) / total if total > 0 else 0.0
        else:
            demand = instance.product_by_id[product_id].demand
            value = sum((q / demand) ** 2 for q in quantities) if demand > 0 else 0.0
        worst = max(worst, value)
    return worst


def cap_met(
    instance: SourcingInstance, plan: SourcingPlan, measure: Measure, epsilon: float | None
) -> bool:
    """Whether the plan keeps its cap (for HHI: within the tangent approximation's bound)."""
    if epsilon is None:
        return True
    value = measure_of(instance, plan, measure)
    if measure == Measure.HHI:
        most = max((k.suppliers for k in plan.products), default=0)
        return value <= epsilon + most / (4 * HHI_TANGENTS**2) + 1e-9
    return value <= epsilon + 1e-6 * max(1.0, abs(epsilon))


def point_cost(plan: SourcingPlan, measure: Measure) -> float | None:
    """The cost axis of the frontier: the objective (expected cost for ``cvar``)."""
    if measure == Measure.CVAR and plan.risk is not None:
        return plan.risk.expected_cost
    return plan.objective


def with_share_cap(instance: SourcingInstance, cap: float) -> SourcingInstance:
    """The instance with every product's supplier share capped at ``cap`` (tighter caps kept)."""
    policy = instance.policy.model_copy(update={
        "max_supplier_share": min(instance.policy.max_supplier_share or 1.0, cap)})
    overrides = tuple(
        o.model_copy(update={"max_supplier_share": min(o.max_supplier_share, cap)})
        if o.max_supplier_share is not None else o
        for o in instance.product_policies
    )
    return _revalidated(instance, policy=policy, product_policies=overrides)


def with_cvar_limit(instance: SourcingInstance, limit: float | None,
                    weight: float = 0.0) -> SourcingInstance:
    """The instance minimising ``(1 - weight) * E + weight * CVaR`` with CVaR <= ``limit``."""
    risk = instance.risk.model_copy(update={"cvar_limit": limit, "cvar_weight": weight})
    return _revalidated(instance, risk=risk)


def _revalidated(instance: SourcingInstance, **changes: object) -> SourcingInstance:
    data = instance.model_dump()
    data.update({k: (v.model_dump() if isinstance(v, BaseModel)
                     else [x.model_dump() for x in v] if isinstance(v, tuple) else v)
                 for k, v in changes.items()})
    return SourcingInstance.model_validate(data)


def hhi_terms(model: SourcingModel) -> dict[str, pulp.LpAffineExpression]:
    """Per product, the tangent under-estimate of its HHI (variables and rows added)."""
    terms = {}
    for product_id, keys in model.by_product.items():
        demand = model.demand.get(product_id, 0.0)
        if demand <= 0 or not keys:
            continue
        squares = []
        for i, key in enumerate(keys):
            top = min(1.0, model.offer_upper[key] / demand)
            q = model.problem.add_variable(f"hhi_{product_id}_{i}", lowBound=0)
            squares.append(q)
            for k in range(1, HHI_TANGENTS + 1):
                a = k / HHI_TANGENTS
                if a - 1.0 / HHI_TANGENTS > top:
                    break  # tangents beyond the offer's largest share cut nothing more
                model.problem.addConstraint(
                    q - (2 * a / demand) * model.offer_qty[key] >= -a * a,
                    f"hhi_tan_{product_id}_{i}_{k}")
        terms[product_id] = pulp.lpSum(squares)
    return terms


def _hhi_cap(limit: float) -> Callable[[SourcingModel], None]:
    def customize(model: SourcingModel) -> None:
        for product_id, hhi in hhi_terms(model).items():
            model.problem.addConstraint(hhi <= limit, f"hhi_cap_{product_id}")
    return customize


def solve_point(
    instance: SourcingInstance, measure: Measure, epsilon: float | None,
    options: SolverOptions | None = None,
) -> SourcingPlan:
    """Minimise cost with ``measure <= epsilon`` (no cap when ``epsilon`` is None). The plan
    passed the independent checker."""
    if measure == Measure.CVAR:
        return solve(with_cvar_limit(instance, epsilon), options)
    if epsilon is None:
        return solve(instance, options)
    if measure == Measure.MAX_SHARE:
        return solve(with_share_cap(instance, epsilon), options)
    return solve(instance, options, customize=_hhi_cap(epsilon))


def least_measure(
    instance: SourcingInstance, measure: Measure, options: SolverOptions | None = None
) -> tuple[float | None, SolveStatus]:
    """The smallest value of ``measure`` a plan reaches, as far as the solve finds it. For
    ``max-share`` and ``hhi`` it stops at a 1 % gap (or the requested one if larger) and within
    ``options.time_limit`` (default 20 s), so the value may be above the true minimum; the
    status says which. ``cvar`` is solved with the caller's options. The value is the cap of
    the last frontier point, which is then always feasible."""
    options = options or SolverOptions()
    if measure == Measure.CVAR:
        # no 1 % gap or 20 s cap here: relative to a cost, 1 % is as wide as the whole
        # frontier, and a capped solve returned the cost-optimal plan (a one-point frontier);
        # no expected-cost warm start either (measured: it slowed this pure-CVaR solve down)
        plan = solve(with_cvar_limit(instance, None, weight=1.0), options, warm_start=False)
        return (plan.risk.cvar if plan.risk is not None
                else plan.cost.total if plan.cost else None), plan.solve.status
    options = replace(options, gap=max(options.gap, LEAST_GAP),
                      time_limit=options.time_limit or LEAST_TIME_LIMIT)
    if measure == Measure.CVAR:
        plan = solve(with_cvar_limit(instance, None, weight=1.0), options)
        return (plan.risk.cvar if plan.risk is not None
                else plan.cost.total if plan.cost else None), plan.solve.status
    model = build_model(instance, lazy_counts=False)
    if model.infeasible_reasons:
        return None, SolveStatus.INFEASIBLE
    t = model.problem.add_variable("measure", lowBound=0, upBound=1)
    if measure == Measure.MAX_SHARE:
        for product_id, keys in model.by_product.items():
            demand = model.demand.get(product_id, 0.0)
            for i, key in enumerate(keys):
                if demand > 0:
                    model.problem.addConstraint(model.offer_qty[key] - demand * t <= 0,
                                                f"least_share_{product_id}_{i}")
    else:
        for product_id, hhi in hhi_terms(model).items():
            model.problem.addConstraint(hhi - t <= 0, f"least_hhi_{product_id}")
    model.problem.setObjective(t)
    info = run_pulp(model.problem, options)
    return (t.value() if info.status.has_solution else None), info.status


def epsilon_grid(high: float, low: float, points: int) -> list[float]:
    """``points - 1`` caps from just below ``high`` down to ``low`` (the first point of a
    frontier is the uncapped, cost-optimal plan)."""
    if points < 2:
        return []
    low = low * (1 + CAP_SLACK) + CAP_SLACK
    if high <= low:
        return [low]
    step = (high - low) / (points - 1)
    return [high - i * step for i in range(1, points - 1)] + [low]


def mark_dominated(points: Sequence[FrontierPoint]) -> list[FrontierPoint]:
    """Flag points another point beats on both axes (no worse on one, better on the other),
    points without a plan, and repeats of an earlier point (same cost and measure)."""
    solved = [p for p in points if p.cost is not None and p.measure is not None]

    def same(a: float, b: float, tol: float) -> bool:
        return abs(a - b) <= tol * max(1.0, abs(a))

    out = []
    for p in points:
        if p.cost is None or p.measure is None:
            out.append(p.model_copy(update={"dominated": True}))
            continue
        dominated = False
        for q in solved:
            if q is p:
                continue
            assert q.cost is not None and q.measure is not None
            no_worse = (q.cost <= p.cost + 1e-9 * max(1.0, abs(p.cost))
                        and q.measure <= p.measure + 1e-9 * max(1.0, abs(p.measure)))
            repeat = same(q.cost, p.cost, 1e-9) and same(q.measure, p.measure, 1e-9)
            if no_worse and (not repeat or q.index < p.index):
                dominated = True
                break
        out.append(p.model_copy(update={"dominated": dominated}))
    return out
