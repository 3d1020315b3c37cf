"""The reach of the fleet (models/integrated/reach.py): a DC whose vehicles cannot get to a
zone and back within max_duration is never given that zone by the network solve.

On the tiny instance (tests/models/integrated/tiny.py) a zone A3 at (0, 30) is added: 30 km
from DC-A, about 104 km from DC-B. Per-unit rates make DC-A the cheaper DC for it (3,000
against 10,440 a period), but DC-A's van may drive one hour (a 60 km round trip at 50 km/h
takes 1:12), while DC-B's truck may drive 10 hours. Before, the network gave A3 to DC-A and
DC-A's day could not be routed (an infeasible plan)."""

from __future__ import annotations

from typing import Any

from models.integrated import IntegratedOptions, check_plan, solve
from models.integrated.reach import fleet_reach
from models.solver import SolveStatus
from tests.models.integrated import tiny

OPTIONS = IntegratedOptions(routing=tiny.ROUTING)


def _far_zone(truck_hours: str = "10:00", penalty: float | None = None) -> dict[str, Any]:
    data = tiny.tables()
    data["customers"].append({"id": "A3", "x": 0, "y": 30})
    row: dict[str, Any] = {"customer": "A3", "product": "P", "quantity": 100}
    if penalty is not None:
        row["shortage_penalty"] = penalty
    data["demand"].append(row)
    data["fleet"] = [
        {"id": "van-a", "facility": "DC-A", "capacity": 1000, "fixed_cost": 10,
         "cost_per_km": 1, "speed_kmh": 50, "max_duration": "1:00"},
        {"id": "truck-b", "facility": "DC-B", "capacity": 1000, "fixed_cost": 10,
         "cost_per_km": 1, "speed_kmh": 50, "max_duration": truck_hours}]
    return data


def test_reach_closes_the_pairs_a_dc_cannot_serve() -> None:
    reach = fleet_reach(tiny.IntegratedInstance.model_validate(_far_zone()))
    assert set(reach.closed) == {("DC-A", "A3"), ("DC-A", "B1"), ("DC-A", "B2")}
    assert reach.unreachable == {}


def test_a_zone_out_of_reach_of_the_cheaper_dc_goes_to_a_dc_that_reaches_it() -> None:
    inst = tiny.IntegratedInstance.model_validate(_far_zone())
    plan = solve(inst, OPTIONS)
    assert plan.solve.status == SolveStatus.FEASIBLE, plan.problems
    serving = {c.customer: c.facilities for c in plan.customers}
    assert serving["A3"] == "DC-B" and serving["A1"] == "DC-A"
    assert check_plan(inst, plan).ok


def test_a_zone_no_dc_reaches_is_infeasible_before_solving_and_named() -> None:
    inst = tiny.IntegratedInstance.model_validate(_far_zone(truck_hours="2:00"))
    plan = solve(inst, OPTIONS)
    assert plan.solve.status == SolveStatus.INFEASIBLE
    assert "before solving" in plan.solve.stop_reason
    assert plan.cost is None and not plan.routes
    (problem,) = plan.problems
    assert "zone 'A3'" in problem and "fleet.max_duration" in problem
    assert "from DC-A: 1:12 on 'van-a' > 1:00; from DC-B: 4:11 on 'truck-b' > 2:00" in problem


def test_a_zone_that_may_be_short_and_no_dc_reaches_is_left_short() -> None:
    inst = tiny.IntegratedInstance.model_validate(_far_zone(truck_hours="2:00",
                                                            penalty=500.0))
    plan = solve(inst, OPTIONS)
    assert plan.solve.status == SolveStatus.FEASIBLE, plan.problems
    a3 = next(c for c in plan.customers if c.customer == "A3")
    assert a3.served == 0 and a3.shortage == 100
    assert check_plan(inst, plan).ok


def test_a_dc_that_must_close_reaches_nobody() -> None:
    data = _far_zone()
    data["facilities"][1]["status"] = "must_close"
    plan = solve(tiny.IntegratedInstance.model_validate(data), OPTIONS)
    assert plan.solve.status == SolveStatus.INFEASIBLE
    assert "before solving" in plan.solve.stop_reason
    assert [p for p in plan.problems if "zone 'A3'" in p] == [
        "customers: zone 'A3' must be served, but no DC's vehicles can get there and back "
        "within fleet.max_duration (the quickest round trip serving it alone, driving at "
        "speed_kmh plus the service time): from DC-A: 1:12 on 'van-a' > 1:00"]


def test_a_stop_is_split_for_the_largest_vehicle_that_reaches_it() -> None:
    """Zone A3 carries 50 units a day; DC-A's 60-unit truck may drive one hour (A3 is a 1:12
    round trip), its 30-unit van has no limit: A3 becomes two 25-unit stops for the van (before:
    one 50-unit stop, lighter than the truck, that no vehicle could serve; infeasible)."""
    data = _far_zone()
    data["facilities"] = data["facilities"][:1]
    data["customers"] = [c for c in data["customers"] if c["id"].startswith("A")]
    data["demand"] = [d for d in data["demand"] if d["customer"].startswith("A")]
    data["fleet"] = [
        {"id": "truck", "capacity": 60, "fixed_cost": 10, "cost_per_km": 1, "speed_kmh": 50,
         "max_duration": "1:00"},
        {"id": "van", "capacity": 30, "fixed_cost": 10, "cost_per_km": 1, "speed_kmh": 50}]
    data["scenarios"] = []
    inst = tiny.IntegratedInstance.model_validate(data)
    plan = solve(inst, OPTIONS)
    assert plan.solve.status == SolveStatus.FEASIBLE, plan.problems
    a3 = sorted((s.stop, s.load) for s in plan.stops if s.customer == "A3")
    assert a3 == [("A3#1", 25.0), ("A3#2", 25.0)]
    assert {r.vehicle_type for r in plan.routes if "A3#1" in r.stops.split(";")} == {"van"}
    assert check_plan(inst, plan).ok


def test_a_fleet_too_small_for_the_demand_is_infeasible_before_solving_and_says_why() -> None:
    """One 40-unit van a DC, 2 delivery days: the DCs carry 2 × 80 = 160 units per period,
    the zones need 400. Before: 'no single rule among the 4 tried makes a plan possible'."""
    inst = tiny.instance(fleet=[{"id": "van", "capacity": 40, "count": 1, "cost_per_km": 1}])
    plan = solve(inst, OPTIONS)
    assert plan.solve.status == SolveStatus.INFEASIBLE
    assert plan.solve.stop_reason == ("infeasible before solving: the fleet cannot carry the "
                                      "demand")
    assert plan.problems == (
        "fleet: the vehicles of all DCs together carry at most 160 units per period (count × "
        "capacity × 2 delivery days: DC-A 80, DC-B 80), and the demand that must be met is 400 "
        "units: add vehicles (fleet.count), larger ones (fleet.capacity) or delivery days "
        "(network_policy.delivery_days)",)
