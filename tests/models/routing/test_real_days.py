"""Native delivery days: hourly costs, optional stops, pairs, breaks, reasons that hold.

Each test here failed on the code before issue 9: PyVRP optimised another objective, reasons
priced a route that leaves at shift start and waits, the break rule differed between the plan
and the checker, OR-Tools found no plan where one exists, and status names were wrong.
"""

from __future__ import annotations

import itertools
import math

import pytest

from models.routing import (
    RoutingInstance,
    RoutingSummary,
    assemble_plan,
    check_plan,
    generate_day,
    impossible_stops,
)
from models.routing.explain import unserved_reasons
from models.routing.ortools_engine import (
    Found,
    OrToolsModel,
    SearchSettings,
    ortools_objective,
    status_name,
)
from models.routing.pyvrp_engine import pyvrp_objective
from models.routing.scaling import cost_tolerance, scaling
from models.routing.solve import RoutingOptions, finish_plan, solve
from models.solver import SolveStatus

SUMMARY = RoutingSummary(status=SolveStatus.FEASIBLE, engine="enumeration", stop_reason="")
EXACT = {"pyvrp": RoutingOptions(time_limit=None, solution_limit=2000, isolate=False,
                                 engine="pyvrp"),
         "ortools": RoutingOptions(time_limit=None, solution_limit=300, isolate=False,
                                   engine="ortools")}


def _day(stops: list[dict], count: int = 2, **vehicle: object) -> RoutingInstance:
    """A depot in Amsterdam, vans at 0.35/km and 28/h, shift 07:00-19:00."""
    van = {"id": "van", "count": count, "capacity": [100.0], "fixed_cost": 20.0,
           "cost_per_km": 0.35, "cost_per_hour": 28.0, "start_depot": "D",
           "shift_start": 25200.0, "shift_end": 68400.0, **vehicle}
    return RoutingInstance.model_validate({
        "name": "day", "depots": [{"id": "D", "lat": 52.37, "lon": 4.90}],
        "vehicle_types": [van], "stops": stops, "distance": {"kind": "haversine"}})


def _stop(sid: str, lat: float, lon: float, **more: object) -> dict:
    return {"id": sid, "lat": lat, "lon": lon, "delivery": [5.0], "service_time": 300.0, **more}


#: The issue's example: three optional stops, one with a late window, a van paid by the hour.
ISSUE_DAY = _day([
    _stop("a", 52.38, 4.91, drop_penalty=50.0, time_windows=[[36000.0, 39600.0]]),
    _stop("b", 52.36, 4.92, drop_penalty=400.0),
    _stop("c", 52.375, 4.88, drop_penalty=400.0),
])


def _enumerate(inst: RoutingInstance):
    """Every plan: each stop on one of the vehicles or dropped, every order; priced and
    verified by the checker. Yields (checked cost, sequences, dropped set)."""
    ids = [s.id for s in inst.stops]
    vehicles = list(inst.vehicles)
    for owner in itertools.product(range(len(vehicles) + 1), repeat=len(ids)):
        groups = [[s for s, o in zip(ids, owner, strict=True) if o == v]
                  for v in range(len(vehicles))]
        if any(g and not groups[v - 1] for v, g in enumerate(groups)
               if v and vehicles[v][0] == vehicles[v - 1][0]):
            continue  # identical vehicles: fill them in order
        dropped = frozenset(s for s, o in zip(ids, owner, strict=True) if o == len(vehicles))
        for orders in itertools.product(*(itertools.permutations(g) for g in groups)):
            seqs = [(t, k, order) for (t, k), order in zip(vehicles, orders, strict=True)
                    if order]
            plan = assemble_plan(inst, seqs, SUMMARY)
            report = check_plan(inst, plan)
            if report.ok:
                yield report.cost, seqs, dropped


def test_engine_objectives_rank_plans_as_the_plan_cost_does() -> None:
    """For fixed routes, each engine's own objective is the plan cost up to the stated
    scaling tolerance, so every pair of plans further apart is ranked the same way."""
    inst = ISSUE_DAY
    money = scaling(inst).money
    rows = []
    for cost, seqs, dropped in _enumerate(inst):
        legs = sum(len(s) + 1 for *_x, s in seqs)
        tol = cost_tolerance(inst, legs, len(seqs), len(dropped))
        by_ortools = ortools_objective(inst, seqs)
        by_pyvrp = pyvrp_objective(inst, seqs)
        assert by_ortools is not None and by_pyvrp is not None
        for engine_cost in (by_ortools / money, by_pyvrp / money):
            assert abs(engine_cost - cost) <= tol, (seqs, cost, engine_cost, tol)
        rows.append((cost, by_ortools, by_pyvrp, tol))
    assert len(rows) > 20
    for (c1, o1, p1, t1), (c2, o2, p2, t2) in itertools.combinations(rows, 2):
        if c1 < c2 - t1 - t2:
            assert o1 < o2 and p1 < p2


