"""Seeded generator of realistic delivery days around one or more depots.

A city of about 15 km radius (latitude/longitude, great-circle distances with a road-detour
factor): customers in dense clusters and scattered in between, weight and volume per order,
service times of 3-10 minutes, time windows (morning, afternoon or two-hour slots) with a
chosen tightness, a mixed fleet of vans and tail-lift trucks, a few optional stops with drop
penalties, and returns collected from customers and brought back to the depot's returns desk.
"""

from __future__ import annotations

import math

import numpy as np

from models.routing.data import RoutingInstance

CENTRE = (52.3676, 4.9041)  # latitude, longitude
HOUR = 3600.0


def _offset(lat: float, lon: float, north_km: float, east_km: float) -> tuple[float, float]:
    return (lat + north_km / 110.574,
            lon + east_km / (111.320 * math.cos(math.radians(lat))))


def generate_day(
    stops: int = 60,
    depots: int = 1,
    seed: int = 0,
    window_share: float = 0.6,
    tightness: float = 0.5,
    returns: int = 3,
    name: str | None = None,
    breaks: bool = False,
) -> RoutingInstance:
    """A delivery day with ``stops`` customer orders (plus a returns desk per return).

    ``window_share`` of the customers have a time window; ``tightness`` in [0, 1] narrows them
    (0: half-day windows, 1: one-hour slots). ``breaks`` gives every driver a 30-minute lunch
    break starting between 11:30 and 14:00 (the rest of the day is drawn the same)."""
    if stops < 1 or depots < 1:
        raise ValueError("need at least one stop and one depot")
    rng = np.random.default_rng(seed)
    depot_rows = []
    for k in range(depots):
        angle = 2 * math.pi * k / depots
        lat, lon = _offset(*CENTRE, 6 * math.sin(angle) * (depots > 1),
                           6 * math.cos(angle) * (depots > 1))
        depot_rows.append({"id": f"DC{k + 1}", "lat": round(lat, 6), "lon": round(lon, 6),
                           "open": 6 * HOUR, "close": 21 * HOUR})
    clusters = [_offset(*CENTRE, *rng.uniform(-10, 10, size=2)) for _ in range(4)]
    stop_rows = []
    for i in range(stops):
        if rng.random() < 0.65:
            c = clusters[int(rng.integers(len(clusters)))]
            lat, lon = _offset(*c, *rng.normal(0, 1.2, size=2))
        else:
            r, a = 14 * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
            lat, lon = _offset(*CENTRE, r * math.sin(a), r * math.cos(a))
        weight = float(np.round(rng.lognormal(3.5, 0.9), 1).clip(2, 600))
        volume = round(weight / rng.uniform(80, 250), 3)
        row: dict[str, object] = {
            "id": f"C{i + 1:03d}", "lat": round(lat, 6), "lon": round(lon, 6),
            "delivery": [weight, volume], "service_time": float(rng.integers(3, 11) * 60),
        }
        if rng.random() < window_share:
            width = (1 - tightness) * 5 * HOUR + tightness * 1 * HOUR
            start = float(rng.uniform(8 * HOUR, 18 * HOUR - width))
            row["time_windows"] = [[round(start, -2), round(start + width, -2)]]
        if weight > 250:
            row["skills"] = ["tail-lift"]
        if rng.random() < 0.08:
            row["drop_penalty"] = float(rng.integers(80, 250))
        stop_rows.append(row)
    shipments = []
    for j in range(min(returns, stops)):
        source = stop_rows[int(rng.integers(len(stop_rows)))]
        if "pickup" in source or any(s["pickup"] == source["id"] for s in shipments):
            continue
        weight = float(rng.integers(5, 60))
        desk = {"id": f"R{j + 1:02d}", "lat": depot_rows[0]["lat"], "lon": depot_rows[0]["lon"],
                "delivery": [weight, round(weight / 150, 3)], "service_time": 120.0}
        pickup = {"id": f"P{j + 1:02d}", "lat": source["lat"], "lon": source["lon"],
                  "pickup": [weight, round(weight / 150, 3)], "service_time": 180.0}
        stop_rows += [pickup, desk]
        shipments.append({"pickup": pickup["id"], "delivery": desk["id"]})
    fleet = []
    for k, depot in enumerate(depot_rows):
        vans = max(2, math.ceil(stops / depots / 14))
        fleet.append({"id": f"van-{k + 1}", "count": vans, "capacity": [900.0, 8.0],
                      "fixed_cost": 60.0, "cost_per_km": 0.35, "cost_per_hour": 28.0,
                      "start_depot": depot["id"], "shift_start": 7 * HOUR,
                      "shift_end": 19 * HOUR, "max_duration": 10 * HOUR, "speed_kmh": 28.0,
                      "detour_factor": 1.35})
        fleet.append({"id": f"truck-{k + 1}", "count": max(1, vans // 3),
                      "capacity": [3500.0, 30.0], "fixed_cost": 140.0, "cost_per_km": 0.65,
                      "cost_per_hour": 36.0, "start_depot": depot["id"],
                      "shift_start": 7 * HOUR, "shift_end": 19 * HOUR,
                      "max_duration": 10 * HOUR, "speed_kmh": 24.0, "detour_factor": 1.35,
                      "skills": ["tail-lift"]})
    if breaks:
        for vt in fleet:
            vt["breaks"] = [{"id": "lunch", "earliest": 11.5 * HOUR, "latest": 14 * HOUR,
                             "duration": 0.5 * HOUR}]
    return RoutingInstance.model_validate({
        "name": name or f"day-{stops}-d{depots}-seed{seed}",
        "depots": depot_rows, "vehicle_types": fleet, "stops": stop_rows,
        "shipments": shipments, "distance": {"kind": "haversine"},
    })
