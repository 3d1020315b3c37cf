"""Independent plan checker for network plans (``docs/network-format.md``).

Recomputes every flow balance, capacity, rule and cost of a plan from the instance tables and
the plan's decisions alone (which DCs are open at which size, the flows, the purchases). It
shares no code with the formulation: lane costs, lane rules and size options are re-read from
the raw ``lanes``, ``transport``, ``facilities`` and ``sizes`` tables; only the distance of a
pair (``NetworkInstance.distance``, geometry of the contract) and the sourcing checker (for the
supplier echelon, itself independent of the sourcing formulation) are reused.

A flow counts as used when its quantity is above :data:`USED` units (a DC serves a customer,
a DC is used, a lane is used). Magnitudes are compared with a relative tolerance of
:data:`TOL` (``TOL * max(1, |magnitude|)``); NaN and infinite figures never match anything.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from models.checking import Report, agrees, gap_amount, is_number
from models.network.data import FacilityStatus, NetworkInstance
from models.network.plan import Echelon, NetworkPlan
from models.solver import SolveStatus
from models.sourcing.checker import evaluate as evaluate_sourcing
from models.sourcing.checker import priced_allocations

#: Relative tolerance on quantities and money (scaled by the magnitude compared).
TOL = 1e-6
#: A flow above this many units is used (serves a customer, passes through a DC, uses a lane).
USED = 1e-9
#: A plan whose status is ``optimal`` must have a relative gap at most this.
OPTIMAL_GAP = 1e-6
#: The cost lines of a plan, in the doc's order.
COST_LINES = ("facility_fixed", "closing", "handling", "inbound", "purchase", "onboarding",
              "outbound", "shortage")


@dataclass
class NetworkCheckReport(Report):
    """The checker's verdict and the cost lines it recomputed (see the doc's cost table), with
    the per-DC and per-customer figures behind them."""

    facility_fixed: float = 0.0
    closing: float = 0.0
    handling: float = 0.0
    inbound: float = 0.0
    purchase: float = 0.0
    onboarding: float = 0.0
    outbound: float = 0.0
    shortage: float = 0.0
    #: Open DCs: facility -> size.
    open_sizes: dict[str, str] = field(default_factory=dict)
    #: Units shipped out of each DC (every DC listed, 0 when unused).
    throughput: dict[str, float] = field(default_factory=dict)
    #: Units delivered to each customer (every customer listed).
    served: dict[str, float] = field(default_factory=dict)
    #: Units left unmet per (customer, product) with a positive shortfall.
    unmet: dict[tuple[str, str], float] = field(default_factory=dict)
    #: Cost to serve per customer (filled by :func:`check_plan`).
    cost_to_serve: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        """Recomputed objective: the sum of the cost lines."""
        return sum(getattr(self, line) for line in COST_LINES)

    def lines(self) -> dict[str, float]:
        """The recomputed cost lines and ``total``."""
        out = {line: getattr(self, line) for line in COST_LINES}
        out["total"] = self.total
        return out


def _tol(*magnitudes: float) -> float:
    return TOL * max(1.0, *map(abs, magnitudes))


def _differs(reported: float | None, actual: float, tol: float) -> bool:
    """True when a reported figure is not the recomputed one within ``tol`` (NaN and
    infinite figures always differ); fast for plain floats."""
    if type(reported) is float and abs(reported - actual) <= tol:
        return False
    return not agrees(reported, actual, tol)


def _key(origin: str, destination: str, product: str) -> str:
    return f"{origin}->{destination}/{product}"


class _Network:
    """Lookups the checker builds for itself from the raw instance tables."""

    def __init__(self, inst: NetworkInstance) -> None:
        self.inst = inst
        self.products = {p.id: p for p in inst.products}
        self.facilities = {f.id: f for f in inst.facilities}
        self.customers = {c.id: c for c in inst.customers}
        self.suppliers = {s.id: s for s in inst.suppliers}
        self.kind: dict[str, str] = {}
        for table, kind in (("suppliers", "supplier"), ("facilities", "facility"),
                            ("customers", "customer")):
            for record in getattr(inst, table):
                self.kind.setdefault(record.id, kind)
        self.offered = {(o.supplier, o.product) for o in inst.offers}
        self.demand = {(d.customer, d.product): d for d in inst.demand}
        # size options: from the sizes table, else the facility's own capacity/fixed cost
        self.sizes: dict[str, dict[str, tuple[float | None, float]]] = defaultdict(dict)
        for s in inst.sizes:
            self.sizes[s.facility][s.size] = (s.capacity, s.fixed_cost)
        for f in inst.facilities:
            if f.id not in self.sizes:
                self.sizes[f.id]["standard"] = (f.capacity, f.fixed_cost or 0.0)
        self.lane_rows = {(n.origin, n.destination, n.product): n for n in inst.lanes}
        self._km: dict[tuple[str, str], float | None] = {}
        self.service_limit = inst.network_policy.max_service_km
        self.service_tol = _tol(self.service_limit or 0.0)
        self.routes = inst.network_policy.outbound.value == "routes"
        self.vehicles = {v.id: v for v in inst.fleet}

    def km(self, origin: str, destination: str) -> float | None:
        """Road km of a pair (cached; None when unknown)."""
        pair = (origin, destination)
        if pair not in self._km:
            self._km[pair] = self.inst.distance(origin, destination)
        return self._km[pair]

    def lane(self, outbound: bool, origin: str, destination: str, product: str
             ) -> tuple[float | None, str | None]:
        """``(cost per unit, why the lane is closed)``: the cost is that of the lane as priced
        (None when it needs km that are unknown), whether or not the lane may be used."""
        specific = self.lane_rows.get((origin, destination, product))
        general = self.lane_rows.get((origin, destination, None))
        closed = None
        if any(row is not None and row.forbidden for row in (specific, general)):
            closed = "the lane is forbidden"
        limit = self.service_limit
        if closed is None and outbound and limit is not None:
            km = self.km(origin, destination)
            if km is not None and km > limit + self.service_tol:
                closed = f"the lane is {km:,.6g} km long, beyond max_service_km {limit:g}"
        if not outbound and (origin, product) not in self.offered:
            closed = f"supplier {origin} has no offer for {product}"
        if outbound and self.routes:
            return 0.0, closed  # outbound as routes: the routes carry the cost
        for row in (specific, general):
            if row is not None and row.cost_per_unit is not None:
                return row.cost_per_unit, closed
        t = self.inst.transport
        if outbound:
            per_unit, per_km, per_weight_km = (t.outbound_per_unit, t.outbound_per_unit_km,
                                               t.outbound_per_weight_km)
        else:
            per_unit, per_km, per_weight_km = (t.inbound_per_unit, t.inbound_per_unit_km,
                                               t.inbound_per_weight_km)
        if per_km == 0 and per_weight_km == 0:
            return per_unit, closed
        km = self.km(origin, destination)
        if km is None:
            return None, closed or "the lane has no distance to price it"
        weight = self.products[product].unit_weight or 0.0
        return per_unit + per_km * km + per_weight_km * weight * km, closed

    def load_factor(self, facility: str, product: str) -> float:
        """What one unit of ``product`` counts against the DC's capacity."""
        unit = self.facilities[facility].capacity_unit.value
        if unit == "units":
            return 1.0
        return getattr(self.products[product], f"unit_{unit}") or 0.0


