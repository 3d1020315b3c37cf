"""Marginal values of a solved plan: fix the discrete decisions, re-solve the LP, read duals.

The model is built in ``explicit`` mode (capacities and share caps as rows), every binary is
fixed at the plan's value (onboarded suppliers, price tiers in force, suppliers counted toward
``min_suppliers``) and the quantities are continuous. The duals of that LP are the change in the
objective per unit of extra capacity, demand or share cap. They are **conditional on the chosen
supplier set**: a larger change may be worth onboarding another supplier or moving to another
price tier, which these values do not see; and they hold only within the LP's ranges.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

import pulp
from pydantic import BaseModel, ConfigDict

from models.solver import SolverOptions, SolveStatus, run_pulp
from models.sourcing.data import SourcingInstance
from models.sourcing.formulation import MUST_USE_UNITS, build_model
from models.sourcing.plan import SourcingPlan

Kind = Literal["offer_capacity", "supplier_capacity", "demand", "supplier_share",
               "region_share"]
#: Rows whose right-hand side moves with the product's demand.
_SCALES_WITH_DEMAND = ("supplier_share", "region_share", "count_qty")
#: Per-unit values closer to zero than this are reported as 0 (not binding).
ZERO = 1e-9
BASIS = ("conditional on the chosen supplier set: onboarded suppliers, price tiers and counted "
         "suppliers fixed as in the plan, quantities re-optimised as an LP")
UNITS = {
    "offer_capacity": "per unit of offer capacity",
    "supplier_capacity": "per unit of supplier capacity (its capacity unit)",
    "demand": "per unit of demand (share caps and minimum shares scale with it)",
    "supplier_share": "per percentage point of the supplier share cap",
    "region_share": "per percentage point of the region share cap",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MarginalValue(_Frozen):
    """Change of the objective for one more unit of ``subject``'s limit (negative: saving)."""

    kind: Kind
    subject: str
    value: float
    unit: str


class MarginalValues(_Frozen):
    """All marginal values of a plan, with the LP they come from."""

    basis: str = BASIS
    status: SolveStatus
    objective: float | None
    values: tuple[MarginalValue, ...] = ()


def marginal_values(
    instance: SourcingInstance, plan: SourcingPlan, options: SolverOptions | None = None
) -> MarginalValues:
    """Marginal values of offer and supplier capacities, demands and share caps for ``plan``.

    Capacities and demands are per unit; share caps per percentage point (the sum over the
    product's share rows of dual x purchased quantity / 100). A unit of demand also moves the
    rules that scale with demand (share caps, minimum shares), and its value includes that.
    Only rows present in the model are reported (a capacity that can never bind has no row and
    is worth 0)."""
    options = options or SolverOptions()
    if not plan.solve.status.has_solution:
        raise ValueError("marginal values need a plan with a solution")
    model = build_model(instance, lazy_counts=False, mode="explicit")
    bought = {(a.supplier, a.product): a.quantity for a in plan.allocations}
    used = {a.supplier for a in plan.allocations}
    for supplier_id, y in model.onboard.items():
        _fix(y, 1.0 if supplier_id in used else 0.0)

    def supplier_on(supplier_id: str) -> bool:
        return supplier_id in used
    by_offer = defaultdict(list)
    for tier in model.tiers:
        by_offer[tier.offer].append(tier)
    for key, tiers in by_offer.items():
        qty = bought.get(key, 0.0)
        reached = [t for t in tiers if qty > 0 and t.lo <= qty + 1e-6 * max(1.0, t.lo)]
        chosen = max(reached, key=lambda t: t.index) if reached else None
        for tier in tiers:
            on = tier is chosen if tier.t is not None else supplier_on(key[0])
            if tier.t is not None:
                _fix(tier.t, 1.0 if on else 0.0)
            tier.x.cat = pulp.LpContinuous
            if on and tier.hi_is_bound:
                # x <= hi is only the offer's derived bound (its demand), implied by the
                # demand row once the binaries are fixed; left in, it binds together with the
                # demand row and takes part of the dual (degenerate), yet it moves with the
                # demand too. Lifting it (by the product's demand: never binding) makes the
                # demand row's dual the whole value.
                lift = max(instance.product_by_id[key[1]].demand, 1.0)
                tier.x.upBound = None
                row = model.problem.get_constraint_by_name(tier.hi_row)
                if row is not None:
                    row.changeRHS(lift)
    for key, (z, threshold) in model.count_vars.items():
        _fix(z, 1.0 if bought.get(key, 0.0) >= threshold * (1 - 1e-9) else 0.0)
    for short in model.shortage.values():
        short.cat = pulp.LpContinuous
    info = run_pulp(model.problem, options)
    if info.status != SolveStatus.OPTIMAL:
        return MarginalValues(status=info.status, objective=info.objective)
    purchased: dict[str, float] = defaultdict(float)
    for (_s, p), q in bought.items():
        purchased[p] += q
    values: dict[tuple[str, str], float] = defaultdict(float)
    for product, name in model.demand_rows.items():  # hard and soft demand alike
        row = model.problem.get_constraint_by_name(name)
        values[("demand", product)] += (row.pi if row is not None else 0.0) or 0.0
    for name, (family, subject) in model.rule_rows.items():
        if family == "demand":
            continue  # counted above
        pi = model.problem.get_constraint_by_name(name).pi or 0.0
        product = subject.split("/")[-1]
        rules = instance.rules_for(product) if family in _SCALES_WITH_DEMAND else None
        if family == "supplier_share":
            values[(family, product)] += pi * purchased[product] / 100.0
            values[("demand", product)] += pi * (rules.max_supplier_share or 0.0)
        elif family == "region_share":
            values[(family, product)] += pi * purchased[product] / 100.0
            values[("demand", product)] += pi * (rules.max_region_share or 0.0)
        elif family == "count_qty":
            demand = instance.product_by_id[product].demand
            if rules.min_share * demand > MUST_USE_UNITS:  # the threshold grows with demand
                values[("demand", product)] += pi * rules.min_share
        elif family in UNITS:
            values[(family, subject)] += pi
    rows = tuple(
        MarginalValue(kind=kind, subject=subject, value=0.0 if abs(v) < ZERO else round(v, 9),
                      unit=UNITS[kind])
        for (kind, subject), v in sorted(values.items())
    )
    return MarginalValues(status=info.status, objective=info.objective, values=rows)


def _fix(variable: pulp.LpVariable, value: float) -> None:
    variable.cat = pulp.LpContinuous
    variable.lowBound = value
    variable.upBound = value
