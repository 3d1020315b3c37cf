"""The route plan: per vehicle the ordered stops with their schedule and loads, and totals.

:func:`assemble_plan` turns stop sequences into a plan: each route leaves its depot as late as
possible without making the first stop wait, serves every stop at the earliest time its windows
allow, and carries at the start everything it delivers that is not part of a pickup-and-delivery
shipment.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from models.routing.data import RoutingInstance, TimeWindow
from models.routing.distances import Matrices, matrices, node_ids
from models.solver import SolveStatus


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Visit(_Frozen):
    """One stop on a route; ``load`` is what the vehicle carries after the stop."""

    stop: str
    arrival: float
    start: float = Field(description="Service start (arrival plus any wait for the window)")
    departure: float
    load: tuple[float, ...]


class Route(_Frozen):
    """One vehicle's route, depot to depot."""

    vehicle_type: str
    vehicle: int
    start_depot: str
    end_depot: str
    start_time: float
    end_time: float
    start_load: tuple[float, ...]
    visits: tuple[Visit, ...]
    distance: float
    duration: float
    cost: float


class Unserved(_Frozen):
    """A stop the plan leaves out, with the reason (see :mod:`models.routing.explain`)."""

    stop: str
    reason: str
    detail: str
    penalty: float | None


class RoutingSummary(_Frozen):
    """How the plan was obtained. Heuristic engines prove nothing: ``feasible``."""

    status: SolveStatus
    engine: str
    stop_reason: str
    seconds: float = 0.0
    time_limit: float | None = None
    seed: int = 0
    portfolio: str = Field(default="", description="Every portfolio member and its outcome")


class RoutePlan(_Frozen):
    """A route plan. ``cost`` = vehicle costs + drop penalties."""

    instance: str
    solve: RoutingSummary
    routes: tuple[Route, ...] = ()
    unserved: tuple[Unserved, ...] = ()
    unused_vehicles: tuple[str, ...] = ()
    vehicles_used: int = 0
    distance: float = 0.0
    duration: float = 0.0
    cost: float = 0.0


def _service_start(windows: Sequence[TimeWindow], arrival: float) -> float:
    """Earliest service start at or after ``arrival`` inside a window (``arrival`` when no
    window is still open: the checker will flag it)."""
    if not windows:
        return arrival
    opening = [w.start for w in windows if w.end >= arrival - 1e-9]
    return max(arrival, min(opening)) if opening else arrival


def _departure_delay(inst: RoutingInstance, m: Matrices, nodes: list[int], stops: Sequence[str],
                     earliest: float) -> float:
    """How much later than ``earliest`` the vehicle can leave without serving any stop later
    than its windows allow or returning later: total waiting, capped by each stop's slack plus
    the waiting before it (Savelsbergh's forward time slack)."""
    t, waited, delay = earliest, 0.0, math.inf
    for pos, s in enumerate(stops, start=1):
        stop = inst.stop_by_id[s]
        arrival = t + float(m.duration[nodes[pos - 1], nodes[pos]])
        start = _service_start(stop.time_windows, arrival)
        waited += start - arrival
        if stop.time_windows:
            close = min((w.end for w in stop.time_windows if w.end >= start - 1e-9),
                        default=start)
            delay = min(delay, close - start + waited)
        t = start + stop.service_time
    return max(0.0, min(delay, waited))


#: (vehicle type id, vehicle index within the type, stop ids in visiting order)
Sequenceable = tuple[str, int, Sequence[str]]


def assemble_plan(
    inst: RoutingInstance,
    sequences: Sequence[Sequenceable],
    summary: RoutingSummary,
    unserved: Mapping[str, tuple[str, str]] | None = None,
    start_times: Mapping[tuple[str, int], float] | None = None,
) -> RoutePlan:
    """Build a plan from stop sequences. ``unserved[stop] = (reason, detail)`` for stops not in
    any sequence (missing ones get reason ``unexplained``); ``start_times`` overrides the
    departure time of a vehicle (e.g. the solver's)."""
    index = {n: i for i, n in enumerate(node_ids(inst))}
    dims = inst.dimensions
    paired = {s.pickup for s in inst.shipments} | {s.delivery for s in inst.shipments}
    routes = []
    used = set()
    visited: set[str] = set()
    for type_id, k, stops in sequences:
        if not stops:
            continue
        vt = inst.vehicle_type_by_id[type_id]
        m = matrices(inst, vt)
        start_depot = inst.depot_by_id[vt.start_depot]
        end_id = vt.end_depot or vt.start_depot
        nodes = [index[start_depot.id], *(index[s] for s in stops), index[end_id]]
        earliest = max(vt.shift_start, start_depot.open)
        if start_times is not None and (type_id, k) in start_times:
            depart = max(earliest, start_times[(type_id, k)])
        else:
            depart = earliest + _departure_delay(inst, m, nodes, stops, earliest)
        load = [0.0] * dims
        for s in stops:
            stop = inst.stop_by_id[s]
            if s not in paired:
                for d, q in enumerate(stop.delivery):
                    load[d] += q
        start_load = tuple(round(v, 6) for v in load)
        t, distance, visits = depart, 0.0, []
        for pos, s in enumerate(stops, start=1):
            stop = inst.stop_by_id[s]
            distance += float(m.distance[nodes[pos - 1], nodes[pos]])
            arrival = t + float(m.duration[nodes[pos - 1], nodes[pos]])
            start = _service_start(stop.time_windows, arrival)
            for d, q in enumerate(stop.delivery):
                load[d] -= q
            for d, q in enumerate(stop.pickup):
                load[d] += q
            t = start + stop.service_time
            visits.append(Visit(stop=s, arrival=round(arrival, 6), start=round(start, 6),
                                departure=round(t, 6), load=tuple(round(v, 6) for v in load)))
            visited.add(s)
        distance += float(m.distance[nodes[-2], nodes[-1]])
        end = t + float(m.duration[nodes[-2], nodes[-1]])
        duration = end - depart
        cost = (vt.fixed_cost + vt.cost_per_km * distance / 1000.0
                + vt.cost_per_hour * duration / 3600.0)
        routes.append(Route(
            vehicle_type=type_id, vehicle=k, start_depot=start_depot.id, end_depot=end_id,
            start_time=round(depart, 6), end_time=round(end, 6), start_load=start_load,
            visits=tuple(visits), distance=round(distance, 6), duration=round(duration, 6),
            cost=round(cost, 6)))
        used.add((type_id, k))
    reasons = dict(unserved or {})
    left = []
    penalty_total = 0.0
    for stop in inst.stops:
        if stop.id in visited:
            continue
        reason, detail = reasons.get(stop.id, ("unexplained", "no reason was computed"))
        left.append(Unserved(stop=stop.id, reason=reason, detail=detail,
                             penalty=stop.drop_penalty))
        penalty_total += stop.drop_penalty or 0.0
    unused = tuple(f"{t}#{k}" for t, k in inst.vehicles if (t, k) not in used)
    return RoutePlan(
        instance=inst.name, solve=summary, routes=tuple(routes), unserved=tuple(left),
        unused_vehicles=unused, vehicles_used=len(routes),
        distance=round(sum(r.distance for r in routes), 6),
        duration=round(sum(r.duration for r in routes), 6),
        cost=round(sum(r.cost for r in routes) + penalty_total, 6),
    )
