"""The route plan: per vehicle the ordered stops with their schedule and loads, and totals.

:func:`assemble_plan` turns stop sequences into a plan: each route leaves its depot as late as
possible without making the first stop wait, serves every stop at the earliest time its windows
allow, and carries at the start everything it delivers that is not part of a pickup-and-delivery
shipment.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from models.routing.data import Break, RoutingInstance, TimeWindow
from models.routing.distances import Matrices, matrices, node_ids
from models.routing.instance_cache import derived
from models.solver import SolveStatus

if TYPE_CHECKING:
    import pandas as pd


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Visit(_Frozen):
    """One stop on a route; ``load`` is what the vehicle carries after the stop."""

    stop: str
    arrival: float
    start: float = Field(description="Service start (arrival plus any wait for the window)")
    departure: float
    load: tuple[float, ...]


class BreakTaken(_Frozen):
    """A driver break on a route, taken on the way to visit number ``leg`` (0 = the first
    stop, ``len(visits)`` = the way back to the end depot): the driver drives until ``start``,
    rests until ``end``, then drives on."""

    id: str
    start: float
    end: float
    leg: int


class Route(_Frozen):
    """One vehicle's route, depot to depot. A visit's ``arrival`` comes after any break taken
    on the way to it."""

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
    breaks: tuple[BreakTaken, ...] = ()


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
    engine_choice: str = Field(default="", description="Which engines ran, and why")


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

    def to_frames(self, instance: RoutingInstance) -> dict[str, pd.DataFrame]:
        """The plan as tidy pandas tables (routes, stops, unserved) for ``instance`` (see
        :mod:`models.routing.plan_frames`)."""
        from models.routing.plan_frames import plan_frames

        return plan_frames(self, instance)


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


@dataclass(frozen=True)
class Timing:
    """A route's schedule: (arrival, service start, departure) per stop, the return time, the
    breaks, and how many rules it breaks (0 for an engine's plan; else the checker says which)."""

    visits: tuple[tuple[float, float, float], ...]
    end: float
    breaks: tuple[BreakTaken, ...]
    faults: int


def _through_leg(t: float, travel: float, breaks: Sequence[Break]) -> tuple[float, list, int]:
    """Drive ``travel`` from time ``t`` taking ``breaks`` in order, each as soon as the driving
    allows inside its window; (arrival, [(break, start)], breaks outside their window)."""
    left, taken, faults = travel, [], 0
    for b in breaks:
        drive = min(left, max(0.0, b.latest - t))  # drive on as long as the break can wait
        start = max(t + drive, b.earliest)
        if start > b.latest + 1e-9:
            faults += 1
        taken.append((b, start))
        left -= min(left, start - t)
        t = start + b.duration
    return t + left, taken, faults


def route_schedule(inst: RoutingInstance, m: Matrices, nodes: list[int], stops: Sequence[str],
                   depart: float, breaks: Sequence[Break]) -> Timing:
    """Earliest schedule of a route leaving at ``depart``, with its breaks placed on the legs
    that give the earliest return (a dynamic programme over (leg, breaks taken so far); an
    earlier time is never worse, as a vehicle may wait). A break is due only if the route
    leaves before its latest start and returns after it (:func:`is_due`). Without a feasible
    placement, the one with the fewest broken rules."""
    order = sorted(breaks, key=lambda b: (b.latest, b.earliest))
    n_b = len(order)
    # state per number of breaks taken: (faults, time, visits, breaks)
    states: list[tuple | None] = [None] * (n_b + 1)
    states[0] = (0, depart, (), ())
    for leg in range(len(stops) + 1):
        travel = float(m.duration[nodes[leg], nodes[leg + 1]])
        stop = inst.stop_by_id[stops[leg]] if leg < len(stops) else None
        after: list[tuple | None] = [None] * (n_b + 1)
        for k, state in enumerate(states):
            if state is None:
                continue
            faults, t, visits, taken = state
            for more in range(n_b - k + 1):
                arrival, placed, late = _through_leg(t, travel, order[k:k + more])
                new_taken = taken + tuple(BreakTaken(id=b.id, start=round(st, 6),
                                                     end=round(st + b.duration, 6), leg=leg)
                                          for b, st in placed)
                if stop is None:  # back at the depot: no break left out may be due
                    due = sum(is_due(b, depart, arrival) for b in order[k + more:])
                    cand = (faults + late + due, arrival, visits, new_taken)
                else:
                    start = _service_start(stop.time_windows, arrival)
                    missed = bool(stop.time_windows) and not any(
                        w.start - 1e-9 <= start <= w.end + 1e-9 for w in stop.time_windows)
                    cand = (faults + late + missed, start + stop.service_time,
                            (*visits, (arrival, start, start + stop.service_time)), new_taken)
                best = after[k + more]
                if best is None or cand[:2] < best[:2]:
                    after[k + more] = cand
        states = after
    faults, end, visits, taken = min((st for st in states if st is not None),
                                     key=lambda st: st[:2])
    return Timing(visits=visits, end=end, breaks=taken, faults=faults)


def is_due(b: Break, start: float, end: float) -> bool:
    """A break is due when the route runs across its latest start: it leaves before it and
    returns after it (a driver who starts after the lunch window, or is back before its end,
    takes no lunch)."""
    return start < b.latest - 1e-9 and end > b.latest + 1e-9


def _latest_departure(inst: RoutingInstance, m: Matrices, nodes: list[int],
                      stops: Sequence[str], earliest: float, breaks: Sequence[Break],
                      close: float, max_duration: float | None) -> float:
    """With breaks: the departure that gives the shortest route breaking the fewest rules
    (windows, breaks, the shift's end, the maximum duration), then the earliest return.
    Candidates: from the earliest departure and from each break's latest start (leaving then
    makes that break not due), the latest departure that returns no later and breaks no more
    rules (times grow with the departure, so bisection finds it)."""

    def faults(d: float, timed: Timing) -> int:
        long = max_duration is not None and timed.end - d > max_duration + 1e-9
        return timed.faults + (timed.end > close + 1e-9) + long

    best: tuple[int, float, float, float] | None = None
    for c in sorted({earliest, *(b.latest for b in breaks if b.latest > earliest)}):
        first = route_schedule(inst, m, nodes, stops, c, breaks)
        lo, hi = c, max(c, first.end)
        for _ in range(50):
            if hi - lo <= 1e-6:
                break
            mid = (lo + hi) / 2
            timed = route_schedule(inst, m, nodes, stops, mid, breaks)
            if timed.faults <= first.faults and timed.end <= first.end + 1e-9:
                lo = mid
            else:
                hi = mid
        timed = route_schedule(inst, m, nodes, stops, lo, breaks)
        key = (faults(lo, timed), round(timed.end - lo, 6), round(timed.end, 6), lo)
        if best is None or key < best:
            best = key
    assert best is not None
    return best[3]


@dataclass(frozen=True)
class Scheduled:
    """One route's schedule under the plan's rules: departure, timing, distance, cost."""

    depart: float
    timing: Timing
    distance: float
    cost: float


def schedule_route(inst: RoutingInstance, type_id: str, stops: Sequence[str],
                   start_time: float | None = None, breaks: bool = True) -> Scheduled:
    """Schedule ``stops`` on a vehicle of ``type_id`` by the plan's rules: leave as late as
    possible without returning later (with breaks: the departure giving the shortest route
    breaking the fewest rules), serve each stop as early as its windows allow, place breaks
    for the earliest return. ``start_time`` forces the departure; ``breaks=False`` leaves the
    vehicle type's breaks out (a bound: breaks only make a route later and longer)."""
    vt = inst.vehicle_type_by_id[type_id]
    if not breaks and vt.breaks:
        vt = vt.model_copy(update={"breaks": ()})
    m = matrices(inst, vt)
    index = _index(inst)
    end_id = vt.end_depot or vt.start_depot
    nodes = [index[vt.start_depot], *(index[s] for s in stops), index[end_id]]
    earliest = max(vt.shift_start, inst.depot_by_id[vt.start_depot].open)
    if start_time is not None:
        depart = max(earliest, start_time)
    elif vt.breaks:
        close = min(vt.shift_end, inst.depot_by_id[end_id].close)
        depart = _latest_departure(inst, m, nodes, stops, earliest, vt.breaks, close,
                                   vt.max_duration)
    else:
        depart = earliest + _departure_delay(inst, m, nodes, stops, earliest)
    timed = route_schedule(inst, m, nodes, stops, depart, vt.breaks)
    distance = float(sum(m.distance[a, b] for a, b in itertools.pairwise(nodes)))
    cost = (vt.fixed_cost + vt.cost_per_km * distance / 1000.0
            + vt.cost_per_hour * (timed.end - depart) / 3600.0)
    return Scheduled(depart, timed, distance, cost)


def _index(inst: RoutingInstance) -> dict[str, int]:
    """Node id -> matrix row, kept as long as the instance."""
    return derived(inst, "node_index", lambda: {n: i for i, n in enumerate(node_ids(inst))})


def price_route(inst: RoutingInstance, type_id: str, stops: Sequence[str],
                breaks: bool = True) -> float | None:
    """The cost of a route serving ``stops`` in order on a vehicle of ``type_id``, scheduled
    by the plan's rules, or None if it breaks one (capacity with every plain delivery loaded at
    the start, skills, windows, breaks, shift and depot hours, maximum duration and distance,
    a shipment's delivery before its pickup or without it). ``breaks=False``: the same without
    the driver breaks, a lower bound (None then means infeasible with them too)."""
    vt = inst.vehicle_type_by_id[type_id]
    dims = inst.dimensions
    partner = {p.pickup: p.delivery for p in inst.shipments}
    partner.update({p.delivery: p.pickup for p in inst.shipments})
    pickups = {p.pickup for p in inst.shipments}
    position = {s: i for i, s in enumerate(stops)}
    load = [0.0] * dims
    for s in stops:
        stop = inst.stop_by_id[s]
        if not set(stop.skills) <= set(vt.skills):
            return None
        if s in partner:
            other = position.get(partner[s])
            if other is None or (other < position[s]) == (s in pickups):
                return None
        else:
            for d, q in enumerate(stop.delivery):
                load[d] += q
    if any(load[d] > vt.capacity[d] + 1e-9 for d in range(dims)):
        return None
    for s in stops:
        stop = inst.stop_by_id[s]
        for d, q in enumerate(stop.delivery):
            load[d] -= q
        for d, q in enumerate(stop.pickup):
            load[d] += q
        if any(load[d] > vt.capacity[d] + 1e-9 for d in range(dims)):
            return None
    done = schedule_route(inst, type_id, stops, breaks=breaks)
    end = done.timing.end
    close = min(vt.shift_end, inst.depot_by_id[vt.end_depot or vt.start_depot].close)
    if done.timing.faults or end > close + 1e-9:
        return None
    if vt.max_duration is not None and end - done.depart > vt.max_duration + 1e-9:
        return None
    if vt.max_distance is not None and done.distance > vt.max_distance + 1e-9:
        return None
    return done.cost


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
    dims = inst.dimensions
    paired = {s.pickup for s in inst.shipments} | {s.delivery for s in inst.shipments}
    routes = []
    used = set()
    visited: set[str] = set()
    for type_id, k, stops in sequences:
        if not stops:
            continue
        vt = inst.vehicle_type_by_id[type_id]
        forced = None if start_times is None else start_times.get((type_id, k))
        done = schedule_route(inst, type_id, stops, forced)
        load = [0.0] * dims
        for s in stops:
            stop = inst.stop_by_id[s]
            if s not in paired:
                for d, q in enumerate(stop.delivery):
                    load[d] += q
        start_load = tuple(round(v, 6) for v in load)
        visits = []
        for pos, s in enumerate(stops, start=1):
            stop = inst.stop_by_id[s]
            for d, q in enumerate(stop.delivery):
                load[d] -= q
            for d, q in enumerate(stop.pickup):
                load[d] += q
            arrival, start, leave = done.timing.visits[pos - 1]
            visits.append(Visit(stop=s, arrival=round(arrival, 6), start=round(start, 6),
                                departure=round(leave, 6), load=tuple(round(v, 6) for v in load)))
            visited.add(s)
        routes.append(Route(
            vehicle_type=type_id, vehicle=k, start_depot=vt.start_depot,
            end_depot=vt.end_depot or vt.start_depot, start_time=round(done.depart, 6),
            end_time=round(done.timing.end, 6), start_load=start_load, visits=tuple(visits),
            distance=round(done.distance, 6), duration=round(done.timing.end - done.depart, 6),
            cost=round(done.cost, 6), breaks=done.timing.breaks))
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
