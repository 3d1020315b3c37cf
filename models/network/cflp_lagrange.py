"""Lagrangean bound for multi-source CFLP: demand rows relaxed, capacity-cover knapsack kept.

With multipliers ``u_j`` on the demand rows ``sum_i x_ij = 1`` (x = fractions of demand, C_ij
the cost of serving all of j from i), the relaxation splits (Beasley 1988):

* per facility, a continuous knapsack ``v_i = f_i + min sum_j (C_ij - u_j) x_ij`` subject to
  ``sum_j d_j x_ij <= s_i``, ``0 <= x_ij <= 1`` (greedy by (C_ij - u_j) / d_j, vectorised);
* over facilities, ``min sum_i v_i y_i`` subject to the cover ``sum_i min(s_i, D) y_i >= D``,
  the open-count limits and the fixed facilities. With equal capacities among the free
  facilities this is "open the k cheapest, at least the cover's count" and is solved exactly
  (the bound is then at least the strong LP with the cover row); otherwise its LP relaxation
  is used, which is still a valid (weaker) bound.

``L(u) = sum_j u_j + min(...)`` is a lower bound on the optimum for every ``u``. Probing:
forcing facility i open (closed) and re-solving only the facility knapsack gives a bound for
every solution with i open (closed); when it exceeds an upper bound, i can be fixed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CoverData:
    """The facility-level knapsack: capacities (capped at total demand), limits, fixings."""

    weight: np.ndarray  # (m,) min(s_i, D)
    total: float  # D
    min_open: int
    max_open: int  # m when unlimited

    @property
    def equal(self) -> bool:
        """True when every capacity (capped at D) is the same."""
        return bool(np.all(self.weight == self.weight[0]))


def facility_knapsacks(reduced: np.ndarray, demand: np.ndarray, capacity: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Per facility, ``min sum_j r_ij x_ij`` s.t. ``sum_j d_j x_ij <= s_i``, ``x in [0, 1]``.

    ``reduced`` (m, n) may hold ``inf`` (no arc). Returns (values (m,), x (m, n)).
    """
    neg = reduced < 0
    ratio = np.where(neg, reduced / demand[None, :], 0.0)
    order = np.argsort(ratio, axis=1, kind="stable")
    neg_s = np.take_along_axis(neg, order, axis=1)
    d_s = np.where(neg_s, demand[order], 0.0)
    before = np.cumsum(d_s, axis=1) - d_s
    with np.errstate(invalid="ignore"):
        x_s = np.clip((capacity[:, None] - before) / demand[order], 0.0, 1.0)
    x_s = np.where(neg_s, x_s, 0.0)
    x = np.zeros_like(reduced)
    np.put_along_axis(x, order, x_s, axis=1)
    with np.errstate(invalid="ignore"):
        values = np.where(x > 0, reduced * x, 0.0).sum(axis=1)
    return values, x


#: Largest 0-1 knapsack table (items x facilities x capacity cells) solved exactly.
MAX_DP_CELLS = 30_000_000


def integer_knapsacks(reduced: np.ndarray, demand: np.ndarray, capacity: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray] | None:
    """Per facility, ``min sum_j r_ij x_ij`` s.t. ``sum_j d_j x_ij <= s_i``, ``x`` binary.

    A dynamic programme over capacity, vectorised across facilities; needs integer demands
    and capacities. Returns None (use :func:`facility_knapsacks`, a weaker but valid bound)
    when the data are not integer or the table would exceed ``MAX_DP_CELLS``.
    """
    m = reduced.shape[0]
    cols = np.flatnonzero((reduced < 0).any(axis=0))
    x = np.zeros_like(reduced)
    if len(cols) == 0:
        return np.zeros(m), x
    w = demand[cols]
    size = float(w.sum())
    cap = np.minimum(capacity, size)
    if np.any(w != np.round(w)) or np.any(cap != np.round(cap)):
        return None
    top = int(cap.max())
    if len(cols) * m * (top + 1) > MAX_DP_CELLS:
        return None
    w = w.astype(np.int64)
    r = reduced[:, cols]
    dp = np.zeros((m, top + 1))
    takes = np.zeros((len(cols), m, top + 1), bool)
    for k in range(len(cols)):
        wk = int(w[k])
        if wk > top:
            continue
        cand = dp[:, : top + 1 - wk] + r[:, k : k + 1]
        better = cand < dp[:, wk:]
        dp[:, wk:] = np.where(better, cand, dp[:, wk:])
        takes[k, :, wk:] = better
    rows = np.arange(m)
    c = cap.astype(np.int64)
    values = dp[rows, c]
    for k in range(len(cols) - 1, -1, -1):
        t = takes[k, rows, c]
        x[:, cols[k]] = t
        c = c - t * w[k]
    return values, x


