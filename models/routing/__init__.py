"""Vehicle routing: instances, plans, the OR-Tools model and an independent checker.

Public API::

    from models.routing import RoutingInstance, solve, check_plan, assemble_plan
"""

from models.checking import Violation
from models.routing.checker import CheckReport, check_plan
from models.routing.data import (
    Break,
    Depot,
    DistanceSpec,
    MatrixData,
    Objective,
    RoutingInstance,
    Shipment,
    Stop,
    TimeWindow,
    VehicleType,
)
from models.routing.plan import (
    BreakTaken,
    Route,
    RoutePlan,
    RoutingSummary,
    Unserved,
    Visit,
    assemble_plan,
)

__all__ = [
    "Break",
    "BreakTaken",
    "CheckReport",
    "Depot",
    "DistanceSpec",
    "MatrixData",
    "Objective",
    "Route",
    "RoutePlan",
    "RoutingInstance",
    "RoutingSummary",
    "Shipment",
    "Stop",
    "TimeWindow",
    "Unserved",
    "VehicleType",
    "Violation",
    "Visit",
    "assemble_plan",
    "check_plan",
]
