"""Command line of the benchmark harness."""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from benchmarks.executor_runs import describe as runs_described
from benchmarks.metadata import metadata_markdown, with_metadata
from benchmarks.sourcing_suite import SUITES, Case, run_suite
from models.sourcing import Measure, SolverOptions, solve_point
from optimizer.atomic import atomic_write_text
from optimizer.errors import ExitCode
from optimizer.frontier import trace_frontier
from optimizer.settings import MissingBenchDataError

if TYPE_CHECKING:  # the routing modules load OR-Tools and PyVRP: only when a command needs them
    from benchmarks.routing_native import NativeCase, Summary

app = typer.Typer(help="Benchmarks (speed is measured here, not in tests).",
                  no_args_is_help=True, add_completion=False)
console = Console()
err_console = Console(stderr=True)


@app.callback()
def _root() -> None:
    """Benchmark suites."""


#: The suites' many-solves options (docs/batch.md): how many instances at once, and where.
JobsOpt = Annotated[int, typer.Option(
    min=1, help="Instances solved at once, in worker processes (default 1: one at a time, in "
                "this process; timings are the instance's own).")]
#: Where a suite writes its .csv and .md, and the seconds each instance gets.
OutOpt = Annotated[Path, typer.Option(help="Folder for the result files.")]
SecondsOpt = Annotated[float, typer.Option(help="Seconds per instance.")]
ClusterOpt = Annotated[str | None, typer.Option(
    help="Run the instances on the Dask scheduler at this address ('local': a LocalCluster "
         "of --jobs workers).")]


