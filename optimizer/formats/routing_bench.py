"""Readers for the standard routing benchmark formats, each with its reference convention.

* ``vrplib``: CVRPLIB ``.vrp`` (CVRP, or VRPTW) and ``.sol``; nearest-integer distances per
  edge (or the file's explicit matrix); reference = distance.
* ``solomon``: Solomon ``.txt``; convention ``dimacs``: distances and times truncated to one
  decimal, reference = distance; ``hierarchical``: double precision, vehicles then distance.
* ``lilim``: Li & Lim PDPTW ``.txt`` and SINTEF solutions; double; vehicles then distance.
* ``cordeau``: Cordeau MDVRP ``pNN.txt``; double; distance.

Without ``fmt`` the format is detected from the file (:func:`detect_format`). A malformed file
is an :class:`~optimizer.errors.InputError` naming the file and, where known, the line.

Stop ids are the customer numbers of the files (depots ``D0``, ``D1``...), so solution files map
directly. Benchmark units are abstract: the readers set ``cost_per_km = 1000`` so that one unit
of distance costs 1, and travel time = distance.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import ValidationError
from vrplib.parse import parse_solution, parse_vrplib

from models.routing import RoutingInstance
from optimizer.errors import InputError

Format = Literal["vrplib", "solomon", "lilim", "cordeau"]
SolomonConvention = Literal["dimacs", "hierarchical"]
UNIT_COST = 1000.0  # cost_per_km that makes one distance unit cost 1
#: Bytes read to recognise a format.
_HEAD = 65536
#: A ``KEY : value`` specification line of a VRPLIB file.
_VRPLIB_KEY = re.compile(r"\s*(NAME|TYPE|COMMENT|DIMENSION|CAPACITY|EDGE_WEIGHT_TYPE|VEHICLES)"
                         r"\s*:", re.IGNORECASE)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

#: Line of each record in the file, for messages: ("stops", index) -> line number.
Lines = dict[tuple[str, int], int]


class _Malformed(Exception):
    """A format error at a line (0: no single line)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _text(path: Path) -> str:
    """The file's text; a folder, a special file, an unreadable or non-UTF-8 file is refused."""
    if not path.exists():
        raise InputError([f"{path}: no such file"])
    if path.is_dir():
        raise InputError([f"{path}: a folder, not a benchmark file"])
    if not path.is_file():
        raise InputError([f"{path}: not a regular file"])
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([f"{path}: not a UTF-8 text file (byte {exc.start})"]) from None
    except OSError as exc:
        raise InputError([f"{path}: cannot be read: {exc.strerror or exc}"]) from None


def detect_format(path: Path) -> Format | None:
    """The benchmark format of a file from its name and content, or None when it is none of
    them: ``.vrp`` or ``KEY : value`` lines = VRPLIB; ``VEHICLE`` and ``CUSTOMER`` headings =
    Solomon; a first line of four integers = Cordeau (problem type first); of three numbers =
    Li & Lim (vehicles, capacity, speed)."""
    if path.suffix.lower() == ".vrp":
        return "vrplib"
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD).decode("utf-8", errors="replace")
    except OSError:
        return None
    lines = [line.split() for line in head.splitlines() if line.strip()]
    if not lines:
        return None
    words = {line[0].upper() for line in lines[:12]}
    if {"VEHICLE", "CUSTOMER"} <= words:
        return "solomon"
    if any(_VRPLIB_KEY.match(" ".join(line)) for line in lines[:12]):
        return "vrplib"
    first = lines[0]
    if all(_NUMBER.fullmatch(v) for v in first):
        if len(first) == 4 and all(v.isdigit() for v in first):
            return "cordeau"
        if len(first) == 3:
            return "lilim"
    return None


