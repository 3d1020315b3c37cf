"""``solve()``: integrated instance in, checked plan out.

1. The network solve (``models.network.solve``: suppliers, DCs, flows; outbound as the network
   instance says). 2. Per open DC, the representative day (``models.integrated.day``) routed by
   ``models.routing.solve`` with that DC's fleet. 3. The plan: the cost chain, with the network's
   outbound line replaced by the day's route cost × delivery days, and the cost to serve per
   customer with its stand-alone share of route cost. The plan passes
   :func:`models.integrated.checker.check_plan` or :class:`PlanCheckError` is raised.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from models.integrated.data import IntegratedInstance
from models.integrated.day import Day, build_days, place_km
from models.integrated.plan import (
    CostChain,
    CustomerCost,
    DayRoutes,
    DayStop,
    FacilityDay,
    IntegratedPlan,
    PlanSummary,
    RouteLine,
)
from models.integrated.reach import Reach, close_lanes, fleet_reach, trip_text
from models.network import (
    FacilityStatus,
    FleetVehicle,
    Method,
    NetworkPlan,
    NetworkSolveSummary,
    SolverOptions,
)
from models.network import solve as solve_network
from models.routing import RoutePlan, RoutingOptions
from models.routing import solve as solve_routing
from models.solver import SolveStatus


@dataclass(frozen=True)
class IntegratedOptions:
    """How to solve: the network solver's options and method, and the routing options used
    for every DC's day."""

    network: SolverOptions = field(default_factory=SolverOptions)
    routing: RoutingOptions = field(default_factory=lambda: RoutingOptions(time_limit=5.0))
    method: str = "auto"


class PlanCheckError(RuntimeError):
    """The assembled plan failed the independent checker (a bug, never input)."""

    def __init__(self, plan: IntegratedPlan, report: object) -> None:
        violations = getattr(report, "violations", [])
        lines = "; ".join(f"{v.rule} {v.subject}: {v.message}" for v in violations[:10])
        super().__init__(f"integrated plan failed the independent check: {lines}")
        self.plan = plan
        self.report = report


def solve(instance: IntegratedInstance, options: IntegratedOptions | None = None
          ) -> IntegratedPlan:
    """Solve ``instance`` end to end; the plan passed the independent checker. Raises
    :class:`models.integrated.day.DayError` when a day cannot be built (a distance that cannot
    be known) and :class:`PlanCheckError` when the checker rejects the plan."""
    options = options or IntegratedOptions()
    start = time.perf_counter()
    reach = fleet_reach(instance)
    blocked = unreachable_problems(instance, reach)
    if blocked:
        return _no_plan(instance, _unsolved_network(instance, blocked), start,
                        "infeasible before solving: a zone no vehicle reaches")
    short = fleet_too_small(instance)
    if short:
        return _no_plan(instance, _unsolved_network(instance, [short]), start,
                        "infeasible before solving: the fleet cannot carry the demand")
    network = solve_network(close_lanes(instance.network, reach.closed), options.network,
                            method=options.method)
    if not network.solve.status.has_solution:
        problems = list(network.infeasibility)
        if reach.closed and network.solve.status == SolveStatus.INFEASIBLE and any(
                "forbidden" in p for p in problems):
            problems.append(closed_lanes_note(reach))
        return _no_plan(instance, network, start, f"network: {network.solve.stop_reason}",
                        problems)
    days = build_days(instance, network)
    routed = [(day, _route(day, options.routing)) for day in days]
    plan = assemble(instance, network, routed, time.perf_counter() - start)
    if plan.solve.status.has_solution:
        from models.integrated.checker import check_plan

        report = check_plan(instance, plan)
        if not report.ok:
            raise PlanCheckError(plan, report)
    return plan


def unreachable_problems(instance: IntegratedInstance, reach: Reach) -> list[str]:
    """One reason per zone that must be served (a demand row without a shortage penalty) and
    that no DC's vehicles can reach within their max_duration."""
    hard = {d.customer for d in instance.network.demand
            if d.quantity > 0 and d.shortage_penalty is None}
    return [f"customers: zone {zone!r} must be served, but no DC's vehicles can get there and "
            f"back within fleet.max_duration (the quickest round trip serving it alone, "
            f"driving at speed_kmh plus the service time): "
            f"{'; '.join(trip_text(t) for t in trips[:5]) or 'every DC must close'}"
            f"{f'; and {len(trips) - 5} more DCs' if len(trips) > 5 else ''}"
            for zone, trips in reach.unreachable.items() if zone in hard]