@app.command()
def sourcing(
    suite: Annotated[str, typer.Option(help=f"One of: {', '.join(SUITES)}.")] = "smoke",
    out: Annotated[Path, typer.Option(help="Folder for sourcing-<suite>.csv and .md.")] = Path(
        "benchmarks/results"),
    solver: Annotated[str, typer.Option(help="highs or cbc.")] = "highs",
    time_limit: Annotated[float, typer.Option(help="Seconds per instance.")] = 600.0,
    gap: Annotated[float, typer.Option(help="Relative gap (0 = prove optimality).")] = 0.0,
    jobs: JobsOpt = 1,
    cluster: ClusterOpt = None,
) -> None:
    """Solve the generated sourcing suite; write sourcing-<suite>.csv and .md."""
    if suite not in SUITES:
        raise typer.BadParameter(f"unknown suite {suite!r}; use one of {', '.join(SUITES)}")
    options = SolverOptions(solver=solver, time_limit=time_limit, gap=gap)  # type: ignore[arg-type]
    rows = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"sourcing/{suite}", total=len(SUITES[suite]))
        for row in run_suite(suite, options, jobs, cluster):
            rows.append(row)
            console.print(f"{row.instance}: {row.status}, total {row.total_s} s, "
                          f"check {row.check}")
            progress.advance(task)
    frame = pd.DataFrame([dataclasses.asdict(r) for r in rows])
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / f"sourcing-{suite}.csv", with_metadata(frame).to_csv(index=False))
    header = (f"# sourcing/{suite}\n\nsolver {solver}, time limit {time_limit:g} s, gap {gap:g}, "
              f"{runs_described(jobs, cluster)}\n\n{metadata_markdown()}\n")
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
def network(
    suite: Annotated[str, typer.Option(
        help="orlib-small, orlib-large, holmberg, generated or lrp (Prodhon "
             "location-routing).")] = "orlib-small",
    time_limit: Annotated[float | None, typer.Option(
        help="Seconds per instance (default: 60, generated 120).")] = None,
    only: Annotated[str | None, typer.Option(
        help="Comma-separated instance names (default: all of the suite).")] = None,
    out: Annotated[Path, typer.Option(help="Folder for network-<suite>.csv and .md.")] = Path(
        "benchmarks/results"),
    jobs: JobsOpt = 1,
    cluster: ClusterOpt = None,
) -> None:
    """Solve a network-design suite against the published optima (generated: the gap); write
    network-<suite>.csv and .md with the targets marked met or not. Fails when a plan fails
    the independent check or a solve raised an error."""
    from benchmarks import network_suite as ns

    if suite not in ns.SUITES:
        raise typer.BadParameter(f"unknown suite {suite!r}; use one of {', '.join(ns.SUITES)}")
    if time_limit is not None and time_limit <= 0:
        raise typer.BadParameter("--time-limit must be positive")
    chosen = ns.cases(suite)
    if only:
        wanted = {n.strip() for n in only.split(",") if n.strip()}
        unknown = wanted - {c.name for c in chosen}
        if unknown or not wanted:
            raise typer.BadParameter(f"unknown {suite} instance(s): {', '.join(sorted(unknown))}"
                                     if unknown else "--only names no instance")
        chosen = [c for c in chosen if c.name in wanted]
    limit = time_limit or ns.TIME_LIMITS[suite]
    options = SolverOptions(time_limit=limit, gap=ns.GAPS[suite])
    rows: list[ns.Row] = []
    out.mkdir(parents=True, exist_ok=True)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"network/{suite}", total=len(chosen))
        for row in ns.run(chosen, options, jobs, cluster):
            rows.append(row)
            console.print(f"{row.instance}: {row.status}, objective {_money(row.objective)} "
                          f"(published {_money(row.published_optimum)}), gap "
                          f"{_gap(row.gap)}, total {row.total_s} s, {row.method}, check "
                          f"{row.check}{' ' + row.error if row.error else ''}", highlight=False)
            if len(rows) < len(chosen):  # a stopped run still leaves the rows so far
                _network_report(suite, rows, len(chosen), limit, out)
            progress.advance(task)
    order = {c.name: i for i, c in enumerate(chosen)}
    rows.sort(key=lambda r: order.get(r.instance, len(order)))
    shown, verdicts = _network_report(suite, rows, len(chosen), limit, out)
    columns = ["instance", "status", "objective", "published_optimum", "matches", "build_s",
               "solve_s", "total_s", "method", "check"]
    table = Table(*columns, title=f"network/{suite}")
    for record in shown[columns].itertuples(index=False):
        table.add_row(*(str(v) for v in record))
    console.print(table)
    for line in verdicts:
        console.print(line, highlight=False)
    if any(r.check == "FAIL" or r.error for r in rows):
        console.print("[bold red]a plan failed the independent check or a solve failed[/]")
        raise typer.Exit(1)


