"""The exact CFLP engine (models/network/cflp.py) against brute force and published optima."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pulp
import pytest

from models.network import cflp
from models.network.cflp import FacilityProblem, plan_cost, solve_facility_problem
from models.network.cflp_lagrange import (
    CoverData,
    cover_knapsack,
    facility_knapsacks,
    integer_knapsacks,
)
from models.network.structure import facility_problem
from optimizer.formats.network_bench import published_optimum, read_network_benchmark
from optimizer.settings import bench_data_dir

# ---------------------------------------------------------------------------- brute force


def _transport_cost(p: FacilityProblem, open_: tuple[int, ...]) -> float:
    """Cheapest multi-source service from exactly the facilities ``open_`` (PuLP LP)."""
    n = p.shape[1]
    lp = pulp.LpProblem("t", pulp.LpMinimize)
    x = {(i, j): lp.add_variable(f"x_{i}_{j}", lowBound=0) for i in open_ for j in range(n)
         if math.isfinite(p.unit_cost[i, j])}
    lp += pulp.lpSum(float(p.unit_cost[i, j]) * v for (i, j), v in x.items()) + float(
        sum(p.fixed_cost[i] for i in open_))
    for j in range(n):
        lp += pulp.lpSum(v for (_, jj), v in x.items() if jj == j) == float(p.demand[j])
    for i in open_:
        if math.isfinite(p.capacity[i]):
            lp += pulp.lpSum(v for (ii, _), v in x.items() if ii == i) <= float(p.capacity[i])
    lp.solve(pulp.HiGHS(msg=False))
    return pulp.value(lp.objective) if lp.status == pulp.LpStatusOptimal else math.inf


def _assign_cost(p: FacilityProblem, open_: tuple[int, ...]) -> float:
    """Cheapest single-source assignment to the facilities ``open_`` (enumeration)."""
    m, n = p.shape
    best = math.inf
    for assign in itertools.product(open_, repeat=n):
        a = np.array(assign)
        load = np.bincount(a, weights=p.demand, minlength=m)
        if np.any(load > p.capacity):
            continue
        cost = float((p.unit_cost[a, np.arange(n)] * p.demand).sum())
        best = min(best, cost)
    return best + float(p.fixed_cost[list(open_)].sum())


def brute_force(p: FacilityProblem) -> float:
    """Optimum over every facility subset allowed by the side constraints (inf = none)."""
    m, _ = p.shape
    best = math.inf
    for k in range(m + 1):
        if k < p.min_open or (p.max_open is not None and k > p.max_open):
            continue
        for subset in itertools.combinations(range(m), k):
            chosen = np.zeros(m, bool)
            chosen[list(subset)] = True
            if np.any(p.must_open & ~chosen) or np.any(p.must_close & chosen):
                continue
            cost = _assign_cost(p, subset) if p.single_source else _transport_cost(p, subset)
            best = min(best, cost)
    return best


def random_problem(seed: int, m: int = 4, n: int = 6, **kw: object) -> FacilityProblem:
    rng = np.random.default_rng(seed)
    demand = rng.integers(1, 10, n).astype(float)
    capacity = rng.integers(8, 25, m).astype(float)
    fixed = rng.integers(5, 60, m).astype(float)
    unit = rng.integers(1, 12, (m, n)).astype(float)
    return FacilityProblem(fixed, capacity, demand, unit, **kw)


def check_plan(p: FacilityProblem, r: cflp.FacilityResult) -> None:
    """The plan serves every customer exactly, within capacity, on allowed lanes, and its
    objective is the plain cost of open and flow."""
    assert r.open is not None and r.flow is not None and r.objective is not None
    assert np.allclose(r.flow.sum(axis=0), p.demand)
    assert np.all(r.flow >= 0)
    assert np.all(r.flow.sum(axis=1) <= p.capacity * (1 + 1e-9) + 1e-9)
    assert np.all(r.flow[~r.open] == 0)
    assert np.all(r.flow[~np.isfinite(p.unit_cost)] == 0)
    assert not np.any(r.open & p.must_close) and np.all(r.open[p.must_open])
    assert p.min_open <= r.open.sum() <= (p.max_open if p.max_open is not None else p.shape[0])
    if p.single_source:
        assert np.all((r.flow > 0).sum(axis=0) == 1)
    assert r.objective == pytest.approx(plan_cost(p, r.open, r.flow), rel=1e-12)


@pytest.fixture(params=["mip", "lagrange", "warm"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run each case through the plain MILP, through the Lagrangean phase + MILP, and (single
    source) through the multi-source relaxation warm start + MILP."""
    never = 10**12
    lagrange = 0 if request.param == "lagrange" else never
    monkeypatch.setattr(cflp, "LAGRANGE_MIN_ARCS", lagrange)
    monkeypatch.setattr(cflp, "LAGRANGE_MIN_ARCS_SINGLE", lagrange)
    monkeypatch.setattr(cflp, "SINGLE_WARM_MIN_ARCS", 0 if request.param == "warm" else never)
    return request.param


