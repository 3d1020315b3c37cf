"""Independent plan checker for sourcing plans.

Recomputes every business rule, every price and the objective from the instance and the plan's
quantities alone. It deliberately shares no code with the formulation (nor with the plan's KPI
code): rules are re-read from the raw policy tables, prices from the raw price breaks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from models.checking import Report
from models.solver import SolveStatus
from models.sourcing.data import SourcingInstance
from models.sourcing.plan import SourcingPlan

#: Absolute tolerance on quantities and money, scaled by the magnitude compared.
TOL = 1e-6


@dataclass
class CheckReport(Report):
    """The checker's verdict and the cost it recomputed."""

    onboarding: float = 0.0
    purchase: float = 0.0
    shortage_penalty: float = 0.0
    #: (scenario, probability, cost), nominal first; empty without scenarios.
    scenario_costs: list[tuple[str, float, float]] = field(default_factory=list)
    var: float | None = None
    cvar: float | None = None
    cvar_weight: float = 0.0

    @property
    def total(self) -> float:
        """Recomputed nominal cost (nothing disrupted)."""
        return self.onboarding + self.purchase + self.shortage_penalty

    @property
    def expected(self) -> float:
        """Recomputed expected cost over the scenarios (the nominal cost without any)."""
        if not self.scenario_costs:
            return self.total
        return sum(p * c for _s, p, c in self.scenario_costs)

    @property
    def objective(self) -> float:
        """Recomputed objective: expected cost mixed with CVaR by the instance's weight."""
        if self.cvar is None:
            return self.total
        return (1 - self.cvar_weight) * self.expected + self.cvar_weight * self.cvar


def _tol(*magnitudes: float) -> float:
    return TOL * max(1.0, *(abs(m) for m in magnitudes))


class _Index:
    """Lookups the checker builds for itself from the raw instance tables."""

    def __init__(self, inst: SourcingInstance) -> None:
        self.inst = inst
        self.offers = {(o.supplier, o.product): o for o in inst.offers}
        self.products = {p.id: p for p in inst.products}
        self.suppliers = {s.id: s for s in inst.suppliers}
        self.overrides = {o.product: o for o in inst.product_policies}
        self.breaks: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
        for b in inst.price_breaks:
            self.breaks[(b.supplier, b.product)].append((b.min_quantity, b.unit_price))

    def price(self, supplier: str, product: str, qty: float) -> float:
        """All-units price: the break with the largest threshold reached, else the base price."""
        price = self.offers[(supplier, product)].unit_price
        best_threshold = -1.0
        for threshold, break_price in self.breaks.get((supplier, product), ()):
            if qty >= threshold - _tol(threshold) and threshold > best_threshold:
                best_threshold, price = threshold, break_price
        return price

    def rule(self, product: str, name: str):
        """The product's override of rule ``name`` if set, else the global one."""
        override = self.overrides.get(product)
        if override is not None and getattr(override, name) is not None:
            return getattr(override, name)
        return getattr(self.inst.policy, name)


