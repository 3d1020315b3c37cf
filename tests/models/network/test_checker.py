"""The independent network checker: it accepts hand-made correct plans with their exact cost,
and catches each kind of corrupted plan with the rule code of docs/network-format.md."""

from __future__ import annotations

import math
from typing import Any

import pytest

from models.network.checker import check_plan, evaluate_network
from models.network.data import NetworkInstance
from models.network.plan import (
    CustomerService,
    Echelon,
    FacilityUse,
    Flow,
    NetworkCost,
    NetworkPlan,
)
from models.solver import SolveStatus
from tests.models.network.tiny import (
    FLP_DATA,
    FLP_PLAN,
    FLP_TOTAL,
    SUPPLY_DATA,
    SUPPLY_PLAN,
    SUPPLY_TOTAL,
    flp,
    solve_summary,
    supply,
)

# ---- helpers -----------------------------------------------------------------------------------


def _variant(data: dict[str, Any], **tables: Any) -> NetworkInstance:
    """The instance with some tables replaced (``network_policy``, ``lanes``, ...)."""
    return NetworkInstance.model_validate({**data, **tables})


def _rows(plan: NetworkPlan, table: str, match: dict[str, Any], /, **update: Any
          ) -> NetworkPlan:
    """The plan with the rows of ``table`` matching ``match`` updated (exactly one must)."""
    rows = list(getattr(plan, table))
    hits = [i for i, r in enumerate(rows) if all(getattr(r, k) == v for k, v in match.items())]
    assert len(hits) == 1, (table, match)
    rows[hits[0]] = rows[hits[0]].model_copy(update=update)
    return plan.model_copy(update={table: tuple(rows)})


def _flow(plan: NetworkPlan, origin: str, destination: str, product: str, /, **update: Any
          ) -> NetworkPlan:
    """The plan with the flow origin -> destination of product updated."""
    return _rows(plan, "flows", {"origin": origin, "destination": destination,
                                 "product": product}, **update)


def _add_flow(plan: NetworkPlan, flow: Flow) -> NetworkPlan:
    return plan.model_copy(update={"flows": (*plan.flows, flow)})


def _out(origin: str, destination: str, product: str, quantity: float, unit_cost: float = 1.0
         ) -> Flow:
    return Flow(echelon=Echelon.OUTBOUND, origin=origin, destination=destination,
                product=product, quantity=quantity, unit_cost=unit_cost,
                cost=quantity * unit_cost, km=None)


def _violations(report, rule: str) -> list:
    return [v for v in report.violations if v.rule == rule]


def _only(report, rule: str, subject: str | None = None, amount: float | None = None) -> None:
    """``rule`` is reported (on ``subject``, by ``amount`` when given)."""
    hits = _violations(report, rule)
    assert hits, f"{rule} not reported: {report.violations}"
    if subject is not None:
        hits = [v for v in hits if v.subject == subject]
        assert hits, f"{rule} not reported on {subject}: {report.violations}"
    if amount is not None:
        assert any(v.amount == pytest.approx(amount) for v in hits), hits


# ---- correct plans -----------------------------------------------------------------------------


def test_flp_plan_is_accepted_with_its_paper_cost() -> None:
    report = check_plan(flp(), FLP_PLAN)
    assert report.ok, report.violations
    assert report.lines() == pytest.approx({
        "facility_fixed": 1400, "closing": 0, "handling": 50, "inbound": 0, "purchase": 0,
        "onboarding": 0, "outbound": 90, "shortage": 250, "total": FLP_TOTAL})
    assert report.cost_to_serve == pytest.approx({"C1": 1100, "C2": 690})
    assert report.throughput == {"D1": 40, "D2": 20, "D3": 0}
    assert report.open_sizes == {"D1": "standard", "D2": "small"}
    assert report.unmet == {("C2", "P"): 5}