CASES = {
    "plain": {},
    "single_source": {"single_source": True},
    "min_open_3": {"min_open": 3},
    "max_open_1_big": {"max_open": 2},
    "must_open_close": {"must_open": np.array([True, False, False, False]),
                        "must_close": np.array([False, True, False, False])},
    "single_source_must": {"single_source": True, "must_close": np.array([False, False, True,
                                                                          False])},
}


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_brute_force(case: str, seed: int, path: str) -> None:
    p = random_problem(seed, **CASES[case])
    expected = brute_force(p)
    r = solve_facility_problem(p, time_limit=20)
    if not math.isfinite(expected):
        assert r.status == "infeasible"
        return
    assert r.status == "optimal"
    check_plan(p, r)
    assert r.objective == pytest.approx(expected, rel=1e-9)
    assert r.bound is not None and r.bound <= r.objective


@pytest.mark.parametrize("single_source", [False, True])
def test_forbidden_lanes_match_brute_force(single_source: bool, path: str) -> None:
    p0 = random_problem(7, single_source=single_source)
    unit = p0.unit_cost.copy()
    unit[0, :3] = np.inf  # facility 0 may not serve customers 0-2
    unit[[1, 2], 4] = np.inf
    p = FacilityProblem(p0.fixed_cost, p0.capacity, p0.demand, unit,
                        single_source=single_source)
    r = solve_facility_problem(p, time_limit=20)
    assert r.status == "optimal"
    check_plan(p, r)
    assert r.objective == pytest.approx(brute_force(p), rel=1e-9)


def test_uncapacitated_facilities(path: str) -> None:
    p0 = random_problem(4)
    p = FacilityProblem(p0.fixed_cost, np.full(4, np.inf), p0.demand, p0.unit_cost)
    r = solve_facility_problem(p, time_limit=20)
    assert r.status == "optimal"
    check_plan(p, r)
    # uncapacitated: each customer at its cheapest open facility
    assert r.objective == pytest.approx(brute_force(p), rel=1e-9)


@pytest.mark.parametrize("kw", [
    {"min_open": 3, "max_open": 2},
    {"must_close": np.array([True, True, True, False]), "single_source": False},
])
def test_infeasible(kw: dict, path: str) -> None:
    p0 = random_problem(5)
    cap = np.array([10.0, 10.0, 10.0, 5.0])  # the last facility alone cannot serve all
    p = FacilityProblem(p0.fixed_cost, cap, p0.demand, p0.unit_cost, **kw)
    assert brute_force(p) == math.inf
    r = solve_facility_problem(p, time_limit=20)
    assert r.status == "infeasible"
    assert r.open is None and r.objective is None


def test_single_source_infeasible_by_assignment(path: str) -> None:
    """Total capacity suffices but no single-source assignment fits (found by the solver,
    not by the quick checks)."""
    p = FacilityProblem(np.array([1.0, 1.0]), np.array([6.0, 6.0]), np.array([4.0, 4.0, 4.0]),
                        np.ones((2, 3)), single_source=True)
    assert brute_force(p) == math.inf
    assert solve_facility_problem(p, time_limit=20).status == "infeasible"


