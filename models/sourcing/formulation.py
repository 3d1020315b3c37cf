"""The sourcing MILP, built with PuLP over prepared index sets.

Decisions
    y[s]      supplier s is onboarded (binary)
    x[o,k]    units bought on offer o in price tier k (tier 0 = base price, k>0 = price breaks)
    t[o,k]    tier k of offer o is the one in force (binary); sum_k t[o,k] <= y[s]
    z[o]      offer o counts toward the minimum number of suppliers (binary, only where needed)
    short[p]  unmet demand of product p (only where a shortage penalty is given)

All-units discounts are exact: tier k is valid on [lo_k, hi_k] and the whole quantity of the
offer is priced at that tier's price. Every big-M is the tightest bound the data gives on the
offer's quantity (demand, offer and supplier capacity, share cap under hard demand, budget).
An order that is placed is at least its MOQ; an offer a rule says must be used delivers at least
max(MOQ, 1) units. Offers with one price tier and no MOQ get no binary of their own: they are
linked to the supplier's onboarding binary directly (x <= M * y), which has the same LP
relaxation and fewer integer variables.

Scenarios (two-stage). Onboarding and contracted quantities are first-stage decisions. In a
disruption scenario a supplier delivers ``r`` (1 - its capacity loss) of every contracted quantity
at ``m`` times the contract price, and every missing unit is bought on the spot market or left
unmet, whichever is cheaper for that product (the recourse the format defines; both are
unlimited). That recourse is optimal in closed form, so a scenario's cost is affine in the
first-stage variables: each tier's coefficient is ``price * m * r + (1 - r) * recourse``. The
expected cost needs no scenario variables; CVaR (Rockafellar-Uryasev) adds ``eta`` and one excess
variable and one row per scenario.

Build modes. ``plan`` folds capacities and share caps into tight variable bounds (fastest).
``explicit`` states them as rows (their duals are the marginal values). ``elastic`` is explicit
with a penalised slack on every business rule, and lead-time-barred offers allowed at a penalty;
it minimises the total relative violation (used to explain infeasible rule sets).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulp

from models.sourcing.data import SourcingInstance

#: Smallest order, in units, that satisfies a must-use rule or counts toward min_suppliers.
MUST_USE_UNITS = 1.0

OfferKey = tuple[str, str]
Mode = Literal["plan", "explicit", "elastic"]
#: Elastic mode: weight per unit of relative violation, by rule family (others: 1). Dropping
#: demand weighs most, then asking suppliers for more capacity, then bending a policy rule.
ELASTIC_WEIGHTS = {"demand": 2.0, "offer_capacity": 1.5, "supplier_capacity": 1.5}
#: In elastic mode, the cost enters the objective with this weight per unit of the cost scale,
#: so that among plans with the least violation the cheapest is chosen.
ELASTIC_COST_WEIGHT = 1e-4
#: Elastic objective multiplier (relative violations are small numbers).
ELASTIC_SCALE = 1000.0


@dataclass(frozen=True)
class Tier:
    """One price tier of one offer, with its variables (``t`` is None for a plain offer)."""

    offer: OfferKey
    index: int
    price: float
    lo: float
    hi: float
    x: pulp.LpVariable
    t: pulp.LpVariable | None
    #: The row ``x <= hi * (t or y)`` and whether ``hi`` is only the offer's derived bound
    #: (demand, capacities: implied by other rows) rather than the next price break.
    hi_row: str = ""
    hi_is_bound: bool = False


@dataclass(frozen=True)
class _CountRule:
    """A product's minimum-supplier rule: ``needed`` offers with at least ``threshold`` units."""

    index: int
    needed: int
    threshold: float
    keys: tuple[OfferKey, ...]