def _network_report(suite: str, rows: list[Any], planned: int, limit: float, out: Path
                    ) -> tuple[pd.DataFrame, list[str]]:
    """Write network-<suite>.csv and .md for ``rows`` (marked partial while fewer than
    ``planned``); return the table as shown and the target verdicts."""
    from benchmarks import network_suite as ns

    frame = pd.DataFrame([dataclasses.asdict(r) for r in rows])
    atomic_write_text(out / f"network-{suite}.csv", with_metadata(frame).to_csv(index=False))
    verdicts = ns.targets(suite, rows)
    if len(rows) < planned:
        verdicts = [f"PARTIAL: {len(rows)} of {planned} instances so far", *verdicts]
    known = ("objective against the best-known value (published_optimum), edges at "
             "ceil(100 d); a heuristic, so no bound" if suite == "lrp" else
             f"gap {ns.GAPS[suite]:g}; objective matches the published optimum within "
             f"{ns.MATCH_TOLERANCE:g} relative")
    header = (f"# network/{suite}\n\ntime limit {limit:g} s per instance, {known}\n\n"
              f"{metadata_markdown()}\n"
              + "".join(f"- {line}\n" for line in verdicts) + "\n")

    def exact(value: float | None) -> str:  # the optima are published to 3 decimals
        return "-" if value is None or pd.isna(value) else f"{value:,.3f}"

    shown = frame.assign(
        objective=frame["objective"].map(exact),
        best_bound=frame["best_bound"].map(exact),
        published_optimum=frame["published_optimum"].map(exact),
        gap=frame["gap"].map(lambda v: "-" if v is None or pd.isna(v) else f"{v:.2e}"),
        matches=frame["matches"].map(lambda v: "-" if v is None or pd.isna(v)
                                     else ("yes" if v else "NO")),
    )
    atomic_write_text(out / f"network-{suite}.md",
                      header + shown.to_markdown(index=False, disable_numparse=True) + "\n")
    return shown, verdicts


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
    out: OutOpt = Path("benchmarks/results"),
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
    atomic_write_text(out / f"{stem}.csv", with_metadata(frame).to_csv(index=False))
    text = (f"# {stem}\n\n{metadata_markdown()}\n"
            f"one solve {one:.2f} s; frontier of {points} points with {workers} "
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
        help="smoke, sample, x-mid, x, solomon, lilim, cordeau, full, or native (the delivery "
             "days in benchmarks/native).")] = "smoke",
    time_limit: SecondsOpt = 30.0,
    workers: Annotated[int, typer.Option(help="Portfolio searches at once.")] = 2,
    engine: Annotated[str, typer.Option(help="auto, ortools or pyvrp.")] = "auto",
    engines: Annotated[str | None, typer.Option(
        help="native only: several engines in one go, e.g. pyvrp,ortools,auto (one report "
             "each, and a side-by-side table).")] = None,
    only: Annotated[str | None, typer.Option(
        help="native only: comma-separated instance names (default: all).")] = None,
    out: OutOpt = Path("benchmarks/results"),
    jobs: JobsOpt = 1,
    cluster: ClusterOpt = None,
) -> None:
    """Solve a routing suite against the reference values; write routing-<suite>.csv and .md.
    Fails on a checker violation or a plan-less instance (native: on a checker violation; days
    without a plan are counted in the report)."""
    if suite == "native":
        if jobs > 1 or cluster is not None:
            raise typer.BadParameter("--jobs and --cluster do not apply to --suite native")
        chosen_engines = [e.strip() for e in (engines or engine).split(",") if e.strip()]
        _routing_native(time_limit, workers, chosen_engines, only, out)
        return
    if engines is not None or only is not None:
        raise typer.BadParameter("--engines and --only work with --suite native only")
    from benchmarks.routing_suite import run as run_routing
    from benchmarks.routing_suite import suite as routing_cases

    chosen = routing_cases(suite)
    rows = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"routing/{suite}", total=len(chosen))
        for row in run_routing(chosen, time_limit, workers, engine, jobs=jobs, cluster=cluster):
            rows.append(row)
            console.print(f"{row.set} {row.instance}: distance {row.distance} vs "
                          f"{row.reference} (gap {row.gap}), vehicles {row.vehicles}, "
                          f"{row.wall_s} s, check {row.check}")
            progress.advance(task)
    order = {c.name: i for i, c in enumerate(chosen)}
    rows.sort(key=lambda r: order.get(r.instance, len(order)))
    frame = pd.DataFrame([dataclasses.asdict(r) for r in rows])
    out.mkdir(parents=True, exist_ok=True)
    stem = f"routing-{suite}-{engine}-{time_limit:g}s-{workers}w"
    atomic_write_text(out / f"{stem}.csv", with_metadata(frame).to_csv(index=False))
    per_set = frame.groupby("set").agg(
        instances=("instance", "count"), mean_gap=("gap", "mean"), max_gap=("gap", "max"),
        same_vehicles=("same_vehicles", "mean"), max_wall_s=("wall_s", "max"),
        within_limit=("within_limit", "mean"))
    text = (f"# {stem}\n\n{runs_described(jobs, cluster)}\n\n{metadata_markdown()}\n"
            + per_set.to_markdown() + "\n\n"
            + frame.to_markdown(index=False) + "\n")
    atomic_write_text(out / f"{stem}.md", text)
    console.print(per_set.to_string())
    if any(r.check != "pass" for r in rows):
        console.print("[bold red]a plan failed the checker or an instance has no plan[/]")
        raise typer.Exit(1)


