"""Why a stop is left unserved — computed from the instance and the plan, never guessed.

Proven before the search (no plan can serve the stop), for each vehicle type in turn:

* ``capacity`` — its delivery or pickup exceeds every vehicle's capacity (some dimension);
* ``skills`` — no vehicle that can carry it has the skills it requires;
* ``time_window`` — no vehicle can start serving it inside a window and get back before its
  shift or depot closes, even leaving at the earliest moment and driving the fastest way
  (shortest paths through the matrix, so a matrix that breaks the triangle inequality proves
  nothing false); a route may leave as late as it likes, so waiting is never counted;
* ``route_limit`` — the fastest (shortest) round trip depot → stop → depot alone already
  exceeds every otherwise suitable vehicle's maximum route duration (distance).

Breaks only lengthen routes, so they are left out of these bounds: a stop that only breaks make
unreachable is explained by the search reasons below, never the other way round.

A pickup-and-delivery pair is explained as a pair: both stops get the same reason (a stop that
cannot be served makes its partner unservable, and the pair itself may be impossible in
order: pickup, then delivery, inside both windows).

Proven for the whole day (:func:`fleet_shortfall`): the stops that must be served need more
than the whole fleet carries — every vehicle drives one route, loaded at the depot with all it
delivers and ending with all it picks up, so the must-serve deliveries (pickups) of stops outside
shipments cannot exceed the sum of all vehicles' capacities in any dimension.

Found after the search, for a stop (or pair) that some plan could serve, by pricing every
insertion into the plan's routes and a new route on every unused vehicle with the plan's own
schedule rules (:func:`models.routing.plan.price_route`: latest departure, breaks, shift,
limits): ``dropped_for_cost`` (the cheapest insertion costs more than the drop penalty; both
numbers in the detail), ``dropped_by_search`` (it costs less: the search missed it), and
``no_feasible_insertion`` (it fits nowhere in this plan).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

import numpy as np

from models.routing.data import RoutingInstance, Stop, VehicleType
from models.routing.distances import matrices, node_ids
from models.routing.plan import RoutePlan, price_route

#: Reasons that hold for the stop alone, whatever the rest of the plan: no plan can serve it.
IMPOSSIBLE = frozenset({"capacity", "skills", "time_window", "route_limit"})


def _shortest_from(weights: np.ndarray, source: int) -> np.ndarray:
    """Shortest path lengths from ``source`` (Bellman-Ford sweeps over a dense matrix)."""
    best = weights[source].astype(float).copy()
    best[source] = 0.0
    for _ in range(len(best)):
        better = np.minimum(best, (best[:, None] + weights).min(axis=0))
        if np.array_equal(better, best):
            break
        best = better
    return best


class _Bounds:
    """Shortest travel times and distances from and to every depot, per vehicle type."""

    def __init__(self, inst: RoutingInstance) -> None:
        self.inst = inst
        self.index = {n: i for i, n in enumerate(node_ids(inst))}
        self._cache: dict[tuple[str, str, int, bool], np.ndarray] = {}

    def get(self, vt: VehicleType, what: str, node: int, to: bool) -> np.ndarray:
        """``what`` ('duration'/'distance') from ``node`` (to it when ``to``)."""
        key = (vt.id, what, node, to)
        if key not in self._cache:
            m = getattr(matrices(self.inst, vt), what)
            self._cache[key] = _shortest_from(m.T if to else m, node)
        return self._cache[key]


def _fits(stop: Stop, vt: VehicleType) -> bool:
    return all(q <= cap + 1e-9 for q, cap in zip(stop.delivery, vt.capacity, strict=False)) \
        and all(q <= cap + 1e-9 for q, cap in zip(stop.pickup, vt.capacity, strict=False))


def _window_start(stop: Stop, arrival: float) -> float | None:
    if not stop.time_windows:
        return arrival
    starts = [max(arrival, w.start) for w in stop.time_windows if w.end >= arrival - 1e-9]
    return min(starts) if starts else None


def _alone(inst: RoutingInstance, bounds: _Bounds, stops: Sequence[Stop]
           ) -> tuple[str, str] | None:
    """Why no vehicle can serve ``stops`` (one stop, or a pickup then its delivery) in any
    plan, or None when that is not proven."""
    types = inst.vehicle_types
    fits = [vt for vt in types if all(_fits(s, vt) for s in stops)]
    if not fits:
        stop = ([s for s in stops if not any(_fits(s, vt) for vt in types)] or stops)[0]
        biggest = [max(vt.capacity[d] for vt in types) for d in range(inst.dimensions)]
        return ("capacity", f"{stop.id} needs {max(stop.delivery, stop.pickup, key=sum)} but "
                            f"the largest capacity is {tuple(biggest)}")
    need = set().union(*(s.skills for s in stops))
    skilled = [vt for vt in fits if need <= set(vt.skills)]
    if not skilled:
        return ("skills", f"requires {sorted(need)}; no vehicle that can carry it has them")
    reachable = []
    index = bounds.index
    for vt in skilled:
        home, back = index[vt.start_depot], index[vt.end_depot or vt.start_depot]
        leave = max(vt.shift_start, inst.depot_by_id[vt.start_depot].open)
        close = min(vt.shift_end, inst.depot_by_id[vt.end_depot or vt.start_depot].close)
        t, here, travel, distance = leave, home, 0.0, 0.0
        ok = True
        for stop in stops:
            node = index[stop.id]
            hop = bounds.get(vt, "duration", here, False)[node]
            start = _window_start(stop, t + hop)
            if start is None:
                ok = False
                break
            travel += hop + stop.service_time
            distance += bounds.get(vt, "distance", here, False)[node]
            t, here = start + stop.service_time, node
        hop = bounds.get(vt, "duration", back, True)[here]
        if not ok or t + hop > close + 1e-9:
            continue
        travel += hop
        distance += bounds.get(vt, "distance", back, True)[here]
        reachable.append((vt, travel, distance))
    names = "it" if len(stops) == 1 else " then ".join(s.id for s in stops)
    if not reachable:
        windows = "; ".join(("" if len(stops) == 1 else f"{s.id} ")
                            + (", ".join(f"{w.start:g}-{w.end:g}" for w in s.time_windows)
                               or "none") for s in stops)
        return ("time_window", f"no vehicle can start serving {names} inside the time "
                               f"windows (s: {windows}) and return before its shift or depot "
                               f"closes")
    if not any((vt.max_duration is None or travel <= vt.max_duration + 1e-9)
               and (vt.max_distance is None or distance <= vt.max_distance + 1e-9)
               for vt, travel, distance in reachable):
        return ("route_limit", f"the fastest round trip serving {names} alone exceeds every "
                               f"suitable vehicle's maximum route duration or distance")
    return None


def impossible_stops(inst: RoutingInstance) -> dict[str, tuple[str, str]]:
    """Stops no plan can serve, with the proven reason (checked before searching)."""
    bounds = _Bounds(inst)
    out = {}
    for stop in inst.stops:
        reason = _alone(inst, bounds, [stop])
        if reason is not None:
            out[stop.id] = reason
    for pair in inst.shipments:
        p, d = pair.pickup, pair.delivery
        label = f"shipment {p} -> {d}"
        if p in out or d in out:
            bad = p if p in out else d
            reason, detail = out[bad]
            out[p] = out[d] = (reason, f"{label}: {detail}")
            continue
        reason = _alone(inst, bounds, [inst.stop_by_id[p], inst.stop_by_id[d]])
        if reason is not None:
            out[p] = out[d] = (reason[0], f"{label}: {reason[1]}")
    return out


def unserved_reasons(inst: RoutingInstance, plan: RoutePlan,
                     proven: dict[str, tuple[str, str]] | None = None,
                     ) -> dict[str, tuple[str, str]]:
    """``{stop: (reason, detail)}`` for every stop the plan leaves out. ``proven``: the
    result of :func:`impossible_stops`, if already computed."""
    proven = impossible_stops(inst) if proven is None else proven
    served = {v.stop for r in plan.routes for v in r.visits}
    partner = {p.pickup: p.delivery for p in inst.shipments}
    pickups = set(partner)
    partner.update({p.delivery: p.pickup for p in inst.shipments})
    reasons: dict[str, tuple[str, str]] = {}
    for stop in inst.stops:
        if stop.id in served or stop.id in reasons:
            continue
        if stop.id in proven:
            reasons[stop.id] = proven[stop.id]
            continue
        group = [stop.id]
        if stop.id in partner:
            group = [stop.id, partner[stop.id]] if stop.id in pickups \
                else [partner[stop.id], stop.id]
        penalties = [inst.stop_by_id[s].drop_penalty for s in group]
        penalty = None if any(x is None for x in penalties) else sum(penalties)  # type: ignore[arg-type]
        label = "" if len(group) == 1 else f"shipment {group[0]} -> {group[1]}: "
        cost = _cheapest_insertion(inst, plan, group)
        if cost is None:
            reason = ("no_feasible_insertion", f"{label}it fits no route of this plan "
                      f"(capacity, windows, breaks or limits) and no new route on a free "
                      f"vehicle")
        elif penalty is not None and cost >= penalty:
            reason = ("dropped_for_cost", f"{label}cheapest feasible insertion costs "
                      f"{cost:,.2f}, more than its drop penalty {penalty:,.2f}")
        else:
            reason = ("dropped_by_search", f"{label}cheapest feasible insertion costs "
                      f"{cost:,.2f}" + (f", less than its drop penalty {penalty:,.2f}"
                                        if penalty is not None else "")
                      + ": the search missed it (a longer run may serve it)")
        for s in group:
            reasons[s] = reason
    return reasons


def _cheapest_insertion(inst: RoutingInstance, plan: RoutePlan,
                        group: list[str]) -> float | None:
    """Least added cost of serving ``group`` (a stop, or a pickup and its delivery in that
    order) in the plan, into one of its routes or on a new route of an unused vehicle,
    each route priced by the plan's own rules."""
    best = math.inf
    used = set()
    for r in plan.routes:
        used.add((r.vehicle_type, r.vehicle))
        vt = inst.vehicle_type_by_id[r.vehicle_type]
        if not all(set(inst.stop_by_id[s].skills) <= set(vt.skills) for s in group):
            continue
        stops = [v.stop for v in r.visits]
        for i in range(len(stops) + 1):
            for j in range(i, len(stops) + 1) if len(group) == 2 else (None,):
                if j is None:
                    trial = [*stops[:i], group[0], *stops[i:]]
                else:
                    trial = [*stops[:i], group[0], *stops[i:j], group[1], *stops[j:]]
                # without breaks first: infeasible then is infeasible, and a bound no
                # better than the best so far needs no exact price (breaks only add)
                bound = price_route(inst, r.vehicle_type, trial, breaks=False)
                if bound is None or (vt.breaks and bound - r.cost >= best):
                    continue
                after = price_route(inst, r.vehicle_type, trial) if vt.breaks else bound
                if after is not None:
                    best = min(best, after - r.cost)
    tried: set[str] = set()
    for type_id, k in inst.vehicles:
        if (type_id, k) in used or type_id in tried:
            continue
        tried.add(type_id)  # identical vehicles: one new route per type is enough
        alone = price_route(inst, type_id, group)
        if alone is not None:
            best = min(best, alone)
    return None if best == math.inf else best


def fleet_shortfall(inst: RoutingInstance, impossible: Collection[str] = ()) -> str | None:
    """Why no plan can serve every must-serve stop because the fleet is too small (see the
    module docstring), or None when the totals fit. Stops in ``impossible`` (already proven
    unservable one by one) are left out of the totals: the plan serves the others."""
    in_pairs = {s for p in inst.shipments for s in (p.pickup, p.delivery)}
    must = [s for s in inst.stops if s.drop_penalty is None and s.id not in in_pairs
            and s.id not in impossible]
    for d in range(inst.dimensions):
        fleet = sum(vt.count * vt.capacity[d] for vt in inst.vehicle_types)
        for kind in ("delivery", "pickup"):
            need = sum(getattr(s, kind)[d] for s in must if len(getattr(s, kind)) > d)
            if need > fleet * (1 + 1e-9) + 1e-9:
                return (f"fleet_capacity: the stops that must be served need {need:,.6g} in "
                        f"capacity dimension {d + 1} ({kind}), the whole fleet carries "
                        f"{fleet:,.6g}")
    return None
