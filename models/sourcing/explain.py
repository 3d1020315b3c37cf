"""Why a rule set cannot be met: an elastic re-solve, read back by the independent checker.

Every business rule of the elastic model (demand, offer and supplier capacity, supplier and
region share caps, minimum supplier counts, quality blends, budgets, must-use suppliers) gets a
penalised slack, and offers over the lead-time limit may be used at a penalty. The model
minimises the total weighted *relative* violation (a slack divided by the rule's own scale:
demand for demand, share and quality rules, the capacity or budget for capacity and budget
rules, one supplier for counts and must-use rules; weights 2 for demand, 1.5 for capacities, 1
for policy rules, so a policy rule bends before a supplier is asked for more and demand is
dropped last), with the cost as a tie-breaker. The rules the resulting
plan breaks, and by how much, are then listed by :func:`models.sourcing.checker.evaluate`, so the
explanation is what the checker sees, not what the slacks say. MOQs, exclusions and whole units
stay hard.
"""

from __future__ import annotations

from collections.abc import Sequence

from models.solver import SolverOptions, SolveStatus, run_pulp
from models.sourcing.checker import evaluate
from models.sourcing.data import SourcingInstance
from models.sourcing.formulation import bought_quantities, build_model
from models.sourcing.plan import Explanation, Relaxation

#: Business names of the checker's rule codes.
RULE_TITLES = {
    "demand": "demand cannot be met in full",
    "offer_capacity": "an offer's capacity is too small",
    "supplier_capacity": "a supplier's capacity is too small",
    "supplier_share": "the supplier share cap is too tight",
    "region_share": "the region share cap is too tight",
    "min_suppliers": "too few suppliers can qualify",
    "defect_rate": "the defect-rate limit cannot be met",
    "on_time_rate": "the on-time-rate target cannot be met",
    "lead_time": "the lead-time limit rules out needed offers",
    "budget": "the budget is too small",
    "product_budget": "a product budget is too small",
    "must_use": "a must-use supplier cannot be used",
    "must_supply": "a must-supply supplier cannot supply",
}


def explain_infeasibility(
    instance: SourcingInstance,
    options: SolverOptions | None = None,
    pre_checks: Sequence[str] = (),
) -> Explanation:
    """Explain why ``instance`` has no plan: solve the elastic model and list, via the checker,
    each rule its plan breaks (rule, subject, amount, sentence)."""
    options = options or SolverOptions()
    model = build_model(instance, lazy_counts=False, mode="elastic")
    info = run_pulp(model.problem, options)
    if not info.status.has_solution:
        return Explanation(
            pre_checks=tuple(pre_checks), elastic_status=info.status,
            note=f"the elastic model found no plan ({info.stop_reason}); only the "
                 f"pre-checks explain the infeasibility",
        )
    quantities = {key: qty for key, (qty, _price) in bought_quantities(model).items()}
    report = evaluate(instance, quantities)
    relaxations = tuple(
        Relaxation(rule=v.rule, title=RULE_TITLES.get(v.rule, v.rule), subject=v.subject,
                   message=v.message, amount=round(v.amount, 6))
        for v in report.violations
    )
    note = ("the least total relative violation (each slack divided by the rule's scale), "
            "cheapest among such plans")
    if info.status != SolveStatus.OPTIMAL:
        note += f"; the elastic solve stopped early ({info.stop_reason}), so a smaller " \
                f"relaxation may exist"
    return Explanation(pre_checks=tuple(pre_checks), relaxations=relaxations,
                       elastic_status=info.status, note=note)