def _gap(value: object) -> str:
    return "-" if value is None or pd.isna(value) else f"{100 * float(value):+.2f} %"


def _money(value: float | None) -> str:
    return "-" if value is None or pd.isna(value) else f"{value:,.2f}"


def _routing_native(time_limit: float, workers: int, engines: list[str], only: str | None,
                    out: Path) -> None:
    """The native suite with each engine in turn: one report per engine, then a comparison."""
    from benchmarks import routing_native as native

    for name in engines:
        if name not in ("auto", "ortools", "pyvrp"):
            raise typer.BadParameter(f"unknown engine {name!r}; use auto, ortools or pyvrp")
    chosen = native.cases()
    if only:
        wanted = {n.strip() for n in only.split(",") if n.strip()}
        unknown = wanted - {c.name for c in chosen}
        if unknown:
            raise typer.BadParameter(f"unknown native instance(s): {', '.join(sorted(unknown))}")
        chosen = [c for c in chosen if c.name in wanted]
    references = native.read_references()
    missing = [c.name for c in chosen if references.get(c.name) is None]
    if missing:
        console.print(f"[yellow]{len(missing)} of {len(chosen)} day(s) have no reference "
                      f"(gaps shown as -); derive them with: python -m benchmarks "
                      f"routing-references --time-limit 30 --factor 10[/]")
    out.mkdir(parents=True, exist_ok=True)
    machine = metadata_markdown()
    summaries, failed = [], False
    for engine in engines:
        rows = []
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"routing/native/{engine}", total=len(chosen))
            for row in native.run(chosen, time_limit, workers, engine, references):
                rows.append(row)
                console.print(f"{engine} {row.instance}: cost {_money(row.cost)}, reference "
                              f"{_money(row.reference)}, gap {_gap(row.gap)}, unserved "
                              f"{'-' if row.unserved is None else row.unserved}, "
                              f"{row.wall_s} s, {row.check}")
                progress.advance(task)
        summary = native.summarize(engine, rows)
        summaries.append(summary)
        failed |= summary.check_failed > 0
        frame = pd.DataFrame([dataclasses.asdict(r) for r in rows])
        stem = f"routing-native-{engine}-{time_limit:g}s-{workers}w"
        atomic_write_text(out / f"{stem}.csv", with_metadata(frame).to_csv(index=False))
        shown = frame.assign(
            gap=frame["gap"].map(_gap),
            cost=frame["cost"].map(_money), reference=frame["reference"].map(_money),
            unserved=frame["unserved"].map(lambda v: "-" if pd.isna(v) else str(int(v))))
        shown.loc[frame["check"] == "n/a", ["cost", "gap", "unserved"]] = "n/a"
        text = (f"# {stem}\n\n{machine}\nreferences: benchmarks/native/references.csv"
                f"\n\n{_native_summary_md([summary], chosen)}\n\n"
                + shown.to_markdown(index=False, disable_numparse=True) + "\n")
        atomic_write_text(out / f"{stem}.md", text)
    table = _native_table(summaries, chosen)
    console.print(table)
    if len(engines) > 1:
        stem = f"routing-native-compare-{time_limit:g}s-{workers}w"
        gaps = pd.DataFrame({s.engine: pd.Series(s.gaps, dtype=float) for s in summaries},
                            index=[c.name for c in chosen])
        per_day = gaps.map(_gap)
        for s in summaries:
            if s.engine == "pyvrp":
                per_day.loc[[c.name for c in chosen if c.pyvrp is not None], "pyvrp"] = "n/a"
        text = (f"# {stem}\n\n{machine}\nengines {', '.join(engines)}, {time_limit:g} s per "
                f"day, {workers} worker(s)\n\n{_native_summary_md(summaries, chosen)}\n\n"
                f"## Gap per day\n\n" + per_day.to_markdown() + "\n")
        atomic_write_text(out / f"{stem}.md", text)
        atomic_write_text(out / f"{stem}.csv", with_metadata(pd.DataFrame(
            [_native_summary_row(s, chosen) for s in summaries])).to_csv(index=False))
    if failed:
        console.print("[bold red]a plan failed the independent checker[/]")
        raise typer.Exit(1)


