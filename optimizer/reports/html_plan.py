"""report.html of an integrated plan: KPIs, the cost chain as a waterfall, the map (suppliers,
DCs, zones and order stops, inbound flows, the day's routes from every DC), the route timeline
(Gantt) per vehicle, why there is no plan, and every output table. Built with the report
builder of :mod:`optimizer.reports.html`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from models.integrated import CHAIN, IntegratedInstance, IntegratedPlan
from optimizer.reports.html import (
    REPORT_FILE,
    GanttBar,
    Kpi,
    MapLayer,
    MapLine,
    MapPoint,
    Report,
    colour,
    hhmm,
    km_text,
    number,
)
from optimizer.reports.html.routing import route_bars
from optimizer.reports.plan_summary import not_routed

#: How each cost line is named in the waterfall.
LABELS = {"purchase": "purchase", "onboarding": "supplier onboarding",
          "inbound": "inbound transport", "facility_fixed": "DC fixed",
          "closing": "DC closing", "handling": "DC handling", "last_mile": "last mile (routes)",
          "shortage": "shortage penalty"}


def plan_report(inst: IntegratedInstance, plan: IntegratedPlan,
                comparison: pd.DataFrame | None = None) -> Report:
    """The report page of ``plan`` (of ``inst``); with ``comparison`` (the baseline's page when
    scenarios were solved: ``comparison.csv``) a table of the baseline and every scenario."""
    s = plan.solve
    report = Report(f"Integrated plan: {plan.instance}", currency=plan.currency,
                    subtitle=f"status {s.status.value} ({s.stop_reason}); network "
                             f"{s.network_status.value} ({s.network_method})")
    # the instance's demand: a plan without a solution has no customer rows
    demand = sum(d.quantity for d in inst.network.demand)
    served = sum(c.served for c in plan.customers)
    missing = not_routed(plan)
    whole = plan.cost if plan.cost is not None and not missing else None
    kpis = [Kpi("Total cost", report.money(whole.total if whole else None),
                "per period" if whole or not missing else "no plan: days not routed"),
            Kpi("Last mile", report.money(whole.last_mile if whole else None),
                f"{number(plan.delivery_days)} delivery days"),
            Kpi("Open DCs", f"{len(plan.open_facilities):,}",
                f"of {len(inst.network.facilities):,}"),
            Kpi("Suppliers used", f"{len({p.supplier for p in plan.network.purchases}):,}",
                f"of {len(inst.network.suppliers):,}"),
            Kpi("Demand served", "-" if not demand or not plan.solve.status.has_solution
                else f"{served / demand:.1%}", f"{number(served)} of {number(demand)} units"),
            Kpi("Routes a day", f"{len(plan.routes):,}",
                km_text(sum(r.km for r in plan.routes)))]
    report.add_kpis(kpis)
    if plan.problems or plan.cost is None:
        report.add_explanation(list(plan.problems) or [f"no plan: {s.status.value}"],
                               title="Why there is no plan" if plan.cost is None
                               else "What the plan could not do")
    if plan.cost is not None:
        lines = plan.cost.model_dump()
        # an incomplete chain (days not routed) has no last mile and no total bar
        title = "Cost chain: upstream → DC → last mile" + (
            f" (INCOMPLETE: {', '.join(missing)} not routed)" if missing else "")
        report.add_waterfall([(LABELS[line], lines[line]) for _stage, line in CHAIN
                              if line != "total" and not (missing and line == "last_mile")],
                             total=None if missing else "Total", title=title)
        report.add_notes("How the last mile is counted", [
            f"The network solve's own outbound line ({report.money(lines['network_outbound'])})"
            f" chose the DCs; the plan replaces it by the routes of the representative day × "
            f"{number(plan.delivery_days)} delivery days, so nothing is counted twice."])
    layers = _layers(inst, plan)
    if layers is not None:
        report.add_map(layers[0], planar=layers[1], title="Suppliers, DCs and the day's routes")
    else:
        report.add_notes("Map", ["No map: some places have no coordinates."])
    report.add_gantt(_bars(plan), title="Route timeline of the representative day")
    if comparison is not None:
        shown = comparison.map(lambda v: round(v, 2) if isinstance(v, float) else v)
        report.add_table("comparison", shown, note=(
            "the baseline and each scenario side by side (comparison.csv); change_<scenario> "
            "= the scenario minus the baseline; each scenario's own page is "
            "scenarios/<scenario>/report.html"))
    return report.add_tables(plan.to_frames())


def write_plan_report(inst: IntegratedInstance, plan: IntegratedPlan, folder: Path,
                      comparison: pd.DataFrame | None = None) -> list[str]:
    """Write ``report.html`` into ``folder`` (with the scenarios' ``comparison`` table, for the
    baseline); returns the names written."""
    plan_report(inst, plan, comparison).write(folder / REPORT_FILE)
    return [REPORT_FILE]


def _layers(inst: IntegratedInstance, plan: IntegratedPlan
            ) -> tuple[list[MapLayer], bool] | None:
    net = inst.network
    places = [*net.suppliers, *net.facilities, *net.customers]
    kinds = {p.located for p in places}
    if len(kinds) != 1 or kinds == {"none"}:
        return None
    latlon = kinds == {"latlon"}

    def at(p: object) -> tuple[float, float]:
        return (p.lat, p.lon) if latlon else (p.y, p.x)  # type: ignore[attr-defined]

    where = {p.id: at(p) for p in places}
    opened = list(plan.open_facilities)
    tint = {dc: colour(i) for i, dc in enumerate(opened)}
    money = plan.currency or ""
    bought: dict[str, float] = {}
    for p in plan.network.purchases:
        bought[p.supplier] = bought.get(p.supplier, 0.0) + p.quantity
    suppliers = [MapPoint(where[s.id], s.id, [("region", s.region),
                                              ("units bought", number(bought.get(s.id, 0)))],
                          color="#6a3d9a" if bought.get(s.id) else "#cab2d6")
                 for s in net.suppliers]
    inbound: dict[tuple[str, str], float] = {}
    for f in plan.network.flows:
        if f.echelon.value == "inbound":
            inbound[(f.origin, f.destination)] = inbound.get((f.origin, f.destination), 0) \
                + f.quantity
    biggest = max(inbound.values(), default=1.0) or 1.0
    flows = [MapLine([where[a], where[b]], f"{a} → {b}", [("units", f"{number(q)} per period")],
                     weight=1 + 5 * q / biggest) for (a, b), q in inbound.items()]
    use = {f.facility: f for f in plan.network.facilities}
    day_of = {f.facility: f for f in plan.facilities}
    dcs = [MapPoint(where[f.id], f.id, [
        ("open", "yes" if f.id in tint else "no"),
        ("throughput", f"{number(use[f.id].throughput)} units per period" if f.id in use
         else "-"),
        ("routes a day", f"{day_of[f.id].routes:,} ({km_text(day_of[f.id].km)})"
         if f.id in day_of else "-")],
        color=tint.get(f.id, "#bdbdbd")) for f in net.facilities]
    cost = {c.customer: c for c in plan.customers}
    zones = [MapPoint(where[c.id], c.id, [
        ("served by", cost[c.id].facilities if c.id in cost else "-"),
        ("demand", f"{number(cost[c.id].demand)} units per period" if c.id in cost else "-"),
        ("stops a day", f"{cost[c.id].stops:,}" if c.id in cost else "-"),
        ("cost to serve", f"{cost[c.id].cost_to_serve:,.2f} {money} per period"
         if c.id in cost else "-"),
        ("of which last mile", f"{cost[c.id].last_mile:,.2f} {money}" if c.id in cost
         else "-")],
        color=tint.get((cost[c.id].facilities if c.id in cost else "").split(";")[0],
                       "#d62728")) for c in net.customers]
    stop_at = {}
    for t in plan.stops:
        pair = (t.lat, t.lon) if latlon else (t.y, t.x)
        if pair[0] is not None:
            stop_at[t.stop] = pair
    # the routing plan of each route line: service start per stop, departure and return
    timed = {(day.facility, k): route for day in plan.days
             for k, route in enumerate(day.plan.routes, start=1)}
    starts = {v.stop: v.start for route in timed.values() for v in route.visits}
    orders = [MapPoint(stop_at[t.stop], t.stop, [
        ("zone", t.customer), ("load", f"{number(t.load)} units a day"),
        ("window", "; ".join(f"{hhmm(a)}-{hhmm(b)}" for a, b in t.time_windows) or "any time"),
        ("delivered at", hhmm(starts[t.stop]) if t.stop in starts else "-")],
        color=tint.get(t.facility)) for t in plan.stops if not t.at_zone and t.stop in stop_at]
    routes = []
    for r in plan.routes:
        chain = r.stops.split(";")
        if r.facility not in where or not all(c in stop_at for c in chain):
            continue
        route = timed.get((r.facility, r.route))
        times = ("-" if route is None else
                 f"{hhmm(route.start_time)} → {hhmm(route.end_time)} ({duration(r.hours)})")
        routes.append(MapLine([where[r.facility], *(stop_at[c] for c in chain),
                               where[r.facility]], f"{r.facility} {r.vehicle}",
                              [("stops", " → ".join(chain)),
                               ("load", f"{number(r.load)} units"),
                               ("distance", km_text(r.km)), ("leaves → back", times),
                               ("cost a day", f"{r.cost:,.2f} {money}")],
                              color=tint.get(r.facility)))
    return ([MapLayer("Suppliers", "circle", suppliers, color="#6a3d9a", radius=6,
                      legend="suppliers (pale: not used)"),
             MapLayer("Inbound flows", "line", flows, color="#8c564b", dashed=True,
                      opacity=0.6, legend="inbound flows (width: units)"),
             MapLayer("Routes of the day", "line", routes, color="#1f77b4",
                      legend="delivery routes of the representative day (colour of their "
                             "DC)"),
             MapLayer("Zones", "circle", zones, color="#1f77b4", radius=4,
                      legend="zones (colour of their DC; red: not served)"),
             MapLayer("Order stops", "circle", orders, color="#17becf", radius=3,
                      legend="orders with their own place"),
             MapLayer("DCs", "square", dcs, color="#212121", radius=7,
                      legend="DCs (grey: closed)")], not latlon)


def duration(hours: float) -> str:
    """A duration in hours as ``H:MM`` (``9:58``)."""
    minutes = round(hours * 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def _bars(plan: IntegratedPlan) -> list[GanttBar]:
    """The routing report's bars of every DC's day, each vehicle named with its DC."""
    return [replace(bar, vehicle=f"{day.facility} {bar.vehicle}")
            for day in plan.days for bar in route_bars(day.plan)]
