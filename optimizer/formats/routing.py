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
from pydantic import ValidationError

from models.routing import (
    Depot,
    DistanceSpec,
    Objective,
    RoutePlan,
    RoutingInstance,
    Shipment,
    Stop,
    VehicleType,
)
from optimizer.atomic import atomic_write_text
from optimizer.errors import InputError
from optimizer.formats.tables import (
    Form,
    TableSource,
    TableSpec,
    read_result_json,
    read_tables,
    validation_problems,
    write_result_folder,
    write_tables,
)

ROUTING_TABLES: tuple[TableSpec, ...] = (
    TableSpec("depots", Depot),
    TableSpec("vehicle_types", VehicleType, list_fields=("capacity", "skills", "breaks")),
    TableSpec("stops", Stop, optional=True,
              list_fields=("delivery", "pickup", "skills", "time_windows")),
    TableSpec("shipments", Shipment, optional=True),
    TableSpec("distance", DistanceSpec, optional=True, single=True),
    TableSpec("objective", Objective, optional=True, single=True),
)
_SPECS = {spec.name: spec for spec in ROUTING_TABLES}


def read_routing_instance(path: Path | str, form: Form | None = None) -> RoutingInstance:
    """Read and validate a routing instance; errors name the file, the record and the field.

    A CSV folder may hold a user matrix as ``distances.csv`` (and ``durations.csv``): square,
    no header, metres and seconds, indexed by the ``matrix_index`` of depots and stops."""
    path = Path(path)
    data, source = read_tables(path, ROUTING_TABLES, form)
    if source.form == "csv" and (path / "distances.csv").exists():
        matrix = {"distances": _square(path / "distances.csv")}
        if (path / "durations.csv").exists():
            matrix["durations"] = _square(path / "durations.csv")
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
    try:
        return RoutingInstance.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_problems(exc, source, _SPECS)) from None


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


def plan_frames(plan: RoutePlan) -> dict[str, pd.DataFrame]:
    """The plan as tables: routes, stops (one row per visit), unserved."""
    routes = [{
        "vehicle": f"{r.vehicle_type}#{r.vehicle}", "vehicle_type": r.vehicle_type,
        "start_depot": r.start_depot, "end_depot": r.end_depot, "stops": len(r.visits),
        "start_time": r.start_time, "end_time": r.end_time, "distance": r.distance,
        "duration": r.duration, "cost": r.cost,
        "breaks": ";".join(f"{b.id}@{b.start:.15g}-{b.end:.15g}" for b in r.breaks),
    } for r in plan.routes]
    visits = [{
        "vehicle": f"{r.vehicle_type}#{r.vehicle}", "sequence": n, "stop": v.stop,
        "arrival": v.arrival, "service_start": v.start, "departure": v.departure,
        "load": ";".join(f"{q:g}" for q in v.load),
    } for r in plan.routes for n, v in enumerate(r.visits, start=1)]
    return {
        "routes": pd.DataFrame(routes, columns=["vehicle", "vehicle_type", "start_depot",
                                                "end_depot", "stops", "start_time", "end_time",
                                                "distance", "duration", "cost", "breaks"]),
        "stops": pd.DataFrame(visits, columns=["vehicle", "sequence", "stop", "arrival",
                                               "service_start", "departure", "load"]),
        "unserved": pd.DataFrame([u.model_dump() for u in plan.unserved],
                                 columns=["stop", "reason", "detail", "penalty"]),
    }


def write_routing_plan(plan: RoutePlan, out_dir: Path | str) -> list[Path]:
    """Write ``plan.json``, ``routes.csv``, ``stops.csv`` and ``unserved.csv``, atomically."""
    return write_result_folder(out_dir, {"plan": plan.model_dump(mode="json")},
                               plan_frames(plan))


def routing_schema() -> dict[str, Any]:
    """JSON Schema of the routing instance."""
    return RoutingInstance.model_json_schema()