def _native_summary_row(summary: Summary, chosen: list[NativeCase] | None = None
                        ) -> dict[str, object]:
    from benchmarks import routing_native as native

    row: dict[str, object] = {
        "engine": summary.engine, "days": summary.instances, "n/a": summary.not_applicable,
        "refs": summary.with_reference, "mean gap": _gap(summary.mean_gap),
        "max gap": _gap(summary.max_gap), "unserved": summary.unserved,
        "no plan": summary.no_plan, "lost": summary.lost, "FAIL": summary.check_failed}
    if chosen is not None:
        pyvrp_days = [c.name for c in chosen if c.pyvrp is None]
        row[f"mean gap, PyVRP's {len(pyvrp_days)}"] = _gap(
            native.mean_gap_on(summary, pyvrp_days))
    return row


#: Under every summary table in the reports.
NATIVE_LEGEND = (
    "days: days the engine ran (PyVRP: the days it takes; n/a: the others); refs: days with a "
    "reference; gap = (cost - reference) / reference, negative when better than the "
    "reference, mean and max over the days with a plan and a reference; unserved: stops left "
    "out, all days; no plan: days without any plan; lost: of those, days whose reference has "
    "a plan; FAIL: plans the checker rejected; last column: the mean gap over the days PyVRP "
    "takes, so the engines compare on the same days.")


def _native_summary_md(summaries: list[Summary], chosen: list[NativeCase] | None = None) -> str:
    return pd.DataFrame([_native_summary_row(s, chosen) for s in summaries]).to_markdown(
        index=False, disable_numparse=True) + "\n\n" + NATIVE_LEGEND


def _native_table(summaries: list[Summary], chosen: list[NativeCase]) -> Table:
    rows = [_native_summary_row(s, chosen) for s in summaries]
    table = Table(*rows[0].keys(), title="routing/native")
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    return table


