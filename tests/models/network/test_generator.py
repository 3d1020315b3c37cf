"""The network generator: deterministic, the sizes asked for, every rule on, and the properties
its feasibility argument rests on (checked on the instance, not on the generator's internals);
small generated instances solve to a plan the checker accepts."""

from __future__ import annotations

from collections import Counter

import pytest

from models.network.data import CapacityUnit, FacilityStatus, NetworkInstance, great_circle_km
from models.network.generator import generate_network
from models.sourcing.generator import REGIONS

SIZES = [(6, 5, 30, 3), (12, 9, 120, 5), (0, 6, 40, 2)]


@pytest.fixture(scope="module")
def mid() -> NetworkInstance:
    return generate_network(30, 20, 400, 8, seed=3)


def test_same_arguments_same_instance() -> None:
    a = generate_network(8, 6, 50, 3, seed=5)
    b = generate_network(8, 6, 50, 3, seed=5)
    assert a.model_dump() == b.model_dump()
    c = generate_network(8, 6, 50, 3, seed=6)
    assert c.model_dump() != a.model_dump()
    assert a.name == "net-s8-f6-c50-p3-seed5"


@pytest.mark.parametrize(("suppliers", "facilities", "customers", "products"), SIZES)
def test_sizes(suppliers: int, facilities: int, customers: int, products: int) -> None:
    inst = generate_network(suppliers, facilities, customers, products, seed=1)
    assert (len(inst.suppliers), len(inst.facilities), len(inst.customers),
            len(inst.products)) == (suppliers, facilities, customers, products)
    rows = Counter(d.customer for d in inst.demand)
    assert set(rows) == {c.id for c in inst.customers}  # every customer orders something
    assert {d.product for d in inst.demand} == {p.id for p in inst.products}
    assert all(d.quantity >= 1 and d.quantity == int(d.quantity) for d in inst.demand)
    offered = {o.supplier for o in inst.offers}
    assert offered == {s.id for s in inst.suppliers}  # every supplier offers something


def test_bad_arguments() -> None:
    for args in ((1, 5, 10, 2), (4, 2, 10, 2), (4, 5, 0, 2), (4, 5, 10, 0), (-1, 5, 10, 2)):
        with pytest.raises(ValueError):
            generate_network(*args)


def test_geography(mid: NetworkInstance) -> None:
    """Customers and DCs in Germany, customers clustered (many share a nearest city), some
    suppliers on other continents and some within 1,000 km."""
    for place in (*mid.customers, *mid.facilities):
        assert 47.0 <= place.lat <= 55.5 and 5.5 <= place.lon <= 15.5, place.id
    far = [s for s in mid.suppliers if great_circle_km(s.lat, s.lon, 51.0, 10.0) > 3000]
    near = [s for s in mid.suppliers if great_circle_km(s.lat, s.lon, 51.0, 10.0) < 1000]
    assert far and near
    assert {s.region for s in mid.suppliers} <= {r.name for r in REGIONS}
    zones = Counter(c.name.split(" zone")[0] for c in mid.customers)
    assert zones.most_common(1)[0][0] == "Berlin"  # the largest city has the most zones
    assert len(zones) <= 10  # 20 DCs: the 10 largest cities


def test_facilities_sizes_and_statuses(mid: NetworkInstance) -> None:
    statuses = Counter(f.status for f in mid.facilities)
    assert statuses[FacilityStatus.MUST_OPEN] == 1 and statuses[FacilityStatus.MUST_CLOSE] == 1
    assert statuses[FacilityStatus.EXISTING] >= 1
    assert all(f.closing_cost > 0 for f in mid.facilities if f.status == FacilityStatus.EXISTING)
    for f in mid.facilities:
        options = mid.size_options(f.id)
        assert 2 <= len(options) <= 3
        ordered = sorted(options, key=lambda o: o.capacity)
        assert [o.fixed_cost for o in ordered] == sorted(o.fixed_cost for o in ordered)
        # economies of scale: the fixed cost per unit of capacity falls with size
        per_unit = [o.fixed_cost / o.capacity for o in ordered]
        assert per_unit == sorted(per_unit, reverse=True)
    assert {f.capacity_unit for f in mid.facilities} == {CapacityUnit.UNITS, CapacityUnit.WEIGHT}


