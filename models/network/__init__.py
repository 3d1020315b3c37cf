"""Network design: which DCs to open, how big, and who serves whom (supplier -> DC -> customer).

Public API::

    from models.network import NetworkInstance, solve, check_plan, generate_network
    from models.solver import SolverOptions, SolveStatus
"""

from models.network.data import (
    Customer,
    Demand,
    Distance,
    Facility,
    FacilityStatus,
    Lane,
    NetworkInstance,
    NetworkPolicy,
    NetworkSupplier,
    Product,
    Size,
    Transport,
)
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
from models.network.solve import PlanCheckError, solve
from models.solver import SolverOptions, SolveStatus

__all__ = [
    "Customer", "CustomerService", "Demand", "Distance", "Echelon", "Facility", "FacilityStatus",
    "FacilityUse", "Flow", "Lane", "Method", "NetworkCost", "NetworkInstance", "NetworkPlan",
    "NetworkPolicy", "NetworkSolveSummary", "NetworkSupplier", "PlanCheckError", "Product",
    "Purchase", "Shortage", "Size", "SolveStatus", "SolverOptions", "Transport", "solve",
]