def test_supply_plan_is_accepted_with_its_paper_cost() -> None:
    report = check_plan(supply(), SUPPLY_PLAN)
    assert report.ok, report.violations
    assert report.lines() == pytest.approx({
        "facility_fixed": 800, "closing": 0, "handling": 100, "inbound": 180, "purchase": 740,
        "onboarding": 150, "outbound": 80, "shortage": 0, "total": SUPPLY_TOTAL})
    assert report.cost_to_serve == pytest.approx({"C1": 1160, "C2": 740})
    # the doc's identity: sum of cost to serve + onboarding + closing = total
    assert sum(report.cost_to_serve.values()) + 150 == pytest.approx(SUPPLY_TOTAL)


def test_closing_an_existing_dc_costs_its_closing_cost() -> None:
    """D2 (existing, closing cost 300) closed, C2 served from D1 instead: on paper,
    D1 -> C2 is sqrt(10^2 + 5^2) km, so 1 + 0.1 x 11.1803 per unit."""
    km = math.hypot(10, 5)
    unit = 1 + 0.1 * km
    plan = FLP_PLAN
    for p, q in (("P", 15), ("Q", 5)):
        plan = _flow(plan, "D2", "C2", p, origin="D1", unit_cost=unit, cost=q * unit, km=km)
    report = evaluate_network(flp(), _rows(plan, "facilities", {"facility": "D2"}, open=False))
    assert report.ok, report.violations
    assert report.closing == 300
    assert report.facility_fixed == 1000
    assert report.handling == pytest.approx(60)  # 60 units through D1 at 1
    assert report.total == pytest.approx(1000 + 300 + 60 + 1.5 * 40 + unit * 20 + 250)


def test_no_solution_plans_must_be_empty() -> None:
    empty = NetworkPlan(instance="x", solve=solve_summary(None, SolveStatus.INFEASIBLE))
    assert check_plan(flp(), empty).ok
    no_solution = NetworkPlan(instance="x", solve=solve_summary(None, SolveStatus.NO_SOLUTION))
    assert check_plan(flp(), no_solution).ok
    _only(check_plan(flp(), empty.model_copy(update={"flows": FLP_PLAN.flows})), "solve")
    _only(check_plan(flp(), empty.model_copy(update={"cost": FLP_PLAN.cost})), "solve")
    claimed = empty.model_copy(update={"solve": solve_summary(
        FLP_TOTAL, SolveStatus.NO_SOLUTION, bound=FLP_TOTAL)})
    _only(check_plan(flp(), claimed), "solve")


def test_own_lane_costs_agree_with_the_instance_view() -> None:
    """The checker re-reads the lane rules from the raw tables; on every lane of instances with
    overrides, forbidden lanes and a service distance, it agrees with NetworkInstance.lane_cost
    (None there = closed)."""
    from models.network.checker import _Network

    lanes = [{"origin": "D1", "destination": "C1", "product": "P", "cost_per_unit": 7},
             {"origin": "D1", "destination": "C1", "cost_per_unit": 3},
             {"origin": "D2", "destination": "C2", "product": "Q", "forbidden": True},
             {"origin": "S1", "destination": "D2", "max_volume": 5}]
    for inst in (flp(), supply(), _variant(SUPPLY_DATA, lanes=lanes),
                 _variant(FLP_DATA, lanes=lanes[:3],
                          network_policy={"max_service_km": 9})):
        net = _Network(inst)
        for o in [*inst.suppliers, *inst.facilities]:
            outbound = o.id in net.facilities
            for d in inst.customers if outbound else inst.facilities:
                for p in inst.products:
                    cost, closed = net.lane(outbound, o.id, d.id, p.id)
                    if not outbound and (o.id, p.id) not in net.offered:
                        continue  # the instance view does not know offers
                    expected = inst.lane_cost(o.id, d.id, p.id)
                    if expected is None:
                        assert closed is not None, (o.id, d.id, p.id)
                    else:
                        assert closed is None and cost == pytest.approx(expected)


# ---- one corruption per rule code --------------------------------------------------------------


def test_unknown_place() -> None:
    report = check_plan(flp(), _flow(FLP_PLAN, "D1", "C1", "P", destination="C9"))
    _only(report, "unknown_place", "D1->C9/P", 30)
    report = evaluate_network(flp(), _add_flow(FLP_PLAN, Flow(
        echelon=Echelon.INBOUND, origin="S1", destination="D1", product="P", quantity=1,
        unit_cost=0, cost=0)))
    _only(report, "unknown_place", "S1->D1/P")  # no suppliers in this instance


