"""Large network MILPs: LP bound, an LP-guided restricted MIP for the plan, then the full MIP.

On a network of 50 DCs x 2,000 customers x 20 products HiGHS spends its whole budget at the
root of the full MIP without finding a plan, while the LP relaxation's bound is already within
a few hundredths of a percent of the optimum. So, for models with many binaries:

1. Solve the LP relaxation: a valid lower bound (and, if infeasible, a proof of infeasibility).
2. Restrict the MIP to the DC sizes and assignments the LP uses (every other one fixed at 0)
   and solve it: a plan, usually the optimum or very close to it.
3. If that plan is within the requested gap of the LP bound, stop: the gap is proven by the LP.
   Otherwise solve the full MIP warm-started from the plan for the time left; its bound and the
   LP bound both hold, and the better plan is kept.

Measured on the generated 100 x 50 x 2,000 x 20 networks (benchmarks/studies/network-scale.md).
"""

from __future__ import annotations

import time
from dataclasses import replace

import pulp

from models.network.formulation import NetworkModel
from models.solver import (
    PROVEN_ABS_GAP,
    PROVEN_GAP,
    SolveInfo,
    SolverOptions,
    SolveStatus,
    relative_gap,
    run_pulp,
    was_interrupted,
)

#: The full MIP is solved directly below this many integer variables.
MIN_INTEGER_VARIABLES = 3000
#: An LP value above this keeps a binary in the restricted MIP.
SUPPORT = 1e-6
#: Share of the time left that the restricted MIP may use.
RESTRICTED_TIME_SHARE = 0.5


def _left(options: SolverOptions, start: float) -> float | None:
    if options.time_limit is None:
        return None
    return max(options.time_limit - (time.perf_counter() - start), 0.01)


def _proven(objective: float, bound: float, gap: float) -> bool:
    closed = relative_gap(objective, bound)
    return closed is not None and (closed <= max(gap, PROVEN_GAP)
                                   or objective - bound <= PROVEN_ABS_GAP)


def solve_lp_guided(model: NetworkModel, options: SolverOptions) -> SolveInfo:
    """Solve ``model.problem`` as described in the module docstring; the variables hold the
    best plan found when the result has a solution."""
    start = time.perf_counter()
    problem = model.problem
    integers = [v for v in problem.variables() if v.cat == pulp.LpInteger]
    try:
        for v in integers:
            v.cat = pulp.LpContinuous
        lp = run_pulp(problem, replace(options, gap=0.0, warm_start=False,
                                       time_limit=_left(options, start)))
    finally:
        for v in integers:
            v.cat = pulp.LpInteger
    if lp.status == SolveStatus.INFEASIBLE:
        return replace(lp, stop_reason="proven infeasible (LP relaxation)",
                       solve_seconds=time.perf_counter() - start)
    if lp.status != SolveStatus.OPTIMAL or lp.objective is None:
        return _full(problem, options, start, None, None)  # no bound yet: plain MIP
    bound = lp.objective
    guided = [*model.sizes.values(), *model.assign.values()]
    saved = {v: v.upBound for v in guided}
    try:
        for v in guided:
            if (v.varValue or 0.0) <= SUPPORT:
                v.upBound = 0
        left = _left(options, start)
        restricted = run_pulp(problem, replace(
            options, warm_start=False,
            time_limit=None if left is None else max(left * RESTRICTED_TIME_SHARE, 0.01)))
    finally:
        for v, upper in saved.items():
            v.upBound = upper
    if not restricted.status.has_solution:
        return _full(problem, options, start, bound, None)
    values = {v: v.varValue for v in problem.variables()}
    objective = float(restricted.objective)
    if was_interrupted(restricted.stop_reason):
        return _result(restricted.stop_reason, objective, bound, start, limit_hit=True)
    if _proven(objective, bound, options.gap):
        return _result("the LP-guided plan is within the gap of the LP bound", objective,
                       bound, start)
    return _full(problem, options, start, bound, (objective, values))


def _full(problem: pulp.LpProblem, options: SolverOptions, start: float,
          lp_bound: float | None,
          incumbent: tuple[float, dict[pulp.LpVariable, float | None]] | None) -> SolveInfo:
    """The full MIP for the time left, warm-started from ``incumbent``; the better plan and
    the better bound of this run and the earlier steps."""
    info = run_pulp(problem, replace(options, warm_start=incumbent is not None,
                                     time_limit=_left(options, start)))
    if info.status in (SolveStatus.INFEASIBLE, SolveStatus.UNBOUNDED) and incumbent is None:
        return replace(info, solve_seconds=time.perf_counter() - start)
    objective = info.objective if info.status.has_solution else None
    if incumbent is not None and (objective is None or incumbent[0] < objective - 1e-9):
        objective = incumbent[0]
        for v, value in incumbent[1].items():
            v.varValue = value
    if objective is None:
        known = [b for b in (info.best_bound, lp_bound) if b is not None]
        return replace(info, best_bound=max(known) if known else None,
                       solve_seconds=time.perf_counter() - start)
    bounds = [b for b in (info.best_bound, lp_bound) if b is not None]
    bound = max(bounds) if bounds else None
    limit_hit = info.status != SolveStatus.OPTIMAL
    reason = info.stop_reason if limit_hit else "optimality proven"
    return _result(reason, objective, bound, start, limit_hit=limit_hit
                   and not (bound is not None and _proven(objective, bound, options.gap)))


def _result(reason: str, objective: float, bound: float | None, start: float,
            limit_hit: bool = False) -> SolveInfo:
    gap = relative_gap(objective, bound)
    optimal = bound is not None and _proven(objective, bound, 0.0) and not limit_hit
    status = SolveStatus.OPTIMAL if optimal else SolveStatus.FEASIBLE
    if optimal:
        reason = "optimality proven"
    return SolveInfo(status, reason, objective, min(bound, objective) if bound is not None
                     else None, gap, "highs", time.perf_counter() - start)
