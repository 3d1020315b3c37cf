"""A portfolio of independent routing searches, one per worker, returning the best checked plan.

Each member is a separate process (engine, strategy, seed), stopped from outside at the time
limit; this process only waits on pipes, so threads are enough to drive them. Members differ by
engine (PyVRP where it supports the instance), OR-Tools first-solution strategy and
metaheuristic, and seed. Given the same seeds and solution/iteration limits instead of a time
limit, the result is reproducible.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from threading import Event, Lock

from models.routing import (
    Found,
    PlanCheckError,
    RoutePlan,
    RoutingInstance,
    RoutingOptions,
    RoutingSummary,
    assemble_plan,
    engine_for,
    fallback_engine,
    finish_plan,
    fleet_shortfall_plan,
    impossible_stops,
    plan_key,
    pyvrp_unsupported,
    search,
    unsolved_plan,
)
from models.solver import SolveStatus

#: Seconds between recomputations of the best cost shown while searching.
PROGRESS_EVERY = 2.0
#: Least seconds between two solutions passed on to one PyVRP member (None: never).
EXCHANGE_EVERY: float | None = 3.0


class Exchange:
    """The PyVRP members' best solutions, passed on between them: a member whose best is worse
    than another's gets that one (at most every ``every`` seconds) and moves its search there
    (an island scheme: the members search apart and meet at the best they found)."""

    def __init__(self, every: float) -> None:
        self.every = every
        self.lock = Lock()
        self.best: dict[int, int] = {}
        self.top: tuple[int, Found] | None = None
        self.sent: dict[int, float] = {}

    def offer(self, member: int, found: Found) -> None:
        """Member ``member`` reported ``found``."""
        with self.lock:
            self.best[member] = min(found.objective, self.best.get(member, found.objective))
            if self.top is None or found.objective < self.top[1].objective:
                self.top = (member, found)

    def outbox(self, member: int) -> Callable[[], Found | None]:
        """What member ``member``'s search is asked for a solution to start from."""
        def take() -> Found | None:
            now = time.monotonic()
            with self.lock:
                if (self.top is None or self.top[0] == member
                        or self.top[1].objective >= self.best.get(member, math.inf)
                        or now - self.sent.get(member, -math.inf) < self.every):
                    return None
                self.sent[member] = now
                self.best[member] = self.top[1].objective
                return self.top[1]
        return take


@dataclass(frozen=True)
class Member:
    """One search of the portfolio."""

    engine: str
    first_solution: str
    metaheuristic: str
    seed: int

    @property
    def label(self) -> str:
        """Short description for the plan summary."""
        if self.engine == "pyvrp":
            return f"pyvrp seed {self.seed}"
        return f"ortools {self.first_solution}/{self.metaheuristic} seed {self.seed}"


def members(inst: RoutingInstance, options: RoutingOptions, workers: int) -> list[Member]:
    """The portfolio for ``workers`` processes, the engine of the first member first.

    ``auto`` where PyVRP applies: both engines (PyVRP first, then OR-Tools, then alternating)
    on delivery days with hourly, fixed or drop costs; PyVRP seeds only on distance-only
    instances, where PyVRP seeds beat adding an OR-Tools member (measured on CVRPLIB X)."""
    main = engine_for(inst, options.engine)
    variants = [(options.first_solution, options.metaheuristic), ("savings", "gls"),
                ("parallel_insertion", "tabu"), ("cheapest_arc", "gls"), ("auto", "annealing")]
    ortools = [Member("ortools", f, m, options.seed + i) for i, (f, m) in enumerate(variants)]
    pyvrp = [Member("pyvrp", "auto", "gls", options.seed + i) for i in range(max(1, workers))]
    if main == "ortools":
        pool = ortools
    elif options.engine == "pyvrp" or distance_only(inst):
        pool = pyvrp
    else:
        pool = [m for pair in zip(pyvrp, ortools, strict=False) for m in pair]
    return pool[:max(1, workers)]


def distance_only(inst: RoutingInstance) -> bool:
    """No hourly or fixed costs and no optional stops: the benchmark sets' objective."""
    return inst.objective.kind == "vehicles_then_distance" or (
        all(vt.cost_per_hour == 0 and vt.fixed_cost == 0 for vt in inst.vehicle_types)
        and all(s.drop_penalty is None for s in inst.stops))


_NAMES = {"pyvrp": "PyVRP", "ortools": "OR-Tools"}