def test_unknown_place_for_purchases_without_suppliers() -> None:
    supplied = SUPPLY_PLAN.purchases[:1]
    report = evaluate_network(flp(), FLP_PLAN.model_copy(update={"purchases": supplied}))
    _only(report, "unknown_place", "S1/P", 50)


def test_unknown_product() -> None:
    report = check_plan(flp(), _flow(FLP_PLAN, "D1", "C1", "Q", product="Z"))
    _only(report, "unknown_product", "D1->C1/Z", 10)


def test_bad_lane() -> None:
    reverse = _flow(FLP_PLAN, "D1", "C1", "P", origin="C1", destination="D1")
    _only(check_plan(flp(), reverse), "bad_lane", "C1->D1/P")
    wrong_echelon = _flow(FLP_PLAN, "D1", "C1", "P", echelon=Echelon.INBOUND)
    _only(check_plan(flp(), wrong_echelon), "bad_lane", "D1->C1/P")
    skip_dc = _flow(SUPPLY_PLAN, "S1", "D1", "Q", destination="C1")
    _only(check_plan(supply(), skip_dc), "bad_lane", "S1->C1/Q")


@pytest.mark.parametrize("quantity", [-1.0, math.nan, math.inf])
def test_negative_flow(quantity: float) -> None:
    report = evaluate_network(flp(), _flow(FLP_PLAN, "D1", "C1", "Q", quantity=quantity))
    _only(report, "negative_flow", "D1->C1/Q")


def test_closed_lane_forbidden() -> None:
    inst = _variant(FLP_DATA, lanes=[{"origin": "D2", "destination": "C2", "product": "Q",
                                      "forbidden": True}])
    report = check_plan(inst, FLP_PLAN)
    _only(report, "closed_lane", "D2->C2/Q", 5)
    assert report.rules() == {"closed_lane"}
    all_products = _variant(FLP_DATA, lanes=[{"origin": "D1", "destination": "C1",
                                              "forbidden": True}])
    assert {v.subject for v in _violations(check_plan(all_products, FLP_PLAN),
                                           "closed_lane")} == {"D1->C1/P", "D1->C1/Q"}


def test_closed_lane_beyond_max_service_km() -> None:
    assert check_plan(_variant(FLP_DATA, network_policy={"max_service_km": 5}), FLP_PLAN).ok
    report = check_plan(_variant(FLP_DATA, network_policy={"max_service_km": 4.9}), FLP_PLAN)
    assert report.rules() == {"closed_lane"}
    assert len(report.violations) == 4


def test_closed_lane_supplier_without_offer() -> None:
    # S2 has no offer for Q
    plan = _flow(SUPPLY_PLAN, "S1", "D1", "Q", origin="S2", unit_cost=math.hypot(10, 10) * .2,
                 cost=10 * math.hypot(10, 10) * .2, km=math.hypot(10, 10))
    _only(check_plan(supply(), plan), "closed_lane", "S2->D1/Q", 10)


def test_closed_facility() -> None:
    plan = _rows(FLP_PLAN, "facilities", {"facility": "D1"}, open=False, size=None)
    report = evaluate_network(flp(), plan)
    _only(report, "closed_facility", "D1", 40)
    assert report.rules() == {"closed_facility"}


def test_facility_status() -> None:
    opened = _rows(FLP_PLAN, "facilities", {"facility": "D3"}, open=True, size="standard")
    _only(evaluate_network(flp(), opened), "facility_status", "D3")
    must_open = _variant(FLP_DATA, facilities=[
        {**FLP_DATA["facilities"][0]}, {**FLP_DATA["facilities"][1]},
        {**FLP_DATA["facilities"][2], "status": "must_open"}])
    _only(evaluate_network(must_open, FLP_PLAN), "facility_status", "D3")
    bad_size = _rows(FLP_PLAN, "facilities", {"facility": "D2"}, size="huge")
    _only(evaluate_network(flp(), bad_size), "facility_status", "D2")
    no_size = _rows(FLP_PLAN, "facilities", {"facility": "D1"}, size=None)
    _only(evaluate_network(flp(), no_size), "facility_status", "D1")


