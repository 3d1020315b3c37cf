"""The independent checker of an integrated plan (docs/plan-format.md, "Checker rule codes").

It reads only the instance and the plan and shares no logic with the solve (``day.py``,
``solve.py``): the network part goes to :func:`models.network.check_plan`, every DC's day to
:func:`models.routing.check_plan` on a routing instance this module builds itself from the
instance's fleet and the plan's stops (whose loads, places, service times and windows it first
checks against the instance), and the cross rules are recomputed here: every order of a zone
on a route from the DC serving it, day loads = network flows / delivery days, routes only from
open DCs with that DC's fleet, DC capacity, each route's km/hours/cost from the instance's own
distances, the cost chain, the cost to serve, and the totals.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass, field

from pydantic import ValidationError

from models.checking import Report, agrees, is_number
from models.integrated.data import IntegratedInstance
from models.integrated.plan import DayStop, IntegratedPlan
from models.network import FleetVehicle
from models.network import check_plan as check_network
from models.network.data import great_circle_km
from models.routing import RoutingInstance
from models.routing import check_plan as check_routes

#: Relative tolerance of every figure (as in the network checker).
TOL = 1e-6


def _tol(*values: float) -> float:
    return TOL * max(1.0, *(abs(v) for v in values if is_number(v)))


@dataclass
class PlanReport(Report):
    """The violations, with the recomputed last-mile cost per period and total."""

    last_mile: float = 0.0
    total: float = 0.0
    checked_routes: int = 0
    notes: list[str] = field(default_factory=list)


def check_plan(inst: IntegratedInstance, plan: IntegratedPlan) -> PlanReport:
    """Check ``plan`` against ``inst``: the network plan by the network checker, each day by
    the routing checker, and every cross rule and figure recomputed (module docstring)."""
    report = PlanReport()
    for v in check_network(inst.network, plan.network).violations:
        report.add(f"network.{v.rule}", v.subject, v.message, v.amount)
    if not plan.solve.status.has_solution:
        if plan.routes or plan.stops or plan.cost is not None:
            report.add("solve", "plan", "a plan without a solution lists routes, stops or cost",
                       1.0)
        return report
    if not plan.network.solve.status.has_solution:
        report.add("solve", "plan", "the plan has a status with a solution but the network "
                                    "plan has none", 1.0)
        return report
    days = inst.delivery_days
    if not agrees(plan.delivery_days, days, 0.0):
        report.add("solve", "delivery_days", f"the plan says {plan.delivery_days:g} delivery "
                                             f"days, the instance {days:g}", 1.0)
    expected = _expected_volumes(plan, days)
    stops = _check_stops(inst, plan, expected, report)
    route_cost = _check_routes(inst, plan, stops, report)
    _check_capacity(inst, plan, stops, days, report)
    _check_cost(inst, plan, stops, route_cost, report)
    if plan.problems and plan.solve.status.value in ("feasible", "optimal"):
        report.add("solve", "plan", f"a feasible plan lists problems: {plan.problems[0]}", 1.0)
    return report


# ---- the day's stops -----------------------------------------------------------------------

def _expected_volumes(plan: IntegratedPlan, days: float) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    for f in plan.network.flows:
        if f.echelon.value == "outbound":
            key = (f.origin, f.destination)
            out[key] = out.get(key, 0.0) + f.quantity / days
    return {k: v for k, v in out.items() if v > 1e-6}


def _check_stops(inst: IntegratedInstance, plan: IntegratedPlan,
                 expected: dict[tuple[str, str], float], report: PlanReport
                 ) -> dict[str, DayStop]:
    net = inst.network
    by_id: dict[str, DayStop] = {}
    for s in plan.stops:
        if s.stop in by_id:
            report.add("stop_id", s.stop, "two stops share this id", 1.0)
        by_id[s.stop] = s
    loads: dict[tuple[str, str], float] = {}
    order_loads: dict[tuple[str, str], float] = {}
    open_dcs = set(plan.open_facilities)
    for s in plan.stops:
        if s.customer not in net.customer_by_id:
            report.add("stop_place", s.stop, f"unknown zone {s.customer!r}", 1.0)
            continue
        if s.facility not in open_dcs:
            report.add("closed_facility", s.stop, f"delivered from {s.facility!r}, which the "
                                                  f"plan does not open", 1.0)
        if not is_number(s.load) or s.load <= 0:
            report.add("day_load", s.stop, f"load {s.load!r} is not a positive number", 1.0)
            continue
        loads[(s.facility, s.customer)] = loads.get((s.facility, s.customer), 0.0) + s.load
        _check_stop_terms(inst, s, report)
        if s.order is not None:
            key = (s.facility, s.order)
            order_loads[key] = order_loads.get(key, 0.0) + s.load
    for key in sorted(set(loads) | set(expected)):
        want, got = expected.get(key, 0.0), loads.get(key, 0.0)
        if not agrees(got, want, _tol(want)):
            report.add("day_load", f"{key[0]}->{key[1]}",
                       f"the day's stops deliver {got:.6g} units, the network flows / delivery "
                       f"days are {want:.6g}", abs(got - want))
    for (dc, zone), volume in expected.items():
        orders = inst.orders_by_customer.get(zone, ())
        weight = sum(o.units for o in orders)
        for o in orders:
            want = volume * o.units / weight
            got = order_loads.get((dc, o.id), 0.0)
            if got <= 0:
                report.add("order_dc", o.id, f"order of zone {zone!r} is on no stop of "
                                             f"{dc!r}, which serves the zone", 1.0)
            elif not agrees(got, want, _tol(want)):
                report.add("day_load", o.id, f"order delivers {got:.6g} units from {dc!r}, its "
                                             f"share of the zone's day is {want:.6g}",
                           abs(got - want))
    return by_id


def _check_stop_terms(inst: IntegratedInstance, s: DayStop, report: PlanReport) -> None:
    """A stop's order, place, service time and windows are the instance's."""
    zone = inst.network.customer_by_id[s.customer]
    orders = {o.id: o for o in inst.orders_by_customer.get(s.customer, ())}
    if orders:
        order = orders.get(s.order or "")
        if order is None:
            report.add("stop_place", s.stop, f"zone {s.customer!r} has orders, and "
                                              f"{s.order!r} is not one of them", 1.0)
            return
        own = order.lat is not None or order.x is not None
        place = (order.lat, order.lon, order.x, order.y) if own else \
            (zone.lat, zone.lon, zone.x, zone.y)
        service, windows, at_zone = order.service_time, order.time_windows, not own
    else:
        if s.order is not None:
            report.add("stop_place", s.stop, f"zone {s.customer!r} has no order "
                                              f"{s.order!r}", 1.0)
            return
        profile = inst.profile_by_customer.get(s.customer)
        place = (zone.lat, zone.lon, zone.x, zone.y)
        service = profile.service_time if profile else float(
            getattr(zone, "service_time", 0.0) or 0.0)
        windows, at_zone = (profile.time_windows if profile else ()), True
    if (s.lat, s.lon, s.x, s.y) != place or s.at_zone != at_zone:
        report.add("stop_place", s.stop, "the stop is not at its order's or zone's place", 1.0)
    if not agrees(s.service_time, service, 1e-6):
        report.add("stop_place", s.stop, f"service time {s.service_time!r} s, the instance "
                                          f"says {service:g} s", 1.0)
    if tuple(tuple(w) for w in s.time_windows) != tuple((w.start, w.end) for w in windows):
        report.add("stop_place", s.stop, "time windows differ from the instance's", 1.0)


# ---- routes ------------------------------------------------------------------------------

def _km(inst: IntegratedInstance, a: DayStop | str, b: DayStop | str) -> float:
    """Road km between a DC id or a stop and another, from the instance alone."""
    net = inst.network

    def place(p: DayStop | str) -> tuple[str | None, tuple[float | None, ...]]:
        if isinstance(p, str):
            r = net.facility_by_id[p]
            return p, (r.lat, r.lon, r.x, r.y)
        return (p.customer if p.at_zone else None), (p.lat, p.lon, p.x, p.y)

    (ida, ca), (idb, cb) = place(a), place(b)
    if ida is not None and idb is not None:
        if ida == idb:
            return 0.0
        km = net.distance(ida, idb)
        return math.nan if km is None else km
    if ca[0] is not None and cb[0] is not None:
        return great_circle_km(ca[0], ca[1], cb[0], cb[1]) * net.transport.detour_factor
    if ca[2] is not None and cb[2] is not None:
        return math.hypot(ca[2] - cb[2], ca[3] - cb[3])
    return math.nan


def _routing_instance(inst: IntegratedInstance, dc: str, stops: list[DayStop]
                      ) -> RoutingInstance:
    """The day of ``dc`` for the routing checker, built here from the instance's fleet."""
    points: list[DayStop | str] = [dc, *stops]
    matrix = [[0.0 if i == j else _km(inst, a, b) * 1000.0 for j, b in enumerate(points)]
              for i, a in enumerate(points)]
    fleet = [v for v in _fleet(inst) if v.facility in (None, dc)]
    return RoutingInstance.model_validate({
        "name": dc, "depots": [{"id": dc, "matrix_index": 0}],
        "vehicle_types": [
            {"id": v.id, "count": v.count or max(1, len(stops)), "capacity": [v.capacity],
             "fixed_cost": v.fixed_cost, "cost_per_km": v.cost_per_km,
             "cost_per_hour": v.cost_per_hour, "start_depot": dc, "speed_kmh": v.speed_kmh,
             "shift_start": v.shift_start,
             **({"max_duration": v.max_duration} if v.max_duration is not None else {})}
            for v in fleet],
        "stops": [{"id": s.stop, "matrix_index": k + 1, "delivery": [s.load],
                   "service_time": s.service_time,
                   "time_windows": [list(w) for w in s.time_windows]}
                  for k, s in enumerate(stops)],
        "distance": {"kind": "matrix"}, "matrix": {"distances": matrix}})


