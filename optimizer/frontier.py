"""The cost-vs-diversification frontier: extremes, epsilon grid, parallel points, dominance.

Two extreme solves first (the cost-optimal plan and the least value of the measure), in
parallel; then ``points - 1`` capped solves between them, in parallel. Every point's plan passed
the independent checker (a point whose plan fails it is reported with status ``check_failed``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from models.solver import SolverOptions, SolveStatus
from models.sourcing import (
    FrontierPoint,
    Measure,
    PlanCheckError,
    SourcingInstance,
    SourcingPlan,
    cap_met,
    epsilon_grid,
    least_measure,
    mark_dominated,
    measure_of,
    point_cost,
    solve_point,
)
from optimizer.executor import Executor, LocalExecutor


@dataclass
class Frontier:
    """The traced frontier: its points (in cap order) and their checked plans."""

    instance: str
    measure: Measure
    points: list[FrontierPoint]
    plans: dict[int, SourcingPlan] = field(default_factory=dict)
    least: float | None = None
    least_status: SolveStatus | None = None
    seconds: float = 0.0
    workers: int = 1

    @property
    def efficient(self) -> list[FrontierPoint]:
        """Non-dominated solved points, by increasing measure."""
        return sorted((p for p in self.points if not p.dominated),
                      key=lambda p: p.measure if p.measure is not None else 0.0)

    @property
    def knee(self) -> int | None:
        """Index of the knee point: see :func:`knee_index`."""
        return knee_index(self.efficient)


#: Distance to the chord (axes scaled to [0, 1]) below which a frontier counts as straight.
KNEE_MIN = 0.05


def knee_index(efficient: Sequence[FrontierPoint]) -> int | None:
    """The knee of an efficient frontier: the point farthest from the chord joining its two
    ends, both axes scaled to [0, 1] by their ranges (the "maximum distance to the chord" rule
    of the knee literature, e.g. Kneedle). Beyond it, each step of diversification costs more
    than the frontier's average rate. None with fewer than 3 points, or when every inner point
    lies within :data:`KNEE_MIN` of the chord (a nearly straight frontier has no knee)."""
    points = [p for p in efficient if p.measure is not None and p.cost is not None]
    if len(points) < 3:
        return None
    xs = [float(p.measure) for p in points]  # type: ignore[arg-type]
    ys = [float(p.cost) for p in points]  # type: ignore[arg-type]
    dx, dy = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    u = [(x - min(xs)) / dx for x in xs]
    v = [(y - min(ys)) / dy for y in ys]
    (x0, y0), (x1, y1) = (u[0], v[0]), (u[-1], v[-1])
    length = math.hypot(x1 - x0, y1 - y0)
    if length == 0:
        return None
    best, best_distance = None, KNEE_MIN
    for i in range(1, len(points) - 1):
        distance = abs((x1 - x0) * (y0 - v[i]) - (x0 - u[i]) * (y1 - y0)) / length
        if distance > best_distance:
            best, best_distance = points[i].index, distance
    return best


def _point_task(
    instance: SourcingInstance, measure: Measure, epsilon: float | None, options: SolverOptions
) -> tuple[SourcingPlan | None, float, str]:
    start = time.perf_counter()
    try:
        plan = solve_point(instance, measure, epsilon, options)
    except PlanCheckError as exc:
        return None, time.perf_counter() - start, str(exc)
    return plan, time.perf_counter() - start, ""


def _least_task(
    instance: SourcingInstance, measure: Measure, options: SolverOptions
) -> tuple[float | None, SolveStatus, float]:
    start = time.perf_counter()
    value, status = least_measure(instance, measure, options)
    return value, status, time.perf_counter() - start


def trace_frontier(
    instance: SourcingInstance,
    measure: Measure,
    points: int = 10,
    options: SolverOptions | None = None,
    workers: int = 1,
    on_solve: Callable[[str], None] | None = None,
    caps: Sequence[float] | None = None,
    executor: Executor | None = None,
) -> Frontier:
    """Trace ``points`` frontier points (the cost-optimal plan and ``points - 1`` caps down to
    the least reachable value), or, with ``caps``, the cost-optimal plan and one point per cap
    given (in the measure's unit, traced from the loosest; ``points`` is then ignored).
    ``on_solve(description)`` is called after each solve. The solves run on ``executor`` (a
    local pool or a Dask cluster, entered and closed here), else on ``workers`` local
    processes."""
    if caps is not None:
        if not caps or any(not math.isfinite(c) or c <= 0 for c in caps):
            raise ValueError("caps must be positive numbers")
        caps = sorted(set(caps), reverse=True)
    elif points < 2:
        raise ValueError("a frontier needs at least 2 points")
    if measure == Measure.CVAR and not instance.scenarios:
        raise ValueError("the cvar measure needs scenarios in the instance")
    options = options or SolverOptions()
    start = time.perf_counter()
    notify = on_solve or (lambda _text: None)
    pool = executor if executor is not None else LocalExecutor(workers)
    frontier = Frontier(instance.name, measure, [], workers=pool.workers)
    with pool:
        frontier.workers = pool.workers  # a cluster's, known once connected
        first = pool.map(_first_task, [("point", instance, measure, options),
                                       ("least", instance, measure, options)],
                         lambda i, _r: notify("cost-optimal plan" if i == 0 else
                                              "least measure"))
        (plan, seconds, error), (least, least_status, _s) = first[0], first[1]
        frontier.least, frontier.least_status = least, least_status
        frontier.points.append(_point(instance, measure, 0, None, plan, seconds, error))
        if plan is not None and plan.solve.status.has_solution:
            frontier.plans[0] = plan
        if plan is None or not plan.solve.status.has_solution or least is None:
            frontier.seconds = time.perf_counter() - start
            return frontier
        high = measure_of(instance, plan, measure)
        grid = list(caps) if caps is not None else epsilon_grid(high, least, points)
        results = pool.map(_point_task, [(instance, measure, eps, options) for eps in grid],
                           lambda i, _r: notify(f"cap {grid[i]:.6g}"))
    for i, (eps, (p, seconds, error)) in enumerate(zip(grid, results, strict=True), start=1):
        frontier.points.append(_point(instance, measure, i, eps, p, seconds, error))
        if p is not None and p.solve.status.has_solution:
            frontier.plans[i] = p
    frontier.points = mark_dominated(frontier.points)
    frontier.seconds = time.perf_counter() - start
    return frontier


def _first_task(kind: str, instance: SourcingInstance, measure: Measure,
                options: SolverOptions) -> tuple:
    if kind == "point":
        return _point_task(instance, measure, None, options)
    return _least_task(instance, measure, options)


def _point(
    instance: SourcingInstance, measure: Measure, index: int, epsilon: float | None,
    plan: SourcingPlan | None, seconds: float, error: str,
) -> FrontierPoint:
    if plan is None:
        return FrontierPoint(index=index, epsilon=epsilon, status=SolveStatus.NO_SOLUTION,
                             seconds=round(seconds, 3), dominated=True, cap_met=False,
                             note=f"check failed: {error}")
    if not plan.solve.status.has_solution:
        return FrontierPoint(index=index, epsilon=epsilon, status=plan.solve.status,
                             seconds=round(seconds, 3), dominated=True)
    return FrontierPoint(
        index=index, epsilon=epsilon, status=plan.solve.status,
        cost=point_cost(plan, measure), measure=measure_of(instance, plan, measure),
        gap=plan.solve.gap, suppliers_used=len(plan.suppliers), seconds=round(seconds, 3),
        cap_met=cap_met(instance, plan, measure, epsilon),
    )
