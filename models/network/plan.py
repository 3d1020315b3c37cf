"""The network plan: what to open, what flows where, what it costs (see docs/network-format.md)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from models.solver import SolveStatus

if TYPE_CHECKING:
    import pandas as pd


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Method(StrEnum):
    """How the plan was found."""

    MILP = "milp"  # the full network MILP (PuLP + HiGHS)
    FACILITY_LOCATION = "facility-location"  # the exact facility-location engine
    LOCATION_ROUTING = "location_routing"  # outbound as routes: the location-routing search


class Echelon(StrEnum):
    """Which leg a flow moves on."""

    INBOUND = "inbound"  # supplier -> DC
    OUTBOUND = "outbound"  # DC -> customer


class NetworkSolveSummary(_Frozen):
    """How the plan was obtained. ``status`` is OPTIMAL only when the bound proves it."""

    status: SolveStatus
    stop_reason: str
    method: Method
    solver: str
    objective: float | None
    best_bound: float | None
    gap: float | None = Field(description="Relative gap (objective - bound) / |objective|")
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    variables: int = 0
    integer_variables: int = 0
    constraints: int = 0


class NetworkCost(_Frozen):
    """The cost lines of a plan; ``total`` is the objective."""

    facility_fixed: float
    closing: float
    handling: float
    inbound: float
    purchase: float
    onboarding: float
    outbound: float
    shortage: float
    total: float


class FacilityUse(_Frozen):
    """One DC in the plan (open or not)."""

    facility: str
    status: str
    open: bool
    size: str | None
    capacity: float | None
    capacity_unit: str
    throughput: float
    load: float
    utilisation: float | None
    fixed_cost: float
    customers: int


class Flow(_Frozen):
    """Units of one product on one lane."""

    echelon: Echelon
    origin: str
    destination: str
    product: str
    quantity: float
    unit_cost: float
    cost: float
    km: float | None = None


class Purchase(_Frozen):
    """Units bought from one supplier of one product, at the all-units price in force."""

    supplier: str
    product: str
    quantity: float
    unit_price: float
    cost: float


class Shortage(_Frozen):
    """Units of one customer's demand left unmet."""

    customer: str
    product: str
    quantity: float
    penalty: float


class CustomerService(_Frozen):
    """How one customer is served and what it costs to serve it."""

    customer: str
    facilities: str
    demand: float
    served: float
    shortage: float
    cost_to_serve: float


class Route(_Frozen):
    """One delivery route of one day (outbound as routes): DC -> ``stops`` (customer ids in
    driving order, ``;``-separated, repeated for a split stop) -> the same DC."""

    facility: str
    vehicle_type: str
    route: int
    stops: str
    load: float
    km: float
    hours: float
    cost: float

    @property
    def stop_ids(self) -> tuple[str, ...]:
        """The customers visited, in order (a split stop appears once per stop)."""
        return tuple(part.strip() for part in self.stops.split(";") if part.strip())


class NetworkPlan(_Frozen):
    """A network plan. Without a solution (infeasible, no incumbent) the lists are empty."""

    instance: str
    solve: NetworkSolveSummary
    cost: NetworkCost | None = None
    facilities: tuple[FacilityUse, ...] = ()
    flows: tuple[Flow, ...] = ()
    purchases: tuple[Purchase, ...] = ()
    shortages: tuple[Shortage, ...] = ()
    customers: tuple[CustomerService, ...] = ()
    routes: tuple[Route, ...] = ()
    infeasibility: tuple[str, ...] = ()

    @property
    def objective(self) -> float | None:
        """The plan's total cost (None without a solution)."""
        return None if self.cost is None else self.cost.total

    @property
    def open_facilities(self) -> tuple[str, ...]:
        """Ids of the open DCs."""
        return tuple(f.facility for f in self.facilities if f.open)

    def to_frames(self, currency: str | None = None) -> dict[str, pd.DataFrame]:
        """The plan as tidy pandas tables (facilities, flows, purchases, shortages, customers,
        cost, and routes in routes mode)."""
        from models.network.plan_frames import plan_frames

        return plan_frames(self, currency)