def evaluate(inst: SourcingInstance, quantities: Mapping[tuple[str, str], float]) -> CheckReport:
    """Check raw quantities ``{(supplier, product): units}`` against every rule and price them."""
    report = CheckReport()
    ix = _Index(inst)
    offers, products, suppliers = ix.offers, ix.products, ix.suppliers
    bought = {k: float(q) for k, q in quantities.items() if abs(q) > 1e-9}

    for (s, p), q in bought.items():
        subject = f"{s}/{p}"
        if (s, p) not in offers:
            report.add("unknown_offer", subject, f"{s} has no offer for {p}", q)
            continue
        offer = offers[(s, p)]
        if q < 0:
            report.add("negative_quantity", subject, f"quantity {q:g} is negative", -q)
        if q < offer.moq - _tol(offer.moq):
            report.add("moq", subject, f"orders {q:g}, below the minimum order {offer.moq:g}",
                       offer.moq - q)
        if offer.capacity is not None and q > offer.capacity + _tol(offer.capacity):
            report.add("offer_capacity", subject,
                       f"orders {q:g}, above the offer capacity {offer.capacity:g}",
                       q - offer.capacity)
        if inst.policy.whole_units and abs(q - round(q)) > 1e-6:
            report.add("whole_units", subject, f"orders {q:g}, not a whole number",
                       abs(q - round(q)))
        lead_limit = ix.rule(p, "max_lead_time_days")
        if lead_limit is not None and offer.lead_time_days > lead_limit:
            report.add("lead_time", subject,
                       f"orders {q:,.6g} units with a lead time of {offer.lead_time_days:g} d, "
                       f"above the limit {lead_limit:g} d", offer.lead_time_days - lead_limit)
        override = ix.overrides.get(p)
        if s in inst.policy.excluded or (override is not None and s in override.excluded):
            report.add("excluded", subject, f"supplier {s} is excluded for {p}", q)
        report.purchase += q * ix.price(s, p, q)

    used = {s for (s, _p) in bought}
    report.onboarding = sum(suppliers[s].onboarding_cost for s in used if s in suppliers)

    for s in sorted(used):
        sup = suppliers.get(s)
        if sup is None:
            report.add("unknown_supplier", s, f"unknown supplier {s}", 0.0)
            continue
        if sup.capacity is None:
            continue
        load = 0.0
        for (s2, p), q in bought.items():
            if s2 == s:
                load += q * ((products[p].unit_weight or 0.0)
                             if sup.capacity_unit == "weight" else 1.0)
        if load > sup.capacity + _tol(sup.capacity):
            report.add("supplier_capacity", s,
                       f"total {sup.capacity_unit} {load:g} above capacity {sup.capacity:g}",
                       load - sup.capacity)

    for s in inst.policy.must_use:
        if s not in used:
            report.add("must_use", s, f"supplier {s} must be used but supplies nothing", 1.0)

    per_product: dict[str, dict[str, float]] = defaultdict(dict)
    for (s, p), q in bought.items():
        if (s, p) in offers:
            per_product[p][s] = q
    spend = 0.0
    for p_id, product in products.items():
        rows = per_product.get(p_id, {})
        total = sum(rows.values())
        short = product.demand - total
        if short < -_tol(product.demand):
            report.add("over_purchase", p_id,
                       f"buys {total:g}, more than the demand {product.demand:g}", -short)
        elif short > _tol(product.demand):
            if product.shortage_penalty is None:
                report.add("demand", p_id,
                           f"buys {total:g} of a hard demand {product.demand:g}", short)
            else:
                report.shortage_penalty += short * product.shortage_penalty
        product_spend = sum(q * ix.price(s, p_id, q) for s, q in rows.items())
        spend += product_spend
        _check_product_rules(ix, report, p_id, product.demand, rows, total, product_spend)

    if inst.scenarios:
        _scenario_costs(inst, ix, bought, report)
    elif (limit := inst.risk.cvar_limit) is not None and report.total > limit + _tol(limit):
        report.add("cvar_limit", "plan", f"cost {report.total:,.2f} (no scenarios: the CVaR) "
                                         f"is above the limit {limit:,.2f}", report.total - limit)
    if inst.policy.budget is not None:
        budget_spend = report.onboarding + spend
        if budget_spend > inst.policy.budget + _tol(inst.policy.budget):
            report.add("budget", "total",
                       f"spend {budget_spend:,.2f} above the budget {inst.policy.budget:,.2f}",
                       budget_spend - inst.policy.budget)
    return report


def _scenario_costs(
    inst: SourcingInstance, ix: _Index, bought: Mapping[tuple[str, str], float],
    report: CheckReport,
) -> None:
    """Cost of the plan in every scenario, with the cheapest recourse per missing unit, then
    VaR and CVaR of that distribution from its sorted tail."""
    nominal_p = 1.0 - sum(sc.probability for sc in inst.scenarios)
    report.scenario_costs.append(("nominal", max(nominal_p, 0.0), report.total))
    for sc in inst.scenarios:
        keep = {s: 1.0 for s in ix.suppliers}
        factor = {s: 1.0 for s in ix.suppliers}
        for d in inst.disruptions:
            if d.scenario != sc.id:
                continue
            for s, sup in ix.suppliers.items():
                if s == d.supplier or (d.supplier is None and sup.region == d.region):
                    keep[s] *= 1.0 - d.capacity_loss
                    factor[s] *= d.price_multiplier
        cost = report.onboarding + report.shortage_penalty
        for (s, p), q in bought.items():
            if (s, p) not in ix.offers:
                continue
            missing = q * (1.0 - keep[s])
            per_unit = [c for c in (ix.products[p].spot_price,
                                    ix.products[p].shortage_penalty) if c is not None]
            cost += q * keep[s] * ix.price(s, p, q) * factor[s]
            cost += missing * (min(per_unit) if per_unit else 0.0)
        report.scenario_costs.append((sc.id, sc.probability, cost))
    alpha = inst.risk.alpha
    ranked = sorted((c, p) for _s, p, c in report.scenario_costs if p > 0)
    cumulative, var = 0.0, ranked[-1][0]
    for c, p in ranked:
        cumulative += p
        if cumulative >= alpha - 1e-12:
            var = c
            break
    below = sum(p for c, p in ranked if c <= var)
    tail = sum(p * c for c, p in ranked if c > var)
    report.var = var
    report.cvar = (tail + (below - alpha) * var) / (1 - alpha)
    report.cvar_weight = inst.risk.cvar_weight
    limit = inst.risk.cvar_limit
    if limit is not None and report.cvar > limit + _tol(limit):
        report.add("cvar_limit", "plan",
                   f"CVaR at {alpha:.0%} is {report.cvar:,.2f}, above the limit {limit:,.2f}",
                   report.cvar - limit)