def _with_bike(inst: RoutingInstance) -> RoutingInstance:
    """One van and a slow, cheap cargo bike with a small box: PyVRP drives them on two
    routing profiles."""
    data = inst.model_dump()
    data["vehicle_types"] = [{**data["vehicle_types"][0], "count": 1}, {
        "id": "bike", "count": 1, "capacity": [12.0], "fixed_cost": 2.0, "cost_per_km": 0.0,
        "cost_per_hour": 18.0, "start_depot": "D", "shift_start": 25200.0,
        "shift_end": 68400.0, "speed_kmh": 14.0}]
    return RoutingInstance.model_validate(data)


def test_objectives_hold_with_two_speeds() -> None:
    inst = _with_bike(ISSUE_DAY)
    money = scaling(inst).money
    for cost, seqs, dropped in _enumerate(inst):
        tol = cost_tolerance(inst, sum(len(s) + 1 for *_x, s in seqs), len(seqs), len(dropped))
        for engine_cost in (ortools_objective(inst, seqs), pyvrp_objective(inst, seqs)):
            assert engine_cost is not None and abs(engine_cost / money - cost) <= tol


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
@pytest.mark.parametrize("seed", range(3))
def test_mixed_speeds_match_brute_force(engine: str, seed: int) -> None:
    inst = _with_bike(_optional_day(seed))
    best = min(cost for cost, _s, _d in _enumerate(inst))
    plan = solve(inst, EXACT[engine])
    assert plan.solve.engine == engine
    assert math.isclose(plan.cost, best, abs_tol=1e-6)


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_issue_example_serves_the_stops_worth_serving(engine: str) -> None:
    """PyVRP dropped two stops here (525.50 against 103.12 for the better plan)."""
    best = min(cost for cost, _s, _d in _enumerate(ISSUE_DAY))
    plan = solve(ISSUE_DAY, EXACT[engine])
    assert math.isclose(plan.cost, best, abs_tol=1e-6)
    assert plan.unserved == ()


def _optional_day(seed: int) -> RoutingInstance:
    """Five stops around the depot, some optional (penalties from cheap to dear), windows on
    some, one vehicle or two; hourly cost and fixed cost matter."""
    import numpy as np

    rng = np.random.default_rng(seed)
    stops = []
    for i in range(5):
        extra: dict[str, object] = {}
        if rng.random() < 0.6:
            extra["drop_penalty"] = float(rng.choice([3.0, 15.0, 60.0, 500.0]))
        if rng.random() < 0.5:
            start = float(rng.integers(8, 16)) * 3600.0
            extra["time_windows"] = [[start, start + 3600.0]]
        stops.append(_stop(f"s{i}", 52.37 + float(rng.normal(0, 0.03)),
                           4.90 + float(rng.normal(0, 0.05)), **extra))
    return _day(stops, count=1 + seed % 2, max_duration=5 * 3600.0)


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
@pytest.mark.parametrize("seed", range(5))
def test_optimum_and_dropped_set_match_brute_force(engine: str, seed: int) -> None:
    inst = _optional_day(seed)
    plans = list(_enumerate(inst))
    best = min(cost for cost, _s, _d in plans)
    optimal_drops = {d for cost, _s, d in plans if cost <= best + 1e-6}
    plan = solve(inst, EXACT[engine])
    assert math.isclose(plan.cost, best, abs_tol=1e-6)
    assert frozenset(u.stop for u in plan.unserved) in optimal_drops


# -- unserved reasons --------------------------------------------------------------------

def test_a_window_reachable_only_by_leaving_late_is_served() -> None:
    """Window 17:00-17:30, max route 2 h: leaving at 07:00 and waiting breaks the limit,
    leaving at 16:45 does not. It was declared route_limit and the day infeasible."""
    inst = _day([_stop("late", 52.38, 4.91, time_windows=[[61200.0, 63000.0]])],
                max_duration=7200.0)
    assert impossible_stops(inst) == {}
    plan = solve(inst, EXACT["ortools"])
    assert plan.solve.status == SolveStatus.FEASIBLE and plan.unserved == ()


def test_route_limit_holds_when_the_trip_alone_is_too_long() -> None:
    inst = _day([_stop("far", 52.80, 5.40)], max_duration=7200.0)
    assert impossible_stops(inst)["far"][0] == "route_limit"


def test_time_window_holds_when_no_departure_reaches_it() -> None:
    inst = _day([_stop("early", 52.60, 5.30, time_windows=[[25200.0, 25800.0]])])
    assert impossible_stops(inst)["early"][0] == "time_window"


