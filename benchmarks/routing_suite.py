"""Routing suites on the public benchmark sets, each against its reference values."""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from models.routing import PlanCheckError, RoutingOptions
from optimizer.formats.routing_bench import read_benchmark
from optimizer.routing_portfolio import solve_portfolio
from optimizer.settings import MissingBenchDataError, require_bench_data


@dataclass(frozen=True)
class Case:
    """One benchmark instance with its reference (distance, and vehicles where hierarchical)."""

    set: str
    name: str
    path: Path
    fmt: str
    reference: float
    ref_vehicles: int | None
    size: int


@dataclass(frozen=True)
class Row:
    """One result."""

    set: str
    instance: str
    n: int
    reference: float
    ref_vehicles: int | None
    distance: float | None
    vehicles: int | None
    gap: float | None
    same_vehicles: bool | None
    engine: str
    wall_s: float
    limit_s: float
    within_limit: bool
    check: str


def _read(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise MissingBenchDataError(f"{path} not found in the benchmark data; set "
                                    "OPTIMIZER_BENCH_DATA to the bench-data folder")
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def cases(data: Path | None = None) -> dict[str, list[Case]]:
    """Every case per set: X (CVRPLIB), Solomon (DIMACS values), Li & Lim, Cordeau."""
    data = data or require_bench_data()
    out: dict[str, list[Case]] = {"X": [], "Solomon": [], "LiLim": [], "Cordeau": []}
    for row in _read(data / "cvrplib-x" / "reference_values.csv"):
        if row["set"] == "X":
            out["X"].append(Case("X", row["instance"], data / "cvrplib-x" / "X" /
                                 f"{row['instance']}.vrp", "vrplib",
                                 float(row["reference_value"]), None, int(row["n"])))
    for row in _read(data / "solomon" / "reference_values.csv"):
        if row["convention"] == "dimacs_trunc1":
            out["Solomon"].append(Case("Solomon", row["instance"], data / "solomon" / "txt" /
                                       f"{row['instance']}.txt", "solomon",
                                       float(row["reference_value"]), None, int(row["n"])))
    for row in _read(data / "other" / "reference_values.csv"):
        if row["set"].startswith("LiLim"):
            out["LiLim"].append(Case("LiLim", row["instance"], data / "other" /
                                     "lilim_pdptw_100" / "instances" / f"{row['instance']}.txt",
                                     "lilim", float(row["reference_value"]),
                                     int(row["vehicles"]), int(row["n"])))
        elif row["set"].startswith("Cordeau"):
            out["Cordeau"].append(Case("Cordeau", row["instance"], data / "other" /
                                       "cordeau_mdvrp" / "instances" / f"{row['instance']}.txt",
                                       "cordeau", float(row["reference_value"]), None,
                                       int(row["n"])))
    return out


def suite(name: str) -> list[Case]:
    """``smoke`` (CI: three small instances), ``sample`` (56, every set), ``x-mid`` (X with
    100-400 customers), one whole set (``x``, ``solomon``, ``lilim``, ``cordeau``), ``full``."""
    every = cases()
    x_mid = [c for c in every["X"] if c.size <= 400]
    if name == "smoke":
        pick = {"X-n101-k25", "C101", "lc101"}
        return [c for group in every.values() for c in group if c.name in pick]
    if name == "sample":
        big = [c for c in every["X"] if c.name in ("X-n502-k39", "X-n701-k44", "X-n1001-k43")]
        return (x_mid[::3] + big + every["Solomon"][::5] + every["LiLim"][::5]
                + every["Cordeau"][::4])
    if name == "x-mid":
        return x_mid
    by_set = {key.lower(): group for key, group in every.items()}
    if name in by_set:
        return by_set[name]
    return [c for group in every.values() for c in group]


def run(cases_: list[Case], time_limit: float, workers: int, engine: str = "auto",
        seed: int = 0, jobs: int = 1, cluster: str | None = None) -> Iterator[Row]:
    """Solve each case and compare with its reference (as each finishes; on ``jobs``
    processes or a Dask ``cluster``: :mod:`benchmarks.executor_runs`)."""
    from benchmarks.executor_runs import each_finished

    for case in cases_:  # missing data: exit 7 before anything runs
        if not case.path.is_file():
            raise MissingBenchDataError(f"{case.path} not found in the benchmark data; set "
                                        "OPTIMIZER_BENCH_DATA to the bench-data folder")
    yield from each_finished(run_case, [(c, time_limit, workers, engine, seed) for c in cases_],
                             jobs, cluster)


def run_case(case: Case, time_limit: float, workers: int, engine: str = "auto",
             seed: int = 0) -> Row:
    """Solve one case with the portfolio and compare with its reference."""
    inst = read_benchmark(case.path, case.fmt, "dimacs")
    options = RoutingOptions(time_limit=time_limit, engine=engine, seed=seed)  # type: ignore[arg-type]
    start = time.perf_counter()
    check = "pass"
    try:
        plan = solve_portfolio(inst, options, workers)
    except PlanCheckError as exc:
        plan, check = exc.plan, "FAIL"
    wall = time.perf_counter() - start
    has = bool(plan.routes)
    distance = plan.distance if has else None
    gap = None if distance is None else (distance - case.reference) / case.reference
    return Row(
        set=case.set, instance=case.name, n=case.size, reference=case.reference,
        ref_vehicles=case.ref_vehicles, distance=distance,
        vehicles=plan.vehicles_used if has else None,
        gap=None if gap is None else round(gap, 6),
        same_vehicles=None if case.ref_vehicles is None or not has
        else plan.vehicles_used <= case.ref_vehicles,
        engine=plan.solve.engine, wall_s=round(wall, 2), limit_s=time_limit,
        within_limit=wall <= 1.1 * time_limit, check=check if has else "no plan",
    )
