"""Independent checker for route plans.

Recomputes every edge (its own distance code, with each benchmark set's rounding), arrival and
service times, time windows, loads in every capacity dimension, pickup-before-delivery on the
same vehicle, skills, depot hours, shifts, route duration and distance limits, costs and totals,
from the instance and the plan's stop sequences alone. Shares no code with the solver or with
the plan assembly.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from models.checking import Report, agrees, gap_amount, is_number
from models.routing.data import Depot, RoutingInstance, Stop, VehicleType
from models.routing.plan import Route, RoutePlan

#: Relative tolerance on times, distances and money.
TOL = 1e-6


@dataclass
class CheckReport(Report):
    """The verdict, and the totals recomputed from scratch."""

    distance: float = 0.0
    duration: float = 0.0
    cost: float = 0.0
    vehicles: int = 0


def _tol(*values: float) -> float:
    return TOL * max(1.0, *(abs(v) for v in values))


class _Edges:
    """Distance and travel time between two places, computed edge by edge."""

    def __init__(self, inst: RoutingInstance) -> None:
        self.inst = inst
        self.places = {p.id: p for p in (*inst.depots, *inst.stops)}

    def _round(self, value: float) -> float:
        rounding = self.inst.distance.rounding
        if rounding == "nint":
            return float(math.floor(value + 0.5))
        if rounding == "trunc1":
            return math.floor(value * 10.0 + 1e-9) / 10.0
        return value

    def get(self, a: str, b: str, vt: VehicleType) -> tuple[float, float]:
        pa, pb = self.places[a], self.places[b]
        spec = self.inst.distance
        if spec.kind == "matrix":
            assert self.inst.matrix is not None
            i, j = pa.matrix_index, pb.matrix_index
            dist = self._round(self.inst.matrix.distances[i][j])
            if self.inst.matrix.durations is not None:
                return dist, self._round(self.inst.matrix.durations[i][j])
            return dist, dist * 3.6 / vt.speed_kmh
        if spec.kind == "haversine":
            la1, lo1, la2, lo2 = map(math.radians, (pa.lat, pa.lon, pb.lat, pb.lon))
            h = (math.sin((la2 - la1) / 2) ** 2
                 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
            metres = 2 * 6_371_008.8 * math.asin(math.sqrt(min(1.0, max(0.0, h))))
            dist = self._round(metres * vt.detour_factor)
            return dist, self._round(dist * 3.6 / vt.speed_kmh)
        raw = math.hypot(pa.x - pb.x, pa.y - pb.y)
        return self._round(raw), self._round(raw * spec.time_per_distance)


def check_plan(inst: RoutingInstance, plan: RoutePlan) -> CheckReport:
    """Check ``plan`` against ``inst``: every rule, and every number it reports (arrival,
    service start (the wait), departure and load at each stop, each route's start load, end,
    distance, duration and cost, the breaks, the unserved stops' penalties, the unused
    vehicles, the totals and the solve figures) recomputed from the stop sequences and the
    routes' start times alone. NaN and inf never match anything. The recomputed totals are in
    the report."""
    report = CheckReport()
    edges = _Edges(inst)
    stops = {s.id: s for s in inst.stops}
    types = {v.id: v for v in inst.vehicle_types}
    depots = {d.id: d for d in inst.depots}
    partner = {s.pickup: ("pickup", s.delivery) for s in inst.shipments}
    partner.update({s.delivery: ("delivery", s.pickup) for s in inst.shipments})
    seen: Counter[str] = Counter()
    vehicles_seen: Counter[tuple[str, int]] = Counter()
    total_cost = 0.0
    for r in plan.routes:
        name = f"{r.vehicle_type}#{r.vehicle}"
        vt = types.get(r.vehicle_type)
        if vt is None or not 0 <= r.vehicle < vt.count:
            report.add("unknown_vehicle", name, f"no vehicle {name} in the fleet", 1.0)
            continue
        vehicles_seen[(r.vehicle_type, r.vehicle)] += 1
        if vehicles_seen[(r.vehicle_type, r.vehicle)] == 2:
            report.add("vehicle_reused", name, f"{name} drives more than one route", 1.0)
        if r.start_depot != vt.start_depot or r.end_depot != (vt.end_depot or vt.start_depot):
            report.add("depot", name, f"{name} must run {vt.start_depot} -> "
                                      f"{vt.end_depot or vt.start_depot}", 1.0)
        report.vehicles += 1
        if not is_number(r.start_time):
            report.add("start_time", name, f"reports start time {r.start_time!r}", math.inf)
            continue
        distance, end = _check_route(inst, report, edges, stops, depots, partner, vt, r, name,
                                     seen)
        total_cost += _route_cost(vt, report, r, name, distance, end)
    for stop_id, count in seen.items():
        if stop_id not in stops:
            report.add("unknown_stop", stop_id, f"unknown stop {stop_id}", count)
        elif count > 1:
            report.add("visited_twice", stop_id, f"{stop_id} is served {count} times",
                       count - 1)
    listed = {u.stop for u in plan.unserved}
    _check_unserved(report, plan, stops)
    used = {(r.vehicle_type, r.vehicle) for r in plan.routes}
    unused = {f"{t}#{k}" for t, k in inst.vehicles if (t, k) not in used}
    if set(plan.unused_vehicles) != unused or len(plan.unused_vehicles) != len(unused):
        report.add("unused_vehicles", "plan",
                   f"lists unused vehicles {sorted(plan.unused_vehicles)}, recomputed "
                   f"{sorted(unused)}", len(set(plan.unused_vehicles) ^ unused) or 1)
    _check_summary(report, plan)
    for stop in inst.stops:
        if seen[stop.id] == 0:
            if stop.drop_penalty is None:
                report.add("mandatory_unserved", stop.id,
                           f"{stop.id} must be served (it has no drop penalty)", 1.0)
            else:
                total_cost += stop.drop_penalty
            if stop.id not in listed:
                report.add("unserved_list", stop.id, f"{stop.id} is not served but not listed "
                                                     f"as unserved", 1.0)
        elif stop.id in listed:
            report.add("unserved_list", stop.id, f"{stop.id} is served and listed as "
                                                 f"unserved", 1.0)
    report.cost = total_cost
    for what, reported, actual in (("distance", plan.distance, report.distance),
                                   ("duration", plan.duration, report.duration),
                                   ("cost", plan.cost, report.cost),
                                   ("vehicles_used", plan.vehicles_used, report.vehicles)):
        if not agrees(reported, actual, _tol(actual)):
            report.add("total_" + what, "plan", f"reports {what} {reported:,.6g}, "
                                                f"recomputed {actual:,.6g}",
                       gap_amount(reported, actual))
    return report


def _check_unserved(report: CheckReport, plan: RoutePlan, stops: dict[str, Stop]) -> None:
    """Each unserved record names a stop once, with the stop's own drop penalty."""
    counted: Counter[str] = Counter(u.stop for u in plan.unserved)
    for u in plan.unserved:
        stop = stops.get(u.stop)
        if stop is None:
            report.add("unserved_list", u.stop, f"lists unknown stop {u.stop} as unserved", 1.0)
            continue
        if counted[u.stop] > 1:
            report.add("unserved_list", u.stop, f"{u.stop} is listed {counted[u.stop]} times "
                                                f"as unserved", counted[u.stop] - 1)
        if stop.drop_penalty is None:
            same = u.penalty is None
        else:
            same = agrees(u.penalty, stop.drop_penalty, _tol(stop.drop_penalty))
        if not same:
            report.add("unserved_penalty", u.stop,
                       f"reports penalty {u.penalty!r}, the stop's drop penalty is "
                       f"{stop.drop_penalty!r}", gap_amount(u.penalty, stop.drop_penalty or 0.0))