def read_benchmark(path: Path | str, fmt: Format | None = None,
                   convention: SolomonConvention = "dimacs") -> RoutingInstance:
    """Read a benchmark instance (the format detected when ``fmt`` is None); every problem is
    an :class:`InputError` naming the file and, where known, the line."""
    path = Path(path)
    text = _text(path)
    fmt = fmt or detect_format(path)
    if fmt is None:
        raise InputError([f"{path}: not a recognised benchmark file (VRPLIB .vrp, Solomon, "
                          f"Li & Lim, Cordeau); name the format with --format"])
    lines: Lines = {}
    try:
        if fmt == "vrplib":
            data = _vrplib(text, path.stem, convention)
        elif fmt == "solomon":
            data, lines = _solomon(text, path.stem, convention)
        elif fmt == "lilim":
            data, lines = _lilim(text, path.stem)
        else:
            data, lines = _cordeau(text, path.stem)
    except _Malformed as exc:
        where = f"line {exc.line}: " if exc.line else ""
        raise InputError([f"{path}: {where}not a valid {fmt} file: {exc}"]) from None
    except Exception as exc:  # the VRPLIB parser raises many kinds for a broken file
        raise InputError([f"{path}: not a valid {fmt} file: {type(exc).__name__}: {exc}"]
                         ) from None
    try:
        return RoutingInstance.model_validate(data)
    except ValidationError as exc:
        raise InputError([_problem(path, e, lines) for e in exc.errors(include_url=False)]
                         ) from None


def _problem(path: Path, error: Any, lines: Lines) -> str:
    loc = error["loc"]
    line = lines.get((loc[0], loc[1])) if len(loc) > 1 else None
    where = f"line {line}: " if line else ""
    return f"{path}: {where}{'.'.join(str(p) for p in loc)}: {error['msg']}"


def read_solution(path: Path | str) -> list[list[str]]:
    """Routes of a CVRPLIB / DIMACS ``.sol`` or a SINTEF Li & Lim solution, as stop ids."""
    path = Path(path)
    text = _text(path)
    if "Route #" in text:
        try:
            routes = parse_solution(text)["routes"]
        except Exception as exc:  # the VRPLIB parser raises many kinds for a broken file
            raise InputError([f"{path}: not a valid solution file: {type(exc).__name__}: "
                              f"{exc}"]) from None
        return [[str(c) for c in route] for route in routes]
    routes = []
    for line in text.splitlines():
        head, sep, tail = line.partition(":")
        if sep and head.strip().lower().startswith("route"):
            routes.append([c for c in tail.split() if c])
    if not routes:
        raise InputError([f"{path}: no routes found"])
    return routes


def _fleet(count: int, capacity: float, depot: str = "D0", **extra: Any) -> dict[str, Any]:
    return {"id": f"fleet-{depot}", "count": count, "capacity": [capacity],
            "start_depot": depot, "cost_per_km": UNIT_COST, "cost_per_hour": 0.0,
            "fixed_cost": 0.0, **extra}


def _vrplib(text: str, name: str, convention: SolomonConvention) -> dict[str, Any]:
    raw = parse_vrplib(text, compute_edge_weights=False)
    for key in ("dimension", "capacity", "demand", "depot"):
        if key not in raw:
            raise _Malformed(0, f"no {key.upper()} "
                                f"{'section' if key in ('demand', 'depot') else 'line'}")
    n = int(raw["dimension"])
    demand = np.asarray(raw["demand"], dtype=float).reshape(-1)
    depots = np.asarray(raw["depot"]).reshape(-1)
    _count("DEMAND_SECTION", len(demand), n)
    if len(depots) != 1 or not 0 <= int(depots[0]) < n:
        raise _Malformed(0, f"DEPOT_SECTION must name one depot among the {n} nodes")
    depot = int(depots[0])
    kind = str(raw.get("edge_weight_type", "EUC_2D")).strip().upper()
    if kind not in ("EUC_2D", "EXPLICIT"):
        raise _Malformed(0, f"EDGE_WEIGHT_TYPE {kind} is not read (EUC_2D or EXPLICIT)")
    if "time_window" in raw:
        return _vrptw(raw, name, convention, n, depot, demand)
    customers = [i for i in range(n) if i != depot]
    data: dict[str, Any] = {
        "name": str(raw.get("name", name)),
        "vehicle_types": [_fleet(int(raw.get("vehicles", len(customers))),
                                 float(raw["capacity"]))],
    }
    if "node_coord" in raw:
        coords = _coords(raw["node_coord"], n)
        data["depots"] = [{"id": "D0", "x": coords[depot][0], "y": coords[depot][1]}]
        data["stops"] = [{"id": str(i), "x": coords[i][0], "y": coords[i][1],
                          "delivery": [float(demand[i])]} for i in customers]
        data["distance"] = {"kind": "euclidean", "rounding": "nint"}
        return data
    if "edge_weight" not in raw:
        raise _Malformed(0, "neither NODE_COORD_SECTION nor EDGE_WEIGHT_SECTION")
    weights = np.asarray(parse_vrplib(text)["edge_weight"], dtype=float)  # an explicit matrix
    if weights.shape != (n, n):
        raise _Malformed(0, f"EDGE_WEIGHT_SECTION gives a {weights.shape} matrix, DIMENSION "
                            f"is {n}")
    data["depots"] = [{"id": "D0", "matrix_index": depot}]
    data["stops"] = [{"id": str(i), "matrix_index": i, "delivery": [float(demand[i])]}
                     for i in customers]
    data["distance"] = {"kind": "matrix", "rounding": "real"}
    data["matrix"] = {"distances": weights.tolist(), "durations": weights.tolist()}
    return data


