"""Why a network has no plan: which single rule, dropped, makes a plan possible.

Each statement is proven: the instance without that one rule was solved and has a plan (a
plan that the network MILP found; the rule's removal is the only change). Rules tried: the
network policy's rules one by one, the sourcing rules as a group, lane volume caps as a group
and the DC statuses (must_open / must_close) as a group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models.network.data import FacilityStatus, NetworkInstance
from models.solver import SolverOptions

#: Models with more integer variables than this are not re-solved (one solve per rule).
MAX_INTEGER_VARIABLES = 3000
#: Seconds per re-solve.
TIME_PER_RULE = 10.0


def _without(inst: NetworkInstance, change: Callable[[dict[str, Any]], None]
             ) -> NetworkInstance | None:
    data = inst.model_dump()
    change(data)
    try:
        return NetworkInstance.model_validate(data)
    except ValueError:
        return None


def _policy(field: str, off: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["network_policy"][field] = off
        if field == "service_level_share":
            data["network_policy"]["service_level_km"] = None
    return change


def _no_sourcing_rules(data: dict[str, Any]) -> None:
    keep = {k: data["policy"][k] for k in ("whole_units", "currency") if k in data["policy"]}
    data["policy"] = keep
    data["product_policies"] = []


def _no_lane_caps(data: dict[str, Any]) -> None:
    for lane in data["lanes"]:
        lane["max_volume"] = None


def _no_forced_status(data: dict[str, Any]) -> None:
    for facility in data["facilities"]:
        if facility["status"] in (FacilityStatus.MUST_OPEN, FacilityStatus.MUST_CLOSE):
            facility["status"] = FacilityStatus.CANDIDATE


def relaxations(inst: NetworkInstance) -> list[tuple[str, Callable[[dict[str, Any]], None]]]:
    """The rules of ``inst`` that can be dropped one at a time, with how to drop each."""
    policy = inst.network_policy
    out: list[tuple[str, Callable[[dict[str, Any]], None]]] = []
    if policy.min_open > 0:
        out.append((f"at least {policy.min_open} open DCs (network_policy.min_open)",
                    _policy("min_open", 0)))
    if policy.max_open is not None:
        out.append((f"at most {policy.max_open} open DCs (network_policy.max_open)",
                    _policy("max_open", None)))
    if policy.single_sourcing:
        out.append(("single sourcing (network_policy.single_sourcing)",
                    _policy("single_sourcing", False)))
    if policy.max_service_km is not None:
        out.append((f"the {policy.max_service_km:g} km service distance "
                    f"(network_policy.max_service_km)", _policy("max_service_km", None)))
    if policy.service_level_share is not None:
        out.append((f"the service level ({policy.service_level_share:.0%} of demand within "
                    f"{policy.service_level_km:g} km)", _policy("service_level_share", None)))
    if policy.budget is not None:
        out.append((f"the network budget {policy.budget:,.2f} (network_policy.budget)",
                    _policy("budget", None)))
    rules = inst.policy.model_dump(exclude={"whole_units", "currency"})
    if inst.suppliers and (any(v not in (None, (), []) for v in rules.values())
                           or inst.product_policies):
        out.append(("the sourcing rules (policy and product_policies)", _no_sourcing_rules))
    if any(n.max_volume is not None for n in inst.lanes):
        out.append(("the lane volume caps (lanes.max_volume)", _no_lane_caps))
    if any(f.status in (FacilityStatus.MUST_OPEN, FacilityStatus.MUST_CLOSE)
           for f in inst.facilities):
        out.append(("the must_open / must_close DC statuses", _no_forced_status))
    return out


def explain_no_plan(inst: NetworkInstance, options: SolverOptions,
                    solve_milp: Callable[[NetworkInstance, SolverOptions], Any],
                    priced: bool = True) -> list[str]:
    """Proven statements ``"dropping X alone makes a plan possible"``; one sentence saying that
    no single rule is enough when none is; nothing when the instance is too large to try.
    ``priced``: say what the plan found costs (``solve_milp`` returns plans with a cost);
    outbound as routes only decides whether an allocation exists, so says nothing of cost."""
    found = []
    tried = undecided = 0
    limited = SolverOptions(solver=options.solver, time_limit=TIME_PER_RULE, gap=0.5,
                            threads=options.threads, seed=options.seed)
    for label, change in relaxations(inst):
        relaxed = _without(inst, change)
        if relaxed is None:
            continue
        plan = solve_milp(relaxed, limited)
        if plan.solve.status.has_solution:
            found.append(f"dropping {label} alone makes a plan possible" + (
                f" (one costs {plan.cost.total:,.2f})" if priced else ""))
        elif plan.solve.status.value == "infeasible":
            tried += 1
        else:
            undecided += 1
    if not found and tried and not undecided:
        found.append(f"no single rule among the {tried} tried (each dropped alone) makes a "
                     f"plan possible: several rules conflict, or the demand exceeds what the "
                     f"DCs and suppliers can carry")
    return found
