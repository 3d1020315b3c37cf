"""PNG map of a route plan (matplotlib, no display needed), for a manager to read.

One coloured line per route with a legend entry per vehicle (id, stops, distance), depots as
labelled black squares, stops as grey dots, unserved stops as red crosses. Geographic instances
(and matrix instances that give every place lat/lon) are drawn in degrees with the aspect of
the mean latitude (a degree of longitude is cos(latitude) of a degree of latitude, so distances
look the same in every direction); planar ones in their own units, equal aspect. Distances in
the legend follow the plan tables: km for geographic and matrix instances (metres), plain
units for planar ones. A large fleet keeps its legend outside the map, capped with "+N more".
"""

from __future__ import annotations

import math
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from models.routing import RoutePlan, RoutingInstance, is_metric
from optimizer.atomic import atomic_write

#: Vehicles named in the legend; the rest are counted in a last "+N more" entry.
MAX_LEGEND_VEHICLES = 20
#: Depots labelled with their id (a plan with more depots labels the ones its routes use).
MAX_DEPOT_LABELS = 30


def map_coordinates(inst: RoutingInstance) -> str | None:
    """``"xy"`` (planar), ``"lonlat"`` (degrees), or None when the places have no
    coordinates to draw (a matrix instance without lat/lon)."""
    places = (*inst.depots, *inst.stops)
    if inst.distance.kind == "euclidean":
        return "xy"
    if all(p.lat is not None and p.lon is not None for p in places):
        return "lonlat"
    return None


def route_map_figure(inst: RoutingInstance, plan: RoutePlan) -> Figure:
    """The map as a matplotlib figure (see the module docstring). Raises ValueError when the
    instance has no coordinates (:func:`map_coordinates`)."""
    form = map_coordinates(inst)
    if form is None:
        raise ValueError(f"{inst.name}: a matrix instance without lat/lon has no map")
    geo = form == "lonlat"
    metric = is_metric(inst)

    def xy(place: object) -> tuple[float, float]:
        return (place.lon, place.lat) if geo else (place.x, place.y)  # type: ignore[attr-defined]

    places = {p.id: xy(p) for p in (*inst.depots, *inst.stops)}
    fig = Figure(figsize=(11, 8), dpi=110, layout="constrained")
    ax = fig.subplots()
    colours = [f"C{i}" for i in range(10)] if len(plan.routes) <= 10 else [
        _tab20(i) for i in range(20)]
    ax.scatter([places[s.id][0] for s in inst.stops], [places[s.id][1] for s in inst.stops],
               s=10, color="#777777", zorder=2, label="_stops")
    handles: list[Line2D] = []
    unit = "km" if metric else "units"
    for i, r in enumerate(plan.routes):
        chain = [r.start_depot, *(v.stop for v in r.visits), r.end_depot]
        (line,) = ax.plot([places[c][0] for c in chain], [places[c][1] for c in chain],
                          linewidth=1.4, color=colours[i % len(colours)], zorder=1,
                          marker="o", markersize=2.5)
        distance = r.distance / 1000 if metric else r.distance
        line.set_label(f"{r.vehicle_type}#{r.vehicle}: {len(r.visits)} stops, "
                       f"{distance:,.1f} {unit}")
        handles.append(line)
    shown = handles[:MAX_LEGEND_VEHICLES]
    if len(handles) > MAX_LEGEND_VEHICLES:
        shown.append(Line2D([], [], linestyle="none",
                            label=f"+{len(handles) - MAX_LEGEND_VEHICLES} more vehicles"))
    depot_xy = [places[d.id] for d in inst.depots]
    shown.append(ax.scatter([p[0] for p in depot_xy], [p[1] for p in depot_xy], marker="s",
                            s=70, color="black", zorder=3, label="depot"))
    used = {d for r in plan.routes for d in (r.start_depot, r.end_depot)}
    labelled = [d for d in inst.depots if len(inst.depots) <= MAX_DEPOT_LABELS or d.id in used]
    for d in labelled[:MAX_DEPOT_LABELS]:
        ax.annotate(d.id, places[d.id], xytext=(5, 5), textcoords="offset points",
                    fontsize=9, fontweight="bold", zorder=5,
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.8,
                          "edgecolor": "none"})
    if plan.unserved:
        shown.append(ax.scatter([places[u.stop][0] for u in plan.unserved],
                                [places[u.stop][1] for u in plan.unserved], marker="x", s=50,
                                color="red", zorder=4,
                                label=f"unserved ({len(plan.unserved)})"))
    ax.legend(handles=shown, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
              title=f"{plan.vehicles_used} vehicle(s)", borderaxespad=0.0, frameon=False)
    if geo:
        ax.set_xlabel("longitude (degrees east)")
        ax.set_ylabel("latitude (degrees north)")
        mean_lat = sum(p[1] for p in places.values()) / len(places)
        ax.set_aspect(1.0 / max(math.cos(math.radians(mean_lat)), 0.01))
    else:
        ax.set_xlabel("x (instance distance units)")
        ax.set_ylabel("y (instance distance units)")
        ax.set_aspect("equal")
    total = plan.distance / 1000 if metric else plan.distance
    currency = f" {inst.objective.currency}" if inst.objective.currency else ""
    ax.set_title(f"{inst.name}: {plan.vehicles_used} routes, {total:,.1f} {unit}, "
                 f"cost {plan.cost:,.2f}{currency}")
    ax.grid(True, linewidth=0.3, alpha=0.5)
    return fig


def _tab20(i: int) -> tuple[float, float, float, float]:
    from matplotlib import colormaps

    return colormaps["tab20"](i % 20)


def write_route_map(inst: RoutingInstance, plan: RoutePlan, path: Path) -> bool:
    """Write the map as a PNG (atomically); False, writing nothing, when the instance has no
    coordinates (a matrix instance without lat/lon)."""
    if map_coordinates(inst) is None:
        return False
    fig = route_map_figure(inst, plan)
    atomic_write(Path(path), lambda tmp: fig.savefig(tmp, format="png"))
    return True
