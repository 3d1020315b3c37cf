"""Seeded generator of realistic sourcing instances.

Suppliers sit in regions with typical price levels, lead times and quality; each product gets
about ``offers_per_product`` offers with price dispersion, partial capacities (scarcity), MOQs and
all-units price breaks. The default policy turns every rule family on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.sourcing.data import SourcingInstance


@dataclass(frozen=True)
class _Region:
    name: str
    price_factor: float
    lead_time_days: float
    defect_rate: float
    on_time_rate: float


REGIONS = (
    _Region("CN-South", 0.84, 38, 0.022, 0.88),
    _Region("VN-North", 0.89, 33, 0.019, 0.90),
    _Region("IN-West", 0.91, 35, 0.021, 0.89),
    _Region("TR-West", 0.98, 18, 0.015, 0.92),
    _Region("MX-Central", 1.03, 12, 0.013, 0.93),
    _Region("EU-Central", 1.14, 14, 0.008, 0.95),
    _Region("US-East", 1.20, 6, 0.007, 0.96),
)


def generate_instance(
    suppliers: int,
    products: int,
    seed: int = 0,
    offers_per_product: int = 10,
    name: str | None = None,
    scenarios: int = 0,
) -> SourcingInstance:
    """A feasible-by-construction-in-most-cases random instance, reproducible from ``seed``.

    With ``scenarios`` > 0 it adds that many disruption scenarios (see :func:`_scenarios`) and a
    spot price for every product; the rest of the instance is the same as without."""
    if suppliers < 2 or products < 1:
        raise ValueError("need at least 2 suppliers and 1 product")
    rng = np.random.default_rng(seed)
    k = min(offers_per_product, suppliers)
    region_of = rng.integers(0, len(REGIONS), size=suppliers)
    size = rng.lognormal(0.0, 0.6, size=suppliers)
    pick_p = size / size.sum()

    product_rows = []
    demand = np.round(rng.lognormal(7.0, 0.8, size=products)).clip(20, None)
    base_price = np.round(rng.lognormal(2.3, 0.9, size=products), 2).clip(0.5, None)
    for j in range(products):
        row: dict[str, object] = {
            "id": f"P{j + 1:04d}",
            "demand": float(demand[j]),
            "unit_weight": round(float(rng.uniform(0.1, 5.0)), 3),
        }
        if rng.random() < 0.2:
            row["shortage_penalty"] = round(float(base_price[j] * rng.uniform(2.5, 4.0)), 2)
        product_rows.append(row)

    offer_rows, break_rows = [], []
    offered_demand = np.zeros(suppliers)
    spend_estimate = float((demand * base_price).sum())
    for j in range(products):
        chosen = rng.choice(suppliers, size=k, replace=False, p=pick_p)
        d = float(demand[j])
        for s in chosen:
            region = REGIONS[region_of[s]]
            price = round(float(base_price[j] * region.price_factor * rng.lognormal(0, 0.08)), 4)
            offer = {
                "supplier": f"S{s + 1:04d}",
                "product": f"P{j + 1:04d}",
                "unit_price": price,
                "capacity": float(np.round(d * rng.uniform(0.3, 1.0))),
                "moq": 0.0 if rng.random() < 0.5 else float(np.round(d * rng.uniform(0.05, 0.2))),
                "lead_time_days": float(np.round(region.lead_time_days * rng.uniform(0.7, 1.3))),
                "defect_rate": round(float(region.defect_rate * rng.lognormal(0, 0.35)), 4),
                "on_time_rate": round(float(min(0.999, region.on_time_rate
                                                + rng.normal(0, 0.03))), 3),
            }
            offer_rows.append(offer)
            offered_demand[s] += d
            if rng.random() < 0.35:
                discount = 1.0
                for threshold in sorted(rng.uniform(0.15, 0.6, size=rng.integers(1, 3))):
                    discount *= 1 - rng.uniform(0.02, 0.06)
                    break_rows.append({
                        "supplier": offer["supplier"],
                        "product": offer["product"],
                        "min_quantity": float(max(1.0, np.round(d * threshold))),
                        "unit_price": round(price * discount, 4),
                    })
    break_rows = _dedupe_breaks(break_rows)

    supplier_rows = []
    for s in range(suppliers):
        region = REGIONS[region_of[s]]
        row = {
            "id": f"S{s + 1:04d}",
            "name": f"Supplier {s + 1} ({region.name})",
            "region": region.name,
            "onboarding_cost": round(float(spend_estimate / suppliers * 0.04
                                           * rng.lognormal(0, 0.5)), 2),
        }
        if rng.random() < 0.3 and offered_demand[s] > 0:
            row["capacity"] = float(np.round(offered_demand[s] * rng.uniform(0.35, 0.7)))
        supplier_rows.append(row)

    policy = {
        "max_supplier_share": 0.7,
        "min_suppliers": 2,
        "min_share": 0.1,
        "max_region_share": 0.85,
        "max_defect_rate": 0.025,
        "min_on_time_rate": 0.85,
        "max_lead_time_days": 45.0,
    }
    data: dict[str, object] = {}
    if scenarios > 0:
        srng = np.random.default_rng([seed, 7919])  # its own stream: the base stays the same
        for j, row in enumerate(product_rows):
            row["spot_price"] = round(float(base_price[j] * srng.uniform(1.3, 1.8)), 2)
        data = _scenarios(srng, scenarios, supplier_rows, pick_p)
    return SourcingInstance.model_validate({
        **data,
        "name": name or f"gen-s{suppliers}-p{products}-seed{seed}",
        "products": product_rows,
        "suppliers": supplier_rows,
        "offers": offer_rows,
        "price_breaks": break_rows,
        "policy": policy,
    })


def _scenarios(
    rng: np.random.Generator, count: int, suppliers: list[dict[str, object]], size: np.ndarray
) -> dict[str, object]:
    """Disruption scenarios: about 60 % single-supplier failures (a fire, insolvency: 50-100 %
    of output lost, 0.5-2 % likely, big suppliers more often named) and 40 % regional events
    (port closure, tariff: 20-60 % lost and prices up 5-30 % across a region, 1-4 % likely).
    Probabilities are scaled down if they would add up to more than 0.6."""
    regions = sorted({str(s["region"]) for s in suppliers})
    rows, hits = [], []
    for w in range(count):
        sid = f"D{w + 1:02d}"
        if rng.random() < 0.6 or len(regions) < 2:
            k = int(rng.choice(len(suppliers), p=size / size.sum()))
            supplier = str(suppliers[k]["id"])
            rows.append({"id": sid, "probability": float(rng.uniform(0.005, 0.02)),
                         "description": f"{supplier} fails"})
            hits.append({"scenario": sid, "supplier": supplier,
                         "capacity_loss": round(float(rng.uniform(0.5, 1.0)), 2)})
        else:
            region = regions[int(rng.integers(len(regions)))]
            rows.append({"id": sid, "probability": float(rng.uniform(0.01, 0.04)),
                         "description": f"regional event in {region}"})
            hits.append({"scenario": sid, "region": region,
                         "capacity_loss": round(float(rng.uniform(0.2, 0.6)), 2),
                         "price_multiplier": round(float(rng.uniform(1.05, 1.3)), 2)})
    total = sum(float(r["probability"]) for r in rows)
    scale = min(1.0, 0.6 / total) if total > 0 else 1.0
    for r in rows:
        r["probability"] = round(float(r["probability"]) * scale, 4)
    return {"scenarios": rows, "disruptions": hits}


def _dedupe_breaks(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    seen: set[tuple[object, object, object]] = set()
    kept = []
    for row in rows:
        key = (row["supplier"], row["product"], row["min_quantity"])
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept
