"""Reader for the Prodhon capacitated location-routing (LRP) benchmark files (``--format prodhon``).

Layout (whitespace-separated numbers, in order): n customers; m depots; m depot (x, y); n
customer (x, y); vehicle capacity Q; m depot capacities; n demands; m depot opening costs; the
cost of a route F; the cost code (0 = integer costs, 1 = real). The token count must be exactly
2 + 2m + 2n + 1 + m + n + m + 1 + 1.

Cost convention: an edge costs ⌈100 · Euclidean distance⌉ under code 0. The bench-data README
and format.txt say "multiplied by 100 and truncated", but the published best-known values are
met exactly only with the ceiling (benchmarks/studies/lrp-baseline.md); code 1 costs the real
distance. The reader gives every needed pair (depot-customer, customer-customer) as a
``distances`` row with that cost as km, so the network model prices routes exactly.

As a network instance (:func:`read_prodhon`): one product ``P``; facilities ``D1..Dm``
(candidate, x, y, capacity, fixed cost = opening cost); customers ``C1..Cn`` (x, y); one demand
row each; one fleet type ``van`` (capacity Q, fixed_cost F, cost_per_km 1, nothing per hour,
count unlimited); ``network_policy``: outbound ``routes``, delivery_days 1.
:func:`read_prodhon_problem` maps the same file straight to the engine's
:class:`~models.network.lrp.LocationRoutingProblem`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from models.network import LocationRoutingProblem, LRPVehicle, NetworkInstance
from optimizer.errors import InputError
from optimizer.formats.network_bench import _Malformed, _Tokens
from optimizer.formats.routing_bench import _text

#: The product of every Prodhon instance.
PRODUCT = "P"
#: The vehicle type's id.
VEHICLE = "van"


@dataclass(frozen=True)
class ProdhonData:
    """The numbers of one file, as read."""

    name: str
    depot_xy: np.ndarray  # [m, 2]
    customer_xy: np.ndarray  # [n, 2]
    vehicle_capacity: float
    depot_capacity: np.ndarray  # [m]
    demand: np.ndarray  # [n]
    opening_cost: np.ndarray  # [m]
    route_cost: float
    integer_costs: bool

    @property
    def shape(self) -> tuple[int, int]:
        """(depots, customers)."""
        return len(self.depot_xy), len(self.customer_xy)

    def km(self) -> np.ndarray:
        """[m+n, m+n] edge costs, depots first: ⌈100·d⌉ (integer costs) or d (real)."""
        xy = np.vstack([self.depot_xy, self.customer_xy])
        d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
        if not self.integer_costs:
            return d
        # ceil of the double-precision product, as the C codes that made the values do
        return np.array([[math.ceil(100 * float(v)) for v in row] for row in d], dtype=float)


def parse_prodhon(path: Path | str) -> ProdhonData:
    """Read a Prodhon file; a malformed one is an :class:`InputError` naming the file and line."""
    path = Path(path)
    text = _text(path)
    tokens = _Tokens(text)
    try:
        n = int(tokens.number("the number of customers", positive=True, whole=True))
        m = int(tokens.number("the number of depots", positive=True, whole=True))
        if n > 100_000 or m > 10_000:
            raise _Malformed(1, f"{n} customers and {m} depots is beyond what is read "
                                f"(100,000 and 10,000)")
        dxy = [[_coordinate(tokens, f"the {a} coordinate of depot {i + 1}") for a in "xy"]
               for i in range(m)]
        cxy = [[_coordinate(tokens, f"the {a} coordinate of customer {j + 1}") for a in "xy"]
               for j in range(n)]
        q = tokens.number("the vehicle capacity", positive=True)
        cap = [tokens.number(f"the capacity of depot {i + 1}", positive=True) for i in range(m)]
        dem = [tokens.number(f"the demand of customer {j + 1}") for j in range(n)]
        opening = [tokens.number(f"the opening cost of depot {i + 1}") for i in range(m)]
        f = tokens.number("the cost of a route")
        line, word = tokens.word("the cost code (0 or 1)")
        if word not in ("0", "1"):
            raise _Malformed(line, f"the cost code must be 0 (integer costs) or 1 (real), "
                                   f"found {word!r}")
        tokens.end()
    except _Malformed as exc:
        where = f"line {exc.line}: " if exc.line else ""
        raise InputError([f"{path}: {where}not a valid prodhon file: {exc}"]) from None
    too_big = [j + 1 for j, d in enumerate(dem) if d > q]
    if too_big:
        raise InputError([f"{path}: customer {too_big[0]}'s demand {dem[too_big[0] - 1]:g} is "
                          f"above the vehicle capacity {q:g} (a Prodhon customer is one stop)"])
    return ProdhonData(path.stem, np.array(dxy, float).reshape(m, 2),
                       np.array(cxy, float).reshape(n, 2), q, np.array(cap, float),
                       np.array(dem, float), np.array(opening, float), f, word == "0")


def _coordinate(tokens: _Tokens, what: str) -> float:
    line, word = tokens.word(what)
    try:
        value = float(word)
    except ValueError:
        raise _Malformed(line, f"{word!r} is not a number ({what})") from None
    if not math.isfinite(value) or abs(value) > 1e7:
        raise _Malformed(line, f"{what} must be a finite number within ±10^7, found {word}")
    return value


def read_prodhon_problem(path: Path | str) -> LocationRoutingProblem:
    """The file as the LRP engine's problem (depot capacities, opening costs, one vehicle type
    at every depot with no count limit and nothing per hour)."""
    data = parse_prodhon(path)
    m, n = data.shape
    van = LRPVehicle(capacity=data.vehicle_capacity, fixed_cost=data.route_cost,
                     cost_per_km=1.0, cost_per_hour=0.0, speed_kmh=40.0, max_hours=None,
                     count=None, depots=np.ones(m, bool))
    return LocationRoutingProblem(fixed_cost=data.opening_cost, capacity=data.depot_capacity,
                                  demand=data.demand, km=data.km(), service_hours=np.zeros(n),
                                  vehicles=(van,))


def read_prodhon(path: Path | str, name: str | None = None) -> NetworkInstance:
    """The file as a network instance with outbound priced as routes (module doc)."""
    path = Path(path)
    data = parse_prodhon(path)
    m, n = data.shape
    km = data.km()
    depots = [f"D{i + 1}" for i in range(m)]
    customers = [f"C{j + 1}" for j in range(n)]
    places = depots + customers
    distances = [{"origin": places[a], "destination": places[b], "km": float(km[a, b])}
                 for a in range(m + n) for b in range(max(a + 1, m), m + n)]
    tables: dict[str, Any] = {
        "name": name or data.name,
        "products": [{"id": PRODUCT}],
        "facilities": [{"id": depots[i], "x": float(data.depot_xy[i, 0]),
                        "y": float(data.depot_xy[i, 1]),
                        "capacity": float(data.depot_capacity[i]),
                        "fixed_cost": float(data.opening_cost[i])} for i in range(m)],
        "customers": [{"id": customers[j], "x": float(data.customer_xy[j, 0]),
                       "y": float(data.customer_xy[j, 1])} for j in range(n)],
        "demand": [{"customer": customers[j], "product": PRODUCT,
                    "quantity": float(data.demand[j])} for j in range(n) if data.demand[j] > 0],
        "fleet": [{"id": VEHICLE, "capacity": data.vehicle_capacity,
                   "fixed_cost": data.route_cost, "cost_per_km": 1.0}],
        "distances": distances,
        "network_policy": {"outbound": "routes", "delivery_days": 1.0},
    }
    try:
        return NetworkInstance.model_validate(tables)
    except ValidationError as exc:
        raise InputError([f"{path}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                          for e in exc.errors(include_url=False)]) from None
