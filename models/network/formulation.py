"""The network MILP, built with PuLP over prepared index sets on top of the sourcing model.

The supplier echelon is the sourcing formulation itself (:func:`models.sourcing.formulation.
build_model` on :meth:`NetworkInstance.sourcing_instance`): its offer quantities, tiers,
onboarding binaries and every sourcing rule. The network adds, in the same problem:

    y[i,k]    DC i is open at size k (binary); open_i = sum_k y[i,k] <= 1
    f[s,i,p]  units of p moved from supplier s to DC i (continuous)
    x[i,c,p]  units of p moved from DC i to customer c (multi-sourcing), or
    a[i,c]    DC i serves customer c (binary, single sourcing); x = d[c,p] a[i,c] - z[i,c,p]
              with z (units short, continuous) only for demand with a shortage penalty
    short     units of a customer's demand left unmet (only where a penalty is given)

Rows: customer demand, strong linking (x[i,c,p] <= d[c,p] open_i, a[i,c] <= open_i), DC capacity
in its unit (sum_p w_p x <= sum_k cap[i,k] y[i,k]), the capacity cover (sum cap y >= the hard
demand, when every DC counts capacity in the same unit), flow conservation at every DC
(sum_s f = sum_c x per product), purchases = inbound flows (sum_i f[s,i,p] = the sourcing
quantity of offer (s,p)), the network's unmet units = the sourcing model's shortage, lane volume
caps, open counts, service level and budget. Every big-M is a demand or capacity of the data.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pulp

from models.network.data import CapacityUnit, FacilityStatus, NetworkInstance
from models.network.lanes import LaneCosts, lane_costs
from models.sourcing.formulation import SourcingModel, build_model

#: Relative tolerance of the pre-checks (capacity against demand).
_TOL = 1e-9


@dataclass
class NetworkModel:
    """A built network model: the PuLP problem and the maps needed to read a plan back."""

    problem: pulp.LpProblem
    sourcing: SourcingModel | None
    #: (facility, size) -> binary
    sizes: dict[tuple[str, str], pulp.LpVariable]
    #: (supplier, facility, product) -> variable
    inbound: dict[tuple[str, str, str], pulp.LpVariable]
    #: (facility, customer, product) -> units moved, as (variable, coefficient) terms
    outbound: dict[tuple[str, str, str], list[tuple[pulp.LpVariable, float]]]
    #: (customer, product) -> units short, as (variable, coefficient) terms
    shortage: dict[tuple[str, str], list[tuple[pulp.LpVariable, float]]]
    #: (facility, customer) -> assignment binary (single sourcing)
    assign: dict[tuple[str, str], pulp.LpVariable]
    #: (facility, size) -> capacity used in the model (unlimited: the total demand)
    size_capacity: dict[tuple[str, str], float]
    outbound_costs: LaneCosts
    inbound_costs: LaneCosts | None
    infeasible_reasons: list[str] = field(default_factory=list)
    build_seconds: float = 0.0

    @property
    def size(self) -> dict[str, int]:
        """Numbers of variables, integer variables and constraints."""
        variables = self.problem.variables()
        return {
            "variables": len(variables),
            "integer_variables": sum(1 for v in variables if v.cat == pulp.LpInteger),
            "constraints": self.problem.numConstraints(),
        }


def _expr(terms: list[tuple[pulp.LpVariable, float]]) -> pulp.LpAffineExpression:
    """sum coef * var, adding up repeated variables (PuLP's constructor from pairs
    would keep only the last coefficient of a repeated variable)."""
    summed: dict[pulp.LpVariable, float] = defaultdict(float)
    for var, coef in terms:
        summed[var] += coef
    return pulp.LpAffineExpression(list(summed.items()))


def _weights(inst: NetworkInstance, unit: CapacityUnit) -> dict[str, float]:
    if unit == CapacityUnit.UNITS:
        return {p.id: 1.0 for p in inst.products}
    attribute = f"unit_{unit.value}"
    return {p.id: float(getattr(p, attribute) or 0.0) for p in inst.products}


class _Builder:
    def __init__(self, inst: NetworkInstance) -> None:
        self.inst = inst
        self.reasons: list[str] = []
        self.sourcing: SourcingModel | None = None
        if inst.suppliers:
            self.sourcing = build_model(inst.sourcing_instance(), lazy_counts=False, mode="plan")
            self.reasons.extend(self.sourcing.infeasible_reasons)
            self.prob = self.sourcing.problem
        else:
            self.prob = pulp.LpProblem("network", pulp.LpMinimize)
        self.out_costs = lane_costs(inst, "outbound")
        self.routes = inst.routes_mode
        if self.routes:
            self.out_costs = _route_lanes(inst, self.out_costs)
        self.in_costs = lane_costs(inst, "inbound") if inst.suppliers else None
        self.demand = {(d.customer, d.product): d for d in inst.demand if d.quantity > 0}
        self.by_customer: dict[str, list[str]] = defaultdict(list)
        for c, p in self.demand:
            self.by_customer[c].append(p)
        self.objective: list[tuple[pulp.LpVariable, float]] = []
        self.budget_terms: list[tuple[pulp.LpVariable, float]] = []
        self.sizes: dict[tuple[str, str], pulp.LpVariable] = {}
        self.size_capacity: dict[tuple[str, str], float] = {}
        self.open: dict[str, list[pulp.LpVariable]] = {}
        self.cap_terms: dict[str, list[tuple[pulp.LpVariable, float]]] = {}
        self.out_terms: dict[tuple[str, str, str], list[tuple[pulp.LpVariable, float]]] = {}
        self.short_terms: dict[tuple[str, str], list[tuple[pulp.LpVariable, float]]] = {}
        self.assign: dict[tuple[str, str], pulp.LpVariable] = {}
        self.inbound: dict[tuple[str, str, str], pulp.LpVariable] = {}

    # ---- DCs -------------------------------------------------------------------------------

    def add_facilities(self) -> None:
        inst = self.inst
        total_load = {unit: sum(d.quantity * _weights(inst, unit)[p]
                                for (_c, p), d in self.demand.items())
                      for unit in CapacityUnit}
        for n, f in enumerate(inst.facilities):
            if f.status == FacilityStatus.MUST_CLOSE:
                continue
            options = inst.size_options(f.id)
            ys = []
            terms = []
            for k, option in enumerate(options):
                y = self.prob.add_variable(f"open_{n}_{k}", cat=pulp.LpBinary)
                self.sizes[(f.id, option.size)] = y
                ys.append(y)
                cap = option.capacity if option.capacity is not None else total_load[
                    f.capacity_unit]
                terms.append((y, float(cap)))
                self.size_capacity[(f.id, option.size)] = float(cap)
                self.objective.append((y, option.fixed_cost))
                self.budget_terms.append((y, option.fixed_cost))
            self.open[f.id] = ys
            self.cap_terms[f.id] = terms
            open_expr = pulp.lpSum(ys)
            if f.status == FacilityStatus.MUST_OPEN:
                self.prob.addConstraint(open_expr == 1, f"must_open_{n}")
            elif len(ys) > 1:
                self.prob.addConstraint(open_expr <= 1, f"one_size_{n}")
            if f.status == FacilityStatus.EXISTING and f.closing_cost > 0:
                # closed = 1 - open (no constant in the objective: solvers report it apart)
                closed = self.prob.add_variable(f"closed_{n}", lowBound=0, upBound=1)
                self.prob.addConstraint(_expr([(closed, 1.0)] + [(y, 1.0) for y in ys]) == 1,
                                        f"closed_{n}")
                self.objective.append((closed, f.closing_cost))
                self.budget_terms.append((closed, f.closing_cost))
        policy = inst.network_policy
        count = pulp.lpSum(y for ys in self.open.values() for y in ys)
        if policy.min_open > 0:
            if len(self.open) < policy.min_open:
                self.reasons.append(f"at least {policy.min_open} DCs must open, but only "
                                    f"{len(self.open)} may (the others must close)")
            self.prob.addConstraint(count >= policy.min_open, "min_open")
        if policy.max_open is not None:
            self.prob.addConstraint(count <= policy.max_open, "max_open")

    # ---- outbound --------------------------------------------------------------------------

    def add_outbound(self) -> None:
        inst = self.inst
        oc = self.out_costs
        f_index = {f: i for i, f in enumerate(oc.origins)}
        c_index = {c: j for j, c in enumerate(oc.destinations)}
        p_index = {p: k for k, p in enumerate(oc.products)}
        open_ids = [f for f in oc.origins if f in self.open]
        single = inst.network_policy.single_sourcing or self.routes
        for cn, customer in enumerate(oc.destinations):
            products = self.by_customer.get(customer)
            if not products:
                continue
            j = c_index[customer]
            hard = [p for p in products if self.demand[(customer, p)].shortage_penalty is None]
            if single:
                self._single(cn, customer, j, products, hard, open_ids, f_index, p_index)
            else:
                self._multi(cn, customer, j, products, hard, open_ids, f_index, p_index)

    def _multi(self, cn: int, customer: str, j: int, products: list[str], hard: list[str],
               open_ids: list[str], f_index: dict, p_index: dict) -> None:
        cost = self.out_costs.cost
        for pn, p in enumerate(products):
            d = self.demand[(customer, p)]
            k = p_index[p]
            served = []
            for f in open_ids:
                c = cost[f_index[f], j, k]
                if np.isnan(c):
                    continue
                x = self.prob.add_variable(f"x_{cn}_{pn}_{f_index[f]}", lowBound=0,
                                           upBound=d.quantity)
                self.out_terms[(f, customer, p)] = [(x, 1.0)]
                self.objective.append((x, float(c)))
                self.budget_terms.append((x, float(c)))
                self.prob.addConstraint(
                    _expr([(x, 1.0)] + [(y, -d.quantity) for y in self.open[f]]) <= 0,
                    f"link_{cn}_{pn}_{f_index[f]}")
                served.append((x, 1.0))
            if d.shortage_penalty is not None:
                s = self.prob.add_variable(f"short_{cn}_{pn}", lowBound=0, upBound=d.quantity)
                self.short_terms[(customer, p)] = [(s, 1.0)]
                self.objective.append((s, d.shortage_penalty))
                served.append((s, 1.0))
            elif not served:
                self.reasons.append(f"customer {customer} needs {d.quantity:g} of {p} but no "
                                    f"DC may serve it (every lane is forbidden, too long, or "
                                    f"its DC must close)")
                continue
            self.prob.addConstraint(_expr(served) == d.quantity, f"demand_{cn}_{pn}")

    def _single(self, cn: int, customer: str, j: int, products: list[str], hard: list[str],
                open_ids: list[str], f_index: dict, p_index: dict) -> None:
        cost = self.out_costs.cost
        assigned = []
        # routes mode: a DC delivers all a customer asks for, or does not serve it
        required = products if self.routes else hard
        for f in open_ids:
            i = f_index[f]
            if any(np.isnan(cost[i, j, p_index[p]]) for p in required):
                continue  # this DC cannot deliver a product the customer must get
            a = self.prob.add_variable(f"a_{cn}_{i}", cat=pulp.LpBinary)
            self.assign[(f, customer)] = a
            assigned.append(a)
            self.prob.addConstraint(_expr([(a, 1.0)] + [(y, -1.0) for y in self.open[f]]) <= 0,
                                    f"link_{cn}_{i}")
            for pn, p in enumerate(products):
                d = self.demand[(customer, p)]
                c = cost[i, j, p_index[p]]
                if np.isnan(c):  # a product with a penalty that this DC cannot deliver
                    self.short_terms.setdefault((customer, p), []).append((a, d.quantity))
                    self.objective.append((a, d.quantity * d.shortage_penalty))
                    continue
                terms = [(a, d.quantity)]
                if d.shortage_penalty is not None:
                    z = self.prob.add_variable(f"z_{cn}_{pn}_{i}", lowBound=0,
                                               upBound=d.quantity)
                    self.prob.addConstraint(_expr([(z, 1.0), (a, -d.quantity)]) <= 0,
                                            f"zlink_{cn}_{pn}_{i}")
                    terms.append((z, -1.0))
                    self.short_terms.setdefault((customer, p), []).append((z, 1.0))
                    self.objective.append((z, d.shortage_penalty))
                self.out_terms[(f, customer, p)] = terms
                self.objective.extend((v, w * float(c)) for v, w in terms)
                self.budget_terms.extend((v, w * float(c)) for v, w in terms)
        if not assigned and hard:
            self.reasons.append(f"customer {customer} must get {', '.join(hard)} but no DC may "
                                f"deliver all of it (lanes forbidden, too long, or DCs that "
                                f"must close)")
            return
        if hard:
            self.prob.addConstraint(_expr([(a, 1.0) for a in assigned]) == 1, f"assign_{cn}")
            return
        # every product may be short: the customer may also be left unserved (u = 1)
        u = self.prob.add_variable(f"unserved_{cn}", lowBound=0, upBound=1)
        self.prob.addConstraint(_expr([(a, 1.0) for a in assigned] + [(u, 1.0)]) == 1,
                                f"assign_{cn}")
        for p in products:
            d = self.demand[(customer, p)]
            self.short_terms.setdefault((customer, p), []).append((u, d.quantity))
            self.objective.append((u, d.shortage_penalty * d.quantity))

    # ---- DC rows ---------------------------------------------------------------------------

    def add_facility_rows(self) -> None:
        inst = self.inst
        through: dict[str, list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
        load: dict[str, list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
        per_product: dict[tuple[str, str], list[tuple[pulp.LpVariable, float]]] = defaultdict(
            list)
        weights = {unit: _weights(inst, unit) for unit in CapacityUnit}
        for (f, _c, p), terms in self.out_terms.items():
            w = weights[inst.facility_by_id[f].capacity_unit][p]
            through[f].extend(terms)
            load[f].extend((v, coef * w) for v, coef in terms)
            per_product[(f, p)].extend(terms)
        for n, fac in enumerate(inst.facilities):
            if fac.id not in self.open:
                continue
            if fac.handling_cost:
                self.objective.extend((v, c * fac.handling_cost) for v, c in through[fac.id])
                self.budget_terms.extend((v, c * fac.handling_cost) for v, c in through[fac.id])
            # at most `count` routes of a type a day (rates mode too: a fleet given is real)
            fleet = inst.fleet_capacity(fac.id) if inst.fleet else None
            if fleet is not None and through[fac.id]:
                self.prob.addConstraint(
                    _expr(through[fac.id] + [(y, -fleet) for y in self.open[fac.id]]) <= 0,
                    f"fleet_{n}")
            options = inst.size_options(fac.id)
            if all(o.capacity is None for o in options) or not load[fac.id]:
                continue
            self.prob.addConstraint(
                _expr(load[fac.id] + [(y, -cap) for y, cap in self.cap_terms[fac.id]]) <= 0,
                f"capacity_{n}")
        self._cover()
        if self.sourcing is not None:
            self._conservation(per_product)

    def _cover(self) -> None:
        """sum cap * y >= hard demand, when every DC counts capacity in one unit and the
        demand that must be met is positive."""
        inst = self.inst
        units = {inst.facility_by_id[f].capacity_unit for f in self.open}
        if len(units) != 1 or not self.open:
            return
        unit = units.pop()
        w = _weights(inst, unit)
        hard = sum(d.quantity * w[p] for (_c, p), d in self.demand.items()
                   if d.shortage_penalty is None)
        if hard <= 0 or any(o.capacity is None for f in self.open
                            for o in inst.size_options(f)):
            return
        best = sum(max(cap for _y, cap in self.cap_terms[f]) for f in self.open)
        if best < hard * (1 - _TOL):
            self.reasons.append(f"the demand that must be met needs {hard:,.10g} {unit.value} of "
                                f"DC capacity, but all DCs together have at most {best:,.10g}")
        self.prob.addConstraint(
            _expr([(y, cap) for f in self.open for y, cap in self.cap_terms[f]]) >= hard,
            "capacity_cover")

    def _conservation(self, per_product: dict) -> None:
        inst = self.inst
        model = self.sourcing
        ic = self.in_costs
        s_index = {s: i for i, s in enumerate(ic.origins)}
        f_index = {f: i for i, f in enumerate(ic.destinations)}
        p_index = {p: k for k, p in enumerate(ic.products)}
        into: dict[tuple[str, str], list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
        for n, (s, p) in enumerate(sorted(model.offer_qty)):
            moved = []
            for f in self.open:
                c = ic.cost[s_index[s], f_index[f], p_index[p]]
                if np.isnan(c):
                    continue
                v = self.prob.add_variable(f"f_{n}_{f_index[f]}", lowBound=0,
                                           upBound=model.offer_upper[(s, p)])
                self.inbound[(s, f, p)] = v
                self.objective.append((v, float(c)))
                self.budget_terms.append((v, float(c)))
                moved.append((v, 1.0))
                into[(f, p)].append((v, 1.0))
            qty = model.offer_qty[(s, p)]
            self.prob.addConstraint(_expr(moved) - qty == 0, f"purchase_{n}")
        for n, f in enumerate(self.open):
            for p in inst.product_by_id:
                out = per_product.get((f, p), [])
                if not out and not into.get((f, p)):
                    continue
                self.prob.addConstraint(
                    _expr(into.get((f, p), []) + [(v, -c) for v, c in out]) == 0,
                    f"balance_{n}_{p_index[p]}")
        # the network's unmet units of a product = the sourcing model's shortage
        for k, p in enumerate(ic.products):
            terms = [t for (c, q), ts in self.short_terms.items() if q == p for t in ts]
            short = model.shortage.get(p)
            if short is None:
                continue
            self.prob.addConstraint(_expr(terms) - short == 0, f"short_link_{k}")

    # ---- lanes, rules ------------------------------------------------------------------------

    def add_lane_caps(self) -> None:
        for n, lane in enumerate(self.inst.lanes):
            if lane.max_volume is None or lane.forbidden:
                continue
            flows = self.inbound if lane.origin in self.inst.supplier_by_id else None
            terms = []
            if flows is not None:
                for (s, f, p), v in flows.items():
                    if s == lane.origin and f == lane.destination and lane.product in (None, p):
                        terms.append((v, 1.0))
            else:
                for p in self.inst.product_by_id:
                    if lane.product not in (None, p):
                        continue
                    terms.extend(self.out_terms.get((lane.origin, lane.destination, p), []))
            if terms:
                self.prob.addConstraint(_expr(terms) <= lane.max_volume, f"lane_cap_{n}")

    def add_policy_rows(self) -> None:
        policy = self.inst.network_policy
        if policy.service_level_share is not None and policy.service_level_km is not None:
            oc = self.out_costs
            f_index = {f: i for i, f in enumerate(oc.origins)}
            c_index = {c: j for j, c in enumerate(oc.destinations)}
            near = []
            for (f, c, _p), terms in self.out_terms.items():
                km = oc.km[f_index[f], c_index[c]]
                if not np.isnan(km) and km <= policy.service_level_km:
                    near.extend(terms)
            total = sum(d.quantity for d in self.demand.values())
            self.prob.addConstraint(_expr(near) >= policy.service_level_share * total,
                                    "service_level")
        if policy.budget is not None:
            terms = list(self.budget_terms)
            if self.sourcing is not None:
                spend = self.sourcing.expected_cost  # onboarding + purchase (+ 0 shortage)
                self.prob.addConstraint(_expr(terms) + spend <= policy.budget, "network_budget")
            else:
                self.prob.addConstraint(_expr(terms) <= policy.budget, "network_budget")

    def finish(self) -> NetworkModel:
        objective = _expr(self.objective)
        if self.sourcing is not None:
            objective = self.sourcing.expected_cost + objective
        self.prob.setObjective(objective)
        return NetworkModel(
            problem=self.prob, sourcing=self.sourcing, sizes=self.sizes, inbound=self.inbound,
            size_capacity=self.size_capacity,
            outbound=self.out_terms,
            shortage=self.short_terms,
            assign=self.assign, outbound_costs=self.out_costs, inbound_costs=self.in_costs,
            infeasible_reasons=self.reasons,
        )


def _route_lanes(inst: NetworkInstance, costs: LaneCosts) -> LaneCosts:
    """Outbound as routes: open DC -> customer lanes cost 0 per unit (the routes are priced
    apart), closed ones stay closed, and a DC without a vehicle type serves no one."""
    has_vehicle = np.array([bool(inst.vehicles_at(f)) for f in costs.origins])
    cost = np.where(np.isnan(costs.cost) | ~has_vehicle[:, None, None], np.nan, 0.0)
    return LaneCosts(costs.origins, costs.destinations, costs.products, costs.km, cost)


def build_network_model(inst: NetworkInstance) -> NetworkModel:
    """Build the network MILP for ``inst``. Cheap structural infeasibilities are collected in
    ``infeasible_reasons`` (the problem is still built).

    With the outbound as routes (``inst.routes_mode``) every customer is served by one DC
    (single sourcing), by a DC with a vehicle type that may deliver every product it asks for,
    and outbound lanes cost 0 per unit: the route cost is added by the caller
    (:mod:`models.network.allocate_milp`)."""
    start = time.perf_counter()
    builder = _Builder(inst)
    builder.add_facilities()
    builder.add_outbound()
    builder.add_facility_rows()
    builder.add_lane_caps()
    builder.add_policy_rows()
    model = builder.finish()
    model.build_seconds = time.perf_counter() - start
    return model
