"""Outbound as routes (docs/network-format.md, "Outbound as routes"): the data model, the
mapping to the LRP engine, the allocators, the solve and the checker's route rules."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
from pydantic import ValidationError

from models.network import NetworkInstance, SolverOptions, SolveStatus, check_plan, solve
from models.network.allocate_milp import NetworkAllocator
from models.network.plan import Method, NetworkPlan
from models.network.routes_mode import location_routing_problem, uses_cflp_allocator
from tests.models.network.routes_cases import (
    brute_force,
    general,
    general_data,
    tiny,
    tiny_data,
)

#: Seconds for the location-routing search on the hand-made networks (they need about one).
LIMIT = 3.0


@pytest.fixture(scope="module")
def general_plan() -> NetworkPlan:
    return solve(general(), SolverOptions(time_limit=LIMIT))


# ---- the data model -------------------------------------------------------------------------


def _errors(data: dict) -> list[tuple[tuple, str, str]]:
    with pytest.raises(ValidationError) as caught:
        NetworkInstance.model_validate(data)
    return [(e["loc"], e["type"], e["msg"]) for e in caught.value.errors()]


def test_routes_without_a_fleet_names_the_fleet_table() -> None:
    data = tiny_data()
    del data["fleet"]
    [(loc, kind, msg)] = _errors(data)
    assert loc == ("fleet",) and kind == "routes_fleet" and "fleet table" in msg


def test_a_fleet_row_at_an_unknown_dc_names_its_record_and_field() -> None:
    data = tiny_data()
    data["fleet"] = [{"id": "van", "facility": "F9", "capacity": 10}]
    [(loc, kind, msg)] = _errors(data)
    assert loc == ("fleet", 0, "facility") and kind == "unknown_reference" and "'F9'" in msg


def test_a_duplicate_vehicle_type_and_a_zero_count_are_refused() -> None:
    data = tiny_data()
    data["fleet"] = [{"id": "van", "capacity": 10}, {"id": "van", "capacity": 5}]
    assert [(loc, kind) for loc, kind, _m in _errors(data)] == [(("fleet", 1, "id"),
                                                                 "duplicate")]
    data["fleet"] = [{"id": "van", "capacity": 10, "count": 0}]
    assert [loc for loc, _k, _m in _errors(data)] == [("fleet", 0, "count")]


def test_routes_refuse_a_budget() -> None:
    [(loc, kind, _msg)] = _errors(tiny_data(budget=1000))
    assert loc == ("network_policy", "budget") and kind == "routes_budget"


def test_routes_need_km_between_customers() -> None:
    data = tiny_data()
    data["customers"][3] = {"id": "C4"}  # no coordinates, no distances row
    [(loc, kind, msg)] = _errors(data)
    assert kind == "no_distance" and "'C4'" in msg and loc[0] in ("facilities", "customers")
    # a distances row for every pair C4 needs makes it valid again
    places = {**{f["id"]: (f["x"], f["y"]) for f in data["facilities"]},
              **{c["id"]: (c["x"], c["y"]) for c in data["customers"] if "x" in c}}
    data["distances"] = [{"origin": "C4", "destination": p, "km": 5.0} for p in places]
    assert NetworkInstance.model_validate(data).routes_mode


def test_rates_mode_needs_no_fleet_and_no_customer_km() -> None:
    data = tiny_data()
    del data["fleet"]
    data["network_policy"] = {}
    data["customers"][3] = {"id": "C4"}
    assert not NetworkInstance.model_validate(data).routes_mode


def test_service_time_and_max_duration_use_the_routing_duration_convention() -> None:
    data = tiny_data(delivery_days=2.5)
    data["customers"][0]["service_time"] = "0:30"
    data["fleet"][0]["max_duration"] = "8:15"
    inst = NetworkInstance.model_validate(data)
    assert inst.customers[0].service_time == 1800
    assert inst.fleet[0].max_duration == 8.25 * 3600
    assert inst.network_policy.delivery_days == 2.5
    data["customers"][0]["service_time"] = "soon"
    assert [loc for loc, _k, _m in _errors(data)] == [("customers", 0, "service_time")]


# ---- the mapping ------------------------------------------------------------------------------


def test_mapping_of_the_general_network() -> None:
    inst = general()
    mapping = location_routing_problem(inst)
    p = mapping.problem
    assert mapping.facilities == ("D1", "D2", "D3")
    assert mapping.customers == tuple(f"K{k}" for k in range(1, 8))
    assert mapping.vehicles == ("van", "truck")
    assert p.shape == (3, 7)
    np.testing.assert_allclose(p.demand, [10, 10, 10, 10, 10, 8, 6])
    np.testing.assert_allclose(p.service_hours, 10 / 60)
    assert p.delivery_days == 2
    assert p.vehicles[0].depots.tolist() == [True, True, True]
    assert p.vehicles[1].depots.tolist() == [False, True, False]
    assert p.vehicles[0].max_hours == 4 and p.vehicles[1].count == 2
    # km: facilities first, then customers; Euclidean, 0 on the diagonal
    assert p.km[0, 3] == pytest.approx(math.hypot(3, 4))  # D1 -> K1
    assert p.km[3, 4] == pytest.approx(math.hypot(5, 2))  # K1 -> K2
    assert np.all(np.diag(p.km) == 0)
    np.testing.assert_allclose(p.capacity, [120, 120, 100])
    # handling of all a customer's units as the other assignment cost
    np.testing.assert_allclose(p.assign_cost[0], 0.2 * p.demand)
    assert not uses_cflp_allocator(inst)  # a supplier echelon: the network MILP allocates


def test_mapping_closes_forbidden_lanes_and_dcs_without_vehicles() -> None:
    data = tiny_data()
    data["fleet"] = [{"id": "van", "facility": "F1", **{k: v for k, v in data["fleet"][0].items()
                                                         if k != "id"}}]
    data["lanes"] = [{"origin": "F1", "destination": "C2", "forbidden": True}]
    p = location_routing_problem(NetworkInstance.model_validate(data)).problem
    assert p.allowed[1:].sum() == 0  # F2, F3 have no vehicle
    assert p.allowed[0].tolist() == [True, False, True, True, True, True]


# ---- the solve ----------------------------------------------------------------------------------


def test_tiny_network_reaches_the_brute_force_optimum_with_the_cflp_allocator() -> None:
    inst = tiny()
    assert uses_cflp_allocator(inst)
    plan = solve(inst, SolverOptions(time_limit=LIMIT))
    assert plan.solve.solver == "lrp+cflp"
    assert plan.solve.method == Method.LOCATION_ROUTING
    assert plan.solve.status == SolveStatus.FEASIBLE and plan.solve.best_bound is None
    assert plan.cost.total == pytest.approx(brute_force(), rel=1e-9)
    assert check_plan(inst, plan).ok


def test_tiny_network_with_max_open_reaches_its_optimum_with_the_network_milp() -> None:
    inst = tiny(max_open=2)  # an open-count rule: the network MILP allocates
    assert not uses_cflp_allocator(inst)
    plan = solve(inst, SolverOptions(time_limit=LIMIT))
    assert plan.solve.solver == "lrp+highs"
    assert brute_force(max_open=2) > brute_force()  # the rule binds
    assert plan.cost.total == pytest.approx(brute_force(max_open=2), rel=1e-9)
    assert len(plan.open_facilities) == 2


def test_an_impossible_routes_network_is_infeasible_with_a_reason() -> None:
    plan = solve(tiny(max_open=1), SolverOptions(time_limit=LIMIT))  # 27 units, 18 per DC
    assert plan.solve.status == SolveStatus.INFEASIBLE and plan.infeasibility
    assert not plan.routes and plan.cost is None
    assert "dropping at most 1 open DCs (network_policy.max_open) alone makes a plan " \
           "possible" in plan.infeasibility


def _independent_route_cost(plan: NetworkPlan) -> float:
    """delivery_days x the day's route costs, from the test's own coordinates and fleet."""
    data = general_data()
    where = {**data["_dcs"], **data["_customers"]}
    fleet = {v["id"]: v for v in data["fleet"]}
    total = 0.0
    for r in plan.routes:
        v = fleet[r.vehicle_type]
        places = [where[r.facility], *(where[c] for c in r.stops.split(";")),
                  where[r.facility]]
        km = sum(math.hypot(a[0] - b[0], a[1] - b[1]) for a, b in pairwise(places))
        hours = km / v.get("speed_kmh", 40.0) + len(r.stops.split(";")) * 10 / 60
        total += (v["fixed_cost"] + v["cost_per_km"] * km
                  + v.get("cost_per_hour", 0.0) * hours)
    return data["network_policy"]["delivery_days"] * total


def test_general_network_passes_the_checker_with_the_route_cost_as_outbound(
        general_plan: NetworkPlan) -> None:
    inst = general()
    plan = general_plan
    assert plan.solve.status == SolveStatus.FEASIBLE and plan.routes
    assert check_plan(inst, plan).ok
    assert plan.cost.outbound == pytest.approx(_independent_route_cost(plan), rel=1e-9)
    # the per-unit outbound rate (50 per unit) is not charged
    assert all(f.cost == 0 for f in plan.flows if f.echelon == "outbound")
    # every customer served by one DC, in full, by routes of that DC
    for c in plan.customers:
        assert c.shortage == 0 and len(c.facilities.split(";")) == 1
        visited = {r.facility for r in plan.routes if c.customer in r.stops.split(";")}
        assert visited == {c.facilities}
    assert sum(c.cost_to_serve for c in plan.customers) + plan.cost.onboarding + \
        plan.cost.closing == pytest.approx(plan.cost.total, rel=1e-9)
    for r in plan.routes:  # capacity and duration of each route
        cap = {"van": 12.0, "truck": 25.0}[r.vehicle_type]
        assert r.load <= cap + 1e-9
        if r.vehicle_type == "van":
            assert r.hours <= 4 + 1e-9
    frames = plan.to_frames()
    assert list(frames["routes"].columns) == ["facility", "vehicle_type", "route", "stops",
                                              "load", "km", "hours", "cost"]
    assert len(frames["routes"]) == len(plan.routes)


def test_rates_mode_of_the_same_network_is_unchanged() -> None:
    data = {k: v for k, v in general_data().items() if not k.startswith("_")}
    data["network_policy"] = {"delivery_days": 2}
    inst = NetworkInstance.model_validate(data)
    plan = solve(inst, SolverOptions(time_limit=30))
    assert plan.solve.method == Method.MILP and not plan.routes
    units = sum(d["quantity"] for d in data["demand"])
    assert plan.cost.outbound == pytest.approx(50.0 * units)
    assert "routes" not in plan.to_frames()


# ---- the allocator -----------------------------------------------------------------------------


def test_network_allocator_prices_every_non_route_cost_and_refuses_a_bad_assignment() -> None:
    inst = tiny(max_open=2)
    mapping = location_routing_problem(inst)
    allocator = NetworkAllocator(inst, mapping, SolverOptions())
    m, n = mapping.problem.shape
    free = np.full(m, -1, dtype=np.int8)
    # with no route estimate, the cheapest DCs that hold 27 units: F1 + F2 (65)
    got = allocator(np.zeros((m, n)), free)
    assert got is not None and got.open.tolist() == [True, True, False]
    assert got.cost == pytest.approx(65.0)
    np.testing.assert_allclose(got.served, mapping.problem.demand)
    # a route estimate that makes F3 cheap for C5, C6; Allocation.cost leaves it out
    estimate = np.full((m, n), 100.0)
    estimate[2, 4:] = 0.0
    estimate[0, :2] = 0.0
    got = allocator(estimate, free)
    assert got.assignment.tolist()[4:] == [2, 2] and got.cost == pytest.approx(
        sum(30.0 if f == 0 else 35.0 if f == 1 else 40.0 for f in set(got.assignment)))
    # the open set fixed
    got = allocator(estimate, np.array([0, 1, 1], dtype=np.int8))
    assert got.open.tolist() == [False, True, True]
    # every customer at F1: 27 units above its capacity 18
    assert allocator(estimate, free, assignment=np.zeros(n, dtype=int)) is None
    # max_open 2 holds with every DC forced open
    assert allocator(estimate, np.ones(m, dtype=np.int8)) is None


# ---- the checker's route rules ----------------------------------------------------------------


def _corrupt(plan: NetworkPlan, what: str) -> tuple[NetworkInstance, NetworkPlan]:
    inst = general()
    routes = list(plan.routes)
    first = routes[0]
    if what == "route_unknown":
        routes[0] = first.model_copy(update={"stops": first.stops + ";K99"})
    elif what == "route_vehicle":  # every vehicle type based at another DC than route 1's
        other = next(f.id for f in inst.facilities if f.id != first.facility)
        inst = inst.model_copy(update={"fleet": [
            {**v.model_dump(), "facility": other} for v in inst.fleet]})
    elif what == "route_capacity":  # every route carries more than 1 unit
        inst = inst.model_copy(update={"fleet": [
            {**v.model_dump(), "capacity": 1.0} for v in inst.fleet]})
    elif what == "route_duration":
        inst = inst.model_copy(update={"fleet": [
            {**v.model_dump(), "max_duration": 60.0} for v in inst.fleet]})
    elif what == "route_count":
        inst = inst.model_copy(update={"fleet": [
            {**v.model_dump(), "count": 1} for v in inst.fleet]})
        routes.append(first.model_copy(update={"route": 99}))
    elif what == "route_delivery":
        routes = routes[1:]
    elif what == "route_figures":
        routes[0] = first.model_copy(update={"km": first.km + 1.0})
    elif what == "cost":
        routes[0] = first.model_copy(update={"cost": first.cost * 0.5})
    elif what == "closed_facility":
        closed = next(f.facility for f in plan.facilities if not f.open)
        routes[0] = first.model_copy(update={"facility": closed, "vehicle_type": "van"})
    return inst, plan.model_copy(update={"routes": tuple(routes)})


@pytest.mark.parametrize("rule", ["route_unknown", "route_vehicle", "route_capacity",
                                  "route_duration", "route_count", "route_delivery",
                                  "route_figures", "cost", "closed_facility"])
def test_checker_rule_fires_on_a_corrupted_plan(general_plan: NetworkPlan, rule: str) -> None:
    inst, bad = _corrupt(general_plan, rule)
    report = check_plan(inst, bad)
    assert rule in {v.rule for v in report.violations}, [
        (v.rule, v.message) for v in report.violations]


def test_checker_refuses_optimal_without_a_bound_in_routes_mode(
        general_plan: NetworkPlan) -> None:
    claimed = general_plan.solve.model_copy(update={"status": SolveStatus.OPTIMAL})
    report = check_plan(general(), general_plan.model_copy(update={"solve": claimed}))
    assert [(v.rule, v.subject) for v in report.violations] == [("solve", "solve.status")]


def test_checker_recomputes_the_outbound_line(general_plan: NetworkPlan) -> None:
    cost = general_plan.cost.model_copy(update={
        "outbound": general_plan.cost.outbound / 2,  # one delivery day, not two
        "total": general_plan.cost.total - general_plan.cost.outbound / 2})
    report = check_plan(general(), general_plan.model_copy(update={"cost": cost}))
    assert "cost.outbound" in {v.subject for v in report.violations}


def test_checker_refuses_routes_in_a_rates_plan(general_plan: NetworkPlan) -> None:
    data = {k: v for k, v in general_data().items() if not k.startswith("_")}
    data["network_policy"] = {"delivery_days": 2}
    report = check_plan(NetworkInstance.model_validate(data), general_plan)
    assert "route_unknown" in {v.rule for v in report.violations}


def test_a_customer_no_vehicle_can_reach_in_time_is_infeasible_before_solving() -> None:
    data = tiny_data()
    data["fleet"][0]["max_duration"] = "0:20"  # 40 km/h: 13.3 km there and back
    data["customers"][3]["x"] = 40.0  # C4: 20 km from F2, the nearest DC
    inst = NetworkInstance.model_validate(data)
    assert location_routing_problem(inst).problem.allowed[:, 3].tolist() == [False] * 3
    plan = solve(inst, SolverOptions(time_limit=LIMIT))
    assert plan.solve.status == SolveStatus.INFEASIBLE
    assert plan.solve.stop_reason == "infeasible before solving"
    assert any("customer C4 must be served" in r for r in plan.infeasibility)


def test_a_soft_customer_no_dc_may_serve_is_left_short() -> None:
    data = tiny_data()
    data["demand"][3]["shortage_penalty"] = 7.0
    data["lanes"] = [{"origin": f, "destination": "C4", "forbidden": True}
                     for f in ("F1", "F2", "F3")]
    inst = NetworkInstance.model_validate(data)
    plan = solve(inst, SolverOptions(time_limit=LIMIT))
    assert plan.solve.status == SolveStatus.FEASIBLE and check_plan(inst, plan).ok
    assert [(s.customer, s.quantity) for s in plan.shortages] == [("C4", 6.0)]
    assert plan.cost.shortage == pytest.approx(42.0)
    assert all("C4" not in r.stops.split(";") for r in plan.routes)


def test_a_stop_heavier_than_a_vehicle_is_split_and_cost_to_serve_is_the_stand_alone_split(
        ) -> None:
    data = tiny_data()
    data["demand"][3]["quantity"] = 25.0  # C4: 25 units a day, vans carry 10
    for f in data["facilities"]:
        f["capacity"] = 60.0
    inst = NetworkInstance.model_validate(data)
    plan = solve(inst, SolverOptions(time_limit=LIMIT))
    assert check_plan(inst, plan).ok
    stops = [c for r in plan.routes for c in r.stops.split(";")]
    assert stops.count("C4") == 3  # ceil(25 / 10) equal stops of 25/3
    assert sum(r.load for r in plan.routes) == pytest.approx(
        sum(d["quantity"] for d in data["demand"]))  # one delivery day: every unit routed
    assert all(r.load <= 10.0 + 1e-9 for r in plan.routes)
    # cost to serve: the DC's fixed cost pro rata of units + the stand-alone split of routes
    where = {f["id"]: (f["x"], f["y"]) for f in data["facilities"]}
    where.update({c["id"]: (c["x"], c["y"]) for c in data["customers"]})
    units = {d["customer"]: d["quantity"] for d in data["demand"]}

    def alone(f: str, c: str) -> float:
        km = 2 * math.dist(where[f], where[c])
        return 15.0 + 2.0 * km

    expected = {c: 0.0 for c in units}
    for r in plan.routes:
        visits = r.stops.split(";")
        weights = [alone(r.facility, c) for c in visits]
        for c, w in zip(visits, weights, strict=True):
            expected[c] += r.cost * w / sum(weights)
    fixed = {f["id"]: f["fixed_cost"] for f in data["facilities"]}
    through = {f.facility: f.throughput for f in plan.facilities}
    for c in plan.customers:
        expected[c.customer] += fixed[c.facilities] * units[c.customer] / through[c.facilities]
        assert c.cost_to_serve == pytest.approx(expected[c.customer], rel=1e-9)


def test_outbound_rates_need_no_km_in_routes_mode_for_a_dc_without_vehicles() -> None:
    data = tiny_data()
    data["transport"] = {"outbound_per_unit_km": 1.0}
    data["facilities"][2] = {"id": "F3", "fixed_cost": 40.0}  # no coordinates
    data["fleet"][0]["facility"] = "F1"
    data["fleet"].append({"id": "van2", "facility": "F2", "capacity": 10.0})
    assert NetworkInstance.model_validate(data).routes_mode  # F3 has no vehicle: no km needed
    data["network_policy"] = {}
    [(loc, kind, _msg)] = _errors(data)  # rates mode prices F3's lanes per km
    assert loc == ("facilities", 2, "id") and kind == "no_distance"


def test_routes_mode_names_full_service_when_supply_falls_short() -> None:
    """Suppliers capped at 25 units each for 39 units of A and 25 of B (64): with shortage
    penalties rates mode leaves 14 units short; routes mode serves every customer in full, so it
    is infeasible, and the reason says so only because the hard-demand rates model is
    infeasible too (proven, not guessed)."""
    from tests.models.network.routes_cases import general_data

    data = {k: v for k, v in general_data().items() if not k.startswith("_")}
    data["suppliers"] = [dict(s, capacity=25.0) for s in data["suppliers"]]
    data["demand"] = [dict(d, shortage_penalty=1000.0) for d in data["demand"]]
    inst = NetworkInstance.model_validate(data)
    rates = solve(inst.model_copy(update={"network_policy": inst.network_policy.model_copy(
        update={"outbound": "rates"})}), SolverOptions(time_limit=10))
    assert rates.solve.status == SolveStatus.OPTIMAL
    assert rates.cost.shortage == pytest.approx(14 * 1000.0)
    plan = solve(inst, SolverOptions(time_limit=5))
    assert plan.solve.status == SolveStatus.INFEASIBLE
    assert any("delivers every customer's demand in full" in r for r in plan.infeasibility)