def _cover_dp(vf: np.ndarray, wf: np.ndarray, need: float) -> tuple[float, np.ndarray] | None:
    """Exact ``min sum v y`` s.t. ``sum w y >= need`` (y binary) over integer weights, by a
    dynamic programme on the capacity reached (capped at ``need``); None if not applicable."""
    if np.any(wf != np.round(wf)):
        return None
    target = max(math.ceil(need - 1e-9), 0)
    if target > 2_000_000:
        return None
    dp = np.full(target + 1, math.inf)
    dp[0] = 0.0
    k_n = len(vf)
    takes = np.zeros((k_n, target + 1), bool)
    src_top = np.zeros(k_n, np.int64)
    for k in range(k_n):
        wk = int(min(wf[k], target))
        cand = dp + vf[k]
        new = dp.copy()
        if wk < target:
            new[wk:target] = np.minimum(dp[wk:target], cand[: target - wk])
        lo = target - wk
        best = int(np.argmin(cand[lo:])) + lo
        new[target] = min(new[target], cand[best])
        src_top[k] = best
        takes[k] = new < dp
        dp = new
    if not math.isfinite(dp[target]):
        return math.inf, np.zeros(k_n)
    y = np.zeros(k_n)
    c = target
    for k in range(k_n - 1, -1, -1):
        if takes[k, c]:
            y[k] = 1.0
            c = int(src_top[k]) if c == target else c - int(min(wf[k], target))
    return float(dp[target]), y


def cover_knapsack(v: np.ndarray, cover: CoverData, forced_open: np.ndarray,
                   forced_closed: np.ndarray) -> tuple[float, np.ndarray]:
    """``min sum v_i y_i`` over the cover, the open-count limits and the fixings.

    Exact (y binary) when the free facilities' capacities are equal, or integer with no
    open-count limit in play (dynamic programme); else the LP relaxation (cardinality limits
    dropped), a valid lower bound. Returns (value, y); value is ``inf``
    when no choice is feasible.
    """
    y = forced_open.astype(float)
    free = np.flatnonzero(~forced_open & ~forced_closed)
    need = cover.total - float(cover.weight[forced_open].sum())
    n_open = int(forced_open.sum())
    lo = max(cover.min_open - n_open, 0)
    hi = cover.max_open - n_open
    if hi < 0 or lo > len(free):
        return math.inf, y
    vf = v[free]
    wf = cover.weight[free]
    if len(free) and np.all(wf == wf[0]):
        k_cover = max(math.ceil(need / wf[0] - 1e-9), 0) if need > 0 else 0
        lo = max(lo, k_cover)
        if lo > min(hi, len(free)):
            return math.inf, y
        order = np.argsort(vf, kind="stable")
        k = int(np.clip(np.count_nonzero(vf < 0), lo, min(hi, len(free))))
        y[free[order[:k]]] = 1.0
        return float(v[forced_open].sum() + vf[order[:k]].sum()), y
    if need > wf.sum() * (1 + 1e-12):
        return math.inf, y
    if lo == 0 and hi >= len(free):  # no open-count limit in play: exact by DP if integer
        exact = _cover_dp(vf, wf, need)
        if exact is not None:
            if math.isfinite(exact[0]):
                y[free] = exact[1]
            return float(v[forced_open].sum() + exact[0]), y
    take = vf < 0
    y[free[take]] = 1.0
    rest = need - wf[take].sum()
    if rest > 0:
        cand = np.flatnonzero(~take)
        order = cand[np.argsort(vf[cand] / wf[cand], kind="stable")]
        cum = np.cumsum(wf[order])
        frac = np.clip((rest - (cum - wf[order])) / wf[order], 0.0, 1.0)
        y[free[order]] = frac
    return float(v @ y), y


@dataclass
class LagrangeOutcome:
    """Best bound found, its multipliers and facility values, and the iteration count."""

    bound: float
    u: np.ndarray
    v: np.ndarray
    iterations: int
    y_sets: list[np.ndarray]  # distinct integral open sets met (for upper-bound repair)
    near: np.ndarray  # (m,) how often each facility was open at a near-best iteration


