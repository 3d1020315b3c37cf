"""Outbound as routes: a network instance as a location-routing problem, and its solve.

docs/network-format.md, "Outbound as routes". The mapping (:func:`location_routing_problem`)
turns a :class:`~models.network.data.NetworkInstance` in routes mode into the LRP engine's
arrays (:mod:`models.network.lrp`): depots = every facility (in the instance's order),
customers = every customer (in order), km over facilities then customers, one LRP vehicle per
``fleet`` row. :func:`solve_routes` runs the engine with an allocator (the engine's exact CFLP
when the network has the facility-location structure, else the network MILP of
:mod:`models.network.allocate_milp`) and assembles the plan with its routes.

Every customer the mapping gives a demand is served in full by one DC that may deliver every
product it asks for (the LRP serves whole customers); a customer no DC with vehicles may
serve is left short when all its demand has a shortage penalty, else the instance is
infeasible.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

import numpy as np

from models.network.data import CapacityUnit, FacilityStatus, NetworkInstance, Outbound
from models.network.explain import MAX_INTEGER_VARIABLES as EXPLAIN_MAX_INTEGER_VARIABLES
from models.network.explain import explain_no_plan
from models.network.lanes import distance_matrix, lane_costs
from models.network.lrp_data import LocationRoutingProblem, LRPResult, LRPVehicle
from models.network.plan import Method, NetworkPlan, NetworkSolveSummary
from models.solver import SolverOptions, SolveStatus

#: Seconds the location-routing search runs when the options give no time limit.
DEFAULT_TIME_LIMIT = 60.0


@dataclass(frozen=True)
class RoutesMapping:
    """The LRP arrays of a network and the ids behind their indices: ``facilities[i]`` is
    depot i, ``customers[j]`` customer j, ``vehicles[k]`` the ``fleet`` id of vehicle k.
    ``unservable`` lists customers with demand that no DC may serve (left short)."""

    problem: LocationRoutingProblem
    facilities: tuple[str, ...]
    customers: tuple[str, ...]
    vehicles: tuple[str, ...]
    unservable: tuple[str, ...]
    infeasible_reasons: tuple[str, ...] = ()


def _capacity_in_units(inst: NetworkInstance, facility_id: str) -> float:
    """The DC's largest capacity in units when it counts units (or weight/volume with a
    single product with demand); ``inf`` otherwise (the allocator holds the real rule)."""
    f = inst.facility_by_id[facility_id]
    options = inst.size_options(facility_id)
    if any(o.capacity is None for o in options):
        return np.inf
    largest = max(float(o.capacity) for o in options)  # type: ignore[arg-type]
    if f.capacity_unit == CapacityUnit.UNITS:
        return largest
    products = {d.product for d in inst.demand if d.quantity > 0}
    if len(products) != 1:
        return np.inf
    per_unit = getattr(inst.product_by_id[products.pop()], f"unit_{f.capacity_unit.value}")
    return largest / per_unit if per_unit else np.inf


def location_routing_problem(inst: NetworkInstance) -> RoutesMapping:
    """The location-routing problem of ``inst`` (contract: docs/network-format.md, "Outbound
    as routes"; the instance must have a ``fleet``).

    * ``fixed_cost[i]``: the DC's cheapest size; ``capacity[i]``: its largest, in units, and at
      most what its fleet can deliver (``NetworkInstance.fleet_capacity``)
      (``inf`` when unlimited or counted in weight/volume over several products);
      ``must_open``/``must_close`` from the status.
    * ``demand[j]``: the customer's units per period over all products (0 when unservable).
    * ``allowed[i, j]``: DC i has a vehicle type that can drive to j and back alone within
      its ``max_duration``, and its lane to j is open (not forbidden, within
      ``max_service_km``, no ``max_volume`` below what j asks) for every product j asks for.
    * ``assign_cost[i, j]``: handling at i of all of j's units (the other non-route costs are
      the allocator's).
    * ``km``: distances (facilities first, then customers), 0 on the diagonal; pairs no route
      uses (DC to DC, closed lanes) are set to a large finite km.
    """
    if not inst.fleet:
        raise ValueError("outbound as routes needs a fleet table")
    facilities, customers = inst.facilities, inst.customers
    m, n = len(facilities), len(customers)
    places = (*facilities, *customers)
    km = distance_matrix(inst, places, places)
    np.fill_diagonal(km, 0.0)
    known = km[np.isfinite(km)]
    far = 10.0 * (float(known.max()) if known.size else 1.0) + 1.0
    km = np.where(np.isfinite(km), km, far)

    demand_rows = [d for d in inst.demand if d.quantity > 0]
    c_index = {c.id: j for j, c in enumerate(customers)}
    demand = np.zeros(n)
    for d in demand_rows:
        demand[c_index[d.customer]] += d.quantity
    costs = lane_costs(inst, "outbound")
    p_index = {p: k for k, p in enumerate(costs.products)}
    lane_open = ~np.isnan(costs.cost)  # [m, n, products]
    allowed = np.ones((m, n), dtype=bool)
    for d in demand_rows:
        allowed[:, c_index[d.customer]] &= lane_open[:, c_index[d.customer], p_index[d.product]]
    f_index = {f.id: i for i, f in enumerate(facilities)}
    for lane in inst.lanes:  # a lane capped below what the customer asks closes the pair
        if lane.max_volume is None or lane.origin not in f_index or lane.destination not in c_index:
            continue
        j = c_index[lane.destination]
        asked = sum(d.quantity for d in demand_rows if d.customer == lane.destination
                    and (lane.product is None or d.product == lane.product))
        if lane.max_volume < asked - 1e-9:
            allowed[f_index[lane.origin], j] = False
    has_vehicle = np.array([bool(inst.vehicles_at(f.id)) for f in facilities])
    must_close = np.array([f.status == FacilityStatus.MUST_CLOSE for f in facilities])
    allowed &= (has_vehicle & ~must_close)[:, None]
    allowed &= _reachable(inst, km)
    unservable, reasons = [], []
    soft = {c.id: True for c in customers}
    for d in demand_rows:
        if d.shortage_penalty is None:
            soft[d.customer] = False
    for j, c in enumerate(customers):
        if demand[j] > 0 and not allowed[:, j].any():
            if soft[c.id]:
                unservable.append(c.id)
                demand[j] = 0.0
            else:
                reasons.append(f"customer {c.id} must be served, but no DC with vehicles "
                               f"(fleet) may deliver all it asks for (lanes forbidden, too "
                               f"long, DCs that must close, or a trip there and back longer "
                               f"than every max_duration)")
    vehicles = tuple(LRPVehicle(
        capacity=v.capacity, fixed_cost=v.fixed_cost, cost_per_km=v.cost_per_km,
        cost_per_hour=v.cost_per_hour, speed_kmh=v.speed_kmh,
        max_hours=None if v.max_duration is None else v.max_duration / 3600.0, count=v.count,
        depots=np.array([v.facility is None or v.facility == f.id for f in facilities]))
        for v in inst.fleet)
    handling = np.array([f.handling_cost for f in facilities])
    problem = LocationRoutingProblem(
        fixed_cost=np.array([min(o.fixed_cost for o in inst.size_options(f.id))
                             for f in facilities]),
        capacity=np.array([min(_capacity_in_units(inst, f.id),
                               np.inf if (fleet := inst.fleet_capacity(f.id)) is None else fleet)
                           for f in facilities]),
        demand=demand, km=km,
        service_hours=np.array([c.service_time / 3600.0 for c in customers]),
        vehicles=vehicles, delivery_days=inst.network_policy.delivery_days, allowed=allowed,
        assign_cost=handling[:, None] * demand[None, :],
        must_open=np.array([f.status == FacilityStatus.MUST_OPEN for f in facilities]),
        must_close=must_close)
    return RoutesMapping(problem=problem, facilities=tuple(f.id for f in facilities),
                         customers=tuple(c.id for c in customers),
                         vehicles=tuple(v.id for v in inst.fleet),
                         unservable=tuple(unservable), infeasible_reasons=tuple(reasons))


def _reachable(inst: NetworkInstance, km: np.ndarray) -> np.ndarray:
    """bool[m, n]: some vehicle type at DC i can drive DC -> customer j -> DC alone within its
    max_duration (service time included)."""
    m = len(inst.facilities)
    service = np.array([c.service_time / 3600.0 for c in inst.customers])
    out = np.zeros((m, len(inst.customers)), dtype=bool)
    for i, f in enumerate(inst.facilities):
        trip = km[i, m:] + km[m:, i]
        for v in inst.vehicles_at(f.id):
            if v.max_duration is None:
                out[i] = True
                break
            out[i] |= trip / v.speed_kmh + service <= v.max_duration / 3600.0 * (1 + 1e-9)
    return out


def uses_cflp_allocator(inst: NetworkInstance) -> bool:
    """Whether the engine's default CFLP allocator prices this network exactly: the
    facility-location structure (:func:`~models.network.structure.why_not_facility_problem`)
    and no open-count rule (the LRP problem has none)."""
    from models.network.structure import why_not_facility_problem

    policy = inst.network_policy
    return (why_not_facility_problem(inst) is None and policy.min_open == 0
            and policy.max_open is None and not any(
                f.status == FacilityStatus.EXISTING and f.closing_cost > 0
                for f in inst.facilities))


def solve_routes(inst: NetworkInstance, options: SolverOptions | None = None) -> NetworkPlan:
    """Solve ``inst`` with the outbound as routes (``network_policy.outbound = routes``):
    the location-routing search within ``options.time_limit`` (default
    :data:`DEFAULT_TIME_LIMIT` s), then the plan with its routes. Status ``feasible`` (no
    bound), ``infeasible`` with reasons, or ``no_solution``. With ``options.log`` the
    search's log lines go to stderr. Not checked here (see :func:`models.network.solve`)."""
    from models.network.allocate_milp import NetworkAllocator
    from models.network.lrp import solve_location_routing

    options = options or SolverOptions()
    start = time.perf_counter()
    mapping = location_routing_problem(inst)
    exact_cflp = uses_cflp_allocator(inst)
    allocator = NetworkAllocator(inst, mapping, options)
    build = time.perf_counter() - start

    def summary(status: SolveStatus, reason: str, objective: float | None = None,
                seconds: float = 0.0) -> NetworkSolveSummary:
        return NetworkSolveSummary(
            status=status, stop_reason=reason, method=Method.LOCATION_ROUTING,
            solver="lrp+" + ("cflp" if exact_cflp else options.solver), objective=objective,
            best_bound=None, gap=None, build_seconds=build, solve_seconds=seconds,
            **allocator.size)

    reasons = list(mapping.infeasible_reasons) + list(allocator.infeasible_reasons)
    if reasons:
        return NetworkPlan(instance=inst.name, solve=summary(
            SolveStatus.INFEASIBLE, "infeasible before solving"), infeasibility=tuple(reasons))
    if not (mapping.problem.demand > 0).any():
        result = None
    else:
        limit = options.time_limit or DEFAULT_TIME_LIMIT
        try:
            result = solve_location_routing(
                mapping.problem, None if exact_cflp else allocator, time_limit=limit,
                seed=options.seed, log=_echo if options.log else None)
        except ValueError:
            # no allocation exists: proven when the allocator alone is infeasible
            seconds = time.perf_counter() - start - build
            if allocator.proven_infeasible(limit):
                reasons = ["no choice of DCs and customer assignments meets every rule "
                           "together (capacities, lanes, sourcing and network rules)"]
                reasons += _full_service_impossible(inst, options)
                if allocator.size["integer_variables"] <= EXPLAIN_MAX_INTEGER_VARIABLES:
                    reasons += explain_no_plan(inst, options, _allocation_exists,
                                               priced=False)
                return NetworkPlan(instance=inst.name, solve=summary(
                    SolveStatus.INFEASIBLE, "infeasible", seconds=seconds),
                    infeasibility=tuple(reasons))
            return NetworkPlan(instance=inst.name, solve=summary(
                SolveStatus.NO_SOLUTION, "no allocation found within the time limit",
                seconds=seconds))
        except RuntimeError as exc:
            return NetworkPlan(instance=inst.name, solve=summary(
                SolveStatus.NO_SOLUTION, f"routing found no plan: {exc}",
                seconds=time.perf_counter() - start - build))
    return _assemble(inst, mapping, allocator, result, summary, start + build)


def _echo(line: str) -> None:
    """One line of the location-routing search's log, on stderr (``SolverOptions.log``)."""
    print(line, file=sys.stderr, flush=True)


def _full_service_impossible(inst: NetworkInstance, options: SolverOptions) -> list[str]:
    """The reason, when proven, that routes mode fails because it serves every customer in
    full: the same network with per-unit rates and every shortage penalty removed (a
    relaxation: no vehicle reach) is infeasible too, while rates mode may leave units short."""
    from models.network.solve import solve as solve_network

    if not any(d.shortage_penalty is not None for d in inst.demand):
        return []
    hard = inst.model_copy(update={
        "demand": tuple(d.model_copy(update={"shortage_penalty": None}) for d in inst.demand),
        "network_policy": inst.network_policy.model_copy(update={"outbound": Outbound.RATES})})
    plan = solve_network(hard, options)
    if plan.solve.status != SolveStatus.INFEASIBLE:
        return []
    return ["outbound as routes delivers every customer's demand in full (no unit is left short "
            "at its shortage_penalty), and the network cannot meet all of it: even with "
            "per-unit rates and no vehicle limits, serving every unit is infeasible. Solve with "
            "--outbound rates to see which units go short, or add supply"]


def _allocation_exists(inst: NetworkInstance, options: SolverOptions) -> NetworkPlan:
    """A plan without routes or cost whose status says whether the network MILP finds an
    allocation of ``inst`` (for :func:`~models.network.explain.explain_no_plan`)."""
    from models.network.allocate_milp import NetworkAllocator

    mapping = location_routing_problem(inst)
    allocator = NetworkAllocator(inst, mapping, options)
    if mapping.infeasible_reasons or allocator.infeasible_reasons:
        status = SolveStatus.INFEASIBLE
    else:
        status = allocator.status(options.time_limit)
    return NetworkPlan(instance=inst.name, solve=NetworkSolveSummary(
        status=status, stop_reason="allocation only", method=Method.LOCATION_ROUTING,
        solver=options.solver, objective=None, best_bound=None, gap=None))


def _assemble(inst: NetworkInstance, mapping: RoutesMapping, allocator, result: LRPResult | None,
              summary, started: float) -> NetworkPlan:
    """The plan of an LRP result: the allocator re-solved with the result's DCs and
    assignment fixed gives sizes and flows; the routes are priced from the instance."""
    from models.network.assemble import assemble_plan

    m, n = mapping.problem.shape
    if result is None:  # nothing to deliver
        open_fix = np.full(m, -1, dtype=np.int8)
        assignment = np.full(n, -1)
        drafts: list[tuple[str, str, tuple[str, ...]]] = []
    else:
        open_fix = np.where(result.open, 1, 0).astype(np.int8)
        assignment = result.assignment
        drafts = [(mapping.facilities[r.depot], mapping.vehicles[r.vehicle],
                   tuple(mapping.customers[j] for j in r.customers)) for r in result.routes]
    flows = allocator.flows(open_fix, assignment)
    seconds = time.perf_counter() - started
    if flows is None:
        return NetworkPlan(instance=inst.name, solve=summary(
            SolveStatus.NO_SOLUTION, "the network rules refused the routed assignment",
            seconds=seconds))
    sizes, inbound, outbound = flows
    plan = assemble_plan(inst, summary(SolveStatus.FEASIBLE, "location-routing search "
                                       "finished (a heuristic: no bound)", seconds=seconds),
                         sizes, inbound, outbound, routes=drafts)
    total = plan.cost.total if plan.cost is not None else None
    return plan.model_copy(update={"solve": plan.solve.model_copy(update={"objective": total})})
