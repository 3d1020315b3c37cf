"""Routes mode checked against values computed by hand from docs/network-format.md alone.

Each instance here is tiny enough that its optimum under the documented cost is known
(written in the test); found by an independent re-implementation of the contract
(issue 12, helper H-E: random networks compared with an own evaluator and brute force).
"""
from __future__ import annotations

import math
from itertools import pairwise

import pytest

from models.network import NetworkInstance, SolverOptions, SolveStatus, check_plan, solve

LIMIT = 2.0


def _instance(data: dict) -> NetworkInstance:
    return NetworkInstance.model_validate(data)


def _count_bound() -> dict:
    """D1 is free, D2 costs 100; one van (capacity 10, count 1) per DC per day.

    Each customer needs 8 units a day, so one DC cannot serve both (one route of at most
    10 units): the only plans open both DCs, each serving its neighbour: 100 + 2 km + 2 km.
    """
    return {
        "name": "count_bound",
        "products": [{"id": "P"}],
        "facilities": [{"id": "D1", "x": 0, "y": 0, "fixed_cost": 0},
                       {"id": "D2", "x": 10, "y": 0, "fixed_cost": 100}],
        "customers": [{"id": "C1", "x": 1, "y": 0}, {"id": "C2", "x": 9, "y": 0}],
        "demand": [{"customer": "C1", "product": "P", "quantity": 8},
                   {"customer": "C2", "product": "P", "quantity": 8}],
        "fleet": [{"id": "V", "capacity": 10, "count": 1, "cost_per_km": 1}],
        "network_policy": {"outbound": "routes", "delivery_days": 1},
    }


def test_vehicle_count_limits_what_one_dc_can_serve() -> None:
    inst = _instance(_count_bound())
    plan = solve(inst, SolverOptions(time_limit=LIMIT))
    assert plan.solve.status == SolveStatus.FEASIBLE
    assert plan.cost.total == pytest.approx(104.0, rel=1e-9)
    assert check_plan(inst, plan).ok


def _split_by_the_dcs_own_van() -> dict:
    """C1 needs 15 units a day; every DC has a 'small' van (10), D2 also a 'big' one (100).

    D1 costs 1000 to open, so D2 serves C1. The stop is split before the DC is known, by the
    smallest over the DCs that may serve C1 of their largest vehicle (docs/network-format.md,
    "Stops"): 10, so two stops of 7.5 on one big van at D2: km 8 (D2 -> C1 -> D2, 0 km between
    the two pieces), hours 8 / 40 + 2 h of service = 2.2, cost 100/h x 2.2 = 220. (Splitting
    by D2's own largest vehicle would give one stop and 120: the price of the documented rule.)
    """
    return {
        "name": "split_q",
        "products": [{"id": "P"}],
        "facilities": [{"id": "D1", "x": 0, "y": 0, "fixed_cost": 1000},
                       {"id": "D2", "x": 10, "y": 0, "fixed_cost": 0}],
        "customers": [{"id": "C1", "x": 10, "y": 4, "service_time": 3600}],
        "demand": [{"customer": "C1", "product": "P", "quantity": 15}],
        "fleet": [{"id": "small", "capacity": 10, "cost_per_hour": 100},
                  {"id": "big", "facility": "D2", "capacity": 100, "cost_per_hour": 100}],
        "network_policy": {"outbound": "routes", "delivery_days": 1},
    }


def test_a_stop_is_split_by_the_smallest_largest_vehicle_of_the_dcs_that_may_serve_it() -> None:
    inst = _instance(_split_by_the_dcs_own_van())
    plan = solve(inst, SolverOptions(time_limit=LIMIT))
    assert check_plan(inst, plan).ok
    assert [r.stops for r in plan.routes] == ["C1;C1"]
    assert plan.cost.total == pytest.approx(220.0, rel=1e-9)