def fleet_too_small(instance: IntegratedInstance) -> str | None:
    """Why the fleet cannot carry the demand that must be met, when all DCs together (those
    that may open) deliver at most Σ count × capacity × delivery_days; None when it can (or
    some vehicle type has no count)."""
    net = instance.network
    days = instance.delivery_days
    per_dc: dict[str, float] = {}
    for f in net.facilities:
        if f.status == FacilityStatus.MUST_CLOSE:
            continue
        fleet = instance.fleet_at(f.id)
        if any(v.count is None for v in fleet):
            return None
        per_dc[f.id] = days * sum(v.count * v.capacity for v in fleet)  # type: ignore[operator]
    hard = sum(d.quantity for d in net.demand if d.shortage_penalty is None)
    carries = sum(per_dc.values())
    if hard <= carries * (1 + 1e-9):
        return None
    parts = ", ".join(f"{dc} {q:,.0f}" for dc, q in per_dc.items())
    return (f"fleet: the vehicles of all DCs together carry at most {carries:,.0f} units per "
            f"period (count × capacity × {days:g} delivery days: {parts}), and the demand that "
            f"must be met is {hard:,.0f} units: add vehicles (fleet.count), larger ones "
            f"(fleet.capacity) or delivery days (network_policy.delivery_days)")


def closed_lanes_note(reach: Reach) -> str:
    """The DC → zone pairs closed for reach, in words (for an infeasible network)."""
    pairs = [f"{dc} → {zone}" for dc, zone in reach.closed]
    more = f" and {len(pairs) - 10} more" if len(pairs) > 10 else ""
    return (f"closed before the network solve because no vehicle at the DC can get there and "
            f"back within fleet.max_duration: {', '.join(pairs[:10])}{more}")


def _unsolved_network(instance: IntegratedInstance, reasons: list[str]) -> NetworkPlan:
    method = Method.LOCATION_ROUTING if instance.network.routes_mode else Method.MILP
    return NetworkPlan(instance=instance.network.name, solve=NetworkSolveSummary(
                           status=SolveStatus.INFEASIBLE, stop_reason="infeasible before "
                           "solving", method=method, solver="-", objective=None,
                           best_bound=None, gap=None),
                       infeasibility=tuple(reasons))


def _no_plan(instance: IntegratedInstance, network: NetworkPlan, start: float, reason: str,
             problems: list[str] | None = None) -> IntegratedPlan:
    summary = PlanSummary(status=network.solve.status, stop_reason=reason,
                          network_status=network.solve.status,
                          network_method=network.solve.method.value,
                          seconds=time.perf_counter() - start)
    return IntegratedPlan(instance=instance.name, solve=summary,
                          delivery_days=instance.delivery_days, currency=instance.currency,
                          network=network, problems=tuple(
                              network.infeasibility if problems is None else problems))


#: A day whose search found no plan within its limit is searched again with this many times
#: the limit, once (a loaded machine can spend a short limit starting the search).
RETRY_FACTOR = 3.0


def _route(day: Day, options: RoutingOptions) -> RoutePlan:
    plan = solve_routing(day.routing, options)
    if plan.solve.status == SolveStatus.NO_SOLUTION and options.time_limit is not None:
        plan = solve_routing(day.routing, replace(options,
                                                  time_limit=options.time_limit * RETRY_FACTOR))
    return plan


