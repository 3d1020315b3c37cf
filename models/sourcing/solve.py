"""``solve()``: instance in, checked plan out."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from models.solver import SolveInfo, SolverOptions, SolveStatus, relative_gap, run_pulp
from models.sourcing.checker import CheckReport, check_plan
from models.sourcing.data import SourcingInstance
from models.sourcing.explain import explain_infeasibility
from models.sourcing.formulation import SourcingModel, bought_quantities, build_model
from models.sourcing.plan import SolveSummary, SourcingPlan, assemble_plan

#: Under a time limit, a round without all minimum-supplier rows gets this share of the time
#: left; the rest is the reserve for the full model if its best plan breaks the rule.
LAZY_TIME_SHARE = 0.9
#: When more than this share of the pending products break their minimum-supplier rule, the
#: rows of all of them are added at once (saves rounds when the rule binds widely).
LAZY_ALL_SHARE = 0.25
#: With CVaR in the objective, the expected-cost warm-up solve gets this share of the time
#: limit and stops at this gap.
WARM_TIME_SHARE = 0.5
WARM_GAP = 1e-3


class PlanCheckError(RuntimeError):
    """The solver returned a plan that the independent checker rejects (a bug, never input)."""

    def __init__(self, plan: SourcingPlan, report: CheckReport) -> None:
        lines = "; ".join(f"{v.rule} {v.subject}: {v.message}" for v in report.violations[:10])
        super().__init__(f"plan failed the independent check: {lines}")
        self.plan = plan
        self.report = report


def solve(
    instance: SourcingInstance,
    options: SolverOptions | None = None,
    lazy_counts: bool = True,
    explain: bool = True,
    customize: Callable[[SourcingModel], None] | None = None,
    warm_start: bool = True,
) -> SourcingPlan:
    """Solve ``instance`` and return a plan that passed :func:`check_plan`.

    The plan's ``solve.status`` is OPTIMAL only when the solver proved optimality; FEASIBLE plans
    carry the best bound and gap. INFEASIBLE plans list structural reasons found while building.
    With ``lazy_counts`` (the default) minimum-supplier rows are added only for products whose
    plan breaks them, re-solving until none does; the result is the same optimum, usually
    found much faster. Under a time limit such a round gets 90 % of the time left; if its best
    plan still breaks the rule when it stops, the full model gets the rest, and if no plan
    meets every rule by the limit the status is NO_SOLUTION.

    With ``explain`` an INFEASIBLE plan carries an :class:`Explanation` (pre-checks, and the
    rules an elastic re-solve had to break). ``customize`` may add rows or change the objective
    of the built model before solving (the frontier uses it for its epsilon constraints).
    ``warm_start`` (HiGHS, CVaR in the objective): first minimise the expected cost, then start
    the mixed objective from that plan.
    Raises :class:`PlanCheckError` if the checker rejects the plan.
    """
    options = options or SolverOptions()
    start = time.perf_counter()
    model = build_model(instance, lazy_counts=lazy_counts)
    if customize is not None:
        customize(model)
    if model.infeasible_reasons:
        summary = SolveSummary(
            status=SolveStatus.INFEASIBLE, stop_reason="infeasible before solving",
            solver=options.solver, objective=None, best_bound=None, gap=None,
            build_seconds=model.build_seconds, solve_seconds=0.0, **model.size,
        )
        reasons = tuple(model.infeasible_reasons)
        return SourcingPlan(
            instance=instance.name, solve=summary, infeasibility=reasons,
            explanation=explain_infeasibility(instance, options, reasons) if explain else None,
        )
    rounds = 0
    solve_seconds = engine_seconds = 0.0
    risk = instance.risk
    if risk.cvar_weight > 0 and risk.cvar_limit is None and customize is None \
            and options.solver == "highs" and warm_start:
        # CVaR couples every scenario in a few dense rows and makes incumbents hard to find:
        # first minimise the expected cost (to a 0.1 % gap, with part of the time), then start
        # the mixed objective from that plan.
        mixed = model.problem.objective
        model.problem.setObjective(model.expected_cost)
        first = replace(options, gap=max(options.gap, WARM_GAP),
                        time_limit=None if options.time_limit is None
                        else options.time_limit * WARM_TIME_SHARE)
        info, bought, r, s1, e1 = _rounds(model, first, start)
        rounds, solve_seconds, engine_seconds = r, s1, e1
        model.problem.setObjective(mixed)
        if info.status.has_solution:
            model.set_cvar_start()
            options = replace(options, warm_start=True)
    info, bought, r, s1, e1 = _rounds(model, options, start)
    rounds, solve_seconds, engine_seconds = rounds + r, solve_seconds + s1, engine_seconds + e1
    info = replace(info, solve_seconds=solve_seconds,
                   engine_seconds=engine_seconds if info.engine_seconds is not None else None)
    summary = _summary(model, info, model.size, rounds)
    if not info.status.has_solution:
        explanation = None
        if explain and info.status == SolveStatus.INFEASIBLE and customize is None:
            explanation = explain_infeasibility(instance, options, ())
        return SourcingPlan(instance=instance.name, solve=summary, explanation=explanation)
    plan = assemble_plan(instance, bought, summary)
    objective = plan.objective
    assert objective is not None and info.objective is not None
    if objective < info.objective - 1e-9 * max(1.0, abs(info.objective)):
        # A limit-stopped incumbent may pay for an unused supplier, sit in a dearer price
        # tier or carry a poor CVaR threshold; the plan as written is cheaper, so report its
        # objective and gap.
        summary = summary.model_copy(update={
            "objective": objective,
            "gap": relative_gap(objective, info.best_bound),
        })
        plan = plan.model_copy(update={"solve": summary})
    report = check_plan(instance, plan)
    if not report.ok:
        raise PlanCheckError(plan, report)
    return plan


def _rounds(
    model: SourcingModel, options: SolverOptions, start: float
) -> tuple[SolveInfo, dict[tuple[str, str], tuple[float, float]], int, float, float]:
    """Solve, adding minimum-supplier rows for products whose plan breaks them, until none
    does or time runs out. Returns the last solve, the quantities bought, the number of solver
    calls, and the solve and engine seconds."""
    rounds = 0
    solve_seconds = engine_seconds = 0.0
    bought: dict[tuple[str, str], tuple[float, float]] = {}
    while True:
        lazy_round = bool(model.pending_counts)
        remaining = None
        if options.time_limit is not None:
            remaining = max(options.time_limit - (time.perf_counter() - start), 0.01)
            if lazy_round:  # keep a reserve for the full model, should this round not settle
                remaining *= LAZY_TIME_SHARE
        info = run_pulp(model.problem, replace(options, time_limit=remaining))
        rounds += 1
        solve_seconds += info.solve_seconds
        engine_seconds += info.engine_seconds or 0.0
        time_left = (options.time_limit is None
                     or time.perf_counter() - start < options.time_limit - 0.05)
        if not info.status.has_solution:
            if lazy_round and info.status == SolveStatus.NO_SOLUTION and time_left:
                model.add_count_rows(list(model.pending_counts))
                continue
            break
        bought = bought_quantities(model)
        late = model.count_violations({k: q for k, (q, _p) in bought.items()})
        if not late:
            break
        if not time_left:
            info = replace(info, status=SolveStatus.NO_SOLUTION, objective=None, gap=None,
                           stop_reason="time limit reached before a plan met every "
                                       "minimum-supplier rule")
            break
        settled = info.status == SolveStatus.OPTIMAL or options.gap > 0
        if not settled or len(late) > LAZY_ALL_SHARE * len(model.pending_counts):
            late = list(model.pending_counts)  # many break it, or no proof: add them all
        model.add_count_rows(late)
    return info, bought, rounds, solve_seconds, engine_seconds


def _summary(
    model: SourcingModel, info: SolveInfo, size: dict[str, int], rounds: int
) -> SolveSummary:
    return SolveSummary(
        status=info.status, stop_reason=info.stop_reason, solver=info.solver,
        objective=info.objective, best_bound=info.best_bound, gap=info.gap,
        build_seconds=round(model.build_seconds, 4), solve_seconds=round(info.solve_seconds, 4),
        engine_seconds=None if info.engine_seconds is None else round(info.engine_seconds, 4),
        rounds=rounds, **size,
    )