def _fleet(inst: IntegratedInstance) -> tuple[FleetVehicle, ...]:
    return inst.network.fleet


def _check_routes(inst: IntegratedInstance, plan: IntegratedPlan, stops: dict[str, DayStop],
                  report: PlanReport) -> dict[str, float]:
    """Every day by the routing checker, the route lines recomputed; returns each stop's
    stand-alone share of its route's cost per day."""
    share: dict[str, float] = {}
    on_route: Counter[str] = Counter()
    by_dc: dict[str, list[DayStop]] = {}
    for s in plan.stops:
        by_dc.setdefault(s.facility, []).append(s)
    fleet = {(v.id, dc): v for dc in plan.open_facilities for v in _fleet(inst)
             if v.facility in (None, dc)}
    days = {d.facility: d for d in plan.days}
    if len(days) != len(plan.days):
        report.add("routes", "days", "a DC has two days", 1.0)
    for dc in sorted(set(by_dc) | set(days)):
        day = days.get(dc)
        if day is None:
            report.add("on_route", dc, f"{dc!r} has stops but no routes", 1.0)
            continue
        if dc not in by_dc:
            report.add("routes", dc, f"{dc!r} has routes but no stops", 1.0)
            continue
        try:
            routing = _routing_instance(inst, dc, by_dc[dc])
        except ValidationError as exc:  # stop ids twice, no vehicle type at the DC, ...
            first = exc.errors(include_url=False)[0]
            report.add("fleet" if first["loc"][:1] == ("vehicle_types",) else "routes", dc,
                       f"the day cannot be checked as routes: {first['msg']}", 1.0)
            routing = None
        if routing is not None:
            for v in check_routes(routing, day.plan).violations:
                report.add(f"routing.{v.rule}", f"{dc}: {v.subject}", v.message, v.amount)
        used: Counter[str] = Counter()
        for r in day.plan.routes:
            vehicle = fleet.get((r.vehicle_type, dc))
            if vehicle is None:
                report.add("fleet", f"{dc}: {r.vehicle_type}", f"no vehicle type "
                           f"{r.vehicle_type!r} at {dc!r}", 1.0)
                continue
            used[r.vehicle_type] += 1
            visited = [stops[v.stop] for v in r.visits if v.stop in stops]
            for v in r.visits:
                on_route[v.stop] += 1
                if v.stop in stops and stops[v.stop].facility != dc:
                    report.add("on_route", v.stop, f"on a route from {dc!r}, delivered by "
                               f"{stops[v.stop].facility!r}", 1.0)
            legs = [dc, *visited, dc]
            km = sum(_km(inst, a, b) for a, b in itertools.pairwise(legs))
            hours = (r.end_time - r.start_time) / 3600.0
            cost = vehicle.fixed_cost + vehicle.cost_per_km * km + vehicle.cost_per_hour * hours
            if not agrees(r.cost, cost, _tol(cost) + 1e-6):
                report.add("route_figures", f"{dc}: {r.vehicle_type}#{r.vehicle}",
                           f"cost {_fig(r.cost)}, recomputed {_fig(cost)}", abs(r.cost - cost))
            alone = []
            for s in visited:
                there = _km(inst, dc, s) + _km(inst, s, dc)
                alone.append(vehicle.fixed_cost + vehicle.cost_per_km * there
                             + vehicle.cost_per_hour * (there / vehicle.speed_kmh
                                                        + s.service_time / 3600.0))
            total = sum(alone)
            for s, a in zip(visited, alone, strict=True):
                share[s.stop] = cost * (a / total if total > 0 else 1.0 / len(visited))
            report.checked_routes += 1
        for vt, n in used.items():
            count = fleet[(vt, dc)].count
            if count is not None and n > count:
                report.add("fleet", f"{dc}: {vt}", f"{n} routes of {vt!r}, the fleet has "
                                                   f"{count}", n - count)
    for s in plan.stops:
        if on_route[s.stop] != 1:
            report.add("on_route", s.stop, f"on {on_route[s.stop]} routes (one expected)", 1.0)
    _check_route_lines(plan, stops, share, report)
    return share


