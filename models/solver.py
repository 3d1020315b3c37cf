"""Solver options, solve status and an honest PuLP runner shared by the MILP models.

PuLP maps a time-limited incumbent to ``LpStatusOptimal``; this module never does.  The status
reported here is derived from the solver's own model status, the incumbent and the best bound:
``OPTIMAL`` only when the solver proved it (gap closed), ``FEASIBLE`` for any other incumbent.

Ctrl-C (SIGINT) during a HiGHS solve stops the solver within a moment (HiGHS runs in a thread
and is cancelled through its interrupt callbacks): with an incumbent the solve returns it as
``FEASIBLE`` with its bound and gap and a ``stop_reason`` starting with ``interrupted``; without
one, :class:`KeyboardInterrupt` propagates. Inside :func:`interruptible`, once a solve has been
interrupted every later solve raises :class:`KeyboardInterrupt` at once (so a multi-round solve
does not start its next round).
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal

import pulp

SolverName = Literal["highs", "cbc"]

#: A relative gap at or below this counts as closed (proven optimal).
PROVEN_GAP = 1e-9
#: An absolute gap at or below this counts as closed (proven optimal).
PROVEN_ABS_GAP = 1e-6


#: ``stop_reason`` of a solve stopped by Ctrl-C with an incumbent (always starts the text).
INTERRUPTED_REASON = "interrupted (Ctrl-C): the best plan found so far"

_interrupt_scopes = 0
_interrupted = False


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """A scope in which one Ctrl-C ends the whole computation: after a solve was interrupted,
    any further :func:`run_pulp` call raises :class:`KeyboardInterrupt` immediately."""
    global _interrupt_scopes, _interrupted
    if _interrupt_scopes == 0:
        _interrupted = False
    _interrupt_scopes += 1
    try:
        yield
    finally:
        _interrupt_scopes -= 1
        if _interrupt_scopes == 0:
            _interrupted = False


def was_interrupted(stop_reason: str) -> bool:
    """True when a solve's ``stop_reason`` says Ctrl-C stopped it."""
    return stop_reason.startswith("interrupted")


