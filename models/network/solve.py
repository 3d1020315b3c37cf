"""``solve()``: network instance in, checked plan out."""

from __future__ import annotations

import time
from dataclasses import replace

import pulp

from models.network.assemble import NOISE, assemble_plan
from models.network.data import NetworkInstance
from models.network.explain import MAX_INTEGER_VARIABLES as EXPLAIN_MAX_INTEGER_VARIABLES
from models.network.explain import explain_no_plan
from models.network.formulation import NetworkModel, build_network_model
from models.network.lp_guided import MIN_INTEGER_VARIABLES, solve_lp_guided
from models.network.plan import Method, NetworkPlan, NetworkSolveSummary
from models.solver import SolverOptions, SolveStatus, relative_gap, run_pulp

#: A plan is called optimal only when its cost is within this relative gap of the bound.
OPTIMAL_GAP = 1e-6
#: HiGHS presolve rule "dependent equations" (bit 10 of ``presolve_rule_off`` in HiGHS 1.16).
DEPENDENT_EQUATIONS = 1 << 10


class PlanCheckError(RuntimeError):
    """The solver returned a plan that the independent checker rejects (a bug, never input)."""

    def __init__(self, plan: NetworkPlan, report: object) -> None:
        violations = getattr(report, "violations", [])
        lines = "; ".join(f"{v.rule} {v.subject}: {v.message}" for v in violations[:10])
        super().__init__(f"network plan failed the independent check: {lines}")
        self.plan = plan
        self.report = report


def solve(instance: NetworkInstance, options: SolverOptions | None = None,
          method: str = "auto") -> NetworkPlan:
    """Solve ``instance`` and return a plan that passed the independent checker.

    ``method``: ``auto`` uses the exact facility-location engine when the instance has that
    structure (see :func:`models.network.structure.facility_problem`) and the network MILP
    otherwise; ``milp`` forces the MILP. With the outbound as routes
    (``network_policy.outbound = routes``) the location-routing search is used
    (:func:`models.network.routes_mode.solve_routes`; ``auto`` or ``location_routing``).
    The plan's ``solve.status`` is OPTIMAL only when the bound proves it; FEASIBLE plans carry
    the best bound and gap (none in routes mode: a heuristic).
    Raises :class:`PlanCheckError` if the checker rejects the plan.
    """
    options = options or SolverOptions()
    if method not in ("auto", "milp", "facility-location", "location_routing"):
        raise ValueError(f"unknown method {method!r}; use auto, milp, facility-location or "
                         f"location_routing")
    plan = None
    if instance.routes_mode or method == "location_routing":
        if not instance.routes_mode:
            raise ValueError("the location_routing method needs the outbound as routes "
                             "(network_policy.outbound = routes)")
        if method not in ("auto", "location_routing"):
            raise ValueError(f"the {method} method does not apply to the outbound as routes "
                             f"(use auto)")
        from models.network.routes_mode import solve_routes

        plan = solve_routes(instance, options)
    elif method != "milp":
        from models.network.structure import solve_as_facility_problem

        plan = solve_as_facility_problem(instance, options, required=method != "auto")
    if plan is None:
        plan = _solve_milp(instance, options)
    if plan.solve.status.has_solution:
        from models.network.checker import check_plan

        report = check_plan(instance, plan)
        if not report.ok:
            raise PlanCheckError(plan, report)
    return plan


