"""The routing portfolio: members per engine, reproducible with limits, best plan kept."""

from __future__ import annotations

from models.routing import check_plan
from models.routing.solve import RoutingOptions, plan_key
from optimizer.routing_portfolio import members, solve_portfolio
from tests.models.routing.tiny import tiny_instance

LIMITED = RoutingOptions(time_limit=None, solution_limit=200)


def test_members_follow_the_engine_choice() -> None:
    """auto: both engines on a day with fixed costs; PyVRP seeds on a distance-only one."""
    inst = tiny_instance(2, stops=6)
    assert inst.vehicle_types[0].fixed_cost > 0
    assert [m.label for m in members(inst, LIMITED, 2)] == ["pyvrp seed 0",
                                                            "ortools auto/gls seed 0"]
    data = inst.model_dump()
    data["vehicle_types"][0]["fixed_cost"] = 0.0
    plain = type(inst).model_validate(data)
    assert [m.label for m in members(plain, LIMITED, 2)] == ["pyvrp seed 0", "pyvrp seed 1"]
    forced = RoutingOptions(time_limit=None, solution_limit=10, engine="ortools")
    labels = [m.label for m in members(inst, forced, 3)]
    assert labels == ["ortools auto/gls seed 0", "ortools savings/gls seed 1",
                      "ortools parallel_insertion/tabu seed 2"]


def test_portfolio_with_limits_is_reproducible_and_keeps_the_best() -> None:
    inst = tiny_instance(9, stops=7, vehicles=3, windows=True)
    first = solve_portfolio(inst, LIMITED, workers=2)
    second = solve_portfolio(inst, LIMITED, workers=2)
    assert first.routes == second.routes
    assert check_plan(inst, first).ok
    assert all(m.label in first.solve.portfolio for m in members(inst, LIMITED, 2))
    single = solve_portfolio(inst, LIMITED, workers=1)
    assert plan_key(inst, first) <= plan_key(inst, single)


def test_no_plan_with_a_proven_impossible_stop_is_infeasible_not_no_solution(
        monkeypatch) -> None:
    """When every search ends without a plan (a short time limit on a loaded machine) and a
    must-serve stop is proven impossible, the answer is infeasible (exit 3) with the reason,
    as solve() says, not no_solution (exit 4)."""
    import optimizer.routing_portfolio as portfolio
    from models.solver import SolveStatus

    inst = tiny_instance(3, stops=4)
    data = inst.model_dump()
    data["depots"][0]["close"] = 36000
    data["stops"][0]["time_windows"] = [{"start": 40000, "end": 41000}]
    data["stops"][0]["drop_penalty"] = None
    late = type(inst).model_validate(data)
    monkeypatch.setattr(portfolio, "search", lambda *args, **kwargs: (None, "time limit", 1.0))
    plan = solve_portfolio(late, LIMITED, workers=2)
    assert plan.solve.status == SolveStatus.INFEASIBLE
    assert late.stops[0].id in plan.solve.stop_reason
    # the proven reason is in the plan (unserved.csv), and every vehicle is unused
    assert [(u.stop, u.reason) for u in plan.unserved] == [(late.stops[0].id, "time_window")]
    assert len(plan.unused_vehicles) == sum(vt.count for vt in late.vehicle_types)


def test_the_cli_exits_3_with_the_reason_when_no_search_found_a_plan(
        monkeypatch, tmp_path, capsys) -> None:
    """It exited 0 with no routes and an empty unserved.csv (a newcomer's 1 s run)."""
    import json

    import pandas as pd

    import optimizer.routing_portfolio as portfolio
    from optimizer.cli import main

    data = tiny_instance(3, stops=4).model_dump(mode="json")
    data["depots"][0]["close"] = 36000
    data["stops"][0]["time_windows"] = [{"start": 40000, "end": 41000}]
    data["stops"][0]["drop_penalty"] = None
    path = tmp_path / "late.json"
    path.write_text(json.dumps(data))
    monkeypatch.setattr(portfolio, "search", lambda *args, **kwargs: (None, "time limit", 1.0))
    out = tmp_path / "plan"
    assert main(["routing", "solve", str(path), "--out", str(out), "--time-limit", "1"]) == 3
    unserved = pd.read_csv(out / "unserved.csv")
    assert list(unserved["stop"]) == [data["stops"][0]["id"]]
    assert list(unserved["reason"]) == ["time_window"]
