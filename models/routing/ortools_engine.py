"""The OR-Tools routing model: every feature of the instance, matrices registered natively.

Times, distances and money are integers in the units of :mod:`models.routing.scaling`, shared
with the PyVRP engine, so both optimise the cost the plan reports. Travel times are rounded *up*,
so a schedule OR-Tools accepts is feasible in exact arithmetic; the checker recomputes the true
times and costs.

Transit values are passed as matrices and vectors (``RegisterTransitMatrix``,
``RegisterUnaryTransitVector``), never as Python callbacks, so the search runs in C++.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from models.routing.data import RoutingInstance
from models.routing.distances import matrices
from models.routing.scaling import scaling

#: Per-vehicle cost added under the "vehicles, then distance" objective (in scaled units).
VEHICLE_WEIGHT = 10**9

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


class OrToolsModel:
    """The routing model of one instance, ready to search."""

    def __init__(self, inst: RoutingInstance, excluded: frozenset[str] = frozenset(),
                 soft: bool = False) -> None:
        """``excluded`` stops are left out of the search (no vehicle can serve them). ``soft``:
        must-serve stops may be left out while searching, at more than any plan costs, so the
        search always has a start (OR-Tools' first-solution heuristics fail on tight days that
        have plans); only plans serving every must-serve stop are reported."""
        self.inst = inst
        self.excluded = excluded
        self.sc = scaling(inst)
        self.ids = [d.id for d in inst.depots] + [s.id for s in inst.stops]
        self.node = {n: i for i, n in enumerate(self.ids)}
        self.vehicles = list(inst.vehicles)
        types = [inst.vehicle_type_by_id[t] for t, _k in self.vehicles]
        starts = [self.node[vt.start_depot] for vt in types]
        ends = [self.node[vt.end_depot or vt.start_depot] for vt in types]
        self.manager = pywrapcp.RoutingIndexManager(len(self.ids), len(self.vehicles), starts,
                                                    ends)
        self.routing = pywrapcp.RoutingModel(self.manager)
        #: more than any plan can cost: the price of leaving a must-serve stop out (soft)
        self._plan_bound = 1 + sum(self.sc.amount(s.drop_penalty or 0.0) for s in inst.stops)
        self._costs_and_time(types)
        self._breaks(types)
        self._loads(types)
        self.soft = soft
        self.must = [self.manager.NodeToIndex(self.node[s.id]) for s in inst.stops
                     if s.drop_penalty is None and s.id not in self.excluded]
        self._rules(types)

    # -- model ---------------------------------------------------------------------------

    def _costs_and_time(self, types: list) -> None:
        inst, routing, sc = self.inst, self.routing, self.sc
        service = np.array([0] * len(inst.depots)
                           + [sc.duration(st.service_time) for st in inst.stops], dtype=np.int64)
        hierarchical = inst.objective.kind == "vehicles_then_distance"
        cost_ids: dict[str, int] = {}
        time_ids: dict[str, int] = {}
        dist_ids: dict[str, int] = {}
        horizon = 0
        for vt in inst.vehicle_types:
            m = matrices(inst, vt)
            arcs = sc.arc_costs(vt, m.distance)
            self._plan_bound += int(arcs.max()) * (len(self.ids) + inst.vehicle_count)
            cost_ids[vt.id] = routing.RegisterTransitMatrix(arcs.tolist())
            travel = sc.duration_matrix(m.duration) + service[:, None]
            time_ids[vt.id] = routing.RegisterTransitMatrix(travel.tolist())
            if vt.max_distance is not None:
                dist = np.ceil(np.round(m.distance * sc.distance, 6)).astype(np.int64)
                dist_ids[vt.id] = routing.RegisterTransitMatrix(dist.tolist())
            horizon = max(horizon, sc.earliest(vt.shift_end))
        horizon = max(horizon, max(sc.earliest(d.close) for d in inst.depots))
        self.horizon = horizon
        for v, (t, _k) in enumerate(self.vehicles):
            vt = inst.vehicle_type_by_id[t]
            routing.SetArcCostEvaluatorOfVehicle(cost_ids[t], v)
            fixed = sc.amount(vt.fixed_cost) + (VEHICLE_WEIGHT if hierarchical else 0)
            self._plan_bound += fixed + sc.per_time(vt) * horizon
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
            self.time.CumulVar(start).SetRange(sc.earliest(open_), horizon)
            self.time.CumulVar(end).SetRange(0, sc.latest(close))
            if vt.max_duration is not None:
                self.time.SetSpanUpperBoundForVehicle(sc.latest(vt.max_duration), v)
            per_hour = sc.per_time(vt)
            if per_hour:
                self.time.SetSpanCostCoefficientForVehicle(per_hour, v)
        if dist_ids:
            big = 10**15
            transits = [dist_ids.get(t, routing.RegisterTransitMatrix(
                [[0] * len(self.ids)] * len(self.ids))) for t, _k in self.vehicles]
            caps = []
            for t, _k in self.vehicles:
                limit = inst.vehicle_type_by_id[t].max_distance
                caps.append(big if limit is None else math.floor(limit * sc.distance))
            routing.AddDimensionWithVehicleTransitAndCapacity(transits, 0, caps, True,
                                                              "distance")
        for stop in inst.stops:
            index = self.manager.NodeToIndex(self.node[stop.id])
            # an excluded stop is never visited; its windows may lie past the horizon, where
            # the cumul's domain is empty ("CP Solver fail" while building)
            if stop.time_windows and stop.id not in self.excluded:
                windows = sorted((sc.earliest(w.start), sc.latest(w.end))
                                 for w in stop.time_windows)
                windows = [(a, min(b, horizon)) for a, b in windows if a <= horizon]
                if not windows:  # no window before the horizon: left out like an excluded one
                    self.excluded = self.excluded | {stop.id}
                    continue
                cumul = self.time.CumulVar(index)
                cumul.SetRange(windows[0][0], windows[-1][1])
                for (_a, b), (c, _d) in itertools.pairwise(windows):
                    if c > b + 1:
                        cumul.RemoveInterval(b + 1, c - 1)

    def _breaks(self, types: list) -> None:
        """Driver breaks as fixed-duration intervals the time dimension keeps clear of service
        (``node_visit_transits``: the service part of each node's transit). A break is due when
        the route runs across its latest start (leaves before it and returns after it); a
        break taken lies inside the route, so it counts in the route's duration."""
        if not any(vt.breaks for vt in types):
            return
        inst, routing, manager, sc = self.inst, self.routing, self.manager, self.sc
        service = [0.0] * len(inst.depots) + [st.service_time for st in inst.stops]
        visit = [sc.duration(service[manager.IndexToNode(i)]) for i in range(routing.Size())]
        solver = routing.solver()
        for v, vt in enumerate(types):
            if not vt.breaks:
                continue
            start = self.time.CumulVar(routing.Start(v))
            end = self.time.CumulVar(routing.End(v))
            intervals = []
            for b in vt.breaks:
                latest = sc.latest(b.latest)
                interval = solver.FixedDurationIntervalVar(
                    sc.earliest(b.earliest), latest, sc.duration(b.duration), True,
                    f"{vt.id} {v} {b.id}")
                solver.Add(interval.PerformedExpr() >= solver.IsGreaterCstVar(end, latest)
                           + solver.IsLessCstVar(start, latest) - 1)
                solver.Add(interval.SafeStartExpr(self.horizon) >= start)
                solver.Add(interval.SafeEndExpr(0) <= end)
                intervals.append(interval)
            self.time.SetBreakIntervalsOfVehicle(intervals, v, visit)

    def _loads(self, types: list) -> None:
        inst, routing = self.inst, self.routing
        paired = {p.pickup for p in inst.shipments} | {p.delivery for p in inst.shipments}
        for d in range(inst.dimensions):
            caps = [math.floor(vt.capacity[d] * 1000) for vt in types]
            change = [0] * len(inst.depots)
            collected = [0] * len(inst.depots)
            for stop in inst.stops:
                out = stop.delivery[d] if stop.delivery else 0.0
                into = stop.pickup[d] if stop.pickup else 0.0
                change.append(round((into - out) * 1000))
                collected.append(round(into * 1000) if stop.id not in paired else 0)
            if not any(v > 0 for v in change):
                # deliveries only: count up what is delivered, the classic CVRP dimension
                transit = routing.RegisterUnaryTransitVector([-v for v in change])
                routing.AddDimensionWithVehicleCapacity(transit, 0, caps, True, f"load{d}")
                continue
            # The load cumul starts at some L0 and changes by pickup - delivery; cumuls in
            # [0, capacity]. The true start load is what the route delivers outside shipments
            # (D), and every true load is L0 - D below the cumul, so the route is feasible iff
            # the cumuls are with L0 >= D, i.e. iff the end load L0 - D + P is >= P, what it
            # collects outside shipments. An inequality at the route's end only: OR-Tools'
            # first-solution heuristics failed on the equality L0 = D (measured: no plan on
            # planar simultaneous pickup-and-delivery days that PyVRP solves).
            transit = routing.RegisterUnaryTransitVector(change)
            routing.AddDimensionWithVehicleCapacity(transit, 0, caps, False, f"load{d}")
            load = routing.GetDimensionOrDie(f"load{d}")
            if any(collected):
                total = routing.RegisterUnaryTransitVector(collected)
                routing.AddDimensionWithVehicleCapacity(total, 0, caps, True, f"in{d}")
                into = routing.GetDimensionOrDie(f"in{d}")
                for v in range(len(self.vehicles)):
                    routing.solver().Add(load.CumulVar(routing.End(v))
                                         >= into.CumulVar(routing.End(v)))

    def _rules(self, types: list) -> None:
        inst, routing, manager, sc = self.inst, self.routing, self.manager, self.sc
        solver = routing.solver()
        pairs = {p.pickup: p.delivery for p in inst.shipments}
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
            if stop.drop_penalty is not None:
                routing.AddDisjunction([index], sc.amount(stop.drop_penalty))
            elif self.soft:
                routing.AddDisjunction([index], self._plan_bound)
        for pickup, delivery in pairs.items():
            if pickup in self.excluded or delivery in self.excluded:
                continue  # both left out (a pair is served whole or not at all)
            p = manager.NodeToIndex(self.node[pickup])
            d = manager.NodeToIndex(self.node[delivery])
            routing.AddPickupAndDelivery(p, d)  # same vehicle, both or neither, p before d
            solver.Add(self.time.CumulVar(p) <= self.time.CumulVar(d))

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
            if value < best[0] and all(routing.ActiveVar(i).Value() for i in self.must):
                best[0] = value
                on_found(self._read(lambda var: var.Value(), value))

        routing.AddAtSolutionCallback(at_solution)
        assignment = routing.SolveWithParameters(params)
        if assignment is None:
            return f"no solution found ({status_name(routing.status())})"
        if best[0] == math.inf:  # solutions found, each leaving out a stop that must be served
            return "no solution serves every stop that must be served"
        final = assignment.ObjectiveValue()
        if final < best[0] and all(assignment.Value(routing.ActiveVar(i)) for i in self.must):
            best[0] = final
            on_found(self._read(assignment.Value, final))
        return f"search ended ({status_name(routing.status())})"

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



def ortools_objective(inst: RoutingInstance,
                      sequences: Sequence[tuple[str, int, Sequence[str]]]) -> int | None:
    """OR-Tools' own objective (money units) for a fixed set of routes, schedules and breaks
    optimised by its route scheduling, or None when it finds them infeasible: what its search
    compares plans by. A new model each call (a solved model does not restore another
    assignment reliably)."""
    model = OrToolsModel(inst)
    routes: list[list[int]] = [[] for _ in model.vehicles]
    slot = {key: v for v, key in enumerate(model.vehicles)}
    for t, k, stops in sequences:
        routes[slot[(t, k)]] = [model.manager.NodeToIndex(model.node[s]) for s in stops]
    routing = model.routing
    routing.CloseModel()
    initial = routing.ReadAssignmentFromRoutes(routes, True)
    if initial is None:
        return None
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.solution_limit = 1
    assignment = routing.SolveFromAssignmentWithParameters(initial, params)
    return None if assignment is None else int(assignment.ObjectiveValue())

def status_name(code: int) -> str:
    """OR-Tools' own name of a routing status (``ROUTING_SUCCESS``, ...)."""
    try:
        return routing_enums_pb2.RoutingSearchStatus.Value.Name(code)
    except ValueError:
        return f"status {code}"
