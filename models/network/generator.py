"""Seeded generator of realistic network-design instances (supplier -> DC -> customer).

The network is a German distribution network: customer zones clustered around the country's
largest cities, each city's share of zones following its population; candidate DCs in
logistics parks 8-35 km from the city centres (two sites per city while there are sites to
spare); suppliers in the regions of :data:`models.sourcing.generator.REGIONS` (central Europe
and Turkey near, China, Vietnam, India, Mexico and the US far away), with the regions' price
levels, lead times and quality. Transport is priced per unit, per unit-km and per weight-km on
both echelons (great circle x 1.3).

With ``rules`` every rule of the format is on: ``network_policy`` (minimum and maximum number
of open DCs, single sourcing, maximum service distance, a service-level share within 100 km,
budget) and the sourcing rules of ``docs/sourcing-format.md`` (supplier and region share caps,
minimum suppliers with a minimum share, quality, lead time, MOQs, all-units price breaks,
global and per-product budgets, must-use and excluded suppliers, per-product overrides).
Without ``rules`` the same data comes with no policy tables (statuses, sizes, lanes, supplier
capacities and shortage penalties are data and stay).

**Feasible by construction.** The generator first builds a *witness plan* and then sets every
limit so that the witness keeps it:

* Witness DCs ``W``: the ``must_open`` and ``existing`` DCs, then farthest-customer-first
  (k-centre) additions among the DCs that are not ``must_close``, about 30 % of all DCs. Every
  customer is assigned to its nearest DC of ``W`` (single-sourced, every unit served).
* ``max_service_km`` is 1 km (rounded up to 10 km) above the largest distance of a customer
  to its witness DC or to its second-nearest DC that is not ``must_close``: so every customer
  can reach at least two candidate DCs, its witness DC among them. Forbidden outbound lanes are
  never a witness lane and leave every customer at least two reachable DCs; forbidden inbound
  lanes only lead to DCs outside ``W``.
* The largest size of each witness DC holds 1.3 x its witness load (in its capacity unit:
  units or weight); ``min_open`` <= |W| <= ``max_open``; every lane cap (``max_volume``) on a
  witness lane is at least its witness volume.
* Sourcing: each product has 2-4 *core* suppliers in distinct regions, each buying an equal
  share (<= 1/2) of the product's total demand. Core offers have a capacity above that share,
  an MOQ at most 0.2 x demand, a lead time, defect rate and on-time rate within the policy's
  limits; a supplier's total capacity (when it has one) is 1.3 x its core load or more; the
  share caps (0.6 supplier, 0.75 region), ``min_suppliers`` (2, or 3 on one product with at
  least 3 cores) and ``min_share`` (0.1 <= 1/4) hold for equal shares; must-use suppliers are
  core suppliers; excluded ones are not. Inbound witness flows split each purchase over the
  witness DCs in proportion to their demand, so every DC balances.
* Budgets: the sourcing budget is 1.25 x the witness's onboarding + purchase at base prices
  (all-units breaks only lower a price), a product budget 1.25 x its witness purchase, and the
  network budget 1.2 x the witness's whole cost (every line but shortage), computed with the
  instance's own lane costs.
* The service-level share is 90 % of the witness's share of demand within 100 km (rounded
  down to a hundredth): a real target, not a knife edge.

Every random draw comes from ``numpy.random.default_rng(seed)`` in a fixed order, so the same
arguments give the same instance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.network.data import EARTH_RADIUS_KM, NetworkInstance
from models.sourcing.generator import REGIONS

#: German cities: name, latitude, longitude, population (thousands, approximate).
CITIES: tuple[tuple[str, float, float, float], ...] = (
    ("Berlin", 52.520, 13.405, 3645), ("Hamburg", 53.551, 9.994, 1841),
    ("Munich", 48.137, 11.575, 1472), ("Cologne", 50.938, 6.960, 1086),
    ("Frankfurt", 50.110, 8.682, 753), ("Stuttgart", 48.776, 9.183, 635),
    ("Dusseldorf", 51.227, 6.773, 619), ("Dortmund", 51.514, 7.468, 588),
    ("Leipzig", 51.340, 12.375, 587), ("Essen", 51.456, 7.012, 583),
    ("Bremen", 53.079, 8.802, 567), ("Dresden", 51.050, 13.738, 556),
    ("Hannover", 52.376, 9.732, 536), ("Nuremberg", 49.452, 11.077, 518),
    ("Duisburg", 51.434, 6.762, 498), ("Bochum", 51.482, 7.216, 365),
    ("Wuppertal", 51.256, 7.150, 355), ("Bielefeld", 52.030, 8.532, 334),
    ("Bonn", 50.737, 7.098, 327), ("Munster", 51.962, 7.626, 315),
    ("Mannheim", 49.487, 8.466, 310), ("Karlsruhe", 49.007, 8.404, 308),
    ("Augsburg", 48.371, 10.898, 296), ("Wiesbaden", 50.078, 8.240, 278),
    ("Kiel", 54.323, 10.123, 247), ("Chemnitz", 50.828, 12.921, 246),
    ("Magdeburg", 52.120, 11.627, 238), ("Freiburg", 47.999, 7.842, 231),
    ("Erfurt", 50.985, 11.030, 214), ("Rostock", 54.092, 12.099, 209),
    ("Kassel", 51.313, 9.479, 201), ("Saarbrucken", 49.240, 6.997, 180),
    ("Osnabruck", 52.279, 8.047, 165), ("Regensburg", 49.013, 12.101, 153),
    ("Wurzburg", 49.791, 9.953, 127), ("Ulm", 48.402, 9.988, 126),
)

#: Supplier hubs per sourcing region (latitude, longitude).
HUBS: dict[str, tuple[tuple[float, float], ...]] = {
    "CN-South": ((22.54, 114.06), (23.13, 113.26), (23.02, 113.75)),
    "VN-North": ((21.03, 105.85), (20.86, 106.68)),
    "IN-West": ((19.08, 72.88), (18.52, 73.86), (23.02, 72.57)),
    "TR-West": ((41.01, 28.98), (38.42, 27.14), (40.19, 29.06)),
    "MX-Central": ((19.43, -99.13), (20.59, -100.39), (19.04, -98.21)),
    "EU-Central": ((50.08, 14.44), (51.11, 17.04), (48.31, 14.29), (49.20, 16.61),
                   (48.78, 9.18), (51.34, 12.37)),
    "US-East": ((35.23, -80.84), (39.96, -83.00), (33.75, -84.39)),
}
#: How likely a supplier is in each region (the order of REGIONS).
REGION_WEIGHTS = {"CN-South": 0.2, "VN-North": 0.08, "IN-West": 0.08, "TR-West": 0.15,
                  "MX-Central": 0.05, "EU-Central": 0.36, "US-East": 0.08}
DETOUR = 1.3
#: The sourcing policy's limits (core offers are drawn within them).
MAX_SUPPLIER_SHARE = 0.6
MAX_REGION_SHARE = 0.75
MIN_SHARE = 0.1
MAX_DEFECT = 0.025
MIN_ON_TIME = 0.85
MAX_LEAD_DAYS = 45.0
SERVICE_KM = 100.0
#: Size options of a DC: name and capacity as a multiple of the site's base (2 or 3 of them).
SIZE_OPTIONS = (("S", 0.5), ("M", 1.0), ("L", 1.6))


@dataclass
class _Witness:
    """The feasible plan the limits are set around."""

    dcs: list[int]  # witness DC indices
    assign: np.ndarray  # customer -> facility index
    purchase: dict[tuple[int, int], float]  # (supplier, product) -> units


def generate_network(suppliers: int, facilities: int, customers: int, products: int,
                     seed: int = 0, rules: bool = True) -> NetworkInstance:
    """A realistic network instance, the same for the same arguments, feasible by construction
    (see the module docstring for the geography and the argument). ``suppliers`` may be 0 (no
    supplier echelon: the classic facility-location problem); else at least 2. At least 3
    facilities (one must open, one must close) and 1 customer and product."""
    if suppliers == 1 or suppliers < 0:
        raise ValueError("need 0 suppliers (no supplier echelon) or at least 2")
    if facilities < 3 or customers < 1 or products < 1:
        raise ValueError("need at least 3 facilities, 1 customer and 1 product")
    rng = np.random.default_rng(seed)
    n_cities = min(len(CITIES), max(2, math.ceil(facilities / 2)))
    cities = CITIES[:n_cities]

    # ---- products ------------------------------------------------------------------------
    weight = np.round(rng.uniform(0.3, 12.0, products), 2)
    volume = np.round(weight * rng.uniform(0.002, 0.006, products), 4)
    price = np.round(rng.lognormal(2.6, 0.6, products), 2).clip(1.0, None)
    popularity = rng.lognormal(0.0, 0.7, products)
    product_ids = [f"P{p + 1:02d}" for p in range(products)]

    # ---- customers around cities ---------------------------------------------------------
    population = np.array([c[3] for c in cities])
    city_of = rng.choice(n_cities, size=customers, p=population / population.sum())
    radius = np.minimum(rng.exponential(14.0, customers), 60.0)
    bearing = rng.uniform(0, 2 * math.pi, customers)
    c_lat, c_lon = _offset(np.array([cities[k][1] for k in city_of]),
                           np.array([cities[k][2] for k in city_of]), radius, bearing)
    size = rng.lognormal(0.0, 0.5, customers)
    has = rng.random((customers, products)) < 0.85
    has[np.arange(customers), rng.integers(0, products, customers)] = True  # >= 1 product
    has[np.arange(products) % customers, np.arange(products)] = True  # every product ordered
    qty = np.round(3600 * size[:, None] * popularity[None, :]
                   * rng.lognormal(0.0, 0.3, (customers, products))).clip(20, None)
    qty = np.where(has, qty, 0.0)
    penalised = has & (rng.random((customers, products)) < 0.1)
    penalty = np.round(price[None, :] * rng.uniform(2.5, 4.0, (customers, products)), 2)

    # ---- candidate DCs in logistics parks ------------------------------------------------
    site_city = np.arange(facilities) % n_cities
    f_lat, f_lon = _offset(np.array([cities[k][1] for k in site_city]),
                           np.array([cities[k][2] for k in site_city]),
                           rng.uniform(8, 35, facilities), rng.uniform(0, 2 * math.pi, facilities))
    order = rng.permutation(facilities)
    must_open, must_close = int(order[0]), int(order[1])
    existing = [int(i) for i in order[2:2 + max(1, facilities // 10)]] if facilities > 3 else []
    status = ["candidate"] * facilities
    status[must_open], status[must_close] = "must_open", "must_close"
    for i in existing:
        status[i] = "existing"
    eligible = np.array([s != "must_close" for s in status])
    weight_unit = rng.random(facilities) < 0.15
    handling = np.round(rng.uniform(0.08, 0.2, facilities), 3)

    km = _km_matrix(c_lat, c_lon, f_lat, f_lon)  # customers x facilities, road km
    witness_dcs = _witness_dcs(km, eligible, [must_open, *existing],
                               max(2, math.ceil(0.3 * facilities)))
    assign = np.array(witness_dcs)[np.argmin(km[:, witness_dcs], axis=1)]
    d_witness = km[np.arange(customers), assign]
    reach_km = np.sort(np.where(eligible[None, :], km, np.inf), axis=1)[:, 1]
    max_service = math.ceil((max(float(d_witness.max()), float(reach_km.max())) + 1) / 10) * 10

    # ---- DC sizes ------------------------------------------------------------------------
    load_units = np.zeros(facilities)
    load_weight = np.zeros(facilities)
    np.add.at(load_units, assign, qty.sum(axis=1))
    np.add.at(load_weight, assign, qty @ weight)
    city_units = np.zeros(n_cities)
    np.add.at(city_units, city_of, qty.sum(axis=1))
    sites_in_city = np.bincount(site_city, minlength=n_cities)
    mean_weight = float((qty @ weight).sum() / max(qty.sum(), 1.0))
    facility_rows, size_rows = [], []
    for i in range(facilities):
        unit = "weight" if weight_unit[i] else "units"
        base = city_units[site_city[i]] / sites_in_city[site_city[i]] * rng.uniform(0.8, 1.3)
        base = max(base, float(qty.sum()) / facilities)
        if unit == "weight":
            base *= mean_weight
        load = load_weight[i] if unit == "weight" else load_units[i]
        base = max(base, 1.3 * load / 1.6)
        options = SIZE_OPTIONS if rng.random() < 0.6 else SIZE_OPTIONS[1:]
        in_units = mean_weight if unit == "weight" else 1.0
        site_factor = rng.uniform(0.9, 1.1)  # one per site: a larger size never costs less
        for name, factor in options:
            capacity = float(math.ceil(base * factor / 10) * 10)
            size_rows.append({"facility": f"DC{i + 1:02d}", "size": name, "capacity": capacity,
                              "fixed_cost": round((300_000 + 30 * (capacity / in_units) ** 0.7)
                                                  * site_factor, 2)})
        row: dict[str, Any] = {
            "id": f"DC{i + 1:02d}", "name": f"{cities[site_city[i]][0]} site {i // n_cities + 1}",
            "lat": round(float(f_lat[i]), 5), "lon": round(float(f_lon[i]), 5),
            "status": status[i], "capacity_unit": unit, "handling_cost": float(handling[i])}
        if status[i] == "existing":
            row["closing_cost"] = round(float(rng.uniform(0.3, 0.8)) * size_rows[-1]["fixed_cost"],
                                        2)
        facility_rows.append(row)

    # ---- suppliers, offers, price breaks (a witness purchase per product) ----------------
    demand_total = qty.sum(axis=0)
    sourcing = _sourcing(rng, suppliers, products, product_ids, price, demand_total) \
        if suppliers else None

    # ---- tables --------------------------------------------------------------------------
    customer_rows = [{"id": f"C{j + 1:04d}", "name": f"{cities[city_of[j]][0]} zone {j + 1}",
                      "lat": round(float(c_lat[j]), 5), "lon": round(float(c_lon[j]), 5)}
                     for j in range(customers)]
    demand_rows = []
    for j in range(customers):
        for p in range(products):
            if has[j, p]:
                row = {"customer": f"C{j + 1:04d}", "product": product_ids[p],
                       "quantity": float(qty[j, p])}
                if penalised[j, p]:
                    row["shortage_penalty"] = float(penalty[j, p])
                demand_rows.append(row)
    lanes = _lanes(rng, km, assign, eligible, max_service, qty, sourcing, witness_dcs, customers,
                   facilities)
    data: dict[str, Any] = {
        "name": f"net-s{suppliers}-f{facilities}-c{customers}-p{products}-seed{seed}"
                + ("" if rules else "-norules"),
        "products": [{"id": product_ids[p], "unit_weight": float(weight[p]),
                      "unit_volume": float(volume[p])} for p in range(products)],
        "facilities": facility_rows, "sizes": size_rows, "customers": customer_rows,
        "demand": demand_rows,
        "transport": {"inbound_per_unit": 0.05, "inbound_per_unit_km": 0.00002,
                      "inbound_per_weight_km": 0.00001, "outbound_per_unit": 0.15,
                      "outbound_per_unit_km": 0.0008, "outbound_per_weight_km": 0.0001,
                      "detour_factor": DETOUR},
        "lanes": lanes,
    }
    if sourcing is not None:
        data.update({"suppliers": sourcing["suppliers"], "offers": sourcing["offers"],
                     "price_breaks": sourcing["price_breaks"]})
    if not rules:
        return NetworkInstance.model_validate(data)
    service_share = float(qty.sum(axis=1)[d_witness <= SERVICE_KM - 0.01].sum() / qty.sum())
    data["network_policy"] = {
        "min_open": min(2, len(witness_dcs)),
        "max_open": min(int(eligible.sum()), len(witness_dcs) + max(1, facilities // 10)),
        "single_sourcing": True, "max_service_km": float(max_service),
        "service_level_share": math.floor(0.9 * service_share * 100) / 100,
        "service_level_km": SERVICE_KM,
    }
    if sourcing is not None:
        data["policy"] = {"max_supplier_share": MAX_SUPPLIER_SHARE, "min_suppliers": 2,
                          "min_share": MIN_SHARE, "max_region_share": MAX_REGION_SHARE,
                          "max_defect_rate": MAX_DEFECT, "min_on_time_rate": MIN_ON_TIME,
                          "max_lead_time_days": MAX_LEAD_DAYS, **sourcing["policy"]}
        data["product_policies"] = sourcing["product_policies"]
    unbudgeted = NetworkInstance.model_validate(data)
    witness = _Witness(witness_dcs, assign, sourcing["purchase"] if sourcing else {})
    cost = _witness_cost(unbudgeted, witness, qty, product_ids, weight, size_rows,
                         weight_unit)
    data["network_policy"]["budget"] = round(1.2 * cost, 2)
    return NetworkInstance.model_validate(data)


def _offset(lat: np.ndarray, lon: np.ndarray, km: np.ndarray, bearing: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Points ``km`` from (lat, lon) in direction ``bearing`` (flat-earth, fine below 100 km)."""
    dlat = km * np.cos(bearing) / 111.2
    dlon = km * np.sin(bearing) / (111.2 * np.cos(np.radians(lat)))
    return lat + dlat, lon + dlon


