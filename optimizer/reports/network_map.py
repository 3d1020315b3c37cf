"""PNG map of a network plan (matplotlib, no display needed): who serves whom.

Suppliers are black triangles; DCs are squares, open ones in their own colour with an area
proportional to their throughput, closed ones hollow and grey; customers are dots in the colour
of the DC that serves most of their units (a tie: the DC listed first in ``facilities``; red
crosses: nothing delivered). Flow lines join the places a plan moves goods between (all
products together): inbound lanes (supplier -> DC) in brown, outbound lanes (DC -> customer)
in the DC's colour, their width growing with the units moved. Places with ``lat``/``lon`` are
drawn in degrees with the aspect of the mean latitude (a degree of longitude is cos(latitude)
of a degree of latitude); ``x``/``y`` in their own units (km), equal aspect. The map frames
the DCs, the customers and the suppliers near them; far suppliers (another continent) are left
off, counted in the legend, their flow lines running off the edge towards them. A network whose
places lack coordinates (a benchmark with a cost matrix only) has no map: :func:`map_coordinates`
says so and :func:`write_network_map` writes nothing.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from models.network import Echelon, NetworkInstance, NetworkPlan
from optimizer.atomic import atomic_write

#: DCs named in the legend; the rest are counted in a last "+N more" entry.
MAX_LEGEND_DCS = 15
#: Suppliers farther than this many times the extent of the DCs and customers from them are
#: left off the map (their flow lines run off its edge, towards them).
NEAR = 1.0
#: Outbound lanes drawn at most (the largest); a network with more draws customers only.
MAX_LINES = 5000


def map_coordinates(inst: NetworkInstance) -> str | None:
    """``"lonlat"`` (degrees) or ``"xy"`` when every supplier, DC and customer has coordinates
    of that kind; None when some place has none (no map can be drawn)."""
    places = (*inst.suppliers, *inst.facilities, *inst.customers)
    kinds = {p.located for p in places}
    if kinds == {"latlon"}:
        return "lonlat"
    if kinds == {"xy"}:
        return "xy"
    return None


def why_no_map(inst: NetworkInstance) -> str:
    """One sentence saying why ``inst`` has no map (for the console)."""
    missing = [p.id for p in (*inst.suppliers, *inst.facilities, *inst.customers)
               if p.located == "none"]
    named = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3
                                      else "")
    return (f"no network map: {len(missing)} place(s) have no coordinates ({named}); give "
            f"every supplier, facility and customer lat/lon or x/y to get network.png")


def _colour(i: int) -> tuple[float, float, float, float]:
    from matplotlib import colormaps

    return colormaps["tab10" if i < 10 else "tab20"](i % 20)


def network_map_figure(inst: NetworkInstance, plan: NetworkPlan) -> Figure:
    """The map as a matplotlib figure (see the module docstring). Raises ValueError when the
    places have no coordinates (:func:`map_coordinates`)."""
    form = map_coordinates(inst)
    if form is None:
        raise ValueError(why_no_map(inst))
    geo = form == "lonlat"

    def xy(place: object) -> tuple[float, float]:
        return (place.lon, place.lat) if geo else (place.x, place.y)  # type: ignore[attr-defined]

    where = {p.id: xy(p) for p in (*inst.suppliers, *inst.facilities, *inst.customers)}
    use = {f.facility: f for f in plan.facilities}
    opened = [f.id for f in inst.facilities if use.get(f.id) is not None and use[f.id].open]
    colour = {f: _colour(i) for i, f in enumerate(opened)}
    lanes: dict[tuple[Echelon, str, str], float] = defaultdict(float)
    for flow in plan.flows:
        lanes[(flow.echelon, flow.origin, flow.destination)] += flow.quantity
    biggest = max(lanes.values(), default=1.0) or 1.0
    # The DC that delivers most of each customer's units (a tie: the first in the table).
    rank = {f.id: i for i, f in enumerate(inst.facilities)}
    best: dict[str, tuple[float, int]] = {}
    main_dc: dict[str, tuple[float, str]] = {}
    for (echelon, origin, destination), units in lanes.items():
        if echelon != Echelon.OUTBOUND or units <= 0:
            continue
        key = (units, -rank[origin])
        if key > best.get(destination, (0.0, 0)):
            best[destination] = key
            main_dc[destination] = (units, origin)

    fig = Figure(figsize=(12, 9), dpi=110, layout="constrained")
    ax = fig.subplots()
    ordered = sorted(lanes.items(), key=lambda item: -item[1])
    outbound = [item for item in ordered if item[0][0] == Echelon.OUTBOUND][:MAX_LINES]
    inbound = [item for item in ordered if item[0][0] == Echelon.INBOUND][:MAX_LINES]
    for (_, origin, destination), units in outbound:
        a, b = where[origin], where[destination]
        ax.plot([a[0], b[0]], [a[1], b[1]], color=colour.get(origin, "grey"), alpha=0.45,
                linewidth=0.4 + 2.0 * units / biggest, zorder=1)
    for (_, origin, destination), units in inbound:
        a, b = where[origin], where[destination]
        ax.plot([a[0], b[0]], [a[1], b[1]], color="#8c564b", alpha=0.7, linestyle="--",
                linewidth=0.6 + 3.0 * units / biggest, zorder=1)
    handles: list[object] = []
    customers = list(inst.customers)
    served = [c for c in customers if c.id in main_dc]
    if served:
        ax.scatter([where[c.id][0] for c in served], [where[c.id][1] for c in served], s=16,
                   c=[colour.get(main_dc[c.id][1], "grey") for c in served], zorder=2,
                   edgecolors="white", linewidths=0.3)
        handles.append(Line2D([], [], marker="o", linestyle="none", color="grey",
                              markersize=5, label=f"customers ({len(served)}), coloured by DC"))
    unserved = [c for c in customers if c.id not in main_dc]
    if unserved:
        handles.append(ax.scatter([where[c.id][0] for c in unserved],
                                  [where[c.id][1] for c in unserved], marker="x", s=30,
                                  color="red", zorder=3,
                                  label=f"nothing delivered ({len(unserved)})"))
    frame, far = _frame(inst, where)
    if inst.suppliers:
        label = f"suppliers ({len(inst.suppliers)})"
        if far:
            label = f"suppliers ({len(inst.suppliers)}; {far} far away, off the map)"
        handles.append(ax.scatter([where[s.id][0] for s in inst.suppliers],
                                  [where[s.id][1] for s in inst.suppliers], marker="^", s=55,
                                  color="black", zorder=4, label=label))
    if inbound:
        handles.append(Line2D([], [], color="#8c564b", linestyle="--",
                              label="inbound flow (width: units)"))
    if outbound:
        handles.append(Line2D([], [], color="grey", label="outbound flow (width: units)"))
    top = max((use[f].throughput for f in opened), default=0.0) or 1.0
    dc_handles: list[object] = []
    for f in inst.facilities:
        u = use.get(f.id)
        x, y = where[f.id]
        if u is not None and u.open:
            size = 80 + 520 * math.sqrt(u.throughput / top)
            share = "" if u.utilisation is None else f", {u.utilisation:.0%} used"
            ax.scatter([x], [y], marker="s", s=size, color=colour[f.id], edgecolors="black",
                       linewidths=1.0, zorder=5)
            dc_handles.append(Line2D([], [], marker="s", linestyle="none", markersize=9,
                                     markerfacecolor=colour[f.id], markeredgecolor="black",
                                     label=f"{f.id}: open, {u.size}{share}, "
                                           f"{u.throughput:,.0f} units"))
        else:
            ax.scatter([x], [y], marker="s", s=80, facecolors="none", edgecolors="grey",
                       linewidths=1.2, zorder=5)
        if len(inst.facilities) <= 40 or (u is not None and u.open):
            ax.annotate(f.id, (x, y), xytext=(7, 7), textcoords="offset points", fontsize=8,
                        fontweight="bold" if u is not None and u.open else "normal",
                        color="black" if u is not None and u.open else "grey", zorder=6,
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white",
                              "alpha": 0.8, "edgecolor": "none"})
    closed = len(inst.facilities) - len(opened)
    shown = dc_handles[:MAX_LEGEND_DCS]
    if len(dc_handles) > MAX_LEGEND_DCS:
        shown.append(Line2D([], [], linestyle="none",
                            label=f"+{len(dc_handles) - MAX_LEGEND_DCS} more open DCs"))
    if closed:
        shown.append(Line2D([], [], marker="s", linestyle="none", markerfacecolor="none",
                            markeredgecolor="grey", markersize=8,
                            label=f"closed DC ({closed})"))
    ax.legend(handles=[*shown, *handles], loc="upper left", bbox_to_anchor=(1.01, 1.0),
              fontsize=8, frameon=False, borderaxespad=0.0,
              title=f"{len(opened)} open DC(s), square area ~ throughput",
              title_fontsize=9, alignment="left")
    if geo:
        ax.set_xlabel("longitude (degrees east)")
        ax.set_ylabel("latitude (degrees north)")
        mean_lat = (frame[2] + frame[3]) / 2
        ax.set_aspect(1.0 / max(math.cos(math.radians(mean_lat)), 0.01))
    else:
        ax.set_xlabel("x (km)")
        ax.set_ylabel("y (km)")
        ax.set_aspect("equal")
    currency = f" {inst.policy.currency}" if inst.policy.currency else ""
    cost = "no plan" if plan.objective is None else f"cost {plan.objective:,.0f}{currency}"
    ax.set_title(f"{inst.name}: {len(opened)} of {len(inst.facilities)} DCs open, {cost} "
                 f"({plan.solve.status.value})")
    ax.set_xlim(frame[0], frame[1])
    ax.set_ylim(frame[2], frame[3])
    ax.grid(True, linewidth=0.3, alpha=0.5)
    return fig


def _frame(inst: NetworkInstance, where: dict[str, tuple[float, float]]
           ) -> tuple[tuple[float, float, float, float], int]:
    """The map's limits ``(x0, x1, y0, y1)``: the DCs and customers, and the suppliers within
    :data:`NEAR` times their extent of them, with a margin; and how many suppliers are left
    off (a Chinese supplier would shrink a German network to a dot)."""
    core = [where[p.id] for p in (*inst.facilities, *inst.customers)]
    x0, x1 = min(p[0] for p in core), max(p[0] for p in core)
    y0, y1 = min(p[1] for p in core), max(p[1] for p in core)
    reach = NEAR * max(x1 - x0, y1 - y0, 1.0)
    far = 0
    for s in inst.suppliers:
        x, y = where[s.id]
        if x0 - reach <= x <= x1 + reach and y0 - reach <= y <= y1 + reach:
            x0, x1, y0, y1 = min(x0, x), max(x1, x), min(y0, y), max(y1, y)
        else:
            far += 1
    pad = 0.06 * max(x1 - x0, y1 - y0, 1.0)
    return (x0 - pad, x1 + pad, y0 - pad, y1 + pad), far


def write_network_map(inst: NetworkInstance, plan: NetworkPlan, path: Path) -> bool:
    """Write the map as a PNG (atomically); False, writing nothing, when the places have no
    coordinates (:func:`why_no_map` says why)."""
    if map_coordinates(inst) is None:
        return False
    fig = network_map_figure(inst, plan)
    atomic_write(Path(path), lambda tmp: fig.savefig(tmp, format="png"))
    return True