def test_validation_names_the_field() -> None:
    with pytest.raises(ValueError, match="unit_cost: shape"):
        FacilityProblem(np.ones(2), np.ones(2), np.ones(3), np.ones((3, 2)))
    with pytest.raises(ValueError, match="demand"):
        FacilityProblem(np.ones(2), np.ones(2), np.array([1.0, 0.0]), np.ones((2, 2)))
    with pytest.raises(ValueError, match="must_open and must_close"):
        FacilityProblem(np.ones(2), np.ones(2), np.ones(2), np.ones((2, 2)),
                        must_open=np.array([True, False]), must_close=np.array([True, False]))


# ----------------------------------------------------------------- Lagrangean pieces


def test_facility_knapsack_is_the_continuous_knapsack() -> None:
    rng = np.random.default_rng(0)
    reduced = rng.normal(size=(3, 8))
    reduced[1, 2] = np.inf
    demand = rng.integers(1, 6, 8).astype(float)
    capacity = np.array([7.0, np.inf, 3.5])
    values, x = facility_knapsacks(reduced, demand, capacity)
    for i in range(3):  # LP check with PuLP
        lp = pulp.LpProblem("k", pulp.LpMinimize)
        v = [lp.add_variable(f"x{j}", lowBound=0,
                             upBound=0 if not np.isfinite(reduced[i, j]) else 1)
             for j in range(8)]
        lp += pulp.lpSum(float(r) * vv for r, vv in zip(np.where(np.isfinite(reduced[i]),
                                                                 reduced[i], 0), v, strict=True))
        if np.isfinite(capacity[i]):
            lp += pulp.lpSum(float(d) * vv for d, vv in zip(demand, v, strict=True)) \
                <= float(capacity[i])
        lp.solve(pulp.HiGHS(msg=False))
        assert values[i] == pytest.approx(pulp.value(lp.objective), abs=1e-9)
        assert (x[i] * demand).sum() <= capacity[i] + 1e-9


def test_integer_knapsack_is_the_01_knapsack() -> None:
    rng = np.random.default_rng(1)
    m, n = 4, 9
    reduced = rng.normal(size=(m, n))
    reduced[2, 5] = np.inf
    demand = rng.integers(1, 7, n).astype(float)
    capacity = np.array([9.0, 14.0, 5.0, np.inf])
    solved = integer_knapsacks(reduced, demand, capacity)
    assert solved is not None
    values, x = solved
    for i in range(m):
        best = 0.0
        for bits in itertools.product([0, 1], repeat=n):
            b = np.array(bits, bool)
            if demand[b].sum() <= capacity[i] and np.all(np.isfinite(reduced[i, b])):
                best = min(best, float(reduced[i, b].sum()))
        assert values[i] == pytest.approx(best)
        chosen = x[i] > 0.5
        assert float(reduced[i, chosen].sum()) == pytest.approx(best)
        assert demand[chosen].sum() <= capacity[i]
    assert integer_knapsacks(reduced, demand + 0.5, capacity) is None  # not integer: no DP


@pytest.mark.parametrize("equal", [True, False])
def test_cover_knapsack_bounds_every_feasible_choice(equal: bool) -> None:
    rng = np.random.default_rng(3)
    m = 6
    v = rng.normal(size=m)
    weight = np.full(m, 4.0) if equal else rng.integers(2, 7, m).astype(float)
    cover = CoverData(weight, 11.0, 1, 4)
    fo = np.array([False, True, False, False, False, False])
    fc = np.array([False, False, False, True, False, False])
    value, _ = cover_knapsack(v, cover, fo, fc)
    best = math.inf
    for bits in itertools.product([0, 1], repeat=m):
        b = np.array(bits, bool)
        if np.any(fo & ~b) or np.any(fc & b) or not 1 <= b.sum() <= 4:
            continue
        if weight[b].sum() >= 11.0:
            best = min(best, float(v[b].sum()))
    if equal:
        assert value == pytest.approx(best)  # exact with equal capacities
    else:
        assert value <= best + 1e-12  # LP relaxation: a valid bound
    # without open-count limits, unequal integer capacities are solved exactly (DP)
    free_cover = CoverData(weight, 11.0, 0, m)
    value, y = cover_knapsack(v, free_cover, fo, fc)
    best = min(float(v[np.array(b, bool)].sum()) for b in itertools.product([0, 1], repeat=m)
               if weight[np.array(b, bool)].sum() >= 11.0 and b[1] == 1 and b[3] == 0)
    assert value == pytest.approx(best)
    assert float(v @ y) == pytest.approx(best) and weight @ y >= 11.0


