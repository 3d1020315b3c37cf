"""The PyVRP engine's data (load units, working fleet), its reports while searching, and the
exchange of solutions between searches."""

from __future__ import annotations

import math

import pytest

from models.routing import Found, RoutingInstance, RoutingSummary, assemble_plan, check_plan
from models.routing.pyvrp_engine import build_data, load_units, search_pyvrp, working_fleet
from models.solver import SolveStatus
from optimizer.routing_portfolio import Exchange
from tests.models.routing.tiny import brute_force, tiny_instance


def _cvrp(demands: list[float], capacity: float = 10.0, count: int = 20,
          **vehicle: object) -> RoutingInstance:
    """Stops on a circle around one depot, one vehicle type, distance costs only."""
    stops = [{"id": f"s{i}", "x": 50 + 40 * math.cos(i), "y": 50 + 40 * math.sin(i),
              "delivery": [d]} for i, d in enumerate(demands)]
    return RoutingInstance.model_validate({
        "name": "cvrp", "depots": [{"id": "D", "x": 50.0, "y": 50.0}],
        "vehicle_types": [{"id": "van", "count": count, "capacity": [capacity],
                           "start_depot": "D", "cost_per_km": 1000.0, **vehicle}],
        "stops": stops})


@pytest.mark.parametrize(("demands", "units"), [
    ([1.0, 7.0, 3.0], 1), ([2.5, 1.0], 10), ([0.25, 1.5], 100), ([0.125], 1000),
    ([1 / 3], 1000)])
def test_amounts_go_to_pyvrp_in_the_coarsest_whole_unit(demands: list[float],
                                                         units: int) -> None:
    inst = _cvrp(demands)
    assert load_units(inst) == [units]
    data = build_data(inst).data
    assert data.vehicle_type(0).capacity == [math.floor(10.0 * units)]


def test_working_fleet_is_a_packing_plus_slack_on_capacity_only_instances() -> None:
    # first fit decreasing packs 6+4 three times: 3 vehicles, plus max(3, 20 %) = 6
    inst = _cvrp([6, 6, 6, 4, 4, 4])
    assert working_fleet(inst, longest_leg=100) == {"van": 6}
    assert build_data(inst).data.num_vehicles == 6
    assert build_data(inst, working=False).data.num_vehicles == 20
    assert working_fleet(_cvrp([6, 6, 6, 4, 4, 4], count=4), longest_leg=100) == {"van": 4}
    # 30 stops of 3 in vehicles of 10: 10 vehicles, plus 3
    assert working_fleet(_cvrp([3.0] * 30, count=40), longest_leg=100) == {"van": 13}


@pytest.mark.parametrize("change", [
    {"fixed_cost": 5.0}, {"cost_per_hour": 20.0}, {"max_distance": 500.0},
    {"max_duration": 3600.0}, {"shift_end": 300.0}])
def test_no_working_fleet_where_more_than_capacity_limits_a_route(change: dict) -> None:
    # a 300 s shift could end a route whose 4 legs take up to 10**5 s each
    assert working_fleet(_cvrp([6, 6, 4], **change), longest_leg=10**5) == {}


def test_no_working_fleet_with_windows_or_a_stop_no_vehicle_carries() -> None:
    windowed = _cvrp([6, 6, 4]).model_dump()
    windowed["stops"][0]["time_windows"] = [[0.0, 100.0]]
    assert working_fleet(RoutingInstance.model_validate(windowed), longest_leg=100) == {}
    assert working_fleet(_cvrp([6, 12, 4]), longest_leg=100) == {}


@pytest.mark.parametrize("seed", range(4))
def test_pyvrp_on_the_working_fleet_finds_the_brute_force_optimum(seed: int) -> None:
    data = tiny_instance(seed, stops=5, vehicles=4).model_dump()
    data["vehicle_types"][0]["fixed_cost"] = 0.0  # capacity-only: the working fleet applies
    inst = RoutingInstance.model_validate(data)
    assert working_fleet(inst, longest_leg=10**6)
    expected = brute_force(inst)
    found: list[Found] = []
    search_pyvrp(inst, None, 0, found.append, iterations=2000)
    plan = assemble_plan(inst, found[-1].sequences,
                         RoutingSummary(status=SolveStatus.FEASIBLE, engine="pyvrp",
                                        stop_reason=""))
    assert check_plan(inst, plan).ok
    assert expected is not None and math.isclose(plan.cost, expected, abs_tol=1e-6)


def test_a_running_search_reports_improvements_and_ends_with_its_best() -> None:
    inst = _cvrp([float(1 + i % 5) for i in range(40)])
    found: list[Found] = []
    reason = search_pyvrp(inst, None, 3, found.append, iterations=3000, report_every=0.0)
    assert reason.startswith("PyVRP finished (3000 iterations")
    assert len(found) > 1
    costs = [f.objective for f in found]
    assert costs == sorted(costs, reverse=True) and len(set(costs)) == len(costs)


def test_a_search_takes_a_better_solution_handed_in_and_keeps_at_least_it() -> None:
    inst = _cvrp([float(1 + i % 5) for i in range(60)])
    good: list[Found] = []
    search_pyvrp(inst, None, 1, good.append, iterations=4000)
    handed = [good[-1]]
    mine: list[Found] = []
    reason = search_pyvrp(inst, None, 2, mine.append, iterations=20,
                          inbox=lambda: handed.pop() if handed else None)
    assert "1 solution(s) taken from the others" in reason
    assert mine[-1].objective <= good[-1].objective


def test_exchange_passes_a_better_best_on_at_most_every_interval() -> None:
    exchange = Exchange(every=3600.0)
    take0, take1 = exchange.outbox(0), exchange.outbox(1)
    assert take0() is None and take1() is None  # nothing found yet
    exchange.offer(1, Found(100, ()))
    exchange.offer(0, Found(90, (("van", 0, ("a",)),)))
    assert take0() is None  # its own is the best
    given = take1()
    assert given is not None and given.objective == 90
    exchange.offer(0, Found(80, ()))
    assert take1() is None  # not again within the interval
    exchange.offer(1, Found(70, ()))
    assert take0() is not None and take0() is None
