"""Which DCs can deliver to which zones at all: the reach of the last-mile fleet.

The network solve prices DC → zone per unit (or by its own route estimate) and does not know
that a truck's route may last at most ``max_duration``. A DC whose vehicles cannot drive to a
zone's stop and back within that time, even serving that stop alone, can never deliver the
zone's day. Before the network solve such DC → zone lanes are closed (a ``forbidden`` lane row
for all products), so the network never gives a DC a zone its trucks cannot reach; a zone that
must be served and that no DC reaches makes the plan infeasible before anything is solved
(docs/plan-format.md, "Reach of the fleet").

A zone's stops are its orders (each at its own place, with its service time), or its profile
stops, or the zone itself (its ``customers.service_time``). A stop is reachable from a DC when
some vehicle type at that DC has ``km there and back / speed_kmh + service time <=
max_duration`` (no ``max_duration``: always). Time windows never make a stop unreachable: a
DC has no opening hours, so a vehicle can leave when it needs to.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.integrated.data import IntegratedInstance
from models.integrated.day import DayError, place_km, zone_stops
from models.integrated.plan import DayStop
from models.network import FacilityStatus, FleetVehicle, NetworkInstance

#: Relative slack on max_duration (rounding of km and speeds).
SLACK = 1e-9


@dataclass(frozen=True)
class Trip:
    """The quickest round trip DC → ``stop`` → DC alone: ``hours`` on ``vehicle`` (None: the
    DC has no vehicle type, or no distance is known), and that vehicle's ``max_hours``."""

    facility: str
    zone: str
    stop: str
    vehicle: str | None
    hours: float | None
    max_hours: float | None

    @property
    def ok(self) -> bool:
        """Whether the trip fits in its vehicle's max_duration."""
        return self.vehicle is not None and (
            self.max_hours is None or self.hours is None
            or self.hours <= self.max_hours * (1 + SLACK))


@dataclass(frozen=True)
class Reach:
    """``closed``: the DC → zone pairs no vehicle at the DC can serve, each with the trip to the
    zone's farthest stop out of reach; ``unreachable``: zones no DC reaches (DCs that must
    close reach nobody), with those trips from every other DC, quickest first."""

    closed: dict[tuple[str, str], Trip]
    unreachable: dict[str, tuple[Trip, ...]]


def _trip(net: NetworkInstance, facility: str, stop: DayStop,
          vehicles: tuple[FleetVehicle, ...]) -> Trip:
    """The quickest round trip to ``stop`` from ``facility``, preferring a vehicle whose
    ``max_duration`` it fits."""
    if not vehicles:
        return Trip(facility, stop.customer, stop.stop, None, None, None)
    try:
        km = place_km(net, facility, stop) + place_km(net, stop, facility)
    except DayError:
        # no distance: the day builder says so if this DC ever serves the zone
        return Trip(facility, stop.customer, stop.stop, vehicles[0].id, None, None)
    trips = [Trip(facility, stop.customer, stop.stop, v.id,
                  km / v.speed_kmh + stop.service_time / 3600.0,
                  None if v.max_duration is None else v.max_duration / 3600.0)
             for v in vehicles]
    fitting = [t for t in trips if t.ok]
    return min(fitting or trips, key=lambda t: t.hours or 0.0)


def fleet_reach(instance: IntegratedInstance) -> Reach:
    """Which DC → zone pairs the fleet cannot serve, and which zones no DC reaches."""
    net = instance.network
    closed: dict[tuple[str, str], Trip] = {}
    unreachable: dict[str, tuple[Trip, ...]] = {}
    demanded = {d.customer for d in net.demand if d.quantity > 0}
    # a DC that must close reaches nobody
    usable = [f for f in net.facilities if f.status != FacilityStatus.MUST_CLOSE]
    for zone in (c.id for c in net.customers if c.id in demanded):
        stops = zone_stops(instance, zone, 1.0)
        worst: list[Trip] = []
        for f in usable:
            vehicles = instance.fleet_at(f.id)
            failed = [t for t in (_trip(net, f.id, s, vehicles) for s in stops) if not t.ok]
            if failed:
                trip = max(failed, key=lambda t: t.hours or 0.0)
                closed[(f.id, zone)] = trip
                worst.append(trip)
        if len(worst) == len(usable):
            unreachable[zone] = tuple(sorted(worst, key=lambda t: (t.hours is None,
                                                                   t.hours or 0.0)))
    return Reach(closed, unreachable)


def close_lanes(net: NetworkInstance, closed: dict[tuple[str, str], Trip]) -> NetworkInstance:
    """``net`` with every pair of ``closed`` forbidden (an all-products lane row: a new one, or
    the pair's own all-products row with ``forbidden`` set)."""
    if not closed:
        return net
    data = net.model_dump(mode="json", exclude_none=True)
    lanes = data.setdefault("lanes", [])
    done = set()
    for row in lanes:
        pair = (row["origin"], row["destination"])
        if pair in closed and not row.get("product"):
            row["forbidden"] = True
            done.add(pair)
    lanes.extend({"origin": a, "destination": b, "forbidden": True}
                 for a, b in closed if (a, b) not in done)
    return NetworkInstance.model_validate(data)


def hhmm(hours: float) -> str:
    """``hours`` as ``H:MM``."""
    minutes = round(hours * 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def trip_text(trip: Trip) -> str:
    """A trip in words, for the reasons of a plan: ``from DC-A: 1:12 on 'van' > 1:00``."""
    if trip.vehicle is None:
        return f"{trip.facility} has no vehicle type in the fleet"
    if trip.hours is None:
        return f"from {trip.facility}: no distance to stop {trip.stop!r}"
    limit = "" if trip.max_hours is None else f" > {hhmm(trip.max_hours)}"
    stop = "" if trip.stop == trip.zone else f" (stop {trip.stop!r})"
    return f"from {trip.facility}{stop}: {hhmm(trip.hours)} on {trip.vehicle!r}{limit}"


__all__ = ["Reach", "Trip", "close_lanes", "fleet_reach", "hhmm", "trip_text"]
