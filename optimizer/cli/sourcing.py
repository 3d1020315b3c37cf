"""``optimizer sourcing ...``: solve, check, generate, convert, schema."""

from __future__ import annotations

import json
import math
from contextlib import nullcontext
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from models.solver import interruptible, was_interrupted
from models.sourcing import (
    CheckReport,
    Measure,
    PlanCheckError,
    SolverOptions,
    SolveStatus,
    SourcingInstance,
    check_plan,
    evaluate,
    generate_instance,
    marginal_values,
    priced_allocations,
    solve,
)
from optimizer.cli.common import (
    STATUS_EXIT,
    console,
    err_console,
    fail,
    input_paths,
    interrupt_exits_130,
    is_stdin,
    json_output,
    people_console,
    print_json,
    read_stdin_instance,
    violation_lines,
)
from optimizer.errors import ExitCode, InputError
from optimizer.executor import default_workers, make_executor
from optimizer.formats.frontier import write_frontier
from optimizer.formats.sourcing import (
    is_allocation_table,
    read_allocation_table,
    read_sourcing_data,
    read_sourcing_instance,
    read_sourcing_plan,
    sourcing_schema,
    write_sourcing_instance,
    write_sourcing_plan,
)
from optimizer.frontier import trace_frontier
from optimizer.jobs.steps import sourcing_plan_json
from optimizer.output_folder import (
    FRONTIER_MARKERS,
    PLAN_MARKERS,
    check_output,
    check_output_folder,
    staged_output,
)
from optimizer.reports.sourcing_summary import check_summary, marginals_table, plan_summary

app = typer.Typer(help="Supplier selection and order splitting (MILP, PuLP + HiGHS/CBC).",
                  no_args_is_help=True)


class Solver(StrEnum):
    highs = "highs"
    cbc = "cbc"


class Form(StrEnum):
    json = "json"
    csv = "csv"
    excel = "excel"


InstanceArg = Annotated[Path, typer.Argument(
    help="Instance: a .json file, a folder of .csv tables, or an .xlsx workbook.")]


@app.command("solve")
@json_output
@interrupt_exits_130
def solve_command(
    instance: Annotated[Path, typer.Argument(
        help="Instance: a .json file, a folder of .csv tables, an .xlsx workbook, or - for "
             "the JSON on standard input.")],
    out: Annotated[Path | None, typer.Option(
        help="Folder for plan.json and the CSV tables (written only after the plan is checked).",
    )] = None,
    solver: Annotated[Solver, typer.Option(help="MILP solver.")] = Solver.highs,
    time_limit: Annotated[float | None, typer.Option(min=0.001, help="Seconds.")] = None,
    gap: Annotated[float, typer.Option(
        min=0.0, max=0.999, help="Relative gap at which to stop (0 = prove optimality).")] = 0.0,
    threads: Annotated[int | None, typer.Option(min=1)] = None,
    seed: Annotated[int, typer.Option(help="Solver random seed.")] = 0,
    log: Annotated[bool, typer.Option("--log/--no-log", help="Show the solver log.")] = False,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print only JSON on stdout: the plan, or an error object on failure "
                       "(messages go to stderr).")] = False,
    marginals: Annotated[bool, typer.Option(
        "--marginals", help="Also report marginal values of capacities, demands and share caps "
                            "(binaries fixed, LP re-solved).")] = False,
) -> None:
    """Solve a sourcing instance; print the plan summary and write the plan with --out.

    Exit codes: 0 plan, 2 invalid input, 3 infeasible (the plan says which rules have to give),
    4 no plan within the limits, 5 the plan failed the independent check."""
    inputs = input_paths(instance)
    if out is not None:
        check_output_folder(out, inputs, PLAN_MARKERS)  # before any solve: exit 2
    inst = (read_stdin_instance(read_sourcing_data) if is_stdin(instance)
            else read_sourcing_instance(instance))
    currency = inst.policy.currency
    options = SolverOptions(solver=solver.value, time_limit=time_limit, gap=gap,
                            threads=threads, seed=seed, log=log)
    try:
        with (console.status(f"solving {inst.name} with {solver.value}... (Ctrl-C keeps the "
                             f"best plan so far)") if not (log or as_json) else nullcontext(),
              interruptible()):
            plan = solve(inst, options)
    except PlanCheckError as exc:
        console.print(check_summary(exc.report))
        fail(ExitCode.CHECK_FAILED, "the solver's plan failed the independent check; "
                                    "nothing was written", violation_lines(exc.report))
    interrupted = was_interrupted(plan.solve.stop_reason)
    values = None
    if marginals and plan.solve.status.has_solution and not interrupted:
        with interruptible():
            values = marginal_values(inst, plan, replace(options, time_limit=None, gap=0.0))
    written = (write_sourcing_plan(plan, out, currency, values, inputs=inputs)
               if out is not None else [])
    if interrupted:
        err_console.print(f"[bold yellow]interrupted[/]: Ctrl-C stopped the solver; this is "
                          f"the best plan found so far (status {plan.solve.status.value}, gap "
                          f"{'-' if plan.solve.gap is None else f'{plan.solve.gap:.2%}'})",
                          highlight=False)
    show = people_console()  # the same summary on stderr under --json
    show.print(plan_summary(plan, currency=currency))
    if values is not None:
        show.print(marginals_table(values))
    if out is not None:
        show.print(f"plan written to {out}/ ({', '.join(p.name for p in written)})")
    if as_json:
        print_json(sourcing_plan_json(plan, values))
    raise typer.Exit(int(STATUS_EXIT[plan.solve.status]))