def _lane_volume_below_demand() -> dict:
    """C1 (8 units) may not come from D1: the lane D1 -> C1 carries at most 5 units, and in
    routes mode one DC serves all of a customer. D1 is free, D2 costs 50.

    Optimum (enumerated): D2 alone, route D2 -> C2 -> C1 -> C3 -> D2 at 1 per km:
    50 + |D2 C2| + |C2 C1| + |C1 C3| + |C3 D2|. Keeping D1 for C2 costs 4.0 more (72.47).
    """
    return {
        "name": "maxvol",
        "products": [{"id": "P1", "unit_weight": 2.0}, {"id": "P2", "unit_weight": 1.0}],
        "facilities": [{"id": "D1", "x": 0, "y": 0, "fixed_cost": 0},
                       {"id": "D2", "x": 10, "y": 0, "fixed_cost": 50}],
        "customers": [{"id": "C1", "x": 1, "y": 0}, {"id": "C2", "x": 2, "y": 1},
                      {"id": "C3", "x": 8, "y": 0}],
        "demand": [{"customer": "C1", "product": "P1", "quantity": 4},
                   {"customer": "C1", "product": "P2", "quantity": 4},
                   {"customer": "C2", "product": "P1", "quantity": 3},
                   {"customer": "C3", "product": "P2", "quantity": 3}],
        "lanes": [{"origin": "D1", "destination": "C1", "max_volume": 5}],
        "fleet": [{"id": "V", "capacity": 20, "cost_per_km": 1}],
        "network_policy": {"outbound": "routes", "delivery_days": 1},
    }


def test_a_lane_volume_below_the_demand_closes_the_pair() -> None:
    inst = _instance(_lane_volume_below_demand())
    plan = solve(inst, SolverOptions(time_limit=LIMIT))
    assert check_plan(inst, plan).ok
    best = 50 + math.hypot(8, 1) + math.hypot(1, 1) + 7 + 2
    assert plan.cost.total == pytest.approx(best, rel=1e-9)


def _handling_decides() -> dict:
    """Both DCs are needed (C2 only from D1, C3 only from D2); D1 handles at 10 per unit.

    C1 (10 units) from D1: routes 4 + 2 km, handling 10 x 11 = 110: total 116.
    C1 from D2: D1 -> C2 -> D1 2 km, D2 -> C1 -> C3 -> D2 6 km, handling 10 x 1: total 18
    (the optimum, by enumeration of every assignment and route).
    """
    return {
        "name": "handling2",
        "products": [{"id": "P"}],
        "facilities": [{"id": "D1", "x": 0, "y": 0, "fixed_cost": 0, "handling_cost": 10},
                       {"id": "D2", "x": 3, "y": 0, "fixed_cost": 0}],
        "customers": [{"id": "C1", "x": 1, "y": 0}, {"id": "C2", "x": -1, "y": 0},
                      {"id": "C3", "x": 4, "y": 0}],
        "demand": [{"customer": "C1", "product": "P", "quantity": 10},
                   {"customer": "C2", "product": "P", "quantity": 1},
                   {"customer": "C3", "product": "P", "quantity": 1}],
        "lanes": [{"origin": "D2", "destination": "C2", "forbidden": True},
                  {"origin": "D1", "destination": "C3", "forbidden": True}],
        "fleet": [{"id": "V", "capacity": 20, "cost_per_km": 1}],
        "network_policy": {"outbound": "routes", "delivery_days": 1},
    }


def test_handling_cost_decides_which_open_dc_serves_a_customer() -> None:
    inst = _instance(_handling_decides())
    plan = solve(inst, SolverOptions(time_limit=LIMIT))
    assert check_plan(inst, plan).ok
    assert plan.cost.total == pytest.approx(18.0, rel=1e-9)


def _count_bin_packing() -> dict:
    """Three customers of 6 units a day, two vans of 10 per DC: a DC's 20 units a day hold 18,
    but a van carries one customer only, so one DC serves at most two. D1 is free, D2 costs
    100, and min_open (the network-MILP allocator) is set.

    Optimum: D1 serves C1 and C2 (one van each, 2 + 2 km), D2 serves C3 (2 km): 106.
    """
    return {
        "name": "count_binpack",
        "products": [{"id": "P"}],
        "facilities": [{"id": "D1", "x": 0, "y": 0, "fixed_cost": 0},
                       {"id": "D2", "x": 10, "y": 0, "fixed_cost": 100}],
        "customers": [{"id": "C1", "x": 1, "y": 0}, {"id": "C2", "x": 0, "y": 1},
                      {"id": "C3", "x": 9, "y": 0}],
        "demand": [{"customer": c, "product": "P", "quantity": 6} for c in ("C1", "C2", "C3")],
        "fleet": [{"id": "V", "capacity": 10, "count": 2, "cost_per_km": 1}],
        "network_policy": {"outbound": "routes", "delivery_days": 1, "min_open": 1},
    }