def _check_summary(report: CheckReport, plan: RoutePlan) -> None:
    """The solve figures: finite, non-negative seconds and time limit."""
    for what, value in (("seconds", plan.solve.seconds), ("time_limit", plan.solve.time_limit)):
        if value is not None and (not is_number(value) or value < 0):
            report.add("solve_figures", "plan", f"reports {what} {value!r}, not a finite "
                                                f"number >= 0", gap_amount(value, 0.0))


def _route_cost(vt: VehicleType, report: CheckReport, r: Route, name: str, distance: float,
                end: float) -> float:
    """The route's cost from its distance and return time (the reported ones when they agree
    with the recomputed ones, so that a plan's rounding is not counted as an error; else the
    recomputed ones)."""
    if agrees(r.distance, distance, _tol(distance)):
        distance = r.distance
    if agrees(r.end_time, end, _tol(end)):
        end = r.end_time
    cost = (vt.fixed_cost + vt.cost_per_km * distance / 1000.0
            + vt.cost_per_hour * (end - r.start_time) / 3600.0)
    if not agrees(r.cost, cost, _tol(cost)):
        report.add("route_cost", name, f"reports cost {r.cost:,.6g}, recomputed {cost:,.6g}",
                   gap_amount(r.cost, cost))
    return cost


def _check_route(
    inst: RoutingInstance, report: CheckReport, edges: _Edges, stops: dict[str, Stop],
    depots: dict[str, Depot], partner: dict[str, tuple[str, str]], vt: VehicleType, r: Route,
    name: str, seen: Counter[str],
) -> tuple[float, float]:
    """Check one route; returns its recomputed distance and return time."""
    dims = max((len(v.capacity) for v in inst.vehicle_types), default=0)
    start_depot, end_depot = depots[vt.start_depot], depots[vt.end_depot or vt.start_depot]
    if r.start_time < max(vt.shift_start, start_depot.open) - _tol(r.start_time):
        report.add("shift", name, f"leaves at {r.start_time:g}, before the shift or depot "
                                  f"opening {max(vt.shift_start, start_depot.open):g}",
                   max(vt.shift_start, start_depot.open) - r.start_time)
    load = [0.0] * dims
    for v in r.visits:
        stop = stops.get(v.stop)
        if stop is not None and v.stop not in partner:
            for d in range(min(dims, len(stop.delivery))):
                load[d] += stop.delivery[d]
    if not _loads_agree(load, r.start_load):
        report.add("load", name, f"reports start load {r.start_load}, recomputed "
                                 f"{tuple(load)}", 1.0)
    _capacity(report, vt, load, f"{name} at the start")
    t, here, distance = r.start_time, vt.start_depot, 0.0
    rests = _breaks(report, vt, r, name)
    position: dict[str, int] = {}
    for pos, v in enumerate(r.visits):
        seen[v.stop] += 1
        stop = stops.get(v.stop)
        if stop is None:
            continue
        position[v.stop] = pos
        dist, travel = edges.get(here, v.stop, vt)
        distance += dist
        arrival = _drive(report, t, travel, rests.get(pos, []), name)
        if not agrees(v.arrival, arrival, _tol(arrival)):
            report.add("arrival", v.stop, f"reports arrival {v.arrival:g}, recomputed "
                                          f"{arrival:g}", gap_amount(v.arrival, arrival))
        start = _earliest_start(stop, arrival)
        if is_number(v.start) and v.start < arrival - _tol(arrival):
            report.add("service_start", v.stop, f"service starts at {v.start:g}, before the "
                                                f"arrival {arrival:g}", arrival - v.start)
        elif not agrees(v.start, start, _tol(start)):
            report.add("wait", v.stop, f"reports service start {v.start:g} (a wait of "
                                       f"{v.start - arrival:g}), recomputed {start:g} (a wait "
                                       f"of {start - arrival:g}: service starts on arrival "
                                       f"or when the next window opens)",
                       gap_amount(v.start, start))
        # the window holds both the recomputed start and the start the plan claims
        claimed = v.start if is_number(v.start) and v.start >= start else start
        times = [start] if agrees(claimed, start, _tol(start)) else [start, claimed]
        for when in times:  # the claim once when it is the recomputed start (float noise)
            if stop.time_windows and not any(
                    w.start - _tol(w.start) <= when <= w.end + _tol(w.end)
                    for w in stop.time_windows):
                late = min(abs(when - w.end) for w in stop.time_windows)
                report.add("time_window", v.stop, _window_message(inst, when, stop, late),
                           late)
        missing = set(stop.skills) - set(vt.skills)
        if missing:
            report.add("skills", v.stop, f"{name} lacks skill(s) {sorted(missing)}",
                       len(missing))
        departure = start + stop.service_time
        if not agrees(v.departure, departure, _tol(departure)):
            report.add("departure", v.stop, f"reports departure {v.departure:g}, recomputed "
                                            f"{departure:g}", gap_amount(v.departure, departure))
        for d in range(min(dims, len(stop.delivery))):
            load[d] -= stop.delivery[d]
        for d in range(min(dims, len(stop.pickup))):
            load[d] += stop.pickup[d]
        if not _loads_agree(load, v.load):
            report.add("load", v.stop, f"reports load {v.load}, recomputed {tuple(load)}", 1.0)
        _capacity(report, vt, load, f"{name} after {v.stop}")
        if any(x < -_tol(x) for x in load):
            report.add("negative_load", v.stop, f"load {tuple(load)} goes below zero", 1.0)
        t, here = departure, v.stop
    for stop_id, pos in position.items():
        pair = partner.get(stop_id)
        if pair is None:
            continue
        role, other = pair
        if other not in position:
            report.add("pickup_delivery", stop_id, f"{stop_id} ({role}) and {other} are not "
                                                   f"on the same vehicle", 1.0)
        elif role == "pickup" and position[other] < pos:
            report.add("pickup_delivery", stop_id, f"delivery {other} comes before its pickup "
                                                   f"{stop_id}", 1.0)
    dist, travel = edges.get(here, end_depot.id, vt)
    distance += dist
    end = _drive(report, t, travel, rests.get(len(r.visits), []), name)
    if not agrees(r.end_time, end, _tol(end)):
        report.add("end_time", name, f"reports end {r.end_time:g}, recomputed {end:g}",
                   gap_amount(r.end_time, end))
    if end > min(vt.shift_end, end_depot.close) + _tol(end):
        report.add("shift", name, f"returns at {end:g}, after the shift or depot closing "
                                  f"{min(vt.shift_end, end_depot.close):g}",
                   end - min(vt.shift_end, end_depot.close))
    duration = end - r.start_time
    if vt.max_duration is not None and duration > vt.max_duration + _tol(duration):
        report.add("max_duration", name, f"route takes {duration:g}, limit {vt.max_duration:g}",
                   duration - vt.max_duration)
    if vt.max_distance is not None and distance > vt.max_distance + _tol(distance):
        report.add("max_distance", name, f"route is {distance:g} long, limit "
                                         f"{vt.max_distance:g}", distance - vt.max_distance)
    if not agrees(r.distance, distance, _tol(distance)):
        report.add("route_distance", name, f"reports {r.distance:g}, recomputed {distance:g}",
                   gap_amount(r.distance, distance))
    if not agrees(r.duration, duration, _tol(duration)):
        report.add("route_duration", name, f"reports {r.duration:g}, recomputed {duration:g}",
                   gap_amount(r.duration, duration))
    report.distance += distance
    report.duration += duration
    return distance, end


