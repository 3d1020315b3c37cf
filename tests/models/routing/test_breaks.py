"""Driver breaks: placed by the plan, enforced by OR-Tools, verified by the checker."""

from __future__ import annotations

import math

import pytest

from models.routing import RoutePlan, RoutingInstance, check_plan
from models.routing.pyvrp_engine import unsupported
from models.routing.solve import RoutingOptions, solve
from models.solver import SolveStatus
from tests.models.routing.tiny import brute_force, tiny_instance

DETERMINISTIC = RoutingOptions(time_limit=None, solution_limit=100, isolate=False)
#: One stop: the first plan is the best; breaks make OR-Tools' later moves slow.
FIRST = RoutingOptions(time_limit=None, solution_limit=5, isolate=False)
#: An instance with a single feasible plan: never ask for a second.
ONLY_PLAN = RoutingOptions(time_limit=None, solution_limit=1, isolate=False)
LUNCH = {"id": "lunch", "earliest": 60.0, "latest": 120.0, "duration": 45.0}


def _with_break(inst: RoutingInstance, **vehicle: object) -> RoutingInstance:
    data = inst.model_dump()
    data["vehicle_types"][0]["breaks"] = [LUNCH]
    data["vehicle_types"][0].update(vehicle)
    return RoutingInstance.model_validate(data)


@pytest.mark.parametrize("seed", range(6))
def test_solver_matches_brute_force_with_a_break(seed: int) -> None:
    """Every assignment and order, each scheduled with its break and verified by the checker;
    with windows the break decides which orders are feasible."""
    inst = _with_break(tiny_instance(seed, windows=True))
    expected = brute_force(inst)
    plan = solve(inst, DETERMINISTIC)
    if expected is None:
        assert plan.solve.status in (SolveStatus.NO_SOLUTION, SolveStatus.INFEASIBLE)
        return
    assert math.isclose(plan.cost, expected, rel_tol=1e-9, abs_tol=1e-9)
    report = check_plan(inst, plan)
    assert report.ok, report.violations
    assert all(len(r.breaks) == (r.start_time < LUNCH["latest"] < r.end_time)
               for r in plan.routes)


def _one_stop(window: tuple[float, float], break_: dict,
              shift_end: float = 7 * 86400) -> RoutingInstance:
    """Depot at 0, one stop 100 away (service 10), one vehicle with one break."""
    return RoutingInstance.model_validate({
        "depots": [{"id": "D", "x": 0.0, "y": 0.0}],
        "vehicle_types": [{"id": "van", "count": 2, "capacity": [5.0], "start_depot": "D",
                           "shift_end": shift_end, "breaks": [break_]}],
        "stops": [{"id": "a", "x": 100.0, "y": 0.0, "delivery": [1.0], "service_time": 10.0,
                   "time_windows": [window]}],
    })


def test_break_is_taken_on_the_way_when_its_window_comes_first() -> None:
    """Break window [50, 60], back by 250: drive 60, rest 30, drive 40: arrival 130, back at
    240 (leaving at 60, after the window, would need no break but return at 270)."""
    inst = _one_stop((0.0, 1000.0), {"earliest": 50.0, "latest": 60.0, "duration": 30.0},
                     shift_end=250.0)
    plan = solve(inst, FIRST)
    (route,) = plan.routes
    assert (route.start_time, route.visits[0].arrival, route.end_time) == (0.0, 130.0, 240.0)
    assert [(b.start, b.end, b.leg) for b in route.breaks] == [(60.0, 90.0, 0)]
    assert check_plan(inst, plan).ok


def test_break_fills_the_wait_for_a_window() -> None:
    """The stop opens at 200 and the shift ends at 320: the rest is taken while waiting, the
    route leaves as late as it can (at 70: 80 of driving, rest 150-180, 20 more, serve at
    200) and the unused second vehicle takes no break."""
    inst = _one_stop((200.0, 300.0), {"earliest": 100.0, "latest": 150.0, "duration": 30.0},
                     shift_end=320.0)
    plan = solve(inst, FIRST)
    (route,) = plan.routes
    assert route.visits[0].start == 200.0
    assert math.isclose(route.start_time, 70.0, abs_tol=1e-5)
    assert [(b.start, b.leg) for b in route.breaks] == [(150.0, 0)]
    assert route.end_time == 310.0
    assert check_plan(inst, plan).ok


