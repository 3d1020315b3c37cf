"""``solve()``: instance in, checked plan out."""

from __future__ import annotations

from models.solver import SolveInfo, SolverOptions, SolveStatus, run_pulp
from models.sourcing.checker import CheckReport, check_plan
from models.sourcing.data import SourcingInstance
from models.sourcing.formulation import SourcingModel, build_model
from models.sourcing.plan import SolveSummary, SourcingPlan, assemble_plan


class PlanCheckError(RuntimeError):
    """The solver returned a plan that the independent checker rejects (a bug, never input)."""

    def __init__(self, plan: SourcingPlan, report: CheckReport) -> None:
        lines = "; ".join(f"{v.rule} {v.subject}: {v.message}" for v in report.violations[:10])
        super().__init__(f"plan failed the independent check: {lines}")
        self.plan = plan
        self.report = report


def solve(instance: SourcingInstance, options: SolverOptions | None = None) -> SourcingPlan:
    """Solve ``instance`` and return a plan that passed :func:`check_plan`.

    The plan's ``solve.status`` is OPTIMAL only when the solver proved optimality; FEASIBLE plans
    carry the best bound and gap. INFEASIBLE plans list structural reasons found while building.
    Raises :class:`PlanCheckError` if the checker rejects the plan.
    """
    options = options or SolverOptions()
    model = build_model(instance)
    size = model.size
    if model.infeasible_reasons:
        summary = SolveSummary(
            status=SolveStatus.INFEASIBLE, stop_reason="infeasible before solving",
            solver=options.solver, objective=None, best_bound=None, gap=None,
            build_seconds=model.build_seconds, solve_seconds=0.0, **size,
        )
        return SourcingPlan(instance=instance.name, solve=summary,
                            infeasibility=tuple(model.infeasible_reasons))
    info = run_pulp(model.problem, options)
    summary = _summary(model, info, size)
    if not info.status.has_solution:
        return SourcingPlan(instance=instance.name, solve=summary)
    plan = assemble_plan(instance, _bought(model), summary)
    report = check_plan(instance, plan)
    if not report.ok:
        raise PlanCheckError(plan, report)
    return plan


def _summary(model: SourcingModel, info: SolveInfo, size: dict[str, int]) -> SolveSummary:
    return SolveSummary(
        status=info.status, stop_reason=info.stop_reason, solver=info.solver,
        objective=info.objective, best_bound=info.best_bound, gap=info.gap,
        build_seconds=round(model.build_seconds, 4), solve_seconds=round(info.solve_seconds, 4),
        engine_seconds=None if info.engine_seconds is None else round(info.engine_seconds, 4),
        **size,
    )


def _bought(model: SourcingModel) -> dict[tuple[str, str], tuple[float, float]]:
    """Quantity per offer and the price of the tier the solver put it in."""
    bought: dict[tuple[str, str], tuple[float, float]] = {}
    for tier in model.tiers:
        qty = tier.x.value() or 0.0
        switch = tier.t if tier.t is not None else model.onboard[tier.offer[0]]
        active = (switch.value() or 0.0) > 0.5
        if active and qty > 1e-9:
            previous = bought.get(tier.offer, (0.0, tier.price))[0]
            bought[tier.offer] = (previous + qty, tier.price)
    return bought

