"""``solve()``: routing instance in, checked and explained plan out.

The OR-Tools search runs in a child process that streams every improving solution back; the
parent stops it at the time limit plus a small margin whatever the search is doing (OR-Tools can
overrun its own limit while finishing a local-search move), and keeps the best solution it has.
With a ``solution_limit`` instead of a time limit the search is deterministic and may run in
this process (``isolate=False``).

A search process that ends without reporting (it could not start, crashed, was killed, ran out
of memory) raises :class:`SearchProcessError`; it is never taken for "no plan found".
"""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Literal

from models.routing.checker import CheckReport, check_plan
from models.routing.data import RoutingInstance
from models.routing.explain import fleet_shortfall, impossible_stops, unserved_reasons
from models.routing.ortools_engine import (
    FIRST_SOLUTION,
    METAHEURISTIC,
    Found,
    OrToolsModel,
    SearchSettings,
)
from models.routing.plan import (
    RoutePlan,
    RoutingSummary,
    Sequenceable,
    Unserved,
    assemble_plan,
)
from models.routing.pyvrp_engine import search_pyvrp, unsupported
from models.search_processes import search_context
from models.solver import SolveStatus

#: The parent waits this long after the time limit before it stops the search process.
MARGIN_SECONDS = 0.5
#: Share of the limit kept for building the model and the plan when searching in-process.
OVERHEAD_SHARE = 0.08
#: A search with a solution limit and no time limit still stops after this many seconds (its
#: stop reason then says "time limit"; the run is reproducible only when it stops earlier).
SOLUTION_LIMIT_SAFETY = 300.0
#: A reproducible (solution-limit) OR-Tools search that found no plan retries with must-serve
#: stops made soft for at most this long.
SOFT_RETRY_SECONDS = 5.0
#: Seconds the child process keeps for sending its last solution before the limit.
CHILD_RESERVE = 0.15
#: Largest seed (PyVRP takes unsigned 32-bit seeds; a portfolio adds the member's number).
MAX_SEED = 2**31 - 1


Engine = Literal["auto", "ortools", "pyvrp"]


@dataclass(frozen=True)
class RoutingOptions:
    """How to search. ``engine`` ``auto``: PyVRP when it supports the instance, else OR-Tools,
    and the other engine when the first finds no plan (a portfolio of several workers runs
    both at once on delivery days). ``first_solution`` ``auto`` picks parallel cheapest
    insertion for instances with time windows or shipments and OR-Tools' automatic choice
    otherwise. ``solution_limit`` (OR-Tools solutions, PyVRP iterations) instead of a time
    limit makes a run reproducible."""

    time_limit: float | None = 10.0
    solution_limit: int | None = None
    engine: Engine = "auto"
    first_solution: str = "auto"
    metaheuristic: str = "gls"
    seed: int = 0
    isolate: bool = True
    log: bool = False

    def __post_init__(self) -> None:
        if self.engine not in ("auto", "ortools", "pyvrp"):
            raise ValueError(f"unknown engine {self.engine!r}")
        if self.time_limit is None and self.solution_limit is None:
            raise ValueError("give a time limit or a solution limit")
        if self.time_limit is not None and self.time_limit <= 0:
            raise ValueError("time_limit must be positive")
        if not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"seed must be between 0 and {MAX_SEED:,}, not {self.seed}")
        if self.metaheuristic not in METAHEURISTIC:
            raise ValueError(f"unknown metaheuristic {self.metaheuristic!r}; use "
                             f"{', '.join(METAHEURISTIC)}")
        if self.first_solution not in FIRST_SOLUTION:
            raise ValueError(f"unknown first-solution strategy {self.first_solution!r}; use "
                             f"{', '.join(FIRST_SOLUTION)}")


class PlanCheckError(RuntimeError):
    """The engine's plan failed the independent checker (a bug, never input)."""

    def __init__(self, plan: RoutePlan, report: CheckReport) -> None:
        lines = "; ".join(f"{v.rule} {v.subject}: {v.message}" for v in report.violations[:10])
        super().__init__(f"route plan failed the independent check: {lines}")
        self.plan = plan
        self.report = report


#: Where a search process that could not start comes from, most of the time.
MAIN_GUARD_HINT = (
    "the search runs in a new process that re-imports the main script (start method "
    "'spawn'); a script that calls the routing solver must do so under "
    "`if __name__ == \"__main__\":`, or the new process runs the script again and stops")