def _check_route_lines(plan: IntegratedPlan, stops: dict[str, DayStop],
                       share: dict[str, float], report: PlanReport) -> None:
    """The ``routes`` table says what the days' routes are."""
    actual = []
    for day in plan.days:
        for n, r in enumerate(day.plan.routes, start=1):
            names = [v.stop for v in r.visits]
            actual.append((day.facility, n, f"{r.vehicle_type}#{r.vehicle}", ";".join(names),
                           sum(stops[s].load for s in names if s in stops),
                           r.distance / 1000.0, (r.end_time - r.start_time) / 3600.0, r.cost))
    if len(actual) != len(plan.routes):
        report.add("route_figures", "routes", f"{len(plan.routes)} route lines, the days have "
                                              f"{len(actual)} routes", 1.0)
        return
    for line, (dc, n, vehicle, names, load, km, hours, cost) in zip(plan.routes, actual,
                                                                    strict=True):
        subject = f"{dc}: route {n}"
        if (line.facility, line.route, line.vehicle, line.stops) != (dc, n, vehicle, names):
            report.add("route_figures", subject, "the route line names other stops or "
                                                 "vehicle than the day's route", 1.0)
        for name, got, want in (("load", line.load, load), ("km", line.km, km),
                                ("hours", line.hours, hours), ("cost", line.cost, cost)):
            if not agrees(got, want, _tol(want)):
                report.add("route_figures", subject, f"{name} {_fig(got)}, recomputed {_fig(want)}",
                           abs(got - want) if is_number(got) else math.inf)