def test_vehicle_count_bin_packing_does_not_end_the_search() -> None:
    inst = _instance(_count_bin_packing())
    plan = solve(inst, SolverOptions(time_limit=LIMIT))
    assert plan.solve.status == SolveStatus.FEASIBLE
    assert check_plan(inst, plan).ok
    assert plan.cost.total == pytest.approx(106.0, rel=1e-9)


def _split_for_reach() -> dict:
    """C1 (15 units a day) is 100 km away; the 'big' van (20) may drive one hour, the 'small'
    van (10) has no limit. Two small-van trips of 7.5 units (200 km each at 1 per km): 400.
    The documented split (by the largest capacity, 20) leaves one stop no vehicle can serve.
    """
    return {
        "name": "split_reach",
        "products": [{"id": "P"}],
        "facilities": [{"id": "D1", "x": 0, "y": 0, "fixed_cost": 0}],
        "customers": [{"id": "C1", "x": 100, "y": 0}],
        "demand": [{"customer": "C1", "product": "P", "quantity": 15}],
        "fleet": [{"id": "small", "capacity": 10, "cost_per_km": 1},
                  {"id": "big", "capacity": 20, "cost_per_km": 1, "max_duration": "1:00"}],
        "network_policy": {"outbound": "routes", "delivery_days": 1},
    }


def test_a_stop_is_split_for_the_vehicles_that_can_reach_it() -> None:
    inst = _instance(_split_for_reach())
    plan = solve(inst, SolverOptions(time_limit=LIMIT))
    assert plan.solve.status == SolveStatus.FEASIBLE
    assert check_plan(inst, plan).ok
    assert plan.cost.total == pytest.approx(400.0, rel=1e-9)


_T1007 = {
    "name": "t1007", "products": [{"id": "P1"}],
    "facilities": [{"id": "D1", "x": 42.304, "y": 85.3, "fixed_cost": 18819.03},
                   {"id": "D2", "x": 1.936, "y": 90.8, "fixed_cost": 2275.39, "capacity": 34079.6,
                    "handling_cost": 0.474}],
    "customers": [{"id": "C1", "x": 17.404, "y": 31.129}, {"id": "C2", "x": 55.803, "y": 44.635},
                  {"id": "C3", "x": 70.733, "y": 7.088},
                  {"id": "C4", "x": 94.275, "y": 64.743, "service_time": 300},
                  {"id": "C5", "x": 9.143, "y": 97.288, "service_time": 1200}],
    "demand": [{"customer": "C1", "product": "P1", "quantity": 2980.0},
               {"customer": "C2", "product": "P1", "quantity": 784.0},
               {"customer": "C3", "product": "P1", "quantity": 13586.0},
               {"customer": "C4", "product": "P1", "quantity": 9983.13},
               {"customer": "C5", "product": "P1", "quantity": 2121.68}],
    "distances": [{"origin": "D1", "destination": "C3", "km": 132.108}],
    "fleet": [{"id": "V1", "capacity": 553.4, "fixed_cost": 55.17, "cost_per_km": 2.358,
               "max_duration": 43200}],
    "network_policy": {"outbound": "routes", "delivery_days": 52},
    "lanes": [{"origin": "D2", "destination": "C1", "forbidden": True}],
}


def test_opening_a_second_dc_for_one_far_customer() -> None:
    """Optimum by enumerating every open set, assignment and route (H-E's brute force):
    D1 drives C1 -> C3 -> C2 -> C4 (one van, 525.6 units a day), D2 drives C5 alone."""
    inst = _instance(_T1007)
    where = {p["id"]: (p["x"], p["y"]) for p in _T1007["facilities"] + _T1007["customers"]}

    def km(seq: list[str]) -> float:
        return sum(math.dist(where[a], where[b]) for a, b in pairwise(seq))

    day = (55.17 + 2.358 * km(["D1", "C1", "C3", "C2", "C4", "D1"])
           + 55.17 + 2.358 * km(["D2", "C5", "D2"]))
    best = 18819.03 + 2275.39 + 0.474 * 2121.68 + 52 * day
    assert best == pytest.approx(61828.99936343646, rel=1e-12)
    plan = solve(inst, SolverOptions(time_limit=LIMIT))
    assert check_plan(inst, plan).ok
    assert plan.cost.total == pytest.approx(best, rel=1e-9)


