"""Why a stop is left unserved — computed from the instance and the plan, never guessed.

Reasons, checked in this order for every vehicle type:

* ``capacity`` — its delivery or pickup exceeds every vehicle's capacity (some dimension);
* ``skills`` — no vehicle has the skills it requires;
* ``time_window`` — no vehicle can reach it inside a window, leaving its depot at the earliest
  moment of its shift, and get back before the shift or the depot closes;
  For a pickup-and-delivery pair: no vehicle can serve the pickup, then the delivery, inside
  their windows (both stops get the reason);
* ``route_limit`` — the round trip depot → stop → depot alone exceeds the maximum route
  duration or distance of every vehicle that could otherwise serve it;
* ``dropped_for_cost`` — it could be served, but the cheapest feasible insertion into the plan
  (into a route, or a new route for an unused vehicle) costs more than its drop penalty; the
  detail gives both numbers. ``dropped_by_search`` when that insertion is cheaper than the
  penalty (the heuristic missed it), ``no_feasible_insertion`` when it fits no route of this plan
  and no vehicle is free.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from models.routing.data import RoutingInstance, Stop, VehicleType
from models.routing.distances import matrices, node_ids
from models.routing.plan import RoutePlan, RoutingSummary, route_schedule
from models.solver import SolveStatus

_NO_SOLVE = RoutingSummary(status=SolveStatus.NO_SOLUTION, engine="", stop_reason="")


#: Reasons that hold for the stop alone, whatever the rest of the plan: no plan can serve it.
IMPOSSIBLE = frozenset({"capacity", "skills", "time_window", "route_limit"})


def impossible_stops(inst: RoutingInstance) -> dict[str, tuple[str, str]]:
    """Stops no vehicle can serve in any plan, with the reason (checked before searching)."""
    empty = RoutePlan(instance=inst.name, solve=_NO_SOLVE)
    index = {n: i for i, n in enumerate(node_ids(inst))}
    out = {}
    for stop in inst.stops:
        reason = _reason(inst, empty, stop, index, only_alone=True)
        if reason is not None:
            out[stop.id] = reason
    for pair in inst.shipments:
        if pair.pickup in out or pair.delivery in out:
            continue
        stops = [pair.pickup, pair.delivery]
        if not any(_route_cost(inst, vt.model_copy(update={"max_duration": None,
                                                          "max_distance": None}),
                               stops, index) is not None
                   for vt in inst.vehicle_types
                   if all(set(inst.stop_by_id[s].skills) <= set(vt.skills) for s in stops)):
            detail = (f"no vehicle can serve pickup {pair.pickup} and then delivery "
                      f"{pair.delivery} inside their windows and its shift")
            out[pair.pickup] = out[pair.delivery] = ("time_window", detail)
    return out


def unserved_reasons(inst: RoutingInstance, plan: RoutePlan) -> dict[str, tuple[str, str]]:
    """``{stop: (reason, detail)}`` for every stop the plan leaves out."""
    served = {v.stop for r in plan.routes for v in r.visits}
    index = {n: i for i, n in enumerate(node_ids(inst))}
    reasons = {}
    for stop in inst.stops:
        if stop.id in served:
            continue
        reason = _reason(inst, plan, stop, index)
        assert reason is not None
        reasons[stop.id] = reason
    return reasons


def _reason(inst: RoutingInstance, plan: RoutePlan, stop: Stop, index: dict[str, int],
            only_alone: bool = False) -> tuple[str, str] | None:
    types = inst.vehicle_types
    fits = [vt for vt in types if _fits(stop, vt)]
    if not fits:
        biggest = [max(vt.capacity[d] for vt in types) for d in range(inst.dimensions)]
        return ("capacity", f"needs {max(stop.delivery, stop.pickup, key=sum)} but the largest "
                            f"capacity is {tuple(biggest)}")
    skilled = [vt for vt in fits if set(stop.skills) <= set(vt.skills)]
    if not skilled:
        return ("skills", f"requires {sorted(stop.skills)}; no vehicle that can carry it has "
                          f"them")
    reachable, limited = [], []
    for vt in skilled:
        m = matrices(inst, vt)
        home, back = index[vt.start_depot], index[vt.end_depot or vt.start_depot]
        here = index[stop.id]
        leave = max(vt.shift_start, inst.depot_by_id[vt.start_depot].open)
        close = min(vt.shift_end, inst.depot_by_id[vt.end_depot or vt.start_depot].close)
        arrive = leave + float(m.duration[home, here])
        start = _window_start(stop, arrive)
        if start is None or start + stop.service_time + float(m.duration[here, back]) > close:
            continue
        reachable.append(vt)
        trip = start + stop.service_time + float(m.duration[here, back]) - leave
        distance = float(m.distance[home, here] + m.distance[here, back])
        if ((vt.max_duration is not None and trip > vt.max_duration)
                or (vt.max_distance is not None and distance > vt.max_distance)):
            continue
        limited.append(vt)
    if not reachable:
        windows = [(w.start, w.end) for w in stop.time_windows]
        return ("time_window", f"no vehicle can reach it within its windows {windows} and "
                               f"return before its shift or depot closes")
    if not limited:
        return ("route_limit", "the round trip from the depot alone exceeds every suitable "
                               "vehicle's maximum route duration or distance")
    if only_alone:
        return None
    penalty = stop.drop_penalty
    partner = {p.pickup: p.delivery for p in inst.shipments}
    partner.update({p.delivery: p.pickup for p in inst.shipments})
    if stop.id in partner:
        return ("dropped_for_cost", f"left out with its shipment partner {partner[stop.id]}; "
                                    f"drop penalty {penalty}")
    cost = _cheapest_insertion(inst, plan, stop, limited, index)
    if cost is None:
        return ("no_feasible_insertion", "it fits no route of this plan (capacity, windows or "
                                         "limits) and no suitable vehicle is free")
    if penalty is not None and cost < penalty:
        return ("dropped_by_search", f"cheapest feasible insertion costs {cost:,.2f}, less than "
                                     f"its drop penalty {penalty:,.2f}: the search missed it "
                                     f"(a longer run may serve it)")
    return ("dropped_for_cost", f"cheapest feasible insertion costs {cost:,.2f}, more than its "
                                f"drop penalty {penalty:,.2f}" if penalty is not None else
            f"cheapest feasible insertion costs {cost:,.2f}")


def _fits(stop: Stop, vt: VehicleType) -> bool:
    return all(q <= cap + 1e-9 for q, cap in zip(stop.delivery, vt.capacity, strict=False)) \
        and all(q <= cap + 1e-9 for q, cap in zip(stop.pickup, vt.capacity, strict=False))


def _window_start(stop: Stop, arrival: float) -> float | None:
    if not stop.time_windows:
        return arrival
    starts = [max(arrival, w.start) for w in stop.time_windows if w.end >= arrival - 1e-9]
    return min(starts) if starts else None


def _cheapest_insertion(inst: RoutingInstance, plan: RoutePlan, stop: Stop,
                        suitable: Sequence[VehicleType],
                        index: dict[str, int]) -> float | None:
    """Least added cost of serving ``stop`` in the plan, keeping every rule."""
    ok_types = {vt.id for vt in suitable}
    best = math.inf
    used = set()
    for r in plan.routes:
        used.add((r.vehicle_type, r.vehicle))
        if r.vehicle_type not in ok_types:
            continue
        vt = inst.vehicle_type_by_id[r.vehicle_type]
        stops = [v.stop for v in r.visits]
        before = _route_cost(inst, vt, stops, index)
        if before is None:
            continue
        for pos in range(len(stops) + 1):
            after = _route_cost(inst, vt, [*stops[:pos], stop.id, *stops[pos:]], index)
            if after is not None:
                best = min(best, after - before)
    for type_id, k in inst.vehicles:
        if (type_id, k) not in used and type_id in ok_types:
            vt = inst.vehicle_type_by_id[type_id]
            alone = _route_cost(inst, vt, [stop.id], index)
            if alone is not None:
                best = min(best, alone)
    return None if best == math.inf else best


def _route_cost(inst: RoutingInstance, vt: VehicleType, stops: Sequence[str],
                index: dict[str, int]) -> float | None:
    """Cost of a route serving ``stops`` in order, or None if it breaks a rule (capacity with
    all deliveries loaded at the start, windows, shift, limits; shipments are not re-paired)."""
    m = matrices(inst, vt)
    dims = inst.dimensions
    paired = {p.pickup for p in inst.shipments} | {p.delivery for p in inst.shipments}
    load = [0.0] * dims
    for s in stops:
        if s not in paired:
            for d, q in enumerate(inst.stop_by_id[s].delivery):
                load[d] += q
    if any(load[d] > vt.capacity[d] + 1e-9 for d in range(dims)):
        return None
    home, back = index[vt.start_depot], index[vt.end_depot or vt.start_depot]
    leave = max(vt.shift_start, inst.depot_by_id[vt.start_depot].open)
    close = min(vt.shift_end, inst.depot_by_id[vt.end_depot or vt.start_depot].close)
    t, here, distance = leave, home, 0.0
    for s in stops:
        stop = inst.stop_by_id[s]
        node = index[s]
        distance += float(m.distance[here, node])
        start = _window_start(stop, t + float(m.duration[here, node]))
        if start is None:
            return None
        for d, q in enumerate(stop.delivery):
            load[d] -= q
        for d, q in enumerate(stop.pickup):
            load[d] += q
        if any(load[d] > vt.capacity[d] + 1e-9 for d in range(dims)):
            return None
        t, here = start + stop.service_time, node
    distance += float(m.distance[here, back])
    end = t + float(m.duration[here, back])
    if vt.breaks:  # the breaks can only make it later: schedule them too
        timing = route_schedule(inst, m, [home, *(index[s] for s in stops), back], stops,
                                leave, vt.breaks)
        if timing.faults:
            return None
        end = timing.end
    if end > close + 1e-9:
        return None
    if vt.max_duration is not None and end - leave > vt.max_duration + 1e-9:
        return None
    if vt.max_distance is not None and distance > vt.max_distance + 1e-9:
        return None
    return (vt.fixed_cost + vt.cost_per_km * distance / 1000.0
            + vt.cost_per_hour * (end - leave) / 3600.0)
