"""The solve steps the ``optimizer KIND solve`` commands and the job runner share: the exit code
of a plan, the checks of options against an instance, and the module-level solve functions
that run in worker processes (their results, unlike the solvers' check errors, travel back).

Each command and :func:`optimizer.jobs.run_job` call these; there is no second copy.
"""

from __future__ import annotations

from typing import Any

from models.integrated import (
    DayError,
    IntegratedInstance,
    IntegratedOptions,
    ScenarioError,
    apply_scenario,
)
from models.integrated import PlanCheckError as IntegratedCheckError
from models.integrated import solve as solve_integrated
from models.network import NetworkInstance, SolverOptions
from models.network import PlanCheckError as NetworkCheckError
from models.network import solve as solve_network
from models.routing import RoutePlan, RoutingInstance, RoutingOptions, pyvrp_unsupported
from models.solver import SolveStatus, was_interrupted
from models.sourcing import MarginalValues, SourcingPlan
from optimizer.errors import ExitCode, InputError
from optimizer.formats.integrated import scenario_problems
from optimizer.formats.tables import TableSource

#: The exit code of a solve, by the plan's status (docs: exit codes).
STATUS_EXIT = {
    SolveStatus.OPTIMAL: ExitCode.OK,
    SolveStatus.FEASIBLE: ExitCode.OK,
    SolveStatus.INFEASIBLE: ExitCode.INFEASIBLE,
    SolveStatus.UNBOUNDED: ExitCode.INFEASIBLE,
    SolveStatus.NO_SOLUTION: ExitCode.NO_SOLUTION,
}


# ---- sourcing --------------------------------------------------------------------------------

def sourcing_plan_json(plan: SourcingPlan, values: MarginalValues | None = None
                       ) -> dict[str, Any]:
    """The plan JSON of ``sourcing solve --json`` (with ``marginal_values`` when computed)."""
    data = plan.model_dump(mode="json")
    if values is not None:
        data["marginal_values"] = values.model_dump(mode="json")
    return data


# ---- routing ---------------------------------------------------------------------------------

def require_engine(inst: RoutingInstance, engine: str, where: str) -> None:
    """:class:`InputError` when ``engine`` is unknown, or is PyVRP and PyVRP does not support
    ``inst`` (``where`` names the instance: a path or a label)."""
    if engine not in ("auto", "ortools", "pyvrp"):
        raise InputError([f"--engine: unknown engine {engine!r}; use auto, ortools or pyvrp"])
    if engine == "pyvrp" and (why := pyvrp_unsupported(inst)) is not None:
        raise InputError([f"{where}: PyVRP does not support this instance ({why}); use "
                          f"--engine ortools or auto"])


def routing_exit_code(inst: RoutingInstance, plan: RoutePlan) -> ExitCode:
    """0 plan; 3 when a stop that must be served is not (or the plan is infeasible); 4 no
    plan."""
    if plan.solve.status == SolveStatus.NO_SOLUTION:
        return ExitCode.NO_SOLUTION
    mandatory = {s.id for s in inst.stops if s.drop_penalty is None}
    if plan.solve.status == SolveStatus.INFEASIBLE \
            or any(u.stop in mandatory for u in plan.unserved):
        return ExitCode.INFEASIBLE
    return ExitCode.OK


# ---- network ---------------------------------------------------------------------------------

def with_outbound(inst: NetworkInstance, where: object, outbound: str) -> NetworkInstance:
    """``inst`` with ``network_policy.outbound`` set (``--outbound``), validated again; a
    rule the change breaks (routes without a fleet, a budget, a pair without km) is an
    :class:`InputError` naming the instance (``where``), the table/record and the field."""
    from pydantic import ValidationError

    outbound = getattr(outbound, "value", outbound)
    if inst.network_policy.outbound.value == outbound:
        return inst
    policy = {**inst.network_policy.model_dump(), "outbound": outbound}
    try:
        return inst.model_copy(update={"network_policy": policy})
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = err["loc"]
            place = str(loc[0]) if loc else "instance"
            if len(loc) > 2 and isinstance(loc[1], int):
                place += f": record {loc[1] + 1}: field '{loc[2]}'"
            elif len(loc) == 2:
                place += f": field '{loc[1]}'"
            problems.append(f"{where}: {place}: {err['msg']} (--outbound {outbound})")
        raise InputError(problems) from None


def solve_checked(inst: NetworkInstance, options: SolverOptions, method: str
                  ) -> tuple[str, object]:
    """``("plan", plan)``, or ``("check", report)`` when the checker rejects the plan (a
    module-level function, so that it runs in a worker process; the report, unlike
    :class:`models.network.PlanCheckError`, travels back from one)."""
    try:
        return "plan", solve_network(inst, options, method=method)
    except NetworkCheckError as exc:
        return "check", exc.report


# ---- integrated plan -------------------------------------------------------------------------

def solve_one(inst: IntegratedInstance, options: IntegratedOptions) -> tuple[str, Any]:
    """Solve one integrated run (in a worker process): ``("plan", plan)``, or ``("input",
    message)`` for a day that cannot be built, or ``("check", message)`` for a plan the
    checker rejects. Ctrl-C that stopped the network solve at an incumbent raises
    :class:`KeyboardInterrupt` (the run is interrupted, not a plan)."""
    try:
        plan = solve_integrated(inst, options)
    except DayError as exc:
        return "input", f"{inst.name}: {exc}"
    except IntegratedCheckError as exc:
        return "check", f"{inst.name}: {exc}"
    if was_interrupted(plan.network.solve.stop_reason):
        raise KeyboardInterrupt
    return "plan", plan


def plan_runs(inst: IntegratedInstance, source: TableSource, names: list[str]
              ) -> dict[str, IntegratedInstance]:
    """``{"baseline": inst, name: the scenario's instance, ...}`` for the scenarios ``names``
    (duplicates dropped); every bad scenario row is an :class:`InputError` problem naming
    where the row was read from."""
    runs: dict[str, IntegratedInstance] = {"baseline": inst}
    problems: list[str] = []
    for name in dict.fromkeys(names):
        try:
            runs[name] = apply_scenario(inst, name)
        except ScenarioError as exc:
            problems.extend(scenario_problems(exc, source))
    if problems:
        raise InputError(problems)
    return runs


def integrated_options(time_limit: float | None, route_seconds: float, gap: float, seed: int,
                       isolate: bool) -> IntegratedOptions:
    """The options of ``optimizer plan solve``; ``isolate``: each DC's routing search runs in
    a child process (which stops on Ctrl-C: OR-Tools searching in the solving process swallows
    Ctrl-C), wanted when the run is not in a worker process of its own."""
    return IntegratedOptions(
        network=SolverOptions(time_limit=time_limit, gap=gap, seed=seed),
        routing=RoutingOptions(time_limit=route_seconds, seed=seed, isolate=isolate))


def violation_lines(report: object) -> list[str]:
    """The violations of a checker's report, one line each (``rule subject: message``): the
    ``problems`` of the error object a check failure gives (CLI ``--json`` and the jobs)."""
    return [f"{v.rule} {v.subject}: {v.message}" for v in getattr(report, "violations", [])]
