"""Independent plan checker for sourcing plans.

Recomputes every business rule, every price and the objective from the instance and the plan's
quantities alone. It deliberately shares no code with the formulation (nor with the plan's KPI
code): rules are re-read from the raw policy tables, prices from the raw price breaks.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from models.checking import Report, agrees, gap_amount, is_number
from models.solver import SolveStatus
from models.sourcing.data import SourcingInstance
from models.sourcing.plan import SourcingPlan

#: Absolute tolerance on quantities and money, scaled by the magnitude compared.
TOL = 1e-6
#: Smallest supply, in units, that meets a must-use or must-supply rule (the format's rule).
MUST_UNITS = 1.0
#: A plan whose status is ``optimal`` must report a relative gap at most this (and the bound
#: must be this close to the objective): "optimal" means the gap is closed.
OPTIMAL_GAP = 1e-6
#: Tolerance on reported KPIs (shares, rates, HHI), which plans round to 6 decimals.
KPI_TOL = 1e-5


@dataclass
class CheckReport(Report):
    """The checker's verdict and the cost it recomputed."""

    onboarding: float = 0.0
    purchase: float = 0.0
    shortage_penalty: float = 0.0
    #: (scenario, probability, cost), nominal first; empty without scenarios.
    scenario_costs: list[tuple[str, float, float]] = field(default_factory=list)
    #: Per scenario (nominal first): units ``delivered``, ``spot_units``, ``unmet_units``
    #: (planned shortage included) and ``recourse_cost``.
    scenario_figures: dict[str, dict[str, float]] = field(default_factory=dict)
    var: float | None = None
    cvar: float | None = None
    cvar_weight: float = 0.0
    alpha: float = 0.95

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


def priced_allocations(
    inst: SourcingInstance, quantities: Mapping[tuple[str, str], float]
) -> list[tuple[str, str, float, float | None, float | None]]:
    """``(supplier, product, quantity, unit price in force, cost)`` for each allocation, priced
    by the checker's own reading of the offers and price breaks (None for an offer that does
    not exist). Used to show what a hand-made allocation table costs."""
    ix = _Index(inst)
    out: list[tuple[str, str, float, float | None, float | None]] = []
    for (s, p), q in sorted(quantities.items()):
        if (s, p) not in ix.offers or not is_number(q):
            out.append((s, p, q, None, None))
            continue
        price = ix.price(s, p, q)
        out.append((s, p, q, price, q * price))
    return out


