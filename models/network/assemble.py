"""From decided quantities to a plan: flows, purchases, DC use, cost lines and cost to serve.

Both solve paths (the network MILP and the facility-location engine) end here with plain
numbers: which size each DC has, and the units on every lane. Prices come from the instance
(``NetworkInstance.lane_cost`` and the offers' all-units price breaks), never from the solver.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import pairwise

from models.network.data import FacilityStatus, FleetVehicle, NetworkInstance
from models.network.plan import (
    CustomerService,
    Echelon,
    FacilityUse,
    Flow,
    NetworkCost,
    NetworkPlan,
    NetworkSolveSummary,
    Purchase,
    Route,
    Shortage,
)

#: Quantities below this many units are solver noise and left out of the plan (HiGHS's
#: feasibility tolerance lets a few 1e-7 units ride on a closed offer or lane).
NOISE = 1e-6
#: A quantity within this relative distance of a price break's threshold reaches it (the
#: checkers' tolerance; a solver puts an order at the threshold up to its own tolerance).
THRESHOLD_TOL = 1e-6


def unit_price(inst: NetworkInstance, supplier: str, product: str, quantity: float) -> float:
    """The all-units price in force for ``quantity`` units on the offer: the break with the
    largest threshold reached (within ``THRESHOLD_TOL``), else the base price."""
    offer = next(o for o in inst.offers if o.supplier == supplier and o.product == product)
    price = offer.unit_price
    for brk in sorted((b for b in inst.price_breaks
                       if b.supplier == supplier and b.product == product),
                      key=lambda b: b.min_quantity):
        if quantity >= brk.min_quantity - THRESHOLD_TOL * max(1.0, brk.min_quantity):
            price = brk.unit_price
    return price


def leg_km(inst: NetworkInstance, origin: str, destination: str) -> float:
    """km of one route leg (0 between two stops at the same place)."""
    if origin == destination:
        return 0.0
    km = inst.distance(origin, destination)
    if km is None:  # validation makes every needed pair known
        raise ValueError(f"no distance from {origin!r} to {destination!r}")
    return km


def price_route(inst: NetworkInstance, facility: str, vehicle: FleetVehicle,
                stops: Sequence[str]) -> tuple[float, float, float]:
    """(km, hours, cost) of the route ``facility`` -> ``stops`` -> ``facility`` on
    ``vehicle`` (docs/network-format.md, "Outbound as routes")."""
    places = [facility, *stops, facility]
    km = sum(leg_km(inst, a, b) for a, b in pairwise(places))
    service = sum(inst.customer_by_id[c].service_time for c in stops) / 3600.0
    hours = km / vehicle.speed_kmh + service
    return km, hours, vehicle.fixed_cost + vehicle.cost_per_km * km + vehicle.cost_per_hour * hours


def price_routes(
    inst: NetworkInstance,
    drafts: Sequence[tuple[str, str, Sequence[str]]],
    served: Mapping[str, float],
) -> tuple[tuple[Route, ...], dict[str, float]]:
    """Routes of one delivery day from ``(facility, vehicle type id, customer ids in order)``
    and the units per period each customer is served: each stop of a customer carries
    (served / delivery_days) / its number of stops in the day. Returns the routes (numbered
    per DC) and each customer's share of the per-period route cost (cost to serve: a route's
    cost split over its stops in proportion to their stand-alone cost; equal shares when
    those are all 0)."""
    days = inst.network_policy.delivery_days
    vehicles = {v.id: v for v in inst.fleet}
    visits: dict[str, int] = defaultdict(int)
    for _f, _v, stops in drafts:
        for c in stops:
            visits[c] += 1
    number: dict[str, int] = defaultdict(int)
    routes = []
    share: dict[str, float] = defaultdict(float)
    for facility, vehicle_id, stops in drafts:
        vehicle = vehicles[vehicle_id]
        km, hours, cost = price_route(inst, facility, vehicle, stops)
        load = sum(served.get(c, 0.0) / days / visits[c] for c in stops)
        number[facility] += 1
        routes.append(Route(facility=facility, vehicle_type=vehicle_id,
                            route=number[facility], stops=";".join(stops), load=load, km=km,
                            hours=hours, cost=cost))
        alone = [price_route(inst, facility, vehicle, [c])[2] for c in stops]
        weight = sum(alone)
        for c, a in zip(stops, alone, strict=True):
            part = a / weight if weight > 0 else 1.0 / len(stops)
            share[c] += cost * days * part
    return tuple(routes), dict(share)


def assemble_plan(
    inst: NetworkInstance,
    summary: NetworkSolveSummary,
    sizes: Mapping[str, str],
    inbound: Mapping[tuple[str, str, str], float],
    outbound: Mapping[tuple[str, str, str], float],
    routes: Sequence[tuple[str, str, Sequence[str]]] | None = None,
) -> NetworkPlan:
    """A plan from the chosen size of each open DC (``{facility: size}``) and the units on
    each inbound ``(supplier, facility, product)`` and outbound ``(facility, customer,
    product)`` lane. Shortages are what the outbound flows leave of each demand.

    ``routes`` (outbound as routes): the delivery routes of one day as ``(facility, vehicle
    type id, customer ids in order)``; outbound flows are then priced 0 per unit and the
    ``outbound`` line is ``delivery_days`` x the day's route costs."""
    # ---- flows ----
    flows: list[Flow] = []
    into: dict[tuple[str, str], float] = defaultdict(float)
    inbound_cost: dict[tuple[str, str], float] = defaultdict(float)
    bought: dict[tuple[str, str], float] = defaultdict(float)
    bought_for: dict[tuple[str, str, str], float] = defaultdict(float)
    for (s, f, p), q in sorted(inbound.items()):
        if q <= NOISE:
            continue
        c = inst.lane_cost(s, f, p)
        c = 0.0 if c is None else c
        flows.append(Flow(echelon=Echelon.INBOUND, origin=s, destination=f, product=p,
                          quantity=q, unit_cost=c, cost=q * c, km=inst.distance(s, f)))
        into[(f, p)] += q
        inbound_cost[(f, p)] += q * c
        bought[(s, p)] += q
        bought_for[(s, f, p)] += q
    throughput: dict[str, float] = defaultdict(float)
    loads: dict[str, float] = defaultdict(float)
    weights = {}
    for fac in inst.facilities:
        unit = fac.capacity_unit.value
        weights[fac.id] = {p.id: 1.0 if unit == "units" else float(getattr(p, f"unit_{unit}")
                                                                      or 0.0)
                           for p in inst.products}
    served: dict[tuple[str, str], float] = defaultdict(float)
    serving: dict[str, set[str]] = defaultdict(set)
    out_flows: list[Flow] = []
    for (f, c, p), q in sorted(outbound.items()):
        if q <= NOISE:
            continue
        cost = inst.lane_cost(f, c, p) if routes is None else 0.0
        cost = 0.0 if cost is None else cost
        out_flows.append(Flow(echelon=Echelon.OUTBOUND, origin=f, destination=c, product=p,
                              quantity=q, unit_cost=cost, cost=q * cost,
                              km=inst.distance(f, c)))
        throughput[f] += q
        loads[f] += q * weights[f][p]
        served[(c, p)] += q
        serving[c].add(f)
    flows.extend(out_flows)
    # ---- purchases ----
    purchases = []
    price_of: dict[tuple[str, str], float] = {}
    for (s, p), q in sorted(bought.items()):
        price = unit_price(inst, s, p, q)
        price_of[(s, p)] = price
        purchases.append(Purchase(supplier=s, product=p, quantity=q, unit_price=price,
                                  cost=q * price))
    used = {s for (s, _p) in bought}
    onboarding = sum(inst.supplier_by_id[s].onboarding_cost for s in used)
    # ---- DCs ----
    facilities = []
    fixed: dict[str, float] = {}
    customers_of: dict[str, set[str]] = defaultdict(set)
    for c, fs in serving.items():
        for f in fs:
            customers_of[f].add(c)
    for fac in inst.facilities:
        size = sizes.get(fac.id)
        option = next((o for o in inst.size_options(fac.id) if o.size == size), None)
        unit = fac.capacity_unit.value
        load = loads.get(fac.id, 0.0)
        capacity = option.capacity if option is not None else None
        fixed[fac.id] = option.fixed_cost if option is not None else 0.0
        facilities.append(FacilityUse(
            facility=fac.id, status=fac.status.value, open=option is not None,
            size=size if option is not None else None, capacity=capacity, capacity_unit=unit,
            throughput=throughput.get(fac.id, 0.0), load=load,
            utilisation=(load / capacity if capacity else None) if option is not None else None,
            fixed_cost=fixed[fac.id], customers=len(customers_of.get(fac.id, ()))))
    closing = sum(f.closing_cost for f in inst.facilities
                  if f.status == FacilityStatus.EXISTING and f.id not in sizes)
    handling = sum(inst.facility_by_id[f].handling_cost * q for f, q in throughput.items())
    # ---- shortages ----
    shortages = []
    for d in inst.demand:
        short = d.quantity - served.get((d.customer, d.product), 0.0)
        if short > NOISE * max(1.0, d.quantity) and d.quantity > 0:
            shortages.append(Shortage(customer=d.customer, product=d.product, quantity=short,
                                      penalty=short * (d.shortage_penalty or 0.0)))
    # ---- cost to serve ----
    purchase_into: dict[tuple[str, str], float] = defaultdict(float)
    for (s, f, p), q in bought_for.items():
        purchase_into[(f, p)] += q * price_of[(s, p)]
    landed = {(f, p): (inbound_cost[(f, p)] + purchase_into[(f, p)]) / q
              for (f, p), q in into.items()}
    to_serve: dict[str, float] = defaultdict(float)
    for flow in out_flows:
        f = flow.origin
        share = fixed[f] / throughput[f] if throughput[f] > 0 else 0.0
        to_serve[flow.destination] += flow.quantity * (
            flow.unit_cost + inst.facility_by_id[f].handling_cost + share
            + landed.get((f, flow.product), 0.0))
    short_of: dict[str, float] = defaultdict(float)
    for s in shortages:
        to_serve[s.customer] += s.penalty
        short_of[s.customer] += s.quantity
    demand_of: dict[str, float] = defaultdict(float)
    for d in inst.demand:
        demand_of[d.customer] += d.quantity
    served_of: dict[str, float] = defaultdict(float)
    for (c, _p), q in served.items():
        served_of[c] += q
    route_rows: tuple[Route, ...] = ()
    outbound_cost = sum(f.cost for f in out_flows)
    if routes is not None:
        route_rows, route_share = price_routes(inst, routes, served_of)
        outbound_cost = inst.network_policy.delivery_days * sum(r.cost for r in route_rows)
        for c, part in route_share.items():
            to_serve[c] += part
    customers = tuple(CustomerService(
        customer=c.id, facilities=";".join(sorted(serving.get(c.id, ()))),
        demand=demand_of[c.id], served=served_of[c.id], shortage=short_of[c.id],
        cost_to_serve=to_serve[c.id]) for c in inst.customers)
    lines = {
        "facility_fixed": sum(fixed[f] for f in sizes),
        "closing": closing,
        "handling": handling,
        "inbound": sum(inbound_cost.values()),
        "purchase": sum(p.cost for p in purchases),
        "onboarding": onboarding,
        "outbound": outbound_cost,
        "shortage": sum(s.penalty for s in shortages),
    }
    cost = NetworkCost(**lines, total=sum(lines.values()))
    return NetworkPlan(instance=inst.name, solve=summary, cost=cost,
                       facilities=tuple(facilities), flows=tuple(flows),
                       purchases=tuple(purchases), shortages=tuple(shortages),
                       customers=customers, routes=route_rows)