def _check_capacity(inst: IntegratedInstance, plan: IntegratedPlan,
                    stops: dict[str, DayStop], days: float, report: PlanReport) -> None:
    """Units delivered per period from each DC (day loads × delivery days) within the
    instance's capacity of the DC's size in the plan (DCs counting units)."""
    per_dc: dict[str, float] = {}
    for s in stops.values():
        per_dc[s.facility] = per_dc.get(s.facility, 0.0) + s.load * days
    for f in plan.network.facilities:
        dc = inst.network.facility_by_id.get(f.facility)
        if not f.open or dc is None or dc.capacity_unit.value != "units":
            continue
        sizes = {o.size: o.capacity for o in inst.network.size_options(f.facility)}
        capacity = sizes.get(f.size or "")
        units = per_dc.get(f.facility, 0.0)
        if capacity is not None and units > capacity + _tol(capacity):
            report.add("dc_capacity", f.facility, f"{units:.6g} units per period, capacity "
                                                  f"{capacity:.6g}", units - capacity)


# ---- cost ----------------------------------------------------------------------------------

def _network_outbound(inst: IntegratedInstance, plan: IntegratedPlan) -> dict[str, float]:
    """Per customer, the part of the network's outbound line the last mile replaces: outbound
    flow costs, and the customer's stand-alone share of the network's own routes (routes
    mode) × delivery days."""
    out: dict[str, float] = {}
    for f in plan.network.flows:
        if f.echelon.value == "outbound":
            out[f.destination] = out.get(f.destination, 0.0) + f.cost
    fleet = {v.id: v for v in _fleet(inst)}
    net = inst.network
    for r in getattr(plan.network, "routes", ()):
        names = [c.strip() for c in r.stops.split(";") if c.strip()]
        vehicle = fleet.get(r.vehicle_type)
        if vehicle is None or any(c not in net.customer_by_id for c in names):
            continue  # the network checker reports it
        alone = []
        for c in names:
            there = _km(inst, r.facility, _zone_stop(inst, c)) + \
                _km(inst, _zone_stop(inst, c), r.facility)
            alone.append(vehicle.fixed_cost + vehicle.cost_per_km * there
                         + vehicle.cost_per_hour * (there / vehicle.speed_kmh
                                                    + net.customer_by_id[c].service_time / 3600))
        total = sum(alone)
        for c, a in zip(names, alone, strict=True):
            part = a / total if total > 0 else 1.0 / len(names)
            out[c] = out.get(c, 0.0) + r.cost * part * inst.delivery_days
    return out


def _zone_stop(inst: IntegratedInstance, customer: str) -> DayStop:
    z = inst.network.customer_by_id[customer]
    return DayStop(stop=customer, facility="", customer=customer, order=None, load=0.0,
                   service_time=z.service_time, lat=z.lat, lon=z.lon, x=z.x, y=z.y)


