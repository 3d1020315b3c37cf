"""The representative delivery day of a network plan: stops per open DC and their routing
instances (the solve side; the checker rebuilds what it needs on its own).

Each DC's day carries, for every zone it serves, the units of its outbound flows to the zone /
``delivery_days``. A zone with orders splits that volume over its orders in proportion to their
``units``; a zone with a delivery profile into its ``stops`` equal stops; any other zone is one
stop. A stop heavier than the DC's largest vehicle is split into ⌈load / capacity⌉ equal stops
at the same place (``<id>#1``, ``<id>#2``, ...); "largest" counts only the vehicle types that
can serve the stop alone within their ``max_duration``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from models.integrated.data import IntegratedInstance
from models.integrated.plan import DayStop
from models.network import FleetVehicle, NetworkInstance, NetworkPlan
from models.network.data import great_circle_km
from models.routing import RoutingInstance

#: Units below this on a zone's day are solver noise: no stop.
NOISE = 1e-6


class DayError(ValueError):
    """The day cannot be built from the instance (a distance that cannot be known)."""


@dataclass(frozen=True)
class Day:
    """One DC's representative day: its stops and the routing instance that routes them."""

    facility: str
    stops: tuple[DayStop, ...]
    routing: RoutingInstance


def zone_volumes(plan: NetworkPlan, delivery_days: float) -> dict[str, dict[str, float]]:
    """Units per delivery day by DC and zone: outbound flows / ``delivery_days``."""
    out: dict[str, dict[str, float]] = {}
    for f in plan.flows:
        if f.echelon.value == "outbound" and f.quantity > 0:
            by_zone = out.setdefault(f.origin, {})
            by_zone[f.destination] = by_zone.get(f.destination, 0.0) + f.quantity
    return {dc: {z: q / delivery_days for z, q in zones.items() if q / delivery_days > NOISE}
            for dc, zones in out.items()}


def day_stops(inst: IntegratedInstance, plan: NetworkPlan) -> dict[str, tuple[DayStop, ...]]:
    """The stops of every open DC's day (DCs without stops are left out)."""
    volumes = zone_volumes(plan, inst.delivery_days)
    served_by: dict[str, list[str]] = {}
    for dc, zones in volumes.items():
        for zone in zones:
            served_by.setdefault(zone, []).append(dc)
    out = {}
    for dc in plan.open_facilities:
        zones = volumes.get(dc, {})
        stops: list[DayStop] = []
        for zone, volume in zones.items():
            suffix = f"@{dc}" if len(served_by[zone]) > 1 else ""
            for base in zone_stops(inst, zone, volume):
                base = base.model_copy(update={"stop": base.stop + suffix, "facility": dc})
                stops.extend(_split(base, largest_reaching(inst, dc, base)))
        if stops:
            out[dc] = tuple(stops)
    return out


def zone_stops(inst: IntegratedInstance, zone: str, volume: float) -> list[DayStop]:
    """The stops of ``zone`` carrying ``volume`` units (before any split): its orders, its
    profile stops, or one stop at the zone."""
    customer = inst.network.customer_by_id[zone]
    orders = inst.orders_by_customer.get(zone, ())
    if orders:
        weight = sum(o.units for o in orders)
        out = []
        for o in orders:
            own = o.lat is not None or o.x is not None
            out.append(DayStop(
                stop=o.id, facility="", customer=zone, order=o.id,
                load=volume * o.units / weight, service_time=o.service_time,
                time_windows=tuple((w.start, w.end) for w in o.time_windows),
                lat=o.lat if own else customer.lat, lon=o.lon if own else customer.lon,
                x=o.x if own else customer.x, y=o.y if own else customer.y, at_zone=not own))
        return out
    profile = inst.profile_by_customer.get(zone)
    count = profile.stops if profile is not None else 1
    service = profile.service_time if profile is not None else float(
        getattr(customer, "service_time", 0.0) or 0.0)
    windows = tuple((w.start, w.end) for w in profile.time_windows) if profile else ()
    return [DayStop(stop=zone if count == 1 else f"{zone}#{k + 1}", facility="", customer=zone,
                    order=None, load=volume / count, service_time=service,
                    time_windows=windows, lat=customer.lat, lon=customer.lon, x=customer.x,
                    y=customer.y, at_zone=True)
            for k in range(count)]


def largest_reaching(inst: IntegratedInstance, facility: str, stop: DayStop) -> float:
    """The capacity of the largest vehicle type at ``facility`` that can serve ``stop`` alone
    within its ``max_duration`` (km there and back / ``speed_kmh`` + the service time); the
    largest type at the DC when none can (the day then says the stop is out of reach), or
    when the distance is not known (the day builder says so)."""
    fleet = inst.fleet_at(facility)
    largest = max((v.capacity for v in fleet), default=math.inf)
    try:
        km = place_km(inst.network, facility, stop) + place_km(inst.network, stop, facility)
    except DayError:
        return largest
    reaching = [v.capacity for v in fleet if v.max_duration is None or
                km / v.speed_kmh + stop.service_time / 3600.0
                <= v.max_duration / 3600.0 * (1 + 1e-9)]
    return max(reaching, default=largest)


