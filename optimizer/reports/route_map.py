"""PNG map of a route plan (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from models.routing import RoutePlan, RoutingInstance
from optimizer.atomic import atomic_write


def write_route_map(inst: RoutingInstance, plan: RoutePlan, path: Path) -> None:
    """Depots as squares, stops as dots, one coloured line per route; unserved stops as red
    crosses. Planar instances use x/y, geographic ones lon/lat; matrix instances have no map."""
    if inst.distance.kind == "matrix":
        return
    geo = inst.distance.kind == "haversine"

    def xy(place: object) -> tuple[float, float]:
        return (place.lon, place.lat) if geo else (place.x, place.y)  # type: ignore[attr-defined]

    places = {p.id: xy(p) for p in (*inst.depots, *inst.stops)}
    fig = Figure(figsize=(8, 8), dpi=110)
    ax = fig.subplots()
    ax.scatter([places[s.id][0] for s in inst.stops], [places[s.id][1] for s in inst.stops],
               s=8, color="#666666", zorder=2)
    for r in plan.routes:
        chain = [r.start_depot, *(v.stop for v in r.visits), r.end_depot]
        ax.plot([places[c][0] for c in chain], [places[c][1] for c in chain], linewidth=1.0,
                zorder=1)
    ax.scatter([places[d.id][0] for d in inst.depots], [places[d.id][1] for d in inst.depots],
               marker="s", s=60, color="black", zorder=3)
    if plan.unserved:
        ax.scatter([places[u.stop][0] for u in plan.unserved],
                   [places[u.stop][1] for u in plan.unserved], marker="x", s=40, color="red",
                   zorder=4)
    ax.set_title(f"{inst.name}: {plan.vehicles_used} routes, distance {plan.distance:,.1f}")
    ax.set_aspect("equal" if not geo else "auto")
    fig.tight_layout()
    atomic_write(Path(path), lambda tmp: fig.savefig(tmp, format="png"))
