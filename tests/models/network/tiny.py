"""Tiny hand-made network instances and correct plans for them, with every figure worked out on
paper (the arithmetic is in the comments), for the checker's tests.

``FLP``: no suppliers (goods appear at open DCs), x/y locations, a sized existing DC with a
weight capacity, a must_close DC, a soft demand left partly short.
``SUPPLY``: two suppliers (one with an all-units price break, one with a minimum order), an
inbound distances row, handling cost, two products.
"""

from __future__ import annotations

from typing import Any

from models.network.data import NetworkInstance
from models.network.plan import (
    CustomerService,
    Echelon,
    FacilityUse,
    Flow,
    Method,
    NetworkCost,
    NetworkPlan,
    NetworkSolveSummary,
    Purchase,
    Shortage,
)
from models.solver import SolveStatus

# ---- FLP: no suppliers -------------------------------------------------------------------------

FLP_DATA: dict[str, Any] = {
    "name": "tiny-flp",
    "products": [{"id": "P", "unit_weight": 2.0}, {"id": "Q", "unit_weight": 1.0}],
    "facilities": [
        {"id": "D1", "x": 0, "y": 0, "capacity": 100, "fixed_cost": 1000, "handling_cost": 1},
        {"id": "D2", "x": 10, "y": 0, "status": "existing", "closing_cost": 300,
         "capacity_unit": "weight", "handling_cost": 0.5},
        {"id": "D3", "x": 0, "y": 10, "status": "must_close", "fixed_cost": 10},
    ],
    "sizes": [
        {"facility": "D2", "size": "small", "capacity": 50, "fixed_cost": 400},
        {"facility": "D2", "size": "big", "capacity": 200, "fixed_cost": 700},
    ],
    "customers": [{"id": "C1", "x": 3, "y": 4}, {"id": "C2", "x": 10, "y": 5}],
    "demand": [
        {"customer": "C1", "product": "P", "quantity": 30},
        {"customer": "C1", "product": "Q", "quantity": 10},
        {"customer": "C2", "product": "P", "quantity": 20, "shortage_penalty": 50},
        {"customer": "C2", "product": "Q", "quantity": 5},
    ],
    "transport": {"outbound_per_unit": 1, "outbound_per_unit_km": 0.1},
}


def flp() -> NetworkInstance:
    """The FLP instance (a fresh copy of the data each time)."""
    return NetworkInstance.model_validate(FLP_DATA)


def solve_summary(total: float | None, status: SolveStatus = SolveStatus.OPTIMAL,
                  bound: float | None = None, gap: float | None = None) -> NetworkSolveSummary:
    """A solve summary for a hand-made plan (bound = objective, gap 0 by default)."""
    if total is not None and bound is None and status == SolveStatus.OPTIMAL:
        bound, gap = total, 0.0
    return NetworkSolveSummary(status=status, stop_reason="hand-made", method=Method.MILP,
                               solver="paper", objective=total, best_bound=bound, gap=gap)


def _out(origin: str, destination: str, product: str, quantity: float, unit_cost: float,
         km: float | None) -> Flow:
    return Flow(echelon=Echelon.OUTBOUND, origin=origin, destination=destination,
                product=product, quantity=quantity, unit_cost=unit_cost,
                cost=quantity * unit_cost, km=km)


def _in(origin: str, destination: str, product: str, quantity: float, unit_cost: float,
        km: float | None) -> Flow:
    return Flow(echelon=Echelon.INBOUND, origin=origin, destination=destination,
                product=product, quantity=quantity, unit_cost=unit_cost,
                cost=quantity * unit_cost, km=km)


#: FLP plan, on paper. D1 open (standard: capacity 100 units, fixed 1000), D2 kept open at size
#: small (capacity 50 weight, fixed 400), D3 closed. Every lane used is 5 km (3-4-5 triangles),
#: so each unit costs 1 + 0.1 x 5 = 1.5 outbound.
#:   outbound  = 1.5 x (30 + 10 + 15 + 5) = 90
#:   handling  = 1 x 40 (D1) + 0.5 x 20 (D2) = 50
#:   fixed     = 1000 + 400 = 1400; closing 0 (D2 kept)
#:   shortage  = 5 units of C2/P x 50 = 250
#:   total     = 1400 + 50 + 90 + 250 = 1790
#: D1 load 40 units (utilisation 0.4); D2 load 15 x 2 + 5 x 1 = 35 weight (0.7).
#: Cost to serve: C1 = 40 x (1.5 + 1 + 1000/40) = 1100; C2 = 20 x (1.5 + 0.5 + 400/20) + 250
#: = 690; 1100 + 690 = 1790.
FLP_TOTAL = 1790.0
FLP_PLAN = NetworkPlan(
    instance="tiny-flp",
    solve=solve_summary(FLP_TOTAL),
    cost=NetworkCost(facility_fixed=1400, closing=0, handling=50, inbound=0, purchase=0,
                     onboarding=0, outbound=90, shortage=250, total=FLP_TOTAL),
    facilities=(
        FacilityUse(facility="D1", status="candidate", open=True, size="standard",
                    capacity=100, capacity_unit="units", throughput=40, load=40,
                    utilisation=0.4, fixed_cost=1000, customers=1),
        FacilityUse(facility="D2", status="existing", open=True, size="small", capacity=50,
                    capacity_unit="weight", throughput=20, load=35, utilisation=0.7,
                    fixed_cost=400, customers=1),
        FacilityUse(facility="D3", status="must_close", open=False, size=None, capacity=None,
                    capacity_unit="units", throughput=0, load=0, utilisation=None,
                    fixed_cost=0, customers=0),
    ),
    flows=(
        _out("D1", "C1", "P", 30, 1.5, 5.0),
        _out("D1", "C1", "Q", 10, 1.5, 5.0),
        _out("D2", "C2", "P", 15, 1.5, 5.0),
        _out("D2", "C2", "Q", 5, 1.5, 5.0),
    ),
    shortages=(Shortage(customer="C2", product="P", quantity=5, penalty=250),),
    customers=(
        CustomerService(customer="C1", facilities="D1", demand=40, served=40, shortage=0,
                        cost_to_serve=1100),
        CustomerService(customer="C2", facilities="D2", demand=25, served=20, shortage=5,
                        cost_to_serve=690),
    ),
)

