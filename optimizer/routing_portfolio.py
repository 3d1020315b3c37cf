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
from threading import Lock

from models.routing import (
    Found,
    RoutePlan,
    RoutingInstance,
    RoutingOptions,
    RoutingSummary,
    assemble_plan,
    engine_for,
    finish_plan,
    impossible_stops,
    plan_key,
    search,
)
from models.solver import SolveStatus

#: Seconds between recomputations of the best cost shown while searching.
PROGRESS_EVERY = 2.0


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
    """The portfolio for ``workers`` processes: the chosen engine first, then alternatives."""
    main = engine_for(inst, options.engine)
    pool: list[Member] = []
    if main == "pyvrp":  # measured: more PyVRP seeds beat adding an OR-Tools member
        pool += [Member("pyvrp", "auto", "gls", options.seed + i) for i in range(workers)]
    else:
        variants = [(options.first_solution, options.metaheuristic), ("savings", "gls"),
                    ("parallel_insertion", "tabu"), ("cheapest_arc", "gls"),
                    ("auto", "annealing")]
        pool += [Member("ortools", f, m, options.seed + i) for i, (f, m) in enumerate(variants)]
    return pool[:max(1, workers)]


def solve_portfolio(
    inst: RoutingInstance, options: RoutingOptions, workers: int = 1,
    on_progress: Callable[[float, float | None], None] | None = None,
) -> RoutePlan:
    """Run ``workers`` searches at once and return the best plan (checked, explained).

    ``on_progress(elapsed, best cost so far or None)`` is called about twice a second; the best
    cost is recomputed from the members' latest solutions at most every ``PROGRESS_EVERY``
    seconds (it costs a plan assembly)."""
    impossible = impossible_stops(inst)
    excluded = frozenset(impossible)
    team = members(inst, options, workers)
    lock = Lock()
    latest: dict[int, Found] = {}
    shown: list[float | None] = [None, -math.inf]  # best cost, when it was computed
    start = time.perf_counter()
    summary0 = RoutingSummary(status=SolveStatus.FEASIBLE, engine="", stop_reason="")

    def tick(_elapsed: float, _objective: int) -> None:
        if on_progress is None:
            return
        now = time.perf_counter() - start
        with lock:
            if latest and now - shown[1] >= PROGRESS_EVERY:
                costs = [assemble_plan(inst, f.sequences, summary0).cost for f in latest.values()]
                shown[0], shown[1] = min(costs), now
            on_progress(now, shown[0])

    def run(member: Member) -> tuple[Member, Found | None, str, float]:
        member_options = replace(options, seed=member.seed, first_solution=member.first_solution,
                                 metaheuristic=member.metaheuristic)

        def found(solution: Found) -> None:
            with lock:
                latest[id(member)] = solution

        result = search(inst, member_options, tick, excluded, member.engine, found)
        return member, *result

    with ThreadPoolExecutor(max_workers=len(team)) as pool:
        results = list(pool.map(run, team))
    blocked = frozenset(s for s in impossible if inst.stop_by_id[s].drop_penalty is None)
    candidates = []
    for member, found, reason, seconds in results:
        if found is None:
            continue
        summary = _summary(member, reason, seconds, options, blocked, results)
        plan = finish_plan(inst, found.sequences, summary, blocked)
        candidates.append(plan)
    if not candidates:
        summary = RoutingSummary(status=SolveStatus.NO_SOLUTION, engine="portfolio",
                                 stop_reason="no member found a plan",
                                 seconds=round(time.perf_counter() - start, 3),
                                 time_limit=options.time_limit, seed=options.seed)
        return RoutePlan(instance=inst.name, solve=summary)
    return min(candidates, key=lambda p: plan_key(inst, p))


def _summary(member: Member, reason: str, seconds: float, options: RoutingOptions,
             blocked: frozenset[str], results: list) -> RoutingSummary:
    status = SolveStatus.INFEASIBLE if blocked else SolveStatus.FEASIBLE
    if blocked:
        reason = f"{len(blocked)} stop(s) that must be served cannot be: " \
                 f"{', '.join(sorted(blocked)[:5])}"
    others = "; ".join(f"{m.label}: {'plan' if f is not None else 'none'} ({r})"
                       for m, f, r, _s in results)
    return RoutingSummary(status=status, engine=member.label, stop_reason=reason,
                          seconds=round(max(s for *_x, s in results), 3),
                          time_limit=options.time_limit, seed=member.seed,
                          portfolio=others if len(results) > 1 else "")
