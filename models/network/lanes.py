"""Lane costs and distances of a whole network at once (numpy), for the formulation.

``NetworkInstance.lane_cost`` defines the cost of one lane; this module computes the same numbers
for every lane in one pass (a test holds the two equal), which matters at 50 DCs x 2,000
customers x 20 products.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.network.data import EARTH_RADIUS_KM, NetworkInstance


@dataclass(frozen=True)
class LaneCosts:
    """Costs per unit ``cost[o, d, p]`` from origins to destinations (``nan`` = lane closed) and
    distances ``km[o, d]`` (``nan`` = unknown)."""

    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    products: tuple[str, ...]
    km: np.ndarray
    cost: np.ndarray


def _coordinates(records: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(kind, a, b): kind 1 = lat/lon, 2 = x/y, 0 = none; a/b the two coordinates."""
    kind = np.array([{"latlon": 1, "xy": 2, "none": 0}[r.located] for r in records], dtype=int)
    a = np.array([r.lat if r.lat is not None else (r.x if r.x is not None else np.nan)
                  for r in records], dtype=float)
    b = np.array([r.lon if r.lon is not None else (r.y if r.y is not None else np.nan)
                  for r in records], dtype=float)
    return kind, a, b


def distance_matrix(inst: NetworkInstance, origins: tuple, destinations: tuple) -> np.ndarray:
    """Road km between every origin and destination record (``nan`` where unknown)."""
    ko, ao, bo = _coordinates(origins)
    kd, ad, bd = _coordinates(destinations)
    km = np.full((len(origins), len(destinations)), np.nan)
    geo = (ko[:, None] == 1) & (kd[None, :] == 1)
    if geo.any():
        lat1, lat2 = np.radians(ao)[:, None], np.radians(ad)[None, :]
        dlat = lat2 - lat1
        dlon = np.radians(bd)[None, :] - np.radians(bo)[:, None]
        h = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
        great = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(np.nan_to_num(h))))
        km = np.where(geo, great * inst.transport.detour_factor, km)
    flat = (ko[:, None] == 2) & (kd[None, :] == 2)
    if flat.any():
        km = np.where(flat, np.hypot(ao[:, None] - ad[None, :], bo[:, None] - bd[None, :]), km)
    if inst.distances:
        o_index = {r.id: i for i, r in enumerate(origins)}
        d_index = {r.id: j for j, r in enumerate(destinations)}
        given = {(r.origin, r.destination): r.km for r in inst.distances}
        for r in inst.distances:  # a pair's own row wins over the reverse pair's row
            given.setdefault((r.destination, r.origin), r.km)
        for (a, b), value in given.items():
            if a in o_index and b in d_index:
                km[o_index[a], d_index[b]] = value
    return km


def lane_costs(inst: NetworkInstance, echelon: str) -> LaneCosts:
    """Every lane's cost per unit of every product, ``echelon`` ``"inbound"`` (suppliers ->
    facilities) or ``"outbound"`` (facilities -> customers)."""
    t = inst.transport
    if echelon == "inbound":
        origins, destinations = inst.suppliers, inst.facilities
        rates = (t.inbound_per_unit, t.inbound_per_unit_km, t.inbound_per_weight_km)
    else:
        origins, destinations = inst.facilities, inst.customers
        rates = (t.outbound_per_unit, t.outbound_per_unit_km, t.outbound_per_weight_km)
    products = tuple(p.id for p in inst.products)
    km = distance_matrix(inst, origins, destinations)
    weight = np.array([p.unit_weight or 0.0 for p in inst.products])
    if rates[1] == 0 and rates[2] == 0:
        cost = np.full((len(origins), len(destinations), len(products)), float(rates[0]))
    else:
        per_km = rates[1] + rates[2] * weight  # (P,)
        cost = rates[0] + km[:, :, None] * per_km[None, None, :]
    o_index = {r.id: i for i, r in enumerate(origins)}
    d_index = {r.id: j for j, r in enumerate(destinations)}
    p_index = {p: k for k, p in enumerate(products)}
    closed = np.zeros(cost.shape, dtype=bool)
    # all-products rows first, then product rows (a product row's cost wins)
    for lane in sorted(inst.lanes, key=lambda n: n.product is not None):
        i, j = o_index.get(lane.origin), d_index.get(lane.destination)
        if i is None or j is None:
            continue
        k = slice(None) if lane.product is None else p_index[lane.product]
        if lane.forbidden:
            closed[i, j, k] = True
        if lane.cost_per_unit is not None:
            cost[i, j, k] = lane.cost_per_unit
    limit = inst.network_policy.max_service_km
    if echelon == "outbound" and limit is not None:
        closed |= (np.nan_to_num(km, nan=0.0) > limit)[:, :, None]
    cost = np.where(closed, np.nan, cost)
    return LaneCosts(tuple(r.id for r in origins), tuple(r.id for r in destinations), products,
                     km, cost)