def engine_choice(inst: RoutingInstance, options: RoutingOptions, team: list[Member],
                  found: bool | None = None, turn: tuple[Member, bool] | None = None) -> str:
    """Why these engines ran and what came of it, in a sentence for the plan (true whatever
    the outcome).

    ``team`` ran at once; ``found``: whether any of them found a plan (None: not known, e.g.
    after Ctrl-C); ``turn``: the member of the other engine that got its turn after ``team``
    found nothing, and whether it found a plan."""
    why = pyvrp_unsupported(inst)
    engines = sorted({m.engine for m in team})
    both = engines == ["ortools", "pyvrp"]
    if options.engine != "auto":
        head = f"--engine {options.engine}"
    elif why is not None:
        head = f"auto: OR-Tools only (PyVRP does not support {why})"
    elif both:
        head = "auto: both engines ran at once"
    elif distance_only(inst) and len(team) > 1:
        head = "auto: PyVRP seeds only (distance-only instance, where PyVRP leads)"
    else:
        head = "auto: PyVRP (one worker)"
    if turn is not None:
        first = " and ".join(_NAMES[e] for e in engines)
        other, other_found = _NAMES[turn[0].engine], turn[1]
        return (f"{head}; {first} found no plan in its time limit, so {other} got its turn "
                f"(a time limit of its own): "
                + ("its plan is the answer" if other_found else "it found no plan either"))
    if found is None:
        return head + ("; stopped early: the cheaper checked plan found so far won" if both
                       else "")
    if not found:
        return head + ("; neither engine found a plan" if both else "; no plan found")
    if both:
        return head + "; the cheaper checked plan won"
    if head == "auto: PyVRP (one worker)":
        return "auto: PyVRP (one worker; OR-Tools runs only if PyVRP finds no plan)"
    return head


def solve_portfolio(
    inst: RoutingInstance, options: RoutingOptions, workers: int = 1,
    on_progress: Callable[[float, float | None], None] | None = None,
    finish_by: float | None = None, exchange_every: float | None = EXCHANGE_EVERY,
) -> RoutePlan:
    """Run ``workers`` searches at once and return the best plan (checked, explained).

    ``on_progress(elapsed, best cost so far or None)`` is called about twice a second; the best
    cost is recomputed from the members' latest solutions at most every ``PROGRESS_EVERY``
    seconds (it costs a plan assembly). ``finish_by`` (wall clock, ``time.time()``) ends the
    searches then rather than ``options.time_limit`` from now (the command line counts its
    own start-up and output in the limit). PyVRP members pass their best solutions on to each
    other (:class:`Exchange`) at most every ``exchange_every`` seconds (None, or a solution
    limit, which makes a run reproducible: they search independently). A member whose search
    process dies stops the others and raises :class:`models.routing.SearchProcessError`."""
    impossible = impossible_stops(inst)
    short = fleet_shortfall_plan(inst, options, impossible, "portfolio")
    if short is not None:  # proven: no search can serve every must-serve stop
        return short
    excluded = frozenset(impossible)
    team = members(inst, options, workers)
    lock = Lock()
    latest: dict[int, Found] = {}
    shown: list[float | None] = [None, -math.inf]  # best cost, when it was computed
    start = time.perf_counter()
    summary0 = RoutingSummary(status=SolveStatus.FEASIBLE, engine="", stop_reason="")
    cancel = Event()
    pyvrp_members = [i for i, m in enumerate(team) if m.engine == "pyvrp"]
    exchange = Exchange(exchange_every) if exchange_every is not None and len(
        pyvrp_members) > 1 and options.solution_limit is None else None  # keeps reproducible

    def tick(_elapsed: float, _objective: int) -> None:
        if on_progress is None:
            return
        now = time.perf_counter() - start
        with lock:
            if latest and now - shown[1] >= PROGRESS_EVERY:
                costs = [assemble_plan(inst, f.sequences, summary0).cost for f in latest.values()]
                shown[0], shown[1] = min(costs), now
            on_progress(now, shown[0])

    def run(member: Member, until: float | None = finish_by
            ) -> tuple[Member, Found | None, str, float]:
        member_options = replace(options, seed=member.seed, first_solution=member.first_solution,
                                 metaheuristic=member.metaheuristic)
        number = team.index(member) if member in team else -1
        swaps = exchange is not None and number in pyvrp_members

        def found(solution: Found) -> None:
            with lock:
                latest[id(member)] = solution
            if swaps:
                exchange.offer(number, solution)

        try:
            result = search(inst, member_options, tick, excluded, member.engine, found, cancel,
                            finish_by=until,
                            outbox=exchange.outbox(number) if swaps else None)
        except BaseException:  # a dead search process (or Ctrl-C): stop the others at once
            cancel.set()
            raise
        return member, *result

    blocked = frozenset(s for s in impossible if inst.stop_by_id[s].drop_penalty is None)
    interrupted = False
    with ThreadPoolExecutor(max_workers=len(team)) as pool:
        try:
            results = list(pool.map(run, team))
        except KeyboardInterrupt:  # Ctrl-C reaches this (main) thread: stop every search at
            cancel.set()           # once (leaving the pool waits for them), keep the best
            interrupted = True
        except BaseException:
            cancel.set()
            raise
    if interrupted:
        with lock:
            found_so_far = list(latest.values())
        return _interrupted_plan(inst, found_so_far, blocked, options,
                                 engine_choice(inst, options, team),
                                 time.perf_counter() - start)
    other = fallback_engine(inst, options, {m.engine for m in team})
    any_found = any(found is not None for _m, found, _r, _s in results)
    turn = None
    if other is not None and not any_found:
        # one engine found nothing: the other gets its turn, with a time limit of its own
        fallback = Member(other, options.first_solution, options.metaheuristic, options.seed)
        results.append(run(fallback, None))
        turn = (fallback, results[-1][1] is not None)
    choice = engine_choice(inst, options, team, any_found, turn)
    elapsed = time.perf_counter() - start  # every turn, process start-ups included
    candidates = []
    for member, found, reason, _seconds in results:
        if found is None:
            continue
        summary = _summary(member, reason, elapsed, options, blocked, results, choice)
        plan = finish_plan(inst, found.sequences, summary, blocked)
        candidates.append(plan)
    if not candidates:  # proven impossible must-serve stops make it infeasible, as in solve()
        summary = RoutingSummary(status=SolveStatus.INFEASIBLE if blocked
                                 else SolveStatus.NO_SOLUTION, engine="portfolio",
                                 stop_reason=_blocked_reason(blocked) if blocked
                                 else "no member found a plan",
                                 engine_choice=choice, seconds=round(elapsed, 3),
                                 time_limit=options.time_limit, seed=options.seed)
        return unsolved_plan(inst, summary, impossible)
    return min(candidates, key=lambda p: plan_key(inst, p))


