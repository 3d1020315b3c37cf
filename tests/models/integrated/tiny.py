"""A tiny integrated instance with a planted optimum, known by hand.

Two DCs 100 km apart (x/y in km), two zones 10 km from each: A1 (0, 10) and A2 (10, 0) near
DC-A (0, 0); B1 (100, 10) and B2 (110, 0) near DC-B (100, 0). One product, 100 units per period
per zone, DC fixed cost 1000 each, outbound rate 1 per unit-km: serving a far zone costs
about 100 × 100 = 10,000 > 1000, so both DCs open and each serves its two near zones. Network
cost: fixed 2000 + outbound 4 × 100 × 10 = 4000 → 6000.

Last mile: delivery_days 2, so each zone gets 50 units a day; one van type (capacity 1000,
fixed 10 per route, 1 per km): one route per DC, DC → near zone → other near zone → DC =
10 + √200 + 10 = 34.1421 km, cost 44.1421 a day; two DCs, two days: 176.5685 per period.
Integrated total = 2000 + 176.5685. Each zone's stand-alone route is 10 + 20 = 30, so each
zone carries half its route: cost to serve = 500 (its DC's fixed share) + 44.1421.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from models.integrated import IntegratedInstance
from models.routing import RoutingOptions

ROUTE_KM = 20 + math.sqrt(200)
ROUTE_COST = 10 + ROUTE_KM
LAST_MILE = 2 * 2 * ROUTE_COST
TOTAL = 2000 + LAST_MILE
COST_TO_SERVE = 500 + ROUTE_COST

TABLES: dict[str, Any] = {
    "name": "tiny",
    "products": [{"id": "P"}],
    "facilities": [{"id": "DC-A", "x": 0, "y": 0, "fixed_cost": 1000},
                   {"id": "DC-B", "x": 100, "y": 0, "fixed_cost": 1000}],
    "customers": [{"id": "A1", "x": 0, "y": 10}, {"id": "A2", "x": 10, "y": 0},
                  {"id": "B1", "x": 100, "y": 10}, {"id": "B2", "x": 110, "y": 0}],
    "demand": [{"customer": c, "product": "P", "quantity": 100}
               for c in ("A1", "A2", "B1", "B2")],
    "transport": {"outbound_per_unit_km": 1.0},
    "network_policy": {"single_sourcing": True, "delivery_days": 2},
    "fleet": [{"id": "van", "capacity": 1000, "fixed_cost": 10, "cost_per_km": 1,
               "speed_kmh": 50}],
    "scenarios": [
        {"scenario": "close-b", "table": "facilities", "match": "id=DC-B", "field": "status",
         "operation": "set", "value": "must_close"},
        {"scenario": "demand-up", "table": "demand", "field": "quantity",
         "operation": "multiply", "value": 1.5},
    ],
}


def tables(**changes: Any) -> dict[str, Any]:
    """A deep copy of :data:`TABLES` with top-level ``changes``."""
    data = copy.deepcopy(TABLES)
    data.update(copy.deepcopy(changes))
    return data


def instance(**changes: Any) -> IntegratedInstance:
    """The tiny instance (with ``changes``)."""
    return IntegratedInstance.model_validate(tables(**changes))


#: Reproducible routing: OR-Tools in this process with a solution limit.
ROUTING = RoutingOptions(time_limit=None, solution_limit=30, engine="ortools", isolate=False)