def _km_matrix(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
               ) -> np.ndarray:
    """Road km (haversine x detour) between every point of 1 and of 2, as the instance
    computes them."""
    p1, p2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    dp = p2 - p1
    dl = np.radians(lon2)[None, :] - np.radians(lon1)[:, None]
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h))) * DETOUR


def _witness_dcs(km: np.ndarray, eligible: np.ndarray, first: list[int], count: int
                 ) -> list[int]:
    """``first``, then the eligible DC nearest to the customer farthest from the chosen ones,
    until ``count`` DCs are chosen (or no eligible DC is left)."""
    chosen = list(dict.fromkeys(first))
    while len(chosen) < min(count, int(eligible.sum())):
        far = int(np.argmax(km[:, chosen].min(axis=1)))
        free = np.where(eligible & ~np.isin(np.arange(km.shape[1]), chosen))[0]
        chosen.append(int(free[np.argmin(km[far, free])]))
    return chosen


def _sourcing(rng: np.random.Generator, suppliers: int, products: int, product_ids: list[str],
              price: np.ndarray, demand: np.ndarray) -> dict[str, Any]:
    """Suppliers (regions and hubs), offers and price breaks around a witness purchase: 2-4
    core suppliers per product in distinct regions, equal shares, offers within the policy."""
    names = [r.name for r in REGIONS]
    weights = np.array([REGION_WEIGHTS[n] for n in names])
    region_of = np.concatenate([rng.permutation(len(names))[:min(suppliers, len(names))],
                                rng.choice(len(names), size=max(0, suppliers - len(names)),
                                           p=weights / weights.sum())])
    heft = rng.lognormal(0.0, 0.6, suppliers)
    sid = [f"S{s + 1:03d}" for s in range(suppliers)]
    offers, breaks = [], []
    purchase: dict[tuple[int, int], float] = {}
    load = np.zeros(suppliers)
    offered = np.zeros(suppliers)
    cores: list[list[int]] = []
    for p in range(products):
        d = float(demand[p])
        present = sorted(set(region_of.tolist()))
        n_core = min(4, len(present), suppliers)
        core_regions = rng.choice(present, size=n_core, replace=False)
        core = []
        for r in core_regions:
            members = np.where(region_of == r)[0]
            core.append(int(rng.choice(members, p=heft[members] / heft[members].sum())))
        others = [s for s in range(suppliers) if s not in core]
        extra = rng.choice(others, size=min(len(others), int(rng.integers(3, 9))),
                           replace=False, p=heft[others] / heft[others].sum()) if others else []
        cores.append(core)
        share = 1.0 / n_core
        for s in [*core, *(int(x) for x in extra)]:
            region = REGIONS[region_of[s]]
            is_core = s in core
            lead = float(np.round(region.lead_time_days * rng.uniform(0.7, 1.3)))
            defect = float(region.defect_rate * rng.lognormal(0, 0.35))
            on_time = float(min(0.999, region.on_time_rate + rng.normal(0, 0.03)))
            if is_core:
                lead = min(lead, MAX_LEAD_DAYS - 1)
                defect = min(defect, MAX_DEFECT * 0.95)
                on_time = max(on_time, MIN_ON_TIME + 0.01)
            unit_price = round(float(price[p] * region.price_factor * rng.lognormal(0, 0.08)), 4)
            low = max(0.3, share + 0.05) if is_core else 0.3
            offer = {"supplier": sid[s], "product": product_ids[p], "unit_price": unit_price,
                     "capacity": float(math.ceil(d * rng.uniform(low, 1.0))),
                     "moq": 0.0 if rng.random() < 0.5 else float(math.floor(
                         d * rng.uniform(0.05, 0.2))),
                     "lead_time_days": lead, "defect_rate": round(defect, 4),
                     "on_time_rate": math.floor(on_time * 1000) / 1000 if is_core
                     else round(on_time, 3)}
            if is_core:
                offer["defect_rate"] = math.floor(defect * 10_000) / 10_000
                purchase[(s, p)] = d * share
                load[s] += d * share
            offers.append(offer)
            offered[s] += d
            if rng.random() < 0.35:
                discount = 1.0
                for threshold in sorted(set(np.round(d * rng.uniform(0.1, 0.6,
                                                                     int(rng.integers(1, 3)))))):
                    discount *= 1 - rng.uniform(0.02, 0.06)
                    breaks.append({"supplier": sid[s], "product": product_ids[p],
                                   "min_quantity": float(max(1.0, threshold)),
                                   "unit_price": round(unit_price * discount, 4)})
    for s in np.where(offered == 0)[0]:  # every supplier offers something
        p = int(rng.integers(products))
        region = REGIONS[region_of[s]]
        offers.append({"supplier": sid[s], "product": product_ids[p],
                       "unit_price": round(float(price[p] * region.price_factor
                                                 * rng.lognormal(0, 0.08)), 4),
                       "capacity": float(math.ceil(demand[p] * rng.uniform(0.3, 1.0))),
                       "lead_time_days": float(np.round(region.lead_time_days
                                                        * rng.uniform(0.7, 1.3))),
                       "defect_rate": round(float(region.defect_rate * rng.lognormal(0, 0.35)),
                                            4),
                       "on_time_rate": round(float(min(0.999, region.on_time_rate
                                                       + rng.normal(0, 0.03))), 3)})
        offered[s] += demand[p]
    breaks = list({(b["supplier"], b["product"], b["min_quantity"]): b for b in breaks}.values())
    spend = float((demand * price).sum())
    supplier_rows = []
    lat_lon = []
    for s in range(suppliers):
        region = REGIONS[region_of[s]]
        hubs = HUBS[region.name]
        hub_lat, hub_lon = hubs[int(rng.integers(len(hubs)))]
        lat_lon.append((hub_lat + rng.uniform(-0.3, 0.3), hub_lon + rng.uniform(-0.3, 0.3)))
        row: dict[str, Any] = {
            "id": sid[s], "name": f"Supplier {s + 1} ({region.name})", "region": region.name,
            "onboarding_cost": round(float(spend / suppliers * 0.04 * rng.lognormal(0, 0.5)), 2),
            "lat": round(float(lat_lon[-1][0]), 4), "lon": round(float(lat_lon[-1][1]), 4)}
        if rng.random() < 0.3 and offered[s] > 0:
            row["capacity"] = float(math.ceil(max(1.3 * load[s],
                                                  offered[s] * rng.uniform(0.35, 0.7))))
        supplier_rows.append(row)
    used = [s for s in range(suppliers) if load[s] > 0]
    unused = [s for s in range(suppliers) if load[s] == 0]
    base_price = {(o["supplier"], o["product"]): float(o["unit_price"]) for o in offers}
    base = {k: v * base_price[(sid[k[0]], product_ids[k[1]])] for k, v in purchase.items()}
    onboarding = sum(supplier_rows[s]["onboarding_cost"] for s in used)
    policy: dict[str, Any] = {"budget": round(1.25 * (onboarding + sum(base.values())), 2),
                              "must_use": [sid[used[int(rng.integers(len(used)))]]]}
    if unused:
        policy["excluded"] = [sid[unused[int(rng.integers(len(unused)))]]]
    product_policies: list[dict[str, Any]] = []
    for p in range(min(products, 3)):
        row = {"product": product_ids[p]}
        if p == 0:
            row["must_use"] = [sid[cores[p][0]]]
            row["budget"] = round(1.25 * sum(v for k, v in base.items() if k[1] == p), 2)
        elif p == 1:
            row["max_supplier_share"] = max(0.5, 1.0 / len(cores[p]))
            non_core = [o["supplier"] for o in offers
                        if o["product"] == product_ids[p] and o["supplier"]
                        not in {sid[s] for s in cores[p]}]
            if non_core:
                row["excluded"] = [non_core[0]]
        elif len(cores[p]) >= 3:
            row["min_suppliers"] = 3
            row["max_lead_time_days"] = MAX_LEAD_DAYS - 1
        product_policies.append(row)
    return {"suppliers": supplier_rows, "offers": offers, "price_breaks": breaks,
            "purchase": purchase, "policy": policy, "product_policies": product_policies}


