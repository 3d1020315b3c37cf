"""Network design: which DCs to open, how big, and who serves whom (supplier -> DC -> customer).

Public API::

    from models.network import NetworkInstance, solve, check_plan, generate_network
    from models.solver import SolverOptions, SolveStatus
"""

from models.network.checker import COST_LINES, NetworkCheckReport, check_plan, evaluate_network
from models.network.data import (
    Customer,
    Demand,
    Distance,
    Facility,
    FacilityStatus,
    FleetVehicle,
    Lane,
    NetworkInstance,
    NetworkPolicy,
    NetworkSupplier,
    Outbound,
    Product,
    Size,
    Transport,
)
from models.network.generator import generate_network
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
from models.network.plan_frames import plan_frames
from models.network.solve import PlanCheckError, solve
from models.network.structure import why_not_facility_problem
from models.network.tables import NETWORK_TABLES
from models.solver import SolverOptions, SolveStatus

__all__ = [
    "COST_LINES",
    "NETWORK_TABLES",
    "Customer",
    "CustomerService",
    "Demand",
    "Distance",
    "Echelon",
    "Facility",
    "FacilityStatus",
    "FacilityUse",
    "FleetVehicle",
    "Flow",
    "Lane",
    "Method",
    "NetworkCheckReport",
    "NetworkCost",
    "NetworkInstance",
    "NetworkPlan",
    "NetworkPolicy",
    "NetworkSolveSummary",
    "NetworkSupplier",
    "Outbound",
    "PlanCheckError",
    "Product",
    "Purchase",
    "Shortage",
    "Size",
    "SolveStatus",
    "SolverOptions",
    "Transport",
    "check_plan",
    "evaluate_network",
    "generate_network",
    "plan_frames",
    "solve",
    "why_not_facility_problem",
]