@dataclass
class SourcingModel:
    """A built model: the PuLP problem plus the maps needed to read a plan back.

    With ``lazy_counts`` the minimum-supplier rows (one binary per offer) are left out at first;
    :meth:`count_violations` finds the products whose plan breaks the rule and
    :meth:`add_count_rows` adds their rows. Optimal for the model without them and meeting them
    means optimal for the full model, so the result stays exact.
    """

    problem: pulp.LpProblem
    tiers: list[Tier]
    onboard: dict[str, pulp.LpVariable]
    shortage: dict[str, pulp.LpVariable]
    infeasible_reasons: list[str] = field(default_factory=list)
    build_seconds: float = 0.0
    offer_qty: dict[OfferKey, pulp.LpAffineExpression] = field(default_factory=dict)
    offer_use: dict[OfferKey, pulp.LpAffineExpression] = field(default_factory=dict)
    pending_counts: dict[str, _CountRule] = field(default_factory=dict)
    by_product: dict[str, list[OfferKey]] = field(default_factory=dict)
    offer_upper: dict[OfferKey, float] = field(default_factory=dict)
    demand: dict[str, float] = field(default_factory=dict)
    #: The demand row of each product with demand (hard or soft).
    demand_rows: dict[str, str] = field(default_factory=dict)
    #: Probability and cost expression of each scenario, nominal first (id "nominal").
    scenario_costs: list[tuple[str, float, pulp.LpAffineExpression]] = field(
        default_factory=list)
    expected_cost: pulp.LpAffineExpression | None = None
    alpha: float = 0.95
    #: Slack variables of the elastic model: (rule family, row name, variable).
    slacks: list[tuple[str, str, pulp.LpVariable]] = field(default_factory=list)
    elastic: bool = False
    #: Business-rule rows by name: (rule family, subject).
    rule_rows: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Count binaries per offer with the quantity from which the offer counts.
    count_vars: dict[OfferKey, tuple[pulp.LpVariable, float]] = field(default_factory=dict)
    _cvar: pulp.LpAffineExpression | None = None
    _eta: pulp.LpVariable | None = None
    _excess: list[pulp.LpVariable] = field(default_factory=list)

    def set_cvar_start(self) -> None:
        """Give the CVaR variables the values that fit the current plan (``eta`` = VaR, each
        excess = cost above it), so that the plan is a complete warm start."""
        self.cvar()
        costs = [(p, float(pulp.value(cost) or 0.0)) for _id, p, cost in self.scenario_costs]
        ranked = sorted((c, p) for p, c in costs)
        mass, eta = 0.0, ranked[-1][0]
        for c, p in ranked:
            mass += p
            if mass >= self.alpha - 1e-12:
                eta = c
                break
        self._eta.varValue = eta
        for u, (_p, c) in zip(self._excess, costs, strict=True):
            u.varValue = max(0.0, c - eta)

    def cvar(self) -> pulp.LpAffineExpression:
        """CVaR at ``alpha`` of the scenario cost (Rockafellar-Uryasev), added on first use:
        ``eta + sum_w p_w * u_w / (1 - alpha)`` with ``u_w >= cost_w - eta``, ``u_w >= 0``.
        At an optimum it equals the plan's CVaR; elsewhere it bounds it from above."""
        if self._cvar is None:
            eta = self._eta = self.problem.add_variable("cvar_eta")
            terms = []
            self._excess = []
            for w, (_id, probability, cost) in enumerate(self.scenario_costs):
                u = self.problem.add_variable(f"cvar_u_{w}", lowBound=0)
                self._excess.append(u)
                self.problem.addConstraint(cost - eta - u <= 0, f"cvar_excess_{w}")
                terms.append(probability * u)
            self._cvar = eta + pulp.lpSum(terms) * (1.0 / (1.0 - self.alpha))
        return self._cvar

    def add_count_rows(self, product_ids: Iterable[str]) -> None:
        """Add the minimum-supplier rows of these products (no-op for those already in)."""
        for product_id in product_ids:
            rule = self.pending_counts.pop(product_id, None)
            if rule is None:
                continue
            counted = []
            for i, key in enumerate(rule.keys):
                z = self.problem.add_variable(f"z_{rule.index}_{i}", cat=pulp.LpBinary)
                counted.append(z)
                self.count_vars[key] = (z, rule.threshold)
                self.problem.addConstraint(self.offer_qty[key] - rule.threshold * z >= 0,
                                           f"count_qty_{rule.index}_{i}")
                self.rule_rows[f"count_qty_{rule.index}_{i}"] = ("count_qty", product_id)
                use = self.offer_use.get(key, self.onboard[key[0]])
                self.problem.addConstraint(z - use <= 0, f"count_use_{rule.index}_{i}")
            row = pulp.lpSum(counted) >= rule.needed
            if self.elastic:
                slack = self.problem.add_variable(f"slack_count_{rule.index}", lowBound=0)
                row.addInPlace(slack)
                self.slacks.append(("min_suppliers", f"min_suppliers_{rule.index}", slack))
                self.problem.setObjective(self.problem.objective + ELASTIC_SCALE * slack)
            self.problem.addConstraint(row, f"min_suppliers_{rule.index}")

    def count_violations(self, bought: Mapping[OfferKey, float]) -> list[str]:
        """Products (among those without rows yet) whose quantities break the count rule."""
        late = []
        for product_id, rule in self.pending_counts.items():
            strict = rule.threshold * (1 + 1e-9)
            if sum(1 for k in rule.keys if bought.get(k, 0.0) >= strict) < rule.needed:
                late.append(product_id)
        return late

    @property
    def size(self) -> dict[str, int]:
        """Numbers of variables, integer variables and constraints."""
        variables = self.problem.variables()
        return {
            "variables": len(variables),
            "integer_variables": sum(1 for v in variables if v.cat == pulp.LpInteger),
            "constraints": self.problem.numConstraints(),
        }


