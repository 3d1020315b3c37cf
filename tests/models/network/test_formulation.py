"""The network MILP against brute force over every DC choice on tiny instances, and against the
sourcing model where the network reduces to it."""

from __future__ import annotations

import importlib
import itertools
import random

import numpy as np
import pulp
import pytest

from models.network.data import NetworkInstance
from models.network.lanes import lane_costs
from models.network.solve import _solve_milp
from models.solver import SolverOptions, SolveStatus
from models.sourcing import solve as solve_sourcing

OPTIONS = SolverOptions(seed=1)


def _tiny(seed: int, single: bool = False, rules: bool = True) -> dict:
    """3 DCs (one with two sizes, one existing with a closing cost), 4 customers, 2 products,
    no suppliers; optional shortages, lane caps, a service level and a budget."""
    rng = random.Random(seed)
    facilities = [
        {"id": "F1", "x": 0, "y": 0, "capacity": rng.choice([60, 90]),
         "fixed_cost": rng.randint(50, 150), "handling_cost": rng.choice([0, 0.5])},
        {"id": "F2", "x": 10, "y": 0},
        {"id": "F3", "x": 5, "y": 8, "status": "existing", "capacity": 80,
         "fixed_cost": rng.randint(40, 120), "closing_cost": rng.choice([0, 30])},
    ]
    sizes = [{"facility": "F2", "size": "S", "capacity": 40, "fixed_cost": rng.randint(20, 60)},
             {"facility": "F2", "size": "L", "capacity": 120,
              "fixed_cost": rng.randint(70, 140)}]
    customers = [{"id": f"C{j}", "x": rng.uniform(-2, 12), "y": rng.uniform(-2, 10)}
                 for j in range(4)]
    demand = []
    for j in range(4):
        for p in ("A", "B"):
            row = {"customer": f"C{j}", "product": p, "quantity": rng.randint(0, 25)}
            if rules and not single and rng.random() < 0.3:
                row["shortage_penalty"] = rng.choice([1.0, 20.0])
            demand.append(row)
    data = {
        "products": [{"id": "A", "unit_weight": 2.0}, {"id": "B", "unit_weight": 1.0}],
        "facilities": facilities, "sizes": sizes, "customers": customers, "demand": demand,
        "transport": {"outbound_per_unit": 0.2, "outbound_per_unit_km": 0.3},
        "network_policy": {"single_sourcing": single},
    }
    if rules and not single:
        data["lanes"] = [{"origin": "F1", "destination": "C0", "max_volume": 10},
                         {"origin": "F3", "destination": "C1", "product": "B",
                          "forbidden": True}]
        data["network_policy"].update({"service_level_share": 0.5, "service_level_km": 7})
    if rng.random() < 0.5:
        data["facilities"][0]["capacity_unit"] = "weight"
        data["facilities"][0]["capacity"] = 150
    return data


def _brute_force(data: dict) -> float | None:
    """Cheapest plan over every choice of open DCs and sizes, each solved as a small LP (or
    assignment enumeration under single sourcing) written here from the format doc."""
    inst = NetworkInstance.model_validate(data)
    options = {f.id: [None, *list(inst.size_options(f.id))] for f in inst.facilities}
    best = None
    for choice in itertools.product(*options.values()):
        opened = {f: o for f, o in zip(options, choice, strict=True) if o is not None}
        if inst.facility_by_id["F3"].status == "must_open" and "F3" not in opened:
            continue
        value = _evaluate(inst, opened)
        if value is not None and (best is None or value < best - 1e-9):
            best = value
    return best


def _cost(inst: NetworkInstance, f: str, c: str, p: str) -> float | None:
    return inst.lane_cost(f, c, p)