@dataclass
class _State:
    """The plan's decisions as the checker read them, kept for :func:`check_plan`."""

    net: _Network
    open_sizes: dict[str, tuple[str, float | None, float]]
    inbound: dict[tuple[str, str, str], float]
    outbound: dict[tuple[str, str, str], float]
    unit_cost: dict[tuple[str, str, str, str], float | None]
    bought: dict[tuple[str, str], float]
    served_by: dict[str, set[str]]
    #: Recomputed (load, km, hours, cost) per plan route (routes mode), in the plan's order
    route_figures: list[tuple[float, float, float, float] | None] = field(default_factory=list)
    #: Each customer's share of the per-period route cost (cost to serve, routes mode)
    route_share: dict[str, float] = field(default_factory=dict)


# ---- evaluation: feasibility and recomputed cost ------------------------------------------------


def evaluate_network(inst: NetworkInstance, plan: NetworkPlan) -> NetworkCheckReport:
    """Check a plan's decisions only (which DCs are open at which size, the flows, the
    purchases) against every rule of the instance, and recompute its cost lines. Reported
    figures (costs, tables, solve summary) are not read: :func:`check_plan` checks them.
    Flows and purchases with the same key are added up."""
    return _evaluate(inst, plan)[0]


def _evaluate(inst: NetworkInstance, plan: NetworkPlan) -> tuple[NetworkCheckReport, _State]:
    net = _Network(inst)
    report = NetworkCheckReport()
    open_sizes = _opening(net, plan, report)
    state = _State(net=net, open_sizes=open_sizes, inbound=defaultdict(float),
                   outbound=defaultdict(float), unit_cost={}, bought={},
                   served_by=defaultdict(set))
    _read_flows(net, plan, report, state)
    _check_facilities_use(net, report, state)
    _check_demand(net, report, state)
    _check_lanes(net, report, state)
    _check_policy(net, report, state)
    _check_routes(net, plan, report, state)
    _check_purchases(net, plan, report, state)
    budget = inst.network_policy.budget
    if budget is not None:
        spend = report.total - report.shortage
        if spend > budget + _tol(budget):
            report.add("budget", "network",
                       f"cost {spend:,.2f} (shortage penalties excluded) is above the network "
                       f"budget {budget:,.2f}", spend - budget)
    return report, state


def _opening(net: _Network, plan: NetworkPlan, report: NetworkCheckReport
             ) -> dict[str, tuple[str, float | None, float]]:
    """Open DCs -> (size, capacity, fixed cost); the status, size and open-count rules; the
    fixed and closing costs. A DC the plan does not list is closed."""
    open_sizes: dict[str, tuple[str, float | None, float]] = {}
    seen: set[str] = set()
    for row in plan.facilities:
        if row.facility not in net.facilities:
            report.add("unknown_place", row.facility,
                       f"the plan lists facility {row.facility!r}, which the instance does not "
                       f"have", 1.0)
            continue
        if row.facility in seen or not row.open:
            seen.add(row.facility)
            continue
        seen.add(row.facility)
        options = net.sizes[row.facility]
        if row.size in options:
            capacity, fixed = options[row.size]
            open_sizes[row.facility] = (row.size, capacity, fixed)
        else:
            report.add("facility_status", row.facility,
                       f"open with size {row.size!r}, which is not one of its sizes "
                       f"{sorted(options)}", 1.0)
            # priced at its cheapest option, capacity not checked (the size is wrong anyway)
            _name, (_capacity, fixed) = min(options.items(), key=lambda kv: kv[1][1])
            open_sizes[row.facility] = (str(row.size), None, fixed)
    for f in net.facilities.values():
        is_open = f.id in open_sizes
        if f.status == FacilityStatus.MUST_OPEN and not is_open:
            report.add("facility_status", f.id, "a must_open facility is closed", 1.0)
        if f.status == FacilityStatus.MUST_CLOSE and is_open:
            report.add("facility_status", f.id, "a must_close facility is open", 1.0)
        if f.status == FacilityStatus.EXISTING and not is_open:
            report.closing += f.closing_cost
    policy = net.inst.network_policy
    count = len(open_sizes)
    if count < policy.min_open:
        report.add("open_count", "network",
                   f"{count} open facilities, fewer than min_open {policy.min_open}",
                   policy.min_open - count)
    if policy.max_open is not None and count > policy.max_open:
        report.add("open_count", "network",
                   f"{count} open facilities, more than max_open {policy.max_open}",
                   count - policy.max_open)
    report.facility_fixed = sum(fixed for _size, _cap, fixed in open_sizes.values())
    report.open_sizes = {f: size for f, (size, _c, _x) in open_sizes.items()}
    return open_sizes


