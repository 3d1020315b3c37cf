"""Vehicle routing: instances, plans, two engines (OR-Tools, PyVRP) and an independent checker.

Public API::

    from models.routing import RoutingInstance, RoutingOptions, solve, check_plan

The building blocks of a portfolio of searches (``search``, ``finish_plan``, ``plan_key``,
``impossible_stops``) are public too, for callers that run several searches at once.
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
from models.routing.distances import matrices, node_ids
from models.routing.explain import impossible_stops, unserved_reasons
from models.routing.generator import generate_day
from models.routing.ortools_engine import FIRST_SOLUTION, METAHEURISTIC, Found
from models.routing.plan import (
    BreakTaken,
    Route,
    RoutePlan,
    RoutingSummary,
    Sequenceable,
    Unserved,
    Visit,
    assemble_plan,
)
from models.routing.plan_frames import clock, is_metric, time_text, window_text
from models.routing.pyvrp_engine import unsupported as pyvrp_unsupported
from models.routing.solve import (
    MAX_SEED,
    Engine,
    PlanCheckError,
    RoutingOptions,
    SearchProcessError,
    engine_for,
    fallback_engine,
    finish_plan,
    fleet_shortfall_plan,
    plan_key,
    search,
    solve,
    unsolved_plan,
)
from models.routing.tables import MATRIX_FILES, ROUTING_TABLES
from models.search_processes import warm_up_searches

__all__ = [
    "FIRST_SOLUTION",
    "MATRIX_FILES",
    "MAX_SEED",
    "METAHEURISTIC",
    "ROUTING_TABLES",
    "Break",
    "BreakTaken",
    "CheckReport",
    "Depot",
    "DistanceSpec",
    "Engine",
    "Found",
    "MatrixData",
    "Objective",
    "PlanCheckError",
    "Route",
    "RoutePlan",
    "RoutingInstance",
    "RoutingOptions",
    "RoutingSummary",
    "SearchProcessError",
    "Sequenceable",
    "Shipment",
    "Stop",
    "TimeWindow",
    "Unserved",
    "VehicleType",
    "Violation",
    "Visit",
    "assemble_plan",
    "check_plan",
    "clock",
    "engine_for",
    "fallback_engine",
    "finish_plan",
    "fleet_shortfall_plan",
    "generate_day",
    "impossible_stops",
    "is_metric",
    "matrices",
    "node_ids",
    "plan_key",
    "pyvrp_unsupported",
    "search",
    "solve",
    "time_text",
    "unserved_reasons",
    "unsolved_plan",
    "warm_up_searches",
    "window_text",
]