def evaluate(inst: SourcingInstance, quantities: Mapping[tuple[str, str], float]) -> CheckReport:
    """Check raw quantities ``{(supplier, product): units}`` against every rule and price them."""
    report = CheckReport()
    ix = _Index(inst)
    offers, products, suppliers = ix.offers, ix.products, ix.suppliers
    bought: dict[tuple[str, str], float] = {}
    for (s, p), q in quantities.items():
        if not is_number(q):
            report.add("quantity", f"{s}/{p}", f"quantity {q!r} is not a finite number",
                       gap_amount(q, 0.0))
        elif abs(q) > 1e-9:
            bought[(s, p)] = float(q)

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
        supplied = sum(q for (s2, _p), q in bought.items() if s2 == s)
        if supplied < MUST_UNITS - _tol(MUST_UNITS):
            report.add("must_use", s, f"supplier {s} must be used (at least {MUST_UNITS:g} "
                                      f"unit in total) but supplies {supplied:g}",
                       MUST_UNITS - supplied)

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
    """Cost of the plan in every scenario, with the cheapest recourse per missing unit (the
    spot market on a tie), then VaR and CVaR of that distribution from its sorted tail."""
    per_product: dict[str, float] = defaultdict(float)
    for (_s, p), q in bought.items():
        per_product[p] += q
    planned_short = sum(max(0.0, prod.demand - per_product.get(p, 0.0))
                        for p, prod in ix.products.items())
    nominal_p = 1.0 - sum(sc.probability for sc in inst.scenarios)
    report.scenario_costs.append(("nominal", max(nominal_p, 0.0), report.total))
    report.scenario_figures["nominal"] = {
        "delivered": sum(q for k, q in bought.items() if k in ix.offers), "spot_units": 0.0,
        "unmet_units": planned_short, "recourse_cost": 0.0}
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
        delivered = spot = unmet = recourse = 0.0
        for (s, p), q in bought.items():
            if (s, p) not in ix.offers:
                continue
            missing = q * (1.0 - keep[s])
            product = ix.products[p]
            cost += q * keep[s] * ix.price(s, p, q) * factor[s]
            delivered += q * keep[s]
            options = [(c, how) for c, how in ((product.spot_price, "spot"),
                                               (product.shortage_penalty, "unmet"))
                       if c is not None]
            if options:
                per_unit, how = min(options)
                recourse += missing * per_unit
                if how == "spot":
                    spot += missing
                else:
                    unmet += missing
            else:
                unmet += missing
        cost += recourse
        report.scenario_costs.append((sc.id, sc.probability, cost))
        report.scenario_figures[sc.id] = {
            "delivered": delivered, "spot_units": spot, "unmet_units": unmet + planned_short,
            "recourse_cost": recourse}
    alpha = report.alpha = inst.risk.alpha
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
        for s in override.must_use if demand > 0 else ():  # nothing to buy: rule exempt
            offer = offers.get((s, p_id))
            least = max(offer.moq if offer is not None else 0.0, MUST_UNITS)
            got = rows.get(s, 0.0)
            if got < least - _tol(least):
                report.add("must_supply", f"{s}/{p_id}",
                           f"supplier {s} must supply at least {least:g} units of {p_id} but "
                           f"supplies {got:g}", least - got)
        if override.budget is not None and spend > override.budget + _tol(override.budget):
            report.add("product_budget", p_id,
                       f"spend {spend:,.2f} on {p_id} above its budget {override.budget:,.2f}",
                       spend - override.budget)


def check_plan(inst: SourcingInstance, plan: SourcingPlan) -> CheckReport:
    """Check a plan: every rule, and every number it reports (solve figures, each allocation's
    price and cost, the cost breakdown, the supplier and product tables, the risk figures)
    recomputed from the instance and the plan's quantities alone. A NaN or infinite figure
    never matches anything."""
    quantities: dict[tuple[str, str], float] = defaultdict(float)
    for a in plan.allocations:
        quantities[(a.supplier, a.product)] += a.quantity
    report = evaluate(inst, quantities)
    if not plan.solve.status.has_solution:
        if plan.allocations or plan.suppliers or plan.cost is not None or plan.risk is not None:
            report.add("no_solution_with_allocations", "plan",
                       f"status {plan.solve.status} but the plan lists allocations, suppliers, "
                       f"a cost or risk figures", 1.0)
        if plan.explanation is not None:
            for r in plan.explanation.relaxations:
                if not is_number(r.amount) or r.amount < 0:
                    report.add("explanation", r.subject, f"relaxation {r.rule} reports amount "
                                                         f"{r.amount!r}, not a finite number "
                                                         f">= 0", gap_amount(r.amount, 0.0))
        _check_solve_figures(plan, None, report)
        return report
    ix = _Index(inst)
    money_tol = _tol(report.total)
    for a in plan.allocations:
        subject = f"{a.supplier}/{a.product}"
        if (a.supplier, a.product) not in ix.offers:
            continue
        price = ix.price(a.supplier, a.product, quantities[(a.supplier, a.product)])
        if not agrees(a.unit_price, price, _tol(price)):
            report.add("unit_price", subject,
                       f"reports unit price {a.unit_price:g}, the price for "
                       f"{a.quantity:g} units is {price:g}", gap_amount(a.unit_price, price))
        cost = a.quantity * price
        if not agrees(a.cost, cost, _tol(cost)):
            report.add("allocation_cost", subject,
                       f"reports cost {a.cost:,.2f}, recomputed {cost:,.2f}",
                       gap_amount(a.cost, cost))
    if plan.cost is None:
        report.add("cost_missing", "plan", "a plan with a solution must report its cost", 1.0)
        return report
    for name, reported, actual in (
        ("onboarding", plan.cost.onboarding, report.onboarding),
        ("purchase", plan.cost.purchase, report.purchase),
        ("shortage_penalty", plan.cost.shortage_penalty, report.shortage_penalty),
        ("total", plan.cost.total, report.total),
    ):
        if not agrees(reported, actual, money_tol):  # money: relative to the total
            report.add("cost_" + name, "plan",
                       f"reports {name} {reported:,.2f}, recomputed {actual:,.2f}",
                       gap_amount(reported, actual))
    _check_risk(plan, report)
    _check_solve_figures(plan, report.objective, report)
    _check_suppliers(ix, plan, quantities, report)
    _check_kpis(ix, plan, quantities, report)
    return report