def _count(section: str, found: int, n: int) -> None:
    if found != n:
        raise _Malformed(0, f"{section} has {found} entries, DIMENSION is {n}")


def _coords(raw: Any, n: int) -> list[tuple[float, float]]:
    coords = np.asarray(raw, dtype=float)
    if coords.ndim != 2 or coords.shape[1] != 2:
        raise _Malformed(0, "NODE_COORD_SECTION needs x and y on every line")
    _count("NODE_COORD_SECTION", len(coords), n)
    return [(float(x), float(y)) for x, y in coords]


def _vrptw(raw: dict[str, Any], name: str, convention: SolomonConvention, n: int, depot: int,
           demand: np.ndarray) -> dict[str, Any]:
    """A VRPLIB VRPTW: per-node ``SERVICE_TIME_SECTION`` or one global ``SERVICE_TIME`` for
    every customer (the LKH-3 style of the Solomon and Gehring & Homberger VRPLIB files)."""
    if "node_coord" not in raw:
        raise _Malformed(0, "a VRPTW file needs NODE_COORD_SECTION")
    coords = _coords(raw["node_coord"], n)
    windows = np.asarray(raw["time_window"], dtype=float)
    if windows.ndim != 2 or windows.shape[1] != 2:
        raise _Malformed(0, "TIME_WINDOW_SECTION needs a start and an end on every line")
    _count("TIME_WINDOW_SECTION", len(windows), n)
    service = np.asarray(raw.get("service_time", 0.0), dtype=float)
    if service.ndim == 0:  # one global SERVICE_TIME: every customer, not the depot
        service = np.full(n, float(service))
    service = service.reshape(-1)
    _count("SERVICE_TIME_SECTION", len(service), n)
    stops = [_tw_stop(str(i), coords[i], demand[i], service[i], windows[i])
             for i in range(n) if i != depot]
    return _tw_instance(str(raw.get("name", name)), coords[depot], windows[depot], stops,
                        int(raw.get("vehicles", len(stops))), float(raw["capacity"]),
                        convention)


def _tw_stop(ident: str, xy: tuple[float, float], demand: float, service: float,
             window: Any) -> dict[str, Any]:
    return {"id": ident, "x": float(xy[0]), "y": float(xy[1]), "delivery": [float(demand)],
            "service_time": float(service),
            "time_windows": [[float(window[0]), float(window[1])]]}


def _tw_instance(name: str, depot_xy: tuple[float, float], depot_window: Any,
                 stops: list[dict[str, Any]], vehicles: int, capacity: float,
                 convention: SolomonConvention) -> dict[str, Any]:
    return {
        "name": name,
        "depots": [{"id": "D0", "x": float(depot_xy[0]), "y": float(depot_xy[1]),
                    "open": float(depot_window[0]), "close": float(depot_window[1])}],
        "vehicle_types": [_fleet(vehicles, capacity)],
        "stops": stops,
        "distance": {"kind": "euclidean",
                     "rounding": "trunc1" if convention == "dimacs" else "real"},
        "objective": {"kind": "cost" if convention == "dimacs" else "vehicles_then_distance"},
    }


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """Non-empty lines split into words, with their line numbers (from 1)."""
    return [(n, line.split()) for n, line in enumerate(text.splitlines(), start=1)
            if line.strip()]