def _check_cost(inst: IntegratedInstance, plan: IntegratedPlan, stops: dict[str, DayStop],
                share: dict[str, float], report: PlanReport) -> None:
    cost, net = plan.cost, plan.network.cost
    if cost is None or net is None:
        report.add("cost", "plan", "a plan with a solution reports no cost chain", 1.0)
        return
    days = inst.delivery_days
    last_mile = sum(share.values()) * days
    report.last_mile = last_mile
    want = {"purchase": net.purchase, "onboarding": net.onboarding, "inbound": net.inbound,
            "facility_fixed": net.facility_fixed, "closing": net.closing,
            "handling": net.handling, "shortage": net.shortage, "last_mile": last_mile,
            "network_outbound": net.outbound, "network_total": net.total}
    want["upstream"] = want["purchase"] + want["onboarding"] + want["inbound"]
    want["dc"] = want["facility_fixed"] + want["closing"] + want["handling"]
    want["total"] = want["upstream"] + want["dc"] + last_mile + want["shortage"]
    report.total = want["total"]
    reported = cost.model_dump()
    for line, value in want.items():
        if not agrees(reported[line], value, _tol(value)):
            report.add("cost", line, f"{_fig(reported[line])}, recomputed {_fig(value)}",
                       abs(reported[line] - value) if is_number(reported[line]) else math.inf)
    outbound = _network_outbound(inst, plan)
    zone_share: dict[str, float] = {}
    zone_stops: Counter[str] = Counter()
    for s in stops.values():
        zone_share[s.customer] = zone_share.get(s.customer, 0.0) + share.get(s.stop, 0.0)
        zone_stops[s.customer] += 1
    network_rows = {c.customer: c for c in plan.network.customers}
    if {c.customer for c in plan.customers} != set(network_rows) or \
            len(plan.customers) != len(network_rows):
        report.add("customer_figures", "customers", "the customers table does not list each "
                                                    "customer of the network plan once", 1.0)
    for c in plan.customers:
        row = network_rows.get(c.customer)
        if row is None:
            continue
        own = row.cost_to_serve - outbound.get(c.customer, 0.0)
        lm = zone_share.get(c.customer, 0.0) * days
        for name, got, value in (("network_cost", c.network_cost, own),
                                 ("last_mile", c.last_mile, lm),
                                 ("cost_to_serve", c.cost_to_serve, own + lm)):
            if not agrees(got, value, _tol(value)):
                report.add("cost", f"{c.customer}/{name}", f"{_fig(got)}, recomputed {_fig(value)}",
                           abs(got - value) if is_number(got) else math.inf)
        if (c.facilities, c.demand, c.served, c.shortage, c.stops) != (
                row.facilities, row.demand, row.served, row.shortage, zone_stops[c.customer]):
            report.add("customer_figures", c.customer, "facilities, demand, served, shortage "
                                                       "or stops differ from the plan's", 1.0)
    unallocated = sum(f.fixed_cost for f in plan.network.facilities
                      if f.open and f.throughput <= 1e-9)
    allocated = sum(c.cost_to_serve for c in plan.customers) + want["onboarding"] + \
        want["closing"] + unallocated
    if not agrees(allocated, want["total"], _tol(want["total"]) * 10):
        report.add("cost", "cost_to_serve", f"customers' cost to serve + onboarding + closing "
                   f"= {allocated:.6g}, the total is {want['total']:.6g}",
                   abs(allocated - want["total"]))
    for f in plan.facilities:
        mine = [r for r in plan.routes if r.facility == f.facility]
        day_cost = sum(r.cost for r in mine)
        dc_stops = [s for s in stops.values() if s.facility == f.facility]
        figures = (("stops", f.stops, len(dc_stops)),
                   ("zones", f.zones, len({s.customer for s in dc_stops})),
                   ("units", f.units, sum(s.load for s in dc_stops)),
                   ("routes", f.routes, len(mine)), ("km", f.km, sum(r.km for r in mine)),
                   ("hours", f.hours, sum(r.hours for r in mine)),
                   ("day_cost", f.day_cost, day_cost),
                   ("period_cost", f.period_cost, day_cost * days))
        for name, got, value in figures:
            if not agrees(got, value, _tol(value)):
                report.add("facility_figures", f"{f.facility}/{name}",
                           f"{_fig(got)}, recomputed {_fig(value)}", 1.0)


def _fig(value: object) -> str:
    """A figure in a message: numbers with thousands separators and up to 6 decimals (the
    checker's tolerance is relative 1e-6, so a difference always shows), anything else as
    written."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return repr(value)
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
