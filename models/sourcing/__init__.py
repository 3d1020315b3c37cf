"""Supplier selection and order splitting.

Public API::

    from models.sourcing import SourcingInstance, solve, check_plan, generate_instance
    from models.solver import SolverOptions, SolveStatus
"""

from models.solver import SolverOptions, SolveStatus
from models.sourcing.checker import CheckReport, Violation, check_plan, evaluate
from models.sourcing.data import (
    Disruption,
    Offer,
    Policy,
    PriceBreak,
    Product,
    ProductPolicy,
    RiskPolicy,
    Scenario,
    SourcingInstance,
    Supplier,
)
from models.sourcing.generator import generate_instance
from models.sourcing.plan import SourcingPlan
from models.sourcing.solve import PlanCheckError, solve

__all__ = [
    "CheckReport",
    "Disruption",
    "Offer",
    "PlanCheckError",
    "Policy",
    "PriceBreak",
    "Product",
    "ProductPolicy",
    "RiskPolicy",
    "Scenario",
    "SolveStatus",
    "SolverOptions",
    "SourcingInstance",
    "SourcingPlan",
    "Supplier",
    "Violation",
    "check_plan",
    "evaluate",
    "generate_instance",
    "solve",
]