def _check_solve_figures(plan: SourcingPlan, actual: float | None, report: CheckReport) -> None:
    """The solve summary: finite, non-negative timings and sizes; the objective equal to the
    recomputed one (a limit-stopped incumbent may cost the solver more than the plan as
    written, never less); the bound at most the objective; the gap equal to (objective -
    bound) / objective; status ``optimal`` only with a closed gap."""
    solve = plan.solve
    for name in ("build_seconds", "solve_seconds", "engine_seconds", "rounds", "variables",
                 "integer_variables", "constraints"):
        value = getattr(solve, name)
        if value is None and name == "engine_seconds":
            continue
        if not is_number(value) or value < 0:
            report.add("solve_figures", "plan", f"reports {name} {value!r}, not a finite "
                                                f"number >= 0", gap_amount(value, 0.0))
    objective, bound, gap = solve.objective, solve.best_bound, solve.gap
    if actual is None:  # no solution: nothing may claim one
        if objective is not None and not is_number(objective):
            report.add("objective", "plan", f"reports objective {objective!r}", math.inf)
        return
    tol = TOL * max(1.0, abs(actual))
    if objective is None or not is_number(objective):
        report.add("objective", "plan", f"reports objective {objective!r}, recomputed "
                                        f"{actual:,.4f}", gap_amount(objective, actual))
        return
    if actual > objective + tol or (solve.status == SolveStatus.OPTIMAL
                                    and actual < objective - tol):
        report.add("objective", "plan",
                   f"solver objective {objective:,.4f} differs from the recomputed objective "
                   f"{actual:,.4f}", objective - actual)
    if bound is not None:
        if math.isnan(bound) or bound == math.inf:
            report.add("bound", "plan", f"reports best bound {bound!r}", math.inf)
            bound = None
        elif bound > actual + tol:
            report.add("bound", "plan",
                       f"best bound {bound:,.4f} is above the plan's objective {actual:,.4f}",
                       bound - actual)
    expected_gap = None
    if bound is not None and math.isfinite(bound):
        expected_gap = max(0.0, objective - bound) / max(abs(objective), 1e-9)
    if gap is not None and (not is_number(gap) or gap < 0):
        report.add("gap", "plan", f"reports gap {gap!r}, not a finite number >= 0",
                   gap_amount(gap, 0.0))
    elif expected_gap is not None and (gap is None or not agrees(gap, expected_gap, 1e-6)):
        report.add("gap", "plan", f"reports gap {gap!r}, (objective - bound) / objective is "
                                  f"{expected_gap:.6g}", gap_amount(gap, expected_gap))
    if solve.status == SolveStatus.OPTIMAL:
        reported_open = math.inf if gap is not None and not is_number(gap) else (gap or 0.0)
        open_gap = max(reported_open, expected_gap or 0.0)
        # closed: a relative gap of at most 1e-6, or an absolute one (tiny objectives)
        if open_gap > OPTIMAL_GAP and open_gap * max(abs(objective), 1e-9) > OPTIMAL_GAP:
            report.add("status", "plan",
                       f"status optimal with a gap of {open_gap:.4%}; optimal requires a gap "
                       f"of at most {OPTIMAL_GAP:g} (else the status is feasible)", open_gap)


