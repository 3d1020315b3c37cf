"""A sourcing plan as tidy tables (pandas DataFrames) for people and spreadsheets.

One fact per row: ``shares`` has one row per product x supplier (never packed ``a:0.2;b:0.6``
cells), ``region_shares`` one per product x region. Money columns carry the currency in their
name when the instance names one (``cost_EUR``); shares are fractions in [0, 1] of the
purchased quantity. See docs/sourcing-format.md, "Outputs".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from models.sourcing.plan import SourcingPlan


def money(name: str, currency: str | None) -> str:
    """A money column's name: ``cost_EUR`` with a currency, ``cost`` without."""
    return f"{name}_{currency}" if currency else name


def plan_frames(plan: SourcingPlan, currency: str | None = None) -> dict[str, pd.DataFrame]:
    """The plan as tables: ``summary`` (one row), ``allocations``, ``suppliers``, ``products``,
    ``shares`` and ``region_shares`` (tidy), and ``scenarios`` / ``explanation`` when the plan
    has them. ``currency`` (e.g. the instance's ``policy.currency``) labels money columns."""
    def m(name: str) -> str:
        return money(name, currency)

    solve = plan.solve
    summary: dict[str, Any] = {
        "instance": plan.instance, "status": solve.status.value,
        "stop_reason": solve.stop_reason, "solver": solve.solver,
        m("objective"): solve.objective, m("best_bound"): solve.best_bound, "gap": solve.gap,
        "build_seconds": solve.build_seconds, "solve_seconds": solve.solve_seconds,
        "engine_seconds": solve.engine_seconds, "rounds": solve.rounds,
        "variables": solve.variables, "integer_variables": solve.integer_variables,
        "constraints": solve.constraints, "currency": currency or "",
    }
    if plan.cost is not None:
        summary.update({m(f"cost_{k}"): v for k, v in plan.cost.model_dump().items()})
    if plan.risk is not None:
        r = plan.risk
        summary.update({m("expected_cost"): r.expected_cost, "alpha": r.alpha, m("var"): r.var,
                        m("cvar"): r.cvar, m("risk_objective"): r.objective})
    summary["infeasibility"] = " | ".join(plan.infeasibility)
    allocations = pd.DataFrame(
        [(a.supplier, a.product, a.quantity, a.unit_price, a.cost) for a in plan.allocations],
        columns=["supplier", "product", "quantity", m("unit_price"), m("cost")])
    suppliers = pd.DataFrame(
        [(s.supplier, s.name, s.region, s.onboarding_cost, s.units, s.spend)
         for s in plan.suppliers],
        columns=["supplier", "name", "region", m("onboarding_cost"), "units", m("spend")])
    products = pd.DataFrame(
        [(k.product, k.demand, k.purchased, k.shortage, k.spend, k.suppliers,
          max(k.supplier_shares.values(), default=None), k.hhi, k.defect_rate,
          k.on_time_rate, k.max_lead_time_days) for k in plan.products],
        columns=["product", "demand", "purchased", "shortage", m("spend"), "suppliers",
                 "max_share", "hhi", "defect_rate", "on_time_rate", "max_lead_time_days"])
    region_of = {s.supplier: s.region for s in plan.suppliers}
    bought = {(a.product, a.supplier): a.quantity for a in plan.allocations}
    shares = pd.DataFrame(
        [(k.product, s, region_of.get(s, ""), bought.get((k.product, s), 0.0), share)
         for k in plan.products for s, share in k.supplier_shares.items()],
        columns=["product", "supplier", "region", "quantity", "share"])
    regions = pd.DataFrame(
        [(k.product, region, share) for k in plan.products
         for region, share in k.region_shares.items()],
        columns=["product", "region", "share"])
    frames = {"summary": pd.DataFrame([summary]), "allocations": allocations,
              "suppliers": suppliers, "products": products, "shares": shares,
              "region_shares": regions}
    if plan.risk is not None:
        frames["scenarios"] = pd.DataFrame(
            [(o.scenario, o.probability, o.cost, o.delivered, o.spot_units, o.unmet_units,
              o.recourse_cost) for o in plan.risk.scenarios],
            columns=["scenario", "probability", m("cost"), "delivered", "spot_units",
                     "unmet_units", m("recourse_cost")])
    if plan.explanation is not None:
        frames["explanation"] = pd.DataFrame(
            [r.model_dump() for r in plan.explanation.relaxations],
            columns=["rule", "title", "subject", "message", "amount"])
    return frames