def _values(line: int, row: list[str], count: int, what: str, exact: bool = True
            ) -> list[float]:
    """The first ``count`` numbers of a line (exactly ``count`` unless ``exact`` is False)."""
    if len(row) < count or (exact and len(row) != count):
        raise _Malformed(line, f"expected {count}{'' if exact else ' or more'} numbers "
                               f"({what}), found {len(row)}")
    out = []
    for k, word in enumerate(row[:count], start=1):
        if not _NUMBER.fullmatch(word):
            raise _Malformed(line, f"value {k} ({word!r}) is not a number ({what})")
        out.append(float(word))
    return out


def _integer(line: int, value: float, what: str) -> int:
    if value != int(value):
        raise _Malformed(line, f"{what} must be a whole number, found {value:g}")
    return int(value)


def _solomon(text: str, name: str, convention: SolomonConvention
             ) -> tuple[dict[str, Any], Lines]:
    """Solomon text: a name, ``VEHICLE`` / ``NUMBER CAPACITY`` / the two numbers, then
    ``CUSTOMER``, a heading line and one line per node (number, x, y, demand, ready, due,
    service), the depot first."""
    rows = _rows(text)
    heads = {row[0].upper(): k for k, (_n, row) in enumerate(rows) if row[0].isalpha()}
    if "VEHICLE" not in heads or "CUSTOMER" not in heads:
        raise _Malformed(0, "no VEHICLE or no CUSTOMER section")
    k = heads["VEHICLE"] + 1
    while k < len(rows) and not _NUMBER.fullmatch(rows[k][1][0]):
        k += 1  # the NUMBER CAPACITY heading
    if k >= heads["CUSTOMER"]:
        raise _Malformed(rows[heads["VEHICLE"]][0], "no vehicle number and capacity")
    line, row = rows[k]
    vehicles, capacity = _values(line, row, 2, "vehicles, capacity")
    vehicles = _integer(line, vehicles, "the number of vehicles")
    nodes: list[tuple[int, list[str]]] = []
    for n, r in rows[heads["CUSTOMER"] + 1:]:
        if _NUMBER.fullmatch(r[0]):
            nodes.append((n, r))
        elif nodes:  # headings come before the first node only
            raise _Malformed(n, f"not a customer line: {' '.join(r)[:60]!r}")
    if len(nodes) < 2:
        raise _Malformed(0, "needs the depot and at least one customer line")
    parsed = [(n, _values(n, r, 7, "number, x, y, demand, ready, due, service"))
              for n, r in nodes]
    lines: Lines = {}
    stops = []
    seen: dict[int, int] = {}
    for n, (ident, x, y, demand, ready, due, service) in parsed:
        number = _integer(n, ident, "the customer number")
        if number in seen:
            raise _Malformed(n, f"customer {number} again (first on line {seen[number]})")
        seen[number] = n
        if n != parsed[0][0]:
            lines[("stops", len(stops))] = n
            stops.append(_tw_stop(str(number), (x, y), demand, service, (ready, due)))
    depot = parsed[0][1]
    if depot[0] != 0:
        raise _Malformed(parsed[0][0], f"the first node (the depot) is {depot[0]:g}, not 0")
    lines[("depots", 0)] = parsed[0][0]
    return _tw_instance(name, (depot[1], depot[2]), (depot[4], depot[5]), stops, vehicles,
                        capacity, convention), lines