def _check_suppliers(
    ix: _Index, plan: SourcingPlan, quantities: Mapping[tuple[str, str], float],
    report: CheckReport,
) -> None:
    """The suppliers table: exactly the suppliers the allocations use, each with its name,
    region, onboarding cost, units and spend recomputed."""
    units: dict[str, float] = defaultdict(float)
    spend: dict[str, float] = defaultdict(float)
    rows: dict[str, int] = defaultdict(int)
    for (s, p), q in quantities.items():
        if q > 0 and is_number(q):
            units[s] += q
            rows[s] += 1
            if (s, p) in ix.offers:
                spend[s] += q * ix.price(s, p, q)
    listed = [u.supplier for u in plan.suppliers]
    if set(listed) != set(units) or len(listed) != len(set(listed)):
        report.add("supplier_list", "plan",
                   f"lists suppliers {sorted(listed)}, allocations use {sorted(units)}",
                   len(set(listed) ^ set(units)) or len(listed) - len(set(listed)))
    for use in plan.suppliers:
        sup = ix.suppliers.get(use.supplier)
        if sup is None or use.supplier not in units:
            continue
        if use.name != sup.name or use.region != sup.region:
            report.add("supplier_figures", use.supplier,
                       f"reports name/region {use.name!r}/{use.region!r}, the instance has "
                       f"{sup.name!r}/{sup.region!r}", 1.0)
        n = rows[use.supplier]
        for what, reported, actual, tol in (
            ("onboarding cost", use.onboarding_cost, sup.onboarding_cost,
             _tol(sup.onboarding_cost)),
            ("units", use.units, units[use.supplier], _tol(units[use.supplier]) + 1e-6 * n),
            ("spend", use.spend, spend[use.supplier],
             _tol(spend[use.supplier], report.total) + 1e-6 * n),
        ):
            if not agrees(reported, actual, tol):
                report.add("supplier_figures", use.supplier,
                           f"reports {what} {reported:,.6g}, recomputed {actual:,.6g}",
                           gap_amount(reported, actual))


def _check_risk(plan: SourcingPlan, report: CheckReport) -> None:
    """Every risk figure: alpha, each scenario's probability, cost, delivered, spot and unmet
    units and recourse cost, the expected cost, VaR, CVaR and the risk objective."""
    if not report.scenario_costs:
        if plan.risk is not None:
            report.add("risk", "plan", "reports scenario KPIs for an instance without "
                                       "scenarios", 1.0)
        return
    if plan.risk is None:
        report.add("risk", "plan", "an instance with scenarios needs the plan's risk KPIs", 1.0)
        return
    outcomes = {o.scenario: o for o in plan.risk.scenarios}
    expected_ids = [s for s, _p, _c in report.scenario_costs]
    listed = [o.scenario for o in plan.risk.scenarios]
    if sorted(listed) != sorted(expected_ids):
        report.add("risk", "plan", f"lists scenarios {listed}, the instance has "
                                   f"{expected_ids}", len(set(listed) ^ set(expected_ids)) or 1)
    assert report.var is not None and report.cvar is not None
    figures: list[tuple[str, float, float, float]] = []
    scale = max(abs(c) for _s, _p, c in report.scenario_costs)
    for s, p, c in report.scenario_costs:
        o = outcomes.get(s)
        if o is None:
            continue
        figures.append((f"probability of scenario {s}", o.probability, p, 1e-9))
        figures.append((f"cost in scenario {s}", o.cost, c, _tol(c, scale)))
        for name, actual in report.scenario_figures[s].items():
            reported = getattr(o, name)
            figures.append((f"{name.replace('_', ' ')} in scenario {s}", reported, actual,
                            _tol(actual, scale if name == "recourse_cost" else actual)))
    figures.append(("alpha", plan.risk.alpha, report.alpha, 1e-12))
    figures += [("expected cost", plan.risk.expected_cost, report.expected, _tol(scale)),
                ("VaR", plan.risk.var, report.var, _tol(scale)),
                ("CVaR", plan.risk.cvar, report.cvar, _tol(scale)),
                ("risk objective", plan.risk.objective, report.objective, _tol(scale))]
    for what, value, actual, tol in figures:
        if not agrees(value, actual, tol):
            report.add("risk", "plan", f"reports {what} {value:,.6g}, recomputed {actual:,.6g}",
                       gap_amount(value, actual))