def _read_flows(net: _Network, plan: NetworkPlan, report: NetworkCheckReport,
                state: _State) -> None:
    """Every flow: its ends, product and quantity, whether its lane and DC may be used; adds
    it up per lane and product and prices it."""
    closed_dc: dict[str, float] = defaultdict(float)
    expected = {Echelon.INBOUND: ("supplier", "facility"),
                Echelon.OUTBOUND: ("facility", "customer")}
    outbound_flows, inbound_flows = state.outbound, state.inbound
    unit_costs, open_sizes, served_by = state.unit_cost, state.open_sizes, state.served_by
    closed_lanes: dict[tuple[str, str, str, str], str] = {}
    for flow in plan.flows:
        o, d, p, q = flow.origin, flow.destination, flow.product, flow.quantity
        outbound = flow.echelon is Echelon.OUTBOUND
        key = ("outbound" if outbound else "inbound", o, d, p)
        if key in unit_costs:  # a valid lane and product seen before: its rules are checked
            if not is_number(q) or q < 0:
                report.add("negative_flow", _key(o, d, p),
                           f"{flow.echelon} flow of {q!r} units, not a number >= 0",
                           gap_amount(q, 0.0))
                continue
            cost = unit_costs[key]
            if q > USED:
                if key in closed_lanes:
                    report.add("closed_lane", _key(o, d, p),
                               f"{q:,.6g} units on a closed lane: {closed_lanes[key]}", q)
                if (o if outbound else d) not in open_sizes:
                    closed_dc[o if outbound else d] += q
        else:
            subject = _key(o, d, p)
            if not is_number(q) or q < 0:
                report.add("negative_flow", subject, f"{flow.echelon} flow of {q!r} units, "
                                                     f"not a number >= 0", gap_amount(q, 0.0))
                continue
            unknown = [place for place in (o, d) if place not in net.kind]
            if unknown:
                for place in unknown:
                    report.add("unknown_place", subject, f"flow names {place!r}, which is not "
                                                         f"a supplier, facility or customer", q)
                continue
            if p not in net.products:
                report.add("unknown_product", subject, f"flow of unknown product {p!r}", q)
                continue
            kinds = (net.kind[o], net.kind[d])
            if kinds != expected.get(flow.echelon):
                report.add("bad_lane", subject,
                           f"{flow.echelon} flow from a {kinds[0]} to a {kinds[1]}; inbound "
                           f"runs supplier -> facility, outbound facility -> customer", q)
                continue
            cost, closed = net.lane(outbound, o, d, p)
            unit_costs[key] = cost
            if closed is not None:
                closed_lanes[key] = closed
            if q > USED:
                if closed is not None:
                    report.add("closed_lane", subject,
                               f"{q:,.6g} units on a closed lane: {closed}", q)
                if (o if outbound else d) not in open_sizes:
                    closed_dc[o if outbound else d] += q
        if outbound:
            if cost is not None:
                report.outbound += q * cost
            outbound_flows[(o, d, p)] += q
            if q > USED:
                served_by[d].add(o)
        else:
            if cost is not None:
                report.inbound += q * cost
            inbound_flows[(o, d, p)] += q
    for dc, units in closed_dc.items():
        report.add("closed_facility", dc, f"{units:,.6g} units flow through facility {dc}, "
                                          f"which the plan does not open", units)


def _check_facilities_use(net: _Network, report: NetworkCheckReport, state: _State) -> None:
    """Balance per DC and product, capacity of the chosen size, handling cost."""
    throughput = {f: 0.0 for f in net.facilities}
    load = {f: 0.0 for f in net.facilities}
    out_by: dict[tuple[str, str], float] = defaultdict(float)
    in_by: dict[tuple[str, str], float] = defaultdict(float)
    for (dc, _c, p), q in state.outbound.items():
        throughput[dc] += q
        load[dc] += q * net.load_factor(dc, p)
        out_by[(dc, p)] += q
    for (_s, dc, p), q in state.inbound.items():
        in_by[(dc, p)] += q
    report.throughput = throughput
    report.handling = sum(net.facilities[f].handling_cost * units
                          for f, units in throughput.items())
    if net.suppliers:
        for dc, p in sorted(set(out_by) | set(in_by)):
            into, out = in_by.get((dc, p), 0.0), out_by.get((dc, p), 0.0)
            if abs(into - out) > _tol(into, out):
                report.add("balance", f"{dc}/{p}",
                           f"{into:,.6g} units of {p} into facility {dc}, {out:,.6g} out",
                           into - out)
    days = net.inst.network_policy.delivery_days
    for dc, units in throughput.items():  # at most `count` routes of each vehicle type a day
        types = [v for v in net.inst.fleet if v.facility is None or v.facility == dc]
        if types and all(v.count is not None for v in types):
            most = days * sum(v.count * v.capacity for v in types)
            if units > most + _tol(most):
                report.add("fleet_capacity", dc,
                           f"ships {units:,.6g} units a period, more than its fleet carries "
                           f"({days:g} days × {most / days:,.6g} units a day)", units - most)
    for dc, (size, capacity, _fixed) in state.open_sizes.items():
        if capacity is not None and load[dc] > capacity + _tol(capacity):
            unit = net.facilities[dc].capacity_unit.value
            report.add("facility_capacity", dc,
                       f"load {load[dc]:,.6g} ({unit}) above the capacity {capacity:,.6g} of "
                       f"size {size}", load[dc] - capacity)


