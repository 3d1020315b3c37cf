"""Readers for the standard routing benchmark formats, each with its reference convention.

* ``vrplib``: CVRPLIB ``.vrp`` (CVRP, or VRPTW) and ``.sol``; nearest-integer distances per
  edge (or the file's explicit matrix); reference = distance.
* ``solomon``: Solomon ``.txt``; convention ``dimacs``: distances and times truncated to one
  decimal, reference = distance; ``hierarchical``: double precision, vehicles then distance.
* ``lilim``: Li & Lim PDPTW ``.txt`` and SINTEF solutions; double; vehicles then distance.
* ``cordeau``: Cordeau MDVRP ``pNN.txt``; double; distance.

Stop ids are the customer numbers of the files (depots ``D0``, ``D1``...), so solution files map
directly. Benchmark units are abstract: the readers set ``cost_per_km = 1000`` so that one unit
of distance costs 1, and travel time = distance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import vrplib
from pydantic import ValidationError

from models.routing import RoutingInstance
from optimizer.errors import InputError

Format = Literal["vrplib", "solomon", "lilim", "cordeau"]
SolomonConvention = Literal["dimacs", "hierarchical"]
UNIT_COST = 1000.0  # cost_per_km that makes one distance unit cost 1


def detect_format(path: Path) -> Format:
    """Guess the benchmark format from the file name and first line."""
    name = path.name.lower()
    if name.endswith(".vrp"):
        return "vrplib"
    head = path.read_text(encoding="utf-8", errors="replace").lstrip().split("\n", 1)[0]
    if head.split() and head.split()[0].isalpha() and "VEHICLE" in path.read_text()[:400]:
        return "solomon"
    numbers = head.split()
    if len(numbers) == 4:
        return "cordeau"
    if len(numbers) == 3:
        return "lilim"
    return "solomon"


def read_benchmark(path: Path | str, fmt: Format | None = None,
                   convention: SolomonConvention = "dimacs") -> RoutingInstance:
    """Read a benchmark instance; errors name the file and, where known, the line."""
    path = Path(path)
    if not path.exists():
        raise InputError([f"{path}: no such file"])
    fmt = fmt or detect_format(path)
    try:
        if fmt == "vrplib":
            data = _vrplib(path, convention)
        elif fmt == "solomon":
            data = _solomon(path, convention)
        elif fmt == "lilim":
            data = _lilim(path)
        else:
            data = _cordeau(path)
    except InputError:
        raise
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise InputError([f"{path}: not a valid {fmt} file: {exc}"]) from None
    try:
        return RoutingInstance.model_validate(data)
    except ValidationError as exc:
        raise InputError([f"{path}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                          for e in exc.errors(include_url=False)]) from None


def read_solution(path: Path | str) -> list[list[str]]:
    """Routes of a CVRPLIB / DIMACS ``.sol`` or a SINTEF Li & Lim solution, as stop ids."""
    path = Path(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    if "Route #" in text:
        return [[str(c) for c in route] for route in vrplib.read_solution(str(path))["routes"]]
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


def _vrplib(path: Path, convention: SolomonConvention) -> dict[str, Any]:
    raw = vrplib.read_instance(str(path), compute_edge_weights=False)
    if "time_window" in raw:
        return _with_windows(raw, path.stem, convention)
    demand = raw["demand"]
    depot = int(raw["depot"][0])
    customers = [i for i in range(len(demand)) if i != depot]
    data: dict[str, Any] = {
        "name": raw.get("name", path.stem),
        "vehicle_types": [_fleet(len(customers), float(raw["capacity"]))],
    }
    if "node_coord" in raw:
        coords = raw["node_coord"]
        data["depots"] = [{"id": "D0", "x": float(coords[depot][0]),
                           "y": float(coords[depot][1])}]
        data["stops"] = [{"id": str(i), "x": float(coords[i][0]), "y": float(coords[i][1]),
                          "delivery": [float(demand[i])]} for i in customers]
        data["distance"] = {"kind": "euclidean", "rounding": "nint"}
        return data
    weights = vrplib.read_instance(str(path))["edge_weight"]  # an explicit matrix
    data["depots"] = [{"id": "D0", "matrix_index": depot}]
    data["stops"] = [{"id": str(i), "matrix_index": i, "delivery": [float(demand[i])]}
                     for i in customers]
    data["distance"] = {"kind": "matrix", "rounding": "real"}
    data["matrix"] = {"distances": [[float(v) for v in row] for row in weights],
                      "durations": [[float(v) for v in row] for row in weights]}
    return data


def _solomon(path: Path, convention: SolomonConvention) -> dict[str, Any]:
    raw = vrplib.read_instance(str(path), instance_format="solomon", compute_edge_weights=False)
    return _with_windows(raw, path.stem, convention)


def _with_windows(raw: dict[str, Any], name: str, convention: SolomonConvention
                  ) -> dict[str, Any]:
    coords, demand, tw = raw["node_coord"], raw["demand"], raw["time_window"]
    service = raw.get("service_time")
    depot = 0
    horizon = float(tw[depot][1])
    stops = []
    for i in range(1, len(coords)):
        stops.append({
            "id": str(i), "x": float(coords[i][0]), "y": float(coords[i][1]),
            "delivery": [float(demand[i])],
            "service_time": float(service[i]) if service is not None else 0.0,
            "time_windows": [[float(tw[i][0]), float(tw[i][1])]],
        })
    vehicles = int(raw.get("vehicles", len(stops)))
    return {
        "name": raw.get("name", name),
        "depots": [{"id": "D0", "x": float(coords[0][0]), "y": float(coords[0][1]),
                    "open": float(tw[depot][0]), "close": horizon}],
        "vehicle_types": [_fleet(vehicles, float(raw["capacity"]))],
        "stops": stops,
        "distance": {"kind": "euclidean",
                     "rounding": "trunc1" if convention == "dimacs" else "real"},
        "objective": {"kind": "cost" if convention == "dimacs" else "vehicles_then_distance"},
    }


def _rows(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _lilim(path: Path) -> dict[str, Any]:
    rows = _rows(path)
    vehicles, capacity = int(rows[0][0]), float(rows[0][1])
    depot = rows[1]
    stops, shipments = [], []
    for line, row in enumerate(rows[2:], start=3):
        if len(row) != 9:
            raise InputError([f"{path}: line {line}: expected 9 numbers, found {len(row)}"])
        i, x, y, q, ready, due, service, _pick, deliv = row
        amount = abs(float(q))
        stop: dict[str, Any] = {"id": i, "x": float(x), "y": float(y),
                                "service_time": float(service),
                                "time_windows": [[float(ready), float(due)]]}
        if float(q) >= 0:
            stop["pickup"] = [amount]
            if int(deliv) > 0:
                shipments.append({"pickup": i, "delivery": deliv})
        else:
            stop["delivery"] = [amount]
        stops.append(stop)
    return {
        "name": path.stem,
        "depots": [{"id": "D0", "x": float(depot[1]), "y": float(depot[2]),
                    "open": float(depot[4]), "close": float(depot[5])}],
        "vehicle_types": [_fleet(vehicles, capacity)],
        "stops": stops, "shipments": shipments,
        "distance": {"kind": "euclidean", "rounding": "real"},
        "objective": {"kind": "vehicles_then_distance"},
    }


def _cordeau(path: Path) -> dict[str, Any]:
    rows = _rows(path)
    kind, per_depot, n, t = (int(v) for v in rows[0][:4])
    if kind != 2:
        raise InputError([f"{path}: line 1: problem type {kind}, only 2 (MDVRP) is read"])
    limits = rows[1:1 + t]
    customers = rows[1 + t:1 + t + n]
    depots = rows[1 + t + n:1 + t + n + t]
    if len(depots) != t:
        raise InputError([f"{path}: expected {t} depot lines after {n} customers"])
    fleets = []
    for k, limit in enumerate(limits):
        duration, capacity = float(limit[0]), float(limit[1])
        extra = {"max_duration": duration} if duration > 0 else {}
        fleets.append(_fleet(per_depot, capacity, f"D{k}", **extra))
    return {
        "name": path.stem,
        "depots": [{"id": f"D{k}", "x": float(r[1]), "y": float(r[2])}
                   for k, r in enumerate(depots)],
        "vehicle_types": fleets,
        "stops": [{"id": r[0], "x": float(r[1]), "y": float(r[2]),
                   "service_time": float(r[3]), "delivery": [float(r[4])]} for r in customers],
        "distance": {"kind": "euclidean", "rounding": "real"},
    }
