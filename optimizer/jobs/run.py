"""``run_job``: one job solved in this process, the way ``optimizer KIND solve`` solves it.

The instance is read from its JSON data (:func:`optimizer.formats.instance_data.
read_instance_data`), the options are validated (:func:`parse_options`), then the same library
calls as the CLI's solve command run (the solvers' independent checker included), and the
outcome carries the plan JSON the CLI writes and its report.html. Solver work runs in this
process and its threads (and, for routing searches, in their own child processes, as in the
CLI); isolation in a process of its own is :func:`optimizer.jobs.run_isolated`'s job.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from models.solver import (
    PROGRESS_EVERY,
    MipProgress,
    interruptible,
    reporting_progress,
    was_interrupted,
)
from optimizer.errors import ExitCode, InputError
from optimizer.jobs.spec import (
    JobError,
    JobKind,
    JobOutcome,
    JobProgress,
    JobSpec,
    NetworkJobOptions,
    PlanJobOptions,
    RoutingJobOptions,
    SourcingJobOptions,
    parse_options,
)
from optimizer.jobs.steps import STATUS_EXIT, violation_lines

ProgressCallback = Callable[[JobProgress], None]


@dataclass
class _Progress:
    """Turns solver progress into :class:`JobProgress` (seconds since the job started)."""

    on_progress: ProgressCallback | None
    start: float

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def mip(self, message: str) -> Callable[[MipProgress], None] | None:
        if self.on_progress is None:
            return None
        callback = self.on_progress

        def hook(p: MipProgress) -> None:
            callback(JobProgress(elapsed=round(self.elapsed(), 3), best=p.objective,
                                 bound=p.bound, gap=p.gap, message=message))

        return hook

    def routing(self, message: str) -> Callable[[float, float | None], None] | None:
        if self.on_progress is None:
            return None
        callback = self.on_progress
        last: list[Any] = [None, -math.inf]  # best cost reported, when

        def show(_elapsed: float, cost: float | None) -> None:
            now = self.elapsed()
            if cost == last[0] and now - last[1] < PROGRESS_EVERY:
                return  # the portfolio calls several times a second per search
            last[0], last[1] = cost, now
            callback(JobProgress(elapsed=round(now, 3), best=cost, message=message))

        return show

    def note(self, message: str) -> None:
        if self.on_progress is not None:
            self.on_progress(JobProgress(elapsed=round(self.elapsed(), 3), message=message))


def run_job(spec: JobSpec, on_progress: ProgressCallback | None = None) -> JobOutcome:
    """Solve ``spec`` (a :class:`JobSpec`) in this process and return its outcome.

    ``on_progress(JobProgress)`` is called in this thread while solving (routing: about twice
    a second with the best cost so far; HiGHS MIPs: about twice a second while the incumbent,
    bound or gap change). Infeasible and no-plan results are outcomes (``exit_code`` 3 / 4).
    Raises :class:`JobError`: code 2 for bad options or a bad instance (the problems name the
    label, the record and the field), 5 when the plan fails the independent check, 4 when a
    routing search process died, 1 for anything unexpected. :class:`KeyboardInterrupt`
    (Ctrl-C, or SIGTERM turned into it) goes on."""
    from optimizer.formats.instance_data import read_instance_data

    progress = _Progress(on_progress, time.perf_counter())
    try:
        kind = JobKind(spec.kind)
        options = parse_options(kind, spec.options)
        source = None
        if kind == JobKind.PLAN:  # scenario rows' problems name where each was read from
            from optimizer.formats.integrated import read_plan_source_data

            inst, source = read_plan_source_data(spec.instance, spec.label)
        else:
            inst = read_instance_data(kind.value, spec.instance, spec.label)
        return _RUNNERS[kind](inst, options, spec.label, progress, source)
    except InputError as exc:
        raise JobError.invalid(exc.problems) from None
    except (JobError, KeyboardInterrupt):
        raise
    except Exception as exc:  # a bug: say what it was, never a stack trace to clients
        raise JobError(int(ExitCode.INTERNAL_ERROR), f"internal error: "
                       f"{type(exc).__name__}: {exc}", []) from exc


def _check_failed(problems: list[str]) -> JobError:
    return JobError(int(ExitCode.CHECK_FAILED), "the plan failed the independent check; "
                                                "nothing was written", problems)


def _outcome(kind: JobKind, status: Any, exit_code: int, objective: float | None,
             bound: float | None, gap: float | None, plan: dict[str, Any],
             report_html: str | None, summary: str, progress: _Progress) -> JobOutcome:
    return JobOutcome(kind=kind, status=str(getattr(status, "value", status)),
                      exit_code=int(exit_code), objective=objective, bound=bound, gap=gap,
                      seconds=round(progress.elapsed(), 3), plan=plan,
                      report_html=report_html, summary=summary)


def _no_incumbent(progress: _Progress, solve: Any) -> None:
    """A solve that ended without a plan: a last progress report without figures (those
    reported while it ran may come from a diagnosing re-solve, not from an incumbent)."""
    if not solve.status.has_solution:
        progress.note(f"{solve.status.value}: {solve.stop_reason}")


def _gap_text(gap: float | None) -> str:
    return "" if gap is None else f", gap {gap:.2%}"


# ---- sourcing --------------------------------------------------------------------------------

def _sourcing(inst: Any, options: SourcingJobOptions, label: str,
              progress: _Progress, _source: Any = None) -> JobOutcome:
    from dataclasses import replace

    from models.sourcing import PlanCheckError, SolverOptions, marginal_values, solve
    from optimizer.formats.sourcing import marginal_frame, plan_frames
    from optimizer.jobs.steps import sourcing_plan_json
    from optimizer.reports.html.sourcing import sourcing_report

    solver = SolverOptions(solver=options.solver, time_limit=options.time_limit,
                           gap=options.gap, threads=options.threads, seed=options.seed)
    values = None
    with interruptible(), reporting_progress(progress.mip("MIP search")):
        try:
            plan = solve(inst, solver)
        except PlanCheckError as exc:
            raise _check_failed(violation_lines(exc.report)) from None
        interrupted = was_interrupted(plan.solve.stop_reason)
        if options.marginals and plan.solve.status.has_solution and not interrupted:
            values = marginal_values(inst, plan, replace(solver, time_limit=None, gap=0.0))
    _no_incumbent(progress, plan.solve)
    currency = inst.policy.currency
    frames = plan_frames(plan, currency)
    if values is not None:
        frames["marginal_values"] = marginal_frame(values)
    s = plan.solve
    summary = (f"sourcing {plan.instance}: {s.status.value}" + (
        "" if s.objective is None else f", cost {s.objective:,.2f}") + _gap_text(s.gap)
        + f" ({s.stop_reason})")
    return _outcome(JobKind.SOURCING, s.status, STATUS_EXIT[s.status], s.objective,
                    s.best_bound, s.gap, sourcing_plan_json(plan, values),
                    sourcing_report(plan, currency, frames).render(), summary, progress)


# ---- routing ---------------------------------------------------------------------------------

def _routing(inst: Any, options: RoutingJobOptions, label: str,
             progress: _Progress, _source: Any = None) -> JobOutcome:
    from models.routing import PlanCheckError, RoutingOptions, SearchProcessError
    from optimizer.jobs.steps import require_engine, routing_exit_code
    from optimizer.reports.html.routing import routing_report
    from optimizer.routing_portfolio import solve_portfolio

    require_engine(inst, options.engine, label)
    try:
        routing = RoutingOptions(time_limit=options.time_limit,
                                 solution_limit=options.solution_limit,
                                 engine=options.engine, first_solution=options.first_solution,
                                 metaheuristic=options.metaheuristic, seed=options.seed)
    except ValueError as exc:
        raise InputError([f"options: {exc}"]) from None
    try:
        plan = solve_portfolio(inst, routing, options.workers,
                               progress.routing("routing search"))
    except PlanCheckError as exc:
        raise _check_failed(violation_lines(exc.report)) from None
    except SearchProcessError as exc:
        raise JobError(int(ExitCode.NO_SOLUTION), f"{exc}; nothing written", []) from None
    s = plan.solve
    solved = s.status.has_solution
    summary = (f"routing {plan.instance}: {s.status.value}" + (
        f", cost {plan.cost:,.2f}, {plan.vehicles_used} vehicle(s), {len(plan.unserved)} "
        f"unserved" if solved else "") + f" ({s.stop_reason})")
    return _outcome(JobKind.ROUTING, s.status, routing_exit_code(inst, plan),
                    plan.cost if solved else None, None, None, plan.model_dump(mode="json"),
                    routing_report(plan, inst).render(), summary, progress)


# ---- network ---------------------------------------------------------------------------------

def _network(inst: Any, options: NetworkJobOptions, label: str,
             progress: _Progress, _source: Any = None) -> JobOutcome:
    from models.network import SolverOptions, why_not_facility_problem
    from optimizer.jobs.steps import solve_checked, with_outbound
    from optimizer.reports.html.network import network_report

    if options.outbound is not None:
        inst = with_outbound(inst, label, options.outbound)
    if inst.routes_mode and options.method != "auto":
        raise InputError([f"{label}: method {options.method} does not apply to the outbound "
                          f"as routes (a location-routing search); use method auto or "
                          f"outbound rates"])
    if options.method == "facility-location" and \
            (why := why_not_facility_problem(inst)) is not None:
        raise InputError([f"{label}: method facility-location does not apply: {why}; use "
                          f"method auto or milp"])
    solver = SolverOptions(solver=options.solver, time_limit=options.time_limit,
                           gap=options.gap, threads=options.threads, seed=options.seed)
    # in routes mode the MIPs are steps of a heuristic search: their figures are not the plan's
    hook = None if inst.routes_mode else progress.mip("MIP search")
    if inst.routes_mode:
        progress.note("location-routing search")
    with interruptible(), reporting_progress(hook):
        kind, value = solve_checked(inst, solver, options.method)
    if kind == "check":
        raise _check_failed(violation_lines(value))
    plan: Any = value
    s = plan.solve
    _no_incumbent(progress, s)
    summary = (f"network {plan.instance}: {s.status.value}" + (
        "" if s.objective is None else f", cost {s.objective:,.2f}, "
        f"{len(plan.open_facilities)} open DC(s)") + _gap_text(s.gap) + f" ({s.stop_reason})")
    return _outcome(JobKind.NETWORK, s.status, STATUS_EXIT[s.status], s.objective,
                    s.best_bound, s.gap, plan.model_dump(mode="json"),
                    network_report(plan, inst).render(), summary, progress)


# ---- integrated plan -------------------------------------------------------------------------

def _plan(inst: Any, options: PlanJobOptions, label: str, progress: _Progress,
          source: Any = None) -> JobOutcome:
    from optimizer.jobs.steps import integrated_options, plan_runs, solve_one
    from optimizer.reports.html_plan import plan_report

    names = list(inst.scenario_names) if options.all_scenarios else options.scenarios
    runs = plan_runs(inst, source, names)
    # this process is the run's own (as the CLI with one worker): each DC's routing search runs
    # in a child process, which stops on SIGTERM / Ctrl-C
    solve_options = integrated_options(options.time_limit, options.route_seconds, options.gap,
                                       options.seed, isolate=True)
    plans: dict[str, Any] = {}
    with interruptible():
        for name, run in runs.items():
            progress.note(f"{name}: network solve, then each DC's routes "
                          f"({options.route_seconds:g} s a day)")
            hook = None if run.network.routes_mode else progress.mip(
                f"{name}: network MIP, then each DC's routes")
            with reporting_progress(hook):
                kind, value = solve_one(run, solve_options)
            if kind == "input":
                which = "" if name == "baseline" else f"scenario {name!r}: "
                raise InputError([f"{label}: {which}{value}"])
            if kind == "check":
                raise _check_failed([f"{name}: {value}"])
            plans[name] = value
            progress.note(f"{name}: solved")
    baseline = plans["baseline"]
    comparison = None
    if len(plans) > 1:
        from optimizer.reports.plan_summary import compare_plans

        comparison = compare_plans(plans).rows
    s = baseline.solve
    _no_incumbent(progress, s)
    cost = None if baseline.cost is None else baseline.cost.total
    net = baseline.network.solve
    # the network MIP's bound and gap bound the plan's cost only when its objective is that
    # cost (the routed days usually cost something else): else none is reported
    same = (cost is not None and net.objective is not None
            and abs(net.objective - cost) <= 1e-6 * max(1.0, abs(cost)))
    summary = (f"plan {baseline.instance}: {s.status.value}" + (
        "" if cost is None else f", cost {cost:,.2f}, {len(baseline.open_facilities)} open "
        f"DC(s), {len(baseline.routes)} route(s)") + (
        f", {len(plans) - 1} scenario(s)" if len(plans) > 1 else "") + f" ({s.stop_reason})")
    return _outcome(JobKind.PLAN, s.status, STATUS_EXIT[s.status], cost,
                    net.best_bound if same else None, net.gap if same else None,
                    baseline.model_dump(mode="json"),
                    plan_report(runs["baseline"], baseline, comparison).render(), summary,
                    progress)


_RUNNERS: dict[JobKind, Callable[[Any, Any, str, _Progress, Any], JobOutcome]] = {
    JobKind.SOURCING: _sourcing,  # type: ignore[dict-item]
    JobKind.ROUTING: _routing,  # type: ignore[dict-item]
    JobKind.NETWORK: _network,  # type: ignore[dict-item]
    JobKind.PLAN: _plan,  # type: ignore[dict-item]
}