def _lilim(text: str, name: str) -> tuple[dict[str, Any], Lines]:
    """Li & Lim PDPTW: ``vehicles capacity speed``, then one line per node (number, x, y,
    demand, ready, due, service, pickup sibling, delivery sibling), the depot first."""
    rows = _rows(text)
    if len(rows) < 3:
        raise _Malformed(0, "needs a header, the depot and at least one customer line")
    line, row = rows[0]
    vehicles, capacity, _speed = _values(line, row, 3, "vehicles, capacity, speed")
    vehicles = _integer(line, vehicles, "the number of vehicles")
    what = "number, x, y, demand, ready, due, service, pickup, delivery"
    nodes = [(n, _values(n, r, 9, what)) for n, r in rows[1:]]
    depot_line, depot = nodes[0]
    if depot[0] != 0:
        raise _Malformed(depot_line, f"the first node (the depot) is {depot[0]:g}, not 0")
    lines: Lines = {("depots", 0): depot_line}
    stops, shipments = [], []
    where: dict[str, int] = {}
    sibling: dict[str, tuple[str, str]] = {}
    for line, (i, x, y, q, ready, due, service, pick, deliv) in nodes[1:]:
        ident = str(_integer(line, i, "the node number"))
        if ident in where:
            raise _Malformed(line, f"node {ident} again (first on line {where[ident]})")
        where[ident] = line
        pick_id = str(_integer(line, pick, "the pickup sibling"))
        deliv_id = str(_integer(line, deliv, "the delivery sibling"))
        lines[("stops", len(stops))] = line
        stop: dict[str, Any] = {"id": ident, "x": x, "y": y, "service_time": service,
                                "time_windows": [[ready, due]]}
        if q >= 0:
            stop["pickup"] = [abs(q)]
            if deliv_id != "0":
                shipments.append({"pickup": ident, "delivery": deliv_id})
                sibling[ident] = ("delivery", deliv_id)
        else:
            stop["delivery"] = [abs(q)]
            sibling[ident] = ("pickup", pick_id)
        stops.append(stop)
    for ident, (role, other) in sibling.items():
        back = sibling.get(other)
        expected = ("pickup" if role == "delivery" else "delivery", ident)
        if back != expected:
            raise _Malformed(where[ident], f"node {ident} names {other} as its {role}, but "
                                           f"node {other} does not name {ident} back")
    return {
        "name": name,
        "depots": [{"id": "D0", "x": depot[1], "y": depot[2], "open": depot[4],
                    "close": depot[5]}],
        "vehicle_types": [_fleet(vehicles, capacity)],
        "stops": stops, "shipments": shipments,
        "distance": {"kind": "euclidean", "rounding": "real"},
        "objective": {"kind": "vehicles_then_distance"},
    }, lines


def _cordeau(text: str, name: str) -> tuple[dict[str, Any], Lines]:
    """Cordeau MDVRP (type 2): ``type m n t``, ``t`` lines ``duration capacity``, ``n``
    customer lines (number, x, y, service, demand, ...), ``t`` depot lines (number, x, y, ...)."""
    rows = _rows(text)
    if not rows:
        raise _Malformed(0, "empty file")
    line, row = rows[0]
    kind, per_depot, n, t = (_integer(line, v, "a header value")
                             for v in _values(line, row, 4, "type, vehicles, customers, depots"))
    if kind != 2:
        raise _Malformed(line, f"problem type {kind}, only 2 (MDVRP) is read")
    if per_depot < 1 or n < 1 or t < 1:
        raise _Malformed(line, "vehicles per depot, customers and depots must be at least 1")
    if len(rows) != 1 + t + n + t:
        raise _Malformed(rows[-1][0] if len(rows) > 1 + 2 * t + n else 0,
                         f"expected {1 + t + n + t} non-empty lines (header, {t} depot limits, "
                         f"{n} customers, {t} depots), found {len(rows)}")
    fleets = []
    for k, (line, row) in enumerate(rows[1:1 + t]):
        duration, capacity = _values(line, row, 2, "max duration, capacity")
        extra = {"max_duration": duration} if duration > 0 else {}
        fleets.append(_fleet(per_depot, capacity, f"D{k}", **extra))
    lines: Lines = {}
    stops = []
    for k, (line, row) in enumerate(rows[1 + t:1 + t + n]):
        ident, x, y, service, demand = _values(line, row, 5, "number, x, y, service, demand",
                                               exact=False)
        lines[("stops", k)] = line
        stops.append({"id": str(_integer(line, ident, "the customer number")), "x": x, "y": y,
                      "service_time": service, "delivery": [demand]})
    depots = []
    for k, (line, row) in enumerate(rows[1 + t + n:]):
        _ident, x, y = _values(line, row, 3, "number, x, y", exact=False)
        lines[("depots", k)] = line
        depots.append({"id": f"D{k}", "x": x, "y": y})
    return {
        "name": name,
        "depots": depots,
        "vehicle_types": fleets,
        "stops": stops,
        "distance": {"kind": "euclidean", "rounding": "real"},
    }, lines