def _earliest_start(stop: Stop, arrival: float) -> float:
    """Service starts on arrival, or when the earliest window not yet closed opens (on
    arrival when every window has closed; the window rule then flags it)."""
    opening = [w.start for w in stop.time_windows if w.end >= arrival - _tol(arrival)]
    return max(arrival, min(opening)) if opening else arrival


def _loads_agree(actual: list[float], reported: tuple[float, ...]) -> bool:
    """One finite reported load per capacity dimension, each equal to the recomputed one."""
    return len(actual) == len(reported) and all(
        agrees(b, a, _tol(a)) for a, b in zip(actual, reported, strict=True))


def _breaks(report: CheckReport, vt: VehicleType, r: Route,
            name: str) -> dict[int, list[tuple[float, float]]]:
    """Each of the type's breaks once if the route runs across its latest start (leaves before
    and returns after it; at most once otherwise), inside its window, with its duration, never
    before the route starts; returns the
    (start, duration) of the breaks per leg, in time order."""
    wanted = {b.id: b for b in vt.breaks}
    taken: Counter[str] = Counter()
    legs: dict[int, list[tuple[float, float]]] = {}
    for b in r.breaks:
        rule = wanted.get(b.id)
        taken[b.id] += 1
        if rule is None:
            report.add("break", name, f"{name} takes break {b.id!r}, which its type does not "
                                      f"have", 1.0)
            continue
        if not rule.earliest - _tol(rule.earliest) <= b.start <= rule.latest + _tol(rule.latest):
            report.add("break", name, f"break {b.id} starts at {b.start:g}, outside "
                                      f"[{rule.earliest:g}, {rule.latest:g}]",
                       max(rule.earliest - b.start, b.start - rule.latest))
        if not agrees(b.end, b.start + rule.duration, _tol(b.start + rule.duration)):
            report.add("break", name, f"break {b.id} ends at {b.end:g}, it lasts "
                                      f"{rule.duration:g}", b.end - b.start - rule.duration)
        if not 0 <= b.leg <= len(r.visits):
            report.add("break", name, f"break {b.id} is on leg {b.leg}, the route has "
                                      f"{len(r.visits) + 1}", 1.0)
        legs.setdefault(b.leg, []).append((b.start, rule.duration))
    for break_id, rule in wanted.items():
        across = (r.start_time < rule.latest - _tol(rule.latest)
                  and r.end_time > rule.latest + _tol(rule.latest))
        if taken[break_id] > 1 or (taken[break_id] == 0 and across):
            report.add("break", name, f"{name} takes break {break_id} {taken[break_id]} times; "
                                      f"it is due once when the route leaves before "
                                      f"{rule.latest:g} and returns after it",
                       abs(taken[break_id] - 1))
    return {leg: sorted(v) for leg, v in legs.items()}