@app.command("frontier")
@interrupt_exits_130
def frontier_command(
    instance: InstanceArg,
    out: Annotated[Path, typer.Option(
        help="Folder for frontier.csv, frontier.json, frontier.png and points/NN/ plans.")],
    measure: Annotated[Measure, typer.Option(
        help="max-share: largest supplier share of a product; hhi: largest product HHI; "
             "cvar: CVaR of the scenario cost (needs scenarios).")] = Measure.MAX_SHARE,
    points: Annotated[int, typer.Option(min=2, max=200, help="Points, extremes included.")] = 10,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Worker processes (default: all cores).")] = None,
    cluster: Annotated[str | None, typer.Option(
        help="Dask scheduler address; default $OPTIMIZER_CLUSTER, else local processes.")]
    = None,
    solver: Annotated[Solver, typer.Option(help="MILP solver.")] = Solver.highs,
    time_limit: Annotated[float | None, typer.Option(
        min=0.001, help="Seconds per solve.")] = None,
    gap: Annotated[float, typer.Option(
        min=0.0, max=0.999, help="Relative gap per solve (0 = prove optimality).")] = 0.0,
    seed: Annotated[int, typer.Option(help="Solver random seed.")] = 0,
    caps: Annotated[str | None, typer.Option(
        help="Caps to trace instead of evenly spaced ones, comma-separated, in the measure's "
             "unit: shares as fractions or percent (0.7,0.6,0.5 or 70%,60%), CVaR in money. "
             "--points is then ignored.")] = None,
) -> None:
    """Trace the cost-vs-diversification frontier by epsilon constraints, in parallel."""
    check_output_folder(out, [instance], FRONTIER_MARKERS)  # before any solve: exit 2
    cap_values = parse_caps(caps, measure) if caps is not None else None
    inst = read_sourcing_instance(instance)
    currency = inst.policy.currency
    if measure == Measure.CVAR and not inst.scenarios:
        raise InputError([f"{instance}: --measure cvar needs scenarios (a 'scenarios' table)"])
    if cap_values is not None:
        points = len(cap_values) + 1
    count = workers or default_workers()
    options = SolverOptions(solver=solver.value, time_limit=time_limit, gap=gap, threads=1,
                            seed=seed)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task(f"frontier of {inst.name} ({measure.value}, {count} workers)",
                                 total=points + 1)

        def advance(_what: str) -> None:
            progress.advance(task)

        with interruptible():
            frontier = trace_frontier(inst, measure, points, options, count, advance,
                                      cap_values, make_executor(count, cluster))
    if not frontier.plans:
        first = frontier.points[0]
        fail(ExitCode.INFEASIBLE if first.status == SolveStatus.INFEASIBLE
             else ExitCode.NO_SOLUTION,
             f"no cost-optimal plan ({first.status.value}); run 'optimizer sourcing solve' "
             f"for the explanation")
    write_frontier(frontier, out, currency, inputs=[instance])
    table = Table(title=f"frontier: {inst.name}, {len(frontier.efficient)} "
                        f"efficient points in {frontier.seconds:.1f} s",
                  caption="knee: the efficient point farthest from the line joining the ends "
                          "(axes scaled to their ranges)" if frontier.knee is not None else
                          "no knee: the frontier is (nearly) straight, every step of "
                          "diversification costs about the same", pad_edge=False)
    for header in ("#", "cap", "cost" + (f" ({currency})" if currency else ""), measure.value,
                   "suppl.", "status", "gap", "s", "efficient"):
        table.add_column(header, overflow="fold", justify="left" if header in (
            "status", "efficient") else "right")

    def shown(value: float | None) -> str:
        if value is None:
            return "-"
        if measure == Measure.CVAR:
            return f"{value:,.0f}"
        return f"{value:.1%}" if measure == Measure.MAX_SHARE else f"{value:.4f}"

    for p in frontier.points:
        table.add_row(str(p.index), shown(p.epsilon),
                      "-" if p.cost is None else f"{p.cost:,.0f}", shown(p.measure),
                      "-" if p.suppliers_used is None else str(p.suppliers_used),
                      p.status.value, "-" if p.gap is None else f"{p.gap:.2%}",
                      f"{p.seconds:.1f}", "no" if p.dominated else
                      ("yes (knee)" if p.index == frontier.knee else "yes"))
    console.print(table)
    console.print(f"frontier written to {out}/ (frontier.csv, frontier.json, frontier.png, "
                  f"points/)")