class SearchProcessError(RuntimeError):
    """A search process ended without reporting: it could not start (see
    :data:`MAIN_GUARD_HINT`), crashed, or was killed (e.g. by the out-of-memory killer).
    ``exitcode`` is the process's (negative: killed by that signal); ``best`` is the best
    solution it sent before, if any."""

    def __init__(self, message: str, exitcode: int | None, best: Found | None) -> None:
        super().__init__(message)
        self.exitcode = exitcode
        self.best = best


def _death_message(exitcode: int | None, started: bool, engine: str) -> str:
    what = f"the {engine} search process"
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        why = f"{what} was killed by {name}"
        if -exitcode == signal.SIGKILL:
            why += " (the system's out-of-memory killer sends it, as does kill -9)"
        return why + "; no plan was returned"
    code = "" if exitcode is None else f" (exit code {exitcode})"
    if not started:
        return f"{what} ended before the search started{code}: {MAIN_GUARD_HINT}"
    return f"{what} ended without reporting its result{code}; no plan was returned"


def _settings(inst: RoutingInstance, options: RoutingOptions,
              time_limit: float | None) -> SearchSettings:
    first = options.first_solution
    if first == "auto":
        timed = inst.shipments or any(s.time_windows for s in inst.stops)
        first = "parallel_insertion" if timed else "auto"
    if time_limit is None:  # GLS never runs out of moves: an instance with fewer feasible
        time_limit = SOLUTION_LIMIT_SAFETY  # plans than the limit would search forever
    return SearchSettings(first_solution=first, metaheuristic=options.metaheuristic,
                          time_limit=time_limit, solution_limit=options.solution_limit,
                          log=options.log)


def engine_for(inst: RoutingInstance, engine: Engine) -> str:
    """The engine of a single search: ``auto`` takes PyVRP where it supports the instance
    (:func:`solve` then gives OR-Tools its turn if PyVRP finds no plan)."""
    if engine == "pyvrp":
        why = unsupported(inst)
        if why is not None:
            raise ValueError(f"PyVRP does not support this instance ({why}); use --engine "
                             f"ortools or auto")
        return "pyvrp"
    if engine == "auto":
        return "pyvrp" if unsupported(inst) is None else "ortools"
    return "ortools"


def fallback_engine(inst: RoutingInstance, options: RoutingOptions,
                    ran: set[str]) -> str | None:
    """The engine that gets its turn when every search of the engines in ``ran`` ended
    without a plan: the other one, under ``auto``, where it applies."""
    if options.engine != "auto" or len(ran) != 1:
        return None
    other = "ortools" if ran == {"pyvrp"} else "pyvrp"
    return other if other == "ortools" or unsupported(inst) is None else None


def _run(inst: RoutingInstance, engine: str, settings: SearchSettings, seed: int,
         excluded: frozenset[str], report: Callable[[Found], None],
         finish_by: float | None, inbox: Callable[[], Found | None] | None = None) -> str:
    if engine == "pyvrp":  # the search gets what is left after start-up and building
        return search_pyvrp(inst, settings.time_limit, seed, report,
                            iterations=settings.solution_limit, excluded=excluded,
                            finish_by=finish_by, reserve=CHILD_RESERVE, inbox=inbox)
    if finish_by is not None:
        settings = replace(settings, time_limit=max(0.05, finish_by - time.time()
                                                    - CHILD_RESERVE))
    if settings.solution_limit is None:  # timed: a start whatever the heuristics manage
        return OrToolsModel(inst, excluded, soft=True).search(settings, report)
    # reproducible: the plain model first (as before); without a plan, the soft one, capped
    reason = OrToolsModel(inst, excluded).search(settings, report)
    if not reason.startswith("no solution"):
        return reason
    capped = replace(settings, time_limit=min(settings.time_limit or SOFT_RETRY_SECONDS,
                                              SOFT_RETRY_SECONDS))
    return OrToolsModel(inst, excluded, soft=True).search(capped, report)


