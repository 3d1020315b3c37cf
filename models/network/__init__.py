"""Network design: which DCs to open, how big, and who serves whom (supplier -> DC -> customer).

Public API::

    from models.network import NetworkInstance, solve, check_plan, generate_network
    # outbound as routes: the location-routing engine and the network's mapping to it
    from models.network import (LocationRoutingProblem, solve_location_routing,
                                location_routing_problem, solve_routes)
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
from models.network.lrp import (
    Allocation,
    Allocator,
    LocationRoutingProblem,
    LRPResult,
    LRPRoute,
    LRPVehicle,
    solve_location_routing,
    solve_sequential,
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
    Route,
    Shortage,
)
from models.network.plan_frames import plan_frames
from models.network.routes_mode import RoutesMapping, location_routing_problem, solve_routes
from models.network.solve import PlanCheckError, solve
from models.network.structure import why_not_facility_problem
from models.network.tables import NETWORK_TABLES
from models.solver import SolverOptions, SolveStatus

__all__ = [
    "COST_LINES",
    "NETWORK_TABLES",
    "Allocation",
    "Allocator",
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
    "LRPResult",
    "LRPRoute",
    "LRPVehicle",
    "Lane",
    "LocationRoutingProblem",
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
    "Route",
    "RoutesMapping",
    "Shortage",
    "Size",
    "SolveStatus",
    "SolverOptions",
    "Transport",
    "check_plan",
    "evaluate_network",
    "generate_network",
    "location_routing_problem",
    "plan_frames",
    "solve",
    "solve_location_routing",
    "solve_routes",
    "solve_sequential",
    "why_not_facility_problem",
]