@app.command("check")
def check_command(
    instance: InstanceArg,
    plan: Annotated[Path, typer.Argument(
        help="plan.json (or the folder holding it), or a bare allocation table (.csv, .xlsx "
             "or .json with the columns supplier, product, quantity).")],
) -> None:
    """Check a plan against an instance with the independent checker (exit 5 on violations).

    A bare allocation table (a plan a person wrote or edited) is priced by the checker with
    the instance's rules (price breaks, onboarding, shortage penalties) and checked against
    every rule."""
    inst = read_sourcing_instance(instance)
    if is_allocation_table(plan):
        quantities = read_allocation_table(plan)
        report = evaluate(inst, quantities)
        console.print(_priced_table(inst, quantities))
        console.print(_cost_line(report))
    else:
        report = check_plan(inst, read_sourcing_plan(plan))
    console.print(check_summary(report))
    raise typer.Exit(int(ExitCode.OK if report.ok else ExitCode.CHECK_FAILED))


def _priced_table(inst: SourcingInstance, quantities: dict[tuple[str, str], float]) -> Table:
    """The allocations with the unit price in force and the cost, as the checker prices them."""
    table = Table("supplier", "product", "quantity", "unit price", "cost",
                  title="allocations, priced by the checker")
    for supplier, product, qty, price, cost in priced_allocations(inst, quantities):
        table.add_row(supplier, product, f"{qty:,.6g}",
                      "no offer" if price is None else f"{price:,.4f}",
                      "" if cost is None else f"{cost:,.2f}")
    return table


def _cost_line(report: CheckReport) -> str:
    line = (f"cost {report.total:,.2f} = onboarding {report.onboarding:,.2f} + purchase "
            f"{report.purchase:,.2f} + shortage penalty {report.shortage_penalty:,.2f}")
    if report.cvar is not None:
        line += (f"; expected cost {report.expected:,.2f}, VaR {report.var:,.2f}, CVaR "
                 f"{report.cvar:,.2f}, risk objective {report.objective:,.2f}")
    return line


@app.command("generate")
def generate_command(
    out: Annotated[Path, typer.Option(help="Where to write the instance.")],
    suppliers: Annotated[int, typer.Option(min=2)] = 20,
    products: Annotated[int, typer.Option(min=1)] = 50,
    seed: Annotated[int, typer.Option(min=0)] = 0,
    offers_per_product: Annotated[int, typer.Option(min=1)] = 10,
    scenarios: Annotated[int, typer.Option(
        min=0, help="Disruption scenarios (supplier failures, regional events).")] = 0,
    form: Annotated[Form | None, typer.Option(
        help="json, csv (a folder) or excel; default from the --out suffix.")] = None,
) -> None:
    """Generate a realistic random instance (reproducible from --seed)."""
    chosen = form.value if form else _form_of(out)
    check_output(out, chosen, (), INSTANCE_MARKERS)
    inst = generate_instance(suppliers, products, seed=seed,
                             offers_per_product=offers_per_product, name=out.stem,
                             scenarios=scenarios)
    with staged_output(out, chosen, (), INSTANCE_MARKERS) as target:
        write_sourcing_instance(inst, target, chosen, shown=out)
    console.print(f"wrote {inst.name}: {len(inst.suppliers)} suppliers, {len(inst.products)} "
                  f"products, {len(inst.offers)} offers, {len(inst.price_breaks)} price breaks "
                  f"-> {out} ({chosen})")


@app.command("convert")
def convert_command(
    instance: InstanceArg,
    out: Annotated[Path, typer.Argument(help="Target path.")],
    form: Annotated[Form | None, typer.Option(
        help="json, csv (a folder) or excel; default from the target's suffix.")] = None,
) -> None:
    """Validate an instance and write it in another form."""
    chosen = form.value if form else _form_of(out)
    check_output(out, chosen, [instance], INSTANCE_MARKERS)
    inst = read_sourcing_instance(instance)
    with staged_output(out, chosen, [instance], INSTANCE_MARKERS) as target:
        write_sourcing_instance(inst, target, chosen, shown=instance)
    console.print(f"wrote {out} ({chosen})")


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the sourcing instance."""
    typer.echo(json.dumps(sourcing_schema(), indent=2))


#: The tables by which an earlier instance written as a CSV folder is recognised.
INSTANCE_MARKERS = ("products.csv", "suppliers.csv", "offers.csv")


def parse_caps(text: str, measure: Measure) -> list[float]:
    """``0.7,0.6,0.5`` or ``70%,60%`` -> [0.7, 0.6, 0.5]; shares must lie in (0, 1]."""
    values = []
    for part in (p.strip() for p in text.split(",")):
        try:
            value = float(part[:-1]) / 100 if part.endswith("%") else float(part)
        except ValueError:
            raise InputError([f"--caps: {part!r} is not a number"]) from None
        share = measure != Measure.CVAR
        if not math.isfinite(value) or value <= 0 or (share and value > 1):
            raise InputError([f"--caps: {part!r} must be " + (
                "a share in (0, 1] (or a percentage)" if share else "a positive amount")])
        values.append(value)
    if not values:
        raise InputError(["--caps: give at least one cap"])
    return values


def _form_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".xlsx", ".xlsm"):
        return "excel"
    return "csv"