def _child(inst: RoutingInstance, engine: str, settings: SearchSettings, seed: int,
           finish_by: float | None, conn: Connection,
           excluded: frozenset[str] = frozenset(), exchange: bool = False) -> None:
    def inbox() -> Found | None:  # the newest solution the parent passed on, if any
        latest = None
        while conn.poll():
            latest = conn.recv()
        return latest

    try:
        conn.send(("started", os.getpid()))  # the parent tells "could not start" from a crash
        reason = _run(inst, engine, settings, seed, excluded, conn.send, finish_by,
                      inbox if exchange else None)
        conn.send(("done", reason))
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group: the parent stops too
        conn.send(("interrupted", ""))
    except Exception as exc:  # report, never hang the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def search(
    inst: RoutingInstance, options: RoutingOptions,
    on_improve: Callable[[float, int], None] | None = None,
    excluded: frozenset[str] = frozenset(),
    engine: str = "ortools",
    on_found: Callable[[Found], None] | None = None,
    cancel: threading.Event | None = None,
    finish_by: float | None = None,
    outbox: Callable[[], Found | None] | None = None,
) -> tuple[Found | None, str, float]:
    """Run one search; returns the best solution, why it stopped, and the seconds taken.
    ``on_improve(elapsed, objective)`` is called for every improving solution and, with the
    best objective so far (or -1 before the first), about five times a second while waiting.
    Setting ``cancel`` stops an isolated search within about 0.2 s (a portfolio stops its
    members when one fails). ``finish_by`` (wall clock, ``time.time()``) ends an isolated
    search then instead of ``options.time_limit`` from now. ``outbox`` (isolated PyVRP
    searches) is asked about five times a second for a solution found elsewhere, which the
    search then starts from if it beats its own best. Raises :class:`SearchProcessError`
    when the search process dies."""
    start = time.perf_counter()
    limit = options.time_limit
    if limit is not None:  # one end time for the child's search and the parent's wait
        finish_by = time.time() + limit if finish_by is None else finish_by
        limit = max(0.05, finish_by - time.time())
    else:  # a solution limit alone: no end time
        finish_by = None
    inner = None if limit is None else max(0.05, limit * (1 - OVERHEAD_SHARE) - 0.1)
    settings = _settings(inst, options, inner)
    best: list[Found] = []

    def keep(found: Found) -> None:
        best.append(found)
        if on_found is not None:
            on_found(found)
        if on_improve is not None:
            on_improve(time.perf_counter() - start, found.objective)

    if not options.isolate:
        reason = _run(inst, engine, settings, options.seed, excluded, keep, None)
        return (best[-1] if best else None), reason, time.perf_counter() - start
    context = search_context()
    exchange = outbox is not None and engine == "pyvrp"
    parent, child = context.Pipe(duplex=exchange)
    process = context.Process(
        target=_child,
        args=(inst, engine, settings, options.seed, finish_by, child, excluded, exchange),
        daemon=True)
    process.start()
    child.close()
    deadline = math.inf if limit is None else start + limit + MARGIN_SECONDS
    reason, started, ended = "", False, True  # ended: reported its end or stopped by us
    try:
        while True:
            wait = deadline - time.perf_counter()
            if wait <= 0:
                reason = "stopped at the time limit (from outside the search)"
                break
            if cancel is not None and cancel.is_set():
                reason = "cancelled"
                break
            if exchange and started and (migrant := outbox()) is not None:
                parent.send(migrant)
            if not parent.poll(min(wait, 0.2)):
                if on_improve is not None:
                    on_improve(time.perf_counter() - start, best[-1].objective if best else -1)
                if not process.is_alive() and not parent.poll(0):
                    ended = False
                    break
                continue
            try:
                message = parent.recv()
            except EOFError:
                ended = False
                break
            if isinstance(message, Found):
                keep(message)
            elif message[0] == "started":
                started = True
            elif message[0] == "done":
                reason = message[1]
                break
            elif message[0] == "interrupted":
                raise KeyboardInterrupt
            else:
                raise RuntimeError(f"routing search failed: {message[1]}")
    finally:
        if process.is_alive():
            process.terminate()
        process.join(timeout=2)
        parent.close()
    if not ended:
        raise SearchProcessError(_death_message(process.exitcode, started, engine),
                                 process.exitcode, best[-1] if best else None)
    return (best[-1] if best else None), reason, time.perf_counter() - start