def test_open_count() -> None:
    assert evaluate_network(_variant(FLP_DATA, network_policy={"min_open": 2, "max_open": 2}),
                            FLP_PLAN).ok
    _only(evaluate_network(_variant(FLP_DATA, network_policy={"min_open": 3}), FLP_PLAN),
          "open_count", "network", 1)
    _only(evaluate_network(_variant(FLP_DATA, network_policy={"max_open": 1}), FLP_PLAN),
          "open_count", "network", 1)


def test_balance() -> None:
    plan = _flow(SUPPLY_PLAN, "D1", "C1", "Q", quantity=9, cost=9)
    _only(evaluate_network(supply(), plan), "balance", "D1/Q", 1)


def test_demand_hard_short_and_over_delivered() -> None:
    short = _flow(FLP_PLAN, "D1", "C1", "P", quantity=29, cost=29 * 1.5)
    report = evaluate_network(flp(), short)
    _only(report, "demand", "C1/P", 1)
    over = _flow(FLP_PLAN, "D1", "C1", "P", quantity=31, cost=31 * 1.5)
    _only(evaluate_network(flp(), over), "demand", "C1/P", 1)
    no_row = _add_flow(FLP_PLAN, _out("D1", "C2", "Q", 0, 1.0))
    assert evaluate_network(flp(), no_row).ok  # a zero flow delivers nothing
    undemanded = _variant(FLP_DATA, demand=FLP_DATA["demand"][:3])  # no C2/Q row
    _only(evaluate_network(undemanded, FLP_PLAN), "demand", "C2/Q", 5)


def test_demand_shortages_table_must_match() -> None:
    wrong = _rows(FLP_PLAN, "shortages", {"customer": "C2"}, quantity=4, penalty=200)
    report = check_plan(flp(), wrong)
    _only(report, "demand", "C2/P", -1)
    missing = check_plan(flp(), FLP_PLAN.model_copy(update={"shortages": ()}))
    _only(missing, "demand", "C2/P", -5)


def test_facility_capacity_units_and_weight() -> None:
    small = [{**s, "capacity": 34} if s["size"] == "small" else s for s in FLP_DATA["sizes"]]
    report = evaluate_network(_variant(FLP_DATA, sizes=small), FLP_PLAN)
    _only(report, "facility_capacity", "D2", 1)  # 35 weight on 34
    tight = _variant(FLP_DATA, facilities=[{**FLP_DATA["facilities"][0], "capacity": 39},
                                           *FLP_DATA["facilities"][1:]])
    _only(evaluate_network(tight, FLP_PLAN), "facility_capacity", "D1", 1)


def test_lane_volume() -> None:
    lane = {"origin": "D1", "destination": "C1"}
    assert evaluate_network(_variant(FLP_DATA, lanes=[{**lane, "max_volume": 40}]),
                            FLP_PLAN).ok
    _only(evaluate_network(_variant(FLP_DATA, lanes=[{**lane, "max_volume": 35}]), FLP_PLAN),
          "lane_volume", "D1->C1/*", 5)
    per_product = [{**lane, "product": "P", "max_volume": 25}]
    _only(evaluate_network(_variant(FLP_DATA, lanes=per_product), FLP_PLAN),
          "lane_volume", "D1->C1/P", 5)
    inbound = [{"origin": "S1", "destination": "D1", "max_volume": 45}]
    _only(evaluate_network(_variant(SUPPLY_DATA, lanes=inbound), SUPPLY_PLAN),
          "lane_volume", "S1->D1/*", 5)


def test_single_sourcing() -> None:
    inst = _variant(FLP_DATA, network_policy={"single_sourcing": True})
    assert check_plan(inst, FLP_PLAN).ok
    km = math.hypot(7, 4)
    split = _flow(FLP_PLAN, "D1", "C1", "Q", origin="D2", unit_cost=1 + .1 * km)
    _only(evaluate_network(inst, split), "single_sourcing", "C1", 1)
    assert "single_sourcing" not in evaluate_network(flp(), split).rules()


