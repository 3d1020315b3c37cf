"""The OR-Tools routing model: every feature of the instance, matrices registered natively.

Distances and times are scaled to integers (``scale`` per unit: 1 for nearest-integer
instances, 10 for one-decimal truncation, 1000 for double precision and native metres/seconds
stay 1). Travel times are rounded *up* after scaling, so a schedule OR-Tools accepts is feasible
in exact arithmetic; the checker recomputes the true times and costs.

Transit values are passed as matrices and vectors (``RegisterTransitMatrix``,
``RegisterUnaryTransitVector``), never as Python callbacks, so the search runs in C++.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from models.routing.data import RoutingInstance
from models.routing.distances import matrices

#: Per-vehicle cost added under the "vehicles, then distance" objective (in scaled units).
VEHICLE_WEIGHT = 10**9
#: Money is scaled by this before rounding to integers (1/100 of a currency unit per unit).
MONEY_SCALE = {"nint": 1, "trunc1": 10, "real": 1000}

FIRST_SOLUTION = {
    "auto": routing_enums_pb2.FirstSolutionStrategy.AUTOMATIC,
    "cheapest_arc": routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC,
    "savings": routing_enums_pb2.FirstSolutionStrategy.SAVINGS,
    "parallel_insertion": routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION,
    "christofides": routing_enums_pb2.FirstSolutionStrategy.CHRISTOFIDES,
}
METAHEURISTIC = {
    "gls": routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH,
    "tabu": routing_enums_pb2.LocalSearchMetaheuristic.TABU_SEARCH,
    "annealing": routing_enums_pb2.LocalSearchMetaheuristic.SIMULATED_ANNEALING,
    "greedy": routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT,
}


@dataclass(frozen=True)
class SearchSettings:
    """One OR-Tools search: strategy, metaheuristic and limits (``time_limit`` seconds;
    ``solution_limit`` makes a run reproducible)."""

    first_solution: str = "auto"
    metaheuristic: str = "gls"
    time_limit: float | None = 10.0
    solution_limit: int | None = None
    log: bool = False


@dataclass(frozen=True)
class Found:
    """An improving solution: scaled objective and the stop sequence of every used vehicle
    (schedules are recomputed from the sequences: cumul variables are not bound in callbacks)."""

    objective: int
    sequences: tuple[tuple[str, int, tuple[str, ...]], ...]


def _scale(inst: RoutingInstance) -> int:
    return {"nint": 1, "trunc1": 10, "real": 1000}[inst.distance.rounding] \
        if inst.distance.kind == "euclidean" else 1


class OrToolsModel:
    """The routing model of one instance, ready to search."""

    def __init__(self, inst: RoutingInstance, excluded: frozenset[str] = frozenset()) -> None:
        """``excluded`` stops are left out of the search (no vehicle can serve them)."""
        self.inst = inst
        self.excluded = excluded
        self.scale = _scale(inst)
        self.ids = [d.id for d in inst.depots] + [s.id for s in inst.stops]
        self.node = {n: i for i, n in enumerate(self.ids)}
        self.vehicles = list(inst.vehicles)
        types = [inst.vehicle_type_by_id[t] for t, _k in self.vehicles]
        starts = [self.node[vt.start_depot] for vt in types]
        ends = [self.node[vt.end_depot or vt.start_depot] for vt in types]
        self.manager = pywrapcp.RoutingIndexManager(len(self.ids), len(self.vehicles), starts,
                                                    ends)
        self.routing = pywrapcp.RoutingModel(self.manager)
        self._costs_and_time(types)
        self._breaks(types)
        self._loads(types)
        self._rules(types)

    # -- model ---------------------------------------------------------------------------

    def _costs_and_time(self, types: list) -> None:
        inst, routing, s = self.inst, self.routing, self.scale
        service = np.array([0.0] * len(inst.depots) + [st.service_time for st in inst.stops])
        money = MONEY_SCALE.get(inst.distance.rounding, 1) if inst.distance.kind == "euclidean" \
            else 100
        hierarchical = inst.objective.kind == "vehicles_then_distance"
        cost_ids: dict[str, int] = {}
        time_ids: dict[str, int] = {}
        dist_ids: dict[str, int] = {}
        horizon = 0
        for vt in inst.vehicle_types:
            m = matrices(inst, vt)
            per_metre = vt.cost_per_km / 1000.0
            cost = np.rint(m.distance * per_metre * money).astype(np.int64)
            cost_ids[vt.id] = routing.RegisterTransitMatrix(cost.tolist())
            travel = np.ceil(np.round((m.duration + service[:, None]) * s, 6)).astype(np.int64)
            time_ids[vt.id] = routing.RegisterTransitMatrix(travel.tolist())
            if vt.max_distance is not None:
                dist = np.ceil(np.round(m.distance * s, 6)).astype(np.int64)
                dist_ids[vt.id] = routing.RegisterTransitMatrix(dist.tolist())
            horizon = max(horizon, math.ceil(vt.shift_end * s))
        horizon = max(horizon, max(math.ceil(d.close * s) for d in inst.depots))
        self.horizon = horizon
        for v, (t, _k) in enumerate(self.vehicles):
            vt = inst.vehicle_type_by_id[t]
            routing.SetArcCostEvaluatorOfVehicle(cost_ids[t], v)
            fixed = round(vt.fixed_cost * money) + (VEHICLE_WEIGHT if hierarchical else 0)
            routing.SetFixedCostOfVehicle(fixed, v)
        routing.AddDimensionWithVehicleTransitAndCapacity(
            [time_ids[t] for t, _k in self.vehicles], horizon, [horizon] * len(self.vehicles),
            False, "time")
        self.time = routing.GetDimensionOrDie("time")
        for v, (t, _k) in enumerate(self.vehicles):
            vt = inst.vehicle_type_by_id[t]
            start = self.routing.Start(v)
            end = self.routing.End(v)
            open_ = max(vt.shift_start, inst.depot_by_id[vt.start_depot].open)
            close = min(vt.shift_end, inst.depot_by_id[vt.end_depot or vt.start_depot].close)
            self.time.CumulVar(start).SetRange(math.ceil(open_ * s), horizon)
            self.time.CumulVar(end).SetRange(0, math.floor(close * s))
            if vt.max_duration is not None:
                self.time.SetSpanUpperBoundForVehicle(math.floor(vt.max_duration * s), v)
            per_hour = round(vt.cost_per_hour / 3600.0 * money / s)
            if per_hour:
                self.time.SetSpanCostCoefficientForVehicle(per_hour, v)
        if dist_ids:
            big = 10**15
            transits = [dist_ids.get(t, routing.RegisterTransitMatrix(
                [[0] * len(self.ids)] * len(self.ids))) for t, _k in self.vehicles]
            caps = []
            for t, _k in self.vehicles:
                limit = inst.vehicle_type_by_id[t].max_distance
                caps.append(big if limit is None else math.floor(limit * s))
            routing.AddDimensionWithVehicleTransitAndCapacity(transits, 0, caps, True,
                                                              "distance")
        for stop in inst.stops:
            index = self.manager.NodeToIndex(self.node[stop.id])
            if stop.time_windows:
                windows = sorted((math.ceil(w.start * s), math.floor(w.end * s))
                                 for w in stop.time_windows)
                cumul = self.time.CumulVar(index)
                cumul.SetRange(windows[0][0], windows[-1][1])
                for (_a, b), (c, _d) in itertools.pairwise(windows):
                    if c > b + 1:
                        cumul.RemoveInterval(b + 1, c - 1)

    def _breaks(self, types: list) -> None:
        """Driver breaks as fixed-duration intervals the time dimension keeps clear of service
        (``node_visit_transits``: the service part of each node's transit)."""
        if not any(vt.breaks for vt in types):
            return
        inst, routing, manager, s = self.inst, self.routing, self.manager, self.scale
        service = [0.0] * len(inst.depots) + [st.service_time for st in inst.stops]
        visit = [math.ceil(round(service[manager.IndexToNode(i)] * s, 6))
                 for i in range(routing.Size())]
        solver = routing.solver()
        for v, vt in enumerate(types):
            if not vt.breaks:
                continue
            end = self.time.CumulVar(routing.End(v))
            intervals = []
            for b in vt.breaks:
                latest = math.floor(round(b.latest * s, 6))
                interval = solver.FixedDurationIntervalVar(
                    math.ceil(round(b.earliest * s, 6)), latest,
                    math.ceil(round(b.duration * s, 6)), True, f"{vt.id} {v} {b.id}")
                # due once the route is still running at the latest start
                solver.Add(interval.PerformedExpr() >= solver.IsGreaterCstVar(end, latest))
                intervals.append(interval)
            self.time.SetBreakIntervalsOfVehicle(intervals, v, visit)

    def _loads(self, types: list) -> None:
        inst, routing = self.inst, self.routing
        paired = {p.pickup for p in inst.shipments} | {p.delivery for p in inst.shipments}
        for d in range(inst.dimensions):
            caps = [math.floor(vt.capacity[d] * 1000) for vt in types]
            change = [0] * len(inst.depots)
            delivered = [0] * len(inst.depots)
            for stop in inst.stops:
                out = stop.delivery[d] if stop.delivery else 0.0
                into = stop.pickup[d] if stop.pickup else 0.0
                change.append(round((into - out) * 1000))
                delivered.append(round(out * 1000) if stop.id not in paired else 0)
            if not any(v > 0 for v in change):
                # deliveries only: count up what is delivered, the classic CVRP dimension
                transit = routing.RegisterUnaryTransitVector([-v for v in change])
                routing.AddDimensionWithVehicleCapacity(transit, 0, caps, True, f"load{d}")
                continue
            transit = routing.RegisterUnaryTransitVector(change)
            routing.AddDimensionWithVehicleCapacity(transit, 0, caps, False, f"load{d}")
            load = routing.GetDimensionOrDie(f"load{d}")
            if any(delivered):
                # the vehicle leaves with exactly what it delivers outside shipments
                total = routing.RegisterUnaryTransitVector(delivered)
                routing.AddDimensionWithVehicleCapacity(total, 0, caps, True, f"out{d}")
                out = routing.GetDimensionOrDie(f"out{d}")
                for v in range(len(self.vehicles)):
                    routing.solver().Add(load.CumulVar(routing.Start(v))
                                         == out.CumulVar(routing.End(v)))
            else:
                for v in range(len(self.vehicles)):
                    load.CumulVar(routing.Start(v)).SetValue(0)

    def _rules(self, types: list) -> None:
        inst, routing, manager = self.inst, self.routing, self.manager
        solver = routing.solver()
        pairs = {p.pickup: p.delivery for p in inst.shipments}
        in_pair = set(pairs) | set(pairs.values())
        money = MONEY_SCALE.get(inst.distance.rounding, 1) if inst.distance.kind == "euclidean" \
            else 100
        for stop in inst.stops:
            index = manager.NodeToIndex(self.node[stop.id])
            if stop.id in self.excluded:  # no vehicle can serve it: leave it out
                routing.AddDisjunction([index], 0)
                routing.ActiveVar(index).SetValue(0)
                continue
            if stop.skills:
                allowed = [v for v, vt in enumerate(types) if set(stop.skills) <= set(vt.skills)]
                # -1 stays in the domain: "unperformed" is the disjunction's business
                routing.VehicleVar(index).SetValues([-1, *allowed])
            if stop.drop_penalty is not None and stop.id not in in_pair:
                routing.AddDisjunction([index], round(stop.drop_penalty * money))
        for pickup, delivery in pairs.items():
            p = manager.NodeToIndex(self.node[pickup])
            d = manager.NodeToIndex(self.node[delivery])
            routing.AddPickupAndDelivery(p, d)
            solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
            solver.Add(self.time.CumulVar(p) <= self.time.CumulVar(d))
            penalties = [inst.stop_by_id[x].drop_penalty for x in (pickup, delivery)]
            if all(x is not None for x in penalties):
                routing.AddDisjunction([p, d], round(sum(penalties) * money), 2)

    # -- search ----------------------------------------------------------------------------

    def search(self, settings: SearchSettings, on_found: Callable[[Found], None]) -> str:
        """Run one search; ``on_found`` gets every improving solution. Returns the stop reason."""
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = FIRST_SOLUTION[settings.first_solution]
        params.local_search_metaheuristic = METAHEURISTIC[settings.metaheuristic]
        if any(vt.breaks for vt in self.inst.vehicle_types):
            # measured: OR-Tools' route scheduling solver (CP-SAT with breaks) made a 5-stop
            # search 6x slower, and an 80-stop day with lunch breaks 3 % dearer at 20 s
            params.disable_scheduling_beware_this_may_degrade_performance = True
        if settings.time_limit is not None:
            params.time_limit.FromMilliseconds(max(1, int(settings.time_limit * 1000)))
        if settings.solution_limit is not None:
            params.solution_limit = settings.solution_limit
        params.log_search = settings.log
        best = [math.inf]
        routing = self.routing

        def at_solution() -> None:
            value = routing.CostVar().Value()
            if value < best[0]:
                best[0] = value
                on_found(self._read(lambda var: var.Value(), value))

        routing.AddAtSolutionCallback(at_solution)
        assignment = routing.SolveWithParameters(params)
        if assignment is None:
            return "no solution found"
        final = assignment.ObjectiveValue()
        if final < best[0]:
            best[0] = final
            on_found(self._read(assignment.Value, final))
        return f"search ended ({_STATUS.get(routing.status(), routing.status())})"

    def _read(self, value: Callable, objective: int) -> Found:
        routing, manager = self.routing, self.manager
        sequences = []
        for v, (t, k) in enumerate(self.vehicles):
            index = routing.Start(v)
            stops = []
            index = value(routing.NextVar(index))
            while not routing.IsEnd(index):
                stops.append(self.ids[manager.IndexToNode(index)])
                index = value(routing.NextVar(index))
            if stops:
                sequences.append((t, k, tuple(stops)))
        return Found(int(objective), tuple(sequences))


_STATUS = {
    1: "success", 2: "no solution", 3: "time limit", 4: "invalid", 5: "infeasible",
    7: "optimal",
}
