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


def test_engine_choice_says_what_happened_whether_or_not_a_plan_was_found() -> None:
    """With --engine auto it said "both engines ran; the cheaper checked plan won" also when no
    engine found a plan, and when OR-Tools ran only after PyVRP had found nothing."""
    from optimizer.routing_portfolio import Member, engine_choice

    inst = tiny_instance(2, stops=6)  # fixed costs: auto runs both engines with two workers
    auto = RoutingOptions(time_limit=1.0)
    pair = members(inst, auto, 2)
    one = members(inst, auto, 1)
    assert [m.engine for m in pair] == ["pyvrp", "ortools"] and [m.engine for m in one] == [
        "pyvrp"]
    assert engine_choice(inst, auto, pair, True) == (
        "auto: both engines ran at once; the cheaper checked plan won")
    assert engine_choice(inst, auto, pair, False) == (
        "auto: both engines ran at once; neither engine found a plan")
    assert engine_choice(inst, auto, one, True) == (
        "auto: PyVRP (one worker; OR-Tools runs only if PyVRP finds no plan)")
    turn = Member("ortools", "auto", "gls", 0)
    assert engine_choice(inst, auto, one, False, (turn, True)) == (
        "auto: PyVRP (one worker); PyVRP found no plan in its time limit, so OR-Tools got its "
        "turn (a time limit of its own): its plan is the answer")
    assert engine_choice(inst, auto, one, False, (turn, False)) == (
        "auto: PyVRP (one worker); PyVRP found no plan in its time limit, so OR-Tools got its "
        "turn (a time limit of its own): it found no plan either")
    forced = RoutingOptions(time_limit=1.0, engine="ortools")
    assert engine_choice(inst, forced, members(inst, forced, 1), False) == (
        "--engine ortools; no plan found")


def test_a_portfolio_of_both_engines_says_the_cheaper_plan_won() -> None:
    inst = tiny_instance(2, stops=6)
    plan = solve_portfolio(inst, LIMITED, workers=2)
    assert plan.routes and check_plan(inst, plan).ok
    assert plan.solve.engine_choice == (
        "auto: both engines ran at once; the cheaper checked plan won")
    assert plan.solve.seconds >= 0
