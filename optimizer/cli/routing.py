"""``optimizer routing ...``: solve, check, schema, plot."""

from __future__ import annotations

import json
import threading
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from models.routing import (
    MAX_SEED,
    PlanCheckError,
    RoutePlan,
    RoutingInstance,
    RoutingOptions,
    RoutingSummary,
    SearchProcessError,
    Sequenceable,
    assemble_plan,
    check_plan,
    generate_day,
    unserved_reasons,
    warm_up_searches,
)
from models.solver import SolveStatus, was_interrupted
from optimizer.cli.common import (
    console,
    err_console,
    fail,
    input_paths,
    instance_label,
    interrupt_exits_130,
    is_stdin,
    json_output,
    people_console,
    print_json,
    read_stdin_instance,
    search_deadline,
    violation_lines,
)
from optimizer.errors import ExitCode, InputError
from optimizer.executor import default_workers
from optimizer.formats.route_sequences import is_route_sequences, read_route_sequences
from optimizer.formats.routing import (
    prepare_plan_writing,
    read_routing_data,
    read_routing_instance,
    read_routing_plan,
    routing_schema,
    write_routing_instance,
    write_routing_plan,
)
from optimizer.formats.routing_bench import detect_format, read_benchmark
from optimizer.jobs.steps import require_engine, routing_exit_code
from optimizer.output_folder import (
    PLAN_MARKERS,
    check_output,
    check_output_file,
    check_output_folder,
    staged_file,
    staged_output,
)
from optimizer.reports.routing_summary import check_summary, plan_summary
from optimizer.routing_portfolio import solve_portfolio

app = typer.Typer(help="Vehicle routing (OR-Tools): delivery days to checked, explained routes.",
                  no_args_is_help=True)


class Format(StrEnum):
    native = "native"
    vrplib = "vrplib"
    solomon = "solomon"
    lilim = "lilim"
    cordeau = "cordeau"


class Convention(StrEnum):
    dimacs = "dimacs"
    hierarchical = "hierarchical"


InstanceArg = Annotated[Path, typer.Argument(
    help="Instance: native .json / CSV folder / .xlsx, or a benchmark file with --format.")]
SolveInstanceArg = Annotated[Path, typer.Argument(
    help="Instance: native .json / CSV folder / .xlsx, a benchmark file with --format, or - "
         "for the native JSON on standard input.")]
FormatOpt = Annotated[Format, typer.Option(
    "--format", help="native, or a benchmark format read with its reference convention.")]
ConventionOpt = Annotated[Convention, typer.Option(
    help="Solomon only: dimacs (distances and times truncated to 0.1, distance objective) or "
         "hierarchical (double precision, vehicles then distance).")]


def load_instance(path: Path, fmt: Format, convention: Convention) -> RoutingInstance:
    """Read a native or benchmark instance. Under ``--format native`` (the default) a file
    that is not native (.json, .xlsx, a CSV folder) is read as the benchmark format its name
    and content show (VRPLIB .vrp, Solomon, Li & Lim, Cordeau)."""
    if fmt != Format.native:
        return read_benchmark(path, fmt.value, convention.value)
    if path.is_dir() or path.suffix.lower() in (".json", ".xlsx", ".xlsm"):
        return read_routing_instance(path)
    if not path.exists():
        raise InputError([f"{path}: no such file or folder"])
    found = detect_format(path)
    if found is None:
        raise InputError([f"{path}: neither a native instance (a .json file, a folder of .csv "
                          f"files, an .xlsx workbook) nor a recognised benchmark file (VRPLIB "
                          f".vrp, Solomon, Li & Lim, Cordeau); or name it with --format"])
    return read_benchmark(path, found, convention.value)