def subgradient(cost: np.ndarray, fixed: np.ndarray, capacity: np.ndarray, demand: np.ndarray,
                cover: CoverData, forced_open: np.ndarray, forced_closed: np.ndarray,
                upper: float, *, max_iter: int = 1000, deadline: float | None = None,
                on_new_set=None, ub_every: int = 5, ub_window: float = 2e-3,
                single_source: bool = False, u0: np.ndarray | None = None,
                theta0: float = 2.0) -> LagrangeOutcome:
    """Subgradient ascent on ``L(u)`` (Held-Karp step, halving after stalls).

    ``upper`` is an upper bound used in the step (may be improved by ``on_new_set``, a
    callback given each new integral open set that returns a new upper bound or None).
    ``single_source``: the facility subproblems are 0-1 knapsacks (exact by dynamic
    programming when the data allow, else their continuous relaxation). ``u0``: starting
    multipliers (default: each customer's second cheapest service cost); ``theta0``: first
    step factor.
    """
    import time

    m = cost.shape[0]
    cost_ok = np.where(forced_closed[:, None], np.inf, cost)
    srt = np.sort(cost_ok, axis=0)
    if u0 is None:
        u = srt[min(1, m - 1)].copy()  # second cheapest way to serve each customer
        u[~np.isfinite(u)] = srt[0][~np.isfinite(u)]
    else:
        u = u0.copy()
    best = -math.inf
    best_u = u.copy()
    best_v = fixed.copy()
    theta = theta0
    stall = 0
    seen: set[bytes] = set()
    last_ub = 0
    near = np.zeros(m, np.int64)
    sets: list[np.ndarray] = []
    it = 0
    for it in range(1, max_iter + 1):
        reduced = cost_ok - u[None, :]
        exact = integer_knapsacks(reduced, demand, capacity) if single_source else None
        knap, x = exact if exact is not None else facility_knapsacks(reduced, demand, capacity)
        v = fixed + knap
        val, y = cover_knapsack(v, cover, forced_open, forced_closed)
        if not math.isfinite(val):
            return LagrangeOutcome(math.inf, u, v, it, sets, near)
        lb = float(u.sum() + val)
        if lb > best + 1e-9 * abs(lb):
            best, best_u, best_v, stall = lb, u.copy(), v.copy(), 0
        else:
            stall += 1
            if stall >= 20:
                theta /= 2
                stall = 0
        if lb >= best - ub_window * abs(best):
            near += y > 0
        if np.all((y == 0) | (y == 1)):
            key = np.packbits(y > 0.5).tobytes()
            # an upper bound from a new open set: first at once, later only near the best
            # bound and at most every `ub_every` iterations (each costs a transportation LP)
            if key not in seen and on_new_set is not None and (
                    not math.isfinite(upper) or (it - last_ub >= ub_every
                                                 and lb >= best - ub_window * abs(best))):
                seen.add(key)
                sets.append(y > 0.5)
                last_ub = it
                new = on_new_set(y > 0.5)
                if new is not None:
                    upper = min(upper, new)
        if (math.isfinite(upper) and upper - best <= max(1e-6, 1e-9 * abs(upper))) \
                or theta < 1e-4:
            break
        if deadline is not None and time.perf_counter() > deadline:
            break
        g = 1.0 - (y[:, None] * x).sum(axis=0)
        norm = float(g @ g)
        if norm < 1e-12:
            break
        target = upper if math.isfinite(upper) else abs(lb) * 1.05 + 1.0
        u = u + theta * (target - lb) / norm * g
    return LagrangeOutcome(best, best_u, best_v, it, sets, near)


def probe(v: np.ndarray, u: np.ndarray, cover: CoverData, forced_open: np.ndarray,
          forced_closed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounds for every solution with facility i open, and with i closed (arrays (m,))."""
    m = len(v)
    base = float(u.sum())
    with_open = np.full(m, math.inf)
    with_closed = np.full(m, math.inf)
    for i in range(m):
        if not forced_closed[i]:
            fo = forced_open.copy()
            fo[i] = True
            with_open[i] = base + cover_knapsack(v, cover, fo, forced_closed)[0]
        if not forced_open[i]:
            fc = forced_closed.copy()
            fc[i] = True
            with_closed[i] = base + cover_knapsack(v, cover, forced_open, fc)[0]
    return with_open, with_closed