@dataclass(frozen=True)
class _Eligible:
    key: OfferKey
    price_tiers: tuple[tuple[float, float], ...]  # (from_quantity, unit_price), ascending
    lower: float  # smallest order if used
    upper: float  # tight bound on the quantity


def _eligible_offers(
    inst: SourcingInstance, reasons: list[str], mode: Mode = "plan",
    left_out: dict[str, list[str]] | None = None,
) -> dict[str, list[_Eligible]]:
    """Offers that can carry volume, grouped by product, with their bounds (tight in ``plan``
    mode; only demand in the others, where the rules are rows). ``left_out`` collects, per
    product, why offers were not eligible."""
    by_product: dict[str, list[_Eligible]] = defaultdict(list)
    for offer in inst.offers:
        product = inst.product_by_id[offer.product]
        supplier = inst.supplier_by_id[offer.supplier]
        rules = inst.rules_for(offer.product)
        # a product with zero demand buys nothing and its per-product rules do not apply
        must = offer.supplier in rules.must_use and product.demand > 0
        why_not = None
        if offer.supplier in rules.excluded:
            why_not = "the supplier is excluded"
        elif ((limit := rules.max_lead_time_days) is not None
              and offer.lead_time_days > limit and mode != "elastic"):
            why_not = f"its lead time {offer.lead_time_days:g} d exceeds the limit {limit:g} d"
        upper = product.demand
        if mode != "plan":
            pass
        elif offer.capacity is not None:
            upper = min(upper, offer.capacity)
        if supplier.capacity is not None and mode == "plan":
            per_unit = product.unit_weight if supplier.capacity_unit == "weight" else 1.0
            upper = min(upper, supplier.capacity / float(per_unit or 1.0))
        if (rules.max_supplier_share is not None and product.shortage_penalty is None
                and mode == "plan"):
            upper = min(upper, rules.max_supplier_share * product.demand)
        breaks = inst.breaks_by_offer.get((offer.supplier, offer.product), ())
        tiers = ((0.0, offer.unit_price), *((b.min_quantity, b.unit_price) for b in breaks))
        if rules.budget is not None and mode == "plan":
            cheapest = min(price for _, price in tiers)
            if cheapest > 0:
                upper = min(upper, rules.budget / cheapest)
        if inst.policy.whole_units:
            upper = float(int(upper + 1e-9))
        lower = max(offer.moq, MUST_USE_UNITS) if must else offer.moq
        if why_not is None and lower > upper + 1e-9:
            why_not = (f"its minimum order {lower:g} exceeds the most it can supply "
                       f"({upper:g})")
        if why_not is not None:
            if left_out is not None:
                left_out[offer.product].append(why_not)
            if must:
                reasons.append(
                    f"supplier {offer.supplier} must supply product {offer.product}, but "
                    f"{why_not}"
                )
            continue
        by_product[offer.product].append(
            _Eligible((offer.supplier, offer.product), tiers, lower, upper)
        )
    return by_product