def _evaluate(inst: NetworkInstance, opened: dict) -> float | None:
    fixed = sum(o.fixed_cost for o in opened.values())
    closing = sum(f.closing_cost for f in inst.facilities
                  if f.status == "existing" and f.id not in opened)
    policy = inst.network_policy
    if len(opened) < policy.min_open or (policy.max_open is not None
                                         and len(opened) > policy.max_open):
        return None
    demand = [d for d in inst.demand if d.quantity > 0]
    if policy.single_sourcing:
        customers = sorted({d.customer for d in demand})
        best = None
        for assignment in itertools.product([*opened, None], repeat=len(customers)):
            value = _assigned(inst, opened, dict(zip(customers, assignment, strict=True)),
                              demand, fixed + closing)
            if value is not None and (best is None or value < best):
                best = value
        return best
    lp = pulp.LpProblem("brute", pulp.LpMinimize)
    x, terms, near = {}, [], []
    for n, d in enumerate(demand):
        served = []
        for f in opened:
            cost = _cost(inst, f, d.customer, d.product)
            if cost is None:
                continue
            v = lp.add_variable(f"x{n}_{f}", lowBound=0)
            x[(f, d.customer, d.product)] = v
            terms.append((cost + inst.facility_by_id[f].handling_cost) * v)
            served.append(v)
            km = inst.distance(f, d.customer)
            if policy.service_level_km is not None and km <= policy.service_level_km:
                near.append(v)
        if d.shortage_penalty is not None:
            s = lp.add_variable(f"s{n}", lowBound=0, upBound=d.quantity)
            terms.append(d.shortage_penalty * s)
            served.append(s)
        if not served:
            return None
        lp += pulp.lpSum(served) == d.quantity
    for f, option in opened.items():
        fac = inst.facility_by_id[f]
        if option.capacity is None:
            continue
        weight = {p.id: 1.0 if fac.capacity_unit == "units" else p.unit_weight
                  for p in inst.products}
        lp += pulp.lpSum(weight[p] * v for (g, _c, p), v in x.items() if g == f) <= \
            option.capacity
    for lane in inst.lanes:
        if lane.max_volume is not None:
            lp += pulp.lpSum(v for (f, c, p), v in x.items() if f == lane.origin
                             and c == lane.destination and lane.product in (None, p)) <= \
                lane.max_volume
    if policy.service_level_share is not None:
        total_demand = sum(d.quantity for d in demand)
        lp += pulp.lpSum(near) >= policy.service_level_share * total_demand
    if policy.budget is not None:  # the budget leaves shortage penalties out
        lp += fixed + closing + pulp.lpSum(
            (_cost(inst, f, c, p) + inst.facility_by_id[f].handling_cost) * v
            for (f, c, p), v in x.items()) <= policy.budget
    lp += pulp.lpSum(terms)
    lp.solve(pulp.HiGHS(msg=False))
    if pulp.LpStatus[lp.status] != "Optimal":
        return None
    return fixed + closing + pulp.value(lp.objective)


def _assigned(inst: NetworkInstance, opened: dict, assignment: dict, demand: list,
              base: float) -> float | None:
    """Single sourcing with a fixed assignment (None = unserved): an LP over the units each
    customer's DC leaves short (only demand with a penalty may be short)."""
    lp = pulp.LpProblem("assigned", pulp.LpMinimize)
    terms, load, spend = [], {f: [] for f in opened}, []
    for n, d in enumerate(demand):
        f = assignment[d.customer]
        cost = None if f is None else _cost(inst, f, d.customer, d.product)
        if cost is None:
            if d.shortage_penalty is None:
                return None
            terms.append(d.shortage_penalty * d.quantity)
            continue
        handling = inst.facility_by_id[f].handling_cost
        if d.shortage_penalty is None:
            moved = d.quantity
        else:
            z = lp.add_variable(f"z{n}", lowBound=0, upBound=d.quantity)
            terms.append(d.shortage_penalty * z)
            moved = d.quantity - z
        terms.append((cost + handling) * moved)
        spend.append((cost + handling) * moved)
        fac = inst.facility_by_id[f]
        w = 1.0 if fac.capacity_unit == "units" else inst.product_by_id[d.product].unit_weight
        load[f].append(w * moved)
    rows = [pulp.lpSum(load[f]) - option.capacity for f, option in opened.items()
            if option.capacity is not None and load[f]]
    if inst.network_policy.budget is not None:
        rows.append(pulp.lpSum(spend) + base - inst.network_policy.budget)
    for row in rows:
        if isinstance(row, pulp.LpAffineExpression) and row.keys():
            lp += row <= 0
        elif pulp.value(row) > 1e-9:  # a row with nothing left to decide
            return None
    if not any(isinstance(t, pulp.LpAffineExpression) and t.keys() for t in terms):
        return base + float(pulp.value(pulp.lpSum(terms)))
    lp += pulp.lpSum(terms)
    lp.solve(pulp.HiGHS(msg=False))
    if pulp.LpStatus[lp.status] != "Optimal":
        return None
    return base + pulp.value(lp.objective)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("single", [False, True])
def test_milp_equals_brute_force_over_every_dc_choice(seed: int, single: bool) -> None:
    data = _tiny(seed, single=single)
    expected = _brute_force(data)
    plan = _solve_milp(NetworkInstance.model_validate(data), OPTIONS)
    if expected is None:
        assert plan.solve.status == SolveStatus.INFEASIBLE
        return
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert plan.cost.total == pytest.approx(expected, rel=1e-6, abs=1e-6)
    assert plan.solve.objective == pytest.approx(plan.cost.total, rel=1e-7, abs=1e-6)


