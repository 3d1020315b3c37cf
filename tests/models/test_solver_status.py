"""Status honesty: OPTIMAL only when proven; time-limited incumbents are FEASIBLE."""

from __future__ import annotations

import pytest

from models.solver import SolverOptions, SolveStatus, _classify, relative_gap


def test_relative_gap() -> None:
    assert relative_gap(110.0, 100.0) == pytest.approx(10 / 110)
    assert relative_gap(100.0, None) is None
    assert relative_gap(100.0, float("-inf")) is None


def test_limit_hit_is_feasible_even_with_closed_gap() -> None:
    status, reason, _ = _classify(True, 100.0, 100.0, limit_hit=True)
    assert status == SolveStatus.FEASIBLE
    assert "limit" in reason


def test_gap_tolerance_is_feasible() -> None:
    status, _, gap = _classify(True, 101.0, 100.0, limit_hit=False)
    assert status == SolveStatus.FEASIBLE
    assert gap == pytest.approx(1 / 101)


def test_closed_gap_is_optimal() -> None:
    assert _classify(True, 100.0, 100.0, limit_hit=False)[0] == SolveStatus.OPTIMAL


def test_no_incumbent() -> None:
    assert _classify(False, None, 90.0, limit_hit=True)[0] == SolveStatus.NO_SOLUTION


@pytest.mark.parametrize("bad", [{"solver": "gurobi"}, {"gap": 1.5}, {"time_limit": 0},
                                 {"threads": 0}])
def test_options_are_validated(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        SolverOptions(**bad)  # type: ignore[arg-type]


def test_thread_count_can_change_between_solves_in_one_process() -> None:
    """HiGHS refuses a new thread count once its scheduler exists; run_pulp resets it."""
    from models.sourcing import generate_instance, solve

    inst = generate_instance(6, 8, seed=5)
    first = solve(inst)
    for threads in (1, 2, None):
        again = solve(inst, SolverOptions(threads=threads))
        assert again.solve.status == SolveStatus.OPTIMAL
        assert again.solve.objective == pytest.approx(first.solve.objective, rel=1e-9)


def test_cbc_cut_short_in_preprocessing_proves_nothing() -> None:
    """CBC at 0.001 s stops in preprocessing and says 'infeasible or unbounded' though the LP
    relaxation is feasible; it was reported as proven infeasible (exit 3) on a feasible
    instance that CBC solves given half a second."""
    from pathlib import Path

    from models.sourcing import SourcingInstance, solve

    shipped = Path(__file__).resolve().parents[2] / "instances" / "sourcing"
    inst = SourcingInstance.model_validate_json((shipped / "generated-20x50.json").read_text())
    plan = solve(inst, SolverOptions(solver="cbc", time_limit=0.001))
    assert plan.solve.status in (SolveStatus.NO_SOLUTION, SolveStatus.FEASIBLE)