def build_model(
    inst: SourcingInstance, lazy_counts: bool = False, mode: Mode = "plan"
) -> SourcingModel:
    """Build the sourcing MILP for ``inst``. Cheap structural infeasibilities are collected in
    ``infeasible_reasons`` (the problem is still built so that it can be inspected).

    ``lazy_counts`` leaves the minimum-supplier rows out (see :class:`SourcingModel`).
    ``mode`` is ``plan``, ``explicit`` or ``elastic`` (see the module docstring)."""
    start = time.perf_counter()
    builder = _Builder(inst, mode)
    builder.add_offers()
    for j, product in enumerate(inst.products):
        builder.add_product_rows(j, product.id)
    builder.add_supplier_rows()
    if mode == "plan":
        builder.add_pre_checks()
    model = builder.finish()
    if not lazy_counts:
        model.add_count_rows(list(model.pending_counts))
    model.build_seconds = time.perf_counter() - start
    return model


@dataclass(frozen=True)
class _Row:
    """A row; ``family`` names the business rule it states (None: structural, never relaxed)
    and ``scale`` turns its slack into a relative violation in elastic mode."""

    constraint: pulp.LpConstraint
    name: str
    family: str | None = None
    scale: float = 1.0
    subject: str = ""


class _Builder:
    """Collects variables and rows over prepared index sets, then makes the PuLP problem."""

    def __init__(self, inst: SourcingInstance, mode: Mode = "plan") -> None:
        self.inst = inst
        self.mode = mode
        self.reasons: list[str] = []
        self.left_out: dict[str, list[str]] = defaultdict(list)
        self.eligible = _eligible_offers(inst, self.reasons, mode, self.left_out)
        self.prob = pulp.LpProblem(_safe_name(inst.name), pulp.LpMinimize)
        self.cat = pulp.LpInteger if inst.policy.whole_units else pulp.LpContinuous
        suppliers = sorted({e.key[0] for offers in self.eligible.values() for e in offers})
        self.onboard = {s: self.prob.add_variable(f"y_{i}", cat=pulp.LpBinary)
                        for i, s in enumerate(suppliers)}
        self.tiers: list[Tier] = []
        self.qty: dict[OfferKey, pulp.LpAffineExpression] = {}
        self.use: dict[OfferKey, pulp.LpAffineExpression] = {}
        self.upper: dict[OfferKey, float] = {}
        self.by_product: dict[str, list[OfferKey]] = defaultdict(list)
        self.by_supplier: dict[str, list[OfferKey]] = defaultdict(list)
        self.shortage: dict[str, pulp.LpVariable] = {}
        self.counts: dict[str, _CountRule] = {}
        self.rows: list[_Row] = []
        self.demand_rows: dict[str, str] = {}

    def row(self, constraint: pulp.LpConstraint, name: str, family: str | None = None,
            scale: float = 1.0, subject: str = "") -> None:
        """Queue a row; ``family`` marks a business rule (relaxable in elastic mode) about
        ``subject`` ("supplier/product", "product", "region/product" or "supplier")."""
        self.rows.append(_Row(constraint, name, family, max(scale, 1e-9), subject))

    def add_offers(self) -> None:
        """Quantity (and tier) variables per eligible offer, linked to onboarding."""
        prob, cat = self.prob, self.cat
        for n, e in enumerate(e for offers in self.eligible.values() for e in offers):
            y = self.onboard[e.key[0]]
            if len(e.price_tiers) == 1 and e.lower == 0:
                x = prob.add_variable(f"x_{n}", lowBound=0, upBound=e.upper, cat=cat)
                own = [Tier(e.key, 0, e.price_tiers[0][1], 0.0, e.upper, x, None,
                            f"onboard_{n}", True)]
                self.row(x - e.upper * y <= 0, f"onboard_{n}")
            else:
                own = []
                breaks = e.price_tiers
                for k, (from_qty, price) in enumerate(breaks):
                    lo = max(from_qty, e.lower)
                    hi = min(breaks[k + 1][0] if k + 1 < len(breaks) else e.upper, e.upper)
                    if lo > hi + 1e-9:
                        continue  # the tier holding e.lower is never empty (lower <= upper)
                    x = prob.add_variable(f"x_{n}_{k}", lowBound=0, upBound=hi, cat=cat)
                    t = prob.add_variable(f"t_{n}_{k}", cat=pulp.LpBinary)
                    own.append(Tier(e.key, k, price, lo, hi, x, t, f"tier_hi_{n}_{k}",
                                    k + 1 >= len(breaks) or breaks[k + 1][0] >= e.upper))
                    self.row(x - hi * t <= 0, f"tier_hi_{n}_{k}")
                    if lo > 0:
                        self.row(x - lo * t >= 0, f"tier_lo_{n}_{k}")
                self.use[e.key] = pulp.lpSum(tier.t for tier in own)
                self.row(self.use[e.key] - y <= 0, f"onboard_{n}")
            self.tiers.extend(own)
            self.qty[e.key] = pulp.lpSum(tier.x for tier in own)
            self.upper[e.key] = e.upper
            self.by_product[e.key[1]].append(e.key)
            self.by_supplier[e.key[0]].append(e.key)
            offer = self.inst.offer_by_key[e.key]
            if self.mode != "plan" and offer.capacity is not None and offer.capacity < e.upper:
                self.row(self.qty[e.key] <= offer.capacity, f"offer_cap_{n}",
                         "offer_capacity", offer.capacity, f"{e.key[0]}/{e.key[1]}")

    def add_product_rows(self, j: int, product_id: str) -> None:
        """Demand, shares, regions, quality, counts, must-supply and budget of one product."""
        inst = self.inst
        product = inst.product_by_id[product_id]
        rules = inst.rules_for(product_id)
        keys = self.by_product.get(product_id, [])
        demand = product.demand
        if demand <= 0:
            return
        short = None
        if product.shortage_penalty is not None:
            short = self.prob.add_variable(f"short_{j}", lowBound=0, upBound=demand,
                                           cat=self.cat)
            self.shortage[product_id] = short
        elif not keys and self.mode != "elastic":
            self.reasons.append(f"product {product_id} has demand {demand:g} but no eligible "
                                f"offer{self._left_out_text(product_id)}")
            return
        unmet = short if short is not None else 0
        self.demand_rows[product_id] = f"demand_{j}"
        self.row(pulp.lpSum(self.qty[k] for k in keys) + unmet == demand, f"demand_{j}",
                 "demand" if short is None else None, demand, product_id)
        a = rules.max_supplier_share
        if a is not None and a < 1 and (short is not None or self.mode != "plan"):
            for i, key in enumerate(keys):  # with hard demand, plan mode has it in the bound
                self.row(self.qty[key] + a * unmet <= a * demand, f"share_{j}_{i}",
                         "supplier_share", demand, f"{key[0]}/{product_id}")
        b = rules.max_region_share
        if b is not None and b < 1:
            regions: dict[str, list[OfferKey]] = defaultdict(list)
            for key in keys:
                regions[inst.supplier_by_id[key[0]].region].append(key)
            for r, (region, members) in enumerate(sorted(regions.items())):
                if short is None and sum(self.upper[k] for k in members) <= b * demand:
                    continue
                self.row(pulp.lpSum(self.qty[k] for k in members) + b * unmet <= b * demand,
                         f"region_{j}_{r}", "region_share", demand, f"{region}/{product_id}")
        self._blend_row(j, keys, demand, rules.max_defect_rate, "defect_rate", "<=")
        self._blend_row(j, keys, demand, rules.min_on_time_rate, "on_time_rate", ">=")
        if rules.min_suppliers > 0:
            threshold = max(rules.min_share * demand, MUST_USE_UNITS)
            able = tuple(k for k in keys if threshold <= self.upper[k] + 1e-9)
            if len(able) < rules.min_suppliers and self.mode != "elastic":
                self.reasons.append(
                    f"product {product_id} needs {rules.min_suppliers} suppliers with at least "
                    f"{rules.min_share:.0%} of demand each, but only {len(able)} eligible "
                    f"offer{'s' if len(able) != 1 else ''} can supply that much"
                    f"{self._left_out_text(product_id)}"
                )
            self.counts[product_id] = _CountRule(j, rules.min_suppliers, threshold, able)
        for supplier_id in sorted(rules.must_use):
            key = (supplier_id, product_id)
            if key in self.use:
                self.row(self.use[key] == 1, f"must_supply_{j}_{supplier_id}", "must_supply")
            elif key not in inst.offer_by_key:  # else _eligible_offers said why already
                self.reasons.append(f"supplier {supplier_id} must supply product {product_id}, "
                                    f"but it has no offer for it")
        if rules.budget is not None:
            spend = pulp.lpSum(t.price * t.x for k in keys for t in self._tiers_of(k))
            self.row(spend <= rules.budget, f"product_budget_{j}", "product_budget",
                     rules.budget)

    def _tiers_of(self, key: OfferKey) -> list[Tier]:
        if not hasattr(self, "_tier_index"):
            self._tier_index: dict[OfferKey, list[Tier]] = defaultdict(list)
            for tier in self.tiers:
                self._tier_index[tier.offer].append(tier)
        return self._tier_index[key]

    def _blend_row(self, j: int, keys: list[OfferKey], demand: float, limit: float | None,
                   attribute: str, sense: str) -> None:
        """Blended-rate rule sum_o (rate_o - limit) * qty_o <= 0 (or >= 0), skipped if slack."""
        if limit is None or not keys:
            return
        coef = {k: getattr(self.inst.offer_by_key[k], attribute) - limit for k in keys}
        if sense == "<=" and all(c <= 0 for c in coef.values()):
            return
        if sense == ">=" and all(c >= 0 for c in coef.values()):
            return
        expr = pulp.lpSum(coef[k] * self.qty[k] for k in keys if coef[k] != 0)
        self.row((expr <= 0) if sense == "<=" else (expr >= 0), f"{attribute}_{j}", attribute,
                 demand)

    def add_supplier_rows(self) -> None:
        """Supplier capacities (units or weight) and global must-use suppliers."""
        inst = self.inst
        for i, supplier in enumerate(inst.suppliers):
            keys = self.by_supplier.get(supplier.id, [])
            if supplier.capacity is None or not keys:
                continue
            weight = {k: (inst.product_by_id[k[1]].unit_weight or 1.0)
                      if supplier.capacity_unit == "weight" else 1.0 for k in keys}
            if sum(weight[k] * self.upper[k] for k in keys) <= supplier.capacity:
                continue
            self.row(pulp.lpSum(weight[k] * self.qty[k] for k in keys)
                     - supplier.capacity * self.onboard[supplier.id] <= 0,
                     f"supplier_cap_{i}", "supplier_capacity", supplier.capacity, supplier.id)
        for supplier_id in inst.policy.must_use:
            keys = self.by_supplier.get(supplier_id, [])
            if not keys:
                self.reasons.append(f"supplier {supplier_id} must be used, but none of its "
                                    f"offers is eligible")
                continue
            if self.mode != "elastic":
                self.row(self.onboard[supplier_id] == 1, f"must_onboard_{supplier_id}")
            self.row(pulp.lpSum(self.qty[k] for k in keys) >= MUST_USE_UNITS,
                     f"must_use_{supplier_id}", "must_use")

    def add_pre_checks(self) -> None:
        """Cheap necessary conditions, each with a precise message (hard-demand products)."""
        inst = self.inst
        for product in inst.products:
            if product.demand <= 0 or product.shortage_penalty is not None:
                continue
            keys = self.by_product.get(product.id, [])
            if not keys:
                continue  # reported while building the product rows
            rules = inst.rules_for(product.id)
            most = sum(self.upper[k] for k in keys)
            if most < product.demand * (1 - 1e-9):
                limits = "offer and supplier capacities"
                if rules.max_supplier_share is not None and rules.max_supplier_share < 1:
                    limits += f" and the {rules.max_supplier_share:.0%} supplier share cap"
                self.reasons.append(
                    f"product {product.id} demand {product.demand:,.0f} exceeds what its "
                    f"{len(keys)} eligible offer{'s' if len(keys) != 1 else ''} can supply "
                    f"({most:,.0f} within {limits}){self._left_out_text(product.id)}")
            b = rules.max_region_share
            if b is not None and b < 1:
                per_region: dict[str, float] = defaultdict(float)
                for k in keys:
                    per_region[inst.supplier_by_id[k[0]].region] += self.upper[k]
                carried = sum(min(v, b * product.demand) for v in per_region.values())
                if carried < product.demand * (1 - 1e-9):
                    self.reasons.append(
                        f"product {product.id} demand {product.demand:,.0f}: with at most "
                        f"{b:.0%} per region, its offers in {len(per_region)} region"
                        f"{'s' if len(per_region) != 1 else ''} can supply only "
                        f"{carried:,.0f}")
            for attribute, limit, worse, word in (
                ("defect_rate", rules.max_defect_rate, 1, "above"),
                ("on_time_rate", rules.min_on_time_rate, -1, "below"),
            ):
                if limit is None:
                    continue
                rates = [getattr(inst.offer_by_key[k], attribute) for k in keys]
                best = min(rates) if worse > 0 else max(rates)
                if worse * (best - limit) > 1e-12:
                    self.reasons.append(
                        f"product {product.id}: every eligible offer has a "
                        f"{attribute.replace('_', ' ')} {word} the limit {limit:.2%} "
                        f"(best {best:.2%}), so no blend can meet it")
            if rules.budget is not None:
                cheapest = min(t.price for k in keys for t in self._tiers_of(k))
                if cheapest * product.demand > rules.budget * (1 + 1e-9):
                    self.reasons.append(
                        f"product {product.id}: buying its demand {product.demand:,.0f} costs at "
                        f"least {cheapest * product.demand:,.2f}, above its budget "
                        f"{rules.budget:,.2f}")
        if inst.policy.budget is not None:
            least = 0.0
            for product in inst.products:
                keys = self.by_product.get(product.id, [])
                if product.demand <= 0 or product.shortage_penalty is not None or not keys:
                    continue
                least += product.demand * min(t.price for k in keys for t in self._tiers_of(k))
            if least > inst.policy.budget * (1 + 1e-9):
                self.reasons.append(
                    f"the hard demands cost at least {least:,.2f} at the cheapest eligible "
                    f"prices, above the budget {inst.policy.budget:,.2f}")

    def _left_out_text(self, product_id: str) -> str:
        why = self.left_out.get(product_id)
        if not why:
            return ""
        counts: dict[str, int] = defaultdict(int)
        for reason in why:
            counts[_reason_kind(reason)] += 1
        parts = [f"{n} because {kind}" for kind, n in sorted(counts.items())]
        return f"; {len(why)} offer{'s' if len(why) != 1 else ''} left out: {', '.join(parts)}"

    def finish(self) -> SourcingModel:
        """Objective, global budget, scenarios, and the problem with all rows."""
        inst = self.inst
        onboarding = pulp.lpSum(inst.supplier_by_id[s].onboarding_cost * y
                                for s, y in self.onboard.items())
        purchase = pulp.lpSum(tier.price * tier.x for tier in self.tiers)
        if inst.policy.budget is not None:
            self.row(onboarding + purchase <= inst.policy.budget, "budget", "budget",
                     inst.policy.budget)
        penalties = pulp.lpSum(inst.product_by_id[p].shortage_penalty * s
                               for p, s in self.shortage.items())
        scenarios = self._scenario_costs(onboarding, penalties)
        if len(scenarios) == 1:
            expected = onboarding + purchase + penalties
            scenarios = [("nominal", 1.0, expected)]
        else:
            expected = pulp.lpSum(p * cost for _id, p, cost in scenarios)
        slacks: list[tuple[str, str, pulp.LpVariable]] = []
        violation = []
        for n, row in enumerate(self.rows):
            if self.mode == "elastic" and row.family is not None:
                slack = self.prob.add_variable(f"slack_{n}", lowBound=0)
                row.constraint.addInPlace(-slack if row.constraint.sense < 0 else slack)
                slacks.append((row.family, row.name, slack))
                weight = ELASTIC_WEIGHTS.get(row.family, 1.0)
                violation.append(slack * (weight / row.scale))
            self.prob.addConstraint(row.constraint, row.name)
        model = SourcingModel(
            problem=self.prob, tiers=self.tiers, onboard=self.onboard, shortage=self.shortage,
            infeasible_reasons=self.reasons, offer_qty=self.qty, offer_use=self.use,
            pending_counts=self.counts, by_product=dict(self.by_product),
            offer_upper=self.upper, demand={p.id: p.demand for p in inst.products},
            demand_rows=self.demand_rows,
            scenario_costs=scenarios, expected_cost=expected, alpha=inst.risk.alpha,
            slacks=slacks, elastic=self.mode == "elastic",
            rule_rows={r.name: (r.family, r.subject) for r in self.rows if r.family},
        )
        if self.mode == "elastic":
            violation.extend(self._lead_time_penalties())
            dearest: dict[str, float] = defaultdict(float)
            for o in inst.offers:
                dearest[o.product] = max(dearest[o.product], o.unit_price)
            scale = sum(p.demand * (dearest[p.id] or 1.0) for p in inst.products) or 1.0
            # scaled so that HiGHS's absolute tolerances do not blur the cost tie-breaker
            self.prob.setObjective(ELASTIC_SCALE * pulp.lpSum(violation)
                                   + (ELASTIC_SCALE * ELASTIC_COST_WEIGHT / scale) * expected)
            return model
        risk = inst.risk
        objective = expected
        if risk.cvar_weight > 0:
            objective = (1 - risk.cvar_weight) * expected + risk.cvar_weight * model.cvar()
        if risk.cvar_limit is not None:
            self.prob.addConstraint(model.cvar() <= risk.cvar_limit, "cvar_limit")
        self.prob.setObjective(objective)
        return model

    def _lead_time_penalties(self) -> list[pulp.LpAffineExpression]:
        """Elastic mode: units from offers over the lead-time limit, as a share of demand times
        the relative excess."""
        terms = []
        for key, qty in self.qty.items():
            limit = self.inst.rules_for(key[1]).max_lead_time_days
            lead = self.inst.offer_by_key[key].lead_time_days
            if limit is not None and lead > limit:
                demand = self.inst.product_by_id[key[1]].demand
                terms.append(qty * ((lead - limit) / max(limit, 1.0) / max(demand, 1e-9)))
        return terms

    def _scenario_costs(
        self, onboarding: pulp.LpAffineExpression, penalties: pulp.LpAffineExpression
    ) -> list[tuple[str, float, pulp.LpAffineExpression]]:
        """Cost expression per scenario (nominal first): delivered fraction, price multiplier
        and closed-form recourse folded into each tier's coefficient."""
        inst = self.inst
        nominal = ("nominal", inst.nominal_probability,
                   onboarding + pulp.lpSum(t.price * t.x for t in self.tiers) + penalties)
        out = [nominal]
        recourse = {p.id: inst.recourse_price(p.id)[0] for p in inst.products}
        for scenario in inst.scenarios:
            effect = inst.scenario_effects(scenario.id)
            terms = []
            for t in self.tiers:
                r, m = effect.get(t.offer[0], (1.0, 1.0))
                coef = t.price * m * r + (1.0 - r) * recourse[t.offer[1]]
                terms.append(coef * t.x)
            out.append((scenario.id, scenario.probability,
                        onboarding + pulp.lpSum(terms) + penalties))
        return out


