"""The network MILP as the location-routing engine's allocator (outbound as routes).

:class:`NetworkAllocator` answers the engine's question (:class:`models.network.lrp_data.
Allocator`): which DCs to open and which DC serves each customer when serving all of customer
j from DC i costs ``unit_cost[i, j]`` per period (the engine's route-cost estimate), on top of
every other cost and rule of the network: sizes, fixed and closing costs, handling, the
supplier echelon (inbound, purchases, every sourcing rule), lanes, open counts and the
service level (:func:`models.network.formulation.build_network_model` in routes mode). The
model is built once; each call sets the objective and the bounds of the DCs' and customers'
binaries and solves it again.

Every customer the mapping gives a demand is served in full (its shortage variables are held
at 0), so the units each customer is served are the mapping's demand.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pulp

from models.network.data import NetworkInstance
from models.network.formulation import _expr, build_network_model
from models.network.lrp_data import Allocation
from models.network.routes_mode import RoutesMapping
from models.network.solve import DEPENDENT_EQUATIONS, polish, read_solution
from models.solver import SolverOptions, SolveStatus, run_pulp

#: Seconds per allocator call when the engine gives no limit.
DEFAULT_SECONDS = 30.0


class NetworkAllocator:
    """The network MILP as an :class:`~models.network.lrp_data.Allocator` (see the module
    doc). ``calls`` counts the solves."""

    def __init__(self, inst: NetworkInstance, mapping: RoutesMapping,
                 options: SolverOptions | None = None) -> None:
        if not inst.routes_mode:
            raise ValueError("the network allocator needs an instance in routes mode")
        self.inst = inst
        self.mapping = mapping
        options = options or SolverOptions()
        if options.solver == "highs":
            options = replace(options, highs_options=(
                ("presolve_rule_off", DEPENDENT_EQUATIONS), *options.highs_options))
        self.options = replace(options, log=False, warm_start=False)
        self.model = build_network_model(inst)
        self.size = self.model.size
        self.infeasible_reasons = tuple(self.model.infeasible_reasons)
        self.base = self.model.problem.objective
        self.calls = 0
        f_index = {f: i for i, f in enumerate(mapping.facilities)}
        c_index = {c: j for j, c in enumerate(mapping.customers)}
        #: (i, j) -> the binary "DC i serves customer j"
        self.assign = {(f_index[f], c_index[c]): a for (f, c), a in self.model.assign.items()}
        demand = mapping.problem.demand
        allowed = mapping.problem.allowed_mask()
        for (i, j), a in self.assign.items():
            if demand[j] <= 0 or not allowed[i, j]:  # the mapping's rules (max_duration, ...)
                a.upBound = 0
        # served in full: no shortage on a customer the mapping serves
        for (c, _p), terms in self.model.shortage.items():
            if demand[c_index[c]] > 0:
                for var, _coef in terms:
                    if var.cat != pulp.LpInteger:
                        var.upBound = 0
        #: DC i -> its size binaries
        self.sizes: dict[int, list[pulp.LpVariable]] = {}
        for (f, _size), y in self.model.sizes.items():
            self.sizes.setdefault(f_index[f], []).append(y)

    def __call__(self, unit_cost: np.ndarray, open_fix: np.ndarray,
                 assignment: np.ndarray | None = None,
                 time_limit: float | None = None) -> Allocation | None:
        """See :class:`~models.network.lrp_data.Allocator`: the best allocation with
        ``unit_cost`` added per served customer, ``open_fix`` (-1 free, 0 closed, 1 open) and
        optionally every customer's DC fixed; None when infeasible or nothing was found in
        ``time_limit`` seconds. ``Allocation.cost`` is every non-route cost per period."""
        if self._solve(np.asarray(unit_cost, dtype=float), open_fix, assignment,
                       time_limit) is None:
            return None
        return self._allocation(np.asarray(unit_cost, dtype=float))

    def flows(self, open_fix: np.ndarray, assignment: np.ndarray,
              time_limit: float | None = None
              ) -> tuple[dict[str, str], dict, dict] | None:
        """The plan's decisions with the DCs and every customer's DC fixed: the size of each
        open DC and the units on every inbound and outbound lane (see
        :func:`models.network.solve.read_solution`), or None when the network rules refuse
        them."""
        m, n = self.mapping.problem.shape
        if self._solve(np.zeros((m, n)), open_fix, assignment, time_limit) is None:
            return None
        return read_solution(self.model)

    def status(self, time_limit: float | None = None) -> SolveStatus:
        """The solver's status on the free allocation problem (no route estimate, no DC or
        customer fixed): whether any allocation exists."""
        m, n = self.mapping.problem.shape
        status = self._solve(np.zeros((m, n)), np.full(m, -1, dtype=np.int8), None, time_limit,
                             want_status=True)
        return SolveStatus.NO_SOLUTION if status is None else status

    def proven_infeasible(self, time_limit: float | None = None) -> bool:
        """Whether the solver proves that no allocation at all exists."""
        return self.status(time_limit) == SolveStatus.INFEASIBLE

    # ---- one solve ------------------------------------------------------------------------

    def _solve(self, unit_cost: np.ndarray, open_fix: np.ndarray,
               assignment: np.ndarray | None, time_limit: float | None,
               want_status: bool = False) -> SolveStatus | None:
        """Set the objective and bounds, solve, restore the bounds. Returns the status when
        the solve has a solution (or ``want_status``), else None."""
        self.calls += 1
        problem = self.model.problem
        m, n = self.mapping.problem.shape
        saved: dict[pulp.LpVariable, tuple[float | None, float | None]] = {}

        def bound(var: pulp.LpVariable, low: float | None = None,
                  up: float | None = None) -> None:
            saved.setdefault(var, (var.lowBound, var.upBound))
            if low is not None:
                var.lowBound = low
            if up is not None:
                var.upBound = up

        added: list[str] = []
        try:
            for i in range(m):
                ys = self.sizes.get(i, [])
                if open_fix[i] == 0:
                    for y in ys:
                        bound(y, up=0)
                elif open_fix[i] == 1:
                    if not ys:
                        return None  # a DC that must close cannot open
                    if len(ys) == 1:
                        bound(ys[0], low=1)
                    else:
                        name = f"fix_open_{i}"
                        problem.addConstraint(_expr([(y, 1.0) for y in ys]) >= 1, name)
                        added.append(name)
            if assignment is not None:
                demand = self.mapping.problem.demand
                for j in range(n):
                    want = int(assignment[j])
                    if demand[j] > 0 and (want < 0 or (want, j) not in self.assign):
                        return None
                for (i, j), a in self.assign.items():
                    if int(assignment[j]) == i:
                        bound(a, low=1)
                    else:
                        bound(a, up=0)
            estimate = [(a, float(unit_cost[i, j])) for (i, j), a in self.assign.items()
                        if unit_cost[i, j] != 0]
            problem.setObjective(self.base + _expr(estimate) if estimate else self.base)
            options = replace(self.options, time_limit=time_limit or DEFAULT_SECONDS)
            info = run_pulp(problem, options)
            if info.status.has_solution:
                polish(problem, options)
                return info.status
            return info.status if want_status else None
        finally:
            for var, (low, up) in saved.items():
                var.lowBound, var.upBound = low, up
            for name in added:
                del problem.constraints[name]

    def _allocation(self, unit_cost: np.ndarray) -> Allocation:
        """The solved model as an allocation (binaries rounded)."""
        m, n = self.mapping.problem.shape
        opened = np.zeros(m, dtype=bool)
        for i, ys in self.sizes.items():
            opened[i] = any(round(y.varValue or 0.0) == 1 for y in ys)
        assignment = np.full(n, -1)
        route_estimate = 0.0
        for (i, j), a in self.assign.items():
            if round(a.varValue or 0.0) == 1:
                assignment[j] = i
                route_estimate += float(unit_cost[i, j])
        served = np.where(assignment >= 0, self.mapping.problem.demand, 0.0)
        total = pulp.value(self.model.problem.objective) or 0.0
        return Allocation(open=opened, assignment=assignment, served=served,
                          cost=float(total) - route_estimate)