@app.command("solve")
@json_output
@interrupt_exits_130
def solve_command(
    instance: SolveInstanceArg,
    out: Annotated[Path | None, typer.Option(
        help="Folder for plan.json, routes.csv, stops.csv, unserved.csv, map.png.")] = None,
    fmt: FormatOpt = Format.native,
    convention: ConventionOpt = Convention.dimacs,
    time_limit: Annotated[float | None, typer.Option(
        min=0.1, max=7 * 86400,
        help="Seconds (at most a week), counted from the command's start: the searches stop "
             "early enough to check and write the plan within it (a limit shorter than "
             "start-up still gets half of it to search).")] = 10.0,
    solution_limit: Annotated[int | None, typer.Option(
        min=1, help="Stop after this many solutions (reproducible).")] = None,
    first_solution: Annotated[str, typer.Option(
        help="auto, cheapest_arc, savings, parallel_insertion, christofides.")] = "auto",
    metaheuristic: Annotated[str, typer.Option(help="gls, tabu, annealing, greedy.")] = "gls",
    engine: Annotated[str, typer.Option(
        help="auto (both engines at once on delivery days where PyVRP applies, else the one "
             "that does; the other gets its turn if the first finds no plan), ortools, pyvrp.")
    ] = "auto",
    workers: Annotated[int | None, typer.Option(
        min=1, help="Independent searches run at once (default: all cores).")] = None,
    seed: Annotated[int, typer.Option(min=0, max=MAX_SEED,
                                      help="Seed of the first search (0 or more).")] = 0,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print only JSON on stdout: the plan, or an error object on failure "
                       "(messages go to stderr).")] = False,
) -> None:
    """Solve a routing instance; print the summary and write the plan with --out.

    Exit codes: 0 plan, 2 invalid input, 3 a stop that must be served cannot be, 4 no plan
    within the limits, 5 the plan failed the independent check."""
    inputs = input_paths(instance)
    if out is not None:
        check_output_folder(out, inputs, PLAN_MARKERS)  # before any solve: exit 2
    if solution_limit is None:
        warm_up_searches(("optimizer.cli",))  # ready while the instance is read
    inst = (read_stdin_instance(read_routing_data, fmt.value) if is_stdin(instance)
            else load_instance(instance, fmt, convention))
    require_engine(inst, engine, instance_label(instance))
    try:
        options = RoutingOptions(time_limit=time_limit, solution_limit=solution_limit,
                                 engine=engine,  # type: ignore[arg-type]
                                 first_solution=first_solution, metaheuristic=metaheuristic,
                                 seed=seed)
    except ValueError as exc:
        raise InputError([f"options: {exc}"]) from None
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                      TextColumn("best {task.fields[best]}"), console=console,
                      transient=True, disable=as_json) as progress:
            task = progress.add_task(f"routing {inst.name}", total=time_limit or 1.0,
                                     best="-")

            def show(elapsed: float, cost: float | None) -> None:
                progress.update(task, completed=min(elapsed, time_limit or elapsed),
                                best="-" if cost is None else f"{cost:,.2f}")

            count = workers or default_workers()
            if out is not None:  # the output modules load while the searches run
                threading.Thread(target=prepare_plan_writing, daemon=True).start()
            finish_by = None if time_limit is None or solution_limit is not None else \
                search_deadline(time_limit, finishing_seconds(len(inst.stops), count,
                                                              out is not None))
            plan = solve_portfolio(inst, options, count, show, finish_by=finish_by)
    except PlanCheckError as exc:
        console.print(check_summary(exc.report))
        fail(ExitCode.CHECK_FAILED, "the plan failed the independent check; nothing written",
             violation_lines(exc.report))
    except SearchProcessError as exc:
        fail(ExitCode.NO_SOLUTION, f"{exc}; nothing written")
    written = []
    if out is not None:
        written = write_routing_plan(plan, out, inst, inputs=inputs, with_map=True)
    show = people_console()  # the same summary on stderr under --json
    show.print(plan_summary(plan, inst))
    if out is not None:
        show.print(f"plan written to {out}/ ({', '.join(p.name for p in written)})")
    if as_json:
        print_json(plan.model_dump(mode="json"))
    if was_interrupted(plan.solve.stop_reason):
        err_console.print("[bold yellow]interrupted[/]: Ctrl-C stopped the searches; this is "
                          "the best plan found so far (checked)", highlight=False)
    raise typer.Exit(int(routing_exit_code(inst, plan)))