def test_a_detour_through_the_matrix_is_not_a_proof() -> None:
    """The direct edge depot -> x takes 5000 s, via y 200 s: a window closing at 1000 is
    reachable. Direct times alone would call x unreachable."""
    durations = [[0, 100, 5000], [100, 0, 100], [5000, 100, 0]]
    inst = RoutingInstance.model_validate({
        "depots": [{"id": "D", "matrix_index": 0}],
        "vehicle_types": [{"id": "van", "capacity": [10.0], "start_depot": "D"}],
        "stops": [{"id": "y", "matrix_index": 1, "delivery": [1.0]},
                  {"id": "x", "matrix_index": 2, "delivery": [1.0],
                   "time_windows": [[0.0, 1000.0]]}],
        "distance": {"kind": "matrix"},
        "matrix": {"distances": durations, "durations": durations}})
    assert impossible_stops(inst) == {}
    only_plan = RoutingOptions(time_limit=None, solution_limit=1, isolate=False)
    plan = solve(inst, only_plan)
    assert [v.stop for v in plan.routes[0].visits] == ["y", "x"]


def test_insertion_is_priced_with_the_plans_own_departure() -> None:
    """Stop a (window 10:00-11:00) left out of a plan serving b and c: the cheapest insertion
    leaves late instead of waiting from 07:00; it was reported as 108.70, above the penalty."""
    seqs = [("van", 0, ("b", "c"))]
    plan = assemble_plan(ISSUE_DAY, seqs, SUMMARY)
    reason, detail = unserved_reasons(ISSUE_DAY, plan)["a"]
    insertions = []
    for pos in range(3):
        route = (*("b", "c")[:pos], "a", *("b", "c")[pos:])
        bigger = assemble_plan(ISSUE_DAY, [("van", 0, route)], SUMMARY)
        assert check_plan(ISSUE_DAY, bigger).ok
        insertions.append(bigger.cost - (plan.cost - 50.0))
    assert reason == "dropped_by_search"
    assert f"costs {min(insertions):,.2f}, less than its drop penalty 50.00" in detail


def test_dropped_for_cost_when_the_insertion_is_dearer() -> None:
    inst = _day([_stop("a", 52.38, 4.91), _stop("far", 52.70, 5.50, drop_penalty=10.0)])
    plan = solve(inst, EXACT["ortools"])
    assert [(u.stop, u.reason) for u in plan.unserved] == [("far", "dropped_for_cost")]


def _pair_day(pickup_window: tuple[float, float], penalty: float | None) -> RoutingInstance:
    """A return collected at p and brought to d; d's window closes before p's opens."""
    data = _day([
        _stop("a", 52.38, 4.91),
        {"id": "p", "lat": 52.36, "lon": 4.93, "pickup": [2.0], "service_time": 120.0,
         "time_windows": [list(pickup_window)], "drop_penalty": penalty},
        {"id": "d", "lat": 52.37, "lon": 4.90, "delivery": [2.0], "service_time": 60.0,
         "time_windows": [[28800.0, 32400.0]], "drop_penalty": penalty},
    ]).model_dump()
    data["shipments"] = [{"pickup": "p", "delivery": "d"}]
    return RoutingInstance.model_validate(data)


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_an_optional_pair_that_cannot_be_served_is_dropped_with_a_pair_reason(
        engine: str) -> None:
    inst = _pair_day((50400.0, 54000.0), 100.0)
    plan = solve(inst, EXACT[engine])
    assert plan.solve.status == SolveStatus.FEASIBLE
    reasons = {u.stop: (u.reason, u.detail) for u in plan.unserved}
    assert reasons["p"] == reasons["d"]
    assert reasons["p"][0] == "time_window" and "shipment p -> d" in reasons["p"][1]


def test_a_mandatory_pair_that_cannot_be_served_makes_the_day_infeasible() -> None:
    inst = _pair_day((50400.0, 54000.0), None)
    plan = solve(inst, EXACT["ortools"])
    assert plan.solve.status == SolveStatus.INFEASIBLE
    assert {(u.stop, u.reason) for u in plan.unserved} == {("p", "time_window"),
                                                         ("d", "time_window")}


def test_a_servable_pair_left_out_gets_a_search_reason_not_dropped_for_cost() -> None:
    inst = _pair_day((28800.0, 30600.0), 1000.0)
    plan = assemble_plan(inst, [("van", 0, ("a",))], SUMMARY)
    reasons = unserved_reasons(inst, plan)
    assert reasons["p"] == reasons["d"]
    assert reasons["p"][0] == "dropped_by_search"


# -- a plan whenever one exists ----------------------------------------------------------

