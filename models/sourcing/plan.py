"""The sourcing plan: what to buy from whom, its cost, KPIs and the solve that produced it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from models.solver import SolveStatus
from models.sourcing.data import SourcingInstance

if TYPE_CHECKING:
    import pandas as pd


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Allocation(_Frozen):
    """Units bought on one offer, at the all-units price in force for that quantity."""

    supplier: str
    product: str
    quantity: float = Field(ge=0)
    unit_price: float = Field(ge=0)
    cost: float = Field(ge=0)


class SupplierUse(_Frozen):
    """A supplier the plan buys from."""

    supplier: str
    name: str
    region: str
    onboarding_cost: float
    units: float
    spend: float


class ProductKpis(_Frozen):
    """How one product is sourced. Shares are fractions of the purchased quantity."""

    product: str
    demand: float
    purchased: float
    shortage: float
    spend: float
    suppliers: int
    supplier_shares: dict[str, float]
    region_shares: dict[str, float]
    hhi: float = Field(description="Herfindahl index of supplier shares, in [0, 1]")
    defect_rate: float | None = Field(description="Quantity-weighted defect rate")
    on_time_rate: float | None = Field(description="Quantity-weighted on-time rate")
    max_lead_time_days: float | None


class CostBreakdown(_Frozen):
    """Objective terms; ``total`` is the objective value."""

    onboarding: float
    purchase: float
    shortage_penalty: float
    total: float


class ScenarioOutcome(_Frozen):
    """What the plan costs in one scenario (``nominal``: nothing happens). Missing units are
    bought on the spot market or left unmet, whichever is cheaper for the product."""

    scenario: str
    probability: float
    cost: float
    delivered: float = Field(description="Units the contracted suppliers deliver")
    spot_units: float
    unmet_units: float = Field(description="Planned shortage plus units left unmet")
    recourse_cost: float = Field(description="Spot purchases plus penalties on missing units")


class RiskKpis(_Frozen):
    """The cost distribution over the scenarios. ``objective`` is
    ``(1 - cvar_weight) * expected_cost + cvar_weight * cvar``."""

    alpha: float
    expected_cost: float
    var: float = Field(description="Value at risk: the alpha-quantile of the cost")
    cvar: float = Field(description="Conditional value at risk: mean cost of the worst "
                                    "(1 - alpha) probability mass")
    objective: float
    scenarios: tuple[ScenarioOutcome, ...]


class Relaxation(_Frozen):
    """A rule the least-violating plan had to break: ``rule`` is the checker's rule code,
    ``amount`` how far it is broken in the rule's own unit (see ``message``)."""

    rule: str
    title: str
    subject: str
    message: str
    amount: float


class Explanation(_Frozen):
    """Why an instance has no plan: the pre-checks that failed, and the rules that a plan
    minimising the total relative violation (elastic model) has to break, and by how much."""

    pre_checks: tuple[str, ...] = ()
    relaxations: tuple[Relaxation, ...] = ()
    elastic_status: SolveStatus | None = None
    note: str = ""


class SolveSummary(_Frozen):
    """How the plan was obtained. ``status`` is OPTIMAL only when the solver proved it."""

    status: SolveStatus
    stop_reason: str
    solver: str
    objective: float | None
    best_bound: float | None
    gap: float | None = Field(description="Relative gap (objective - bound) / |objective|")
    build_seconds: float = Field(description="Building the PuLP model")
    solve_seconds: float = Field(description="Loading the model into the solver and solving")
    engine_seconds: float | None = Field(default=None,
                                         description="Time inside the solver engine")
    rounds: int = Field(default=1, description="Solver calls (rows added lazily in between)")
    variables: int = 0
    integer_variables: int = 0
    constraints: int = 0


class SourcingPlan(_Frozen):
    """A sourcing plan. Without a solution (infeasible, no incumbent) the lists are empty."""

    instance: str
    solve: SolveSummary
    cost: CostBreakdown | None = None
    suppliers: tuple[SupplierUse, ...] = ()
    allocations: tuple[Allocation, ...] = ()
    products: tuple[ProductKpis, ...] = ()
    risk: RiskKpis | None = None
    infeasibility: tuple[str, ...] = ()
    explanation: Explanation | None = None

    @property
    def objective(self) -> float | None:
        """What the model minimises: the risk objective with scenarios, else the total cost."""
        if self.risk is not None:
            return self.risk.objective
        return None if self.cost is None else self.cost.total

    def to_frames(self, currency: str | None = None) -> dict[str, pd.DataFrame]:
        """The plan as tidy pandas tables (see :mod:`models.sourcing.plan_frames`);
        ``currency`` (e.g. ``instance.policy.currency``) labels the money columns."""
        from models.sourcing.plan_frames import plan_frames

        return plan_frames(self, currency)


def _clean(value: float, whole: bool) -> float:
    if abs(value) < 1e-7:
        return 0.0
    return float(round(value)) if whole else round(value, 6)


