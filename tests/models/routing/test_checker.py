"""The routing checker catches each kind of broken plan."""

from __future__ import annotations

import pytest

from models.routing import RoutePlan, RoutingInstance, check_plan
from models.routing.solve import RoutingOptions, solve


def _instance() -> RoutingInstance:
    return RoutingInstance.model_validate({
        "name": "check",
        "depots": [{"id": "D", "x": 0.0, "y": 0.0}],
        "vehicle_types": [{"id": "van", "count": 2, "capacity": [10.0], "start_depot": "D",
                           "skills": ["cold"], "cost_per_km": 1000.0, "max_duration": 500.0}],
        "stops": [
            {"id": "a", "x": 10.0, "y": 0.0, "delivery": [4.0], "time_windows": [[0, 50]]},
            {"id": "b", "x": 0.0, "y": 10.0, "delivery": [4.0], "skills": ["cold"]},
            {"id": "p", "x": 5.0, "y": 5.0, "pickup": [3.0]},
            {"id": "q", "x": -5.0, "y": 5.0, "delivery": [3.0]},
        ],
        "shipments": [{"pickup": "p", "delivery": "q"}],
    })


@pytest.fixture(scope="module")
def solved() -> tuple[RoutingInstance, RoutePlan]:
    inst = _instance()
    plan = solve(inst, RoutingOptions(time_limit=None, solution_limit=100, isolate=False))
    assert check_plan(inst, plan).ok
    return inst, plan


def _edit(plan: RoutePlan, route: int, **changes: object) -> RoutePlan:
    routes = list(plan.routes)
    routes[route] = routes[route].model_copy(update=changes)
    return plan.model_copy(update={"routes": tuple(routes)})


def _route_with(plan: RoutePlan, stop: str) -> int:
    return next(i for i, r in enumerate(plan.routes) if stop in {v.stop for v in r.visits})


def test_wrong_arrival_time(solved) -> None:
    inst, plan = solved
    r = plan.routes[0]
    visits = (r.visits[0].model_copy(update={"arrival": r.visits[0].arrival + 1}),
              *r.visits[1:])
    assert "arrival" in check_plan(inst, _edit(plan, 0, visits=visits)).rules()


def test_missed_window(solved) -> None:
    inst, plan = solved
    i = _route_with(plan, "a")
    r = plan.routes[i]
    visits = tuple(v.model_copy(update={"start": 60.0}) if v.stop == "a" else v
                   for v in r.visits)
    assert "time_window" in check_plan(inst, _edit(plan, i, visits=visits)).rules()


def test_delivery_before_pickup(solved) -> None:
    inst, plan = solved
    i = _route_with(plan, "p")
    r = plan.routes[i]
    order = [v.stop for v in r.visits]
    swapped = list(r.visits)
    a, b = order.index("p"), order.index("q")
    swapped[a], swapped[b] = swapped[b], swapped[a]
    rules = check_plan(inst, _edit(plan, i, visits=tuple(swapped))).rules()
    assert "pickup_delivery" in rules


def test_stop_served_twice_and_reported_totals(solved) -> None:
    inst, plan = solved
    r = plan.routes[0]
    doubled = _edit(plan, 0, visits=(*r.visits, r.visits[0]))
    assert "visited_twice" in check_plan(inst, doubled).rules()
    wrong_total = plan.model_copy(update={"distance": plan.distance + 5})
    assert check_plan(inst, wrong_total).rules() == {"total_distance"}


def test_unlisted_unserved_stop(solved) -> None:
    inst, plan = solved
    i = _route_with(plan, "b")
    r = plan.routes[i]
    without = _edit(plan, i, visits=tuple(v for v in r.visits if v.stop != "b"))
    rules = check_plan(inst, without).rules()
    assert {"mandatory_unserved", "unserved_list"} <= rules


def test_capacity_and_skills(solved) -> None:
    inst, plan = solved
    heavy = inst.model_copy(update={"vehicle_types": (inst.vehicle_types[0].model_copy(
        update={"capacity": (2.0,), "skills": ()}),)})
    rules = check_plan(heavy, plan).rules()
    assert {"capacity", "skills"} <= rules