@pytest.mark.parametrize("seed", range(8))
def test_single_sourcing_with_shortage_open_counts_and_budget_equals_brute_force(
        seed: int) -> None:
    rng = random.Random(100 + seed)
    data = _tiny(seed, single=True)
    data["customers"] = data["customers"][:3]
    data["demand"] = [d for d in data["demand"] if d["customer"] != "C3"]
    for d in data["demand"]:
        if rng.random() < 0.5:
            d["shortage_penalty"] = rng.choice([2.0, 6.0, 40.0])
    data["network_policy"].update({"min_open": rng.choice([0, 1, 2]),
                                   "max_open": rng.choice([None, 2])})
    if rng.random() < 0.5:
        data["network_policy"]["budget"] = rng.choice([150, 250, 400])
    if rng.random() < 0.5:
        data["facilities"][2]["status"] = "must_open"
        data["facilities"][2].pop("closing_cost")
    expected = _brute_force(data)
    plan = _solve_milp(NetworkInstance.model_validate(data), OPTIONS)
    if expected is None:
        assert plan.solve.status == SolveStatus.INFEASIBLE
        return
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert plan.cost.total == pytest.approx(expected, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("seed", range(8))
def test_multi_sourcing_with_open_counts_and_budget_equals_brute_force(seed: int) -> None:
    rng = random.Random(200 + seed)
    data = _tiny(seed + 50)
    low = rng.choice([0, 2])
    data["network_policy"].update({"min_open": low,
                                   "max_open": rng.choice([None, max(low, 1), 2]),
                                   "budget": rng.choice([None, 200, 320])})
    expected = _brute_force(data)
    plan = _solve_milp(NetworkInstance.model_validate(data), OPTIONS)
    if expected is None:
        assert plan.solve.status == SolveStatus.INFEASIBLE
        return
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert plan.cost.total == pytest.approx(expected, rel=1e-6, abs=1e-6)


def _starter_with_suppliers() -> dict:
    return {
        "products": [{"id": "A", "unit_weight": 2}, {"id": "B", "unit_weight": 1}],
        "facilities": [{"id": "DC", "x": 0, "y": 0, "status": "must_open"}],
        "customers": [{"id": "C", "x": 0, "y": 0}],
        "demand": [{"customer": "C", "product": "A", "quantity": 120},
                   {"customer": "C", "product": "B", "quantity": 75, "shortage_penalty": 9}],
        "suppliers": [{"id": "S1", "region": "EU", "x": 0, "y": 0, "onboarding_cost": 40},
                      {"id": "S2", "region": "EU", "x": 0, "y": 0, "capacity": 100},
                      {"id": "S3", "region": "AS", "x": 0, "y": 0, "onboarding_cost": 150}],
        "offers": [{"supplier": "S1", "product": "A", "unit_price": 5, "moq": 30},
                   {"supplier": "S2", "product": "A", "unit_price": 4.6},
                   {"supplier": "S3", "product": "A", "unit_price": 3.9},
                   {"supplier": "S1", "product": "B", "unit_price": 8},
                   {"supplier": "S3", "product": "B", "unit_price": 7.5, "defect_rate": 0.05}],
        "price_breaks": [{"supplier": "S1", "product": "A", "min_quantity": 60,
                          "unit_price": 4.2}],
        "policy": {"max_supplier_share": 0.7, "max_region_share": 0.8, "max_defect_rate": 0.03},
    }


def test_one_dc_one_customer_network_is_the_sourcing_model() -> None:
    """With one free DC next to one customer and free transport, the network optimum is the
    sourcing optimum of the same tables (demand = the customer's demand)."""
    data = _starter_with_suppliers()
    network = _solve_milp(NetworkInstance.model_validate(data), OPTIONS)
    sourcing_data = {
        "products": [{"id": "A", "demand": 120, "unit_weight": 2},
                     {"id": "B", "demand": 75, "unit_weight": 1, "shortage_penalty": 9}],
        **{k: data[k] for k in ("suppliers", "offers", "price_breaks", "policy")},
    }
    for s in sourcing_data["suppliers"]:
        s.pop("x"), s.pop("y")
    from models.sourcing import SourcingInstance

    sourcing = solve_sourcing(SourcingInstance.model_validate(sourcing_data), OPTIONS)
    assert network.solve.status == sourcing.solve.status == SolveStatus.OPTIMAL
    assert network.cost.total == pytest.approx(sourcing.cost.total, rel=1e-9)
    assert network.cost.purchase == pytest.approx(sourcing.cost.purchase, rel=1e-9)
    assert network.cost.shortage == pytest.approx(sourcing.cost.shortage_penalty, rel=1e-9)
    bought = {(a.supplier, a.product): a.quantity for a in sourcing.allocations}
    assert {(p.supplier, p.product): p.quantity for p in network.purchases} == pytest.approx(
        bought)


def test_two_dcs_split_the_purchase_and_the_sourcing_rules_hold_on_the_total() -> None:
    """Two customers far apart, a DC next to each: the share cap applies to each product's
    total purchase, whichever DC the units go to."""
    data = _starter_with_suppliers()
    data["facilities"] = [{"id": "D1", "x": 0, "y": 0, "fixed_cost": 10},
                          {"id": "D2", "x": 100, "y": 0, "fixed_cost": 10}]
    data["customers"] = [{"id": "C", "x": 0, "y": 0}, {"id": "E", "x": 100, "y": 0}]
    data["demand"] = [{"customer": "C", "product": "A", "quantity": 60},
                      {"customer": "E", "product": "A", "quantity": 60}]
    data["transport"] = {"outbound_per_unit_km": 1.0}
    plan = _solve_milp(NetworkInstance.model_validate(data), OPTIONS)
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert set(plan.open_facilities) == {"D1", "D2"}
    total = sum(p.quantity for p in plan.purchases)
    assert total == pytest.approx(120)
    assert max(p.quantity for p in plan.purchases) <= 0.7 * 120 + 1e-6
    assert plan.cost.outbound == pytest.approx(0.0)


@pytest.mark.parametrize("seed", range(4))
def test_vectorised_lane_costs_equal_the_instance_rule(seed: int) -> None:
    data = _tiny(seed)
    data["lanes"] = [
        *data.get("lanes", []),
        {"origin": "F2", "destination": "C2", "cost_per_unit": 0.75},
        {"origin": "F2", "destination": "C2", "product": "A", "cost_per_unit": 1.5},
        {"origin": "F1", "destination": "C3", "product": "B", "forbidden": True}]
    data["distances"] = [{"origin": "C1", "destination": "F1", "km": 3.25}]
    data["network_policy"]["max_service_km"] = 9
    inst = NetworkInstance.model_validate(data)
    costs = lane_costs(inst, "outbound")
    for i, f in enumerate(costs.origins):
        for j, c in enumerate(costs.destinations):
            for k, p in enumerate(costs.products):
                expected = inst.lane_cost(f, c, p)
                got = costs.cost[i, j, k]
                if expected is None:
                    assert np.isnan(got), (f, c, p)
                else:
                    assert got == pytest.approx(expected, rel=1e-12), (f, c, p)
    assert costs.km[0, 1] == 3.25


def test_customer_out_of_reach_is_infeasible_before_solving() -> None:
    data = _tiny(0, rules=False)
    data["network_policy"]["max_service_km"] = 0.5
    plan = _solve_milp(NetworkInstance.model_validate(data), OPTIONS)
    assert plan.solve.status == SolveStatus.INFEASIBLE
    assert any("no DC may serve" in r for r in plan.infeasibility)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("single", [False, True])
def test_lp_guided_path_reaches_the_brute_force_optimum(
        seed: int, single: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The path for large models (LP bound, LP-guided restricted MIP, full MIP warm-started)
    forced on tiny ones: same optimum, proven."""
    network_solve = importlib.import_module("models.network.solve")  # the package's solve()
    monkeypatch.setattr(network_solve, "MIN_INTEGER_VARIABLES", 0)
    data = _tiny(seed + 20, single=single)
    expected = _brute_force(data)
    plan = network_solve._solve_milp(NetworkInstance.model_validate(data), OPTIONS)
    if expected is None:
        assert plan.solve.status == SolveStatus.INFEASIBLE
        return
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert plan.cost.total == pytest.approx(expected, rel=1e-6, abs=1e-6)
    assert plan.solve.best_bound <= plan.cost.total + 1e-6


def test_infeasible_network_names_each_rule_whose_removal_alone_gives_a_plan() -> None:
    """max_open 1 with a single DC too small for the demand: dropping max_open helps (proven by
    a plan), dropping the lane cap does not matter (not named)."""
    data = _tiny(3, rules=False)
    data["network_policy"]["max_open"] = 1
    data["lanes"] = [{"origin": "F1", "destination": "C0", "max_volume": 1000}]
    for f in data["facilities"]:
        f.pop("capacity_unit", None)
    data["facilities"][0]["capacity"] = 30
    data["facilities"][2]["capacity"] = 30
    data["sizes"][1]["capacity"] = 30
    plan = _solve_milp(NetworkInstance.model_validate(data), OPTIONS)
    assert plan.solve.status == SolveStatus.INFEASIBLE
    reasons = " | ".join(plan.infeasibility)
    assert "dropping at most 1 open DCs (network_policy.max_open) alone makes a plan" in reasons
    assert "lane volume" not in reasons