# ---- SUPPLY: with suppliers --------------------------------------------------------------------

SUPPLY_DATA: dict[str, Any] = {
    "name": "tiny-supply",
    "products": [{"id": "P", "unit_weight": 1.0}, {"id": "Q", "unit_weight": 1.0}],
    "suppliers": [
        {"id": "S1", "region": "R1", "onboarding_cost": 100, "x": 0, "y": -10},
        {"id": "S2", "region": "R2", "onboarding_cost": 50, "x": 10, "y": -10},
    ],
    "offers": [
        {"supplier": "S1", "product": "P", "unit_price": 10},
        {"supplier": "S2", "product": "P", "unit_price": 12, "moq": 20},
        {"supplier": "S1", "product": "Q", "unit_price": 5},
    ],
    "price_breaks": [{"supplier": "S1", "product": "P", "min_quantity": 50, "unit_price": 9}],
    "facilities": [
        {"id": "D1", "x": 0, "y": 0, "fixed_cost": 500, "handling_cost": 2},
        {"id": "D2", "x": 10, "y": 0, "fixed_cost": 300},
    ],
    "customers": [{"id": "C1", "x": 0, "y": 5}, {"id": "C2", "x": 10, "y": 5}],
    "demand": [
        {"customer": "C1", "product": "P", "quantity": 40},
        {"customer": "C2", "product": "P", "quantity": 30},
        {"customer": "C1", "product": "Q", "quantity": 10},
    ],
    "distances": [{"origin": "S1", "destination": "D2", "km": 20}],
    "transport": {"inbound_per_unit_km": 0.2, "outbound_per_unit": 1},
}


def supply() -> NetworkInstance:
    """The SUPPLY instance."""
    return NetworkInstance.model_validate(SUPPLY_DATA)


#: SUPPLY plan, on paper. D1 and D2 open (unlimited, fixed 500 and 300).
#: Purchases: S1/P 50 units (reaches the break at 50: 9 each = 450), S2/P 20 (its moq, 12 each =
#: 240), S1/Q 10 (5 each = 50): purchase 740, onboarding 100 + 50 = 150.
#: Inbound at 0.2/km: S1->D1 10 km (2/unit), S1->D2 20 km (distances row: 4/unit), S2->D2 10 km
#: (2/unit): 40 x 2 + 10 x 4 + 20 x 2 + 10 x 2 (Q) = 180. Outbound 1/unit: 40 + 10 + 30 = 80.
#: Handling: D1 2 x 50 = 100, D2 0. Total = 800 + 100 + 180 + 740 + 150 + 80 = 2050.
#: Landed cost at D1: P (80 + 40 x 9) / 40 = 11, Q (20 + 10 x 5) / 10 = 7; at D2: P (40 + 40 +
#: 10 x 9 + 20 x 12) / 30 = 410 / 30. Fixed per unit: D1 500 / 50 = 10, D2 300 / 30 = 10.
#: Cost to serve: C1 = 40 x (1 + 2 + 10 + 11) + 10 x (1 + 2 + 10 + 7) = 960 + 200 = 1160;
#: C2 = 30 x (1 + 0 + 10) + 410 = 740; 1160 + 740 + onboarding 150 = 2050.
SUPPLY_TOTAL = 2050.0
SUPPLY_PLAN = NetworkPlan(
    instance="tiny-supply",
    solve=solve_summary(SUPPLY_TOTAL, SolveStatus.FEASIBLE, bound=2000.0,
                        gap=50.0 / 2050.0),
    cost=NetworkCost(facility_fixed=800, closing=0, handling=100, inbound=180, purchase=740,
                     onboarding=150, outbound=80, shortage=0, total=SUPPLY_TOTAL),
    facilities=(
        FacilityUse(facility="D1", status="candidate", open=True, size="standard",
                    capacity=None, capacity_unit="units", throughput=50, load=50,
                    utilisation=None, fixed_cost=500, customers=1),
        FacilityUse(facility="D2", status="candidate", open=True, size="standard",
                    capacity=None, capacity_unit="units", throughput=30, load=30,
                    utilisation=None, fixed_cost=300, customers=1),
    ),
    flows=(
        _in("S1", "D1", "P", 40, 2, 10.0),
        _in("S1", "D2", "P", 10, 4, 20.0),
        _in("S2", "D2", "P", 20, 2, 10.0),
        _in("S1", "D1", "Q", 10, 2, 10.0),
        _out("D1", "C1", "P", 40, 1, 5.0),
        _out("D1", "C1", "Q", 10, 1, 5.0),
        _out("D2", "C2", "P", 30, 1, 5.0),
    ),
    purchases=(
        Purchase(supplier="S1", product="P", quantity=50, unit_price=9, cost=450),
        Purchase(supplier="S2", product="P", quantity=20, unit_price=12, cost=240),
        Purchase(supplier="S1", product="Q", quantity=10, unit_price=5, cost=50),
    ),
    customers=(
        CustomerService(customer="C1", facilities="D1", demand=50, served=50, shortage=0,
                        cost_to_serve=1160),
        CustomerService(customer="C2", facilities="D2", demand=30, served=30, shortage=0,
                        cost_to_serve=740),
    ),
)