def _reachable(inst: NetworkInstance, customer: str, products: list[str]) -> list[str]:
    return [f.id for f in inst.facilities if f.status != FacilityStatus.MUST_CLOSE
            and all(inst.lane_cost(f.id, customer, p) is not None for p in products)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_customer_reaches_two_open_able_dcs(seed: int) -> None:
    inst = generate_network(10, 12, 200, 4, seed=seed)
    products: dict[str, list[str]] = {}
    for d in inst.demand:
        products.setdefault(d.customer, []).append(d.product)
    for c in inst.customers:
        assert len(_reachable(inst, c.id, products[c.id])) >= 2, c.id


def test_capacity_and_sourcing_cover_demand(mid: NetworkInstance) -> None:
    """The largest sizes hold far more than the demand; for every product the offers that
    keep every quality and lead-time rule (and are not excluded) can cover its demand with at
    least two regions, each within the share caps."""
    total = sum(d.quantity for d in mid.demand)
    mean_weight = sum(d.quantity * mid.product_by_id[d.product].unit_weight
                      for d in mid.demand) / total
    largest = sum(max(o.capacity for o in mid.size_options(f.id))
                  / (mean_weight if f.capacity_unit == CapacityUnit.WEIGHT else 1.0)
                  for f in mid.facilities if f.status != FacilityStatus.MUST_CLOSE)
    assert largest > 1.5 * total
    policy = mid.policy
    rules = {r.product: r for r in mid.product_policies}
    for product, demand in mid.demand_by_product.items():
        rule = rules.get(product)
        lead = (rule.max_lead_time_days if rule and rule.max_lead_time_days
                else policy.max_lead_time_days)
        excluded = set(policy.excluded) | set(rule.excluded if rule else ())
        good = [o for o in mid.offers if o.product == product and o.supplier not in excluded
                and o.lead_time_days <= lead and o.defect_rate <= policy.max_defect_rate
                and o.on_time_rate >= policy.min_on_time_rate]
        by_region: dict[str, float] = {}
        for o in good:
            region = mid.supplier_by_id[o.supplier].region
            by_region[region] = by_region.get(region, 0.0) + min(o.capacity, demand)
        assert len(by_region) >= 2, product
        cap = policy.max_region_share
        assert sum(min(v, cap * demand) for v in by_region.values()) >= demand, product


def test_every_rule_is_on(mid: NetworkInstance) -> None:
    net = mid.network_policy
    assert net.min_open >= 1 and net.max_open is not None and net.max_open >= net.min_open
    assert net.single_sourcing
    assert net.max_service_km is not None and net.budget is not None
    assert net.service_level_share is not None and 0 < net.service_level_share < 1
    assert net.service_level_km == 100.0
    p = mid.policy
    for field in ("max_supplier_share", "min_suppliers", "min_share", "max_region_share",
                  "max_defect_rate", "min_on_time_rate", "max_lead_time_days", "budget"):
        assert getattr(p, field) is not None, field
    assert p.must_use and p.excluded
    assert mid.product_policies and any(r.budget for r in mid.product_policies)
    assert any(r.must_use for r in mid.product_policies)
    assert mid.price_breaks and any(o.moq > 0 for o in mid.offers)
    assert any(s.capacity is not None for s in mid.suppliers)
    short = sum(1 for d in mid.demand if d.shortage_penalty is not None)
    assert 0 < short < 0.3 * len(mid.demand)  # a minority of demand rows
    kinds = Counter((n.origin in mid.supplier_by_id, n.forbidden, n.max_volume is not None)
                    for n in mid.lanes)
    assert kinds[(False, True, False)] > 0 and kinds[(False, False, True)] > 0  # outbound
    assert kinds[(True, True, False)] > 0 and kinds[(True, False, True)] > 0  # inbound
    t = mid.transport
    assert min(t.inbound_per_unit_km, t.inbound_per_weight_km, t.outbound_per_unit_km,
               t.outbound_per_weight_km) > 0
    # the budget is loose: the cheapest conceivable purchase alone stays well below it
    assert net.budget > sum(min(o.unit_price for o in mid.offers if o.product == q) * d
                            for q, d in mid.demand_by_product.items())


def test_without_rules_only_the_data() -> None:
    ruled = generate_network(8, 6, 50, 3, seed=2)
    plain = generate_network(8, 6, 50, 3, seed=2, rules=False)
    assert plain.name == ruled.name + "-norules"
    assert plain.network_policy == type(plain.network_policy)()
    assert plain.policy == type(plain.policy)() and not plain.product_policies
    for table in ("facilities", "sizes", "customers", "demand", "suppliers", "offers",
                  "price_breaks", "lanes", "transport"):
        assert getattr(plain, table) == getattr(ruled, table), table


@pytest.mark.parametrize(("size", "seed"), [((6, 5, 30, 3), 0), ((6, 5, 30, 3), 1),
                                            ((6, 5, 30, 3), 2), ((8, 6, 40, 3), 3),
                                            ((0, 6, 40, 2), 0), ((0, 6, 40, 2), 1)])
def test_small_networks_solve_and_pass_the_checker(size: tuple[int, int, int, int],
                                                   seed: int) -> None:
    """Feasible by construction, as the solver sees it (every rule on)."""
    from models.network import SolverOptions, SolveStatus, solve
    from models.network.checker import check_plan

    inst = generate_network(*size, seed=seed)
    plan = solve(inst, SolverOptions(time_limit=60, threads=1))
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert check_plan(inst, plan).ok
    net = inst.network_policy
    assert net.min_open <= len(plan.open_facilities) <= net.max_open
    assert all(";" not in c.facilities for c in plan.customers)  # single sourcing


def test_small_network_with_both_budgets_solves() -> None:
    """Both budgets set (the network MILP once named both rows 'budget': PuLP refused)."""
    from models.network import SolverOptions, SolveStatus, solve

    inst = generate_network(6, 5, 30, 3, seed=0)
    assert inst.policy.budget is not None and inst.network_policy.budget is not None
    plan = solve(inst, SolverOptions(time_limit=60, threads=1))
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert plan.cost.total - plan.cost.shortage <= inst.network_policy.budget