def _check_demand(net: _Network, report: NetworkCheckReport, state: _State) -> None:
    """Served units per customer and product against the demand; shortage and its penalty."""
    served: dict[tuple[str, str], float] = defaultdict(float)
    for (_dc, c, p), q in state.outbound.items():
        served[(c, p)] += q
    report.served = {c: 0.0 for c in net.customers}
    for (c, _p), q in served.items():
        report.served[c] = report.served.get(c, 0.0) + q
    for key in sorted(set(served) | set(net.demand)):
        c, p = key
        row = net.demand.get(key)
        wanted = row.quantity if row is not None else 0.0
        got = served.get(key, 0.0)
        short = wanted - got
        if short < -_tol(wanted, got):
            report.add("demand", f"{c}/{p}",
                       f"delivers {got:,.6g} units of {p} to {c}, more than its demand "
                       f"{wanted:,.6g}", -short)
        elif short > 0:
            report.unmet[key] = short
            if row is None or row.shortage_penalty is None:
                if short > _tol(wanted):
                    report.add("demand", f"{c}/{p}",
                               f"delivers {got:,.6g} of a demand of {wanted:,.6g} that must be "
                               f"met", short)
            else:
                report.shortage += short * row.shortage_penalty


def _check_lanes(net: _Network, report: NetworkCheckReport, state: _State) -> None:
    """``max_volume`` of each lanes row: per product, or over all products when blank."""
    capped = [n for n in net.inst.lanes if n.max_volume is not None]
    if not capped:
        return
    per_lane: dict[tuple[str, str], float] = defaultdict(float)
    per_product: dict[tuple[str, str, str], float] = {}
    for flows in (state.inbound, state.outbound):
        for (o, d, p), q in flows.items():
            per_lane[(o, d)] += q
            per_product[(o, d, p)] = per_product.get((o, d, p), 0.0) + q
    for n in capped:
        assert n.max_volume is not None
        if n.product is None:
            units, what = per_lane.get((n.origin, n.destination), 0.0), "all products"
        else:
            units = per_product.get((n.origin, n.destination, n.product), 0.0)
            what = n.product
        if units > n.max_volume + _tol(n.max_volume):
            report.add("lane_volume", _key(n.origin, n.destination, n.product or "*"),
                       f"{units:,.6g} units ({what}) on lane {n.origin} -> {n.destination}, "
                       f"above its max_volume {n.max_volume:,.6g}", units - n.max_volume)


def _check_policy(net: _Network, report: NetworkCheckReport, state: _State) -> None:
    """Single sourcing and the service level."""
    policy = net.inst.network_policy
    if policy.single_sourcing or net.routes:
        for c in sorted(state.served_by):
            dcs = state.served_by[c]
            if len(dcs) > 1:
                report.add("single_sourcing", c,
                           f"customer {c} is served by {len(dcs)} facilities "
                           f"({', '.join(sorted(dcs))}); single sourcing allows one",
                           len(dcs) - 1)
    share, limit = policy.service_level_share, policy.service_level_km
    if share is not None and limit is not None:
        total = sum(d.quantity for d in net.inst.demand)
        within = 0.0
        for (dc, c, _p), q in state.outbound.items():
            km = net.km(dc, c)
            if km is not None and km <= limit + _tol(limit):
                within += q
        needed = share * total
        if within < needed - _tol(needed):
            report.add("service_level", "network",
                       f"{within:,.6g} units delivered within {limit:g} km, below "
                       f"{share:.2%} of the demand ({needed:,.6g})", needed - within)


def _route_km(net: _Network, origin: str, destination: str) -> float | None:
    """km of a route leg: 0 between two stops at one place, else the pair's distance."""
    return 0.0 if origin == destination else net.km(origin, destination)


def _route_price(net: _Network, facility: str, vehicle, stops: list[str]
                 ) -> tuple[float, float, float] | None:
    """(km, hours, cost) of ``facility`` -> ``stops`` -> ``facility`` on ``vehicle`` (None
    when a leg has no distance)."""
    places = [facility, *stops, facility]
    km = 0.0
    for a, b in pairwise(places):
        leg = _route_km(net, a, b)
        if leg is None:
            return None
        km += leg
    hours = km / vehicle.speed_kmh + sum(net.customers[c].service_time for c in stops) / 3600
    return km, hours, vehicle.fixed_cost + vehicle.cost_per_km * km + vehicle.cost_per_hour * hours


