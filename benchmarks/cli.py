"""Command line of the benchmark harness."""

from __future__ import annotations

import dataclasses
import platform
import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from benchmarks.sourcing_suite import SUITES, Case, run_suite
from models.sourcing import Measure, SolverOptions, solve_point
from optimizer.atomic import atomic_write_text
from optimizer.frontier import trace_frontier

app = typer.Typer(help="Benchmarks (speed is measured here, not in tests).",
                  no_args_is_help=True, add_completion=False)
console = Console()


@app.callback()
def _root() -> None:
    """Benchmark suites."""


@app.command()
def sourcing(
    suite: Annotated[str, typer.Option(help=f"One of: {', '.join(SUITES)}.")] = "smoke",
    out: Annotated[Path, typer.Option(help="Folder for sourcing-<suite>.csv and .md.")] = Path(
        "benchmarks/results"),
    solver: Annotated[str, typer.Option(help="highs or cbc.")] = "highs",
    time_limit: Annotated[float, typer.Option(help="Seconds per instance.")] = 600.0,
    gap: Annotated[float, typer.Option(help="Relative gap (0 = prove optimality).")] = 0.0,
) -> None:
    """Solve the generated sourcing suite; write sourcing-<suite>.csv and .md."""
    if suite not in SUITES:
        raise typer.BadParameter(f"unknown suite {suite!r}; use one of {', '.join(SUITES)}")
    options = SolverOptions(solver=solver, time_limit=time_limit, gap=gap)  # type: ignore[arg-type]
    rows = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"sourcing/{suite}", total=len(SUITES[suite]))
        for row in run_suite(suite, options):
            rows.append(row)
            console.print(f"{row.instance}: {row.status}, total {row.total_s} s, "
                          f"check {row.check}")
            progress.advance(task)
    frame = pd.DataFrame([dataclasses.asdict(r) for r in rows])
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / f"sourcing-{suite}.csv", frame.to_csv(index=False))
    header = (f"# sourcing/{suite}\n\nsolver {solver}, time limit {time_limit:g} s, gap {gap:g}; "
              f"{platform.python_implementation()} {platform.python_version()} on "
              f"{platform.machine()}\n\n")
    shown_md = frame.assign(
        objective=frame["objective"].map(lambda v: "-" if pd.isna(v) else f"{v:,.2f}"),
        bound=frame["bound"].map(lambda v: "-" if pd.isna(v) else f"{v:,.2f}"),
        gap=frame["gap"].map(lambda v: "-" if pd.isna(v) else f"{v:.2e}"),
    )
    atomic_write_text(out / f"sourcing-{suite}.md",
                      header + shown_md.to_markdown(index=False, disable_numparse=True) + "\n")
    shown = ["instance", "integer_variables", "build_s", "load_s", "engine_s", "total_s",
             "status", "gap", "check"]
    table = Table(*shown, title=f"sourcing/{suite}")
    for record in frame[shown].itertuples(index=False):
        table.add_row(*(str(v) for v in record))
    console.print(table)
    if any(r.check != "pass" for r in rows):
        console.print("[bold red]a plan failed the independent check[/]")
        raise typer.Exit(1)


@app.command()
def frontier(
    suppliers: Annotated[int, typer.Option()] = 50,
    products: Annotated[int, typer.Option()] = 200,
    seed: Annotated[int, typer.Option()] = 1,
    scenarios: Annotated[int, typer.Option()] = 0,
    measure: Annotated[Measure, typer.Option()] = Measure.MAX_SHARE,
    points: Annotated[int, typer.Option()] = 10,
    workers: Annotated[int, typer.Option()] = 2,
    gap: Annotated[float, typer.Option()] = 0.0,
    out: Annotated[Path, typer.Option()] = Path("benchmarks/results"),
) -> None:
    """Time one cost-optimal solve, then the whole frontier; compare with the target
    2 x (one solve) x points / workers."""
    inst = Case(suppliers, products, seed, scenarios).instance()
    options = SolverOptions(gap=gap, threads=1)
    start = time.perf_counter()
    solve_point(inst, measure, None, options)
    one = time.perf_counter() - start
    result = trace_frontier(inst, measure, points, options, workers)
    target = 2 * one * points / workers
    rows = [p.model_dump(mode="json") for p in result.points]
    frame = pd.DataFrame(rows)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"frontier-{inst.name}-{measure.value}"
    atomic_write_text(out / f"{stem}.csv", frame.to_csv(index=False))
    text = (f"# {stem}\n\none solve {one:.2f} s; frontier of {points} points with {workers} "
            f"workers {result.seconds:.2f} s; target 2 x one x points / workers = "
            f"{target:.2f} s: {'met' if result.seconds <= target else 'NOT met'}\n\n"
            + frame.to_markdown(index=False) + "\n")
    atomic_write_text(out / f"{stem}.md", text)
    console.print(text)
    if any(p.cap_met is False or p.note for p in result.points):
        console.print("[bold red]a point broke its cap or failed the check[/]")
        raise typer.Exit(1)


@app.command()
def routing(
    suite: Annotated[str, typer.Option(
        help="smoke, sample, x-mid, x, solomon, lilim, cordeau or full.")] = "smoke",
    time_limit: Annotated[float, typer.Option(help="Seconds per instance.")] = 30.0,
    workers: Annotated[int, typer.Option(help="Portfolio searches at once.")] = 2,
    engine: Annotated[str, typer.Option(help="auto, ortools or pyvrp.")] = "auto",
    out: Annotated[Path, typer.Option()] = Path("benchmarks/results"),
) -> None:
    """Solve a routing suite against the reference values; write routing-<suite>.csv and .md.
    Fails on a checker violation or a plan-less instance."""
    from benchmarks.routing_suite import run as run_routing
    from benchmarks.routing_suite import suite as routing_cases

    chosen = routing_cases(suite)
    rows = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"routing/{suite}", total=len(chosen))
        for row in run_routing(chosen, time_limit, workers, engine):
            rows.append(row)
            console.print(f"{row.set} {row.instance}: distance {row.distance} vs "
                          f"{row.reference} (gap {row.gap}), vehicles {row.vehicles}, "
                          f"{row.wall_s} s, check {row.check}")
            progress.advance(task)
    frame = pd.DataFrame([dataclasses.asdict(r) for r in rows])
    out.mkdir(parents=True, exist_ok=True)
    stem = f"routing-{suite}-{engine}-{time_limit:g}s-{workers}w"
    atomic_write_text(out / f"{stem}.csv", frame.to_csv(index=False))
    per_set = frame.groupby("set").agg(
        instances=("instance", "count"), mean_gap=("gap", "mean"), max_gap=("gap", "max"),
        same_vehicles=("same_vehicles", "mean"), max_wall_s=("wall_s", "max"),
        within_limit=("within_limit", "mean"))
    text = (f"# {stem}\n\n{platform.python_implementation()} {platform.python_version()} on "
            f"{platform.machine()}\n\n" + per_set.to_markdown() + "\n\n"
            + frame.to_markdown(index=False) + "\n")
    atomic_write_text(out / f"{stem}.md", text)
    console.print(per_set.to_string())
    if any(r.check != "pass" for r in rows):
        console.print("[bold red]a plan failed the checker or an instance has no plan[/]")
        raise typer.Exit(1)
