"""The location-routing engine (models.network.lrp) against brute force on tiny instances, and
its building blocks (depot fleets under depot capacity, route pricing, the CFLP allocator)."""

from __future__ import annotations

import itertools
import math
from functools import cache

import numpy as np
import pytest

from models.network.lrp import LocationRoutingProblem, LRPVehicle, solve_location_routing
from models.network.lrp_allocate import CFLPAllocator
from models.network.lrp_routing import day_stops, depot_fleet, route_price

DEPOTS = [(0, 0), (10, 0), (5, 9)]
CUSTOMERS = [(1, 2), (3, 1), (9, 2), (8, -2), (4, 8), (6, 7), (2, 5)]
DEMAND = [4, 3, 5, 2, 4, 3, 3]


def tiny(capacity=(12, 9, 10), fixed=(30, 25, 28), q=8, route_cost=10.0, days=1.0,
         allowed=None) -> LocationRoutingProblem:
    """3 depots, 7 customers, Prodhon-style: km = ceil(100 d) / 100 (exact in cents)."""
    xy = np.array(DEPOTS + CUSTOMERS, float)
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    km = np.ceil(100 * d)
    van = LRPVehicle(capacity=q, fixed_cost=route_cost * 100, cost_per_km=1.0,
                     cost_per_hour=0.0, speed_kmh=40.0, max_hours=None, count=None,
                     depots=np.ones(3, bool))
    return LocationRoutingProblem(
        fixed_cost=np.array(fixed, float) * 100, capacity=np.array(capacity, float),
        demand=np.array(DEMAND, float) * days, km=km, service_hours=np.zeros(len(CUSTOMERS)),
        vehicles=(van,), delivery_days=days, allowed=allowed)


def brute_force(p: LocationRoutingProblem) -> float:
    """The optimum by enumeration: every open set x assignment, each depot's customers
    routed optimally (every partition into vehicle loads, every visiting order)."""
    m, n = p.shape
    van = p.vehicles[0]
    day = p.demand / p.delivery_days

    @cache
    def tour(depot: int, group: frozenset) -> float:
        best = math.inf
        for order in itertools.permutations(sorted(group)):
            nodes = [depot, *(m + j for j in order), depot]
            best = min(best, sum(p.km[a, b] for a, b in itertools.pairwise(nodes)))
        return van.fixed_cost + van.cost_per_km * best

    @cache
    def routes(depot: int, group: frozenset) -> float:
        if not group:
            return 0.0
        first = min(group)
        rest = sorted(group - {first})
        best = math.inf
        for k in range(len(rest) + 1):
            for others in itertools.combinations(rest, k):
                route = frozenset((first, *others))
                if day[list(route)].sum() <= van.capacity + 1e-9:
                    best = min(best, tour(depot, route) + routes(depot, group - route))
        return best

    allowed = p.allowed_mask()
    best = math.inf
    for assign in itertools.product(range(m), repeat=n):
        if not all(allowed[i, j] for j, i in enumerate(assign)):
            continue
        load = np.bincount(assign, weights=p.demand, minlength=m)
        if np.any(load > p.capacity + 1e-9):
            continue
        cost = sum(p.fixed_cost[i] for i in set(assign))
        cost += p.delivery_days * sum(
            routes(i, frozenset(j for j in range(n) if assign[j] == i)) for i in set(assign))
        best = min(best, cost)
    return best


def independent_total(p: LocationRoutingProblem, result) -> float:
    """Cost from the route lists alone; asserts each customer's daily load delivered once by
    routes of its one depot, vehicle loads and depot capacities."""
    m, n = p.shape
    delivered = np.zeros(n)
    depot_of: dict[int, int] = {}
    total = 0.0
    load_at = np.zeros(m)
    for r in result.routes:
        v = p.vehicles[r.vehicle]
        assert v.depots[r.depot]
        nodes = [r.depot, *(m + j for j in r.customers), r.depot]
        km = sum(p.km[a, b] for a, b in itertools.pairwise(nodes))
        share = p.demand[list(r.customers)] / p.delivery_days
        assert share.sum() <= v.capacity + 1e-9
        for j in r.customers:
            assert depot_of.setdefault(j, r.depot) == r.depot
        delivered[list(r.customers)] += share
        load_at[r.depot] += share.sum() * p.delivery_days
        total += p.delivery_days * (v.fixed_cost + v.cost_per_km * km)
        assert r.km == pytest.approx(km)
    assert np.allclose(delivered, p.demand / p.delivery_days)
    assert np.all(load_at <= p.capacity + 1e-9)
    used = sorted(set(depot_of.values()))
    assert list(np.flatnonzero(result.open)) == used
    return total + float(p.fixed_cost[used].sum())


@pytest.mark.parametrize("capacity", [(12, 9, 10), (24, 24, 24), (9, 9, 9)])
def test_engine_reaches_the_brute_force_optimum(capacity):
    p = tiny(capacity=capacity)
    optimum = brute_force(p)
    res = solve_location_routing(p, time_limit=5.0, solution_limit=200)
    assert independent_total(p, res) == pytest.approx(res.total)
    assert res.total == pytest.approx(optimum)
    assert res.route_cost + res.other_cost == pytest.approx(res.total)