def finishing_seconds(stops: int, workers: int, writes: bool) -> float:
    """Seconds kept after the searches for checking each member's plan and writing the
    outputs (measured: 1.6 s to write plan.json, the CSVs, plan.xlsx, map.png and
    report.html of 400 stops; a member's plan assembly and check about 0.1 s)."""
    return 0.3 + stops * ((0.003 if writes else 0.0005) + 0.0005 * max(0, workers - 1))


@app.command("check")
def check_command(
    instance: InstanceArg,
    plan: Annotated[Path, typer.Argument(
        help="plan.json (or the folder holding it), or bare routes a person wrote or edited: "
             "a CSV with one row per visit (vehicle TYPE#K, stop; e.g. an edited stops.csv) "
             "or a JSON list of {vehicle, stops}.")],
    fmt: FormatOpt = Format.native,
    convention: ConventionOpt = Convention.dimacs,
) -> None:
    """Check a plan with the independent checker (exit 5 on violations).

    Bare routes are scheduled and priced by the plan's own rules first; the command prints
    their cost and every violation (docs/routing-format.md, "Checking an edited plan")."""
    inst = load_instance(instance, fmt, convention)
    if is_route_sequences(plan):
        edited = edited_plan(inst, read_route_sequences(plan, inst), plan)
        report = check_plan(inst, edited)
        if not report.ok:  # say so in the summary too: these routes are not a valid plan
            broken = edited.solve.model_copy(update={
                "status": SolveStatus.INFEASIBLE,
                "stop_reason": f"routes read from {plan.name} break "
                               f"{len(report.violations)} rule(s), below"})
            edited = edited.model_copy(update={"solve": broken})
        console.print(plan_summary(edited, inst))
    else:
        report = check_plan(inst, read_routing_plan(plan))
    console.print(check_summary(report))
    raise typer.Exit(int(ExitCode.OK if report.ok else ExitCode.CHECK_FAILED))


def edited_plan(inst: RoutingInstance, sequences: list[Sequenceable], source: Path) -> RoutePlan:
    """The plan of bare route sequences by the plan's own rules (each route leaves as late as
    it can, serves each stop as early as its windows allow), with a reason for every stop it
    leaves out; its violations are for the checker to report."""
    summary = RoutingSummary(status=SolveStatus.FEASIBLE, engine="edited",
                             stop_reason=f"routes read from {source.name}")
    plan = assemble_plan(inst, sequences, summary)
    reasons = unserved_reasons(inst, plan)
    return assemble_plan(inst, sequences, summary, reasons) if reasons else plan


def plan_mismatch(inst: RoutingInstance, plan: RoutePlan) -> list[str]:
    """Ids in ``plan`` that ``inst`` does not have (vehicle types, depots, stops): a plan of
    another instance."""
    unknown = []
    for r in plan.routes:
        if r.vehicle_type not in inst.vehicle_type_by_id:
            unknown.append(f"vehicle type {r.vehicle_type}")
        unknown += [f"depot {d}" for d in (r.start_depot, r.end_depot)
                    if d not in inst.depot_by_id]
        unknown += [f"stop {v.stop}" for v in r.visits if v.stop not in inst.stop_by_id]
    unknown += [f"stop {u.stop}" for u in plan.unserved if u.stop not in inst.stop_by_id]
    return list(dict.fromkeys(unknown))


