"""The independent checker catches each corrupted rule (docs/plan-format.md, "Checker rule
codes"); each case corrupts one thing of a plan that passes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from models.integrated import IntegratedOptions, IntegratedPlan, check_plan, solve
from models.network import SolveStatus
from tests.models.integrated import tiny

ORDERS = [{"id": "o1", "customer": "A1", "units": 1, "x": 0, "y": 12},
          {"id": "o2", "customer": "A1", "units": 3}]


@pytest.fixture(scope="module")
def solved() -> tuple[object, IntegratedPlan]:
    inst = tiny.instance(orders=ORDERS)
    plan = solve(inst, IntegratedOptions(routing=tiny.ROUTING))
    assert check_plan(inst, plan).ok
    return inst, plan


def _stop(plan: IntegratedPlan, stop: str, **update: object) -> IntegratedPlan:
    stops = tuple(s.model_copy(update=update) if s.stop == stop else s for s in plan.stops)
    return plan.model_copy(update={"stops": stops})


def _route_line(plan: IntegratedPlan, **update: object) -> IntegratedPlan:
    return plan.model_copy(update={"routes": (plan.routes[0].model_copy(update=update),
                                              *plan.routes[1:])})


def _day_route(plan: IntegratedPlan, **update: object) -> IntegratedPlan:
    day = plan.days[0]
    route = day.plan.routes[0].model_copy(update=update)
    day = day.model_copy(update={"plan": day.plan.model_copy(
        update={"routes": (route, *day.plan.routes[1:])})})
    return plan.model_copy(update={"days": (day, *plan.days[1:])})


def _cost(plan: IntegratedPlan, **update: object) -> IntegratedPlan:
    return plan.model_copy(update={"cost": plan.cost.model_copy(update=update)})


def _customer(plan: IntegratedPlan, **update: object) -> IntegratedPlan:
    return plan.model_copy(update={"customers": (plan.customers[0].model_copy(update=update),
                                                 *plan.customers[1:])})


def _facility_day(plan: IntegratedPlan, **update: object) -> IntegratedPlan:
    return plan.model_copy(update={"facilities": (plan.facilities[0].model_copy(update=update),
                                                  *plan.facilities[1:])})


def _network_flow(plan: IntegratedPlan) -> IntegratedPlan:
    flows = (plan.network.flows[0].model_copy(update={"quantity": 1.0}),
             *plan.network.flows[1:])
    return plan.model_copy(update={"network": plan.network.model_copy(update={"flows": flows})})


def _extra_stop(plan: IntegratedPlan) -> IntegratedPlan:
    twin = plan.stops[0].model_copy(update={"stop": "ghost"})
    return plan.model_copy(update={"stops": (*plan.stops, twin)})


CASES: list[tuple[str, Callable[[IntegratedPlan], IntegratedPlan]]] = [
    ("day_load", lambda p: _stop(p, "A2", load=49.0)),
    ("day_load", lambda p: _stop(p, "o1", load=20.0)),  # its order's share is 12.5
    ("stop_place", lambda p: _stop(p, "A2", service_time=60.0)),
    ("stop_place", lambda p: _stop(p, "o1", x=5.0)),
    ("stop_place", lambda p: _stop(p, "A2", time_windows=((0.0, 10.0),))),
    ("stop_place", lambda p: _stop(p, "o2", order="o9")),
    ("closed_facility", lambda p: _stop(p, "A2", facility="DC-X")),
    ("on_route", _extra_stop),
    ("stop_id", lambda p: p.model_copy(update={"stops": (*p.stops, p.stops[0])})),
    ("route_figures", lambda p: _route_line(p, km=p.routes[0].km + 1)),
    ("route_figures", lambda p: _route_line(p, stops="A2")),
    ("route_figures", lambda p: _day_route(p, cost=p.days[0].plan.routes[0].cost - 5)),
    ("routing.arrival", lambda p: _day_route(p, visits=tuple(
        v.model_copy(update={"arrival": v.arrival + 60})
        for v in p.days[0].plan.routes[0].visits))),
    ("cost", lambda p: _cost(p, last_mile=p.cost.last_mile - 1)),
    ("cost", lambda p: _cost(p, total=p.cost.total + 1)),
    ("cost", lambda p: _cost(p, network_outbound=0.0)),
    ("cost", lambda p: _customer(p, last_mile=p.customers[0].last_mile + 1)),
    ("customer_figures", lambda p: _customer(p, stops=9)),
    ("facility_figures", lambda p: _facility_day(p, km=0.0)),
    ("network.demand", _network_flow),
    ("solve", lambda p: p.model_copy(update={"delivery_days": 3.0})),
    ("solve", lambda p: p.model_copy(update={"problems": ("x",)})),
]


@pytest.mark.parametrize(("rule", "corrupt"), CASES,
                         ids=[f"{r}-{i}" for i, (r, _c) in enumerate(CASES)])
def test_each_corruption_is_caught(solved: tuple[object, IntegratedPlan], rule: str,
                                   corrupt: Callable[[IntegratedPlan], IntegratedPlan]) -> None:
    inst, plan = solved
    report = check_plan(inst, corrupt(plan))  # type: ignore[arg-type]
    assert rule in report.rules() or any(r.startswith(rule) for r in report.rules()), \
        report.violations


def test_an_order_on_no_route_of_its_zones_dc(solved: tuple[object, IntegratedPlan]) -> None:
    inst, plan = solved
    dropped = plan.model_copy(update={"stops": tuple(s for s in plan.stops if s.stop != "o1")})
    assert "order_dc" in check_plan(inst, dropped).rules()


def test_routes_on_a_vehicle_type_the_dc_does_not_have(
        solved: tuple[object, IntegratedPlan]) -> None:
    _inst, plan = solved
    only_b = tiny.instance(orders=ORDERS, fleet=[{
        "id": "van", "facility": "DC-B", "capacity": 1000, "fixed_cost": 10, "cost_per_km": 1,
        "speed_kmh": 50}])
    assert "fleet" in check_plan(only_b, plan).rules()


def test_too_many_routes_of_a_type(solved: tuple[object, IntegratedPlan]) -> None:
    _inst, plan = solved
    one = tiny.instance(orders=ORDERS, fleet=[{
        "id": "van", "capacity": 1000, "count": 1, "fixed_cost": 10, "cost_per_km": 1,
        "speed_kmh": 50}])
    day = plan.days[0]
    r = day.plan.routes[0]
    split = (r.model_copy(update={"visits": r.visits[:1]}),
             r.model_copy(update={"vehicle": 1, "visits": r.visits[1:]}))
    day = day.model_copy(update={"plan": day.plan.model_copy(update={"routes": split})})
    corrupted = plan.model_copy(update={"days": (day, *plan.days[1:])})
    rules = check_plan(one, corrupted).rules()
    assert "routing.unknown_vehicle" in rules  # the day's fleet has one van at each DC


def test_dc_capacity(solved: tuple[object, IntegratedPlan]) -> None:
    _inst, plan = solved
    small = tiny.instance(orders=ORDERS, facilities=[
        {"id": "DC-A", "x": 0, "y": 0, "fixed_cost": 1000, "capacity": 150},
        {"id": "DC-B", "x": 100, "y": 0, "fixed_cost": 1000}])
    rules = check_plan(small, plan).rules()
    assert "dc_capacity" in rules and "network.facility_capacity" in rules


def test_a_plan_without_a_solution_lists_nothing(
        solved: tuple[object, IntegratedPlan]) -> None:
    inst, plan = solved
    summary = plan.solve.model_copy(update={"status": SolveStatus.INFEASIBLE})
    assert "solve" in check_plan(inst, plan.model_copy(update={"solve": summary})).rules()