def assemble(instance: IntegratedInstance, network: NetworkPlan,
             routed: list[tuple[Day, RoutePlan]], seconds: float) -> IntegratedPlan:
    """The plan from the network plan and every DC's routed day."""
    days_per_period = instance.delivery_days
    problems: list[str] = []
    status = SolveStatus.FEASIBLE
    for day, plan in routed:
        if plan.solve.status != SolveStatus.FEASIBLE or plan.unserved:
            status = (SolveStatus.INFEASIBLE if plan.solve.status == SolveStatus.INFEASIBLE
                      else SolveStatus.NO_SOLUTION)
            problems.append(f"{day.facility}: the day's routes: {plan.solve.stop_reason}")
            problems.extend(f"{day.facility}: stop {u.stop} not routed ({u.reason}: {u.detail})"
                            for u in plan.unserved)
    lines: list[RouteLine] = []
    share: dict[str, float] = {}  # stop -> its share of route cost per day
    facility_days: list[FacilityDay] = []
    for day, plan in routed:
        stops = {s.stop: s for s in day.stops}
        fleet = {v.id: v for v in instance.fleet_at(day.facility)}
        for number, r in enumerate(plan.routes, start=1):
            visited = [v.stop for v in r.visits]
            lines.append(RouteLine(
                facility=day.facility, route=number, vehicle=f"{r.vehicle_type}#{r.vehicle}",
                vehicle_type=r.vehicle_type, stops=";".join(visited),
                load=sum(stops[s].load for s in visited), km=r.distance / 1000.0,
                hours=r.duration / 3600.0, cost=r.cost))
            alone = [stand_alone_cost(instance, day.facility, stops[s], fleet[r.vehicle_type])
                     for s in visited]
            weight = sum(alone)
            for s, a in zip(visited, alone, strict=True):
                share[s] = r.cost * (a / weight if weight > 0 else 1.0 / len(visited))
        mine = [line for line in lines if line.facility == day.facility]
        day_cost = sum(line.cost for line in mine)
        facility_days.append(FacilityDay(
            facility=day.facility, zones=len({s.customer for s in day.stops}),
            stops=len(day.stops), units=sum(s.load for s in day.stops), routes=len(mine),
            km=sum(line.km for line in mine), hours=sum(line.hours for line in mine),
            day_cost=day_cost, period_cost=day_cost * days_per_period))
    c = network.cost
    assert c is not None
    last_mile = sum(line.cost for line in lines) * days_per_period
    cost = CostChain(
        purchase=c.purchase, onboarding=c.onboarding, inbound=c.inbound,
        upstream=c.purchase + c.onboarding + c.inbound,
        facility_fixed=c.facility_fixed, closing=c.closing, handling=c.handling,
        dc=c.facility_fixed + c.closing + c.handling, last_mile=last_mile,
        shortage=c.shortage,
        total=(c.purchase + c.onboarding + c.inbound + c.facility_fixed + c.closing
               + c.handling + last_mile + c.shortage),
        network_outbound=c.outbound, network_total=c.total)
    outbound = network_outbound_share(instance, network)
    stops_of: dict[str, list[str]] = {}
    for day, _plan in routed:
        for s in day.stops:
            stops_of.setdefault(s.customer, []).append(s.stop)
    customers = []
    for row in network.customers:
        mine_stops = stops_of.get(row.customer, [])
        own = row.cost_to_serve - outbound.get(row.customer, 0.0)
        lm = sum(share.get(s, 0.0) for s in mine_stops) * days_per_period
        customers.append(CustomerCost(
            customer=row.customer, facilities=row.facilities, demand=row.demand,
            served=row.served, shortage=row.shortage, stops=len(mine_stops),
            network_cost=own, last_mile=lm, cost_to_serve=own + lm))
    engines = sorted({p.solve.engine for _d, p in routed if p.solve.engine})
    summary = PlanSummary(
        status=status,
        stop_reason=("network: " + network.solve.stop_reason + f"; {len(routed)} day(s) "
                     f"routed" if status == SolveStatus.FEASIBLE else "; ".join(problems[:3])),
        network_status=network.solve.status, network_method=network.solve.method.value,
        routing_engines=";".join(engines), seconds=seconds)
    return IntegratedPlan(
        instance=instance.name, solve=summary, delivery_days=days_per_period,
        currency=instance.currency, cost=cost, network=network,
        facilities=tuple(facility_days),
        stops=tuple(s for day, _p in routed for s in day.stops), routes=tuple(lines),
        customers=tuple(customers),
        days=tuple(DayRoutes(facility=day.facility, plan=p) for day, p in routed),
        problems=tuple(problems))


def network_outbound_share(instance: IntegratedInstance, network: NetworkPlan
                           ) -> dict[str, float]:
    """Each customer's part of the network's own ``outbound`` line per period (which the
    last mile replaces): its outbound flow costs (rates), plus, when the network priced its
    outbound as routes, its stand-alone share of those routes × delivery days."""
    out: dict[str, float] = {}
    for f in network.flows:
        if f.echelon.value == "outbound":
            out[f.destination] = out.get(f.destination, 0.0) + f.cost
    fleet = {v.id: v for v in instance.network.fleet}
    for r in getattr(network, "routes", ()):
        visited = [s for s in r.stops.split(";") if s.strip()]
        vehicle = fleet[r.vehicle_type]
        alone = [stand_alone_cost(instance, r.facility, c, vehicle) for c in visited]
        weight = sum(alone)
        for c, a in zip(visited, alone, strict=True):
            part = a / weight if weight > 0 else 1.0 / len(visited)
            out[c] = out.get(c, 0.0) + r.cost * part * instance.delivery_days
    return out


def stand_alone_cost(instance: IntegratedInstance, facility: str, stop: DayStop | str,
                     vehicle: FleetVehicle) -> float:
    """Cost of a route DC → ``stop`` (a day stop, or a customer id) → DC alone on
    ``vehicle``: the split key of route cost (docs/plan-format.md, "Cost to serve")."""
    km = place_km(instance.network, facility, stop) + place_km(instance.network, stop, facility)
    service = stop.service_time if isinstance(stop, DayStop) else \
        instance.network.customer_by_id[stop].service_time
    hours = km / vehicle.speed_kmh + service / 3600.0
    return vehicle.fixed_cost + vehicle.cost_per_km * km + vehicle.cost_per_hour * hours