def _check_routes(net: _Network, plan: NetworkPlan, report: NetworkCheckReport,
                  state: _State) -> None:
    """Outbound as routes: every route's DC (open), vehicle type (based there) and stops
    (customers); its load (each stop of a customer carries the customer's daily units /
    its number of stops), km, hours and cost recomputed from the instance; capacity,
    max_duration and count per DC per day; each served customer's daily units delivered by
    routes of its own DC; the outbound line = delivery_days x the day's route costs; each
    customer's share of the route cost (stand-alone split) for the cost to serve."""
    if not net.routes:
        if plan.routes:
            report.add("route_unknown", "routes",
                       f"the plan lists {len(plan.routes)} routes, but the outbound is priced "
                       f"as rates (network_policy.outbound)", float(len(plan.routes)))
        return
    days = net.inst.network_policy.delivery_days
    served: dict[str, float] = defaultdict(float)
    for (_dc, c, _p), q in state.outbound.items():
        served[c] += q
    visits: dict[str, int] = defaultdict(int)
    visited_from: dict[str, set[str]] = defaultdict(set)
    for r in plan.routes:
        for c in r.stop_ids:
            visits[c] += 1
            visited_from[c].add(r.facility)
    count: dict[tuple[str, str], int] = defaultdict(int)
    numbers: dict[tuple[str, int], int] = defaultdict(int)
    outbound = 0.0
    shares: dict[str, float] = defaultdict(float)
    for n, r in enumerate(plan.routes, start=1):
        subject = f"route {r.facility}/{r.route}"
        stops = list(r.stop_ids)
        vehicle = net.vehicles.get(r.vehicle_type)
        problems = []
        if r.facility not in net.facilities:
            problems.append(f"unknown facility {r.facility!r}")
        if vehicle is None:
            problems.append(f"unknown vehicle type {r.vehicle_type!r}")
        problems += [f"unknown customer {c!r}" for c in stops if c not in net.customers]
        if not stops:
            problems.append("no stops")
        if problems:
            report.add("route_unknown", subject, f"route {n} of the routes table: "
                                                 f"{'; '.join(problems)}", 1.0)
            state.route_figures.append(None)
            continue
        numbers[(r.facility, r.route)] += 1
        if vehicle.facility is not None and vehicle.facility != r.facility:
            report.add("route_vehicle", subject,
                       f"vehicle type {vehicle.id} is based at {vehicle.facility}, not at "
                       f"{r.facility}", 1.0)
        if r.facility not in state.open_sizes:
            report.add("closed_facility", subject,
                       f"a route from facility {r.facility}, which the plan does not open", 1.0)
        priced = _route_price(net, r.facility, vehicle, stops)
        if priced is None:
            report.add("route_unknown", subject, "a leg of the route has no distance", 1.0)
            state.route_figures.append(None)
            continue
        km, hours, cost = priced
        load = sum(served.get(c, 0.0) / days / visits[c] for c in stops)
        state.route_figures.append((load, km, hours, cost))
        outbound += cost
        count[(r.facility, vehicle.id)] += 1
        if load > vehicle.capacity + _tol(vehicle.capacity):
            report.add("route_capacity", subject,
                       f"carries {load:,.6g} units, above the capacity {vehicle.capacity:,.6g} "
                       f"of vehicle type {vehicle.id}", load - vehicle.capacity)
        if vehicle.max_duration is not None:
            limit = vehicle.max_duration / 3600
            if hours > limit + _tol(limit):
                report.add("route_duration", subject,
                           f"takes {hours:,.6g} hours, above the max_duration "
                           f"{limit:,.6g} hours of vehicle type {vehicle.id}", hours - limit)
        alone = []
        for c in stops:
            single = _route_price(net, r.facility, vehicle, [c])
            alone.append(single[2] if single is not None else 0.0)
        weight = sum(alone)
        for c, a in zip(stops, alone, strict=True):
            shares[c] += cost * days * (a / weight if weight > 0 else 1 / len(stops))
    for (dc, number), times in sorted(numbers.items()):
        if times > 1:
            report.add("route_figures", f"route {dc}/{number}",
                       f"route number {number} of {dc} is listed {times} times", times - 1.0)
    for (dc, vehicle_id), routes in sorted(count.items()):
        limit = net.vehicles[vehicle_id].count
        if limit is not None and routes > limit:
            report.add("route_count", f"{dc}/{vehicle_id}",
                       f"{routes} routes of vehicle type {vehicle_id} from {dc} in a day, more "
                       f"than its count {limit}", float(routes - limit))
    for c in sorted(set(served) | set(visits)):
        units = served.get(c, 0.0)
        own = state.served_by.get(c, set())
        if units > USED and not visits.get(c):
            report.add("route_delivery", c,
                       f"customer {c} is served {units:,.6g} units per period but no route "
                       f"visits it", units / days)
        elif visits.get(c) and units <= USED:
            report.add("route_delivery", c,
                       f"routes visit customer {c}, which is served nothing", 1.0)
        elif visits.get(c) and not visited_from[c] <= own:
            report.add("route_delivery", c,
                       f"customer {c} is served from {', '.join(sorted(own))} but visited by "
                       f"routes of {', '.join(sorted(visited_from[c] - own))}", units / days)
    report.outbound = days * outbound
    state.route_share = dict(shares)


def _check_purchases(net: _Network, plan: NetworkPlan, report: NetworkCheckReport,
                     state: _State) -> None:
    """Purchases against the inbound flows, every sourcing rule (the sourcing checker), and
    their purchase and onboarding cost."""
    bought: dict[tuple[str, str], float] = defaultdict(float)
    for row in plan.purchases:
        bought[(row.supplier, row.product)] += row.quantity
    state.bought = dict(bought)
    if not net.suppliers:
        for (s, p), q in sorted(bought.items()):
            report.add("unknown_place", f"{s}/{p}", f"a purchase from {s!r}, but the instance "
                                                    f"has no suppliers", gap_amount(q, 0.0))
        return
    shipped: dict[tuple[str, str], float] = defaultdict(float)
    for (s, _dc, p), q in state.inbound.items():
        shipped[(s, p)] += q
    for key in sorted(set(shipped) | set(bought)):
        q_bought, q_shipped = bought.get(key, 0.0), shipped.get(key, 0.0)
        if not is_number(q_bought):
            continue  # the sourcing checker reports it
        if abs(q_bought - q_shipped) > _tol(q_bought, q_shipped):
            report.add("purchase_balance", f"{key[0]}/{key[1]}",
                       f"buys {q_bought:,.6g} units of {key[1]} from {key[0]}, ships "
                       f"{q_shipped:,.6g} in", q_bought - q_shipped)
    sourcing = evaluate_sourcing(net.inst.sourcing_instance(), bought)
    report.violations.extend(sourcing.violations)
    report.purchase = sourcing.purchase
    report.onboarding = sourcing.onboarding


# ---- every reported figure ----------------------------------------------------------------------


