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
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pulp

from models.sourcing.data import SourcingInstance

#: Smallest order, in units, that satisfies a must-use rule or counts toward min_suppliers.
MUST_USE_UNITS = 1.0

OfferKey = tuple[str, str]


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
                self.problem.addConstraint(self.offer_qty[key] - rule.threshold * z >= 0,
                                           f"count_qty_{rule.index}_{i}")
                use = self.offer_use.get(key, self.onboard[key[0]])
                self.problem.addConstraint(z - use <= 0, f"count_use_{rule.index}_{i}")
            self.problem.addConstraint(pulp.lpSum(counted) >= rule.needed,
                                       f"min_suppliers_{rule.index}")

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
    inst: SourcingInstance, reasons: list[str]
) -> dict[str, list[_Eligible]]:
    """Offers that can carry volume, grouped by product, with their tight bounds."""
    by_product: dict[str, list[_Eligible]] = defaultdict(list)
    for offer in inst.offers:
        product = inst.product_by_id[offer.product]
        supplier = inst.supplier_by_id[offer.supplier]
        rules = inst.rules_for(offer.product)
        must = offer.supplier in rules.must_use
        why_not = None
        if offer.supplier in rules.excluded:
            why_not = "the supplier is excluded"
        elif (limit := rules.max_lead_time_days) is not None and offer.lead_time_days > limit:
            why_not = f"its lead time {offer.lead_time_days:g} d exceeds the limit {limit:g} d"
        upper = product.demand
        if offer.capacity is not None:
            upper = min(upper, offer.capacity)
        if supplier.capacity is not None:
            per_unit = product.unit_weight if supplier.capacity_unit == "weight" else 1.0
            upper = min(upper, supplier.capacity / float(per_unit or 1.0))
        if rules.max_supplier_share is not None and product.shortage_penalty is None:
            upper = min(upper, rules.max_supplier_share * product.demand)
        breaks = inst.breaks_by_offer.get((offer.supplier, offer.product), ())
        tiers = ((0.0, offer.unit_price), *((b.min_quantity, b.unit_price) for b in breaks))
        if rules.budget is not None:
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


def build_model(inst: SourcingInstance, lazy_counts: bool = False) -> SourcingModel:
    """Build the sourcing MILP for ``inst``. Cheap structural infeasibilities are collected in
    ``infeasible_reasons`` (the problem is still built so that it can be inspected).

    ``lazy_counts`` leaves the minimum-supplier rows out (see :class:`SourcingModel`)."""
    start = time.perf_counter()
    builder = _Builder(inst)
    builder.add_offers()
    for j, product in enumerate(inst.products):
        builder.add_product_rows(j, product.id)
    builder.add_supplier_rows()
    model = builder.finish()
    if not lazy_counts:
        model.add_count_rows(list(model.pending_counts))
    model.build_seconds = time.perf_counter() - start
    return model