def _solve_milp(instance: NetworkInstance, options: SolverOptions,
                explain: bool = True) -> NetworkPlan:
    model = build_network_model(instance)
    size = model.size
    if model.infeasible_reasons:
        summary = NetworkSolveSummary(
            status=SolveStatus.INFEASIBLE, stop_reason="infeasible before solving",
            method=Method.MILP, solver=options.solver, objective=None, best_bound=None,
            gap=None, build_seconds=model.build_seconds, **size)
        return NetworkPlan(instance=instance.name, solve=summary,
                           infeasibility=tuple(model.infeasible_reasons))
    start = time.perf_counter()
    if options.solver == "highs":
        # HiGHS's presolve spends minutes looking for dependent equations among the flow
        # balance rows of a large network (LP: 111 s with it, 11 s without; see
        # benchmarks/studies/network-scale.md)
        options = replace(options, highs_options=(("presolve_rule_off", DEPENDENT_EQUATIONS),
                                                  *options.highs_options))
    if options.solver == "highs" and size["integer_variables"] >= MIN_INTEGER_VARIABLES:
        info = solve_lp_guided(model, options)
    else:
        info = run_pulp(model.problem, options)
    if info.status.has_solution:
        polish(model.problem, options)
    summary = NetworkSolveSummary(
        status=info.status, stop_reason=info.stop_reason, method=Method.MILP,
        solver=info.solver, objective=info.objective, best_bound=info.best_bound, gap=info.gap,
        build_seconds=model.build_seconds, solve_seconds=time.perf_counter() - start, **size)
    if not info.status.has_solution:
        reasons = ()
        if info.status == SolveStatus.INFEASIBLE:
            reasons = ("the solver proved that no plan meets every rule together",)
            if explain and size["integer_variables"] <= EXPLAIN_MAX_INTEGER_VARIABLES:
                reasons += tuple(explain_no_plan(
                    instance, options, lambda i, o: _solve_milp(i, o, explain=False)))
        return NetworkPlan(instance=instance.name, solve=summary, infeasibility=reasons)
    sizes, inbound, outbound = read_solution(model)
    plan = assemble_plan(instance, summary, sizes, inbound, outbound)
    # the plan's own cost (priced from the instance) is the objective; the bound stays
    total = plan.cost.total
    bound = summary.best_bound if summary.best_bound is None else min(summary.best_bound, total)
    gap = relative_gap(total, bound)
    update = {"objective": total, "best_bound": bound, "gap": gap}
    if summary.status == SolveStatus.OPTIMAL and gap is not None and gap > OPTIMAL_GAP:
        update.update(status=SolveStatus.FEASIBLE, stop_reason=(
            "the plan priced from the instance costs more than the solver's optimum"))
    return plan.model_copy(update={"solve": summary.model_copy(update=update)})


def polish(problem: pulp.LpProblem, options: SolverOptions) -> None:
    """Fix every integer variable at its rounded value and re-solve the LP of the continuous
    ones, so that no quantity rides on a binary HiGHS left within its integrality tolerance
    (seen: an MOQ tier binary at 1.6e-6 letting 1 unit through below a 623,891-unit minimum
    order). Keeps the solver's values when nothing is fractional or the LP fails."""
    integers = [v for v in problem.variables() if v.cat == pulp.LpInteger]
    if all(abs((v.varValue or 0.0) - round(v.varValue or 0.0)) <= 1e-12 for v in integers):
        return
    values = {v: v.varValue for v in problem.variables()}
    bounds = {v: (v.lowBound, v.upBound) for v in integers}
    try:
        for v in integers:
            v.lowBound = v.upBound = round(v.varValue or 0.0)
            v.cat = pulp.LpContinuous
        info = run_pulp(problem, replace(options, gap=0.0, warm_start=False, time_limit=None))
    finally:
        for v, (lower, upper) in bounds.items():
            v.lowBound, v.upBound = lower, upper
            v.cat = pulp.LpInteger
    if info.status != SolveStatus.OPTIMAL:
        for v, value in values.items():
            v.varValue = value


def _value(var: pulp.LpVariable) -> float:
    value = var.varValue or 0.0
    if var.cat == pulp.LpInteger:
        return float(round(value))
    return value if abs(value) > NOISE * 1e-2 else 0.0


def read_solution(model: NetworkModel) -> tuple[dict[str, str], dict, dict]:
    """The chosen size per open DC and the units on each lane, with binaries rounded."""
    sizes = {f: size for (f, size), y in model.sizes.items() if _value(y) > 0.5}
    inbound = {key: _value(v) for key, v in model.inbound.items()}
    outbound = {key: max(0.0, sum(_value(v) * c for v, c in terms))
                for key, terms in model.outbound.items()}
    return sizes, inbound, outbound
