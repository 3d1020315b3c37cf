"""The integrated plan: suppliers, DCs and flows (the network model), then the representative
day's routes from every open DC (the routing engines), with one cost chain and an independent
checker over the whole plan.

Public API::

    from models.integrated import IntegratedInstance, IntegratedOptions, solve, check_plan
"""

from models.integrated.checker import PlanReport, check_plan
from models.integrated.data import (
    DeliveryProfile,
    IntegratedInstance,
    Order,
    ScenarioChange,
)
from models.integrated.day import DayError
from models.integrated.plan import (
    CostChain,
    CustomerCost,
    DayRoutes,
    DayStop,
    FacilityDay,
    IntegratedPlan,
    PlanSummary,
    RouteLine,
)
from models.integrated.plan_frames import CHAIN, plan_frames
from models.integrated.scenarios import ScenarioError, ScenarioProblem, apply_scenario
from models.integrated.solve import IntegratedOptions, PlanCheckError, solve
from models.integrated.tables import INTEGRATED_TABLES

__all__ = [
    "CHAIN",
    "INTEGRATED_TABLES",
    "CostChain",
    "CustomerCost",
    "DayError",
    "DayRoutes",
    "DayStop",
    "DeliveryProfile",
    "FacilityDay",
    "IntegratedInstance",
    "IntegratedOptions",
    "IntegratedPlan",
    "Order",
    "PlanCheckError",
    "PlanReport",
    "PlanSummary",
    "RouteLine",
    "ScenarioChange",
    "ScenarioError",
    "ScenarioProblem",
    "apply_scenario",
    "check_plan",
    "plan_frames",
    "solve",
]
