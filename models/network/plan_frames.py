"""A network plan as tidy tables (pandas DataFrames) for people and spreadsheets.

One fact per row; money columns carry the currency in their name when one is given
(``cost_EUR``). See docs/network-format.md, "Outputs".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from models.network.plan import Method
from models.sourcing.plan_frames import money

if TYPE_CHECKING:
    from models.network.plan import NetworkPlan


def plan_frames(plan: NetworkPlan, currency: str | None = None) -> dict[str, pd.DataFrame]:
    """The plan as tidy tables, one fact per row: ``facilities`` (every DC, open or not, with
    size, throughput, load and utilisation), ``flows`` (per lane and product), ``purchases``
    (per supplier and product), ``shortages``, ``customers`` (cost to serve), ``routes`` (one
    row per delivery route of a day; routes mode only) and ``cost`` (one row per cost line,
    ``total`` last, with the solve status, bound and gap in ``summary``).
    Money columns carry ``currency`` in their name when the instance names one
    (``cost_EUR``)."""
    def m(name: str) -> str:
        return money(name, currency)

    facilities = pd.DataFrame(
        [(f.facility, f.status, f.open, f.size, f.capacity, f.capacity_unit, f.throughput,
          f.load, f.utilisation, f.fixed_cost, f.customers) for f in plan.facilities],
        columns=["facility", "status", "open", "size", "capacity", "capacity_unit",
                 "throughput", "load", "utilisation", m("fixed_cost"), "customers"])
    flows = pd.DataFrame(
        [(f.echelon.value, f.origin, f.destination, f.product, f.quantity, f.unit_cost, f.cost,
          f.km) for f in plan.flows],
        columns=["echelon", "origin", "destination", "product", "quantity", m("unit_cost"),
                 m("cost"), "km"])
    purchases = pd.DataFrame(
        [(p.supplier, p.product, p.quantity, p.unit_price, p.cost) for p in plan.purchases],
        columns=["supplier", "product", "quantity", m("unit_price"), m("cost")])
    shortages = pd.DataFrame(
        [(s.customer, s.product, s.quantity, s.penalty) for s in plan.shortages],
        columns=["customer", "product", "shortage", m("penalty")])
    customers = pd.DataFrame(
        [(c.customer, c.facilities, c.demand, c.served, c.shortage, c.cost_to_serve)
         for c in plan.customers],
        columns=["customer", "facilities", "demand", "served", "shortage",
                 m("cost_to_serve")])
    routes = pd.DataFrame(
        [(r.facility, r.vehicle_type, r.route, r.stops, r.load, r.km, r.hours, r.cost)
         for r in plan.routes],
        columns=["facility", "vehicle_type", "route", "stops", "load", "km", "hours",
                 m("cost")])
    lines = plan.cost.model_dump() if plan.cost is not None else {}
    cost = pd.DataFrame(list(lines.items()), columns=["line", m("cost")])
    s = plan.solve
    summary = pd.DataFrame([{
        "instance": plan.instance, "status": s.status.value, "stop_reason": s.stop_reason,
        "method": s.method.value, "solver": s.solver, m("objective"): s.objective,
        m("best_bound"): s.best_bound, "gap": s.gap, "build_seconds": s.build_seconds,
        "solve_seconds": s.solve_seconds, "variables": s.variables,
        "integer_variables": s.integer_variables, "constraints": s.constraints,
        "open_facilities": ";".join(plan.open_facilities), "currency": currency or "",
        "infeasibility": " | ".join(plan.infeasibility)}])
    frames = {"summary": summary, "facilities": facilities, "flows": flows,
              "purchases": purchases, "shortages": shortages, "customers": customers}
    if plan.routes or s.method == Method.LOCATION_ROUTING:
        frames["routes"] = routes
    frames["cost"] = cost
    return frames