def assemble_plan(
    inst: SourcingInstance,
    bought: Mapping[tuple[str, str], tuple[float, float]],
    solve: SolveSummary,
) -> SourcingPlan:
    """Build a plan from ``bought[(supplier, product)] = (quantity, unit_price)``.

    Quantities within 1e-7 of zero are dropped; the cost and KPIs are computed from what is left.
    """
    whole = inst.policy.whole_units
    allocations = []
    for (supplier_id, product_id), (qty, price) in sorted(bought.items()):
        q = _clean(qty, whole)
        if q > 0:
            allocations.append(Allocation(supplier=supplier_id, product=product_id, quantity=q,
                                          unit_price=price, cost=round(q * price, 6)))
    per_supplier: dict[str, list[Allocation]] = defaultdict(list)
    per_product: dict[str, list[Allocation]] = defaultdict(list)
    for a in allocations:
        per_supplier[a.supplier].append(a)
        per_product[a.product].append(a)
    suppliers = tuple(
        SupplierUse(
            supplier=s.id, name=s.name, region=s.region, onboarding_cost=s.onboarding_cost,
            units=round(sum(a.quantity for a in per_supplier[s.id]), 6),
            spend=round(sum(a.cost for a in per_supplier[s.id]), 6),
        )
        for s in inst.suppliers if s.id in per_supplier
    )
    products = tuple(_product_kpis(inst, p.id, per_product.get(p.id, [])) for p in inst.products)
    onboarding = sum(s.onboarding_cost for s in suppliers)
    purchase = sum(a.cost for a in allocations)
    penalty = sum(
        k.shortage * (inst.product_by_id[k.product].shortage_penalty or 0.0) for k in products
    )
    cost = CostBreakdown(
        onboarding=round(onboarding, 6), purchase=round(purchase, 6),
        shortage_penalty=round(penalty, 6), total=round(onboarding + purchase + penalty, 6),
    )
    risk = _risk_kpis(inst, allocations, cost) if inst.scenarios else None
    return SourcingPlan(instance=inst.name, solve=solve, cost=cost, suppliers=suppliers,
                        allocations=tuple(allocations), products=products, risk=risk)


def _risk_kpis(
    inst: SourcingInstance, allocations: list[Allocation], nominal: CostBreakdown
) -> RiskKpis:
    bought: dict[str, float] = defaultdict(float)
    for a in allocations:
        bought[a.product] += a.quantity
    planned_short = sum(max(0.0, p.demand - bought[p.id]) for p in inst.products)
    delivered_nominal = sum(a.quantity for a in allocations)
    outcomes = [ScenarioOutcome(
        scenario="nominal", probability=inst.nominal_probability, cost=nominal.total,
        delivered=round(delivered_nominal, 6), spot_units=0.0,
        unmet_units=round(planned_short, 6), recourse_cost=0.0,
    )]
    for scenario in inst.scenarios:
        effect = inst.scenario_effects(scenario.id)
        cost = nominal.onboarding + nominal.shortage_penalty
        delivered = 0.0
        missing: dict[str, float] = defaultdict(float)
        for a in allocations:
            r, m = effect.get(a.supplier, (1.0, 1.0))
            delivered += r * a.quantity
            cost += r * a.quantity * a.unit_price * m
            missing[a.product] += (1.0 - r) * a.quantity
        spot = unmet = recourse = 0.0
        for product_id, units in missing.items():
            price, how = inst.recourse_price(product_id)
            recourse += units * price
            if how == "spot":
                spot += units
            else:
                unmet += units
        outcomes.append(ScenarioOutcome(
            scenario=scenario.id, probability=scenario.probability,
            cost=round(cost + recourse, 6), delivered=round(delivered, 6),
            spot_units=round(spot, 6), unmet_units=round(unmet + planned_short, 6),
            recourse_cost=round(recourse, 6),
        ))
    alpha = inst.risk.alpha
    expected = sum(o.probability * o.cost for o in outcomes)
    var, cvar = _var_cvar([(o.cost, o.probability) for o in outcomes], alpha)
    weight = inst.risk.cvar_weight
    return RiskKpis(alpha=alpha, expected_cost=round(expected, 6), var=round(var, 6),
                    cvar=round(cvar, 6), objective=round((1 - weight) * expected
                                                         + weight * cvar, 6),
                    scenarios=tuple(outcomes))


def _var_cvar(outcomes: list[tuple[float, float]], alpha: float) -> tuple[float, float]:
    """VaR and CVaR by Rockafellar-Uryasev: CVaR = min over eta of
    eta + E[(cost - eta)+] / (1 - alpha), attained at eta = VaR (a support point)."""
    total = sum(p for _c, p in outcomes)
    best = None
    outcomes = [(c, p) for c, p in outcomes if p > 0]
    for eta, _p in outcomes:
        value = eta + sum(p * max(0.0, c - eta) for c, p in outcomes) / ((1 - alpha) * total)
        if best is None or value < best[1] - 1e-12 or (abs(value - best[1]) <= 1e-12
                                                        and eta < best[0]):
            best = (eta, value)
    assert best is not None
    return best


def _product_kpis(inst: SourcingInstance, product_id: str, rows: list[Allocation]) -> ProductKpis:
    product = inst.product_by_id[product_id]
    purchased = sum(a.quantity for a in rows)
    shares: dict[str, float] = {}
    regions: dict[str, float] = defaultdict(float)
    for a in rows:
        share = a.quantity / purchased
        shares[a.supplier] = round(share, 6)
        regions[inst.supplier_by_id[a.supplier].region] += share
    offers = [inst.offer_by_key[(a.supplier, a.product)] for a in rows]

    def blended(attribute: str) -> float | None:
        if purchased <= 0:
            return None
        total = sum(getattr(o, attribute) * a.quantity for o, a in zip(offers, rows, strict=True))
        return round(total / purchased, 6)

    return ProductKpis(
        product=product_id,
        demand=product.demand,
        purchased=round(purchased, 6),
        shortage=round(max(0.0, product.demand - purchased), 6),
        spend=round(sum(a.cost for a in rows), 6),
        suppliers=len(rows),
        supplier_shares=shares,
        region_shares={r: round(v, 6) for r, v in sorted(regions.items())},
        hhi=round(sum((a.quantity / purchased) ** 2 for a in rows), 6) if purchased > 0 else 0.0,
        defect_rate=blended("defect_rate"),
        on_time_rate=blended("on_time_rate"),
        max_lead_time_days=max((o.lead_time_days for o in offers), default=None),
    )