@app.command("routing-references")
def routing_references(
    time_limit: Annotated[float, typer.Option(
        help="The suite's time limit; each engine gets factor x this.")] = 30.0,
    factor: Annotated[float, typer.Option(help="Multiple of the time limit.")] = 10.0,
    workers: Annotated[int, typer.Option(help="Portfolio searches at once.")] = 2,
    only: Annotated[str | None, typer.Option(
        help="Comma-separated instance names; the other rows of the file are kept.")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Default benchmarks/native/references.csv.")] = None,
) -> None:
    """Derive the native suite's references: per day, the best checked plan of PyVRP (where it
    takes the day) and OR-Tools, each given factor x time limit seconds."""
    from benchmarks import routing_native as native

    path = out or native.REFERENCES
    names = [n.strip() for n in only.split(",") if n.strip()] if only else None
    command = (f"python -m benchmarks routing-references --time-limit {time_limit:g} "
               f"--factor {factor:g} --workers {workers}")
    unknown = set(names or ()) - {c.name for c in native.cases()}
    if unknown:
        raise typer.BadParameter(f"unknown native instance(s): {', '.join(sorted(unknown))}")
    kept = native.read_references(path) if names else {}
    rows = native.derive_references(
        factor, time_limit, workers, names, derived_with=command,
        on_row=lambda r: console.print(f"{r['instance']}: {r['reference_cost'] or 'no plan'} "
                                       f"({r['engine']}, {r['seconds']:g} s)"))
    fresh = {r["instance"]: r for r in rows}
    merged = []
    for case in native.cases():
        if case.name in fresh:
            merged.append(fresh[case.name])
        elif case.name in kept:
            ref = kept[case.name]
            merged.append({"instance": case.name,
                           "reference_cost": "" if ref.cost is None else ref.cost,
                           "engine": ref.engine, "seconds": ref.seconds,
                           "derived_with": ref.derived_with,
                           "unserved": "" if ref.unserved is None else ref.unserved})
    native.write_references(merged, path)
    console.print(f"wrote {path} ({len(merged)} day(s))")


@app.command()
def batch(
    instances: Annotated[int, typer.Option(min=1, help="Generated delivery days.")] = 40,
    stops: Annotated[int, typer.Option(min=2, help="Stops per day.")] = 25,
    solution_limit: Annotated[int, typer.Option(
        min=1, help="Solutions per solve (the same work in every configuration).")] = 100,
    time_limit: Annotated[float, typer.Option(help="Seconds per solve (a safety net).")] = 30.0,
    trivial_tasks: Annotated[int, typer.Option(
        min=1, help="Trivial tasks timed per configuration.")] = 200,
    out: OutOpt = Path("benchmarks/results"),
) -> None:
    """The same routing days on 1 and 2 local workers and a Dask LocalCluster of 2 workers:
    wall time, speed-up, overhead per task; writes batch-routing-<N>x<stops>.md and .csv."""
    from benchmarks.batch_bench import report
    from benchmarks.batch_bench import run as run_batch_bench

    def shown(m: Any) -> None:
        console.print(f"{m.config}: {m.wall_s} s wall, {m.ok} ok, {m.failed} failed, "
                      f"trivial task {m.trivial_per_task_ms} ms", highlight=False)

    measures = run_batch_bench(instances, stops, solution_limit, time_limit, trivial_tasks,
                               shown)
    text = report(measures, instances, stops, solution_limit, time_limit, metadata_markdown())
    out.mkdir(parents=True, exist_ok=True)
    stem = f"batch-routing-{instances}x{stops}"
    atomic_write_text(out / f"{stem}.md", text)
    frame = pd.DataFrame([dataclasses.asdict(m) for m in measures])
    atomic_write_text(out / f"{stem}.csv", with_metadata(frame).to_csv(index=False))
    console.print(text)
    if any(m.failed for m in measures):
        console.print("[bold red]an instance failed[/]")
        raise typer.Exit(1)


@app.command()
def versus(
    suite: Annotated[str, typer.Option(
        help="x-mid (59 CVRPLIB X), solomon (56), tune (the X instances tuned on) or "
             "held-out (x-mid without them).")] = "x-mid",
    time_limit: SecondsOpt = 30.0,
    every: Annotated[int, typer.Option(
        min=1, help="Every Nth instance of the suite only (from the first).")] = 1,
    out: OutOpt = Path("benchmarks/results"),
) -> None:
    """The product at 1 and 2 workers beside PyVRP called directly (one process, the same
    seconds), in one run; writes versus-<suite>-<limit>s.csv and .md after every instance.
    Run it alone: PyVRP alone and the 1-worker product share the two cores, then the
    2-worker product has both."""
    from benchmarks.versus import as_dicts, versus_cases
    from benchmarks.versus import run as run_versus

    chosen = versus_cases(suite)[::every]
    stem = f"versus-{suite}{'' if every == 1 else f'-every{every}'}-{time_limit:g}s"
    out.mkdir(parents=True, exist_ok=True)
    rows: list[Any] = []

    def shown(row: Any) -> None:
        console.print(f"{row.instance}: ref {row.reference:,.1f} | direct {_gap(row.gap_direct)} "
                      f"({row.direct_wall_s} s) | 1w {_gap(row.gap_one)} ({row.one_wall_s} s) "
                      f"| 2w {_gap(row.gap_two)} ({row.two_wall_s} s)", highlight=False)

    for row in run_versus(chosen, time_limit, shown):
        rows.append(row)
        frame = pd.DataFrame(as_dicts(rows))
        atomic_write_text(out / f"{stem}.csv", with_metadata(frame).to_csv(index=False))
        atomic_write_text(out / f"{stem}.md", _versus_md(stem, frame, time_limit,
                                                         len(rows) < len(chosen)))
    console.print(_versus_summary(pd.DataFrame(as_dicts(rows)), time_limit).to_markdown())
    if any(r.one is None or r.two is None for r in rows):
        console.print("[bold red]a product run gave no plan[/]")
        raise typer.Exit(1)


def _versus_summary(frame: pd.DataFrame, limit: float) -> pd.DataFrame:
    groups = [("all", frame)]
    if frame["tuned_on"].any():
        groups += [("tuned on", frame[frame["tuned_on"]]),
                   ("held out", frame[~frame["tuned_on"]])]
    out = []
    for label, part in groups:
        for set_name, rows in part.groupby("set"):
            within = (rows["one_wall_s"] <= 1.1 * limit) & (rows["two_wall_s"] <= 1.1 * limit)
            out.append({
                "set": set_name, "instances": f"{label} ({len(rows)})",
                "direct mean": _gap(rows["gap_direct"].mean()),
                "1w mean": _gap(rows["gap_one"].mean()),
                "2w mean": _gap(rows["gap_two"].mean()),
                "direct max": _gap(rows["gap_direct"].max()),
                "1w max": _gap(rows["gap_one"].max()), "2w max": _gap(rows["gap_two"].max()),
                "1w <= direct": f"{(rows['one'] <= rows['direct']).sum()}/{len(rows)}",
                "2w <= direct": f"{(rows['two'] <= rows['direct']).sum()}/{len(rows)}",
                "max wall 1w / 2w (s)": f"{rows['one_wall_s'].max()} / "
                                        f"{rows['two_wall_s'].max()}",
                "within limit + 10 %": f"{within.sum()}/{len(rows)}",
            })
    return pd.DataFrame(out)


def _versus_md(stem: str, frame: pd.DataFrame, limit: float, partial: bool) -> str:
    shown = frame.copy()
    for column in ("gap_direct", "gap_one", "gap_two"):
        shown[column] = shown[column].map(_gap)
    return (f"# {stem}{' (PARTIAL: still running)' if partial else ''}\n\n"
            f"PyVRP alone (seed 0, one process, {limit:g} s of search; X fleet = minimum "
            f"routes + max(3, 20 %)) and `optimizer routing solve --workers 1` run at once, "
            f"one core each; then `--workers 2` alone. Product wall times are whole commands "
            f"(start-up, search, check, outputs).\n\n{metadata_markdown()}\n"
            + _versus_summary(frame, limit).to_markdown(index=False) + "\n\n"
            + shown.to_markdown(index=False) + "\n")


@app.command()
def fuzz(
    out: Annotated[Path, typer.Option(help="Markdown report of the failing cases.")] = Path(
        "benchmarks/results/fuzz.md"),
    only: Annotated[str | None, typer.Option(help="Only the cases whose id holds this.")] = None,
    corpus: Annotated[bool, typer.Option(
        help="Also run the CI corpus of tests/fuzz (about 1,300 cases).")] = False,
) -> None:
    """The slow fuzz cases (10^6 bad records, a stray cell in Excel row 1,048,576, Ctrl-C on a
    100 x 400 solve); fails when any case breaks its contract."""
    from benchmarks.fuzz import run_report

    failing = run_report(out, only=only, with_corpus=corpus, console=console)
    if failing:
        console.print(f"[bold red]{failing} fuzz case(s) failed[/]; see {out}")
        raise typer.Exit(1)


def main(argv: list[str] | None = None) -> int:
    """Run the harness; a missing bench-data folder is one line and exit code 7."""
    try:
        app(args=argv, prog_name="python -m benchmarks")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except MissingBenchDataError as exc:
        err_console.print(f"[bold red]missing benchmark data:[/] {exc}", highlight=False,
                          soft_wrap=True)
        return int(ExitCode.MISSING_DATA)
    return 0


def run() -> None:
    """``python -m benchmarks``."""
    sys.exit(main())
