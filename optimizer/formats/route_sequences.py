"""Bare route sequences: a plan a person wrote or edited, as the vehicles and their stops in
visiting order and nothing else (VROOM's "plan mode"). Times, loads, distances and costs are
recomputed by the plan's own rules (:func:`models.routing.assemble_plan`), then checked.

Two forms (docs/routing-format.md, "Checking an edited plan"):

* CSV: one row per visit, columns ``vehicle`` (``TYPE#K`` as in ``routes.csv``; a bare type id
  when that type has one vehicle) and ``stop``, rows in visiting order. The solver's own
  ``stops.csv`` is one: only ``visit`` rows count when a ``kind`` column is present, a
  ``sequence`` column must increase along each vehicle's rows, other columns are ignored.
* JSON: ``{"routes": [{"vehicle": "van#0", "stops": ["a", "b"]}, ...]}`` or just the list.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
from pathlib import Path
from typing import Any

from models.routing import RoutingInstance, Sequenceable
from models.tables import name_key
from optimizer.errors import InputError
from optimizer.formats.tables import decode_text, read_bytes, read_json, sniff_delimiter

#: The columns read from a CSV of route sequences; the rest are ignored (recomputed).
READ_COLUMNS = ("vehicle", "stop", "kind", "sequence")


def is_route_sequences(path: Path) -> bool:
    """``path`` holds bare route sequences rather than a ``plan.json``: a ``.csv`` file, or a
    JSON file that is a list, or an object with ``routes`` and no ``solve`` section."""
    if path.is_dir():
        return False
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return True
    if suffix != ".json":
        return False
    data = read_json(path)
    return isinstance(data, list) or (isinstance(data, dict) and "solve" not in data
                                      and "routes" in data)


def read_route_sequences(path: Path, inst: RoutingInstance) -> list[Sequenceable]:
    """The routes in ``path`` as (vehicle type, vehicle index, stop ids), every vehicle and
    stop known to ``inst``; a vehicle listed twice in JSON gives two routes (the checker then
    reports it). Problems name the file, the row or route, and the field (InputError)."""
    if path.suffix.lower() == ".csv":
        return _from_csv(path, inst)
    data = read_json(path)
    routes = data["routes"] if isinstance(data, dict) else data
    if not isinstance(routes, list):
        raise InputError([f"{path}: 'routes' must be a list of "
                          f"{{\"vehicle\": ..., \"stops\": [...]}}"])
    problems: list[str] = []
    sequences: list[Sequenceable] = []
    for i, route in enumerate(routes):
        where = f"{path}: routes[{i}]"
        if not isinstance(route, dict) or set(route) - {"vehicle", "stops"} \
                or not {"vehicle", "stops"} <= set(route):
            problems.append(f"{where}: must be an object with exactly 'vehicle' and 'stops'")
            continue
        stops = route["stops"]
        if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
            problems.append(f"{where}: field 'stops' must be a list of stop ids (text)")
            continue
        vehicle = _vehicle(route["vehicle"], inst, f"{where}: field 'vehicle'", problems)
        for k, stop in enumerate(stops):
            _stop(stop, inst, f"{where}: stops[{k}]", problems)
        if vehicle is not None:
            sequences.append((*vehicle, tuple(stops)))
    if problems:
        raise InputError(problems)
    return sequences


def _vehicle(value: Any, inst: RoutingInstance, where: str,
             problems: list[str]) -> tuple[str, int] | None:
    """``TYPE#K`` (K from 0 within the type), or a type id with a single vehicle."""
    text = str(value).strip() if isinstance(value, str | int) else ""
    types = inst.vehicle_type_by_id
    if text in types:
        if types[text].count == 1:
            return text, 0
        problems.append(f"{where}: vehicle type '{text}' has {types[text].count} vehicles; "
                        f"name one as {text}#0 .. {text}#{types[text].count - 1}")
        return None
    type_id, _, index = text.rpartition("#")
    if type_id in types and index.isdigit() and int(index) < types[type_id].count:
        return type_id, int(index)
    fleet = ", ".join(f"{t}#0..{types[t].count - 1}" for t in list(types)[:5])
    problems.append(f"{where}: no vehicle {value!r} in the fleet; write TYPE#K with K from 0 "
                    f"({fleet})")
    return None


def _stop(value: str, inst: RoutingInstance, where: str, problems: list[str]) -> None:
    if value in inst.stop_by_id:
        return
    if value in inst.depot_by_id:
        problems.append(f"{where}: '{value}' is a depot; list only the stops (each route "
                        f"starts and ends at its vehicle's depots)")
    else:
        folded = {s.casefold(): s for s in inst.stop_by_id}  # ids are exact; hint the case
        close = [folded[value.casefold()]] if value.casefold() in folded else \
            difflib.get_close_matches(value, list(inst.stop_by_id), n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problems.append(f"{where}: unknown stop '{value}'{hint}")


def _from_csv(path: Path, inst: RoutingInstance) -> list[Sequenceable]:
    text = decode_text(read_bytes(path), path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text),
                        skipinitialspace=True)
    try:
        rows = [(reader.line_num, cells) for cells in reader]
    except csv.Error as exc:
        raise InputError([f"{path}: line {reader.line_num}: unreadable CSV: {exc}"]) from None
    rows = [(line, cells) for line, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        raise InputError([f"{path}: empty; expected a header with 'vehicle' and 'stop'"])
    _, header = rows.pop(0)
    column = {name_key(h): i for i, h in reversed(list(enumerate(header)))}
    missing = [c for c in ("vehicle", "stop") if c not in column]
    if missing:
        raise InputError([f"{path}: line 1: missing column(s) {', '.join(missing)}; a route "
                          f"file has one row per visit with 'vehicle' (TYPE#K) and 'stop'"])
    problems: list[str] = []
    order: list[tuple[str, int]] = []
    routes: dict[tuple[str, int], list[str]] = {}
    last_sequence: dict[tuple[str, int], tuple[float, int]] = {}

    def cell(cells: list[str], name: str) -> str:
        i = column.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    for line, cells in rows:
        where = f"{path}: line {line}"
        kind = cell(cells, "kind").casefold()
        if "kind" in column and kind != "visit":
            if kind not in ("depart", "return", "break"):
                problems.append(f"{where}: field 'kind': '{cell(cells, 'kind')}' is not "
                                f"visit, depart, break or return")
            continue  # depots and breaks are recomputed
        stop = cell(cells, "stop")
        vehicle = _vehicle(cell(cells, "vehicle"), inst, f"{where}: field 'vehicle'",
                           problems)
        if not stop:
            problems.append(f"{where}: field 'stop' is empty")
            continue
        _stop(stop, inst, f"{where}: field 'stop'", problems)
        if vehicle is None:
            continue
        if "sequence" in column:
            seq = _number(cell(cells, "sequence"))
            if seq is None:
                problems.append(f"{where}: field 'sequence': '{cell(cells, 'sequence')}' is "
                                f"not a number")
            else:
                before = last_sequence.get(vehicle)
                if before is not None and seq <= before[0]:
                    problems.append(
                        f"{where}: field 'sequence': {seq:g} after {before[0]:g} (line "
                        f"{before[1]}) for {vehicle[0]}#{vehicle[1]}; the visiting order is "
                        f"the row order: sort the rows or renumber")
                last_sequence[vehicle] = (seq, line)
        if vehicle not in routes:
            order.append(vehicle)
            routes[vehicle] = []
        routes[vehicle].append(stop)
    if problems:
        raise InputError(problems)
    return [(t, k, tuple(routes[(t, k)])) for t, k in order]


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