def _reason_kind(reason: str) -> str:
    if "lead time" in reason:
        return "of the lead-time limit"
    if "excluded" in reason:
        return "the supplier is excluded"
    return "the minimum order exceeds what they may supply"


def _safe_name(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in name)
    return cleaned or "sourcing"


def bought_quantities(model: SourcingModel) -> dict[tuple[str, str], tuple[float, float]]:
    """Quantity per offer and the all-units price in force for that quantity.

    The price is that of the highest tier whose threshold the quantity reaches. An optimal
    solution always puts the quantity there; a time-limited incumbent may sit in a dearer tier
    at a boundary, and then the plan is priced correctly (below the solver's objective)."""
    quantity: dict[tuple[str, str], float] = defaultdict(float)
    tiers: dict[tuple[str, str], list[Tier]] = defaultdict(list)
    for tier in model.tiers:
        tiers[tier.offer].append(tier)
        switch = tier.t if tier.t is not None else model.onboard[tier.offer[0]]
        qty = tier.x.value() or 0.0
        if (switch.value() or 0.0) > 0.5 and qty > 1e-9:
            quantity[tier.offer] += qty
    bought = {}
    for offer, qty in quantity.items():
        reached = [t for t in tiers[offer] if t.lo <= qty + 1e-6 * max(1.0, t.lo)]
        bought[offer] = (qty, max(reached, key=lambda t: t.index).price)
    return bought
