"""Every number a route plan reports is recomputed by the checker: a tampered figure (NaN,
inf or a plain wrong value) is caught with its rule code."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from models.routing import RoutePlan, RoutingInstance, check_plan
from models.routing.solve import RoutingOptions, solve

NAN, INF = math.nan, math.inf


def _instance() -> RoutingInstance:
    return RoutingInstance.model_validate({
        "name": "numbers",
        "depots": [{"id": "D", "x": 0.0, "y": 0.0}],
        "vehicle_types": [{"id": "van", "count": 3, "capacity": [10.0, 5.0],
                           "start_depot": "D", "cost_per_km": 1000.0, "cost_per_hour": 36.0,
                           "fixed_cost": 10.0,
                           "breaks": [{"id": "lunch", "earliest": 20.0, "latest": 30.0,
                                       "duration": 3.0}]}],
        "stops": [
            {"id": "a", "x": 10.0, "y": 0.0, "delivery": [4.0, 1.0], "service_time": 2.0,
             "time_windows": [[30, 35]]},
            {"id": "b", "x": 10.0, "y": 5.0, "delivery": [3.0, 1.0], "service_time": 1.0},
            {"id": "c", "x": 0.0, "y": 10.0, "pickup": [2.0, 0.0]},
            {"id": "far", "x": 900.0, "y": 900.0, "delivery": [1.0, 0.0],
             "drop_penalty": 5.0},
        ],
    })


@pytest.fixture(scope="module")
def solved() -> tuple[RoutingInstance, RoutePlan]:
    inst = _instance()
    plan = solve(inst, RoutingOptions(time_limit=None, solution_limit=100, isolate=False))
    assert plan.unserved and plan.routes
    report = check_plan(inst, plan)
    assert report.ok, report.violations
    return inst, plan


def _route(plan: RoutePlan, **update: Any) -> RoutePlan:
    routes = list(plan.routes)
    routes[0] = routes[0].model_copy(update=update)
    return plan.model_copy(update={"routes": tuple(routes)})


def _visit(plan: RoutePlan, **update: Any) -> RoutePlan:
    r = plan.routes[0]
    visits = (r.visits[0].model_copy(update=update), *r.visits[1:])
    return _route(plan, visits=visits)


def _with_window_visit(plan: RoutePlan, **update: Any) -> RoutePlan:
    for i, r in enumerate(plan.routes):
        for j, v in enumerate(r.visits):
            if v.stop == "a":
                visits = list(r.visits)
                visits[j] = v.model_copy(update=update(v) if callable(update) else update)
                routes = list(plan.routes)
                routes[i] = r.model_copy(update={"visits": tuple(visits)})
                return plan.model_copy(update={"routes": tuple(routes)})
    raise AssertionError("stop a is not served")


def _break(plan: RoutePlan, **update: Any) -> RoutePlan:
    for i, r in enumerate(plan.routes):
        if r.breaks:
            routes = list(plan.routes)
            breaks = (r.breaks[0].model_copy(update=update), *r.breaks[1:])
            routes[i] = r.model_copy(update={"breaks": breaks})
            return plan.model_copy(update={"routes": tuple(routes)})
    raise AssertionError("no route takes a break")


def _unserved(plan: RoutePlan, **update: Any) -> RoutePlan:
    return plan.model_copy(update={"unserved": (
        plan.unserved[0].model_copy(update=update), *plan.unserved[1:])})


TAMPERINGS: dict[str, tuple[Callable[[RoutePlan], RoutePlan], str]] = {
    "nan arrival": (lambda p: _visit(p, arrival=NAN), "arrival"),
    "inf arrival": (lambda p: _visit(p, arrival=INF), "arrival"),
    "nan departure": (lambda p: _visit(p, departure=NAN), "departure"),
    "altered departure": (lambda p: _visit(p, departure=p.routes[0].visits[0].departure + 1),
                          "departure"),
    "nan service start": (lambda p: _visit(p, start=NAN), "wait"),
    "longer wait": (lambda p: _with_window_visit(p, start=70.0), "wait"),
    "nan load": (lambda p: _visit(p, load=(NAN, 0.0)), "load"),
    "short load": (lambda p: _visit(p, load=p.routes[0].visits[0].load[:1]), "load"),
    "nan start load": (lambda p: _route(p, start_load=(NAN, NAN)), "load"),
    "short start load": (lambda p: _route(p, start_load=p.routes[0].start_load[:1]), "load"),
    "nan end": (lambda p: _route(p, end_time=NAN), "end_time"),
    "nan start": (lambda p: _route(p, start_time=NAN), "start_time"),
    "nan route distance": (lambda p: _route(p, distance=NAN), "route_distance"),
    "nan route duration": (lambda p: _route(p, duration=NAN), "route_duration"),
    "altered route duration": (lambda p: _route(p, duration=p.routes[0].duration + 1),
                               "route_duration"),
    "nan route cost": (lambda p: _route(p, cost=NAN), "route_cost"),
    "nan total cost": (lambda p: p.model_copy(update={"cost": NAN}), "total_cost"),
    "inf total distance": (lambda p: p.model_copy(update={"distance": INF}),
                           "total_distance"),
    "nan total duration": (lambda p: p.model_copy(update={"duration": NAN}),
                           "total_duration"),
    "altered vehicles used": (lambda p: p.model_copy(update={"vehicles_used": 7}),
                              "total_vehicles_used"),
    "altered unused vehicles": (lambda p: p.model_copy(update={"unused_vehicles": ()}),
                                "unused_vehicles"),
    "nan penalty": (lambda p: _unserved(p, penalty=NAN), "unserved_penalty"),
    "altered penalty": (lambda p: _unserved(p, penalty=0.0), "unserved_penalty"),
    "nan break end": (lambda p: _break(p, end=NAN), "break"),
    "nan break start": (lambda p: _break(p, start=NAN), "break"),
    "nan seconds": (lambda p: p.model_copy(update={"solve": p.solve.model_copy(
        update={"seconds": NAN})}), "solve_figures"),
}


@pytest.mark.parametrize("name", sorted(TAMPERINGS))
def test_each_tampered_number_is_caught(solved: tuple[RoutingInstance, RoutePlan],
                                        name: str) -> None:
    inst, plan = solved
    tamper, rule = TAMPERINGS[name]
    report = check_plan(inst, tamper(plan))
    assert rule in report.rules(), (name, report.violations)
