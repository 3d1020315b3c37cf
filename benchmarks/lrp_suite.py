"""The ``lrp`` network suite: the 24 Prodhon capacitated location-routing instances against their
best-known values (``bench-data/lrp-prodhon/reference_values.csv``), with the sequential baseline
beside each, and every plan re-priced by an independent evaluator.

* Product: ``read_prodhon`` -> ``models.network.solve`` with the outbound as routes (the
  location-routing search; ``method`` column ``location_routing``), or, where the network's
  routes mode is not available, the engine directly (``read_prodhon_problem`` ->
  ``solve_location_routing``; ``method`` column ``lrp-engine``).
* Baseline (sequential): the exact single-source CFLP with the tour proxy
  (2·c + F)/Q per unit decides the open depots and every customer's depot, then each open depot
  is routed alone (:func:`models.network.lrp.solve_sequential`, :data:`BASELINE_SECONDS`).
* Evaluator (independent of both): from the route lists and the file's coordinates alone, cost
  = Σ opening cost of depots with a route + F per route + Σ ⌈100·d⌉ over the legs
  depot → customers → same depot; every customer exactly once, vehicle load ≤ Q, depot load ≤
  its capacity.

Targets (issue 12, 2-core machine, 60 s per instance): mean gap to the best-known values
≤ 1.0 %, none above 3 %.
"""

from __future__ import annotations

import csv
import itertools
import math
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from models.network import solve_location_routing, solve_sequential
from optimizer.formats.prodhon import (
    ProdhonData,
    parse_prodhon,
    read_prodhon,
    read_prodhon_problem,
)
from optimizer.settings import require_bench_data

#: Seconds of the sequential baseline (its routing, shared by the open depots).
BASELINE_SECONDS = 10.0
#: The issue's targets.
MEAN_GAP_TARGET = 1.0
MAX_GAP_TARGET = 3.0


def product_path() -> bool:
    """Whether the network solve has its routes mode (else the suite runs the engine)."""
    return find_spec("models.network.routes_mode") is not None


def reference_values() -> dict[str, float]:
    """Best-known value per Prodhon instance (from the bench-data reference file)."""
    path = require_bench_data("lrp-prodhon", "reference_values.csv")
    with path.open(encoding="utf-8") as f:
        return {r["instance"]: float(r["reference_value"]) for r in csv.DictReader(f)}


def lrp_files() -> list[tuple[str, Path]]:
    """(name, path) of every instance with a reference value, in the reference file's order."""
    return [(name, require_bench_data("lrp-prodhon", "instances", f"{name}.dat"))
            for name in reference_values()]


@dataclass(frozen=True)
class LRPRow:
    """One Prodhon instance. ``objective`` = the product's cost (the evaluator's), gap_pct =
    its gap to ``published_optimum`` (the best-known value, not proven optimal everywhere),
    ``baseline``/``baseline_gap_pct`` the sequential baseline's. ``check`` = the evaluator's
    verdict on the product plan (``baseline_check`` on the baseline's). Times in seconds:
    ``read_s`` reading, ``solve_s`` the product's solve (reading excluded), ``total_s`` both."""

    instance: str
    customers: int
    facilities: int
    status: str
    objective: float | None
    published_optimum: float | None
    gap_pct: float | None
    matches: bool | None
    read_s: float
    solve_s: float
    total_s: float
    open_depots: str
    routes: int
    baseline: float | None
    baseline_gap_pct: float | None
    baseline_s: float
    baseline_open: str
    baseline_check: str
    method: str
    check: str
    best_bound: float | None = None
    gap: float | None = None
    build_s: float = 0.0
    error: str = ""


def evaluate(data: ProdhonData, routes: list[tuple[int, list[int]]]) -> tuple[float, list[str]]:
    """The Prodhon cost of ``routes`` ((depot index, customer indices in order), 0-based) from
    the file's numbers alone, and every rule it breaks (empty = a valid plan)."""
    m, n = data.shape
    problems: list[str] = []

    def edge(a, b) -> float:
        d = math.hypot(a[0] - b[0], a[1] - b[1])
        return math.ceil(100 * d) if data.integer_costs else d

    seen = [0] * n
    depot_load = [0.0] * m
    total = 0.0
    for depot, stops in routes:
        if not stops:
            continue
        load = sum(float(data.demand[j]) for j in stops)
        if load > data.vehicle_capacity + 1e-9:
            problems.append(f"a route of depot {depot + 1} carries {load:g} > "
                            f"{data.vehicle_capacity:g}")
        depot_load[depot] += load
        points = [data.depot_xy[depot], *(data.customer_xy[j] for j in stops),
                  data.depot_xy[depot]]
        total += data.route_cost + sum(edge(a, b) for a, b in itertools.pairwise(points))
        for j in stops:
            seen[j] += 1
    for i in range(m):
        if depot_load[i] > 0:
            total += float(data.opening_cost[i])
        if depot_load[i] > data.depot_capacity[i] + 1e-9:
            problems.append(f"depot {i + 1} serves {depot_load[i]:g} > its capacity "
                            f"{data.depot_capacity[i]:g}")
    problems += [f"customer {j + 1} visited {c} times" for j, c in enumerate(seen)
                 if c != 1 and data.demand[j] > 0]
    return total, problems