_R22 = {'name': 'r22',
        'products': [{'id': 'P1'}, {'id': 'P2'}],
        'facilities': [{'id': 'D1',
                        'x': 19.695,
                        'y': 23.874,
                        'fixed_cost': 33.79,
                        'capacity': 1016.0,
                        'handling_cost': 0.358},
                       {'id': 'D2',
                        'x': 44.358,
                        'y': 6.282,
                        'fixed_cost': 672.97,
                        'status': 'existing',
                        'closing_cost': 585.2},
                       {'id': 'D3',
                        'x': 14.757,
                        'y': 58.708,
                        'fixed_cost': 216.1,
                        'handling_cost': 0.568}],
        'customers': [{'id': 'C1', 'x': 73.959, 'y': 87.863},
                      {'id': 'C2', 'x': 68.526, 'y': 92.385},
                      {'id': 'C3', 'x': 18.053, 'y': 11.157, 'service_time': '0:05'},
                      {'id': 'C4', 'x': 27.06, 'y': 69.189, 'service_time': '0:30'},
                      {'id': 'C5', 'x': 37.378, 'y': 58.259, 'service_time': 1200}],
        'demand': [{'customer': 'C1', 'product': 'P2', 'quantity': 39.0},
                   {'customer': 'C2', 'product': 'P2', 'quantity': 357.84},
                   {'customer': 'C3', 'product': 'P1', 'quantity': 371.27},
                   {'customer': 'C3', 'product': 'P2', 'quantity': 541.0},
                   {'customer': 'C4', 'product': 'P1', 'quantity': 29.04},
                   {'customer': 'C4', 'product': 'P2', 'quantity': 252.0},
                   {'customer': 'C5',
                    'product': 'P1',
                    'quantity': 540.53,
                    'shortage_penalty': 49.83},
                   {'customer': 'C5',
                    'product': 'P2',
                    'quantity': 264.74,
                    'shortage_penalty': 42.22}],
        'distances': [{'origin': 'D1', 'destination': 'C2', 'km': 112.962},
                      {'origin': 'C2', 'destination': 'D1', 'km': 135.99},
                      {'origin': 'C4', 'destination': 'D1', 'km': 39.856},
                      {'origin': 'D1', 'destination': 'C4', 'km': 33.823},
                      {'origin': 'D2', 'destination': 'C4', 'km': 56.86},
                      {'origin': 'D3', 'destination': 'C2', 'km': 45.743},
                      {'origin': 'D3', 'destination': 'C5', 'km': 34.331},
                      {'origin': 'C5', 'destination': 'D3', 'km': 31.545},
                      {'origin': 'C4', 'destination': 'C2', 'km': 62.714},
                      {'origin': 'C3', 'destination': 'C4', 'km': 89.865}],
        'fleet': [{'id': 'V1', 'capacity': 1060.7, 'fixed_cost': 113.96, 'cost_per_km': 0.609},
                  {'id': 'V2',
                   'capacity': 555.9,
                   'fixed_cost': 83.33,
                   'cost_per_km': 2.532,
                   'cost_per_hour': 43.32}],
        'network_policy': {'outbound': 'routes', 'delivery_days': 2},
        'lanes': [{'origin': 'D2', 'destination': 'C1', 'forbidden': True}]}


def test_a_one_customer_move_to_another_open_dc() -> None:
    """Optimum by enumerating every assignment and route set (H-E's brute force): D1 drives
    C2 -> C1, D2 (existing, kept) drives C3 -> C5 -> C4, D3 closed; recomputed here."""
    inst = _instance(_R22)
    where = {p["id"]: (p["x"], p["y"]) for p in _R22["facilities"] + _R22["customers"]}
    rows = {(r["origin"], r["destination"]): r["km"] for r in _R22["distances"]}

    def leg(a: str, b: str) -> float:
        return rows.get((a, b), rows.get((b, a), math.dist(where[a], where[b])))

    def route(seq: list[str]) -> float:
        return 113.96 + 0.609 * sum(leg(a, b) for a, b in pairwise(seq))

    best = (33.79 + 672.97 + 0.358 * (39.0 + 357.84)
            + 2 * (route(["D1", "C2", "C1", "D1"]) + route(["D2", "C3", "C5", "C4", "D2"])))
    assert best == pytest.approx(1735.2151781713808, rel=1e-12)
    plan = solve(inst, SolverOptions(time_limit=LIMIT))
    assert check_plan(inst, plan).ok
    assert plan.cost.total == pytest.approx(best, rel=1e-9)
