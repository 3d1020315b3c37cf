"""Tiny routing instances, small enough to enumerate every plan."""

from __future__ import annotations

import itertools

import numpy as np

from models.routing import RoutingInstance, RoutingSummary, assemble_plan, check_plan
from models.solver import SolveStatus


def tiny_instance(seed: int, stops: int = 4, vehicles: int = 2,
                  windows: bool = False) -> RoutingInstance:
    """Planar, integer coordinates; capacity tight enough to need both vehicles sometimes."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(stops):
        row: dict[str, object] = {"id": f"c{i}", "x": float(rng.integers(0, 100)),
                                  "y": float(rng.integers(0, 100)),
                                  "delivery": [float(rng.integers(1, 6))],
                                  "service_time": 5.0}
        if windows:
            start = float(rng.integers(0, 200))
            row["time_windows"] = [[start, start + float(rng.integers(40, 150))]]
        rows.append(row)
    return RoutingInstance.model_validate({
        "name": f"tiny-{seed}",
        "depots": [{"id": "D", "x": 50.0, "y": 50.0}],
        "vehicle_types": [{"id": "van", "count": vehicles, "capacity": [10.0],
                           "start_depot": "D", "fixed_cost": float(rng.integers(0, 30)),
                           "cost_per_km": 1000.0}],
        "stops": rows,
    })


def brute_force(inst: RoutingInstance) -> float | None:
    """Least cost over every assignment of stops to vehicles and every order, each plan
    priced and verified by the checker (no search code involved)."""
    ids = [s.id for s in inst.stops]
    k = inst.vehicle_types[0].count
    best = None
    summary = RoutingSummary(status=SolveStatus.FEASIBLE, engine="enumeration", stop_reason="")
    for order in itertools.permutations(ids):
        for cuts in itertools.combinations_with_replacement(range(len(ids) + 1), k - 1):
            bounds = [0, *cuts, len(ids)]
            routes = [order[bounds[i]:bounds[i + 1]] for i in range(k)]
            plan = assemble_plan(inst, [("van", v, r) for v, r in enumerate(routes)], summary)
            report = check_plan(inst, plan)
            if report.ok and (best is None or report.cost < best - 1e-9):
                best = report.cost
    return best
