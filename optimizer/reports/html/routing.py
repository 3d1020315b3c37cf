"""report.html of a routing plan: KPIs, the cost waterfall, the route map, the timeline of every
vehicle, why stops are unserved, and the plan's tables (the frames of routes.csv, stops.csv,
unserved.csv)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import pandas as pd

from models.routing import RoutePlan, RoutingInstance, is_metric
from models.solver import SolveStatus
from optimizer.reports.html.charts import GanttBar
from optimizer.reports.html.map import MapLayer, MapLine, MapPoint, colour
from optimizer.reports.html.page import Kpi, Report, hhmm, km_text, number


def _coordinates(inst: RoutingInstance) -> str | None:
    """``xy``, ``latlon`` or None (a matrix instance without lat/lon)."""
    places = (*inst.depots, *inst.stops)
    if inst.distance.kind == "euclidean":
        return "xy" if all(p.x is not None and p.y is not None for p in places) else None
    if all(p.lat is not None and p.lon is not None for p in places):
        return "latlon"
    return None


def _cost_lines(inst: RoutingInstance, plan: RoutePlan) -> list[tuple[str, float]]:
    """Fixed, distance and time cost of the routes (when they add up to the routes' costs,
    else the cost per vehicle type), then the drop penalties."""
    metric = is_metric(inst)
    parts: dict[str, float] = defaultdict(float)
    by_type: dict[str, float] = defaultdict(float)
    for r in plan.routes:
        vt = inst.vehicle_type_by_id[r.vehicle_type]
        distance = r.distance / 1000.0 if metric else r.distance
        duration = r.duration / 3600.0 if metric else r.duration
        parts["vehicles (fixed)"] += vt.fixed_cost
        parts["distance"] += vt.cost_per_km * distance
        parts["time"] += vt.cost_per_hour * duration
        by_type[f"routes: {r.vehicle_type}"] += r.cost
    route_cost = sum(r.cost for r in plan.routes)
    lines = (list(parts.items()) if abs(sum(parts.values()) - route_cost)
             <= 1e-6 * max(1.0, abs(route_cost)) else list(by_type.items()))
    penalties = sum(u.penalty or 0.0 for u in plan.unserved)
    if penalties:
        lines.append(("drop penalties", penalties))
    return lines


def route_bars(plan: RoutePlan) -> list[GanttBar]:
    """Drive, wait, service and break bars of every route, from the plan's own times (for
    :meth:`Report.add_gantt`)."""
    bars: list[GanttBar] = []
    for r in plan.routes:
        name = f"{r.vehicle_type}#{r.vehicle}"
        t = r.start_time
        legs = defaultdict(list)
        for b in r.breaks:
            legs[b.leg].append(b)
        for leg in range(len(r.visits) + 1):
            arrival = r.visits[leg].arrival if leg < len(r.visits) else r.end_time
            for b in sorted(legs[leg], key=lambda b: b.start):
                if b.start > t:
                    bars.append(GanttBar(name, "drive", t, b.start, "on the way"))
                bars.append(GanttBar(name, "break", b.start, b.end, b.id))
                t = max(t, b.end)
            target = r.visits[leg].stop if leg < len(r.visits) else r.end_depot
            if arrival > t:
                bars.append(GanttBar(name, "drive", t, arrival, f"to {target}"))
            if leg < len(r.visits):
                v = r.visits[leg]
                if v.start > v.arrival:
                    bars.append(GanttBar(name, "wait", v.arrival, v.start, v.stop))
                if v.departure > v.start:
                    bars.append(GanttBar(name, "service", v.start, v.departure, v.stop))
                t = max(arrival, v.departure)
    return bars


def route_map_layers(inst: RoutingInstance, plan: RoutePlan) -> tuple[list[MapLayer], bool] | None:
    """The route map's layers and whether they are planar, for :meth:`Report.add_map`; None
    for a matrix instance without coordinates."""
    form = _coordinates(inst)
    return None if form is None else (_map_layers(inst, plan, form), form == "xy")


def _map_layers(inst: RoutingInstance, plan: RoutePlan, form: str) -> list[MapLayer]:
    metric = is_metric(inst)

    def at(place: object) -> tuple[float, float]:
        return ((place.lat, place.lon) if form == "latlon"  # type: ignore[attr-defined]
                else (place.y, place.x))  # type: ignore[attr-defined]

    def show(t: float) -> str:
        return hhmm(t) if metric else number(t)

    where = {p.id: at(p) for p in (*inst.depots, *inst.stops)}
    currency = inst.objective.currency
    routes, visited = [], []
    route_of: dict[str, tuple[str, int, str]] = {}
    for i, r in enumerate(plan.routes):
        name = f"{r.vehicle_type}#{r.vehicle}"
        chain = [r.start_depot, *(v.stop for v in r.visits), r.end_depot]
        distance = km_text(r.distance / 1000.0) if metric else number(r.distance)
        routes.append(MapLine(
            [where[c] for c in chain], name, fields=[
                ("depot", r.start_depot if r.start_depot == r.end_depot
                 else f"{r.start_depot} → {r.end_depot}"),
                ("stops", str(len(r.visits))), ("distance", distance),
                ("start - end", f"{show(r.start_time)} - {show(r.end_time)}"),
                ("cost", f"{r.cost:,.2f}" + (f" {currency}" if currency else ""))],
            color=colour(i), weight=3.0))
        for k, v in enumerate(r.visits, start=1):
            route_of[v.stop] = (name, k, colour(i))
            visited.append(MapPoint(where[v.stop], v.stop, fields=[
                ("vehicle", name), ("stop number", str(k)), ("arrival", show(v.arrival)),
                ("service", f"{show(v.start)} - {show(v.departure)}"),
                ("load after", ";".join(number(x) for x in v.load))], color=colour(i)))
    unserved = [MapPoint(where[u.stop], u.stop, fields=[("reason", u.reason),
                                                        ("detail", u.detail)])
                for u in plan.unserved if u.stop in where]
    idle = [MapPoint(where[s.id], s.id, fields=[("status", "not in the plan")])
            for s in inst.stops if s.id not in route_of
            and s.id not in {u.stop for u in plan.unserved}]
    used = {d for r in plan.routes for d in (r.start_depot, r.end_depot)}
    depots = [MapPoint(where[d.id], d.id, fields=[
        ("routes", str(sum(1 for r in plan.routes if d.id in (r.start_depot, r.end_depot))))],
        color="#212121" if d.id in used else "#9e9e9e") for d in inst.depots]
    return [
        MapLayer("Routes", "line", routes, color="#4e79a7", legend="routes (one colour each)"),
        MapLayer("Stops", "circle", visited, color="#4e79a7",
                 legend="stops (colour of their route)", radius=4),
        MapLayer("Unserved stops", "circle", unserved, color="#d62728", radius=6),
        MapLayer("Other stops", "circle", idle, color="#bdbdbd", radius=3),
        MapLayer("Depots", "square", depots, color="#212121", radius=6),
    ]


def routing_report(plan: RoutePlan, inst: RoutingInstance,
                   frames: Mapping[str, pd.DataFrame] | None = None) -> Report:
    """The report of a route plan; ``frames`` are the plan's tables (default:
    :meth:`RoutePlan.to_frames`)."""
    frames = plan.to_frames(inst) if frames is None else frames
    metric = is_metric(inst)
    currency = inst.objective.currency
    report = Report(f"Route plan: {inst.name}", currency=currency,
                    subtitle=f"status {plan.solve.status.value}, engine {plan.solve.engine}, "
                             f"{plan.solve.stop_reason}")
    served = sum(len(r.visits) for r in plan.routes)
    kpis = [Kpi("Total cost", report.money(plan.cost)),
            Kpi("Vehicles used", f"{plan.vehicles_used:,}",
                f"of {sum(vt.count for vt in inst.vehicle_types):,}"),
            Kpi("Stops served", f"{served:,}", f"of {len(inst.stops):,}"),
            Kpi("Unserved stops", f"{len(plan.unserved):,}"),
            Kpi("Distance", km_text(plan.distance / 1000.0) if metric
                else number(plan.distance)),
            Kpi("Driving + service time", f"{plan.duration / 3600.0:,.2f} h" if metric
                else number(plan.duration))]
    if plan.routes:
        kpis.append(Kpi("Working day", f"{hhmm(min(r.start_time for r in plan.routes))} - "
                                       f"{hhmm(max(r.end_time for r in plan.routes))}"
                        if metric else "-"))
    report.add_kpis(kpis)
    if plan.solve.status in (SolveStatus.INFEASIBLE, SolveStatus.NO_SOLUTION) or \
            plan.unserved:
        lines = [f"{u.stop}: {u.reason}" + (f" ({u.detail})" if u.detail else "")
                 for u in plan.unserved[:50]]
        if len(plan.unserved) > 50:
            lines.append(f"... and {len(plan.unserved) - 50} more (see the unserved table)")
        if plan.solve.status == SolveStatus.NO_SOLUTION:
            lines.insert(0, f"no plan within the limits: {plan.solve.stop_reason}")
        report.add_explanation(lines, title="Unserved stops and why")
    lines = _cost_lines(inst, plan)
    if lines:
        report.add_waterfall(lines)
    form = _coordinates(inst)
    if form is not None:
        report.add_map(_map_layers(inst, plan, form), planar=form == "xy",
                       title="Route map")
    report.add_gantt(route_bars(plan), clock_times=metric, title="Route timeline")
    return report.add_tables(frames)