def check_plan(inst: NetworkInstance, plan: NetworkPlan) -> NetworkCheckReport:
    """Check a plan: every rule (:func:`evaluate_network`) and every figure it reports, each
    recomputed from the instance and the plan's decisions: the cost lines, each flow's unit
    cost, cost and km, the facilities table, the purchases (quantity, price in force, cost),
    the shortages, the customers table (with the doc's cost-to-serve allocation) and the solve
    summary (status against the gap, objective equal to the recomputed total, bound at most
    the objective). A plan without a solution must list nothing and report no cost."""
    if not plan.solve.status.has_solution:
        report = NetworkCheckReport()
        listed = [name for name in ("facilities", "flows", "purchases", "shortages",
                                    "customers", "routes") if getattr(plan, name)]
        if listed or plan.cost is not None:
            report.add("solve", "plan",
                       f"status {plan.solve.status} but the plan reports "
                       f"{', '.join(listed + (['a cost'] if plan.cost is not None else []))}",
                       float(len(listed) + (plan.cost is not None)))
        if plan.solve.objective is not None:
            report.add("solve", "plan", f"status {plan.solve.status} but the plan reports an "
                                        f"objective {plan.solve.objective!r}", 1.0)
        _check_solve_sizes(plan, report)
        return report
    report, state = _evaluate(inst, plan)
    _check_cost_lines(plan, report)
    _check_solve(plan, report)
    if state.net.routes and plan.solve.status == SolveStatus.OPTIMAL and \
            plan.solve.best_bound is None:
        report.add("solve", "solve.status", "status optimal without a best bound: a "
                                            "location-routing plan is feasible unless a "
                                            "bound proves it", 1.0)
    _check_flow_rows(plan, report, state)
    _check_facility_rows(plan, report, state)
    _check_purchase_rows(plan, report, state)
    _check_shortage_rows(plan, report, state)
    _check_route_rows(plan, report, state)
    _cost_to_serve(report, state)
    _check_customer_rows(plan, report, state)
    return report


def _check_cost_lines(plan: NetworkPlan, report: NetworkCheckReport) -> None:
    if plan.cost is None:
        report.add("cost", "plan", "a plan with a solution must report its cost", 1.0)
        return
    total = report.total
    for line, actual in report.lines().items():
        reported = getattr(plan.cost, line)
        if _differs(reported, actual, _tol(actual, total)):
            report.add("cost", f"cost.{line}",
                       f"reports {line} {reported!r}, recomputed {actual:,.6f}",
                       gap_amount(reported, actual))


def _check_solve_sizes(plan: NetworkPlan, report: NetworkCheckReport) -> None:
    for name in ("build_seconds", "solve_seconds", "variables", "integer_variables",
                 "constraints"):
        value = getattr(plan.solve, name)
        if not is_number(value) or value < 0:
            report.add("solve", f"solve.{name}", f"reports {name} {value!r}, not a finite "
                                                 f"number >= 0", gap_amount(value, 0.0))


def _check_solve(plan: NetworkPlan, report: NetworkCheckReport) -> None:
    """Objective = recomputed total; bound <= objective; gap = (objective - bound) /
    |objective|; ``optimal`` only with a closed gap."""
    _check_solve_sizes(plan, report)
    solve = plan.solve
    actual = report.total
    tol = _tol(actual)
    objective, bound, gap = solve.objective, solve.best_bound, solve.gap
    if _differs(objective, actual, tol):
        report.add("solve", "solve.objective",
                   f"reports objective {objective!r}, the plan costs {actual:,.6f}",
                   gap_amount(objective, actual))
    if objective is None or not is_number(objective):
        return
    if bound is not None:
        if math.isnan(bound) or bound == math.inf:
            report.add("solve", "solve.best_bound", f"reports best bound {bound!r}", math.inf)
            bound = None
        elif bound > objective + tol:
            report.add("solve", "solve.best_bound",
                       f"best bound {bound:,.6f} is above the objective {objective:,.6f}",
                       bound - objective)
    expected_gap = None
    if bound is not None and math.isfinite(bound):
        expected_gap = max(0.0, objective - bound) / max(abs(objective), 1e-9)
    if gap is not None and (not is_number(gap) or gap < 0):
        report.add("solve", "solve.gap", f"reports gap {gap!r}, not a finite number >= 0",
                   gap_amount(gap, 0.0))
    elif expected_gap is not None and _differs(gap, expected_gap, 1e-6):
        report.add("solve", "solve.gap",
                   f"reports gap {gap!r}, (objective - bound) / objective is "
                   f"{expected_gap:.6g}", gap_amount(gap, expected_gap))
    if solve.status == SolveStatus.OPTIMAL:
        reported_gap = gap if gap is not None and is_number(gap) else 0.0
        if gap is not None and not is_number(gap):
            reported_gap = math.inf
        open_gap = max(reported_gap, expected_gap or 0.0)
        if open_gap > OPTIMAL_GAP and open_gap * max(abs(objective), 1e-9) > OPTIMAL_GAP:
            report.add("solve", "solve.status",
                       f"status optimal with a gap of {open_gap:.4%}; optimal requires a gap of "
                       f"at most {OPTIMAL_GAP:g} (else the status is feasible)", open_gap)


def _check_flow_rows(plan: NetworkPlan, report: NetworkCheckReport, state: _State) -> None:
    """Each flow's unit cost, cost and km; one row per lane and product."""
    net = state.net
    seen: set[tuple[str, str, str, str]] = set()
    for flow in plan.flows:
        o, d, p = flow.origin, flow.destination, flow.product
        key = ("outbound" if flow.echelon is Echelon.OUTBOUND else "inbound", o, d, p)
        if key not in state.unit_cost:
            continue  # not a valid flow: reported by the evaluation
        if key in seen:
            report.add("flow_figures", _key(o, d, p), "the lane and product are listed twice",
                       1.0)
        seen.add(key)
        unit = state.unit_cost[key]
        if unit is None:
            continue
        if _differs(flow.unit_cost, unit, TOL * max(1.0, unit)):
            report.add("cost", _key(o, d, p), f"reports unit cost {flow.unit_cost!r}, the "
                                              f"lane costs {unit:,.6g}",
                       gap_amount(flow.unit_cost, unit))
        cost = flow.quantity * unit
        if _differs(flow.cost, cost, TOL * max(1.0, abs(cost))):
            report.add("cost", _key(o, d, p), f"reports cost {flow.cost!r}, recomputed "
                                              f"{cost:,.6f}", gap_amount(flow.cost, cost))
        km = net.km(o, d)
        if km is None:
            if flow.km is not None:
                report.add("flow_figures", _key(o, d, p),
                           f"reports {flow.km!r} km for a lane of unknown length", 1.0)
        elif _differs(flow.km, km, TOL * max(1.0, km)):
            report.add("flow_figures", _key(o, d, p), f"reports {flow.km!r} km, the lane is "
                                                      f"{km:,.6g} km",
                       gap_amount(flow.km, km))


