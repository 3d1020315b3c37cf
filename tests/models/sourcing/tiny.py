"""Random tiny sourcing instances for brute-force and cross-solver tests."""

from __future__ import annotations

import numpy as np

from models.sourcing import SourcingInstance


def tiny_instance(seed: int, products: int = 2, suppliers: int = 3,
                  max_demand: int = 6, scenarios: bool = False) -> SourcingInstance:
    """A whole-unit instance small enough to enumerate every allocation. With ``scenarios``:
    spot prices, a supplier failure, a regional event and a random CVaR weight and alpha."""
    rng = np.random.default_rng(seed)
    regions = ["East", "West"]
    product_rows = []
    for j in range(products):
        row: dict[str, object] = {"id": f"P{j}", "demand": int(rng.integers(2, max_demand + 1)),
                                  "unit_weight": float(rng.integers(1, 4))}
        if j == 0 and rng.random() < 0.5:
            row["shortage_penalty"] = float(rng.integers(4, 15))
        product_rows.append(row)
    supplier_rows = []
    for s in range(suppliers):
        row = {"id": f"S{s}", "region": regions[s % 2],
               "onboarding_cost": float(rng.integers(0, 8))}
        if rng.random() < 0.3:
            row["capacity"] = float(rng.integers(3, 10))
            row["capacity_unit"] = "weight" if rng.random() < 0.5 else "units"
        supplier_rows.append(row)
    offers, breaks = [], []
    for j in range(products):
        for s in range(suppliers):
            if rng.random() < 0.15:
                continue
            price = float(rng.integers(2, 10))
            offer = {"supplier": f"S{s}", "product": f"P{j}", "unit_price": price,
                     "lead_time_days": float(rng.integers(5, 40)),
                     "defect_rate": float(rng.choice([0.0, 0.02, 0.05, 0.1])),
                     "on_time_rate": float(rng.choice([0.8, 0.9, 1.0]))}
            if rng.random() < 0.4:
                offer["capacity"] = float(rng.integers(1, max_demand + 1))
            if rng.random() < 0.3:
                offer["moq"] = float(rng.integers(2, 4))
            offers.append(offer)
            if rng.random() < 0.4:
                breaks.append({"supplier": f"S{s}", "product": f"P{j}",
                               "min_quantity": float(rng.integers(2, 5)),
                               "unit_price": price - float(rng.integers(1, 2))})
    policy: dict[str, object] = {"whole_units": True}
    if rng.random() < 0.5:
        policy["max_supplier_share"] = float(rng.choice([0.5, 0.7]))
    if rng.random() < 0.4:
        policy["min_suppliers"] = 2
        policy["min_share"] = 0.25
    if rng.random() < 0.4:
        policy["max_region_share"] = 0.75
    if rng.random() < 0.4:
        policy["max_defect_rate"] = 0.05
    if rng.random() < 0.3:
        policy["min_on_time_rate"] = 0.85
    if rng.random() < 0.3:
        policy["max_lead_time_days"] = 30.0
    if rng.random() < 0.2:
        policy["must_use"] = ["S1"]
    if rng.random() < 0.2:
        policy["budget"] = float(rng.integers(40, 90))
    overrides = []
    if rng.random() < 0.3:
        overrides.append({"product": "P1", "max_supplier_share": 1.0, "excluded": ["S0"]})
    risk: dict[str, object] = {}
    if scenarios:
        srng = np.random.default_rng([seed, 1])
        for row in product_rows:
            row["spot_price"] = float(srng.integers(8, 16))
        risk = {
            "scenarios": [{"id": "fail", "probability": float(srng.choice([0.1, 0.2]))},
                          {"id": "storm", "probability": float(srng.choice([0.05, 0.15]))}],
            "disruptions": [
                {"scenario": "fail", "supplier": "S0",
                 "capacity_loss": float(srng.choice([0.5, 1.0]))},
                {"scenario": "storm", "region": "West", "capacity_loss": 0.5,
                 "price_multiplier": float(srng.choice([1.0, 1.5]))},
            ],
            "risk": {"alpha": float(srng.choice([0.5, 0.8, 0.9])),
                     "cvar_weight": float(srng.choice([0.0, 0.3, 1.0]))},
        }
    return SourcingInstance.model_validate({
        "name": f"tiny-{seed}", "products": product_rows, "suppliers": supplier_rows,
        "offers": offers, "price_breaks": breaks, "policy": policy,
        "product_policies": overrides, **risk,
    })