def test_service_level() -> None:
    # 60 of the 65 units demanded are delivered within 5 km: 92.3 %
    ok = {"service_level_share": 0.9, "service_level_km": 5}
    assert check_plan(_variant(FLP_DATA, network_policy=ok), FLP_PLAN).ok
    report = evaluate_network(_variant(FLP_DATA, network_policy={**ok,
                                                                 "service_level_share": 0.95}),
                              FLP_PLAN)
    _only(report, "service_level", "network", 0.95 * 65 - 60)
    near = evaluate_network(_variant(FLP_DATA, network_policy={**ok, "service_level_km": 4}),
                            FLP_PLAN)
    _only(near, "service_level", "network", 0.9 * 65)


def test_budget() -> None:
    # cost without shortage penalties: 1790 - 250 = 1540
    assert evaluate_network(_variant(FLP_DATA, network_policy={"budget": 1540}), FLP_PLAN).ok
    _only(evaluate_network(_variant(FLP_DATA, network_policy={"budget": 1500}), FLP_PLAN),
          "budget", "network", 40)


def test_purchase_balance() -> None:
    plan = _rows(SUPPLY_PLAN, "purchases", {"supplier": "S1", "product": "Q"}, quantity=12,
                 cost=60)
    _only(evaluate_network(supply(), plan), "purchase_balance", "S1/Q", 2)
    missing = SUPPLY_PLAN.model_copy(update={"purchases": SUPPLY_PLAN.purchases[:2]})
    _only(evaluate_network(supply(), missing), "purchase_balance", "S1/Q", -10)


def test_sourcing_rules_are_checked() -> None:
    capped = _variant(SUPPLY_DATA, policy={"max_supplier_share": 0.6})
    _only(evaluate_network(capped, SUPPLY_PLAN), "supplier_share", "S1/P", 50 - 0.6 * 70)
    moq = _variant(SUPPLY_DATA, offers=[{**o, "moq": 25} if o["supplier"] == "S2" else o
                                        for o in SUPPLY_DATA["offers"]])
    _only(evaluate_network(moq, SUPPLY_PLAN), "moq", "S2/P", 5)
    budget = _variant(SUPPLY_DATA, policy={"budget": 800})  # onboarding + purchase = 890
    _only(evaluate_network(budget, SUPPLY_PLAN), "budget", amount=90)


def test_purchases_are_priced_at_the_all_units_price_in_force() -> None:
    """Buying 49 of S1/P misses the break at 50: all 49 are priced at 10."""
    plan = _flow(SUPPLY_PLAN, "S1", "D2", "P", quantity=9, cost=36)
    plan = _flow(plan, "D2", "C2", "P", quantity=29, cost=29)
    plan = _rows(plan, "purchases", {"supplier": "S1", "product": "P"}, quantity=49,
                 unit_price=10, cost=490)
    inst = _variant(SUPPLY_DATA, demand=[{**d, "shortage_penalty": 100} for d in
                                         SUPPLY_DATA["demand"]])
    report = evaluate_network(inst, plan)
    assert report.ok, report.violations
    assert report.purchase == 490 + 240 + 50
    assert report.shortage == 100
    _only(check_plan(inst, _rows(plan, "purchases", {"supplier": "S1", "product": "P"},
                                 unit_price=9, cost=441)), "cost", "S1/P")


@pytest.mark.parametrize("line", ["facility_fixed", "closing", "handling", "inbound",
                                  "purchase", "onboarding", "outbound", "shortage", "total"])
def test_cost_lines(line: str) -> None:
    cost = SUPPLY_PLAN.cost
    assert cost is not None
    plan = SUPPLY_PLAN.model_copy(update={"cost": cost.model_copy(
        update={line: getattr(cost, line) + 1})})
    report = check_plan(supply(), plan)
    _only(report, "cost", f"cost.{line}", 1)
    assert evaluate_network(supply(), plan).ok  # figures are not read by the evaluation


def test_cost_missing() -> None:
    _only(check_plan(flp(), FLP_PLAN.model_copy(update={"cost": None})), "cost", "plan")