def _drive(report: CheckReport, t: float, travel: float, rests: list[tuple[float, float]],
           name: str) -> float:
    """Arrival after leaving at ``t`` for ``travel`` seconds of driving, stopping for each rest
    (start, duration) at its start; a rest before ``t`` overlaps the previous stop."""
    left = travel
    for start, duration in rests:
        if start < t - _tol(t):
            report.add("break", name, f"a break at {start:g} overlaps work that ends at {t:g}",
                       t - start)
        drive = min(left, max(0.0, start - t))
        left -= drive
        t = max(t, start) + duration
    return t + left


def _capacity(report: CheckReport, vt: VehicleType, load: list[float], where: str) -> None:
    for d, cap in enumerate(vt.capacity):
        if d < len(load) and load[d] > cap + _tol(cap):
            report.add("capacity", where, f"load {load[d]:g} in dimension {d + 1} above the "
                                          f"capacity {cap:g}", load[d] - cap)


def _window_message(inst: RoutingInstance, when: float, stop: Stop, off: float) -> str:
    """Clock times and minutes where the instance counts seconds of a day (not planar)."""
    windows = stop.time_windows
    if inst.distance.kind == "euclidean":  # abstract benchmark units
        return (f"service at {when:g} is outside every window "
                f"{[(w.start, w.end) for w in windows]}")
    shown = ", ".join(f"{_clock(w.start)}-{_clock(w.end)}" for w in windows)
    return (f"service at {_clock(when)} ({when:g} s) is outside every window ({shown}): "
            f"{off / 60:,.1f} min off")


def _clock(seconds: float) -> str:
    """``HH:MM`` (``1d HH:MM`` from the second day) for a message; a person reads windows so."""
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    text = f"{rest // 60:02d}:{rest % 60:02d}"
    return f"{days}d {text}" if days else text
