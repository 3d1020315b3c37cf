"""Distance and travel-time matrices, with each benchmark set's rounding convention.

Nodes are numbered depots first (in instance order), then stops. Matrices are float arrays in
the instance's units (metres and seconds for native instances); ``rounding`` is applied per edge
as the reference values of each benchmark set require:

* ``nint``   — nearest integer, TSPLIB (CVRPLIB X, A, B, E, P);
* ``trunc1`` — truncated to one decimal, distances *and* travel times (DIMACS Solomon);
* ``real``   — double precision (Li & Lim, Cordeau, Solomon hierarchical tables).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.routing.data import RoutingInstance, VehicleType
from models.routing.instance_cache import derived

EARTH_RADIUS_M = 6_371_008.8


def node_ids(inst: RoutingInstance) -> list[str]:
    """Node ids in matrix order: depots, then stops."""
    return [d.id for d in inst.depots] + [s.id for s in inst.stops]


def round_edges(values: np.ndarray, rounding: str) -> np.ndarray:
    """Apply a per-edge rounding convention."""
    if rounding == "nint":
        return np.floor(values + 0.5)
    if rounding == "trunc1":
        return np.floor(values * 10.0 + 1e-9) / 10.0
    return values


@dataclass(frozen=True)
class Matrices:
    """Distance and travel-time matrices for one vehicle type (float, instance units)."""

    distance: np.ndarray
    duration: np.ndarray


def matrices(inst: RoutingInstance, vehicle_type: VehicleType) -> Matrices:
    """The matrices a vehicle of ``vehicle_type`` drives on (the instance's type of that id),
    computed once per instance and type and kept as long as the instance
    (:mod:`models.routing.instance_cache`)."""
    type_id = vehicle_type.id
    return derived(inst, ("matrices", type_id), lambda: _compute(inst, type_id))


def _compute(inst: RoutingInstance, type_id: str) -> Matrices:
    vt = inst.vehicle_type_by_id[type_id]
    places = [*inst.depots, *inst.stops]
    spec = inst.distance
    if spec.kind == "matrix":
        assert inst.matrix is not None
        index = np.array([p.matrix_index for p in places], dtype=int)
        full = np.asarray(inst.matrix.distances, dtype=float)
        distance = round_edges(full[np.ix_(index, index)], spec.rounding)
        if inst.matrix.durations is not None:
            times = np.asarray(inst.matrix.durations, dtype=float)[np.ix_(index, index)]
            duration = round_edges(times, spec.rounding)
        else:
            duration = distance / (vt.speed_kmh / 3.6)
        return Matrices(distance, duration)
    if spec.kind == "haversine":
        lat = np.radians(np.array([p.lat for p in places], dtype=float))
        lon = np.radians(np.array([p.lon for p in places], dtype=float))
        dlat = lat[:, None] - lat[None, :]
        dlon = lon[:, None] - lon[None, :]
        h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(
            dlon / 2) ** 2
        great = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
        distance = round_edges(great * vt.detour_factor, spec.rounding)
        duration = round_edges(distance / (vt.speed_kmh / 3.6), spec.rounding)
        return Matrices(distance, duration)
    x = np.array([p.x for p in places], dtype=float)
    y = np.array([p.y for p in places], dtype=float)
    raw = np.sqrt((x[:, None] - x[None, :]) ** 2 + (y[:, None] - y[None, :]) ** 2)
    distance = round_edges(raw, spec.rounding)
    duration = round_edges(raw * spec.time_per_distance, spec.rounding)
    return Matrices(distance, duration)