def test_cost_per_flow() -> None:
    _only(check_plan(flp(), _flow(FLP_PLAN, "D1", "C1", "P", unit_cost=1.4, cost=42)),
          "cost", "D1->C1/P", -0.1)
    _only(check_plan(supply(), _flow(SUPPLY_PLAN, "S1", "D2", "P", cost=41)),
          "cost", "S1->D2/P", 1)
    _only(check_plan(flp(), _flow(FLP_PLAN, "D1", "C1", "P", cost=math.nan)),
          "cost", "D1->C1/P")


def test_cost_in_tables() -> None:
    _only(check_plan(flp(), _rows(FLP_PLAN, "shortages", {"customer": "C2"}, penalty=249)),
          "cost", "C2/P", -1)
    _only(check_plan(flp(), _rows(FLP_PLAN, "facilities", {"facility": "D2"},
                                  fixed_cost=700)), "cost", "D2", 300)
    _only(check_plan(flp(), _rows(FLP_PLAN, "facilities", {"facility": "D3"}, fixed_cost=10)),
          "cost", "D3", 10)
    _only(check_plan(supply(), _rows(SUPPLY_PLAN, "customers", {"customer": "C2"},
                                     cost_to_serve=740.5)), "cost", "C2", 0.5)
    _only(check_plan(supply(), _rows(SUPPLY_PLAN, "purchases", {"supplier": "S2"}, cost=241)),
          "cost", "S2/P", 1)


def test_solve_figures() -> None:
    def with_solve(**update: Any) -> NetworkPlan:
        return SUPPLY_PLAN.model_copy(update={"solve": SUPPLY_PLAN.solve.model_copy(
            update=update)})

    _only(check_plan(supply(), with_solve(objective=2049.0)), "solve", "solve.objective", -1)
    _only(check_plan(supply(), with_solve(objective=None)), "solve", "solve.objective")
    _only(check_plan(supply(), with_solve(best_bound=2051.0, gap=0.0)), "solve",
          "solve.best_bound", 1)
    _only(check_plan(supply(), with_solve(gap=0.01)), "solve", "solve.gap")
    _only(check_plan(supply(), with_solve(status=SolveStatus.OPTIMAL)), "solve",
          "solve.status")
    _only(check_plan(supply(), with_solve(solve_seconds=-1.0)), "solve", "solve.solve_seconds")
    closed = with_solve(status=SolveStatus.OPTIMAL, best_bound=SUPPLY_TOTAL, gap=0.0)
    assert check_plan(supply(), closed).ok


def test_flow_figures() -> None:
    _only(check_plan(flp(), _flow(FLP_PLAN, "D1", "C1", "P", km=6.0)), "flow_figures",
          "D1->C1/P", 1)
    twice = _add_flow(FLP_PLAN, FLP_PLAN.flows[0])
    report = check_plan(flp(), twice)
    _only(report, "flow_figures", "D1->C1/P")
    _only(report, "demand", "C1/P", 30)  # the duplicate is added up


def test_facility_figures() -> None:
    for field, value in (("throughput", 41.0), ("load", 36.0), ("utilisation", 0.5),
                         ("capacity", 200.0), ("customers", 2), ("status", "candidate"),
                         ("capacity_unit", "units")):
        report = check_plan(flp(), _rows(FLP_PLAN, "facilities", {"facility": "D2"},
                                         **{field: value}))
        assert report.rules() == {"facility_figures"}, (field, report.violations)
    missing = FLP_PLAN.model_copy(update={"facilities": FLP_PLAN.facilities[:2]})
    _only(check_plan(flp(), missing), "facility_figures", "D3")
    unlimited = _rows(SUPPLY_PLAN, "facilities", {"facility": "D1"}, utilisation=0.5)
    _only(check_plan(supply(), unlimited), "facility_figures", "D1")


def test_purchase_figures() -> None:
    twice = SUPPLY_PLAN.model_copy(update={"purchases": (*SUPPLY_PLAN.purchases,
                                                         SUPPLY_PLAN.purchases[2])})
    report = check_plan(supply(), twice)
    _only(report, "purchase_figures", "S1/Q")
    _only(report, "purchase_balance", "S1/Q", 10)


def test_shortage_figures() -> None:
    twice = FLP_PLAN.model_copy(update={"shortages": FLP_PLAN.shortages * 2})
    _only(check_plan(flp(), twice), "shortage_figures", "C2/P")