@app.command("plot")
def plot_command(
    instance: InstanceArg,
    plan: Annotated[Path, typer.Argument(
        help="plan.json (or the folder holding it), or bare routes as for check.")],
    out: Annotated[Path, typer.Option(help="PNG file to write.")],
    fmt: FormatOpt = Format.native,
    convention: ConventionOpt = Convention.dimacs,
) -> None:
    """Draw the routes of a plan on a map (PNG)."""
    from optimizer.reports.route_map import map_coordinates, write_route_map

    read = [instance, plan / "plan.json" if plan.is_dir() else plan]  # the files read
    check_output_file(out, read)  # before reading anything: exit 2
    inst = load_instance(instance, fmt, convention)
    if is_route_sequences(plan):
        drawn = edited_plan(inst, read_route_sequences(plan, inst), plan)
    else:
        drawn = read_routing_plan(plan)
    unknown = plan_mismatch(inst, drawn)
    if unknown:
        named = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5
                                          else "")
        raise InputError([f"{plan}: not a plan of {instance} (plan of instance "
                          f"'{drawn.instance}', this is '{inst.name}'): {instance} has no "
                          f"{named}"])
    if map_coordinates(inst) is None:
        raise InputError([f"{instance}: a matrix instance without lat/lon for every depot and "
                          f"stop has no map"])
    with staged_file(out, read) as target:  # OSError: exit 6, nothing written
        write_route_map(inst, drawn, target)
    console.print(f"wrote {out}")


@app.command("generate")
def generate_command(
    out: Annotated[Path, typer.Option(help="Where to write: .json, a folder (CSV) or .xlsx.")],
    stops: Annotated[int, typer.Option(min=1)] = 60,
    depots: Annotated[int, typer.Option(min=1)] = 1,
    seed: Annotated[int, typer.Option(min=0, help="0 or more; the same seed, the same day.")
                    ] = 0,
    window_share: Annotated[float, typer.Option(min=0, max=1)] = 0.6,
    tightness: Annotated[float, typer.Option(min=0, max=1)] = 0.5,
    returns: Annotated[int, typer.Option(min=0)] = 3,
    breaks: Annotated[bool, typer.Option(help="A 30-minute lunch break per driver.")] = False,
) -> None:
    """Generate a realistic delivery day (reproducible from --seed)."""
    check_output(out, _form_of(out), (), INSTANCE_MARKERS)
    inst = generate_day(stops, depots, seed, window_share, tightness, returns, name=out.stem,
                        breaks=breaks)
    with staged_output(out, _form_of(out), (), INSTANCE_MARKERS) as target:
        write_routing_instance(inst, target, _form_of(out), shown=out)
    console.print(f"wrote {inst.name}: {len(inst.depots)} depot(s), {len(inst.stops)} stops, "
                  f"{len(inst.shipments)} returns, {len(inst.vehicles)} vehicles -> {out}")


@app.command("convert")
def convert_command(
    instance: InstanceArg,
    out: Annotated[Path, typer.Argument(help="Target: .json, a folder (CSV) or .xlsx.")],
    fmt: FormatOpt = Format.native,
    convention: ConventionOpt = Convention.dimacs,
) -> None:
    """Validate an instance (native or benchmark) and write it in the native format."""
    check_output(out, _form_of(out), [instance], INSTANCE_MARKERS)
    inst = load_instance(instance, fmt, convention)
    with staged_output(out, _form_of(out), [instance], INSTANCE_MARKERS) as target:
        write_routing_instance(inst, target, _form_of(out), shown=instance)
    console.print(f"wrote {out}")


#: The tables by which an earlier instance written as a CSV folder is recognised.
INSTANCE_MARKERS = ("depots.csv", "vehicle_types.csv")


def _form_of(path: Path) -> str:
    suffix = path.suffix.lower()
    return "json" if suffix == ".json" else "excel" if suffix in (".xlsx", ".xlsm") else "csv"


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the routing instance."""
    typer.echo(json.dumps(routing_schema(), indent=2))