def _check_kpis(
    ix: _Index,
    plan: SourcingPlan,
    quantities: Mapping[tuple[str, str], float],
    report: CheckReport,
) -> None:
    """Each product's KPIs recomputed: demand, purchased, shortage, spend, number of
    suppliers, supplier and region shares (of the purchased quantity), HHI, blended defect and
    on-time rates and the longest lead time."""
    listed: dict[str, object] = {}
    for k in plan.products:
        if k.product in listed or k.product not in ix.products:
            report.add("kpi", k.product, f"KPIs for product {k.product} are listed twice or "
                                         f"the product is unknown", 1.0)
        listed[k.product] = k
    for product in ix.inst.products:
        kpi = listed.get(product.id)
        if kpi is None:
            report.add("kpi_missing", product.id, f"no KPIs for product {product.id}", 1.0)
            continue
        rows = {s: q for (s, p), q in quantities.items()
                if p == product.id and is_number(q) and q > 0}
        total = sum(rows.values())
        n = len(rows)
        spend = sum(q * ix.price(s, product.id, q) for s, q in rows.items()
                    if (s, product.id) in ix.offers)
        regions: dict[str, float] = defaultdict(float)
        for s, q in rows.items():
            if s in ix.suppliers:
                regions[ix.suppliers[s].region] += q / total
        offers = {s: ix.offers[(s, product.id)] for s in rows if (s, product.id) in ix.offers}

        def blended(attribute: str, rows=rows, offers=offers, total=total) -> float | None:
            if total <= 0:
                return None
            return sum(getattr(offers[s], attribute) * q for s, q in rows.items()
                       if s in offers) / total

        checks: list[tuple[str, object, float | None, float]] = [
            ("demand", kpi.demand, product.demand, 0.0),
            ("purchased", kpi.purchased, total, _tol(total) + 1e-6 * n),
            ("shortage", kpi.shortage, max(0.0, product.demand - total),
             _tol(product.demand) + 1e-6 * n),
            ("spend", kpi.spend, spend, _tol(spend, report.total) + 1e-6 * n),
            ("suppliers", kpi.suppliers, float(n), 0.0),
            ("hhi", kpi.hhi,
             sum((q / total) ** 2 for q in rows.values()) if total > 0 else 0.0, KPI_TOL),
            ("defect_rate", kpi.defect_rate, blended("defect_rate"), KPI_TOL),
            ("on_time_rate", kpi.on_time_rate, blended("on_time_rate"), KPI_TOL),
            ("max_lead_time_days", kpi.max_lead_time_days,
             max((o.lead_time_days for o in offers.values()), default=None), 0.0),
        ]
        for s in sorted(set(rows) | set(kpi.supplier_shares)):
            checks.append((f"share of {s}", kpi.supplier_shares.get(s),
                           rows[s] / total if s in rows else None, KPI_TOL))
        for r in sorted(set(regions) | set(kpi.region_shares)):
            checks.append((f"share of region {r}", kpi.region_shares.get(r),
                           regions.get(r), KPI_TOL))
        for what, reported, actual, tol in checks:
            if actual is None and reported is None:
                continue
            if actual is None or not agrees(reported, actual,  # type: ignore[arg-type]
                                            tol or 1e-9 * max(1.0, abs(actual))):
                report.add("kpi", product.id,
                           f"reports {what} {reported!r}, recomputed "
                           f"{'none' if actual is None else f'{actual:g}'}",
                           gap_amount(reported, actual or 0.0))  # type: ignore[arg-type]