def _check_product_rules(
    ix: _Index,
    report: CheckReport,
    p_id: str,
    demand: float,
    rows: dict[str, float],
    total: float,
    spend: float,
) -> None:
    suppliers, offers = ix.suppliers, ix.offers
    cap = ix.rule(p_id, "max_supplier_share")
    if cap is not None:
        for s, q in rows.items():
            if q > cap * total + _tol(total):
                report.add("supplier_share", f"{s}/{p_id}",
                           f"{s} has {q / total:.2%} of {p_id}, above the cap {cap:.2%}",
                           q - cap * total)
    region_cap = ix.rule(p_id, "max_region_share")
    if region_cap is not None:
        regions: dict[str, float] = defaultdict(float)
        for s, q in rows.items():
            regions[suppliers[s].region] += q
        for region, q in regions.items():
            if q > region_cap * total + _tol(total):
                report.add("region_share", f"{region}/{p_id}",
                           f"region {region} has {q / total:.2%} of {p_id}, above the cap "
                           f"{region_cap:.2%}", q - region_cap * total)
    needed = ix.rule(p_id, "min_suppliers") or 0
    if needed and demand > 0:  # nothing to buy, nobody to count
        min_share = ix.rule(p_id, "min_share") or 0.0
        threshold = max(min_share * demand, 1.0)
        counted = sum(1 for q in rows.values() if q >= threshold - _tol(threshold))
        if counted < needed:
            report.add("min_suppliers", p_id,
                       f"{counted} suppliers with at least {min_share:.0%} of demand, "
                       f"{needed} required", needed - counted)
    if total > 0:
        for name, attribute, worse in (("max_defect_rate", "defect_rate", 1),
                                       ("min_on_time_rate", "on_time_rate", -1)):
            limit = ix.rule(p_id, name)
            if limit is None:
                continue
            blended = sum(getattr(offers[(s, p_id)], attribute) * q
                          for s, q in rows.items() if (s, p_id) in offers) / total
            # in units of rate x quantity, like the other quantity tolerances
            if worse * (blended - limit) * total > _tol(total):
                report.add(attribute, p_id,
                           f"blended {attribute.replace('_', ' ')} {blended:.4%} violates the "
                           f"limit {limit:.4%}", abs(blended - limit))
    override = ix.overrides.get(p_id)
    if override is not None:
        for s in override.must_use:
            if rows.get(s, 0.0) <= 0:
                report.add("must_supply", f"{s}/{p_id}",
                           f"supplier {s} must supply {p_id} but does not", 1.0)
        if override.budget is not None and spend > override.budget + _tol(override.budget):
            report.add("product_budget", p_id,
                       f"spend {spend:,.2f} on {p_id} above its budget {override.budget:,.2f}",
                       spend - override.budget)


