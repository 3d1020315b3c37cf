"""A route plan as tidy tables (pandas DataFrames) for people and spreadsheets.

Units follow the instance's distance kind. Geographic (``haversine``) and ``matrix`` instances
are in metres and seconds: times read as ``HH:MM`` clocks (beside the seconds, ``arrival`` and
``arrival_s``), distances as km (``distance_km``, beside ``distance_m``), durations as hours.
Planar (``euclidean``) instances keep the abstract units of their coordinates (the benchmark
sets): plain numbers, never clocks, km or hours. Loads have one column per capacity dimension
(``load_1``, ``load_2``, ...). Money columns carry the currency when the instance names one
(``cost_EUR``). See docs/routing-format.md, "Outputs".

Clock rule: a time is rounded to the nearest minute and shown as ``HH:MM``; from the second
day on it gets a day prefix: 31.5 h after the start of the planning day is ``1d 07:30``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from models.routing.data import Depot, RoutingInstance, Stop
from models.routing.distances import matrices, node_ids

if TYPE_CHECKING:
    from models.routing.plan import Route, RoutePlan

#: Seconds in a week: the default closing time of a depot (``models.routing.Depot``).
WEEK = 7 * 86400.0


def is_metric(inst: RoutingInstance | None) -> bool:
    """True when the instance counts in metres and seconds (geographic or matrix); False for
    planar instances (abstract units) and when no instance is known."""
    return inst is not None and inst.distance.kind != "euclidean"


def clock(seconds: float) -> str:
    """``HH:MM`` (nearest minute), with a day prefix from the second day: ``1d 07:30``."""
    if seconds < 0:
        return "-" + clock(-seconds)
    minutes = math.floor(seconds / 60.0 + 0.5)
    days, rest = divmod(minutes, 1440)
    text = f"{rest // 60:02d}:{rest % 60:02d}"
    return f"{days}d {text}" if days else text


def plain(value: float, digits: int = 2) -> str:
    """A number with at most ``digits`` decimals and no trailing zeros: ``912.5``, ``70``."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return "0" if text in ("-0", "") else text


def time_text(value: float, metric: bool) -> str:
    """A clock for metric instances, the plain number for planar ones."""
    return clock(value) if metric else plain(value)


def window_text(start: float, end: float, metric: bool) -> str:
    """``08:00-10:30`` (metric) or ``120-250`` (planar)."""
    return f"{time_text(start, metric)}-{time_text(end, metric)}"


def km(metres: float) -> float:
    """Metres to km, rounded to 10 m."""
    return round(metres / 1000.0, 2)


def hours(seconds: float) -> float:
    """Seconds to hours, rounded to 36 s."""
    return round(seconds / 3600.0, 2)


def minutes(seconds: float) -> float:
    """Seconds to minutes, rounded to 6 s."""
    return round(seconds / 60.0, 1)


def _location_columns(inst: RoutingInstance) -> tuple[str, str]:
    """``x``/``y`` for planar instances, ``lat``/``lon`` otherwise (empty for a matrix
    instance that gives no coordinates)."""
    return ("x", "y") if inst.distance.kind == "euclidean" else ("lat", "lon")


def dimensions(inst: RoutingInstance) -> int:
    """Capacity dimensions: the most any vehicle type or stop has."""
    sizes = [len(vt.capacity) for vt in inst.vehicle_types]
    sizes += [max(len(s.delivery), len(s.pickup)) for s in inst.stops]
    return max(sizes, default=0)


class _Names:
    """Column names for one instance: units and currency in the names."""

    def __init__(self, inst: RoutingInstance) -> None:
        self.metric = is_metric(inst)
        currency = inst.objective.currency
        self.cost = f"cost_{currency}" if currency else "cost"
        self.penalty = f"penalty_{currency}" if currency else "penalty"
        self.distance = "distance_m" if self.metric else "distance"
        self.duration = "duration_s" if self.metric else "duration"
        self.loads = [f"load_{i}" for i in range(1, dimensions(inst) + 1)]


def _loads(names: _Names, load: tuple[float, ...]) -> dict[str, float | None]:
    return {name: (load[i] if i < len(load) else None) for i, name in enumerate(names.loads)}


def _route_row(r: Route, n: _Names) -> dict[str, Any]:
    metric = n.metric
    row: dict[str, Any] = {
        "vehicle": f"{r.vehicle_type}#{r.vehicle}", "vehicle_type": r.vehicle_type,
        "start_depot": r.start_depot, "end_depot": r.end_depot, "stops": len(r.visits),
        "start": time_text(r.start_time, metric), "end": time_text(r.end_time, metric),
    }
    if metric:
        row |= {"distance_km": km(r.distance), "duration_h": hours(r.duration)}
    return row | {
        n.cost: round(r.cost, 2) if metric else r.cost,  # money to the cent on real days
        "breaks": ";".join(f"{b.id}@{window_text(b.start, b.end, metric)}" for b in r.breaks),
        "start_s": _exact(r.start_time, metric), "end_s": _exact(r.end_time, metric),
        n.distance: _exact(r.distance, metric), n.duration: _exact(r.duration, metric),
    }


def _exact(value: float | None, metric: bool) -> float | None:
    """A second or metre column for people: to the millisecond/millimetre, without float noise
    (28799.999999 -> 28800.0); planar benchmark units and plan.json keep every digit."""
    if value is None or not metric:
        return value
    return round(value, 3) + 0.0


