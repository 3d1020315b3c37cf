"""Supplier selection and order splitting.

Public API::

    from models.sourcing import SourcingInstance, solve, check_plan, generate_instance
    from models.sourcing import marginal_values, explain_infeasibility, solve_point, Measure
    from models.solver import SolverOptions, SolveStatus
"""

from models.checking import Violation
from models.solver import SolverOptions, SolveStatus
from models.sourcing.checker import CheckReport, check_plan, evaluate, priced_allocations
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
from models.sourcing.explain import explain_infeasibility
from models.sourcing.frontier import (
    FrontierPoint,
    Measure,
    cap_met,
    epsilon_grid,
    least_measure,
    mark_dominated,
    measure_of,
    point_cost,
    solve_point,
    with_cvar_limit,
)
from models.sourcing.generator import generate_instance
from models.sourcing.marginals import MarginalValue, MarginalValues, marginal_values
from models.sourcing.plan import Explanation, Relaxation, RiskKpis, SourcingPlan
from models.sourcing.solve import PlanCheckError, solve
from models.sourcing.tables import SOURCING_TABLES

__all__ = [
    "SOURCING_TABLES",
    "CheckReport",
    "Disruption",
    "Explanation",
    "FrontierPoint",
    "MarginalValue",
    "MarginalValues",
    "Measure",
    "Offer",
    "PlanCheckError",
    "Policy",
    "PriceBreak",
    "Product",
    "ProductPolicy",
    "Relaxation",
    "RiskKpis",
    "RiskPolicy",
    "Scenario",
    "SolveStatus",
    "SolverOptions",
    "SourcingInstance",
    "SourcingPlan",
    "Supplier",
    "Violation",
    "cap_met",
    "check_plan",
    "epsilon_grid",
    "evaluate",
    "explain_infeasibility",
    "generate_instance",
    "least_measure",
    "marginal_values",
    "mark_dominated",
    "measure_of",
    "point_cost",
    "priced_allocations",
    "solve",
    "solve_point",
    "with_cvar_limit",
]
