"""The frontier pipeline: worker processes give the same frontier as one process."""

from __future__ import annotations

from models.sourcing import Measure, SolverOptions, generate_instance
from optimizer.frontier import trace_frontier


def test_two_workers_give_the_same_points_as_one() -> None:
    inst = generate_instance(6, 8, seed=5)
    options = SolverOptions(threads=1)
    calls: list[str] = []
    one = trace_frontier(inst, Measure.MAX_SHARE, 4, options, workers=1)
    two = trace_frontier(inst, Measure.MAX_SHARE, 4, options, workers=2, on_solve=calls.append)
    assert len(calls) == 4 + 1  # two extremes, then three caps
    assert [(p.epsilon, p.cost, p.status) for p in one.points] == [
        (p.epsilon, p.cost, p.status) for p in two.points]
    assert sorted(one.plans) == [0, 1, 2, 3]
    assert all(p.cap_met for p in two.points)
    efficient = two.efficient
    assert [p.measure for p in efficient] == sorted(p.measure for p in efficient)