def solve(
    inst: RoutingInstance, options: RoutingOptions | None = None,
    on_improve: Callable[[float, int], None] | None = None,
) -> RoutePlan:
    """Solve ``inst``; the plan passed :func:`check_plan` and every unserved stop carries a
    computed reason. Heuristic search proves nothing, so a plan is ``feasible``; without any
    plan the status is ``no_solution``. Raises :class:`PlanCheckError` on a checker failure and
    :class:`SearchProcessError` when a search process dies (in a script, call this under
    ``if __name__ == "__main__":``)."""
    options = options or RoutingOptions()
    impossible = impossible_stops(inst)
    engine = engine_for(inst, options.engine)
    if (short := fleet_shortfall_plan(inst, options, impossible, engine)) is not None:
        return short
    found, reason, seconds = search(inst, options, on_improve, frozenset(impossible), engine)
    other = fallback_engine(inst, options, {engine})
    if found is None and other is not None:
        found, more, extra = search(inst, options, on_improve, frozenset(impossible), other)
        reason, seconds = f"{engine}: {reason}; {other}: {more}", seconds + extra
        if found is not None:
            engine = other
    blocked = sorted(s for s in impossible if inst.stop_by_id[s].drop_penalty is None)
    status = SolveStatus.FEASIBLE if found is not None else SolveStatus.NO_SOLUTION
    if blocked:  # proven: no plan serves these stops, and they must be served
        status = SolveStatus.INFEASIBLE
        reason = f"{len(blocked)} stop(s) that must be served cannot be: {', '.join(blocked[:5])}"
    summary = RoutingSummary(status=status, engine=engine, stop_reason=reason,
                             seconds=round(seconds, 3), time_limit=options.time_limit,
                             seed=options.seed)
    if found is None:
        return unsolved_plan(inst, summary, impossible)
    return finish_plan(inst, found.sequences, summary, frozenset(blocked))


def fleet_shortfall_plan(inst: RoutingInstance, options: RoutingOptions,
                         impossible: Mapping[str, tuple[str, str]], engine: str
                         ) -> RoutePlan | None:
    """The infeasible answer, without searching, when the fleet is proven too small for the
    stops that must be served (:func:`fleet_shortfall`); None when it is not."""
    why = fleet_shortfall(inst, impossible)
    if why is None:
        return None
    summary = RoutingSummary(status=SolveStatus.INFEASIBLE, engine=engine, stop_reason=why,
                             seconds=0.0, time_limit=options.time_limit, seed=options.seed)
    return unsolved_plan(inst, summary, impossible)


def unsolved_plan(inst: RoutingInstance, summary: RoutingSummary,
                  impossible: Mapping[str, tuple[str, str]]) -> RoutePlan:
    """The answer when no search found a plan: no routes; when must-serve stops are proven
    impossible (``summary`` is then infeasible) they are listed with their proven reasons."""
    unserved = tuple(Unserved(stop=s, reason=reason, detail=detail, penalty=None)
                     for s, (reason, detail) in impossible.items()
                     if inst.stop_by_id[s].drop_penalty is None)
    return RoutePlan(instance=inst.name, solve=summary, unserved=unserved,
                     unused_vehicles=tuple(f"{t}#{k}" for t, k in inst.vehicles))


def finish_plan(inst: RoutingInstance, sequences: Sequence[Sequenceable],
                summary: RoutingSummary, blocked: frozenset[str] = frozenset()) -> RoutePlan:
    """Assemble, explain the unserved stops, and check a plan from stop sequences. The only
    violations allowed are ``blocked`` stops (must be served, proven impossible) left out."""
    plan = assemble_plan(inst, sequences, summary)
    reasons = unserved_reasons(inst, plan)
    if reasons:
        plan = assemble_plan(inst, sequences, summary, reasons)
    report = check_plan(inst, plan)
    unexpected = [v for v in report.violations
                  if not (v.rule == "mandatory_unserved" and v.subject in blocked)]
    if unexpected:
        report.violations = unexpected
        raise PlanCheckError(plan, report)
    return plan


def with_limit(options: RoutingOptions, seconds: float) -> RoutingOptions:
    """The same options with another time limit."""
    return replace(options, time_limit=seconds)


def plan_key(inst: RoutingInstance, plan: RoutePlan) -> tuple[float, ...]:
    """How plans compare: fewer unserved must-serve stops first, then the instance objective
    (vehicles then distance, or cost)."""
    mandatory = {s.id for s in inst.stops if s.drop_penalty is None}
    blocked = sum(1 for u in plan.unserved if u.stop in mandatory)
    if inst.objective.kind == "vehicles_then_distance":
        return (blocked, plan.vehicles_used, plan.distance)
    return (blocked, plan.cost)
