"""Hand-made routes-mode networks for the routes-mode tests, and a brute-force optimum.

``tiny()``: 3 DCs and 6 customers on a plane (x/y km), one vehicle type, one product, no
suppliers: its optimum is found by enumerating every assignment of customers to DCs and every
split of each DC's customers into routes in every order (:func:`brute_force`).
``general()``: suppliers, 2 products, an existing DC with a closing cost, two vehicle types
(one at one DC only), service times and 2 delivery days.
"""

from __future__ import annotations

import itertools
import math
from functools import cache
from typing import Any

from models.network import NetworkInstance

TINY_DCS = {"F1": (0.0, 0.0), "F2": (20.0, 0.0), "F3": (10.0, 12.0)}
TINY_CUSTOMERS = {"C1": (2.0, 3.0), "C2": (-1.0, 4.0), "C3": (18.0, 3.0), "C4": (23.0, 2.0),
                  "C5": (9.0, 14.0), "C6": (12.0, 11.0)}
TINY_DEMAND = {"C1": 4.0, "C2": 5.0, "C3": 3.0, "C4": 6.0, "C5": 4.0, "C6": 5.0}
TINY_FIXED = {"F1": 30.0, "F2": 35.0, "F3": 40.0}
TINY_CAPACITY = 18.0  # per DC, units per period
VAN = {"capacity": 10.0, "fixed_cost": 15.0, "cost_per_km": 2.0}


def tiny_data(**policy: Any) -> dict[str, Any]:
    """The tiny network as plain tables (``policy`` goes into network_policy)."""
    return {
        "name": "tiny_routes",
        "products": [{"id": "P"}],
        "facilities": [{"id": f, "x": x, "y": y, "fixed_cost": TINY_FIXED[f],
                        "capacity": TINY_CAPACITY} for f, (x, y) in TINY_DCS.items()],
        "customers": [{"id": c, "x": x, "y": y} for c, (x, y) in TINY_CUSTOMERS.items()],
        "demand": [{"customer": c, "product": "P", "quantity": q}
                   for c, q in TINY_DEMAND.items()],
        "fleet": [{"id": "van", **VAN}],
        "network_policy": {"outbound": "routes", **policy},
    }


def tiny(**policy: Any) -> NetworkInstance:
    """The tiny network, validated."""
    return NetworkInstance.model_validate(tiny_data(**policy))


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


@cache
def _best_route(dc: str, customers: frozenset[str]) -> float:
    """Cheapest single route from ``dc`` over ``customers`` (inf when over capacity)."""
    if sum(TINY_DEMAND[c] for c in customers) > VAN["capacity"]:
        return math.inf
    best = math.inf
    for order in itertools.permutations(sorted(customers)):
        places = [TINY_DCS[dc], *(TINY_CUSTOMERS[c] for c in order), TINY_DCS[dc]]
        km = sum(_km(a, b) for a, b in itertools.pairwise(places))
        best = min(best, VAN["fixed_cost"] + VAN["cost_per_km"] * km)
    return best


@cache
def _best_routes(dc: str, customers: frozenset[str]) -> float:
    """Cheapest set of routes from ``dc`` serving ``customers`` (a set partition)."""
    if not customers:
        return 0.0
    first = min(customers)
    rest = sorted(customers - {first})
    best = math.inf
    for k in range(len(rest) + 1):
        for group in itertools.combinations(rest, k):
            block = frozenset((first, *group))
            best = min(best, _best_route(dc, block) + _best_routes(dc, customers - block))
    return best


def brute_force(min_open: int = 0, max_open: int | None = None) -> float:
    """The tiny network's optimum: every assignment of customers to DCs within the DC
    capacities, the open DCs' fixed costs plus each DC's cheapest routes."""
    dcs, customers = list(TINY_DCS), list(TINY_CUSTOMERS)
    best = math.inf
    for choice in itertools.product(dcs, repeat=len(customers)):
        served = {f: frozenset(c for c, g in zip(customers, choice, strict=True) if g == f)
                  for f in dcs}
        if any(sum(TINY_DEMAND[c] for c in s) > TINY_CAPACITY for s in served.values()):
            continue
        opened = [f for f in dcs if served[f]]
        if len(opened) < min_open or (max_open is not None and len(opened) > max_open):
            continue
        cost = sum(TINY_FIXED[f] + _best_routes(f, served[f]) for f in opened)
        best = min(best, cost)
    return best


def general_data() -> dict[str, Any]:
    """A network with a supplier echelon, two products, 3 DCs (one existing with a closing
    cost), 7 customers, two vehicle types, service times and two delivery days."""
    dcs = {"D1": (0.0, 0.0), "D2": (30.0, 0.0), "D3": (15.0, 20.0)}
    customers = {"K1": (3.0, 4.0), "K2": (-2.0, 6.0), "K3": (27.0, 5.0), "K4": (33.0, 3.0),
                 "K5": (14.0, 24.0), "K6": (18.0, 17.0), "K7": (10.0, 8.0)}
    return {
        "name": "general_routes",
        "products": [{"id": "A", "unit_weight": 1.0}, {"id": "B", "unit_weight": 2.0}],
        "suppliers": [{"id": "S1", "region": "west", "x": -40.0, "y": 0.0},
                      {"id": "S2", "region": "east", "x": 60.0, "y": 10.0}],
        "offers": [{"supplier": "S1", "product": "A", "unit_price": 2.0},
                   {"supplier": "S1", "product": "B", "unit_price": 3.5},
                   {"supplier": "S2", "product": "A", "unit_price": 2.4},
                   {"supplier": "S2", "product": "B", "unit_price": 3.0}],
        "facilities": [
            {"id": "D1", "x": 0.0, "y": 0.0, "status": "existing", "capacity": 120.0,
             "fixed_cost": 60.0, "closing_cost": 25.0, "handling_cost": 0.2},
            {"id": "D2", "x": 30.0, "y": 0.0, "capacity": 120.0, "fixed_cost": 70.0,
             "handling_cost": 0.1},
            {"id": "D3", "x": 15.0, "y": 20.0, "capacity": 100.0, "fixed_cost": 50.0}],
        "customers": [{"id": c, "x": x, "y": y, "service_time": "0:10"}
                      for c, (x, y) in customers.items()],
        "demand": [{"customer": c, "product": p, "quantity": q}
                   for c, (qa, qb) in zip(customers, [(6, 4), (8, 2), (5, 5), (7, 3),
                                                      (4, 6), (6, 2), (3, 3)], strict=True)
                   for p, q in (("A", qa), ("B", qb))],
        "transport": {"inbound_per_unit_km": 0.01, "outbound_per_unit": 50.0},
        "fleet": [{"id": "van", "capacity": 12.0, "fixed_cost": 10.0, "cost_per_km": 1.5,
                   "cost_per_hour": 20.0, "speed_kmh": 30.0, "max_duration": "4:00"},
                  {"id": "truck", "facility": "D2", "capacity": 25.0, "fixed_cost": 25.0,
                   "cost_per_km": 2.0, "count": 2}],
        "network_policy": {"outbound": "routes", "delivery_days": 2},
        "_dcs": dcs, "_customers": customers,
    }


def general() -> NetworkInstance:
    """The general network, validated."""
    data = {k: v for k, v in general_data().items() if not k.startswith("_")}
    return NetworkInstance.model_validate(data)