def check_plan(inst: SourcingInstance, plan: SourcingPlan) -> CheckReport:
    """Check a plan: every rule, every reported price and cost, and the reported objective."""
    quantities: dict[tuple[str, str], float] = defaultdict(float)
    for a in plan.allocations:
        quantities[(a.supplier, a.product)] += a.quantity
    report = evaluate(inst, quantities)
    if not plan.solve.status.has_solution:
        if plan.allocations:
            report.add("no_solution_with_allocations", "plan",
                       f"status {plan.solve.status} but the plan lists allocations", 1.0)
        return report
    ix = _Index(inst)
    for a in plan.allocations:
        subject = f"{a.supplier}/{a.product}"
        if (a.supplier, a.product) not in ix.offers:
            continue
        price = ix.price(a.supplier, a.product, quantities[(a.supplier, a.product)])
        if abs(a.unit_price - price) > _tol(price):
            report.add("unit_price", subject,
                       f"reports unit price {a.unit_price:g}, the price for "
                       f"{a.quantity:g} units is {price:g}", a.unit_price - price)
        if abs(a.cost - a.quantity * price) > _tol(a.cost):
            report.add("allocation_cost", subject,
                       f"reports cost {a.cost:,.2f}, recomputed {a.quantity * price:,.2f}",
                       a.cost - a.quantity * price)
    if plan.cost is None:
        report.add("cost_missing", "plan", "a plan with a solution must report its cost", 1.0)
        return report
    for name, reported, actual in (
        ("onboarding", plan.cost.onboarding, report.onboarding),
        ("purchase", plan.cost.purchase, report.purchase),
        ("shortage_penalty", plan.cost.shortage_penalty, report.shortage_penalty),
        ("total", plan.cost.total, report.total),
    ):
        if abs(reported - actual) > _tol(report.total):  # money: relative to the total
            report.add("cost_" + name, "plan",
                       f"reports {name} {reported:,.2f}, recomputed {actual:,.2f}",
                       reported - actual)
    _check_risk(plan, report)
    # The plan may cost less than the solver's incumbent (an onboarded supplier left unused
    # after a time limit), never more; a proven optimum must match exactly.
    objective = plan.solve.objective
    actual = report.objective
    tol = 1e-6 * max(1.0, abs(actual))
    if objective is not None and (
        actual > objective + tol
        or (plan.solve.status == SolveStatus.OPTIMAL and actual < objective - tol)
    ):
        report.add("objective", "plan",
                   f"solver objective {objective:,.4f} differs from the recomputed objective "
                   f"{actual:,.4f}", objective - actual)
    bound = plan.solve.best_bound
    if bound is not None and bound > actual + tol:
        report.add("bound", "plan",
                   f"best bound {bound:,.4f} is above the plan's objective {actual:,.4f}",
                   bound - actual)
    reported_suppliers = {u.supplier for u in plan.suppliers}
    used = {a.supplier for a in plan.allocations if a.quantity > 0}
    if reported_suppliers != used:
        report.add("supplier_list", "plan",
                   f"lists suppliers {sorted(reported_suppliers)}, allocations use "
                   f"{sorted(used)}", len(reported_suppliers ^ used))
    _check_kpis(inst, plan, quantities, report)
    return report


def _check_risk(plan: SourcingPlan, report: CheckReport) -> None:
    if not report.scenario_costs:
        if plan.risk is not None:
            report.add("risk", "plan", "reports scenario KPIs for an instance without "
                                       "scenarios", 1.0)
        return
    if plan.risk is None:
        report.add("risk", "plan", "an instance with scenarios needs the plan's risk KPIs", 1.0)
        return
    reported = {o.scenario: o.cost for o in plan.risk.scenarios}
    figures = [(f"cost in scenario {s}", reported.get(s, float("nan")), c)
               for s, _p, c in report.scenario_costs]
    assert report.var is not None and report.cvar is not None
    figures += [("expected cost", plan.risk.expected_cost, report.expected),
                ("VaR", plan.risk.var, report.var), ("CVaR", plan.risk.cvar, report.cvar),
                ("risk objective", plan.risk.objective, report.objective)]
    for what, value, actual in figures:
        if not abs(value - actual) <= _tol(actual):
            report.add("risk", "plan", f"reports {what} {value:,.4f}, recomputed {actual:,.4f}",
                       value - actual)


def _check_kpis(
    inst: SourcingInstance,
    plan: SourcingPlan,
    quantities: Mapping[tuple[str, str], float],
    report: CheckReport,
) -> None:
    listed = {k.product: k for k in plan.products}
    for product in inst.products:
        kpi = listed.get(product.id)
        if kpi is None:
            report.add("kpi_missing", product.id, f"no KPIs for product {product.id}", 1.0)
            continue
        rows = {s: q for (s, p), q in quantities.items() if p == product.id and q > 0}
        total = sum(rows.values())
        hhi = sum((q / total) ** 2 for q in rows.values()) if total > 0 else 0.0
        checks = [("purchased", kpi.purchased, total), ("hhi", kpi.hhi, hhi)]
        checks += [(f"share {s}", kpi.supplier_shares.get(s, 0.0), q / total)
                   for s, q in rows.items()]
        for what, reported, actual in checks:
            if abs(reported - actual) > 1e-5 * max(1.0, abs(actual)):
                report.add("kpi", product.id,
                           f"reports {what} {reported:g}, recomputed {actual:g}",
                           reported - actual)
