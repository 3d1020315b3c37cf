"""report.html of a network plan: KPIs, the cost waterfall, the map (suppliers, DCs, customers,
inbound and outbound flows, and the delivery routes of a day in routes mode), why there is no
plan when infeasible, and the plan's tables (the frames its CSVs hold)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import pandas as pd

from models.network import Echelon, NetworkInstance, NetworkPlan
from models.solver import SolveStatus
from optimizer.reports.html.map import MapLayer, MapLine, MapPoint, colour
from optimizer.reports.html.page import Kpi, Report, km_text, number

#: Cost lines of a network plan, in the order of the chain, with their labels.
COST_LINES = (("purchase", "purchase"), ("onboarding", "supplier onboarding"),
              ("inbound", "inbound transport"), ("facility_fixed", "DC fixed"),
              ("closing", "DC closing"), ("handling", "DC handling"),
              ("outbound", "outbound / last mile"), ("shortage", "shortage penalty"))

#: Suppliers farther than this many times the extent of the DCs and customers from them are
#: outside the initial view (the map still holds them: zoom out).
NEAR = 1.0


def _form(inst: NetworkInstance) -> str | None:
    kinds = {p.located for p in (*inst.suppliers, *inst.facilities, *inst.customers)}
    return kinds.pop() if len(kinds) == 1 and kinds != {"none"} else None


def _stop_ids(route: Any) -> list[str]:
    ids = getattr(route, "stop_ids", None)
    if ids is not None:
        return list(ids)
    stops = getattr(route, "stops", "")
    return [s for s in (stops.split(";") if isinstance(stops, str) else stops) if s]


def network_map_layers(inst: NetworkInstance, plan: NetworkPlan
                       ) -> tuple[list[MapLayer], bool] | None:
    """The network map's layers (suppliers, flows, delivery routes, customers, DCs) and whether
    they are planar, for :meth:`Report.add_map`; None when some place has no coordinates."""
    form = _form(inst)
    if form is None:
        return None
    return _map_layers(inst, plan, form, inst.policy.currency), form == "xy"


def _map_layers(inst: NetworkInstance, plan: NetworkPlan, form: str,
                currency: str | None) -> list[MapLayer]:
    def at(place: Any) -> tuple[float, float]:
        return (place.lat, place.lon) if form == "latlon" else (place.y, place.x)

    def cash(value: float) -> str:
        return f"{value:,.2f}" + (f" {currency}" if currency else "")

    where = {p.id: at(p) for p in (*inst.suppliers, *inst.facilities, *inst.customers)}
    use = {f.facility: f for f in plan.facilities}
    opened = [f.id for f in inst.facilities if f.id in use and use[f.id].open]
    dc_colour = {f: colour(i) for i, f in enumerate(opened)}
    lanes: dict[tuple[Echelon, str, str], dict[str, float]] = defaultdict(
        lambda: defaultdict(float))
    lane_cost: dict[tuple[Echelon, str, str], float] = defaultdict(float)
    lane_km: dict[tuple[Echelon, str, str], float | None] = {}
    for flow in plan.flows:
        key = (flow.echelon, flow.origin, flow.destination)
        lanes[key][flow.product] += flow.quantity
        lane_cost[key] += flow.cost
        lane_km[key] = flow.km
    biggest = max((sum(p.values()) for p in lanes.values()), default=1.0) or 1.0
    main_dc: dict[str, tuple[float, str]] = {}
    for (echelon, origin, destination), products in lanes.items():
        units = sum(products.values())
        if echelon == Echelon.OUTBOUND and units > main_dc.get(destination, (0.0, ""))[0]:
            main_dc[destination] = (units, origin)

    def line(key: tuple[Echelon, str, str], base: float, tint: str | None) -> MapLine:
        _, origin, destination = key
        units = sum(lanes[key].values())
        fields = [(f"units of {p}", number(q)) for p, q in sorted(lanes[key].items())]
        fields.append(("cost", cash(lane_cost[key])))
        if lane_km.get(key) is not None:
            fields.append(("distance", km_text(lane_km[key])))
        return MapLine([where[origin], where[destination]], f"{origin} → {destination}",
                       fields, color=tint, weight=base + 6.0 * units / biggest)

    inbound = [line(k, 1.0, None) for k in lanes if k[0] == Echelon.INBOUND
               and k[1] in where and k[2] in where]
    outbound = [line(k, 0.8, dc_colour.get(k[1], "#7f7f7f")) for k in lanes
                if k[0] == Echelon.OUTBOUND and k[1] in where and k[2] in where]
    service = {c.customer: c for c in plan.customers}
    customers, unserved = [], []
    for c in inst.customers:
        s = service.get(c.id)
        fields = [("name", c.name)] if c.name else []
        if s is not None:
            fields += [("served by", s.facilities or "-"), ("demand", number(s.demand)),
                       ("served", number(s.served)), ("shortage", number(s.shortage)),
                       ("cost to serve", cash(s.cost_to_serve))]
        if c.id in main_dc:
            customers.append(MapPoint(where[c.id], c.id, fields,
                                      color=dc_colour.get(main_dc[c.id][1], "#7f7f7f")))
        else:
            unserved.append(MapPoint(where[c.id], c.id, fields))
    open_dcs, closed_dcs = [], []
    for f in inst.facilities:
        u = use.get(f.id)
        fields = [("name", f.name)] if f.name else []
        if u is not None:
            fields += [("status", f"{'open' if u.open else 'closed'} ({u.status})")]
            if u.open:
                fields += [("size", u.size or "-"), ("throughput", number(u.throughput)),
                           ("utilisation", "-" if u.utilisation is None
                            else f"{u.utilisation:.1%}"),
                           ("fixed cost", cash(u.fixed_cost)),
                           ("customers", str(u.customers))]
        if u is not None and u.open:
            open_dcs.append(MapPoint(where[f.id], f.id, fields, color=dc_colour[f.id]))
        else:
            closed_dcs.append(MapPoint(where[f.id], f.id, fields))
    bought = defaultdict(float)
    spend = defaultdict(float)
    for p in plan.purchases:
        bought[p.supplier] += p.quantity
        spend[p.supplier] += p.cost
    suppliers = [MapPoint(where[s.id], s.id,
                          [("region", s.region), ("units bought", number(bought[s.id])),
                           ("spend", cash(spend[s.id]))],
                          color="#6a3d9a" if bought[s.id] > 0 else "#cab2d6")
                 for s in inst.suppliers]
    routes = []
    for i, r in enumerate(getattr(plan, "routes", ()) or ()):
        chain = [r.facility, *_stop_ids(r), r.facility]
        if not all(c in where for c in chain):
            continue
        routes.append(MapLine([where[c] for c in chain],
                              f"{r.facility} route {r.route} ({r.vehicle_type})",
                              [("stops", " → ".join(chain[1:-1])), ("load", number(r.load)),
                               ("distance", km_text(r.km)), ("hours", f"{r.hours:,.2f} h"),
                               ("cost per day", cash(r.cost))], color=colour(i)))
    near = _suppliers_near(inst, where)
    layers = [
        MapLayer("Suppliers", "circle", suppliers, color="#6a3d9a", radius=6, fit=near,
                 legend="suppliers (pale: not used)"),
        MapLayer("Inbound flows", "line", inbound, color="#8c564b", dashed=True,
                 opacity=0.7, legend="inbound flows (width: units)", fit=near),
        MapLayer("Outbound flows", "line", outbound, color="#7f7f7f", opacity=0.5,
                 legend="outbound flows (colour of the DC, width: units)",
                 show=not routes),
        MapLayer("Delivery routes", "line", routes, color="#1f77b4",
                 legend="delivery routes of a day (one colour each)"),
        MapLayer("Customers", "circle", customers, color="#1f77b4", radius=4,
                 legend="customers (colour of their DC)"),
        MapLayer("Customers not served", "circle", unserved, color="#d62728", radius=5),
        MapLayer("Closed DCs", "square", closed_dcs, color="#bdbdbd", radius=4),
        MapLayer("Open DCs", "square", open_dcs, color="#212121", radius=7,
                 legend="open DCs (each its colour)"),
    ]
    return layers


def _suppliers_near(inst: NetworkInstance, where: Mapping[str, tuple[float, float]]) -> bool:
    """True when every supplier lies within :data:`NEAR` times the extent of the DCs and
    customers (then the first view frames them too)."""
    core = [where[p.id] for p in (*inst.facilities, *inst.customers) if p.id in where]
    if not core:
        return True
    a0, a1 = min(p[0] for p in core), max(p[0] for p in core)
    b0, b1 = min(p[1] for p in core), max(p[1] for p in core)
    reach = NEAR * max(a1 - a0, b1 - b0, 1.0)
    return all(a0 - reach <= where[s.id][0] <= a1 + reach and
               b0 - reach <= where[s.id][1] <= b1 + reach for s in inst.suppliers)


def network_report(plan: NetworkPlan, inst: NetworkInstance,
                   frames: Mapping[str, pd.DataFrame] | None = None) -> Report:
    """The report of a network plan; ``frames`` are the plan's tables (default:
    :meth:`NetworkPlan.to_frames` with the instance's currency)."""
    currency = inst.policy.currency
    frames = plan.to_frames(currency) if frames is None else frames
    s = plan.solve
    report = Report(f"Network plan: {inst.name}", currency=currency,
                    subtitle=f"status {s.status.value} ({s.stop_reason}), method "
                             f"{s.method.value}, solver {s.solver}"
                             + ("" if s.gap is None else f", gap {s.gap:.2%}"))
    demand = sum(c.demand for c in plan.customers)
    served = sum(c.served for c in plan.customers)
    kpis = [Kpi("Total cost", report.money(plan.objective), "per period"),
            Kpi("Open DCs", f"{len(plan.open_facilities):,}", f"of {len(inst.facilities):,}"),
            Kpi("Demand served", "-" if not demand else f"{served / demand:.1%}",
                f"{number(served)} of {number(demand)} units"),
            Kpi("Suppliers used", f"{len({p.supplier for p in plan.purchases}):,}",
                f"of {len(inst.suppliers):,}")]
    routes = getattr(plan, "routes", ()) or ()
    if routes:
        kpis.append(Kpi("Delivery routes", f"{len(routes):,}", "per delivery day"))
        kpis.append(Kpi("Route distance", km_text(sum(r.km for r in routes)),
                        "per delivery day"))
    if s.best_bound is not None and s.status != SolveStatus.OPTIMAL:
        kpis.append(Kpi("Best bound", report.money(s.best_bound)))
    report.add_kpis(kpis)
    if plan.infeasibility or plan.cost is None:
        lines = list(plan.infeasibility) or [f"no plan: {s.status.value} ({s.stop_reason})"]
        report.add_explanation(lines, title="Why there is no plan" if plan.cost is None
                               else "What the plan could not meet")
    if plan.cost is not None:
        report.add_waterfall([(label, getattr(plan.cost, key, 0.0) or 0.0)
                              for key, label in COST_LINES])
    form = _form(inst)
    if form is not None:
        report.add_map(_map_layers(inst, plan, form, currency), planar=form == "xy",
                       title="Network map")
    else:
        report.add_notes("Network map", ["No map: some suppliers, DCs or customers have no "
                                         "coordinates (give every place lat/lon or x/y)."])
    return report.add_tables(frames)