def _summary(member: Member, reason: str, seconds: float, options: RoutingOptions,
             blocked: frozenset[str], results: list, choice: str) -> RoutingSummary:
    status = SolveStatus.INFEASIBLE if blocked else SolveStatus.FEASIBLE
    if blocked:
        reason = _blocked_reason(blocked)
    others = "; ".join(f"{m.label}: {'plan' if f is not None else 'none'} ({r})"
                       for m, f, r, _s in results)
    return RoutingSummary(status=status, engine=member.label, stop_reason=reason,
                          seconds=round(seconds, 3),
                          time_limit=options.time_limit, seed=member.seed,
                          portfolio=others if len(results) > 1 else "", engine_choice=choice)


def _blocked_reason(blocked: frozenset[str]) -> str:
    return f"{len(blocked)} stop(s) that must be served cannot be: " \
           f"{', '.join(sorted(blocked)[:5])}"


def _interrupted_plan(inst: RoutingInstance, found: list[Found], blocked: frozenset[str],
                      options: RoutingOptions, choice: str, seconds: float) -> RoutePlan:
    """After Ctrl-C: the best checked plan the searches had reported, its stop reason saying
    so; with none, the interrupt goes on (nothing to keep)."""
    summary = RoutingSummary(
        status=SolveStatus.INFEASIBLE if blocked else SolveStatus.FEASIBLE, engine="portfolio",
        stop_reason="interrupted (Ctrl-C): the best plan found so far"
                    + (f"; {_blocked_reason(blocked)}" if blocked else ""),
        seconds=round(seconds, 3), time_limit=options.time_limit, seed=options.seed,
        engine_choice=choice)
    plans = []
    for solution in found:
        try:
            plans.append(finish_plan(inst, solution.sequences, summary, blocked))
        except PlanCheckError:  # a search's intermediate solution that is not a plan
            continue
    if not plans:
        raise KeyboardInterrupt
    return min(plans, key=lambda p: plan_key(inst, p))