def _tight_pickup_delivery() -> RoutingInstance:
    """Planar, simultaneous pickups and deliveries in 2 dimensions, capacity nearly full:
    OR-Tools' first-solution heuristics found no start here."""
    import random

    rnd = random.Random(4)
    stops = [{"id": f"s{i}", "x": rnd.randint(0, 100), "y": rnd.randint(0, 100),
              "delivery": [rnd.randint(0, 4), rnd.randint(0, 4)],
              "pickup": [rnd.randint(0, 4), rnd.randint(0, 4)], "service_time": 5}
             for i in range(12)]
    return RoutingInstance.model_validate({
        "depots": [{"id": "D", "x": 50, "y": 50}],
        "vehicle_types": [{"id": "van", "count": 3, "capacity": [10, 10], "start_depot": "D",
                           "cost_per_hour": 20}],
        "stops": stops})


def test_tight_simultaneous_pickup_and_delivery_gets_a_plan() -> None:
    """PyVRP finds one; OR-Tools with must-serve stops made soft while searching does too
    (its plain model ends with ROUTING_FAIL)."""
    inst = _tight_pickup_delivery()
    plan = solve(inst, EXACT["pyvrp"])
    assert plan.solve.status == SolveStatus.FEASIBLE and plan.unserved == ()
    found: list[Found] = []
    reason = OrToolsModel(inst, soft=True).search(
        SearchSettings(first_solution="auto", time_limit=300.0, solution_limit=200),
        found.append)
    assert found, reason
    plan = finish_plan(inst, found[-1].sequences, SUMMARY)
    assert plan.unserved == () and check_plan(inst, plan).ok


def test_the_issue_generator_day_serves_every_stop() -> None:
    """`routing generate --stops 40 --window-share 1.0 --tightness 1.0 --returns 6 --seed 16`:
    C001 and C027 were declared impossible (route_limit) and the day infeasible."""
    inst = generate_day(40, 1, 16, 1.0, 1.0, 6)
    assert impossible_stops(inst) == {}
    plan = solve(inst, RoutingOptions(time_limit=None, solution_limit=200, isolate=False))
    mandatory = {s.id for s in inst.stops if s.drop_penalty is None}
    assert plan.solve.status == SolveStatus.FEASIBLE
    assert not mandatory & {u.stop for u in plan.unserved}


# -- breaks: one rule in the model, the plan and the checker --------------------------------

def _lunch_day(**vehicle: object) -> RoutingInstance:
    """Depot at 0, one stop 100 away (service 10), lunch of 30 starting in [50, 60]."""
    return RoutingInstance.model_validate({
        "depots": [{"id": "D", "x": 0.0, "y": 0.0}],
        "vehicle_types": [{"id": "van", "count": 1, "capacity": [5.0], "start_depot": "D",
                           "cost_per_hour": 3600.0, "cost_per_km": 0.0,
                           "breaks": [{"id": "lunch", "earliest": 50.0, "latest": 60.0,
                                       "duration": 30.0}], **vehicle}],
        "stops": [{"id": "a", "x": 100.0, "y": 0.0, "delivery": [1.0],
                   "service_time": 10.0}],
    })


def test_a_route_leaving_after_the_latest_start_takes_no_break() -> None:
    """Leaving at 60 needs no lunch and takes 210 (240 with it); the checker used to ask for
    the lunch of every route still running after 60."""
    inst = _lunch_day()
    plan = solve(inst, RoutingOptions(time_limit=None, solution_limit=5, isolate=False))
    (route,) = plan.routes
    assert route.start_time >= 60.0 and route.breaks == () and route.duration == 210.0
    assert check_plan(inst, plan).ok


def test_a_due_break_counts_in_the_maximum_duration() -> None:
    """Back by 250 forces leaving before 60, so lunch is due: 240 > the 230 allowed. No plan
    (OR-Tools used to put the lunch before the route started, and the plan failed the
    checker)."""
    inst = _lunch_day(shift_end=250.0, max_duration=230.0)
    plan = solve(inst, RoutingOptions(time_limit=None, solution_limit=5, isolate=False))
    assert plan.solve.status in (SolveStatus.NO_SOLUTION, SolveStatus.INFEASIBLE)
    assert plan.routes == ()


def test_max_duration_is_met_by_leaving_after_the_break_window() -> None:
    inst = _lunch_day(max_duration=215.0)
    plan = solve(inst, RoutingOptions(time_limit=None, solution_limit=5, isolate=False))
    (route,) = plan.routes
    assert route.duration <= 215.0 and route.breaks == ()
    assert check_plan(inst, plan).ok


def test_status_names_are_or_tools_own() -> None:
    assert status_name(1) == "ROUTING_SUCCESS"
    assert status_name(2) == "ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED"
    plan = solve(ISSUE_DAY, EXACT["ortools"])
    assert "ROUTING_" in plan.solve.stop_reason