def _check_facility_rows(plan: NetworkPlan, report: NetworkCheckReport, state: _State) -> None:
    """One row per DC: its status, size, capacity, throughput, load, utilisation, fixed cost
    and number of customers served, recomputed. A closed DC reports nothing moving through it
    and no fixed cost (its size, capacity and utilisation are not checked)."""
    net = state.net
    rows: dict[str, list] = defaultdict(list)
    for row in plan.facilities:
        rows[row.facility].append(row)
    customers: dict[str, int] = defaultdict(int)
    for dcs in state.served_by.values():
        for dc in dcs:
            customers[dc] += 1
    load: dict[str, float] = defaultdict(float)
    for (dc, _c, p), q in state.outbound.items():
        load[dc] += q * net.load_factor(dc, p)
    for f in net.facilities.values():
        listed = rows.get(f.id, [])
        if len(listed) != 1:
            report.add("facility_figures", f.id,
                       f"facility {f.id} is listed {len(listed)} times in the facilities table "
                       f"(once expected)", abs(len(listed) - 1))
            if not listed:
                continue
        row = listed[0]
        if row.status != f.status.value:
            report.add("facility_figures", f.id,
                       f"reports status {row.status!r}, the input says {f.status.value!r}", 1.0)
        if row.capacity_unit != f.capacity_unit.value:
            report.add("facility_figures", f.id, f"reports capacity unit {row.capacity_unit!r},"
                                                 f" the input says {f.capacity_unit.value!r}",
                       1.0)
        throughput = report.throughput.get(f.id, 0.0)
        opened = state.open_sizes.get(f.id)
        fixed = opened[2] if opened is not None else 0.0
        figures: list[tuple[str, float | None, float]] = [
            ("throughput", row.throughput, throughput), ("load", row.load, load[f.id])]
        if opened is not None and opened[0] in net.sizes[f.id]:
            capacity = opened[1]
            if capacity is None:
                for what, value in (("capacity", row.capacity),
                                    ("utilisation", row.utilisation)):
                    if value is not None:
                        report.add("facility_figures", f.id,
                                   f"reports {what} {value!r} for an unlimited size", 1.0)
            else:
                figures.append(("capacity", row.capacity, capacity))
                if capacity > 0:
                    figures.append(("utilisation", row.utilisation, load[f.id] / capacity))
                elif row.utilisation is not None and not (load[f.id] <= USED
                                                          and row.utilisation == 0):
                    report.add("facility_figures", f.id, f"reports utilisation "
                                                         f"{row.utilisation!r} of a zero "
                                                         f"capacity", 1.0)
        for what, reported, actual in figures:
            if _differs(reported, actual, _tol(actual)):
                report.add("facility_figures", f.id,
                           f"reports {what} {reported!r}, recomputed {actual:,.6g}",
                           gap_amount(reported, actual))
        if row.customers != customers.get(f.id, 0):
            report.add("facility_figures", f.id,
                       f"reports {row.customers!r} customers, it serves "
                       f"{customers.get(f.id, 0)}", row.customers - customers.get(f.id, 0))
        if _differs(row.fixed_cost, fixed, _tol(fixed)):
            report.add("cost", f.id, f"reports fixed cost {row.fixed_cost!r}, the "
                                     f"{'open size' if opened else 'closed facility'} costs "
                                     f"{fixed:,.6g}", gap_amount(row.fixed_cost, fixed))


def _check_purchase_rows(plan: NetworkPlan, report: NetworkCheckReport, state: _State) -> None:
    """Each purchase row: listed once, the all-units price in force and its cost."""
    if not state.net.suppliers:
        return
    prices = {(s, p): price for s, p, _q, price, _c in
              priced_allocations(state.net.inst.sourcing_instance(),
                                 {k: q for k, q in state.bought.items() if is_number(q)})}
    seen: set[tuple[str, str]] = set()
    for row in plan.purchases:
        key = (row.supplier, row.product)
        subject = f"{row.supplier}/{row.product}"
        if key in seen:
            report.add("purchase_figures", subject, "the supplier and product are listed "
                                                    "twice", 1.0)
        seen.add(key)
        price = prices.get(key)
        if price is None:
            continue  # no such offer, or no quantity: the evaluation reports it
        if _differs(row.unit_price, price, _tol(price)):
            report.add("cost", subject, f"reports unit price {row.unit_price!r}, the price in "
                                        f"force for {state.bought[key]:,.6g} units is "
                                        f"{price:g}", gap_amount(row.unit_price, price))
        cost = row.quantity * price
        if _differs(row.cost, cost, _tol(cost)):
            report.add("cost", subject, f"reports cost {row.cost!r}, recomputed {cost:,.6f}",
                       gap_amount(row.cost, cost))


def _check_route_rows(plan: NetworkPlan, report: NetworkCheckReport, state: _State) -> None:
    """Each route's reported load, km, hours and cost against the recomputed ones."""
    for r, figures in zip(plan.routes, state.route_figures, strict=False):
        if figures is None:
            continue
        subject = f"route {r.facility}/{r.route}"
        for what, reported, actual in zip(("load", "km", "hours", "cost"),
                                          (r.load, r.km, r.hours, r.cost), figures,
                                          strict=True):
            if _differs(reported, actual, _tol(actual)):
                report.add("cost" if what == "cost" else "route_figures", subject,
                           f"reports {what} {reported!r}, recomputed {actual:,.6g}",
                           gap_amount(reported, actual))


