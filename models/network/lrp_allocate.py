"""The LRP engine's default allocator: the exact single-source CFLP (models.network.cflp).

Minimises Σ fixed cost of open depots + Σ (unit_cost + assign_cost)[depot of j, j] subject to
depot capacities (per period), ``allowed``, ``must_open``/``must_close`` and the engine's
``open_fix``. ``Allocation.cost`` = fixed costs + assign_cost (never the route estimate).
"""

from __future__ import annotations

import numpy as np

from models.network.cflp import FacilityProblem, solve_facility_problem
from models.network.lrp_data import Allocation, LocationRoutingProblem

#: Seconds per CFLP call when the engine gives no limit.
DEFAULT_SECONDS = 10.0


class CFLPAllocator:
    """:class:`~models.network.lrp_data.Allocator` over a problem's own fields (one thread).
    ``calls`` counts the calls (the engine's log reports it)."""

    def __init__(self, problem: LocationRoutingProblem, threads: int = 1) -> None:
        self.problem = problem
        self.threads = threads
        self.calls = 0

    def _fixed_cost(self, open_: np.ndarray, assignment: np.ndarray) -> float:
        p = self.problem
        served = assignment >= 0
        other = p.other_cost()[assignment[served], np.flatnonzero(served)].sum()
        return float(p.fixed_cost[open_].sum() + other)

    def __call__(self, unit_cost: np.ndarray, open_fix: np.ndarray,
                 assignment: np.ndarray | None = None,
                 time_limit: float | None = None) -> Allocation | None:
        """See :class:`~models.network.lrp_data.Allocator`."""
        self.calls += 1
        p = self.problem
        m, n = p.shape
        allowed = p.allowed_mask()
        must_open = (open_fix == 1) | (p.must_open if p.must_open is not None else False)
        must_close = (open_fix == 0) | (p.must_close if p.must_close is not None else False)
        if np.any(must_open & must_close):
            return None
        positive = p.demand > 0
        if assignment is not None:
            a = np.asarray(assignment, dtype=int)
            if np.any(a[positive] < 0):
                return None
            used = np.zeros(m, bool)
            used[a[positive]] = True
            open_ = used | must_open
            if np.any(open_ & must_close) or not np.all(allowed[a[positive],
                                                                np.flatnonzero(positive)]):
                return None
            load = np.bincount(a[positive], weights=p.demand[positive], minlength=m)
            if np.any(load > p.capacity * (1 + 1e-9) + 1e-9):
                return None
            a = np.where(positive, a, -1)
            return Allocation(open_, a, np.where(positive, p.demand, 0.0),
                              self._fixed_cost(open_, a))
        cols = np.flatnonzero(positive)
        total = np.asarray(unit_cost, dtype=float) + p.other_cost()
        per_unit = np.where(allowed, total, np.inf)[:, cols] / p.demand[cols][None, :]
        fp = FacilityProblem(fixed_cost=p.fixed_cost, capacity=p.capacity,
                             demand=p.demand[cols], unit_cost=per_unit, single_source=True,
                             must_open=must_open, must_close=must_close)
        res = solve_facility_problem(fp, time_limit=time_limit or DEFAULT_SECONDS,
                                     threads=self.threads)
        if res.open is None or res.flow is None:
            return None
        a = np.full(n, -1)
        a[cols] = res.flow.argmax(axis=0)
        open_ = res.open.copy()
        return Allocation(open_, a, np.where(positive, p.demand, 0.0), self._fixed_cost(open_, a))