class _Builder:
    """Collects variables and rows over prepared index sets, then makes the PuLP problem."""

    def __init__(self, inst: SourcingInstance) -> None:
        self.inst = inst
        self.reasons: list[str] = []
        self.eligible = _eligible_offers(inst, self.reasons)
        self.prob = pulp.LpProblem(_safe_name(inst.name), pulp.LpMinimize)
        self.cat = pulp.LpInteger if inst.policy.whole_units else pulp.LpContinuous
        suppliers = sorted({e.key[0] for offers in self.eligible.values() for e in offers})
        self.onboard = {s: self.prob.add_variable(f"y_{i}", cat=pulp.LpBinary)
                        for i, s in enumerate(suppliers)}
        self.tiers: list[Tier] = []
        self.qty: dict[OfferKey, pulp.LpAffineExpression] = {}
        self.use: dict[OfferKey, pulp.LpAffineExpression] = {}
        self.cost: dict[OfferKey, pulp.LpAffineExpression] = {}
        self.upper: dict[OfferKey, float] = {}
        self.by_product: dict[str, list[OfferKey]] = defaultdict(list)
        self.by_supplier: dict[str, list[OfferKey]] = defaultdict(list)
        self.shortage: dict[str, pulp.LpVariable] = {}
        self.counts: dict[str, _CountRule] = {}
        self.rows: list[tuple[pulp.LpConstraint, str]] = []

    def add_offers(self) -> None:
        """Quantity (and tier) variables per eligible offer, linked to onboarding."""
        prob, cat = self.prob, self.cat
        for n, e in enumerate(e for offers in self.eligible.values() for e in offers):
            y = self.onboard[e.key[0]]
            if len(e.price_tiers) == 1 and e.lower == 0:
                x = prob.add_variable(f"x_{n}", lowBound=0, upBound=e.upper, cat=cat)
                own = [Tier(e.key, 0, e.price_tiers[0][1], 0.0, e.upper, x, None)]
                self.rows.append((x - e.upper * y <= 0, f"onboard_{n}"))
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
                    own.append(Tier(e.key, k, price, lo, hi, x, t))
                    self.rows.append((x - hi * t <= 0, f"tier_hi_{n}_{k}"))
                    if lo > 0:
                        self.rows.append((x - lo * t >= 0, f"tier_lo_{n}_{k}"))
                self.use[e.key] = pulp.lpSum(tier.t for tier in own)
                self.rows.append((self.use[e.key] - y <= 0, f"onboard_{n}"))
            self.tiers.extend(own)
            self.qty[e.key] = pulp.lpSum(tier.x for tier in own)
            self.cost[e.key] = pulp.lpSum(tier.price * tier.x for tier in own)
            self.upper[e.key] = e.upper
            self.by_product[e.key[1]].append(e.key)
            self.by_supplier[e.key[0]].append(e.key)

    def add_product_rows(self, j: int, product_id: str) -> None:
        """Demand, shares, regions, quality, counts, must-supply and budget of one product."""
        inst, rows = self.inst, self.rows
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
        elif not keys:
            self.reasons.append(f"product {product_id} has demand {demand:g} but no eligible "
                                f"offer")
            return
        unmet = short if short is not None else 0
        rows.append((pulp.lpSum(self.qty[k] for k in keys) + unmet == demand, f"demand_{j}"))
        a = rules.max_supplier_share
        if a is not None and a < 1 and short is not None:  # hard demand: cap is in the bound
            for i, key in enumerate(keys):
                rows.append((self.qty[key] + a * short <= a * demand, f"share_{j}_{i}"))
        b = rules.max_region_share
        if b is not None and b < 1:
            regions: dict[str, list[OfferKey]] = defaultdict(list)
            for key in keys:
                regions[inst.supplier_by_id[key[0]].region].append(key)
            for r, (_region, members) in enumerate(sorted(regions.items())):
                if short is None and sum(self.upper[k] for k in members) <= b * demand:
                    continue
                rows.append((pulp.lpSum(self.qty[k] for k in members) + b * unmet
                             <= b * demand, f"region_{j}_{r}"))
        _blend_rows(inst, rows, j, keys, self.qty, rules.max_defect_rate, "defect_rate", "<=")
        _blend_rows(inst, rows, j, keys, self.qty, rules.min_on_time_rate, "on_time_rate", ">=")
        if rules.min_suppliers > 0:
            threshold = max(rules.min_share * demand, MUST_USE_UNITS)
            able = tuple(k for k in keys if threshold <= self.upper[k] + 1e-9)
            if len(able) < rules.min_suppliers:
                self.reasons.append(
                    f"product {product_id} needs {rules.min_suppliers} suppliers with at least "
                    f"{rules.min_share:.0%} of demand each, but only {len(able)} eligible "
                    f"offer{'s' if len(able) != 1 else ''} can supply that much"
                )
            self.counts[product_id] = _CountRule(j, rules.min_suppliers, threshold, able)
        for supplier_id in sorted(rules.must_use):
            key = (supplier_id, product_id)
            if key in self.use:
                rows.append((self.use[key] == 1, f"must_supply_{j}_{supplier_id}"))
            elif key not in inst.offer_by_key:  # else _eligible_offers said why already
                self.reasons.append(f"supplier {supplier_id} must supply product {product_id}, "
                                    f"but it has no offer for it")
        if rules.budget is not None:
            rows.append((pulp.lpSum(self.cost[k] for k in keys) <= rules.budget,
                         f"product_budget_{j}"))

    def add_supplier_rows(self) -> None:
        """Supplier capacities (units or weight) and global must-use suppliers."""
        inst, rows = self.inst, self.rows
        for i, supplier in enumerate(inst.suppliers):
            keys = self.by_supplier.get(supplier.id, [])
            if supplier.capacity is None or not keys:
                continue
            weight = {k: (inst.product_by_id[k[1]].unit_weight or 1.0)
                      if supplier.capacity_unit == "weight" else 1.0 for k in keys}
            if sum(weight[k] * self.upper[k] for k in keys) <= supplier.capacity:
                continue
            rows.append((pulp.lpSum(weight[k] * self.qty[k] for k in keys)
                         - supplier.capacity * self.onboard[supplier.id] <= 0,
                         f"supplier_cap_{i}"))
        for supplier_id in inst.policy.must_use:
            keys = self.by_supplier.get(supplier_id, [])
            if not keys:
                self.reasons.append(f"supplier {supplier_id} must be used, but none of its "
                                    f"offers is eligible")
                continue
            rows.append((self.onboard[supplier_id] == 1, f"must_onboard_{supplier_id}"))
            rows.append((pulp.lpSum(self.qty[k] for k in keys) >= MUST_USE_UNITS,
                         f"must_use_{supplier_id}"))

    def finish(self) -> SourcingModel:
        """Objective, global budget, and the problem with all rows."""
        inst = self.inst
        onboarding = pulp.lpSum(inst.supplier_by_id[s].onboarding_cost * y
                                for s, y in self.onboard.items())
        purchase = pulp.lpSum(tier.price * tier.x for tier in self.tiers)
        if inst.policy.budget is not None:
            self.rows.append((onboarding + purchase <= inst.policy.budget, "budget"))
        penalties = pulp.lpSum(inst.product_by_id[p].shortage_penalty * s
                               for p, s in self.shortage.items())
        self.prob.setObjective(onboarding + purchase + penalties)
        for constraint, name in self.rows:
            self.prob.addConstraint(constraint, name)
        return SourcingModel(self.prob, self.tiers, self.onboard, self.shortage, self.reasons,
                             0.0, self.qty, self.use, self.counts)


def _blend_rows(
    inst: SourcingInstance,
    rows: list[tuple[pulp.LpConstraint, str]],
    j: int,
    keys: list[OfferKey],
    offer_qty: dict[OfferKey, pulp.LpAffineExpression],
    limit: float | None,
    attribute: str,
    sense: str,
) -> None:
    """Blended-rate rule sum_o (rate_o - limit) * qty_o <= 0 (or >= 0), skipped if slack."""
    if limit is None or not keys:
        return
    coef = {k: getattr(inst.offer_by_key[k], attribute) - limit for k in keys}
    if sense == "<=" and all(c <= 0 for c in coef.values()):
        return
    if sense == ">=" and all(c >= 0 for c in coef.values()):
        return
    expr = pulp.lpSum(coef[k] * offer_qty[k] for k in keys if coef[k] != 0)
    rows.append(((expr <= 0) if sense == "<=" else (expr >= 0), f"{attribute}_{j}"))


def _safe_name(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in name)
    return cleaned or "sourcing"
