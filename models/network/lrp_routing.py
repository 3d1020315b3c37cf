"""Routing glue of the LRP engine: a day's stops, the depot fleets, the routing instances
(``models.routing``) and the one pricing rule every route goes through.

Route rule (docs/network-format.md, routes mode): km = Σ legs depot → stops → same depot;
hours = km / speed_kmh + Σ service hours; cost = fixed_cost + cost_per_km × km +
cost_per_hour × hours; load ≤ capacity; hours ≤ max_hours.

Depot capacity is not a routing constraint, so a depot's fleet is cut to carry at most the
depot's daily capacity (:func:`depot_fleet`): a sufficient condition that makes every routing
plan keep depot capacities.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from models.network.lrp_data import LocationRoutingProblem, LRPRoute
from models.routing import RoutingInstance, RoutingOptions, solve

#: Vehicles per type and depot when the count is unlimited (the routing model needs a number).
UNLIMITED = 10_000


@dataclass(frozen=True)
class Stops:
    """The stops of one delivery day: ``customer[k]`` and ``load[k]`` of stop k (a customer
    heavier than the vehicles that may serve it is split into equal stops)."""

    customer: np.ndarray
    load: np.ndarray

    def of(self, customers) -> np.ndarray:
        """Indices of the stops of ``customers``."""
        return np.flatnonzero(np.isin(self.customer, np.asarray(list(customers), dtype=int)))


def day_stops(problem: LocationRoutingProblem, allowed: np.ndarray) -> Stops:
    """A stop per served customer per day (demand / delivery_days), split into
    ⌈load / Q⌉ equal stops where Q is the smallest, over the depots allowed to serve the
    customer, of the largest capacity there among the vehicle types that can drive to the
    customer and back alone within their ``max_hours`` (service included)."""
    m, n = problem.shape
    largest = np.zeros((m, n))
    for v in problem.vehicles:
        hours = 2.0 * problem.km[:m, m:] / v.speed_kmh + problem.service_hours[None, :]
        reach = v.depots[:, None] & (True if v.max_hours is None
                                     else hours <= v.max_hours * (1 + 1e-9))
        largest = np.where(reach, np.maximum(largest, v.capacity), largest)
    fallback = max(v.capacity for v in problem.vehicles)
    cust, load = [], []
    for j in range(n):
        daily = problem.demand[j] / problem.delivery_days
        if daily <= 0:
            continue
        caps = largest[allowed[:, j], j]
        caps = caps[caps > 0]
        q = caps.min() if len(caps) else fallback
        parts = max(1, math.ceil(daily / q - 1e-9))
        cust += [j] * parts
        load += [daily / parts] * parts
    return Stops(np.array(cust, dtype=int), np.array(load, dtype=float))


@dataclass(frozen=True)
class FleetType:
    """A vehicle type as routed at one depot: the problem's vehicle ``vehicle``, carrying at
    most ``capacity`` (≤ the vehicle's), ``count`` of them."""

    depot: int
    vehicle: int
    capacity: float
    count: int


def depot_fleet(problem: LocationRoutingProblem, depot: int, cap: bool | str = True,
                stops: int = UNLIMITED) -> list[FleetType]:
    """The vehicles routed at ``depot``. ``cap`` True (or ``"cut"``) with a finite daily depot
    capacity C: the fleet carries at most C, the largest types first, ⌊C_left / Q⌋ of each
    (within its count), then one vehicle of the largest type cut to the capacity left, if any.
    ``"even"``: ⌈C / Q⌉ vehicles of the largest type, each carrying C / ⌈C / Q⌉ (also at most C
    in all). False: every type at full capacity (depot capacity not enforced)."""
    types = sorted((k for k, v in enumerate(problem.vehicles) if v.depots[depot]),
                   key=lambda k: -problem.vehicles[k].capacity)
    limit = lambda k: min(stops, problem.vehicles[k].count or UNLIMITED)  # noqa: E731
    day_cap = problem.capacity[depot] / problem.delivery_days
    if not cap or not np.isfinite(day_cap) or not types:
        return [FleetType(depot, k, problem.vehicles[k].capacity, limit(k)) for k in types]
    if cap == "even":
        k = types[0]
        q = problem.vehicles[k].capacity
        count = min(limit(k), math.ceil(day_cap / q - 1e-9))
        each = min(q, day_cap / count)
        daily = problem.demand / problem.delivery_days
        if np.all(daily == np.round(daily)):  # whole loads: a whole capacity loses nothing
            each = math.floor(each + 1e-9)
        return [FleetType(depot, k, each, count)] if each > 0 else []
    fleet, left = [], day_cap
    used = {}
    for k in types:
        q = problem.vehicles[k].capacity
        c = min(limit(k), math.floor(left / q + 1e-9))
        if c > 0:
            fleet.append(FleetType(depot, k, q, c))
            used[k] = c
            left -= c * q
    if left > 1e-9:
        k = types[0]
        if used.get(k, 0) < limit(k):
            fleet.append(FleetType(depot, k, left, 1))
    return fleet


def route_price(problem: LocationRoutingProblem, depot: int, vehicle: int,
                customers) -> tuple[float, float, float]:
    """(km, hours, cost) of one route, by the route rule (module doc)."""
    m = problem.shape[0]
    v = problem.vehicles[vehicle]
    nodes = [depot] + [m + int(j) for j in customers] + [depot]
    km = float(sum(problem.km[a, b] for a, b in itertools.pairwise(nodes)))
    hours = km / v.speed_kmh + float(sum(problem.service_hours[int(j)] for j in customers))
    return km, hours, v.fixed_cost + v.cost_per_km * km + v.cost_per_hour * hours


def make_route(problem: LocationRoutingProblem, depot: int, vehicle: int, customers,
               load: float) -> LRPRoute:
    """An :class:`LRPRoute` priced by :func:`route_price`."""
    km, hours, cost = route_price(problem, depot, vehicle, customers)
    return LRPRoute(depot, vehicle, tuple(int(j) for j in customers), float(load), km, hours,
                    cost)


def _time_matters(problem: LocationRoutingProblem) -> bool:
    return any(v.cost_per_hour > 0 or v.max_hours is not None for v in problem.vehicles)


def routing_instance(problem: LocationRoutingProblem, stops: Stops, chosen: np.ndarray,
                     fleet: list[FleetType], allowed: np.ndarray,
                     name: str = "lrp") -> RoutingInstance:
    """One routing instance for the stops ``chosen`` and the vehicles ``fleet`` (several depots
    = one multi-depot problem). Distances: a matrix in metres (km × 1000, so cost_per_km is
    per km); times from each type's speed, or all zero when no vehicle prices or limits time
    (then service times are left out too). Where a stop may not be served from every depot of
    the fleet, skills restrict it."""
    m = problem.shape[0]
    depots = sorted({f.depot for f in fleet})
    nodes = depots + [m + int(stops.customer[k]) for k in chosen]
    dist = (problem.km[np.ix_(nodes, nodes)] * 1000.0).tolist()
    timed = _time_matters(problem)
    matrix: dict = {"distances": dist}
    if not timed:
        matrix["durations"] = np.zeros((len(nodes), len(nodes))).tolist()
    groups: dict[tuple[int, ...], str] = {}
    stop_skill = []
    for k in chosen:
        ok = tuple(i for i in depots if allowed[i, stops.customer[k]])
        if len(ok) == len(depots):
            stop_skill.append(())
        else:
            stop_skill.append((groups.setdefault(ok, f"g{len(groups)}"),))
    vts = []
    for t, f in enumerate(fleet):
        v = problem.vehicles[f.vehicle]
        vt = {"id": f"t{t}", "count": max(1, min(f.count, UNLIMITED)), "capacity": [f.capacity],
              "fixed_cost": v.fixed_cost, "cost_per_km": v.cost_per_km,
              "cost_per_hour": v.cost_per_hour if timed else 0.0, "start_depot": f"D{f.depot}",
              "speed_kmh": v.speed_kmh,
              "skills": [g for ok, g in groups.items() if f.depot in ok]}
        if timed and v.max_hours is not None:
            vt["max_duration"] = v.max_hours * 3600.0
        vts.append(vt)
    data = {
        "name": name,
        "depots": [{"id": f"D{i}", "matrix_index": k} for k, i in enumerate(depots)],
        "vehicle_types": vts,
        "stops": [{"id": f"S{k}", "matrix_index": len(depots) + q,
                   "delivery": [float(stops.load[k])],
                   "service_time": float(problem.service_hours[stops.customer[k]] * 3600.0)
                   if timed else 0.0,
                   "skills": list(stop_skill[q])}
                  for q, k in enumerate(chosen)],
        "distance": {"kind": "matrix"},
        "matrix": matrix,
    }
    return RoutingInstance.model_validate(data)


def route_stops(problem: LocationRoutingProblem, stops: Stops, chosen: np.ndarray,
                fleet: list[FleetType], allowed: np.ndarray, options: RoutingOptions
                ) -> list[LRPRoute] | None:
    """Route the stops ``chosen`` with ``fleet``; the routes priced by :func:`route_price`, or
    None when the engine leaves a stop unserved or finds no plan."""
    if len(chosen) == 0:
        return []
    if not fleet:
        return None
    inst = routing_instance(problem, stops, chosen, fleet, allowed)
    plan = solve(inst, options)
    if plan.unserved or not plan.solve.status.has_solution:
        return None
    by_type = {f"t{t}": f for t, f in enumerate(fleet)}
    routes = []
    for r in plan.routes:
        if not r.visits:
            continue
        ks = [int(v.stop[1:]) for v in r.visits]
        f = by_type[r.vehicle_type]
        routes.append(make_route(problem, f.depot, f.vehicle, stops.customer[ks],
                                 float(stops.load[ks].sum())))
    return routes