def _lanes(rng: np.random.Generator, km: np.ndarray, assign: np.ndarray, eligible: np.ndarray,
           max_service: float, qty: np.ndarray, sourcing: dict[str, Any] | None,
           witness: list[int], customers: int, facilities: int) -> list[dict[str, Any]]:
    """About 1 % of the reachable outbound lanes forbidden (never a witness lane, never below
    two reachable DCs per customer), some caps on outbound lanes (a witness lane's cap is its
    customer's whole demand), a few forbidden inbound lanes to DCs outside the witness set and
    a few inbound caps at 1.2 x or more of the witness volume."""
    reach = (km <= max_service - 1) & eligible[None, :]
    count = reach.sum(axis=1)
    rows: list[dict[str, Any]] = []
    chosen = set()
    candidates = np.argwhere(reach)
    picks = rng.permutation(len(candidates))[: max(1, len(candidates) // 100)]
    for k in picks:
        j, i = (int(v) for v in candidates[k])
        if i == assign[j] or count[j] <= 2:
            continue
        count[j] -= 1
        chosen.add((j, i))
        rows.append({"origin": f"DC{i + 1:02d}", "destination": f"C{j + 1:04d}",
                     "forbidden": True})
    total = qty.sum(axis=1)
    for k in rng.permutation(len(candidates))[: max(2, len(candidates) // 400)]:
        j, i = (int(v) for v in candidates[k])
        if (j, i) in chosen:
            continue
        chosen.add((j, i))
        cap = total[j] if i == assign[j] else math.floor(total[j] * rng.uniform(0.5, 0.9))
        rows.append({"origin": f"DC{i + 1:02d}", "destination": f"C{j + 1:04d}",
                     "max_volume": float(math.ceil(cap))})
    if sourcing is None:
        return rows
    witness_set = set(witness)
    need = np.zeros((facilities, qty.shape[1]))
    np.add.at(need, assign, qty)
    demand = qty.sum(axis=0)
    by_supplier: dict[int, float] = {}
    flow: dict[tuple[int, int], float] = {}
    for (s, p), units in sourcing["purchase"].items():
        by_supplier[s] = by_supplier.get(s, 0.0) + units
        for i in witness:
            if need[i, p] > 0:
                flow[(s, i)] = flow.get((s, i), 0.0) + units * need[i, p] / demand[p]
    n_suppliers = len(sourcing["suppliers"])
    outside = [i for i in range(facilities) if i not in witness_set]
    for _ in range(max(1, n_suppliers // 10)):
        if not outside:
            break
        s, i = int(rng.integers(n_suppliers)), outside[int(rng.integers(len(outside)))]
        rows.append({"origin": f"S{s + 1:03d}", "destination": f"DC{i + 1:02d}",
                     "forbidden": True})
    used = sorted(flow)
    for k in rng.permutation(len(used))[: max(1, len(used) // 50)]:
        s, i = used[int(k)]
        rows.append({"origin": f"S{s + 1:03d}", "destination": f"DC{i + 1:02d}",
                     "max_volume": float(math.ceil(flow[(s, i)] * rng.uniform(1.2, 1.6)))})
    return list({(r["origin"], r["destination"]): r for r in rows}.values())


def _witness_cost(inst: NetworkInstance, witness: _Witness, qty: np.ndarray,
                  product_ids: list[str], weight: np.ndarray, size_rows: list[dict[str, Any]],
                  weight_unit: np.ndarray) -> float:
    """The witness plan's cost without shortage (every unit served and bought), with the
    instance's own lane costs and base prices (at least the all-units price in force)."""
    facilities = [f.id for f in inst.facilities]
    cost = 0.0
    load_units = np.zeros(len(facilities))
    np.add.at(load_units, witness.assign, qty.sum(axis=1))
    load_weight = np.zeros(len(facilities))
    np.add.at(load_weight, witness.assign, qty @ weight)
    sizes: dict[str, list[dict[str, Any]]] = {}
    for row in size_rows:
        sizes.setdefault(row["facility"], []).append(row)
    for i in witness.dcs:
        load = load_weight[i] if weight_unit[i] else load_units[i]
        fitting = [r for r in sizes[facilities[i]] if r["capacity"] >= load]
        cost += min(r["fixed_cost"] for r in fitting)
        cost += inst.facilities[i].handling_cost * load_units[i]
    cost += sum(f.closing_cost for k, f in enumerate(inst.facilities)
                if f.status == "existing" and k not in set(witness.dcs))
    customers = [c.id for c in inst.customers]
    for j, i in enumerate(witness.assign):
        for p, units in enumerate(qty[j]):
            if units > 0:
                lane = inst.lane_cost(facilities[i], customers[j], product_ids[p])
                if lane is None:
                    raise AssertionError("a witness lane is closed")  # the construction's bug
                cost += lane * units
    if witness.purchase:
        need = np.zeros((len(facilities), qty.shape[1]))
        np.add.at(need, witness.assign, qty)
        demand = qty.sum(axis=0)
        suppliers = [s.id for s in inst.suppliers]
        prices = {(o.supplier, o.product): o.unit_price for o in inst.offers}
        used = set()
        for (s, p), units in witness.purchase.items():
            used.add(s)
            cost += units * prices[(suppliers[s], product_ids[p])]
            for i in witness.dcs:
                if need[i, p] > 0:
                    lane = inst.lane_cost(suppliers[s], facilities[i], product_ids[p])
                    if lane is None:
                        raise AssertionError("a witness inbound lane is closed")
                    cost += lane * units * need[i, p] / demand[p]
        cost += sum(inst.suppliers[s].onboarding_cost for s in used)
    return cost
