"""The integrated solve end to end on the planted optimum (tests/models/integrated/tiny.py)."""

from __future__ import annotations

import math

import pytest

from models.integrated import IntegratedOptions, check_plan, solve
from models.network import SolverOptions
from models.solver import SolveStatus
from tests.models.integrated import tiny

OPTIONS = IntegratedOptions(routing=tiny.ROUTING)


def test_planted_optimum_network_days_cost_chain_and_cost_to_serve() -> None:
    inst = tiny.instance()
    plan = solve(inst, OPTIONS)
    assert plan.solve.status == SolveStatus.FEASIBLE
    assert plan.solve.network_status == SolveStatus.OPTIMAL
    assert plan.open_facilities == ("DC-A", "DC-B")
    assert plan.network.cost.total == pytest.approx(6000)
    c = plan.cost
    assert c.facility_fixed == pytest.approx(2000)
    assert c.network_outbound == pytest.approx(4000)  # replaced, not added
    assert c.last_mile == pytest.approx(tiny.LAST_MILE)
    assert c.total == pytest.approx(tiny.TOTAL)
    assert c.upstream == 0 and c.dc == pytest.approx(2000)
    assert len(plan.routes) == 2
    for route in plan.routes:
        assert route.km == pytest.approx(tiny.ROUTE_KM)
        assert route.cost == pytest.approx(tiny.ROUTE_COST)
        assert route.load == pytest.approx(100)  # 2 zones x 100 units / 2 delivery days
    assert {r.facility: set(r.stops.split(";")) for r in plan.routes} == {
        "DC-A": {"A1", "A2"}, "DC-B": {"B1", "B2"}}
    for customer in plan.customers:
        assert customer.network_cost == pytest.approx(500)
        assert customer.last_mile == pytest.approx(tiny.ROUTE_COST)
        assert customer.cost_to_serve == pytest.approx(tiny.COST_TO_SERVE)
    assert sum(x.cost_to_serve for x in plan.customers) == pytest.approx(c.total)
    report = check_plan(inst, plan)
    assert report.ok and report.total == pytest.approx(tiny.TOTAL)


def test_orders_split_the_zone_volume_by_units_and_keep_their_place_and_window() -> None:
    inst = tiny.instance(orders=[
        {"id": "o1", "customer": "A1", "units": 1, "x": 0, "y": 12, "service_time": "0:10",
         "time_windows": "08:00-12:00"},
        {"id": "o2", "customer": "A1", "units": 3}])
    plan = solve(inst, OPTIONS)
    stops = {s.stop: s for s in plan.stops}
    assert stops["o1"].load == pytest.approx(12.5) and stops["o2"].load == pytest.approx(37.5)
    assert (stops["o1"].x, stops["o1"].y, stops["o1"].at_zone) == (0, 12, False)
    assert (stops["o2"].x, stops["o2"].y, stops["o2"].at_zone) == (0, 10, True)
    assert stops["o1"].service_time == 600 and stops["o1"].time_windows == ((28800, 43200),)
    assert "A1" not in stops  # the zone is delivered as its orders
    route_a = next(r for r in plan.routes if r.facility == "DC-A")
    assert set(route_a.stops.split(";")) == {"o1", "o2", "A2"}
    assert check_plan(inst, plan).ok


def test_profile_stops_and_a_stop_heavier_than_the_largest_vehicle_is_split() -> None:
    inst = tiny.instance(
        delivery_profile=[{"customer": "B1", "stops": 2, "service_time": 300}],
        fleet=[{"id": "van", "capacity": 30, "fixed_cost": 10, "cost_per_km": 1,
                "speed_kmh": 50}])
    plan = solve(inst, OPTIONS)
    stops = {s.stop: s for s in plan.stops}
    # B1's 50 units a day: 2 profile stops of 25; A1's 50 > 30: split into 2 stops of 25
    assert {k: v.load for k, v in stops.items() if k.startswith(("B1", "A1"))} == {
        "B1#1": 25, "B1#2": 25, "A1#1": 25, "A1#2": 25}
    assert stops["B1#1"].service_time == 300
    assert all(r.load <= 30 + 1e-9 for r in plan.routes)
    assert check_plan(inst, plan).ok


def test_no_network_plan_gives_its_status_and_reasons() -> None:
    facilities = [dict(f, capacity=150) for f in tiny.TABLES["facilities"]]
    inst = tiny.instance(facilities=facilities)  # 400 units, 300 of capacity
    plan = solve(inst, OPTIONS)
    assert plan.solve.status == SolveStatus.INFEASIBLE
    assert plan.cost is None and not plan.routes and plan.problems
    assert check_plan(inst, plan).ok


def test_network_routes_mode_is_replaced_not_added() -> None:
    """With the network pricing its outbound as routes (1 per km), one DC and one route of
    all four zones beats two DCs: fixed 1000 + 2 days x (10 + 228.28 km). The network's
    outbound line, and each customer's stand-alone share of it, is replaced by the same day
    routed here, not added."""
    policy = dict(tiny.TABLES["network_policy"], outbound="routes")
    inst = tiny.instance(network_policy=policy)
    plan = solve(inst, IntegratedOptions(network=SolverOptions(time_limit=5),
                                         routing=tiny.ROUTING))
    assert plan.network.solve.method.value == "location_routing"
    (dc,) = plan.open_facilities
    km = 90 + math.sqrt(200) + 100 + math.sqrt(200) + 10  # DC-B, A2, A1, B1, B2 (or mirrored)
    day = 10 + km
    assert plan.cost.network_outbound == pytest.approx(2 * day)
    assert plan.cost.last_mile == pytest.approx(2 * day)
    assert plan.cost.total == pytest.approx(1000 + 2 * day)
    here = {"DC-A": (0, 0), "DC-B": (100, 0)}[dc]
    zones = {"A1": (0, 10), "A2": (10, 0), "B1": (100, 10), "B2": (110, 0)}
    alone = {z: 10 + 2 * math.dist(here, p) for z, p in zones.items()}
    for customer in plan.customers:
        share = 2 * day * alone[customer.customer] / sum(alone.values())
        assert customer.network_cost == pytest.approx(250)  # the fixed cost, by units
        assert customer.last_mile == pytest.approx(share)
        assert customer.cost_to_serve == pytest.approx(250 + share)
    assert check_plan(inst, plan).ok