class SolveStatus(StrEnum):
    """Outcome of a solve. Only ``OPTIMAL`` means the solver proved optimality."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NO_SOLUTION = "no_solution"

    @property
    def has_solution(self) -> bool:
        """True when a plan (incumbent) exists."""
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


@dataclass(frozen=True)
class SolverOptions:
    """How to run the MILP solver.

    ``gap`` is the relative gap at which the solver may stop (0 = prove optimality).
    ``time_limit`` is in seconds (None = no limit).
    """

    solver: SolverName = "highs"
    time_limit: float | None = None
    gap: float = 0.0
    threads: int | None = None
    seed: int = 0
    log: bool = False
    #: Extra HiGHS options as (name, value) pairs, e.g. (("mip_heuristic_effort", 0.2),).
    highs_options: tuple[tuple[str, object], ...] = ()
    #: HiGHS only: start from the variables' current values (``varValue``) as an incumbent.
    warm_start: bool = False

    def __post_init__(self) -> None:
        if self.solver not in ("highs", "cbc"):
            raise ValueError(f"unknown solver {self.solver!r}; use 'highs' or 'cbc'")
        if self.time_limit is not None and self.time_limit <= 0:
            raise ValueError("time_limit must be positive")
        if not 0 <= self.gap < 1:
            raise ValueError("gap must be in [0, 1)")
        if self.threads is not None and self.threads < 1:
            raise ValueError("threads must be at least 1")


@dataclass(frozen=True)
class SolveInfo:
    """What the solver run produced, independent of the model."""

    status: SolveStatus
    stop_reason: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    solver: str
    solve_seconds: float
    #: Time inside the solver engine itself (the rest of solve_seconds is loading the model).
    engine_seconds: float | None = None


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """Relative gap |obj - bound| / max(|obj|, 1e-9) for a minimisation (None if unknown)."""
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)


def _classify(
    has_incumbent: bool, objective: float | None, bound: float | None, limit_hit: bool
) -> tuple[SolveStatus, str, float | None]:
    gap = relative_gap(objective, bound) if has_incumbent else None
    if not has_incumbent:
        return SolveStatus.NO_SOLUTION, "limit reached before any solution was found", None
    assert objective is not None
    closed = gap is not None and (
        gap <= PROVEN_GAP or (bound is not None and objective - bound <= PROVEN_ABS_GAP)
    )
    if closed and not limit_hit:
        return SolveStatus.OPTIMAL, "optimality proven", 0.0 if gap is None else gap
    if limit_hit:
        return SolveStatus.FEASIBLE, "time or iteration limit reached", gap
    return SolveStatus.FEASIBLE, "requested gap tolerance reached", gap


def run_pulp(problem: pulp.LpProblem, options: SolverOptions) -> SolveInfo:
    """Solve a minimisation ``problem`` with HiGHS (highspy) or CBC and classify the outcome."""
    if problem.sense != pulp.LpMinimize:
        raise ValueError("run_pulp expects a minimisation problem")
    if _interrupted and _interrupt_scopes > 0:
        raise KeyboardInterrupt
    if options.solver == "highs":
        return _run_highs(problem, options)
    return _run_cbc(problem, options)


@contextlib.contextmanager
def _quiet_stdout(quiet: bool) -> Iterator[None]:
    """Silence C-level stdout (HiGHS prints a banner when created, whatever its options)."""
    if not quiet:
        yield
        return
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (embedded use): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


class _HiGHS(pulp.HiGHS):  # type: ignore[misc, valid-type]
    """PuLP's HiGHS interface, tolerant of HiGHS statuses PuLP does not map (PuLP 3.3 raises
    KeyError on a node or solution limit). Our status comes from HiGHS itself anyway."""

    def __init__(self, warm_start: bool = False, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.warm_start = warm_start
        self.interrupted = False

    def callSolver(self, lp: pulp.LpProblem) -> None:
        if self.warm_start:
            import highspy

            start = highspy.HighsSolution()
            columns = sorted(lp.variables(), key=lambda v: v.index)
            start.col_value = [float(v.varValue or 0.0) for v in columns]
            start.value_valid = True
            lp.solverModel.setSolution(start)
        self.interrupted = False
        highs = lp.solverModel
        # HiGHS runs in a thread of highspy's; this thread waits in short steps so that Ctrl-C
        # reaches Python at once, and cancels the solve through HiGHS's interrupt callbacks.
        highs.HandleUserInterrupt = True
        highs.startSolve()
        try:
            while not highs.wait(0.1)[0]:
                pass
        except KeyboardInterrupt:
            self.interrupted = True
            highs.cancelSolve()
            while True:
                try:
                    if highs.wait(0.1)[0]:
                        break
                except KeyboardInterrupt:  # a second Ctrl-C: the solver is already stopping
                    continue
        finally:
            highs.HandleUserInterrupt = False

    def findSolutionValues(self, lp: pulp.LpProblem) -> tuple[int, int]:
        try:
            return super().findSolutionValues(lp)
        except KeyError:  # values were read before the failing status lookup
            return pulp.LpStatusNotSolved, pulp.LpSolutionIntegerFeasible


def _run_highs(problem: pulp.LpProblem, options: SolverOptions) -> SolveInfo:
    import highspy

    params: dict[str, object] = {"random_seed": int(options.seed), "mip_abs_gap": PROVEN_ABS_GAP,
                                 **dict(options.highs_options)}
    solver = _HiGHS(
        warm_start=options.warm_start,
        msg=options.log,
        timeLimit=options.time_limit,
        gapRel=options.gap,
        threads=options.threads,
        **params,
    )
    if options.threads is not None:
        # HiGHS keeps one thread scheduler per process and refuses a different thread count
        # once it exists (the solve then ends with status "Not Set"); start a fresh one.
        highspy.Highs.resetGlobalScheduler(True)
    start = time.perf_counter()
    with _quiet_stdout(not options.log):
        problem.solve(solver)
    seconds = time.perf_counter() - start
    highs = problem.solverModel
    if solver.interrupted:
        return _interrupted_result(problem, highs, seconds)
    engine = float(highs.getRunTime())
    model_status = highs.getModelStatus()
    info = highs.getInfo()
    status_enum = highspy.HighsModelStatus
    if model_status in (status_enum.kInfeasible,):
        return SolveInfo(SolveStatus.INFEASIBLE, "proven infeasible", None, None, None, "highs",
                         seconds, engine)
    if model_status in (status_enum.kUnbounded, status_enum.kUnboundedOrInfeasible):
        status = (
            SolveStatus.UNBOUNDED
            if model_status == status_enum.kUnbounded
            else SolveStatus.INFEASIBLE
        )
        return SolveInfo(status, "proven unbounded or infeasible", None, None, None, "highs",
                         seconds, engine)
    has_incumbent = info.primal_solution_status == 2  # kSolutionStatusFeasible
    objective = float(info.objective_function_value) if has_incumbent else None
    if options.warm_start and objective is not None:
        # Seen with HiGHS 1.16: when presolve settles a warm-started MIP outright, it reports
        # the optimum's value but hands back the start's column values. Solve cold then.
        recomputed = float(pulp.value(problem.objective) or 0.0)
        if abs(recomputed - objective) > 1e-6 * max(1.0, abs(objective)):
            cold = replace(options, warm_start=False, time_limit=None if options.time_limit
                           is None else max(options.time_limit - seconds, 0.01))
            again = _run_highs(problem, cold)
            return replace(again, solve_seconds=again.solve_seconds + seconds,
                           engine_seconds=(again.engine_seconds or 0.0) + engine)
    bound = float(info.mip_dual_bound) if problem.isMIP() else objective
    if bound is not None and not math.isfinite(bound):
        bound = None
    limit_hit = model_status in (
        status_enum.kTimeLimit,
        status_enum.kIterationLimit,
        status_enum.kInterrupt,
        status_enum.kSolutionLimit,
    )
    if model_status not in (status_enum.kOptimal,) and not limit_hit and not has_incumbent:
        return SolveInfo(
            SolveStatus.NO_SOLUTION, f"solver stopped: {highs.modelStatusToString(model_status)}",
            None, None, None, "highs", seconds, engine,
        )
    status, reason, gap = _classify(has_incumbent, objective, bound, limit_hit)
    return SolveInfo(status, reason, objective, bound, gap, "highs", seconds, engine)


def _interrupted_result(problem: pulp.LpProblem, highs: object, seconds: float) -> SolveInfo:
    """The incumbent of a solve stopped by Ctrl-C (``FEASIBLE``, with bound and gap), or
    :class:`KeyboardInterrupt` when there is none."""
    global _interrupted
    _interrupted = True
    info = highs.getInfo()  # type: ignore[attr-defined]
    if info.primal_solution_status != 2:  # no incumbent
        raise KeyboardInterrupt
    objective = float(info.objective_function_value)
    bound = float(info.mip_dual_bound) if problem.isMIP() else None
    if bound is not None and not math.isfinite(bound):
        bound = None
    return SolveInfo(SolveStatus.FEASIBLE, INTERRUPTED_REASON, objective, bound,
                     relative_gap(objective, bound), "highs", seconds,
                     float(highs.getRunTime()))  # type: ignore[attr-defined]


_CBC_BOUND = re.compile(r"^(?:Lower bound|Best possible):\s*(-?[0-9.eE+-]+)", re.MULTILINE)
_CBC_RESULT = re.compile(r"^Result - (.*)$", re.MULTILINE)


def _run_cbc(problem: pulp.LpProblem, options: SolverOptions) -> SolveInfo:
    fd, log_path = tempfile.mkstemp(prefix="cbc-", suffix=".log")
    os.close(fd)
    try:
        with warnings.catch_warnings():  # PuLP 3.3 marks its bundled CBC as deprecated
            warnings.simplefilter("ignore", DeprecationWarning)
            solver = pulp.PULP_CBC_CMD(
                msg=False,
                timeLimit=options.time_limit,
                gapRel=options.gap,
                threads=options.threads,
                logPath=log_path,
                options=[f"randomCbcSeed {int(options.seed) + 1}"],
            )
        start = time.perf_counter()
        problem.solve(solver)
        seconds = time.perf_counter() - start
        with open(log_path, encoding="utf-8", errors="replace") as fh:
            log = fh.read()
    finally:
        os.unlink(log_path)
    if options.log:
        print(log)
    result = _CBC_RESULT.search(log)
    result_text = result.group(1).strip() if result else ""
    claims_infeasible = (problem.status == pulp.LpStatusInfeasible
                         or "infeasible" in result_text.lower())
    if claims_infeasible and options.time_limit is not None \
            and "Pre-processing says infeasible" in log and "Continuous objective value" in log:
        # CBC's preprocessing, cut short by the time limit, says "infeasible or unbounded"
        # although the LP relaxation was feasible: nothing is proven (seen at 0.001 s).
        return SolveInfo(SolveStatus.NO_SOLUTION, "time limit (CBC preprocessing stopped; "
                         "infeasibility not proven)", None, None, None, "cbc", seconds)
    if claims_infeasible:
        return SolveInfo(SolveStatus.INFEASIBLE, "proven infeasible", None, None, None, "cbc",
                         seconds)
    if problem.status == pulp.LpStatusUnbounded or "unbounded" in result_text.lower():
        return SolveInfo(SolveStatus.UNBOUNDED, "proven unbounded", None, None, None, "cbc",
                         seconds)
    has_incumbent = problem.sol_status in (
        pulp.LpSolutionOptimal,
        pulp.LpSolutionIntegerFeasible,
    )
    objective = pulp.value(problem.objective) if has_incumbent else None
    objective = float(objective) if objective is not None else None
    limit_hit = result_text.lower().startswith("stopped")
    match = _CBC_BOUND.search(log)
    if match:
        bound: float | None = float(match.group(1))
    elif (has_incumbent and problem.sol_status == pulp.LpSolutionOptimal
          and options.gap == 0 and "tolerance" not in result_text.lower()):
        bound = objective  # proven optimal: CBC prints no separate bound then
    else:
        bound = None
    if not problem.isMIP() and has_incumbent and not limit_hit:
        bound = objective
    status, reason, gap = _classify(has_incumbent, objective, bound, limit_hit)
    return SolveInfo(status, reason, objective, bound, gap, "cbc", seconds)
