"""``solve()``: routing instance in, checked and explained plan out.

The OR-Tools search runs in a child process that streams every improving solution back; the
parent stops it at the time limit plus a small margin whatever the search is doing (OR-Tools can
overrun its own limit while finishing a local-search move), and keeps the best solution it has.
With a ``solution_limit`` instead of a time limit the search is deterministic and may run in
this process (``isolate=False``).
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from models.routing.checker import CheckReport, check_plan
from models.routing.data import RoutingInstance
from models.routing.explain import unserved_reasons
from models.routing.ortools_engine import Found, OrToolsModel, SearchSettings
from models.routing.plan import RoutePlan, RoutingSummary, assemble_plan
from models.solver import SolveStatus

#: The parent waits this long after the time limit before it stops the search process.
MARGIN_SECONDS = 0.5
#: Share of the limit kept for starting the process, building the model and the plan.
OVERHEAD_SHARE = 0.08


@dataclass(frozen=True)
class RoutingOptions:
    """How to search. ``first_solution`` ``auto`` picks parallel cheapest insertion for
    instances with time windows or shipments and OR-Tools' automatic choice otherwise."""

    time_limit: float | None = 10.0
    solution_limit: int | None = None
    first_solution: str = "auto"
    metaheuristic: str = "gls"
    seed: int = 0
    isolate: bool = True
    log: bool = False

    def __post_init__(self) -> None:
        if self.time_limit is None and self.solution_limit is None:
            raise ValueError("give a time limit or a solution limit")
        if self.time_limit is not None and self.time_limit <= 0:
            raise ValueError("time_limit must be positive")


class PlanCheckError(RuntimeError):
    """The engine's plan failed the independent checker (a bug, never input)."""

    def __init__(self, plan: RoutePlan, report: CheckReport) -> None:
        lines = "; ".join(f"{v.rule} {v.subject}: {v.message}" for v in report.violations[:10])
        super().__init__(f"route plan failed the independent check: {lines}")
        self.plan = plan
        self.report = report


def _settings(inst: RoutingInstance, options: RoutingOptions,
              time_limit: float | None) -> SearchSettings:
    first = options.first_solution
    if first == "auto":
        timed = inst.shipments or any(s.time_windows for s in inst.stops)
        first = "parallel_insertion" if timed else "auto"
    return SearchSettings(first_solution=first, metaheuristic=options.metaheuristic,
                          time_limit=time_limit, solution_limit=options.solution_limit,
                          log=options.log)


def _child(inst: RoutingInstance, settings: SearchSettings, conn) -> None:
    try:
        reason = OrToolsModel(inst).search(settings, conn.send)
        conn.send(("done", reason))
    except Exception as exc:  # report, never hang the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def search(
    inst: RoutingInstance, options: RoutingOptions,
    on_improve: Callable[[float, int], None] | None = None,
) -> tuple[Found | None, str, float]:
    """Run one search; returns the best solution, why it stopped, and the seconds taken.
    ``on_improve(elapsed, objective)`` is called for every improving solution."""
    start = time.perf_counter()
    limit = options.time_limit
    inner = None if limit is None else max(0.05, limit * (1 - OVERHEAD_SHARE) - 0.1)
    settings = _settings(inst, options, inner)
    best: list[Found] = []

    def keep(found: Found) -> None:
        best.append(found)
        if on_improve is not None:
            on_improve(time.perf_counter() - start, found.objective)

    if not options.isolate:
        reason = OrToolsModel(inst).search(settings, keep)
        return (best[-1] if best else None), reason, time.perf_counter() - start
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(inst, settings, child), daemon=True)
    process.start()
    child.close()
    deadline = math.inf if limit is None else start + limit + MARGIN_SECONDS
    reason = "search process ended"
    while True:
        wait = deadline - time.perf_counter()
        if wait <= 0:
            reason = "stopped at the time limit (from outside the search)"
            break
        if not parent.poll(min(wait, 0.2)):
            if not process.is_alive() and not parent.poll(0):
                break
            continue
        try:
            message = parent.recv()
        except EOFError:
            break
        if isinstance(message, Found):
            keep(message)
        elif message[0] == "done":
            reason = message[1]
            break
        else:
            raise RuntimeError(f"routing search failed: {message[1]}")
    if process.is_alive():
        process.terminate()
    process.join(timeout=2)
    return (best[-1] if best else None), reason, time.perf_counter() - start


def solve(
    inst: RoutingInstance, options: RoutingOptions | None = None,
    on_improve: Callable[[float, int], None] | None = None,
) -> RoutePlan:
    """Solve ``inst``; the plan passed :func:`check_plan` and every unserved stop carries a
    computed reason. Heuristic search proves nothing, so a plan is ``feasible``; without any
    plan the status is ``no_solution``. Raises :class:`PlanCheckError` on a checker failure."""
    options = options or RoutingOptions()
    found, reason, seconds = search(inst, options, on_improve)
    summary = RoutingSummary(
        status=SolveStatus.FEASIBLE if found is not None else SolveStatus.NO_SOLUTION,
        engine="ortools", stop_reason=reason, seconds=round(seconds, 3),
        time_limit=options.time_limit, seed=options.seed)
    if found is None:
        return RoutePlan(instance=inst.name, solve=summary)
    return finish_plan(inst, found.sequences, summary)


def finish_plan(inst: RoutingInstance, sequences, summary: RoutingSummary) -> RoutePlan:
    """Assemble, explain the unserved stops, and check a plan from stop sequences."""
    plan = assemble_plan(inst, sequences, summary)
    reasons = unserved_reasons(inst, plan)
    if reasons:
        plan = assemble_plan(inst, sequences, summary, reasons)
    report = check_plan(inst, plan)
    if not report.ok:
        raise PlanCheckError(plan, report)
    return plan


def with_limit(options: RoutingOptions, seconds: float) -> RoutingOptions:
    """The same options with another time limit."""
    return replace(options, time_limit=seconds)
