"""An integrated plan as tidy tables (pandas DataFrames), one fact per row; money columns
carry the currency in their name (``cost_EUR``). See docs/plan-format.md, "Outputs"."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from models.network import plan_frames as network_frames
from models.routing import clock, window_text
from models.sourcing.plan_frames import money

if TYPE_CHECKING:
    from models.integrated.plan import IntegratedPlan

#: The cost chain in the order it is shown: (stage, line).
CHAIN = (("upstream", "purchase"), ("upstream", "onboarding"), ("upstream", "inbound"),
         ("dc", "facility_fixed"), ("dc", "closing"), ("dc", "handling"),
         ("last_mile", "last_mile"), ("shortage", "shortage"), ("total", "total"))


def plan_frames(plan: IntegratedPlan) -> dict[str, pd.DataFrame]:
    """``summary``, ``cost`` (the chain: stage, line, cost; then the network's replaced
    outbound line), ``facilities`` (each open DC's day), ``routes``, ``stops``, ``customers``
    (cost to serve) and the network's ``flows``, ``purchases`` and ``shortages``."""
    currency = plan.currency

    def m(name: str) -> str:
        return money(name, currency)

    s = plan.solve
    summary = pd.DataFrame([{
        "instance": plan.instance, "status": s.status.value, "stop_reason": s.stop_reason,
        "network_status": s.network_status.value, "network_method": s.network_method,
        "routing_engines": s.routing_engines, "seconds": s.seconds,
        "delivery_days": plan.delivery_days,
        # a plan without a solution has no total (its cost lines lack the days not routed)
        m("total"): plan.cost.total if plan.cost and s.status.has_solution else None,
        "open_facilities": ";".join(plan.open_facilities), "routes": len(plan.routes),
        "currency": currency or "", "problems": " | ".join(plan.problems)}])
    rows = []
    if plan.cost is not None:
        lines = plan.cost.model_dump()
        rows = [(stage, line, lines[line]) for stage, line in CHAIN]
        rows.append(("not_in_total", "network_outbound", lines["network_outbound"]))
    cost = pd.DataFrame(rows, columns=["stage", "line", m("cost")])
    facilities = pd.DataFrame(
        [(f.facility, f.zones, f.stops, f.units, f.routes, f.km, f.hours, f.day_cost,
          f.period_cost) for f in plan.facilities],
        columns=["facility", "zones", "stops", "units_per_day", "routes", "km", "hours",
                 m("day_cost"), m("period_cost")])
    # the day's clock: each route's departure and return, each stop's arrival and service
    # start (HH:MM), from the routing plan of its DC's day
    timed = {(day.facility, k): route for day in plan.days
             for k, route in enumerate(day.plan.routes, start=1)}
    visits = {v.stop: v for route in timed.values() for v in route.visits}

    def at(key: tuple[str, int], end: bool) -> str:
        route = timed.get(key)
        return "" if route is None else clock(route.end_time if end else route.start_time)

    routes = pd.DataFrame(
        [(r.facility, r.route, r.vehicle, r.vehicle_type, r.stops, r.load, r.km, r.hours,
          r.cost, at((r.facility, r.route), False), at((r.facility, r.route), True))
         for r in plan.routes],
        columns=["facility", "route", "vehicle", "vehicle_type", "stops", "load", "km",
                 "hours", m("cost"), "start", "end"])
    where: dict[str, tuple[str, int]] = {}
    for r in plan.routes:
        for k, stop in enumerate(r.stops.split(";"), start=1):
            where[stop] = (r.vehicle, k)
    stops = pd.DataFrame(
        [(t.stop, t.facility, t.customer, t.order or "", t.load, t.service_time,
          ";".join(window_text(a, b, True) for a, b in t.time_windows),
          t.lat if t.lat is not None else t.x, t.lon if t.lon is not None else t.y,
          *where.get(t.stop, ("", None)),
          clock(visits[t.stop].arrival) if t.stop in visits else "",
          clock(visits[t.stop].start) if t.stop in visits else "") for t in plan.stops],
        columns=["stop", "facility", "customer", "order", "load", "service_time_s",
                 "time_windows", "lat_or_x", "lon_or_y", "vehicle", "sequence", "arrival",
                 "service_start"])
    customers = pd.DataFrame(
        [(c.customer, c.facilities, c.demand, c.served, c.shortage, c.stops, c.network_cost,
          c.last_mile, c.cost_to_serve) for c in plan.customers],
        columns=["customer", "facilities", "demand", "served", "shortage", "stops",
                 m("network_cost"), m("last_mile"), m("cost_to_serve")])
    net = network_frames(plan.network, currency)
    return {"summary": summary, "cost": cost, "facilities": facilities, "routes": routes,
            "stops": stops, "customers": customers, "flows": net["flows"],
            "purchases": net["purchases"], "shortages": net["shortages"]}

