"""The capacitated location-routing problem (LRP) on numpy arrays: problem, allocation, routes.

Frozen dataclasses, validated once on construction (``ValueError`` names the field). Money is
per period; a route is driven on each of ``delivery_days`` days of a period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np


def _array(value, name: str, shape: tuple[int, ...], dtype=float) -> np.ndarray:
    a = np.array(value, dtype=dtype, copy=True)
    if a.shape != shape:
        raise ValueError(f"{name}: shape {a.shape}, expected {shape}")
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class LRPVehicle:
    """One vehicle type. ``count`` = vehicles of this type per depot per day (None = no
    limit); ``depots`` = bool[m], the depots that have this type; ``max_hours`` per route."""

    capacity: float
    fixed_cost: float
    cost_per_km: float
    cost_per_hour: float
    speed_kmh: float
    max_hours: float | None
    count: int | None
    depots: np.ndarray

    def __post_init__(self) -> None:
        if not (np.isfinite(self.capacity) and self.capacity > 0):
            raise ValueError("capacity: must be finite and > 0")
        for name in ("fixed_cost", "cost_per_km", "cost_per_hour"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v >= 0):
                raise ValueError(f"{name}: must be finite and >= 0")
        if not (np.isfinite(self.speed_kmh) and self.speed_kmh > 0):
            raise ValueError("speed_kmh: must be finite and > 0")
        if self.max_hours is not None and not self.max_hours > 0:
            raise ValueError("max_hours: must be > 0 or None")
        if self.count is not None and (int(self.count) != self.count or self.count < 1):
            raise ValueError("count: must be an integer >= 1 or None")
        d = np.array(self.depots, dtype=bool, copy=True)
        if d.ndim != 1:
            raise ValueError("depots: must be a 1-D bool array")
        d.setflags(write=False)
        object.__setattr__(self, "depots", d)


@dataclass(frozen=True)
class LocationRoutingProblem:
    """Open depots, assign every customer to one open depot, route vehicles from each.

    ``km`` is [m+n, m+n], depots first, then customers. ``capacity`` bounds a depot's
    per-period throughput (``np.inf`` = none); ``demand`` is per period, and each delivery day
    a customer receives ``demand / delivery_days``. ``allowed[i, j]`` False forbids serving j
    from i; ``assign_cost[i, j]`` is any other per-period cost of serving j from i."""

    fixed_cost: np.ndarray
    capacity: np.ndarray
    demand: np.ndarray
    km: np.ndarray
    service_hours: np.ndarray
    vehicles: tuple[LRPVehicle, ...]
    delivery_days: float = 1.0
    allowed: np.ndarray | None = None
    assign_cost: np.ndarray | None = None
    must_open: np.ndarray | None = None
    must_close: np.ndarray | None = None

    def __post_init__(self) -> None:
        f = np.asarray(self.fixed_cost, dtype=float)
        if f.ndim != 1 or len(f) == 0:
            raise ValueError("fixed_cost: must be a non-empty 1-D array (one per depot)")
        m = len(f)
        d = np.asarray(self.demand, dtype=float)
        if d.ndim != 1 or len(d) == 0:
            raise ValueError("demand: must be a non-empty 1-D array (one per customer)")
        n = len(d)
        set_ = lambda name, v: object.__setattr__(self, name, v)  # noqa: E731
        set_("fixed_cost", _array(f, "fixed_cost", (m,)))
        set_("demand", _array(d, "demand", (n,)))
        set_("capacity", _array(self.capacity, "capacity", (m,)))
        set_("km", _array(self.km, "km", (m + n, m + n)))
        set_("service_hours", _array(self.service_hours, "service_hours", (n,)))
        if not np.all(np.isfinite(self.fixed_cost)) or np.any(self.fixed_cost < 0):
            raise ValueError("fixed_cost: every value must be finite and >= 0")
        if np.any(np.isnan(self.capacity)) or np.any(self.capacity <= 0):
            raise ValueError("capacity: every value must be > 0 (np.inf = none)")
        if not np.all(np.isfinite(self.demand)) or np.any(self.demand < 0):
            raise ValueError("demand: every value must be finite and >= 0")
        if not np.all(np.isfinite(self.km)) or np.any(self.km < 0):
            raise ValueError("km: every value must be finite and >= 0")
        if not np.all(np.isfinite(self.service_hours)) or np.any(self.service_hours < 0):
            raise ValueError("service_hours: every value must be finite and >= 0")
        if not self.vehicles:
            raise ValueError("vehicles: at least one vehicle type")
        set_("vehicles", tuple(self.vehicles))
        for k, v in enumerate(self.vehicles):
            if v.depots.shape != (m,):
                raise ValueError(f"vehicles[{k}].depots: shape {v.depots.shape}, expected ({m},)")
        if not (np.isfinite(self.delivery_days) and self.delivery_days > 0):
            raise ValueError("delivery_days: must be finite and > 0")
        for name in ("allowed", "must_open", "must_close"):
            v = getattr(self, name)
            if v is not None:
                shape = (m, n) if name == "allowed" else (m,)
                set_(name, _array(v, name, shape, dtype=bool))
        if self.assign_cost is not None:
            set_("assign_cost", _array(self.assign_cost, "assign_cost", (m, n)))
            if not np.all(np.isfinite(self.assign_cost)):
                raise ValueError("assign_cost: every value must be finite")
        if (self.must_open is not None and self.must_close is not None
                and np.any(self.must_open & self.must_close)):
            raise ValueError("must_open and must_close: a depot is in both")

    @property
    def shape(self) -> tuple[int, int]:
        """(depots, customers)."""
        return len(self.fixed_cost), len(self.demand)

    def allowed_mask(self) -> np.ndarray:
        """bool[m, n]: ``allowed`` and some vehicle type at the depot (all True if unset)."""
        m, n = self.shape
        mask = np.ones((m, n), bool) if self.allowed is None else self.allowed.copy()
        has = np.zeros(m, bool)
        for v in self.vehicles:
            has |= v.depots
        mask &= has[:, None]
        if self.must_close is not None:
            mask &= ~self.must_close[:, None]
        return mask

    def other_cost(self) -> np.ndarray:
        """[m, n] ``assign_cost`` (zeros when unset)."""
        m, n = self.shape
        return np.zeros((m, n)) if self.assign_cost is None else np.asarray(self.assign_cost)


@dataclass(frozen=True)
class Allocation:
    """An allocator's answer: open depots, each customer's depot (-1 = not served), the units
    served per period, and every non-route cost per period (fixed, handling, inbound, ...)."""

    open: np.ndarray
    assignment: np.ndarray
    served: np.ndarray
    cost: float


class Allocator(Protocol):
    """The location-allocation oracle. ``unit_cost[i, j]`` = per-period cost of serving all of
    customer j from depot i (a route-cost estimate; NOT part of ``Allocation.cost``);
    ``open_fix[i]`` -1 free, 0 closed, 1 open; ``assignment`` fixes every customer's depot.
    Returns None when infeasible (or nothing was found in time)."""

    def __call__(self, unit_cost: np.ndarray, open_fix: np.ndarray,
                 assignment: np.ndarray | None = None,
                 time_limit: float | None = None) -> Allocation | None: ...


@dataclass(frozen=True)
class LRPRoute:
    """One route of one delivery day: depot, vehicle type index, customer indices in order
    (a customer split into several stops appears once per stop), load, km, hours, cost."""

    depot: int
    vehicle: int
    customers: tuple[int, ...]
    load: float
    km: float
    hours: float
    cost: float


@dataclass(frozen=True)
class LRPResult:
    """The best plan found. ``route_cost`` = delivery_days x the day's route costs (per
    period); ``other_cost`` = the allocator's non-route cost; ``total`` = both. ``log``: one
    line per step (what was tried, its cost, seconds)."""

    open: np.ndarray
    assignment: np.ndarray
    served: np.ndarray
    routes: tuple[LRPRoute, ...]
    route_cost: float
    other_cost: float
    total: float
    seconds: float
    log: tuple[str, ...] = field(default_factory=tuple)