def _timeline(inst: RoutingInstance, r: Route, n: _Names) -> list[dict[str, Any]]:
    """One route as events in time order: depart, breaks and visits leg by leg, return.

    A break on leg ``i`` lies before visit ``i``; the driver drives until it (waiting first if
    the leg ends before the break may start), rests, then drives the rest of the leg. A break's
    distance is the part of the leg driven before it (the leg's time share), so the distance
    column adds up to the route's distance."""
    metric = n.metric
    vt = inst.vehicle_type_by_id[r.vehicle_type]
    break_window = {b.id: (b.earliest, b.latest) for b in vt.breaks}
    cols = _location_columns(inst)
    index = {node: i for i, node in enumerate(node_ids(inst))}
    chain = [index[r.start_depot], *(index[v.stop] for v in r.visits), index[r.end_depot]]
    legs = matrices(inst, vt)
    rows: list[dict[str, Any]] = []

    def event(kind: str, ident: str, place: Depot | Stop | None, window: str,
              arrival: float | None = None, start: float | None = None,
              departure: float | None = None, waiting: float | None = None,
              load: tuple[float, ...] = (), distance: float | None = None) -> None:
        row: dict[str, Any] = {
            "vehicle": f"{r.vehicle_type}#{r.vehicle}", "sequence": len(rows) + 1,
            "kind": kind, "stop": ident,
            cols[0]: None if place is None else getattr(place, cols[0]),
            cols[1]: None if place is None else getattr(place, cols[1]),
            "window": window,
            "arrival": None if arrival is None else time_text(arrival, metric),
            "service_start": None if start is None else time_text(start, metric),
            "departure": None if departure is None else time_text(departure, metric),
        }
        if metric:
            row["waiting_min"] = None if waiting is None else minutes(waiting)
        row |= _loads(n, load)
        if metric:
            row["distance_km"] = None if distance is None else km(distance)
        rows.append(row | {
            "arrival_s": _exact(arrival, metric), "service_start_s": _exact(start, metric),
            "departure_s": _exact(departure, metric), "waiting_s": _exact(waiting, metric),
            n.distance: _exact(distance, metric),
        })

    def depot_window(depot: Depot) -> str:
        if depot.open <= 0 and depot.close >= WEEK:
            return ""
        return window_text(depot.open, depot.close, metric)

    start_depot, end_depot = inst.depot_by_id[r.start_depot], inst.depot_by_id[r.end_depot]
    event("depart", r.start_depot, start_depot, depot_window(start_depot),
          departure=r.start_time, load=r.start_load)
    t, load = r.start_time, r.start_load
    for leg in range(len(r.visits) + 1):
        a, b = chain[leg], chain[leg + 1]
        dist, travel = float(legs.distance[a, b]), float(legs.duration[a, b])
        left, driven = travel, 0.0
        for brk in sorted((x for x in r.breaks if x.leg == leg), key=lambda x: x.start):
            drive = min(left, max(0.0, brk.start - t))
            idle = max(0.0, brk.start - t - drive)
            part = dist * drive / travel if travel > 0 else 0.0
            window = (window_text(*break_window[brk.id], metric)
                      if brk.id in break_window else "")
            event("break", brk.id, None, window, arrival=brk.start - idle, start=brk.start,
                  departure=brk.end, waiting=idle, load=load, distance=part)
            left, driven, t = left - drive, driven + part, brk.end
        rest = max(0.0, dist - driven)
        if leg < len(r.visits):
            v = r.visits[leg]
            stop = inst.stop_by_id[v.stop]
            event("visit", v.stop, stop, ";".join(window_text(w.start, w.end, metric)
                                                  for w in stop.time_windows),
                  arrival=v.arrival, start=v.start, departure=v.departure,
                  waiting=v.start - v.arrival, load=v.load, distance=rest)
            t, load = v.departure, v.load
        else:
            event("return", r.end_depot, end_depot, depot_window(end_depot),
                  arrival=r.end_time, load=load, distance=rest)
    return rows


def plan_frames(plan: RoutePlan, inst: RoutingInstance) -> dict[str, pd.DataFrame]:
    """The plan as tables for people: ``routes``, ``stops`` (the timeline of every route:
    departure, visits, breaks, return) and ``unserved``. See docs/routing-format.md."""
    n = _Names(inst)
    metric = n.metric
    cols = _location_columns(inst)
    route_cols = ["vehicle", "vehicle_type", "start_depot", "end_depot", "stops", "start", "end",
                  *(("distance_km", "duration_h") if metric else ()), n.cost, "breaks",
                  "start_s", "end_s", n.distance, n.duration]
    stop_cols = ["vehicle", "sequence", "kind", "stop", *cols, "window", "arrival",
                 "service_start", "departure", *(("waiting_min",) if metric else ()), *n.loads,
                 *(("distance_km",) if metric else ()), "arrival_s", "service_start_s",
                 "departure_s", "waiting_s", n.distance]
    unserved = []
    for u in plan.unserved:
        stop = inst.stop_by_id.get(u.stop)
        unserved.append({
            "stop": u.stop, "reason": u.reason, "detail": u.detail, n.penalty: u.penalty,
            cols[0]: getattr(stop, cols[0], None), cols[1]: getattr(stop, cols[1], None),
            "window": "" if stop is None else ";".join(
                window_text(w.start, w.end, metric) for w in stop.time_windows)})
    return {
        "routes": pd.DataFrame([_route_row(r, n) for r in plan.routes], columns=route_cols),
        "stops": pd.DataFrame([row for r in plan.routes for row in _timeline(inst, r, n)],
                              columns=stop_cols),
        "unserved": pd.DataFrame(unserved, columns=["stop", "reason", "detail", n.penalty,
                                                    *cols, "window"]),
    }