# ----------------------------------------------------------------- published optima

ORLIB = bench_data_dir() / "orlib-cflp"
HOLMBERG = bench_data_dir() / "other" / "sscflp_holmberg" / "instances"


def _benchmark(path: Path, fmt: str) -> tuple[FacilityProblem, float]:
    """The engine's arrays for a benchmark file, through the project's reader and the network's
    structure mapping, with its published optimum."""
    inst = read_network_benchmark(path, fmt)
    problem, _customers = facility_problem(inst)
    return problem, published_optimum(inst.name)


@pytest.mark.skipif(not ORLIB.is_dir(), reason="bench data not available")
@pytest.mark.parametrize("name", ["cap41", "cap71", "cap104", "cap131"])
def test_orlib_small_published_optimum(name: str) -> None:
    p, opt = _benchmark(ORLIB / "instances" / f"{name}.txt", "orlib-cap")
    r = solve_facility_problem(p, time_limit=30)
    assert r.status == "optimal"
    check_plan(p, r)
    assert r.objective == pytest.approx(opt, rel=1e-8)  # optima are published to 3 decimals


@pytest.mark.skipif(not HOLMBERG.is_dir(), reason="bench data not available")
@pytest.mark.parametrize("k", [1, 10])
def test_holmberg_published_optimum(k: int) -> None:
    p, opt = _benchmark(HOLMBERG / f"p{k}", "holmberg")
    assert p.single_source
    r = solve_facility_problem(p, time_limit=30)
    assert r.status == "optimal"
    check_plan(p, r)
    assert r.objective == pytest.approx(opt, rel=1e-9)


def test_thread_count_can_change_between_solves() -> None:
    """HiGHS keeps one thread scheduler per process; a solve asking for another thread
    count must still solve (the engine restarts the scheduler), not end without a plan."""
    p = random_problem(11)
    expected = brute_force(p)
    for threads in (None, 1, 2, 1):
        r = solve_facility_problem(p, time_limit=20, threads=threads)
        assert r.status == "optimal"
        assert r.objective == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("seed", [0, 1])
def test_lagrangean_path_agrees_with_the_milp_on_mid_size(seed: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """15 facilities x 150 customers with equal capacities (the capa/b/c shape): probing,
    local search and the thinned strong links must give the MILP's optimum."""
    rng = np.random.default_rng(seed)
    m, n = 15, 150
    xy_f, xy_c = rng.random((m, 2)), rng.random((n, 2))
    dist = np.linalg.norm(xy_f[:, None, :] - xy_c[None, :, :], axis=2)
    demand = rng.integers(5, 30, n).astype(float)
    p = FacilityProblem(rng.integers(300, 700, m).astype(float),
                        np.full(m, demand.sum() / 4.5), demand, 10 * dist + 1)
    monkeypatch.setattr(cflp, "LAGRANGE_MIN_ARCS", 10**12)
    plain = solve_facility_problem(p, time_limit=30)
    monkeypatch.setattr(cflp, "LAGRANGE_MIN_ARCS", 0)
    lagr = solve_facility_problem(p, time_limit=30)
    assert plain.status == lagr.status == "optimal"
    assert lagr.stats["method"] == "lagrange+mip"
    check_plan(p, lagr)
    assert lagr.objective == pytest.approx(plain.objective, rel=1e-9)
    assert lagr.bound <= lagr.objective and plain.objective - lagr.bound <= 1e-6 * lagr.objective


def test_requested_gap_is_reported_honestly() -> None:
    p = random_problem(12)
    expected = brute_force(p)
    r = solve_facility_problem(p, time_limit=20, gap=0.5)
    assert r.status in ("optimal", "feasible")
    check_plan(p, r)
    assert expected <= r.objective + 1e-9
    assert r.bound is not None and r.bound <= expected + 1e-9
    if r.status == "feasible":
        assert r.gap is not None and r.gap > 1e-9
        assert r.stats["stop_reason"] == "requested gap tolerance reached"
    else:
        assert r.stats["stop_reason"] == "optimality proven"
