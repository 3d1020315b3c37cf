"""A fleet too small for the stops that must be served is proven infeasible before any search
(it came back as no_solution, cost 0, nothing unserved, exit 4: 'try longer')."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.routing import RoutingOptions, solve
from models.routing.explain import fleet_shortfall
from models.solver import SolveStatus
from optimizer.cli import main
from tests.models.routing.tiny import brute_force, tiny_instance

OPTIONS = RoutingOptions(time_limit=None, solution_limit=50)


def _with_deliveries(amounts: list[float], penalty: float | None = None):
    inst = tiny_instance(1, stops=len(amounts), vehicles=2)  # two vans of 10
    data = inst.model_dump()
    for stop, amount in zip(data["stops"], amounts, strict=True):
        stop["delivery"] = [amount]
        stop["drop_penalty"] = penalty
    return type(inst).model_validate(data)


def test_total_demand_above_the_fleet_is_infeasible_with_the_numbers() -> None:
    inst = _with_deliveries([6, 6, 6, 3])  # 21 > 2 x 10, each stop fits a van
    assert brute_force(inst) is None       # enumeration agrees: no plan serves them all
    why = fleet_shortfall(inst)
    assert why is not None and "21" in why and "20" in why
    plan = solve(inst, OPTIONS)
    assert plan.solve.status == SolveStatus.INFEASIBLE
    assert plan.solve.stop_reason == why
    assert plan.routes == () and len(plan.unused_vehicles) == 2


@pytest.mark.parametrize(("amounts", "penalty"), [([5, 5, 5, 5], None), ([6, 6, 6, 3], 100.0)])
def test_no_shortfall_when_it_fits_or_stops_may_be_dropped(amounts: list[float],
                                                           penalty: float | None) -> None:
    """20 = 2 x 10 fits exactly; with drop penalties the stops need not all be served."""
    inst = _with_deliveries(amounts, penalty)
    assert fleet_shortfall(inst) is None
    assert solve(inst, OPTIONS).solve.status == SolveStatus.FEASIBLE


def test_the_cli_exits_3_and_says_why(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "day.json"
    path.write_text(json.dumps(_with_deliveries([6, 6, 6, 3]).model_dump(mode="json")))
    assert main(["routing", "solve", str(path), "--time-limit", "5"]) == 3
    out = capsys.readouterr().out
    assert "fleet carries 20" in out.replace("\n", " ") and "no plan" in out


def test_a_stop_proven_impossible_alone_is_left_out_of_the_totals() -> None:
    """A stop no vehicle can carry is explained on its own (capacity) and the others are still
    served; it does not make the whole day a fleet shortfall."""
    inst = _with_deliveries([12, 6, 6])   # 24 > 2 x 10, but 12 > 10 alone: c0 is impossible
    assert fleet_shortfall(inst) is not None
    assert fleet_shortfall(inst, {inst.stops[0].id}) is None
    plan = solve(inst, OPTIONS)
    assert [u.reason for u in plan.unserved] == ["capacity"]
    assert len([v for r in plan.routes for v in r.visits]) == 2
