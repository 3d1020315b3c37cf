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

Inside :func:`reporting_progress`, HiGHS MIP solves report their incumbent, bound and gap to a
hook about twice a second (HiGHS's callbacks only store the values; the thread waiting for the
solver calls the hook). HiGHS's banner, printed at the first ``Highs()`` of a process, is kept
off stdout by :func:`absorb_highs_banner` without redirecting stdout during solves, so other
threads' output is never swallowed.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextvars import ContextVar
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


#: How the HiGHS banner lines start (printed by the first ``Highs()`` of a process only).
HIGHS_BANNER = (b"Running HiGHS", b"Includes third-party software components")

_banner_lock = threading.Lock()
_banner_absorbed = False


def absorb_highs_banner() -> None:
    """Create this process's first ``Highs()`` with fd 1 sent to a temporary file, then write
    back to fd 1 everything captured except the HiGHS banner lines.

    HiGHS prints its banner on stdout (C level, whatever its options) when the first
    ``Highs()`` of a process is created, and never again. Only that construction is redirected,
    under a lock and once per process, so output of other threads written meanwhile (``print``
    or ``os.write(1, ...)``) is not lost: it is written back right after."""
    global _banner_absorbed
    if _banner_absorbed:
        return
    with _banner_lock:
        if _banner_absorbed:
            return
        import highspy

        with contextlib.suppress(AttributeError, OSError, ValueError):  # no usable stdout
            sys.stdout.flush()
        try:
            saved = os.dup(1)
        except OSError:  # no fd 1 (embedded use): nothing to silence
            highspy.Highs()
            _banner_absorbed = True
            return
        with tempfile.TemporaryFile() as capture:
            os.dup2(capture.fileno(), 1)
            try:
                highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                _banner_absorbed = True
            capture.seek(0)
            captured = capture.read()
        kept = b"".join(line for line in captured.splitlines(keepends=True)
                        if not line.startswith(HIGHS_BANNER))
        while kept:
            try:
                kept = kept[os.write(1, kept):]
            except OSError:  # stdout closed meanwhile: nothing more to do
                break


@contextlib.contextmanager
def _quiet_stdout(quiet: bool) -> Iterator[None]:
    """A scope in which ``Highs()`` prints no banner (see :func:`absorb_highs_banner`);
    fd 1 is not redirected inside it, so other threads' output goes where it should."""
    if quiet:
        absorb_highs_banner()
    yield


@dataclass(frozen=True)
class MipProgress:
    """What a running HiGHS MIP solve has so far: the incumbent's objective, the dual bound
    and the relative gap (None when not known yet)."""

    objective: float | None
    bound: float | None
    gap: float | None


MipProgressHook = Callable[[MipProgress], None]

#: The hook HiGHS MIP solves of this context report to (see :func:`reporting_progress`).
_progress_hook: ContextVar[MipProgressHook | None] = ContextVar("mip_progress_hook",
                                                                 default=None)

#: Seconds between two progress reports of one solve (about two a second).
PROGRESS_EVERY = 0.5


@contextlib.contextmanager
def reporting_progress(hook: MipProgressHook | None) -> Iterator[None]:
    """A scope in which every HiGHS MIP solve run by :func:`run_pulp` in this thread (context)
    calls ``hook(MipProgress)`` about twice a second while the values change, and once at the
    end when they changed since the last report. The hook runs in the thread that waits for
    the solver (the caller's), never in HiGHS's own thread."""
    token = _progress_hook.set(hook)
    try:
        yield
    finally:
        _progress_hook.reset(token)


def _finite(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) and abs(value) < 1e30 else None


class _MipWatch:
    """Subscribes to HiGHS's MIP callbacks, which only store the latest values (HiGHS's
    thread); :meth:`report` passes them on to the hook (the waiting thread), throttled."""

    def __init__(self, highs: object, hook: MipProgressHook) -> None:
        self.highs = highs
        self.hook = hook
        self.latest: tuple[float | None, float | None, float | None] = (None, None, None)
        self.reported = self.latest
        self.at = -math.inf
        highs.cbMipImprovingSolution += self._improved  # type: ignore[attr-defined]
        highs.cbMipInterrupt += self._polled  # type: ignore[attr-defined]

    def _improved(self, event: object) -> None:
        out = event.data_out  # type: ignore[attr-defined]
        _old, bound, gap = self.latest
        self.latest = (_finite(out.objective_function_value), bound, gap)

    def _polled(self, event: object) -> None:
        out = event.data_out  # type: ignore[attr-defined]
        objective = _finite(out.mip_primal_bound)
        gap = _finite(out.mip_gap) if objective is not None else None
        self.latest = (objective if objective is not None else self.latest[0],
                       _finite(out.mip_dual_bound), gap)

    def report(self, final: bool = False) -> None:
        latest = self.latest
        now = time.perf_counter()
        if latest == self.reported or (not final and now - self.at < PROGRESS_EVERY):
            return
        self.reported, self.at = latest, now
        self.hook(MipProgress(*latest))

    def detach(self) -> None:
        self.highs.cbMipImprovingSolution -= self._improved  # type: ignore[attr-defined]
        self.highs.cbMipInterrupt -= self._polled  # type: ignore[attr-defined]


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
        hook = _progress_hook.get()
        watch = _MipWatch(highs, hook) if hook is not None and lp.isMIP() else None
        highs.startSolve()
        try:
            while not highs.wait(0.1)[0]:
                if watch is not None:
                    watch.report()
            if watch is not None:
                watch.report(final=True)
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
            if watch is not None:
                watch.detach()

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
