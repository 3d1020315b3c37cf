"""Integer units for the engines: one scaling, so both optimise the cost the plan reports.

Both engines work in integers. A plan's cost is

    Σ routes (fixed + cost_per_km × distance / 1000 + cost_per_hour × (end − start) / 3600)
    + Σ unserved stops' drop penalties,

and each engine gets exactly these terms, scaled:

* **time** — ``time`` integer units per instance time unit (1 per second for native instances;
  1, 10 or 1000 for the planar benchmark conventions ``nint``, ``trunc1``, ``real``). Travel and
  service times are rounded *up* per edge, so a schedule an engine accepts is feasible in exact
  arithmetic; a route's engine duration is at most one time unit per leg longer than the plan's.
* **distance** — ``distance`` integer units per instance distance unit (1 per metre natively).
* **money** — ``money`` integer units per currency unit: the smallest power of ten (≥ 1, at most
  10⁹) at which every price per distance unit and per time unit of every vehicle type is a whole
  number, or, when it cannot be (28 per hour is 0.00778 per second), at least ``FINE`` units so
  that rounding it moves the price by at most 0.5/``FINE`` (0.05 %). Fixed costs and drop
  penalties are rounded to whole money units.

So for one set of routes an engine's objective is the plan cost × ``money`` up to: 0.5 money
units per edge and per fixed cost or penalty, 0.05 % of the hourly part, and the hourly price
of one time unit per leg. :func:`cost_tolerance` bounds that difference for a plan; plans
whose costs differ by more are ranked by every engine as the plan cost ranks them (a test).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from models.routing.data import RoutingInstance, VehicleType

#: A price that cannot be a whole number of money units is at least this many of them.
FINE = 1000
#: The largest money scale (keeps every objective far below 2**63).
MAX_MONEY = 10**9


def _whole(value: float) -> bool:
    return abs(value - round(value)) <= 1e-9 * max(1.0, abs(value))


@dataclass(frozen=True)
class Scaling:
    """Integer units per instance unit of time, distance and money."""

    time: int
    distance: int
    money: int

    def duration_matrix(self, seconds: np.ndarray) -> np.ndarray:
        """Travel times in time units, rounded up (never shorter than the true time)."""
        return np.ceil(np.round(seconds * self.time, 6)).astype(np.int64)

    def distance_matrix(self, distance: np.ndarray) -> np.ndarray:
        """Distances in distance units, rounded to the nearest unit."""
        return np.rint(distance * self.distance).astype(np.int64)

    def duration(self, seconds: float) -> int:
        """A duration (service time, break) in time units, rounded up."""
        return math.ceil(round(seconds * self.time, 6))

    def earliest(self, seconds: float) -> int:
        """The start of a window in time units (rounded up: never earlier)."""
        return math.ceil(round(seconds * self.time, 6))

    def latest(self, seconds: float) -> int:
        """The end of a window or a limit in time units (rounded down: never later)."""
        return math.floor(round(seconds * self.time, 6))

    def amount(self, money: float) -> int:
        """A fixed cost or a drop penalty in money units."""
        return round(money * self.money)

    def per_distance(self, vt: VehicleType) -> int:
        """Money units per distance unit driven by a vehicle of ``vt``."""
        return round(vt.cost_per_km / 1000.0 / self.distance * self.money)

    def per_time(self, vt: VehicleType) -> int:
        """Money units per time unit of route duration of a vehicle of ``vt``."""
        return round(vt.cost_per_hour / 3600.0 / self.time * self.money)

    def arc_costs(self, vt: VehicleType, distance: np.ndarray) -> np.ndarray:
        """Money units per edge for ``vt`` (the distance part of its route cost)."""
        return np.rint(distance * (vt.cost_per_km / 1000.0) * self.money).astype(np.int64)


def scaling(inst: RoutingInstance) -> Scaling:
    """The instance's integer units (see the module docstring)."""
    if inst.distance.kind == "euclidean":
        unit = {"nint": 1, "trunc1": 10, "real": 1000}[inst.distance.rounding]
    else:
        unit = 1  # metres and seconds
    rates = []
    for vt in inst.vehicle_types:
        rates.append(vt.cost_per_km / 1000.0 / unit)
        rates.append(vt.cost_per_hour / 3600.0 / unit)
    money = 1
    while money < MAX_MONEY and not all(
            r == 0 or _whole(r * money) or r * money >= FINE for r in rates):
        money *= 10
    return Scaling(time=unit, distance=unit, money=money)


def cost_tolerance(inst: RoutingInstance, legs: int, routes: int, unserved: int) -> float:
    """How far an engine's objective (in currency) may be from the plan cost for a plan with
    ``legs`` edges, ``routes`` routes and ``unserved`` dropped stops."""
    sc = scaling(inst)
    per_leg = max((vt.cost_per_hour / 3600.0 / sc.time for vt in inst.vehicle_types),
                  default=0.0)
    hourly = max((vt.cost_per_hour for vt in inst.vehicle_types), default=0.0)
    horizon = max(vt.shift_end - vt.shift_start for vt in inst.vehicle_types) / 3600.0
    return ((legs + routes + unserved) * 0.5 / sc.money + legs * per_leg
            + routes * hourly * horizon * 0.5 / FINE)