def test_a_break_that_cannot_fit_leaves_the_stop_unserved() -> None:
    """The stop must be served at 100-110 and the 30-second rest must start in [90, 100]:
    it would overlap the drive there (arrival 130) or the service; no plan exists."""
    inst = _one_stop((100.0, 110.0), {"earliest": 90.0, "latest": 100.0, "duration": 30.0})
    plan = solve(inst, FIRST)
    assert plan.solve.status in (SolveStatus.NO_SOLUTION, SolveStatus.INFEASIBLE)


def test_breaks_go_to_or_tools() -> None:
    inst = _one_stop((0.0, 1000.0), {"earliest": 50.0, "latest": 60.0, "duration": 30.0})
    assert unsupported(inst) == "driver breaks"


@pytest.fixture(scope="module")
def solved() -> tuple[RoutingInstance, RoutePlan]:
    inst = _one_stop((0.0, 1000.0), {"earliest": 50.0, "latest": 60.0, "duration": 30.0},
                     shift_end=250.0)
    plan = solve(inst, FIRST)
    assert check_plan(inst, plan).ok
    return inst, plan


def _with_breaks(plan: RoutePlan, breaks: tuple) -> RoutePlan:
    route = plan.routes[0].model_copy(update={"breaks": breaks})
    return plan.model_copy(update={"routes": (route,)})


def test_checker_wants_every_break(solved) -> None:
    inst, plan = solved
    assert "break" in check_plan(inst, _with_breaks(plan, ())).rules()


def test_checker_catches_a_break_outside_its_window(solved) -> None:
    inst, plan = solved
    b = plan.routes[0].breaks[0]
    moved = (b.model_copy(update={"start": 70.0, "end": 100.0}),)
    assert check_plan(inst, _with_breaks(plan, moved)).rules() == {"break"}


def test_checker_catches_a_break_overlapping_service(solved) -> None:
    inst, plan = solved
    b = plan.routes[0].breaks[0]
    on_the_way_back = (b.model_copy(update={"leg": 1}),)  # 60 is before leaving the stop
    assert "break" in check_plan(inst, _with_breaks(plan, on_the_way_back)).rules()


def test_checker_recomputes_arrival_after_a_break(solved) -> None:
    inst, plan = solved
    r = plan.routes[0]
    early = (r.visits[0].model_copy(update={"arrival": 100.0}),)  # as if no rest was taken
    route = r.model_copy(update={"visits": early})
    assert "arrival" in check_plan(inst, plan.model_copy(update={"routes": (route,)})).rules()


def test_a_route_back_before_the_latest_start_needs_no_break() -> None:
    """Back at 210 with a break window [300, 400]: no break, no waiting for it; the checker
    accepts it, and flags the same plan once the window moves before the return."""
    inst = _one_stop((0.0, 1000.0), {"earliest": 300.0, "latest": 400.0, "duration": 30.0})
    plan = solve(inst, FIRST)
    (route,) = plan.routes
    assert route.breaks == () and route.end_time - route.start_time == 210.0
    assert check_plan(inst, plan).ok
    earlier = _one_stop((0.0, 1000.0), {"earliest": 100.0, "latest": 200.0, "duration": 30.0})
    assert check_plan(earlier, plan).rules() == {"break"}


def test_unserved_reason_counts_the_break() -> None:
    """Serving b too would take 220.5 s of driving and service plus the 30 s rest: past the
    shift end of 250. Without the rest it would fit, so the reason must not be
    'dropped_by_search'."""
    inst = RoutingInstance.model_validate({
        "depots": [{"id": "D", "x": 0.0, "y": 0.0}],
        "vehicle_types": [{"id": "van", "count": 1, "capacity": [5.0], "start_depot": "D",
                           "shift_end": 250.0, "breaks": [
                               {"earliest": 50.0, "latest": 60.0, "duration": 30.0}]}],
        "stops": [{"id": "a", "x": 100.0, "y": 0.0, "delivery": [1.0], "service_time": 10.0},
                  {"id": "b", "x": 100.0, "y": 10.0, "delivery": [1.0],
                   "drop_penalty": 1e9}],
    })
    plan = solve(inst, ONLY_PLAN)
    assert [v.stop for v in plan.routes[0].visits] == ["a"]
    assert [(u.stop, u.reason) for u in plan.unserved] == [("b", "no_feasible_insertion")]
    assert check_plan(inst, plan).ok
