"""The strong facility-location MILP built with numpy arrays and solved by HiGHS (highspy).

Variables: ``y_i`` (open, binary) for every facility of a chosen subset, and ``x_ij`` = the
FRACTION of customer j's demand served by facility i for every allowed arc (continuous in
[0, 1], binary under single sourcing). Rows, in order:

* demand ``sum_i x_ij = 1`` per customer;
* capacity ``sum_j d_j x_ij - s_i y_i <= 0`` per facility with a finite capacity;
* strong linking ``x_ij - u_ij y_i <= 0`` per arc, ``u_ij = min(1, s_i / d_j)``;
* the capacity cover ``sum_i min(s_i, D) y_i >= D`` (valid; it is what makes HiGHS prove the
  large OR-Library instances, see benchmarks/studies/cflp-methods.md);
* the number of open facilities ``min_open <= sum_i y_i <= max_open`` when restricted.

The model is passed to HiGHS in one ``passModel`` call (column-wise arrays), which takes well
under a second for 100 000 arcs where PuLP takes many seconds.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np

from models.solver import absorb_highs_banner

_INF = highspy.kHighsInf


@dataclass
class MipModel:
    """A built model and the maps from its columns back to facilities and arcs."""

    lp: highspy.HighsLp
    facilities: np.ndarray  # (m_sub,) facility index of column y_k
    arc_i: np.ndarray  # (K,) facility of arc column k (column m_sub + k)
    arc_j: np.ndarray  # (K,) customer of arc column k


@dataclass
class MipOutcome:
    """What one HiGHS run gave: model status name, incumbent (fractions) and bound."""

    status: str  # "optimal" | "infeasible" | "limit" | "other"
    objective: float | None
    bound: float | None
    open: np.ndarray | None  # (m,) bool over ALL facilities
    fraction: np.ndarray | None  # (m, n) fractions of demand
    seconds: float
    nodes: int


def build_mip(
    cost: np.ndarray,
    fixed: np.ndarray,
    capacity: np.ndarray,
    demand: np.ndarray,
    *,
    single_source: bool,
    y_lower: np.ndarray,
    y_upper: np.ndarray,
    min_open: int,
    max_open: int | None,
    integer: bool = True,
    arcs: np.ndarray | None = None,
    strong: bool | np.ndarray = True,
) -> MipModel:
    """The strong model over the facilities with ``y_upper > 0`` and the finite-cost arcs.

    ``cost`` (m, n) is the cost of serving ALL of j's demand from i (``inf`` = no arc);
    ``arcs`` optionally restricts the arcs further (bool mask). Facilities with
    ``y_upper == 0`` get no column at all (they are closed). ``strong``: strong links on
    every arc (True), on none (False; the capacity rows still link), or on the arcs of a
    bool (m, n) mask; any choice is exact, the links only tighten the LP bound.
    """
    m, n = cost.shape
    fac = np.flatnonzero(y_upper > 0.5)
    mf = len(fac)
    pos = np.full(m, -1)
    pos[fac] = np.arange(mf)
    allowed = np.isfinite(cost)
    if arcs is not None:
        allowed &= arcs
    allowed[y_upper <= 0.5, :] = False
    total = float(demand.sum())
    finite_cap = np.isfinite(capacity)
    if single_source:  # a customer larger than a facility can never be served from it
        allowed &= ~(finite_cap[:, None] & (demand[None, :] > capacity[:, None] * (1 + 1e-12)))
    ai, aj = np.nonzero(allowed)
    k = len(ai)
    cap_fac = fac[finite_cap[fac]]  # facilities with a capacity row
    cap_row = np.full(m, -1)
    cap_row[cap_fac] = n + np.arange(len(cap_fac))
    # strong links for every arc; without ``strong`` only where no capacity row links x to y
    if isinstance(strong, np.ndarray):
        vub = strong[ai, aj] | ~finite_cap[ai]
    else:
        vub = np.ones(k, bool) if strong else ~finite_cap[ai]
    kv = int(vub.sum())
    vub_row = np.full(k, -1)
    r_vub = n + len(cap_fac)
    vub_row[vub] = r_vub + np.arange(kv)
    r_next = r_vub + kv
    cover = bool(mf) and np.all(finite_cap[fac])
    r_cover = r_next if cover else -1
    r_next += int(cover)
    card = min_open > 0 or (max_open is not None and max_open < mf)
    r_card = r_next if card else -1
    r_next += int(card)

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    # x columns: demand row, capacity row, strong-link row
    xcol = mf + np.arange(k)
    rows.append(aj)
    cols.append(xcol)
    vals.append(np.ones(k))
    has_cap = finite_cap[ai]
    rows.append(cap_row[ai[has_cap]])
    cols.append(xcol[has_cap])
    vals.append(demand[aj[has_cap]])
    rows.append(vub_row[vub])
    cols.append(xcol[vub])
    vals.append(np.ones(kv))
    # y columns: capacity row, strong-link rows, cover, cardinality
    rows.append(cap_row[cap_fac])
    cols.append(pos[cap_fac])
    vals.append(-capacity[cap_fac])
    link = np.minimum(1.0, capacity[ai] / demand[aj]) if not single_source else np.ones(k)
    rows.append(vub_row[vub])
    cols.append(pos[ai[vub]])
    vals.append(-link[vub])
    if cover:
        rows.append(np.full(mf, r_cover))
        cols.append(np.arange(mf))
        vals.append(np.minimum(capacity[fac], total))
    if card:
        rows.append(np.full(mf, r_card))
        cols.append(np.arange(mf))
        vals.append(np.ones(mf))
    row = np.concatenate(rows).astype(np.int64)
    col = np.concatenate(cols).astype(np.int64)
    val = np.concatenate(vals).astype(float)
    order = np.lexsort((row, col))
    row, col, val = row[order], col[order], val[order]
    ncol = mf + k
    start = np.zeros(ncol + 1, dtype=np.int64)
    np.cumsum(np.bincount(col, minlength=ncol), out=start[1:])

    row_lower = np.concatenate([np.ones(n), np.full(len(cap_fac) + kv, -_INF)])
    row_upper = np.concatenate([np.ones(n), np.zeros(len(cap_fac) + kv)])
    if cover:
        row_lower = np.append(row_lower, total)
        row_upper = np.append(row_upper, _INF)
    if card:
        row_lower = np.append(row_lower, float(min_open))
        row_upper = np.append(row_upper, float(mf if max_open is None else max_open))

    lp = highspy.HighsLp()
    lp.num_col_ = ncol
    lp.num_row_ = len(row_lower)
    lp.col_cost_ = np.concatenate([fixed[fac], cost[ai, aj]])
    lp.col_lower_ = np.concatenate([y_lower[fac].astype(float), np.zeros(k)])
    lp.col_upper_ = np.concatenate([np.ones(mf), np.ones(k)])
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start.astype(np.int32)
    lp.a_matrix_.index_ = row.astype(np.int32)
    lp.a_matrix_.value_ = val
    if integer:
        kind = highspy.HighsVarType
        x_type = kind.kInteger if single_source else kind.kContinuous
        lp.integrality_ = [kind.kInteger] * mf + [x_type] * k
    return MipModel(lp, fac, ai, aj)


def new_highs(time_limit: float, threads: int | None, **options: object) -> highspy.Highs:
    """A silent HiGHS instance with a time limit (seconds) and the given options (the
    process's first one prints no banner; stdout is not redirected meanwhile)."""
    absorb_highs_banner()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    for name, value in options.items():
        h.setOptionValue(name, value)
    return h


def solve_mip(
    model: MipModel,
    shape: tuple[int, int],
    *,
    time_limit: float,
    gap: float,
    threads: int | None,
    start: tuple[np.ndarray, np.ndarray] | None = None,
    cutoff: float | None = None,
    **options: object,
) -> MipOutcome:
    """Run HiGHS on ``model``; ``start`` = (open (m,), fractions (m, n)) as an incumbent."""
    t0 = time.perf_counter()
    m, n = shape
    opts: dict[str, object] = {"mip_rel_gap": float(gap), "mip_abs_gap": 1e-6, **options}
    if cutoff is not None and math.isfinite(cutoff):
        opts["objective_bound"] = float(cutoff)
    h = new_highs(time_limit, threads, **opts)
    h.passModel(model.lp)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = np.concatenate([start[0][model.facilities].astype(float),
                                        start[1][model.arc_i, model.arc_j]]).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    st = h.getModelStatus()
    info = h.getInfo()
    S = highspy.HighsModelStatus
    if st == S.kInfeasible:
        return MipOutcome("infeasible", None, None, None, None, time.perf_counter() - t0, 0)
    has = info.primal_solution_status == 2
    objective = bound = None
    open_ = frac = None
    if has:
        values = np.asarray(h.getSolution().col_value)
        open_ = np.zeros(m, bool)
        open_[model.facilities] = values[: len(model.facilities)] > 0.5
        frac = np.zeros((m, n))
        frac[model.arc_i, model.arc_j] = np.clip(values[len(model.facilities):], 0.0, 1.0)
        objective = float(info.objective_function_value)
        bound = float(info.mip_dual_bound)
        if not math.isfinite(bound):
            bound = None
    status = "optimal" if st == S.kOptimal else (
        "limit" if st in (S.kTimeLimit, S.kIterationLimit, S.kInterrupt, S.kSolutionLimit)
        else "other")
    return MipOutcome(status, objective, bound, open_, frac, time.perf_counter() - t0,
                      int(info.mip_node_count))


def transport_lp(
    cost: np.ndarray,
    capacity: np.ndarray,
    demand: np.ndarray,
    open_: np.ndarray,
    threads: int | None,
) -> tuple[float, np.ndarray] | None:
    """The cheapest multi-source service from the facilities ``open_`` (transport cost only,
    fixed costs excluded): (cost, fractions (m, n)), or None when infeasible.

    A plain transportation LP (demand rows and capacity rows only, no y columns), which is
    several times faster to build and solve than the MILP with y fixed.
    """
    m, n = cost.shape
    idx = np.flatnonzero(open_)
    sub = cost[idx]
    ai, aj = np.nonzero(np.isfinite(sub))
    k = len(ai)
    if k == 0:
        return None
    cap = capacity[idx]
    finite = np.isfinite(cap)
    cap_row = np.full(len(idx), -1)
    cap_row[finite] = n + np.arange(int(finite.sum()))
    has = finite[ai]
    counts = 1 + has.astype(np.int64)
    start = np.zeros(k + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    index = np.empty(int(start[-1]), dtype=np.int64)
    value = np.empty(int(start[-1]))
    index[start[:-1]] = aj
    value[start[:-1]] = 1.0
    second = start[:-1][has] + 1
    index[second] = cap_row[ai[has]]
    value[second] = demand[aj[has]]
    lp = highspy.HighsLp()
    lp.num_col_ = k
    lp.num_row_ = n + int(finite.sum())
    lp.col_cost_ = sub[ai, aj]
    lp.col_lower_ = np.zeros(k)
    lp.col_upper_ = np.ones(k)
    lp.row_lower_ = np.concatenate([np.ones(n), np.full(int(finite.sum()), -_INF)])
    lp.row_upper_ = np.concatenate([np.ones(n), cap[finite]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start.astype(np.int32)
    lp.a_matrix_.index_ = index.astype(np.int32)
    lp.a_matrix_.value_ = value
    h = new_highs(60.0, threads)
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    frac = np.zeros((m, n))
    frac[idx[ai], aj] = np.clip(np.asarray(h.getSolution().col_value), 0.0, 1.0)
    return float(h.getInfo().objective_function_value), frac
