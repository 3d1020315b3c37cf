"""Exact capacitated facility location (CFLP / single-source CFLP) on numpy arrays.

:func:`solve_facility_problem` is the engine the network model calls when its structure is a
pure facility-location problem: open facilities (fixed cost, capacity) and serve every
customer's demand from open facilities at a cost per unit. It returns ``optimal`` only when a
bound proves it; the method (measured in benchmarks/studies/cflp-exact.md) is:

1. multi-source with m*n >= 20 000 (the large OR-Library ``capa/capb/capc`` shape): a
   Lagrangean relaxation of the demand rows with the capacity-cover knapsack kept integer
   (Beasley 1988), subgradient multipliers, upper bounds from transportation LPs over open
   sets (ascent sets, then a drop/add/swap local search), Lagrangean probing that fixes
   facilities open or closed, then the strong MILP over the facilities still free with
   strong links only on each customer's cheapest arcs in reduced cost (exact);
2. single-source with m*n >= 2 000: an upper bound from the multi-source relaxation's open
   facilities (the relaxation's bound is kept), then the full single-source MILP with that
   start and cutoff;
3. otherwise, the strong MILP (``x_ij <= y_i`` + capacity cover, numpy-built, HiGHS) alone.

Status mapping (the caller maps to ``models.solver.SolveStatus`` by value): ``optimal`` = the
bound is within ``max(1e-6, 1e-9 * |objective|)`` of the objective (the tolerances of
``models.solver``); ``feasible`` = a solution with a larger gap (time limit, or the requested
``gap`` reached); ``infeasible`` = proven that no solution exists; ``no_solution`` = the time
ran out before any solution was found.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import highspy
import numpy as np

from models.network.cflp_lagrange import CoverData, probe, subgradient
from models.network.cflp_mip import build_mip, solve_mip, transport_lp
from models.network.cflp_search import local_search
from models.solver import PROVEN_ABS_GAP, PROVEN_GAP

#: Multi-source problems with at least this many (facility, customer) pairs go through the
#: Lagrangean phase first (smaller ones are solved by the MILP alone in well under a second).
LAGRANGE_MIN_ARCS = 20_000
#: The same threshold for single-source problems (0-1 knapsack subproblems).
LAGRANGE_MIN_ARCS_SINGLE: int | None = None
#: Single-source problems with at least this many pairs get an upper bound first, from the
#: multi-source relaxation (``WARM_SHARE`` of the time, relative gap ``WARM_GAP``) and the
#: single-source MILP over the facilities that relaxation opens (``WARM_SHARE`` again).
SINGLE_WARM_MIN_ARCS = 2_000
WARM_SHARE = 0.1
WARM_GAP = 1e-3
#: Time limit of each single-source assignment MILP used for upper bounds.
ASSIGN_SECONDS = 2.0
#: Subgradient iterations before and after the restricted MILP, and how often (at most)
#: an open set is priced by a transportation LP (or assignment MILP) for an upper bound.
STAGE1_ITERATIONS = 300
STAGE2_ITERATIONS = 300
UB_EVERY = 10
#: Share of the time limit for the upper-bound search after the first Lagrangean stage
#: (local search over open sets; a restricted MILP under single sourcing).
SEARCH_SHARE = 0.1
#: In the final MILP after the Lagrangean phase, strong links x_ij <= y_i only on this many
#: cheapest arcs (Lagrangean reduced cost) per customer. Reduced MILPs proved in (seconds,
#: cflp-exact.md): capb_6000 85/50/39/37/44/60 and capc_5750 -/30/30/41/-/- with
#: 3/5-6/8/10/15/20 links; over 120 s with all of them.
STRONG_LINKS_PER_CUSTOMER = 8
#: Share of the time limit the Lagrangean phase may use at most.
LAGRANGE_SHARE = 0.3


@dataclass(frozen=True)
class FacilityProblem:
    """A capacitated facility-location instance (minimise fixed + unit transport costs).

    ``unit_cost[i, j]`` is the cost per UNIT shipped from facility i to customer j
    (``np.inf`` = lane forbidden); ``capacity`` is in the same units as ``demand``
    (``np.inf`` = uncapacitated). Validated on construction (``ValueError`` names the field).
    """

    fixed_cost: np.ndarray
    capacity: np.ndarray
    demand: np.ndarray
    unit_cost: np.ndarray
    single_source: bool = False
    must_open: np.ndarray | None = None
    must_close: np.ndarray | None = None
    min_open: int = 0
    max_open: int | None = None

    def __post_init__(self) -> None:
        f = np.asarray(self.fixed_cost, dtype=float)
        s = np.asarray(self.capacity, dtype=float)
        d = np.asarray(self.demand, dtype=float)
        c = np.asarray(self.unit_cost, dtype=float)
        if f.ndim != 1 or len(f) == 0:
            raise ValueError("fixed_cost: must be a non-empty 1-D array (one per facility)")
        m = len(f)
        if d.ndim != 1 or len(d) == 0:
            raise ValueError("demand: must be a non-empty 1-D array (one per customer)")
        n = len(d)
        if s.shape != (m,):
            raise ValueError(f"capacity: shape {s.shape}, expected ({m},)")
        if c.shape != (m, n):
            raise ValueError(f"unit_cost: shape {c.shape}, expected ({m}, {n})")
        if not np.all(np.isfinite(f)) or np.any(f < 0):
            raise ValueError("fixed_cost: every value must be finite and >= 0")
        if np.any(np.isnan(s)) or np.any(s <= 0):
            raise ValueError("capacity: every value must be > 0 (np.inf = uncapacitated)")
        if not np.all(np.isfinite(d)) or np.any(d <= 0):
            raise ValueError("demand: every value must be finite and > 0")
        if np.any(np.isnan(c)) or np.any(c == -np.inf):
            raise ValueError("unit_cost: NaN or -inf (np.inf marks a forbidden lane)")
        masks = {}
        for name in ("must_open", "must_close"):
            v = getattr(self, name)
            if v is None:
                masks[name] = np.zeros(m, bool)
                continue
            v = np.asarray(v)
            if v.shape != (m,) or v.dtype != bool:
                raise ValueError(f"{name}: must be a bool array of shape ({m},)")
            masks[name] = v.copy()
        both = np.flatnonzero(masks["must_open"] & masks["must_close"])
        if len(both):
            raise ValueError(f"must_open and must_close: facility {int(both[0])} is in both")
        if int(self.min_open) != self.min_open or self.min_open < 0:
            raise ValueError("min_open: must be an integer >= 0")
        if self.max_open is not None and (int(self.max_open) != self.max_open
                                          or self.max_open < 0):
            raise ValueError("max_open: must be an integer >= 0 or None")
        for name, value in (("fixed_cost", f), ("capacity", s), ("demand", d), ("unit_cost", c),
                            *masks.items()):
            value.setflags(write=False)
            object.__setattr__(self, name, value)

    @property
    def shape(self) -> tuple[int, int]:
        """(facilities, customers)."""
        return self.unit_cost.shape


@dataclass(frozen=True)
class FacilityResult:
    """The outcome: ``status`` in optimal | feasible | infeasible | no_solution (see module doc).

    ``flow[i, j]`` is in units (under single sourcing, the whole demand on one lane);
    ``objective`` is recomputed from ``open`` and ``flow`` (fixed + unit cost x flow);
    ``bound`` is a proven lower bound on the optimum (None when unknown). ``stats``: method
    ("mip", "lagrange+mip", "relaxation+mip"), seconds per phase, Lagrangean iterations and
    bound, sets priced, facilities fixed closed/open by probing, facilities left free in the
    final MILP, its strong links and B&B nodes.
    """

    status: str
    objective: float | None
    bound: float | None
    open: np.ndarray | None
    flow: np.ndarray | None
    seconds: float
    stats: dict = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """Relative gap (objective - bound) / |objective|, None when unknown."""
        if self.objective is None or self.bound is None:
            return None
        return max(0.0, self.objective - self.bound) / max(abs(self.objective), 1e-9)


def closed_gap(objective: float, bound: float) -> bool:
    """True when ``bound`` proves ``objective`` optimal (the tolerances of models.solver)."""
    return objective - bound <= max(PROVEN_ABS_GAP, PROVEN_GAP * abs(objective))


def plan_cost(problem: FacilityProblem, open_: np.ndarray, flow: np.ndarray) -> float:
    """Fixed cost of the open facilities plus unit cost x flow over the used lanes."""
    used = flow > 0
    return float(problem.fixed_cost[open_].sum() + (problem.unit_cost[used] * flow[used]).sum())


def _plan(problem: FacilityProblem, open_: np.ndarray, fraction: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray]:
    """Clean fractions (drop dust, serve each customer exactly) and turn them into units."""
    frac = np.where(fraction > 1e-9, fraction, 0.0)
    frac[~open_, :] = 0.0
    if problem.single_source:
        best = frac.argmax(axis=0)
        frac = np.zeros_like(frac)
        frac[best, np.arange(frac.shape[1])] = 1.0
    else:
        frac /= frac.sum(axis=0, keepdims=True)
    return open_.copy(), frac * problem.demand[None, :]


def solve_facility_problem(
    problem: FacilityProblem,
    time_limit: float = 60.0,
    gap: float = 0.0,
    threads: int | None = None,
) -> FacilityResult:
    """Solve ``problem`` exactly (or to ``gap``, relative) within ``time_limit`` seconds.

    ``time_limit`` bounds the whole call (all phases); ``threads`` is HiGHS's thread count
    (None = HiGHS's default). ``ValueError`` for a non-positive time limit, a gap outside
    [0, 1) or threads < 1.
    """
    t0 = time.perf_counter()
    if not time_limit > 0:
        raise ValueError("time_limit: must be > 0")
    if not 0 <= gap < 1:
        raise ValueError("gap: must be in [0, 1)")
    if threads is not None:
        if threads < 1:
            raise ValueError("threads: must be at least 1")
        # HiGHS keeps one thread scheduler per process and refuses a different thread count
        # once it exists (the solve ends with status "Not Set"); start a fresh one
        highspy.Highs.resetGlobalScheduler(True)
    m, n = problem.shape
    cost = problem.unit_cost * problem.demand[None, :]  # cost of serving all of j from i
    y_lo = problem.must_open.astype(float)
    y_up = (~problem.must_close).astype(float)
    stats: dict = {"method": "mip"}

    def result(status: str, open_=None, frac=None, bound=None) -> FacilityResult:
        seconds = time.perf_counter() - t0
        stats["seconds"] = round(seconds, 3)
        if open_ is None:
            stats["stop_reason"] = ("proven infeasible" if status == "infeasible" else
                                    "time limit reached before any solution was found")
            return FacilityResult(status, None, None, None, None, seconds, stats)
        open_, flow = _plan(problem, open_, frac)
        objective = plan_cost(problem, open_, flow)
        if bound is not None:
            bound = min(bound, objective)
        if status == "optimal" and (bound is None or not closed_gap(objective, bound)):
            status = "feasible"
        if status == "feasible" and bound is not None and closed_gap(objective, bound):
            status = "optimal"
        if status == "optimal":
            stats["stop_reason"] = "optimality proven"
        elif gap > 0 and bound is not None and objective - bound <= gap * abs(objective):
            stats["stop_reason"] = "requested gap tolerance reached"
        else:
            stats["stop_reason"] = "time limit reached"
        return FacilityResult(status, objective, bound, open_, flow, seconds, stats)

    reason = _trivially_infeasible(problem, cost)
    if reason:
        stats["infeasible"] = reason
        return result("infeasible")

    incumbent: tuple[float, np.ndarray, np.ndarray] | None = None
    strong: bool | np.ndarray = True
    mip_options: dict[str, object] = {}
    fixed_bound = math.inf  # bound on every solution that the fixings below exclude
    lag_bound = -math.inf  # Lagrangean (or relaxation) bound, valid for the whole problem
    threshold = LAGRANGE_MIN_ARCS_SINGLE if problem.single_source else LAGRANGE_MIN_ARCS
    if problem.single_source and m * n >= SINGLE_WARM_MIN_ARCS and (
            threshold is None or m * n < threshold):
        # an upper bound for the single-source MILP's cutoff: solve the multi-source
        # relaxation (its bound is valid here too), then the single-source MILP over the
        # facilities it opens; Holmberg p57/p58 went from unproven in 60 s to 43/35 s
        stats["method"] = "relaxation+mip"
        t1 = time.perf_counter()
        relaxed = solve_facility_problem(replace(problem, single_source=False),
                                         time_limit=WARM_SHARE * time_limit, gap=WARM_GAP,
                                         threads=threads)
        stats["relaxation_s"] = round(time.perf_counter() - t1, 3)
        if relaxed.status == "infeasible":
            return result("infeasible")
        if relaxed.bound is not None:
            lag_bound = relaxed.bound
        if relaxed.open is not None:
            t1 = time.perf_counter()
            incumbent = _restricted(problem, cost, y_lo, relaxed.open.astype(float) * y_up,
                                    None, WARM_SHARE * time_limit, threads)
            stats["restricted_s"] = round(time.perf_counter() - t1, 3)
            stats["restricted_upper"] = None if incumbent is None else incumbent[0]
            if incumbent is not None and closed_gap(incumbent[0], lag_bound):
                return result("optimal", incumbent[1], incumbent[2], lag_bound)
    if threshold is not None and m * n >= threshold:
        stats["method"] = "lagrange+mip"
        lag = _lagrange_phase(problem, cost, y_lo, y_up, t0, time_limit, threads, stats)
        if lag.infeasible:
            return result("infeasible")
        incumbent, lag_bound = lag.incumbent, lag.bound
        if incumbent is not None and (
                closed_gap(incumbent[0], lag_bound)
                or incumbent[0] - lag_bound <= gap * abs(incumbent[0])
                or time.perf_counter() - t0 >= time_limit):
            return result("optimal", incumbent[1], incumbent[2], lag_bound)
        y_lo, y_up, fixed_bound = lag.y_lower, lag.y_upper, lag.fixed_bound
        if lag.u is not None and not problem.single_source:
            # strong links only on each customer's cheapest arcs in Lagrangean reduced cost:
            # still exact (links are valid inequalities), and the LP is far smaller
            reduced = np.where(y_up[:, None] > 0.5, cost - lag.u[None, :], np.inf)
            k = min(STRONG_LINKS_PER_CUSTOMER, m)
            kth = np.partition(reduced, k - 1, axis=0)[k - 1]
            strong = reduced <= kth[None, :]
            stats["strong_links"] = int(strong.sum())
            mip_options["mip_heuristic_effort"] = 0.0 if incumbent is not None else 0.05

    def bound_with(mip_bound: float | None) -> float | None:
        """Global bound: the reduced model's bound, or the fixings' bound for what they
        excluded, whichever is lower; never below the Lagrangean bound."""
        b = max(lag_bound, min(-math.inf if mip_bound is None else mip_bound, fixed_bound))
        return b if math.isfinite(b) else None

    tb = time.perf_counter()
    model = build_mip(cost, problem.fixed_cost, problem.capacity, problem.demand,
                      single_source=problem.single_source, y_lower=y_lo, y_upper=y_up,
                      min_open=problem.min_open, max_open=problem.max_open, strong=strong)
    stats["build_s"] = round(time.perf_counter() - tb, 3)
    stats["mip_facilities"] = int((y_up > 0.5).sum() - (y_lo > 0.5).sum())
    out = solve_mip(model, (m, n), time_limit=time_limit - (time.perf_counter() - t0),
                    gap=gap, threads=threads,
                    start=None if incumbent is None else (incumbent[1], incumbent[2]),
                    cutoff=None if incumbent is None else
                    incumbent[0] + max(PROVEN_ABS_GAP, PROVEN_GAP * abs(incumbent[0])),
                    **mip_options)
    stats["mip_s"] = round(out.seconds, 3)
    stats["nodes"] = out.nodes
    if out.status == "infeasible":
        if incumbent is None:
            return result("infeasible")
        # nothing in the reduced model beats the incumbent: it is optimal up to the fixings
        return result("optimal", incumbent[1], incumbent[2], bound_with(incumbent[0]))
    if out.open is None or out.objective is None:
        if incumbent is None:
            return result("no_solution")
        return result("feasible", incumbent[1], incumbent[2], bound_with(None))
    bound = bound_with(out.bound)
    if incumbent is not None and incumbent[0] < out.objective:
        return result("feasible", incumbent[1], incumbent[2], bound)
    return result("optimal" if out.status == "optimal" else "feasible", out.open, out.fraction,
                  bound)


@dataclass
class _LagrangePhase:
    infeasible: bool
    bound: float
    incumbent: tuple[float, np.ndarray, np.ndarray] | None
    y_lower: np.ndarray
    y_upper: np.ndarray
    fixed_bound: float
    u: np.ndarray | None = None  # best multipliers (for choosing the strong links)


def _lagrange_phase(problem: FacilityProblem, cost: np.ndarray, y_lo: np.ndarray,
                    y_up: np.ndarray, t0: float, time_limit: float, threads: int | None,
                    stats: dict) -> _LagrangePhase:
    """Lagrangean bound, transportation-LP upper bounds, and probing fixings."""
    t = time.perf_counter()
    m = problem.shape[0]
    total = float(problem.demand.sum())
    cover = CoverData(np.minimum(problem.capacity, total), total, int(problem.min_open),
                      m if problem.max_open is None else int(problem.max_open))
    forced_open, forced_closed = y_lo > 0.5, y_up < 0.5
    best: list = [None]
    lp_time = [0.0, 0]

    def try_set(open_: np.ndarray, keep: bool = True):
        """Price an open set (transportation LP, or assignment MILP under single sourcing);
        keep the best; return its cost (``keep``) or the priced set."""
        t1 = time.perf_counter()
        found = (_assign if problem.single_source else _transport)(
            problem, cost, open_ | forced_open, threads)
        lp_time[0] += time.perf_counter() - t1
        lp_time[1] += 1
        if found is not None and (best[0] is None or found[0] < best[0][0]):
            best[0] = found
        if not keep:
            return found
        return None if found is None else found[0]

    def ascent(u0: np.ndarray | None, upper: float, iterations: int, share: float,
               theta0: float):
        return subgradient(cost, problem.fixed_cost, problem.capacity, problem.demand, cover,
                           forced_open, forced_closed, upper, max_iter=iterations,
                           deadline=t0 + share * time_limit, on_new_set=try_set,
                           ub_every=UB_EVERY, single_source=problem.single_source, u0=u0,
                           theta0=theta0)

    # stage 1: a first bound, and open sets for upper bounds
    out = ascent(None, math.inf, STAGE1_ITERATIONS, LAGRANGE_SHARE / 2, 2.0)
    iterations = out.iterations
    if not math.isfinite(out.bound):
        return _LagrangePhase(True, math.inf, None, y_lo, y_up, math.inf)
    incumbent = best[0]
    stats["lagrange_upper"] = None if incumbent is None else incumbent[0]
    if incumbent is None or not closed_gap(incumbent[0], out.bound):
        core = (out.near > 0) | forced_open
        if incumbent is not None:
            core |= incumbent[1]
        stats["core_facilities"] = int(core.sum())
        t1 = time.perf_counter()
        budget = min(SEARCH_SHARE * time_limit, max(time_limit - (t1 - t0), 0.01))
        found = None
        if problem.single_source:
            # upper bound from a restricted MILP over the facilities open near the best bound
            found = _restricted(problem, cost, y_lo, core.astype(float), incumbent, budget,
                                threads)
        else:
            # more starts: the k cheapest facilities in Lagrangean value, k around the size
            # of the open sets the ascent produced
            order = np.argsort(out.v)
            k0 = int(np.median([o.sum() for o in out.y_sets])) if out.y_sets else 1
            for k in range(max(k0 - 2, 1), min(k0 + 4, m) + 1):
                open_ = np.zeros(m, bool)
                open_[order[:k]] = True
                try_set(open_ & ~forced_closed)
            incumbent = best[0]
            stats["search_start"] = None if incumbent is None else incumbent[0]
            if incumbent is not None:
                found, tried = local_search(lambda o: try_set(o, keep=False), incumbent,
                                            core & ~forced_closed, order, t1 + budget)
                stats["search_sets"] = tried
        stats["search_s"] = round(time.perf_counter() - t1, 3)
        if found is not None and (incumbent is None or found[0] < incumbent[0]):
            incumbent = best[0] = found
    # stage 2: the ascent again from the best multipliers, now with a good upper bound
    if incumbent is not None and not closed_gap(incumbent[0], out.bound):
        again = ascent(out.u, incumbent[0], STAGE2_ITERATIONS, LAGRANGE_SHARE, 0.5)
        iterations += again.iterations
        if again.bound > out.bound:
            out = again
        incumbent = best[0]
    stats["lagrange_iterations"] = iterations
    stats["lagrange_bound"] = out.bound
    stats["transport_lps"] = lp_time[1]
    stats["transport_s"] = round(lp_time[0], 3)
    fixed_bound = math.inf
    if incumbent is not None:
        upper = incumbent[0] + max(PROVEN_ABS_GAP, PROVEN_GAP * abs(incumbent[0]))
        with_open, with_closed = probe(out.v, out.u, cover, forced_open, forced_closed)
        close = ~forced_closed & (with_open > upper)
        open_ = ~forced_open & (with_closed > upper)
        fixed_bound = float(min(with_open[close].min(initial=math.inf),
                                with_closed[open_].min(initial=math.inf)))
        y_lo = (forced_open | open_).astype(float)
        y_up = (~(forced_closed | close)).astype(float)
        stats["fixed_closed"] = int(close.sum())
        stats["fixed_open"] = int(open_.sum())
    stats["lagrange_s"] = round(time.perf_counter() - t, 3)
    return _LagrangePhase(False, out.bound, incumbent, y_lo, y_up, fixed_bound, out.u)


def _transport(problem: FacilityProblem, cost: np.ndarray, open_: np.ndarray,
               threads: int | None) -> tuple[float, np.ndarray, np.ndarray] | None:
    """The cheapest multi-source service from the facilities ``open_`` (a transportation
    LP): (cost, open, fractions), or None when the set cannot serve every customer or
    breaks the open-count limits."""
    k = int(open_.sum())
    if k < problem.min_open or (problem.max_open is not None and k > problem.max_open):
        return None
    if problem.capacity[open_].sum() < problem.demand.sum() * (1 - 1e-12):
        return None
    got = transport_lp(cost, problem.capacity, problem.demand, open_, threads)
    if got is None:
        return None
    return got[0] + float(problem.fixed_cost[open_].sum()), open_.copy(), got[1]


def _restricted(problem: FacilityProblem, cost: np.ndarray, y_lo: np.ndarray,
                y_up: np.ndarray, incumbent: tuple[float, np.ndarray, np.ndarray] | None,
                seconds: float, threads: int | None
                ) -> tuple[float, np.ndarray, np.ndarray] | None:
    """The best solution of the MILP over the facilities ``y_up`` within ``seconds``."""
    m, n = problem.shape
    model = build_mip(cost, problem.fixed_cost, problem.capacity, problem.demand,
                      single_source=problem.single_source, y_lower=y_lo, y_upper=y_up,
                      min_open=problem.min_open, max_open=problem.max_open)
    start = None
    if incumbent is not None and not np.any(incumbent[1] & (y_up < 0.5)):
        start = (incumbent[1], incumbent[2])
    out = solve_mip(model, (m, n), time_limit=seconds, gap=0.0, threads=threads, start=start)
    if out.open is None or out.objective is None:
        return None
    return out.objective, out.open, out.fraction


def _assign(problem: FacilityProblem, cost: np.ndarray, open_: np.ndarray,
            threads: int | None) -> tuple[float, np.ndarray, np.ndarray] | None:
    """The cheapest single-source assignment to the facilities ``open_`` (a small MILP with
    a short time limit; its best solution, not necessarily optimal), or None."""
    m, n = problem.shape
    k = int(open_.sum())
    if k < problem.min_open or (problem.max_open is not None and k > problem.max_open):
        return None
    if problem.capacity[open_].sum() < problem.demand.sum() * (1 - 1e-12):
        return None
    fixed = open_.astype(float)
    model = build_mip(cost, problem.fixed_cost, problem.capacity, problem.demand,
                      single_source=True, y_lower=fixed, y_upper=fixed, min_open=0,
                      max_open=None)
    out = solve_mip(model, (m, n), time_limit=ASSIGN_SECONDS, gap=0.0, threads=threads)
    if out.open is None or out.objective is None:
        return None
    return out.objective, out.open, out.fraction


def _trivially_infeasible(problem: FacilityProblem, cost: np.ndarray) -> str:
    """A reason when the instance is infeasible for a reason visible without solving."""
    avail = ~problem.must_close
    if problem.max_open is not None and problem.min_open > problem.max_open:
        return "min_open > max_open"
    if problem.min_open > avail.sum():
        return "min_open exceeds the facilities that may open"
    if problem.max_open is not None and problem.must_open.sum() > problem.max_open:
        return "more must_open facilities than max_open"
    reach = np.isfinite(cost) & avail[:, None]
    if problem.single_source:
        reach &= problem.demand[None, :] <= problem.capacity[:, None]
    lost = np.flatnonzero(~reach.any(axis=0))
    if len(lost):
        return f"customer {int(lost[0])} has no lane from a facility that may open"
    if problem.capacity[avail].sum() < problem.demand.sum() * (1 - 1e-12):
        return "total capacity of the facilities that may open is below total demand"
    return ""


__all__ = ["FacilityProblem", "FacilityResult", "closed_gap", "plan_cost",
           "solve_facility_problem"]