def _split(stop: DayStop, largest: float) -> list[DayStop]:
    """``stop`` as ⌈load / largest⌉ equal stops when it is heavier than the largest vehicle."""
    if stop.load <= largest * (1 + 1e-9):
        return [stop]
    parts = math.ceil(stop.load / largest - 1e-9)
    return [stop.model_copy(update={"stop": f"{stop.stop}#{k + 1}", "load": stop.load / parts})
            for k in range(parts)]


def place_km(net: NetworkInstance, a: DayStop | str, b: DayStop | str) -> float:
    """Road km between a DC (its id) or a stop and another: the network's own distance between
    its places (``distances`` rows, else coordinates), the network's coordinate rule for an
    order with a location of its own. Raises :class:`DayError` when it cannot be known."""
    ida = a if isinstance(a, str) else (a.customer if a.at_zone else None)
    idb = b if isinstance(b, str) else (b.customer if b.at_zone else None)
    if ida is not None and idb is not None:
        if ida == idb:
            return 0.0
        km = net.distance(ida, idb)
    else:
        km = _coordinate_km(net, _coords(net, a), _coords(net, b))
    if km is None:
        raise DayError(f"no distance between {_name(a)} and {_name(b)}: give both places "
                       f"coordinates or a distances row")
    return km


def _name(p: DayStop | str) -> str:
    return p if isinstance(p, str) else f"stop {p.stop!r} (zone {p.customer!r})"


def _coords(net: NetworkInstance, p: DayStop | str) -> tuple[str, float, float] | None:
    if isinstance(p, str):
        record = net.facility_by_id.get(p) or net.customer_by_id[p]
        lat, lon, x, y = record.lat, record.lon, record.x, record.y
    else:
        lat, lon, x, y = p.lat, p.lon, p.x, p.y
    if lat is not None:
        return ("latlon", lat, lon)
    if x is not None:
        return ("xy", x, y)
    return None


def _coordinate_km(net: NetworkInstance, a: tuple[str, float, float] | None,
                   b: tuple[str, float, float] | None) -> float | None:
    if a is None or b is None or a[0] != b[0]:
        return None
    if a[0] == "latlon":
        return great_circle_km(a[1], a[2], b[1], b[2]) * net.transport.detour_factor
    return math.hypot(a[1] - b[1], a[2] - b[2])


def routing_instance(inst: IntegratedInstance, facility: str, stops: tuple[DayStop, ...]
                     ) -> RoutingInstance:
    """The day of ``facility`` as a routing instance: one depot, the DC's vehicle types, the
    stops with one capacity dimension (units), and a distance matrix in metres (travel time =
    distance / each type's speed)."""
    net = inst.network
    points: list[DayStop | str] = [facility, *stops]
    matrix = [[0.0 if i == j else place_km(net, a, b) * 1000.0
               for j, b in enumerate(points)] for i, a in enumerate(points)]
    dc = net.facility_by_id[facility]
    depot = {"id": facility, "matrix_index": 0}
    if dc.lat is not None:
        depot.update(lat=dc.lat, lon=dc.lon)
    types = [_vehicle_type(v, facility, len(stops)) for v in inst.fleet_at(facility)]
    routed = []
    for k, s in enumerate(stops):
        row = {"id": s.stop, "matrix_index": k + 1, "delivery": [s.load],
               "service_time": s.service_time,
               "time_windows": [[a, b] for a, b in s.time_windows]}
        if s.lat is not None:
            row.update(lat=s.lat, lon=s.lon)
        routed.append(row)
    return RoutingInstance.model_validate({
        "name": f"{inst.name}-{facility}", "depots": [depot], "vehicle_types": types,
        "stops": routed, "distance": {"kind": "matrix"}, "matrix": {"distances": matrix},
        "objective": {"kind": "cost", "currency": inst.currency}})


def _vehicle_type(v: FleetVehicle, facility: str, stops: int) -> dict[str, object]:
    row: dict[str, object] = {
        "id": v.id, "count": v.count if v.count is not None else max(1, min(stops, 10_000)),
        "capacity": [v.capacity], "fixed_cost": v.fixed_cost, "cost_per_km": v.cost_per_km,
        "cost_per_hour": v.cost_per_hour, "start_depot": facility, "speed_kmh": v.speed_kmh,
        "shift_start": v.shift_start}
    if v.max_duration is not None:
        row["max_duration"] = v.max_duration
    return row


def build_days(inst: IntegratedInstance, plan: NetworkPlan) -> list[Day]:
    """Every open DC's day with stops, with its routing instance."""
    return [Day(dc, stops, routing_instance(inst, dc, stops))
            for dc, stops in day_stops(inst, plan).items()]
