"""PyVRP (iterated local search) as a second engine, for the instances it supports.

PyVRP handles capacities in several dimensions, one time window per stop, several depots,
mixed fleets with fixed, distance and duration costs and their own speeds (one routing
profile per speed), shift and distance limits, optional stops with prizes, and
pickup-and-delivery shipments (one amount carried from the pickup stop to the delivery stop).
It has no skills, no multiple windows per stop and no driver breaks: :func:`unsupported` says
why an instance goes to OR-Tools instead. Integers throughout: the same integer units as the
OR-Tools model (:mod:`models.routing.scaling`), so both optimise the cost the plan reports.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pyvrp
from pyvrp import (
    Activity,
    ActivityType,
    CostEvaluator,
    IteratedLocalSearch,
    PenaltyManager,
    PenaltyParams,
    RandomNumberGenerator,
    Solution,
    SolveParams,
)
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.IteratedLocalSearch import IteratedLocalSearchCallbacks
from pyvrp.search import LocalSearch, PerturbationManager, compute_neighbours
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

from models.routing.data import RoutingInstance, Shipment, Stop, VehicleType
from models.routing.distances import matrices
from models.routing.ortools_engine import Found
from models.routing.scaling import Scaling, scaling

BIG = 2**40
#: Seconds between the reports of a running PyVRP search's best solution.
REPORT_EVERY = 0.5


def unsupported(inst: RoutingInstance) -> str | None:
    """Why PyVRP cannot take this instance, or None when it can."""
    for pair in inst.shipments:
        p, d = inst.stop_by_id[pair.pickup], inst.stop_by_id[pair.delivery]
        if any(p.delivery) or any(d.pickup) or tuple(p.pickup) != tuple(d.delivery):
            return "shipments whose stops also deliver or pick up other goods"
        if (p.drop_penalty is None) != (d.drop_penalty is None):
            return "shipments with one optional and one required stop"
    if any(vt.breaks for vt in inst.vehicle_types):
        return "driver breaks"
    if any(s.skills for s in inst.stops):
        return "skills"
    if any(len(s.time_windows) > 1 for s in inst.stops):
        return "several time windows per stop"
    return None


def _profile_key(inst: RoutingInstance, vt: VehicleType) -> tuple[float, float]:
    """Vehicle types with the same key drive on the same matrices (speed and detour factor
    matter only where the instance derives times or distances from them)."""
    if inst.distance.kind == "euclidean" or (
            inst.distance.kind == "matrix" and inst.matrix is not None
            and inst.matrix.durations is not None):
        return (0.0, 0.0)
    return (vt.speed_kmh, vt.detour_factor if inst.distance.kind == "haversine" else 0.0)


def build_data(inst: RoutingInstance, excluded: frozenset[str] = frozenset(),
               working: bool = True) -> _Built:
    """The instance as PyVRP data, in the shared integer units (:mod:`scaling`); with
    ``working``, the :func:`working_fleet` where it applies, else the whole fleet."""
    sc = scaling(inst)
    model = pyvrp.Model()
    places = [*inst.depots, *[st for st in inst.stops if st.id not in excluded]]
    ids = [p.id for p in places]
    locations = [model.add_location(float(p.x if p.x is not None else 0.0),
                                    float(p.y if p.y is not None else 0.0)) for p in places]
    depots = {}
    for d, loc in zip(inst.depots, locations, strict=False):
        depots[d.id] = model.add_depot(loc, tw_early=sc.earliest(d.open),
                                       tw_late=sc.latest(d.close))
    everything = [*(d.id for d in inst.depots), *(st.id for st in inst.stops)]
    rows = [everything.index(i) for i in ids]
    # one routing profile per speed (a cargo bike and a van on one day)
    first: dict[tuple[float, float], VehicleType] = {}
    for vt in inst.vehicle_types:
        first.setdefault(_profile_key(inst, vt), vt)
    profiles = {key: model.add_profile(name=vt.id) for key, vt in first.items()}
    dists, durs = [], []
    for vt in first.values():  # the matrices go in whole (numpy), not one call per edge
        m = matrices(inst, vt)
        dist = sc.distance_matrix(m.distance[np.ix_(rows, rows)])
        dur = sc.duration_matrix(m.duration[np.ix_(rows, rows)])
        np.fill_diagonal(dist, 0)
        np.fill_diagonal(dur, 0)
        dists.append(dist)
        durs.append(dur)
    dist = np.maximum.reduce(dists)
    dims = inst.dimensions
    location = dict(zip(ids, locations, strict=True))
    units = load_units(inst)

    def amounts(values: tuple[float, ...]) -> list[int]:
        return [round((values[d] if values else 0.0) * units[d]) for d in range(dims)]

    def window(stop: Stop) -> tuple[int, int]:
        w = stop.time_windows[0] if stop.time_windows else None
        return (0, BIG) if w is None else (sc.earliest(w.start), sc.latest(w.end))

    shipments = [pair for pair in inst.shipments
                 if pair.pickup not in excluded and pair.delivery not in excluded]
    in_pair = {x for pair in inst.shipments for x in (pair.pickup, pair.delivery)}
    clients = [st for st in places[len(inst.depots):] if st.id not in in_pair]
    for stop in clients:
        early, late = window(stop)
        model.add_client(
            location[stop.id], delivery=amounts(stop.delivery), pickup=amounts(stop.pickup),
            service_duration=sc.duration(stop.service_time), tw_early=early, tw_late=late,
            required=stop.drop_penalty is None,
            prize=0 if stop.drop_penalty is None else sc.amount(stop.drop_penalty),
        )
    for pair in shipments:
        p, d = inst.stop_by_id[pair.pickup], inst.stop_by_id[pair.delivery]
        (pe, pl), (de, dl) = window(p), window(d)
        model.add_shipment(
            location[p.id], location[d.id], pickup_tw_early=pe, pickup_tw_late=pl,
            pickup_service_duration=sc.duration(p.service_time), delivery_tw_early=de,
            delivery_tw_late=dl, delivery_service_duration=sc.duration(d.service_time),
            amount=amounts(p.pickup), required=p.drop_penalty is None,
            prize=0 if p.drop_penalty is None
            else sc.amount(p.drop_penalty + (d.drop_penalty or 0.0)),
        )
    # vehicles first: one vehicle costs more than any set of routes can travel
    weight = int(dist.max()) * (len(places) + inst.vehicle_count) + 1 \
        if inst.objective.kind == "vehicles_then_distance" else 0
    fleet = working_fleet(inst, excluded, max(int(d.max()) for d in durs)) if working else {}
    for vt in inst.vehicle_types:
        start = inst.depot_by_id[vt.start_depot]
        end = inst.depot_by_id[vt.end_depot or vt.start_depot]
        model.add_vehicle_type(
            num_available=fleet.get(vt.id, vt.count),
            capacity=[math.floor(c * u) for c, u in zip(vt.capacity, units, strict=True)],
            start_depot=depots[start.id], end_depot=depots[end.id],
            fixed_cost=sc.amount(vt.fixed_cost) + weight,
            tw_early=sc.earliest(max(vt.shift_start, start.open)),
            tw_late=sc.latest(min(vt.shift_end, end.close)),
            shift_duration=BIG if vt.max_duration is None else sc.latest(vt.max_duration),
            max_distance=BIG if vt.max_distance is None
            else math.floor(vt.max_distance * sc.distance),
            unit_distance_cost=sc.per_distance(vt),
            unit_duration_cost=sc.per_time(vt),
            profile=profiles[_profile_key(inst, vt)],
            name=vt.id,
        )
    data = model.data().replace(distance_matrices=dists, duration_matrices=durs)
    return _Built(data, clients, shipments, _penalty_unit(inst, sc))


#: Amounts go to PyVRP in the coarsest of these units per instance unit at which every stop's
#: amounts are whole numbers (PyVRP's load penalties are per unit of excess load, tuned for
#: amounts of about the size of the benchmark sets' integer demands).
LOAD_UNITS = (1, 10, 100, 1000)


def load_units(inst: RoutingInstance) -> list[int]:
    """Integer load units per instance unit, for each capacity dimension."""
    out = []
    for d in range(inst.dimensions):
        values = [v[d] for st in inst.stops for v in (st.delivery, st.pickup) if v]
        out.append(next((u for u in LOAD_UNITS
                         if all(abs(x * u - round(x * u)) <= 1e-9 * max(1.0, x * u)
                                for x in values)), LOAD_UNITS[-1]))
    return out


def working_fleet(inst: RoutingInstance, excluded: frozenset[str] = frozenset(),
                  longest_leg: int | None = None) -> dict[str, int]:
    """Vehicles handed to PyVRP where a smaller fleet than the instance's is ample.

    Only on instances where capacity is the one thing that limits a route: one vehicle type,
    no fixed or hourly costs, no time windows, shift or distance limits that a route could
    reach (``longest_leg``: the longest travel time in the engine's units), no shipments, and
    amounts in one direction only. There, first-fit-decreasing packs the stops into ``ffd``
    vehicles, so a plan exists with that many, and more routes than that rarely pay (a split
    route is no shorter but for rounding); PyVRP gets ``ffd + max(3, 20 %)`` of them (at most
    the fleet; direct PyVRP runs on CVRPLIB are given the minimum + max(3, 20 %)). A smaller fleet
    makes each local-search iteration cheaper (measured: 27 % more iterations on X-n125-k30
    with 36 instead of 124 vehicles). Empty when the rule does not apply."""
    if len(inst.vehicle_types) != 1 or inst.shipments:
        return {}
    vt = inst.vehicle_types[0]
    stops = [st for st in inst.stops if st.id not in excluded]
    if (vt.fixed_cost or vt.cost_per_hour or vt.max_duration is not None
            or vt.max_distance is not None or vt.breaks or not stops
            or any(st.time_windows or st.drop_penalty is not None for st in stops)
            or (any(any(st.delivery) for st in stops) and any(any(st.pickup) for st in stops))):
        return {}
    sc = scaling(inst)
    depot = inst.depot_by_id[vt.start_depot]
    end = inst.depot_by_id[vt.end_depot or vt.start_depot]
    horizon = (min(vt.shift_end, depot.close, end.close) - max(vt.shift_start, depot.open)) \
        * sc.time
    if longest_leg is None or horizon < (len(stops) + 1) * longest_leg + sum(
            sc.duration(st.service_time) for st in stops):
        return {}
    sizes = []
    for st in stops:
        load = st.delivery if any(st.delivery) else st.pickup
        share = [x / c if c > 0 else (math.inf if x > 0 else 0.0)
                 for x, c in zip(load or (0.0,) * inst.dimensions, vt.capacity, strict=True)]
        sizes.append((max(share, default=0.0), tuple(load or ())))
    if any(size > 1 for size, _ in sizes):
        return {}  # a stop no vehicle can carry: the explanations say so; keep the fleet
    bins: list[list[float]] = []
    for _size, load in sorted(sizes, reverse=True):
        for used in bins:
            if all(u + x <= c + 1e-9 for u, x, c in zip(used, load, vt.capacity, strict=False)):
                for d, x in enumerate(load):
                    used[d] += x
                break
        else:
            bins.append([*load] if load else [0.0] * inst.dimensions)
    ffd = max(1, len(bins))
    return {vt.id: min(vt.count, ffd + max(3, math.ceil(0.2 * ffd)))}


@dataclass(frozen=True)
class _Built:
    data: pyvrp.ProblemData
    clients: list[Stop]
    shipments: list[Shipment]
    #: money units per unit of a rule broken, the scale of PyVRP's penalties
    penalty_unit: float


def _penalty_unit(inst: RoutingInstance, sc: Scaling) -> float:
    """PyVRP's penalty bounds are tuned for costs of about one unit per distance unit; ours
    can be thousands (money is scaled for precision), so the bounds scale with them."""
    prices = [max(sc.per_distance(vt), sc.per_time(vt)) for vt in inst.vehicle_types]
    return float(max(1, *prices))


def _params(unit: float) -> SolveParams:
    base = PenaltyParams()
    return SolveParams(penalty=replace(base, min_penalty=base.min_penalty * unit,
                                       max_penalty=base.max_penalty * unit))


def _activities(built: _Built, stops: Sequence[str]) -> list[Activity]:
    client = {st.id: i for i, st in enumerate(built.clients)}
    pickup = {p.pickup: i for i, p in enumerate(built.shipments)}
    delivery = {p.delivery: i for i, p in enumerate(built.shipments)}
    out = []
    for s in stops:
        if s in client:
            out.append(Activity(ActivityType.CLIENT, client[s]))
        elif s in pickup:
            out.append(Activity(ActivityType.PICKUP, pickup[s]))
        else:
            out.append(Activity(ActivityType.DELIVERY, delivery[s]))
    return out


def pyvrp_objective(inst: RoutingInstance, sequences: Sequence[tuple[str, int, Sequence[str]]],
                    ) -> int | None:
    """PyVRP's own objective (money units) for a fixed set of routes, or None when PyVRP finds
    them infeasible: what its search compares plans by."""
    built = build_data(inst, working=False)
    types = {vt.id: i for i, vt in enumerate(inst.vehicle_types)}
    routes = [pyvrp.Route(built.data, _activities(built, stops), types[t])
              for t, _k, stops in sequences if stops]
    solution = pyvrp.Solution(built.data, routes)
    if not solution.is_feasible():
        return None
    return CostEvaluator([0.0] * built.data.num_load_dimensions, 0.0, 0.0).cost(solution)


def search_pyvrp(
    inst: RoutingInstance, time_limit: float | None, seed: int,
    on_found: Callable[[Found], None], iterations: int | None = None,
    excluded: frozenset[str] = frozenset(), finish_by: float | None = None,
    reserve: float = 0.15, inbox: Callable[[], Found | None] | None = None,
    report_every: float = REPORT_EVERY,
) -> str:
    """Solve with PyVRP's iterated local search. Reports a new best solution at most every
    ``report_every`` seconds while searching, and the best once more at the end. With
    ``finish_by`` (wall clock) the search gets what is left of it after building the data,
    minus ``reserve``. ``inbox`` (called between iterations) hands in a solution another
    search found; when it beats this search's best, the next iteration starts from it."""
    built = build_data(inst, excluded)
    data = built.data
    if finish_by is not None:
        time_limit = max(0.05, finish_by - time.time() - reserve)
    criteria = []
    if time_limit is not None:
        criteria.append(MaxRuntime(max(0.05, time_limit)))
    if iterations is not None:
        criteria.append(MaxIterations(iterations))
    stop = criteria[0] if len(criteria) == 1 else MultipleCriteria(criteria)
    plain = CostEvaluator([0.0] * data.num_load_dimensions, 0.0, 0.0)
    reporter = _Reporter(inst, built, on_found, plain, report_every)
    params = _params(built.penalty_unit)
    rng = RandomNumberGenerator(seed=seed)
    ls = LocalSearch(data, rng, compute_neighbours(data, params.neighbourhood),
                     PerturbationManager(params.perturbation))
    for op in params.operators:
        if op.supports(data):
            ls.add_operator(op(data))
    pm = PenaltyManager(params.penalty.midpoint_penalties(data), params.penalty)
    init = ls(Solution.make_random(data, rng), pm.max_cost_evaluator(), exhaustive=True)
    method = ls if inbox is None else _Migrating(ls, inbox, built, inst, reporter)
    ils = IteratedLocalSearch(data, pm, method, init,
                              replace(params.ils, callbacks=reporter))
    with warnings.catch_warnings():  # "struggles to find a feasible solution": we say so below
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = ils.run(stop, collect_stats=False)
    if not result.best.is_feasible():
        return "PyVRP found no feasible solution"
    reporter.send(result.best)
    adopted = "" if inbox is None else f", {method.adopted} solution(s) taken from the others"
    return f"PyVRP finished ({result.num_iterations} iterations{adopted})"


def sequences_of(inst: RoutingInstance, built: _Built, solution: Solution
                 ) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
    """A PyVRP solution as stop sequences per vehicle (type id, number within the type)."""
    counters: dict[str, int] = {}
    sequences = []
    for route in solution.routes():
        vt = inst.vehicle_types[route.vehicle_type()]
        k = counters.get(vt.id, 0)
        counters[vt.id] = k + 1
        visits = []
        for a in route:
            if a.is_client():
                visits.append(built.clients[a.idx].id)
            elif a.is_pickup():
                visits.append(built.shipments[a.idx].pickup)
            elif a.is_delivery():
                visits.append(built.shipments[a.idx].delivery)
        sequences.append((vt.id, k, tuple(visits)))
    return tuple(sequences)


def solution_of(inst: RoutingInstance, built: _Built, found: Found) -> Solution:
    """Stop sequences (another search's) as a PyVRP solution on ``built``."""
    types = {vt.id: i for i, vt in enumerate(inst.vehicle_types)}
    return Solution(built.data, [pyvrp.Route(built.data, _activities(built, stops), types[t])
                                 for t, _k, stops in found.sequences if stops])


class _Reporter(IteratedLocalSearchCallbacks):
    """Sends the search's best solution to ``on_found``, at most every ``every`` seconds (the
    last one not sent yet goes at the next chance, and at the end)."""

    def __init__(self, inst: RoutingInstance, built: _Built, on_found: Callable[[Found], None],
                 plain: CostEvaluator, every: float) -> None:
        self.inst, self.built, self.on_found, self.plain = inst, built, on_found, plain
        self.every = every
        self.last = -math.inf
        self.sent: int | None = None
        self.pending: Solution | None = None
        self.best_cost: int | None = None

    def on_best(self, best: Solution) -> None:
        if best.is_feasible():
            self.best_cost = int(self.plain.cost(best))
            self.pending = best
            self.flush()

    def on_iteration(self, *_args: object) -> None:
        if self.pending is not None:
            self.flush()

    def flush(self) -> None:
        if self.pending is not None and time.monotonic() - self.last >= self.every:
            self.send(self.pending)

    def send(self, solution: Solution) -> None:
        cost = int(self.plain.cost(solution))
        self.pending = None
        if self.sent is not None and cost >= self.sent:
            return
        self.sent, self.last = cost, time.monotonic()
        self.on_found(Found(cost, sequences_of(self.inst, self.built, solution)))


class _Migrating:
    """PyVRP's local search, but when another search sent a solution that beats this search's
    best, the next iteration is a full local search from it (islands exchanging their best:
    the search moves there, and its best becomes at least as good)."""

    def __init__(self, ls: LocalSearch, inbox: Callable[[], Found | None], built: _Built,
                 inst: RoutingInstance, reporter: _Reporter) -> None:
        self.ls, self.inbox, self.built, self.inst = ls, inbox, built, inst
        self.reporter = reporter
        self.adopted = 0

    def __call__(self, solution: Solution, cost_evaluator: CostEvaluator,
                 exhaustive: bool = False) -> Solution:
        found = None if exhaustive else self.inbox()
        own = self.reporter.best_cost
        if found is not None and (own is None or found.objective < own):
            try:
                migrant = solution_of(self.inst, self.built, found)
            except (ValueError, IndexError, KeyError, RuntimeError):  # not of these data
                migrant = None
            if migrant is not None:  # a full local search from it: no worse than it was
                self.adopted += 1
                return self.ls(migrant, cost_evaluator, exhaustive=True)
        return self.ls(solution, cost_evaluator, exhaustive)
