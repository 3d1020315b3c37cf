"""Routing instances and plans on disk: JSON, CSV folder, Excel workbook; plan tables.

In CSV and Excel, list cells hold values separated by ``;``: ``capacity`` / ``delivery`` /
``pickup`` one number per dimension (``1200;8.5``), ``skills`` ids, ``time_windows`` as
``start-end`` pairs in seconds (``28800-36000;50400-57600``), and a vehicle type's ``breaks`` as
``id@earliest-latest+duration`` (``lunch@41400-50400+1800``). A user matrix is inline in JSON, or
``distances.csv`` / ``durations.csv`` (square, no header) in a CSV folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from models.routing import (
    MATRIX_FILES,
    ROUTING_TABLES,
    RoutePlan,
    RoutingInstance,
)
from optimizer.atomic import atomic_write_text
from optimizer.errors import InputError
from optimizer.formats.results import read_result_json, write_result_files
from optimizer.formats.tables import (
    Form,
    TableSource,
    json_tables,
    read_tables,
    validate_tables,
    write_tables,
)
from optimizer.output_folder import PLAN_MARKERS, staged_folder


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
    elif source.form != "json" and str((data.get("distance") or {}).get("kind", "")).strip() \
            .lower() == "matrix":
        where = ("beside the tables: distances.csv (square, no header; and durations.csv)"
                 if source.form == "csv" else "which a workbook cannot hold: use a CSV folder "
                 "with distances.csv, or JSON")
        raise InputError([f"{path}: distance kind 'matrix' needs a user matrix, {where}"])
    return _validate(data, source)


def read_routing_data(data: Any, label: str = "<stdin>") -> RoutingInstance:
    """Validate a routing instance already parsed from its JSON form (a request body, stdin);
    a user matrix is inline. Raises :class:`InputError` naming ``label``, the record and the
    field, as for a JSON file (``<stdin>: stops[3]: ...``)."""
    return _validate(*json_tables(data, label))


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


def write_routing_instance(instance: RoutingInstance, path: Path | str, form: Form,
                           shown: Path | str | None = None) -> None:
    """Write ``instance`` as JSON, a CSV folder or an Excel workbook; the copy reads back as
    an equal instance, or nothing is written (:class:`InputError` naming ``shown``, the
    user's target when ``path`` is a staging copy).

    In CSV and Excel, numbers are written in full (shortest round-trip) precision, and an
    instance in absolute time (``time_origin``) has its clock values written as UNIX seconds,
    which read back to the same origin when it is a midnight (UTC)."""
    data = routing_tables(instance)
    matrix = data.pop("matrix", None)
    shown = Path(shown) if shown is not None else Path(path)
    if form == "json" and matrix is not None:
        data["matrix"] = matrix
    if form != "json":
        if matrix is not None and form != "csv":
            raise InputError([f"{shown}: an instance with a user matrix is written as JSON or "
                              f"a CSV folder"])
        origin = data.pop("time_origin", None)
        if origin is not None:
            if origin % 86400:
                raise InputError([f"{shown}: time_origin {origin} is not a midnight (UTC); "
                                  f"the CSV and Excel forms cannot hold it: write JSON"])
            _to_absolute(data, origin)
        problems = [f"{shown}: vehicle type '{vt['id']}': break id '{b['id']}' holds ';', "
                    f"which the breaks cell cannot hold: write JSON"
                    for vt in data["vehicle_types"] for b in vt.get("breaks", [])
                    if ";" in str(b["id"])]
        if problems:
            raise InputError(problems)
        for stop in data.get("stops", []):
            stop["time_windows"] = ";".join(f"{_num(w['start'])}-{_num(w['end'])}"
                                            for w in stop.get("time_windows", []))
        for vt in data["vehicle_types"]:
            vt["breaks"] = ";".join(f"{b['id']}@{_num(b['earliest'])}-{_num(b['latest'])}"
                                    f"+{_num(b['duration'])}" for b in vt.get("breaks", []))
    write_tables(data, ROUTING_TABLES, Path(path), form, shown)
    if form == "csv" and matrix is not None:
        for name in ("distances", "durations"):
            if matrix.get(name) is not None:
                text = "\n".join(",".join(_num(v) for v in row) for row in matrix[name])
                atomic_write_text(Path(path) / f"{name}.csv", text + "\n")


def _num(value: float) -> str:
    """The shortest text that reads back as exactly ``value`` (``36000``, ``0.1``)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _to_absolute(data: dict[str, Any], origin: int) -> None:
    """Every clock value of the plain tables as UNIX seconds (``origin`` + relative)."""
    def shift(record: dict[str, Any], *keys: str) -> None:
        for key in keys:
            if record.get(key) is not None:
                record[key] = origin + record[key]

    for depot in data["depots"]:
        shift(depot, "open", "close")
    for vt in data["vehicle_types"]:
        shift(vt, "shift_start", "shift_end")
        for b in vt.get("breaks", []):
            shift(b, "earliest", "latest")
    for stop in data.get("stops", []):
        for w in stop.get("time_windows", []):
            shift(w, "start", "end")


def read_routing_plan(path: Path | str) -> RoutePlan:
    """Read a plan JSON written by :func:`write_routing_plan` (or the folder holding it)."""
    return read_result_json(path, RoutePlan)


def plan_frames(plan: RoutePlan, inst: RoutingInstance) -> dict[str, pd.DataFrame]:
    """The plan as tables for people (:meth:`RoutePlan.to_frames`): routes, stops (the
    timeline of every route), unserved. See docs/routing-format.md for the columns."""
    return plan.to_frames(inst)


def prepare_plan_writing() -> None:
    """Import what :func:`write_routing_plan` loads on first use (the map, the workbook, the
    report and its template: about a second), e.g. in a thread while a search runs."""
    import folium  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import openpyxl  # noqa: F401

    from optimizer.reports.html import page
    from optimizer.reports.html import routing as _report  # noqa: F401
    from optimizer.reports.route_map import write_route_map  # noqa: F401

    page._template()


def write_routing_plan(plan: RoutePlan, out_dir: Path | str, inst: RoutingInstance,
                       inputs: Iterable[Path | str] = (), with_map: bool = False,
                       report: bool = True) -> list[Path]:
    """Replace ``out_dir`` by ``plan.json`` (the plan as it is: seconds, metres),
    ``routes.csv``, ``stops.csv``, ``unserved.csv`` (for people: clocks, km, hours),
    ``plan.xlsx``, with ``with_map`` and routes ``map.png``, and with ``report``
    ``report.html`` (docs/report.md): written whole in a temporary sibling and swapped in
    (:mod:`optimizer.output_folder`)."""
    out = Path(out_dir)
    frames = plan_frames(plan, inst)
    with staged_folder(out, inputs, PLAN_MARKERS) as stage:
        names = write_result_files(stage, {"plan": plan.model_dump(mode="json")}, frames)
        if with_map and plan.routes:
            from optimizer.reports.route_map import write_route_map

            write_route_map(inst, plan, stage / "map.png")
            names.append("map.png")
        if report:
            from optimizer.reports.html import REPORT_FILE
            from optimizer.reports.html.routing import routing_report

            routing_report(plan, inst, frames).write(stage / REPORT_FILE)
            names.append(REPORT_FILE)
    return [out / name for name in names]


def routing_schema() -> dict[str, Any]:
    """JSON Schema of the routing instance."""
    return RoutingInstance.model_json_schema()