def _check_shortage_rows(plan: NetworkPlan, report: NetworkCheckReport, state: _State) -> None:
    """The shortages table lists exactly the unmet units (served + short = demand) and their
    penalty (units x the demand row's shortage penalty)."""
    net_unmet = report.unmet
    reported: dict[tuple[str, str], float] = defaultdict(float)
    penalties: dict[tuple[str, str], float] = defaultdict(float)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in plan.shortages:
        key = (row.customer, row.product)
        reported[key] += row.quantity
        penalties[key] += row.penalty
        counts[key] += 1
    for key in sorted(k for k, n in counts.items() if n > 1):
        report.add("shortage_figures", f"{key[0]}/{key[1]}", "listed twice", counts[key] - 1)
    for key in sorted(set(reported) | set(net_unmet)):
        actual = net_unmet.get(key, 0.0)
        value = reported.get(key, 0.0)
        subject = f"{key[0]}/{key[1]}"
        if _differs(value, actual, _tol(actual)):
            report.add("demand", subject, f"reports {value!r} units short, demand - served is "
                                          f"{actual:,.6g}", gap_amount(value, actual))
        if key in reported:
            row = state.net.demand.get(key)
            per_unit = row.shortage_penalty if row is not None else None
            penalty = actual * (per_unit or 0.0)
            if _differs(penalties[key], penalty, _tol(penalty)):
                report.add("cost", subject, f"reports penalty {penalties[key]!r}, recomputed "
                                            f"{penalty:,.6f}",
                           gap_amount(penalties[key], penalty))


def _cost_to_serve(report: NetworkCheckReport, state: _State) -> None:
    """The doc's allocation: each delivered unit carries its outbound lane cost, its DC's
    handling cost, its DC's fixed cost pro rata of the DC's throughput and the landed cost of
    its product at that DC ((inbound cost + purchase cost of the units bought for it) / units
    into it, at each supplier's all-units price in force); plus the customer's shortage
    penalties. Onboarding and closing costs are not allocated."""
    net = state.net
    prices: dict[tuple[str, str], float] = {}
    if net.suppliers:
        # priced at the quantity bought (the inbound units when the purchase is not listed)
        bought: dict[tuple[str, str], float] = defaultdict(float)
        for (s, _dc, p), q in state.inbound.items():
            bought[(s, p)] += q
        bought.update({k: q for k, q in state.bought.items() if is_number(q) and q > 0})
        prices = {(s, p): price or 0.0 for s, p, _q, price, _c in
                  priced_allocations(net.inst.sourcing_instance(), bought)}
    landed_cost: dict[tuple[str, str], float] = defaultdict(float)
    landed_units: dict[tuple[str, str], float] = defaultdict(float)
    for (s, dc, p), q in state.inbound.items():
        unit = state.unit_cost.get(("inbound", s, dc, p)) or 0.0
        landed_cost[(dc, p)] += q * (unit + prices.get((s, p), 0.0))
        landed_units[(dc, p)] += q
    fixed_per_unit = {dc: fixed / report.throughput[dc]
                      for dc, (_s, _c, fixed) in state.open_sizes.items()
                      if report.throughput.get(dc, 0.0) > 0}
    cts = {c: 0.0 for c in net.customers}
    for (dc, c, p), q in state.outbound.items():
        unit = state.unit_cost.get(("outbound", dc, c, p)) or 0.0
        landed = (landed_cost[(dc, p)] / landed_units[(dc, p)]
                  if landed_units.get((dc, p), 0.0) > 0 else 0.0)
        cts[c] = cts.get(c, 0.0) + q * (unit + net.facilities[dc].handling_cost
                                        + fixed_per_unit.get(dc, 0.0) + landed)
    for (c, p), short in report.unmet.items():
        row = net.demand.get((c, p))
        if row is not None and row.shortage_penalty is not None:
            cts[c] = cts.get(c, 0.0) + short * row.shortage_penalty
    for c, share in state.route_share.items():
        if c in cts:
            cts[c] += share
    report.cost_to_serve = cts


def _check_customer_rows(plan: NetworkPlan, report: NetworkCheckReport, state: _State) -> None:
    """One row per customer: the DCs serving it, its demand, units served and short, and its
    cost to serve."""
    net = state.net
    rows: dict[str, list] = defaultdict(list)
    for row in plan.customers:
        rows[row.customer].append(row)
    for c in sorted(set(rows) - set(net.customers)):
        report.add("customer_figures", c, f"the customers table lists unknown customer {c!r}",
                   1.0)
    demand: dict[str, float] = defaultdict(float)
    for d in net.inst.demand:
        demand[d.customer] += d.quantity
    short: dict[str, float] = defaultdict(float)
    for (c, _p), q in report.unmet.items():
        short[c] += q
    for c in net.customers:
        listed = rows.get(c, [])
        if len(listed) != 1:
            report.add("customer_figures", c, f"customer {c} is listed {len(listed)} times in "
                                              f"the customers table (once expected)",
                       abs(len(listed) - 1))
            if not listed:
                continue
        row = listed[0]
        dcs = {part.strip() for part in row.facilities.split(";") if part.strip()}
        actual_dcs = state.served_by.get(c, set())
        if dcs != actual_dcs:
            report.add("customer_figures", c,
                       f"reports facilities {sorted(dcs)}, it is served by "
                       f"{sorted(actual_dcs)}", len(dcs ^ actual_dcs))
        for what, reported, actual in (("demand", row.demand, demand[c]),
                                       ("served", row.served, report.served.get(c, 0.0)),
                                       ("shortage", row.shortage, short[c])):
            if _differs(reported, actual, _tol(actual)):
                report.add("customer_figures", c,
                           f"reports {what} {reported!r}, recomputed {actual:,.6g}",
                           gap_amount(reported, actual))
        actual = report.cost_to_serve.get(c, 0.0)
        if _differs(row.cost_to_serve, actual, _tol(actual)):
            report.add("cost", c, f"reports cost to serve {row.cost_to_serve!r}, recomputed "
                                  f"{actual:,.6f}", gap_amount(row.cost_to_serve, actual))
