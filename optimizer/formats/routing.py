"""Routing instances and plans on disk: JSON, CSV folder, Excel workbook; plan tables.

In CSV and Excel, list cells hold values separated by ``;``: ``capacity`` / ``delivery`` /
``pickup`` one number per dimension (``1200;8.5``), ``skills`` ids, ``time_windows`` as
``start-end`` pairs in seconds (``28800-36000;50400-57600``), and a vehicle type's ``breaks`` as
``id@earliest-latest+duration`` (``lunch@41400-50400+1800``). A user matrix is inline in JSON, or
``distances.csv`` / ``durations.csv`` (square, no header) in a CSV folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from models.routing import (
    Depot,
    Route,
    RoutePlan,
    RoutingInstance,
    Stop,
    matrices,
    node_ids,
)
from models.routing.tables import MATRIX_FILES, ROUTING_TABLES
from optimizer.atomic import atomic_write_text
from optimizer.errors import InputError
from optimizer.formats.results import read_result_json, write_result_folder
from optimizer.formats.tables import (
    Form,
    TableSource,
    read_tables,
    validate_tables,
    write_tables,
)
from optimizer.reports.clock import (
    WEEK,
    hours,
    is_metric,
    km,
    minutes,
    time_text,
    window_text,
)


def read_routing_instance(path: Path | str, form: Form | None = None) -> RoutingInstance:
    """Read and validate a routing instance; errors name the file, the record and the field.

    A CSV folder may hold a user matrix as ``distances.csv`` (and ``durations.csv``): square,
    no header, metres and seconds, indexed by the ``matrix_index`` of depots and stops."""
    path = Path(path)
    data, source = read_tables(path, ROUTING_TABLES, form, extra_files=MATRIX_FILES)
    files = source.extra_files
    if "durations" in files and "distances" not in files:
        raise InputError([f"{files['durations']}: a durations matrix needs distances.csv "
                          f"beside it"])
    if "distances" in files:
        matrix = {"distances": _square(files["distances"])}
        if "durations" in files:
            matrix["durations"] = _square(files["durations"])
        data["matrix"] = matrix
    return _validate(data, source)


def _square(file: Path) -> list[list[float]]:
    """A square numeric CSV without header; errors name the line and column."""
    try:
        frame = pd.read_csv(file, header=None, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError([f"{file}: unreadable CSV: {exc}"]) from None
    rows = []
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        values = []
        for j, cell in enumerate(row, start=1):
            try:
                value = float(cell)
            except ValueError:
                raise InputError([f"{file}: line {i}: column {j}: not a number ({cell!r})"]
                                 ) from None
            if not value >= 0:
                raise InputError([f"{file}: line {i}: column {j}: must be 0 or more ({cell})"])
            values.append(value)
        rows.append(values)
    if any(len(r) != len(rows) for r in rows):
        raise InputError([f"{file}: the matrix must be square ({len(rows)} lines)"])
    return rows


def _validate(data: dict[str, Any], source: TableSource) -> RoutingInstance:
    return validate_tables(RoutingInstance, data, source, ROUTING_TABLES)


def routing_tables(instance: RoutingInstance) -> dict[str, Any]:
    """The instance as plain tables (the JSON form)."""
    return instance.model_dump(mode="json", exclude_none=True)


def write_routing_instance(instance: RoutingInstance, path: Path | str, form: Form) -> None:
    """Write ``instance`` as JSON, a CSV folder or an Excel workbook."""
    data = routing_tables(instance)
    matrix = data.pop("matrix", None)
    if form == "json" and matrix is not None:
        data["matrix"] = matrix
    if form != "json":
        if matrix is not None and form != "csv":
            raise InputError([f"{path}: an instance with a user matrix is written as JSON or "
                              f"a CSV folder"])
        for stop in data.get("stops", []):
            stop["time_windows"] = ";".join(f"{w['start']:.15g}-{w['end']:.15g}"
                                            for w in stop.get("time_windows", []))
        for vt in data["vehicle_types"]:
            vt["breaks"] = ";".join(f"{b['id']}@{b['earliest']:.15g}-{b['latest']:.15g}"
                                    f"+{b['duration']:.15g}" for b in vt.get("breaks", []))
    write_tables(data, ROUTING_TABLES, Path(path), form)
    if form == "csv" and matrix is not None:
        for name in ("distances", "durations"):
            if matrix.get(name) is not None:
                text = "\n".join(",".join(f"{v:.15g}" for v in row) for row in matrix[name])
                atomic_write_text(Path(path) / f"{name}.csv", text + "\n")


def read_routing_plan(path: Path | str) -> RoutePlan:
    """Read a plan JSON written by :func:`write_routing_plan` (or the folder holding it)."""
    return read_result_json(path, RoutePlan)


def _location_columns(inst: RoutingInstance) -> tuple[str, str]:
    """The location columns of the plan tables: ``x``/``y`` for planar instances, ``lat``/
    ``lon`` otherwise (empty for a matrix instance that gives no coordinates)."""
    return ("x", "y") if inst.distance.kind == "euclidean" else ("lat", "lon")


def _load(load: tuple[float, ...]) -> str:
    return ";".join(f"{q:g}" for q in load)


def _route_row(r: Route, metric: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "vehicle": f"{r.vehicle_type}#{r.vehicle}", "vehicle_type": r.vehicle_type,
        "start_depot": r.start_depot, "end_depot": r.end_depot, "stops": len(r.visits),
        "start": time_text(r.start_time, metric), "end": time_text(r.end_time, metric),
    }
    if metric:
        row |= {"distance_km": km(r.distance), "duration_h": hours(r.duration)}
    return row | {
        "cost": r.cost,
        "breaks": ";".join(f"{b.id}@{window_text(b.start, b.end, metric)}" for b in r.breaks),
        "start_s": r.start_time, "end_s": r.end_time, "distance": r.distance,
        "duration": r.duration,
    }


def _timeline(inst: RoutingInstance, r: Route, metric: bool) -> list[dict[str, Any]]:
    """One route as events in time order: depart, breaks and visits leg by leg, return.

    A break on leg ``i`` lies before visit ``i``; the driver drives until it (waiting first if
    the leg ends before the break may start), rests, then drives the rest of the leg. A break's
    ``distance`` is the part of the leg driven before it (the leg's time share), so the
    ``distance`` column adds up to the route's distance."""
    vt = inst.vehicle_type_by_id[r.vehicle_type]
    break_window = {b.id: (b.earliest, b.latest) for b in vt.breaks}
    cols = _location_columns(inst)
    index = {n: i for i, n in enumerate(node_ids(inst))}
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
        row["load"] = _load(load)
        if metric:
            row["distance_km"] = None if distance is None else km(distance)
        rows.append(row | {
            "arrival_s": arrival, "service_start_s": start, "departure_s": departure,
            "waiting_s": None if waiting is None else round(waiting, 6),
            "distance": None if distance is None else round(distance, 6),
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
        for b in sorted((b for b in r.breaks if b.leg == leg), key=lambda b: b.start):
            drive = min(left, max(0.0, b.start - t))
            idle = max(0.0, b.start - t - drive)
            part = dist * drive / travel if travel > 0 else 0.0
            window = (window_text(*break_window[b.id], metric)
                      if b.id in break_window else "")
            event("break", b.id, None, window, arrival=b.start - idle, start=b.start,
                  departure=b.end, waiting=idle, load=load, distance=part)
            left, driven, t = left - drive, driven + part, b.end
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
    """The plan as tables for people: routes, stops (the timeline of every route: departure,
    visits, breaks, return), unserved. See docs/routing-format.md for the columns."""
    metric = is_metric(inst)
    cols = _location_columns(inst)
    route_cols = ["vehicle", "vehicle_type", "start_depot", "end_depot", "stops", "start", "end",
                  *(("distance_km", "duration_h") if metric else ()), "cost", "breaks",
                  "start_s", "end_s", "distance", "duration"]
    stop_cols = ["vehicle", "sequence", "kind", "stop", *cols, "window", "arrival",
                 "service_start", "departure", *(("waiting_min",) if metric else ()), "load",
                 *(("distance_km",) if metric else ()), "arrival_s", "service_start_s",
                 "departure_s", "waiting_s", "distance"]
    unserved = []
    for u in plan.unserved:
        stop = inst.stop_by_id.get(u.stop)
        unserved.append(u.model_dump() | {
            cols[0]: getattr(stop, cols[0], None), cols[1]: getattr(stop, cols[1], None),
            "window": "" if stop is None else ";".join(
                window_text(w.start, w.end, metric) for w in stop.time_windows)})
    return {
        "routes": pd.DataFrame([_route_row(r, metric) for r in plan.routes], columns=route_cols),
        "stops": pd.DataFrame([row for r in plan.routes for row in _timeline(inst, r, metric)],
                              columns=stop_cols),
        "unserved": pd.DataFrame(unserved, columns=["stop", "reason", "detail", "penalty", *cols,
                                                    "window"]),
    }


def write_routing_plan(plan: RoutePlan, out_dir: Path | str,
                       inst: RoutingInstance) -> list[Path]:
    """Write ``plan.json`` (the plan as it is: seconds, metres), ``routes.csv``, ``stops.csv``
    and ``unserved.csv`` (for people: clocks, km, hours), atomically."""
    return write_result_folder(out_dir, {"plan": plan.model_dump(mode="json")},
                               plan_frames(plan, inst))


def routing_schema() -> dict[str, Any]:
    """JSON Schema of the routing instance."""
    return RoutingInstance.model_json_schema()
