"""The integrated plan: the network plan, the representative day's routes from every open DC,
the cost chain upstream → DC → last mile and the cost to serve per customer
(docs/plan-format.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from models.network import NetworkPlan
from models.routing import RoutePlan
from models.solver import SolveStatus

if TYPE_CHECKING:
    import pandas as pd


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlanSummary(_Frozen):
    """How the plan was found. ``status`` is the plan's: ``feasible`` when the network has a
    plan and every day is routed (the routes are heuristic: nothing is proven), else the
    status of the part that failed; ``network_status`` is the network solve's own."""

    status: SolveStatus
    stop_reason: str
    network_status: SolveStatus
    network_method: str
    routing_engines: str = ""
    seconds: float = 0.0


class DayStop(_Frozen):
    """One stop of the representative day: ``load`` units delivered by ``facility`` to zone
    ``customer`` (for ``order``, or for the zone's profile), ``service_time`` seconds, windows
    as (start, end) seconds; its place (``at_zone``: the zone's own place)."""

    stop: str
    facility: str
    customer: str
    order: str | None
    load: float
    service_time: float
    time_windows: tuple[tuple[float, float], ...] = ()
    lat: float | None = None
    lon: float | None = None
    x: float | None = None
    y: float | None = None
    at_zone: bool = True


class RouteLine(_Frozen):
    """One route of the day: ``facility`` → stops in order → ``facility``."""

    facility: str
    route: int
    vehicle: str
    vehicle_type: str
    stops: str
    load: float
    km: float
    hours: float
    cost: float


class DayRoutes(_Frozen):
    """One DC's day as the routing engines planned it (times in seconds, distances in
    metres, as in docs/routing-format.md)."""

    facility: str
    plan: RoutePlan


class CostChain(_Frozen):
    """Cost lines per period. Upstream: ``purchase``, ``onboarding``, ``inbound``; DC:
    ``facility_fixed``, ``closing``, ``handling``; last mile: ``last_mile`` (the day's route
    cost × delivery days); ``shortage``; ``total`` = their sum. ``network_outbound`` is the
    network solve's own outbound line (per-unit rates, or its own route estimate), which the
    last mile replaces: it is not in the total."""

    purchase: float
    onboarding: float
    inbound: float
    upstream: float
    facility_fixed: float
    closing: float
    handling: float
    dc: float
    last_mile: float
    shortage: float
    total: float
    network_outbound: float
    network_total: float


class FacilityDay(_Frozen):
    """One open DC: its day (stops, units, vehicles, km, hours, route cost) and period."""

    facility: str
    zones: int
    stops: int
    units: float
    routes: int
    km: float
    hours: float
    day_cost: float
    period_cost: float


class CustomerCost(_Frozen):
    """Cost to serve one customer: the network's (landed cost, handling, DC fixed share,
    shortage penalties) without its outbound lane cost, plus its share of the route cost."""

    customer: str
    facilities: str
    demand: float
    served: float
    shortage: float
    stops: int
    network_cost: float
    last_mile: float
    cost_to_serve: float


class IntegratedPlan(_Frozen):
    """The plan from suppliers to doorsteps. Without a network solution the lists are empty
    (``network`` then holds the reasons)."""

    instance: str
    solve: PlanSummary
    delivery_days: float
    currency: str | None = None
    cost: CostChain | None = None
    network: NetworkPlan
    facilities: tuple[FacilityDay, ...] = ()
    stops: tuple[DayStop, ...] = ()
    routes: tuple[RouteLine, ...] = ()
    customers: tuple[CustomerCost, ...] = ()
    days: tuple[DayRoutes, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def open_facilities(self) -> tuple[str, ...]:
        """Ids of the open DCs."""
        return self.network.open_facilities

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """The plan as tidy tables (summary, cost, facilities, routes, stops, customers, and
        the network's flows and purchases)."""
        from models.integrated.plan_frames import plan_frames

        return plan_frames(self)