def test_customer_figures() -> None:
    for field, value in (("facilities", "D1;D2"), ("facilities", ""), ("demand", 26.0),
                         ("served", 21.0), ("shortage", 4.0)):
        report = check_plan(flp(), _rows(FLP_PLAN, "customers", {"customer": "C2"},
                                         **{field: value}))
        assert report.rules() == {"customer_figures"}, (field, report.violations)
    missing = FLP_PLAN.model_copy(update={"customers": FLP_PLAN.customers[:1]})
    _only(check_plan(flp(), missing), "customer_figures", "C2")


# ---- lane pricing read from the raw tables -----------------------------------------------------


def test_lane_overrides_and_weight_km_rates() -> None:
    # a product row wins over an all-products row: P 30 x 7 + Q 10 x 3 on D1 -> C1, and 20
    # units at 1.5 to C2 -> 270
    lanes = [{"origin": "D1", "destination": "C1", "product": "P", "cost_per_unit": 7},
             {"origin": "D1", "destination": "C1", "cost_per_unit": 3}]
    assert evaluate_network(_variant(FLP_DATA, lanes=lanes), FLP_PLAN).outbound == 270
    # per weight-km: P (2 kg) 1 + 0.5 + 0.02 x 2 x 5 = 1.7, Q (1 kg) 1.6 -> 45 x 1.7 + 15 x 1.6
    weight = _variant(FLP_DATA, transport={**FLP_DATA["transport"],
                                           "outbound_per_weight_km": 0.02})
    report = check_plan(weight, FLP_PLAN)
    assert report.outbound == pytest.approx(100.5)
    _only(report, "cost", "D1->C1/P", -0.2)  # the plan still says 1.5


def test_great_circle_km_with_detour() -> None:
    """One degree of longitude on the equator is 2 pi R / 360 = 111.19508 km (R = 6371.0088),
    x 1.3 detour = 144.55361 km; at 0.01 per unit-km, 10 units cost 14.455361."""
    data = {"products": [{"id": "P"}],
            "facilities": [{"id": "D", "lat": 0, "lon": 0}],
            "customers": [{"id": "C", "lat": 0, "lon": 1}],
            "demand": [{"customer": "C", "product": "P", "quantity": 10}],
            "transport": {"outbound_per_unit_km": 0.01}}
    km = 2 * math.pi * 6371.0088 / 360 * 1.3
    assert km == pytest.approx(144.55361, abs=1e-5)
    cost = 10 * 0.01 * km
    plan = NetworkPlan(
        instance="gc", solve=solve_summary(cost),
        cost=NetworkCost(facility_fixed=0, closing=0, handling=0, inbound=0, purchase=0,
                         onboarding=0, outbound=cost, shortage=0, total=cost),
        facilities=(FacilityUse(facility="D", status="candidate", open=True, size="standard",
                                capacity=None, capacity_unit="units", throughput=10, load=10,
                                utilisation=None, fixed_cost=0, customers=1),),
        flows=(Flow(echelon=Echelon.OUTBOUND, origin="D", destination="C", product="P",
                    quantity=10, unit_cost=0.01 * km, cost=cost, km=km),),
        customers=(CustomerService(customer="C", facilities="D", demand=10, served=10,
                                   shortage=0, cost_to_serve=cost),))
    inst = NetworkInstance.model_validate(data)
    assert check_plan(inst, plan).ok, check_plan(inst, plan).violations
    _only(check_plan(inst, _flow(plan, "D", "C", "P", km=144.0)), "flow_figures", "D->C/P")


def test_sourcing_quantity_codes_pass_through() -> None:
    negative = _rows(SUPPLY_PLAN, "purchases", {"supplier": "S1", "product": "Q"},
                     quantity=-10, cost=-50)
    report = evaluate_network(supply(), negative)
    _only(report, "negative_quantity", "S1/Q")
    _only(report, "purchase_balance", "S1/Q", -20)
    nan = _rows(SUPPLY_PLAN, "purchases", {"supplier": "S1", "product": "Q"}, quantity=math.nan)
    _only(evaluate_network(supply(), nan), "quantity", "S1/Q")
