"""Recognise a network that is a capacitated facility-location problem and solve it with the
exact facility-location engine (:mod:`models.network.cflp`).

The structure: no supplier echelon, one product with demand, one size per DC, capacity in one
unit, every demand hard, no lane volume caps, no service-level rule, no budget, no closing
costs. Handling costs fold into the lane costs; single sourcing, open counts and must-open /
must-close DCs are part of the engine's problem. Anything else goes to the network MILP.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from models.network.assemble import assemble_plan
from models.network.data import CapacityUnit, FacilityStatus, NetworkInstance
from models.network.lanes import lane_costs
from models.network.plan import Method, NetworkPlan, NetworkSolveSummary
from models.solver import SolverOptions, SolveStatus

if TYPE_CHECKING:
    from models.network.cflp import FacilityProblem

_STATUS = {
    "optimal": SolveStatus.OPTIMAL,
    "feasible": SolveStatus.FEASIBLE,
    "infeasible": SolveStatus.INFEASIBLE,
    "no_solution": SolveStatus.NO_SOLUTION,
}


def why_not_facility_problem(inst: NetworkInstance) -> str | None:
    """Why ``inst`` is not a plain facility-location problem (None when it is)."""
    products = {d.product for d in inst.demand if d.quantity > 0}
    policy = inst.network_policy
    checks = (
        (bool(inst.suppliers), "it has a supplier echelon"),
        (len(products) != 1, "it has more or fewer than one product with demand"),
        (any(len(inst.size_options(f.id)) != 1 for f in inst.facilities),
         "a DC has several sizes"),
        (any(d.shortage_penalty is not None for d in inst.demand), "demand may be short"),
        (any(n.max_volume is not None for n in inst.lanes), "a lane has a volume cap"),
        (policy.service_level_share is not None, "it has a service-level rule"),
        (policy.budget is not None, "it has a budget"),
        (any(f.closing_cost > 0 for f in inst.facilities), "a DC has a closing cost"),
        (any(o.capacity == 0 for f in inst.facilities for o in inst.size_options(f.id)),
         "a DC has capacity 0"),
    )
    for failed, why in checks:
        if failed:
            return why
    return None


def facility_problem(inst: NetworkInstance) -> tuple[FacilityProblem, list[str]]:
    """The engine's arrays for a network with the facility-location structure (see
    :func:`why_not_facility_problem`), and the customer of each demand column. Handling costs
    are added to the lane costs; a weight or volume capacity is turned into units."""
    from models.network.cflp import FacilityProblem

    (product,) = {d.product for d in inst.demand if d.quantity > 0}
    weight_of = inst.product_by_id[product]
    customers = [d.customer for d in inst.demand if d.product == product and d.quantity > 0]
    demand = np.array([d.quantity for d in inst.demand
                       if d.product == product and d.quantity > 0], dtype=float)
    costs = lane_costs(inst, "outbound")
    k = costs.products.index(product)
    c_index = {c: j for j, c in enumerate(costs.destinations)}
    unit_cost = costs.cost[:, [c_index[c] for c in customers], k]
    handling = np.array([f.handling_cost for f in inst.facilities], dtype=float)
    unit_cost = np.where(np.isnan(unit_cost), np.inf, unit_cost + handling[:, None])
    capacity, fixed = [], []
    for f in inst.facilities:
        (option,) = inst.size_options(f.id)
        per_unit = 1.0 if f.capacity_unit == CapacityUnit.UNITS else float(
            getattr(weight_of, f"unit_{f.capacity_unit.value}"))
        fleet = inst.fleet_capacity(f.id) if inst.fleet else None  # vehicle counts bound it
        capacity.append(min(np.inf if option.capacity is None else option.capacity / per_unit,
                            np.inf if fleet is None else fleet))
        fixed.append(option.fixed_cost)
    status = [f.status for f in inst.facilities]
    policy = inst.network_policy
    problem = FacilityProblem(
        fixed_cost=np.array(fixed, dtype=float), capacity=np.array(capacity, dtype=float),
        demand=demand, unit_cost=unit_cost, single_source=policy.single_sourcing,
        must_open=np.array([s == FacilityStatus.MUST_OPEN for s in status]),
        must_close=np.array([s == FacilityStatus.MUST_CLOSE for s in status]),
        min_open=policy.min_open, max_open=policy.max_open)
    return problem, customers


def solve_as_facility_problem(inst: NetworkInstance, options: SolverOptions,
                              required: bool = False) -> NetworkPlan | None:
    """The plan from the facility-location engine, or None when ``inst`` does not have that
    structure (``required``: raise ValueError saying why instead)."""
    why = why_not_facility_problem(inst)
    if why is not None:
        if required:
            raise ValueError(f"the facility-location method does not apply: {why}")
        return None
    from models.network.cflp import solve_facility_problem

    start = time.perf_counter()
    problem, customers = facility_problem(inst)
    product = next(d.product for d in inst.demand if d.quantity > 0)
    policy = inst.network_policy
    unit_cost = problem.unit_cost
    fixed = problem.fixed_cost
    build = time.perf_counter() - start
    result = solve_facility_problem(problem, time_limit=options.time_limit or 1e9,
                                    gap=options.gap, threads=options.threads)
    summary = NetworkSolveSummary(
        status=_STATUS[result.status], stop_reason=str(result.stats.get("stop_reason",
                                                                         result.status)),
        method=Method.FACILITY_LOCATION, solver="highs", objective=result.objective,
        best_bound=result.bound,
        gap=(None if result.objective is None or result.bound is None
             else max(0.0, result.objective - result.bound) / max(abs(result.objective), 1e-9)),
        build_seconds=build, solve_seconds=result.seconds,
        variables=int(np.isfinite(unit_cost).sum()) + len(fixed),
        integer_variables=len(fixed) + (int(np.isfinite(unit_cost).sum())
                                        if policy.single_sourcing else 0),
        constraints=0)
    if not summary.status.has_solution:
        reasons = ()
        if summary.status == SolveStatus.INFEASIBLE:
            reasons = ("the facility-location engine proved that no choice of DCs can serve "
                       "the demand within the capacities and rules",)
        return NetworkPlan(instance=inst.name, solve=summary, infeasibility=reasons)
    sizes = {f.id: inst.size_options(f.id)[0].size
             for f, is_open in zip(inst.facilities, result.open, strict=True) if is_open}
    outbound = {}
    ids = [f.id for f in inst.facilities]
    rows, cols = np.nonzero(result.flow > 0)
    for i, j in zip(rows, cols, strict=True):
        outbound[(ids[i], customers[j], product)] = float(result.flow[i, j])
    return assemble_plan(inst, summary, sizes, {}, outbound)