def _gap(value: float | None, reference: float | None) -> float | None:
    if value is None or reference is None:
        return None
    return round(100 * (value / reference - 1), 3)


def run_instance(name: str, path: Path, time_limit: float, reference: float | None,
                 baseline_seconds: float = BASELINE_SECONDS) -> LRPRow:
    """Solve one instance by the product and by the baseline; evaluate both."""
    from models.solver import SolverOptions

    start = time.perf_counter()
    data = parse_prodhon(path)
    m, n = data.shape
    routes: list[tuple[int, list[int]]] = []
    status, error = "feasible", ""
    if product_path():
        from models.network import solve

        inst = read_prodhon(path)
        read = time.perf_counter() - start
        method = "location_routing"
        t = time.perf_counter()
        try:
            plan = solve(inst, SolverOptions(time_limit=time_limit))
            status = plan.solve.status.value
            ids = {f"D{i + 1}": i for i in range(m)}
            cust = {f"C{j + 1}": j for j in range(n)}
            routes = [(ids[r.facility], [cust[s] for s in r.stop_ids]) for r in plan.routes]
        except Exception as exc:  # recorded: one broken instance, not the suite
            status, error = "error", f"{type(exc).__name__}: {exc}"[:300]
        solve_s = time.perf_counter() - t
    else:
        problem = read_prodhon_problem(path)
        read = time.perf_counter() - start
        method = "lrp-engine"
        t = time.perf_counter()
        try:
            res = solve_location_routing(problem, time_limit=time_limit)
            routes = [(r.depot, list(r.customers)) for r in res.routes]
        except Exception as exc:
            status, error = "error", f"{type(exc).__name__}: {exc}"[:300]
        solve_s = time.perf_counter() - t
    cost, problems = evaluate(data, routes) if routes else (None, ["no routes"])
    check = "pass" if not problems else "FAIL"
    if problems and not error:
        error = "; ".join(problems[:3])
    t = time.perf_counter()
    base_cost, base_open, base_check = None, "", "n/a"
    try:
        base = solve_sequential(read_prodhon_problem(path), time_limit=baseline_seconds)
        base_routes = [(r.depot, list(r.customers)) for r in base.routes]
        base_cost, base_problems = evaluate(data, base_routes)
        base_check = "pass" if not base_problems else "FAIL"
        base_open = ",".join(str(i + 1) for i in sorted({d for d, _ in base_routes}))
    except Exception as exc:
        base_check = f"error {type(exc).__name__}"
    base_s = time.perf_counter() - t
    opened = sorted({d for d, s in routes if s})
    return LRPRow(instance=name, customers=n, facilities=m, status=status,
                  objective=cost, published_optimum=reference, gap_pct=_gap(cost, reference),
                  matches=None if cost is None or reference is None else
                  abs(cost - reference) <= 1e-6 * reference,
                  read_s=round(read, 3), solve_s=round(solve_s, 3),
                  total_s=round(read + solve_s, 3),
                  open_depots=",".join(str(i + 1) for i in opened),
                  routes=sum(1 for _, s in routes if s), baseline=base_cost,
                  baseline_gap_pct=_gap(base_cost, reference), baseline_s=round(base_s, 3),
                  baseline_open=base_open, baseline_check=base_check, method=method,
                  check=check, error=error)


def targets(rows: list[LRPRow]) -> list[str]:
    """The issue's targets, marked met or NOT met, and the baseline's numbers beside them."""
    if not rows:
        return []
    gaps = [r.gap_pct for r in rows if r.gap_pct is not None and r.check == "pass"]
    passed = sum(r.check == "pass" for r in rows)
    lines = [f"{passed} of {len(rows)} plans passed the independent evaluation "
             f"(ceil(100·d) costs, each customer once, vehicle and depot capacities)"]
    slowest = max(rows, key=lambda r: r.total_s)
    if len(gaps) == len(rows):
        mean, worst = sum(gaps) / len(gaps), max(gaps)
        above = sum(g > MAX_GAP_TARGET for g in gaps)
        lines.append(f"target: mean gap to the best-known values <= {MEAN_GAP_TARGET:g} %: "
                     f"{'met' if mean <= MEAN_GAP_TARGET else 'NOT met'} ({mean:.2f} %)")
        lines.append(f"target: no instance above {MAX_GAP_TARGET:g} %: "
                     f"{'met' if above == 0 else 'NOT met'} (max {worst:.2f} %, {above} above)")
    else:
        lines.append(f"targets NOT met: {len(rows) - len(gaps)} instance(s) without a valid plan")
    lines.append(f"slowest: {slowest.instance} {slowest.total_s:.1f} s (reading + solve)")
    base = [r.baseline_gap_pct for r in rows if r.baseline_gap_pct is not None]
    if base:
        lines.append(f"sequential baseline ({BASELINE_SECONDS:g} s): mean gap "
                     f"{sum(base) / len(base):.2f} %, max {max(base):.2f} %, "
                     f"{sum(g > MAX_GAP_TARGET for g in base)} above {MAX_GAP_TARGET:g} % "
                     f"({len(base)} of {len(rows)} with a plan)")
    return lines