def test_forbidden_pairs_hold_and_the_optimum_is_reached():
    allowed = np.ones((3, 7), bool)
    allowed[0, [0, 1]] = False  # the customers nearest depot 0 may not be served from it
    p = tiny(capacity=(24, 24, 24), allowed=allowed)
    res = solve_location_routing(p, time_limit=5.0, solution_limit=200)
    assert all(allowed[r.depot, j] for r in res.routes for j in r.customers)
    assert independent_total(p, res) == pytest.approx(res.total)
    assert res.total == pytest.approx(brute_force(p))


def test_delivery_days_multiply_the_route_cost_and_split_the_load():
    p = tiny(capacity=(48, 36, 40), days=4.0)  # per period 4x the demand, 4 delivery days
    res = solve_location_routing(p, time_limit=5.0, solution_limit=200)
    assert independent_total(p, res) == pytest.approx(res.total)
    optimum = brute_force(p)
    assert res.total == pytest.approx(optimum)
    # the same as one day with a quarter of the opening costs, four times over
    assert optimum == pytest.approx(4 * brute_force(tiny(fixed=(7.5, 6.25, 7))))


def test_depot_fleet_carries_at_most_the_depot_capacity():
    p = tiny(capacity=(20, 16, np.inf), q=6)
    assert [(f.capacity, f.count) for f in depot_fleet(p, 0)] == [(6, 3), (2, 1)]
    assert [(f.capacity, f.count) for f in depot_fleet(p, 1)] == [(6, 2), (4, 1)]
    assert [(f.capacity, f.count) for f in depot_fleet(p, 2, stops=7)] == [(6, 7)]
    assert [(f.capacity, f.count) for f in depot_fleet(p, 0, cap=False, stops=7)] == [(6, 7)]


def test_route_price_follows_the_route_rule():
    p = tiny()
    van = LRPVehicle(capacity=8, fixed_cost=50, cost_per_km=2.0, cost_per_hour=30.0,
                     speed_kmh=50.0, max_hours=None, count=None, depots=np.ones(3, bool))
    q = LocationRoutingProblem(fixed_cost=p.fixed_cost, capacity=p.capacity, demand=p.demand,
                               km=p.km, service_hours=np.full(7, 0.25), vehicles=(van,))
    km, hours, cost = route_price(q, 1, 0, [2, 3])
    assert km == p.km[1, 5] + p.km[5, 6] + p.km[6, 1]
    assert hours == pytest.approx(km / 50 + 0.5)
    assert cost == pytest.approx(50 + 2 * km + 30 * hours)


def test_heavy_customer_is_split_into_equal_stops():
    p = tiny(q=4)
    stops = day_stops(p, p.allowed_mask())
    assert list(stops.load[stops.customer == 2]) == [2.5, 2.5]  # 5 units, vans of 4
    assert list(stops.load[stops.customer == 0]) == [4.0]


def test_cflp_allocator_fixed_assignment_and_capacity():
    p = tiny(capacity=(12, 9, 10))
    alloc = CFLPAllocator(p)
    unit = np.zeros((3, 7))
    ok = alloc(unit, np.full(3, -1, np.int8), assignment=np.array([0, 0, 1, 1, 2, 2, 0]))
    assert ok is not None and list(ok.open) == [True, True, True]
    assert ok.cost == pytest.approx(p.fixed_cost.sum())
    assert alloc(unit, np.full(3, -1, np.int8),  # depot 0 would carry 4+3+5+2 = 14 > 12
                 assignment=np.array([0, 0, 0, 0, 2, 2, 2])) is None
    # closing depot 1 leaves 12 + 10 < 24 units of capacity
    assert alloc(unit, np.array([-1, 0, -1], np.int8)) is None
    roomy = tiny(capacity=(16, 9, 14))
    closed = CFLPAllocator(roomy)(roomy.km[:3, 3:], np.array([-1, 0, -1], np.int8))
    assert closed is not None and list(closed.open) == [True, False, True]
    assert np.all(np.bincount(closed.assignment, weights=roomy.demand, minlength=3)
                  <= roomy.capacity)
    assert closed.cost == pytest.approx(roomy.fixed_cost[[0, 2]].sum())


def test_routing_engine_cost_equals_the_route_pricing():
    """The matrix in metres with cost_per_km per km: the engine's own plan cost is exactly the
    LRP pricing of its routes (integer km, as in Prodhon)."""
    from models.network.lrp_routing import routing_instance
    from models.routing import RoutingOptions, solve

    p = tiny(capacity=(24, 24, 24))
    stops = day_stops(p, p.allowed_mask())
    fleet = [f for i in range(3) for f in depot_fleet(p, i, stops=7)]
    inst = routing_instance(p, stops, np.arange(len(stops.customer)), fleet, p.allowed_mask())
    plan = solve(inst, RoutingOptions(time_limit=None, solution_limit=100, isolate=False))
    assert not plan.unserved
    priced = sum(route_price(p, int(r.start_depot[1:]), 0,
                             [int(stops.customer[int(v.stop[1:])]) for v in r.visits])[2]
                 for r in plan.routes if r.visits)
    assert plan.cost == priced
