"""``optimizer network ...``: solve, check, compare, generate, convert, schema, plot."""

from __future__ import annotations

import json
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from models.network import (
    NetworkInstance,
    NetworkPlan,
    SolverOptions,
    check_plan,
    why_not_facility_problem,
)
from models.solver import interruptible, was_interrupted
from optimizer.cli.common import (
    STATUS_EXIT,
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
    violation_lines,
)
from optimizer.errors import ExitCode, InputError
from optimizer.executor import LocalExecutor
from optimizer.formats.network import (
    INSTANCE_MARKERS,
    network_schema,
    read_network_data,
    read_network_instance,
    read_network_plan,
    write_network_instance,
    write_network_plan,
)
from optimizer.formats.tables import Form
from optimizer.jobs.steps import solve_checked, with_outbound
from optimizer.output_folder import (
    PLAN_MARKERS,
    check_output,
    check_output_file,
    check_output_folder,
    staged_file,
    staged_output,
)
from optimizer.reports.network_map import map_coordinates, why_no_map
from optimizer.reports.network_summary import plan_summary
from optimizer.reports.sourcing_summary import check_summary

app = typer.Typer(help="Network design (MILP, PuLP + HiGHS/CBC): which DCs to open, how big, "
                       "and who serves whom, fed by the sourcing rules.",
                  no_args_is_help=True)


class Solver(StrEnum):
    highs = "highs"
    cbc = "cbc"


class MethodChoice(StrEnum):
    auto = "auto"
    milp = "milp"
    facility_location = "facility-location"


class Format(StrEnum):
    """How the instance file is written: the three native forms, or a benchmark."""

    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    orlib_cap = "orlib-cap"
    holmberg = "holmberg"
    prodhon = "prodhon"


class OutboundChoice(StrEnum):
    """How the last mile is priced (overrides ``network_policy.outbound``)."""

    rates = "rates"
    routes = "routes"


InstanceArg = Annotated[Path, typer.Argument(
    help="Instance: a .json file, a folder of .csv tables or an .xlsx workbook; or a "
         "benchmark file with --format orlib-cap / holmberg / prodhon.")]
FormatOpt = Annotated[Format | None, typer.Option(
    "--format", help="json, csv (a folder), xlsx, or a benchmark: orlib-cap (OR-Library "
                     "CFLP), holmberg (single-source CFLP) or prodhon (location-routing). "
                     "Default: from the path.")]
CapacityOpt = Annotated[float | None, typer.Option(
    help="orlib-cap only: the capacity of every DC in capa/capb/capc (whose files say "
         "'capacity').")]
PlanArg = Annotated[Path, typer.Argument(help="plan.json, or the folder holding it.")]
OutboundOpt = Annotated[OutboundChoice | None, typer.Option(
    help="How the last mile is priced, overriding the instance's network_policy.outbound: "
         "rates (per unit) or routes (vehicle routes from each DC, needs a fleet table).")]


def load_instance(path: Path, fmt: Format | None = None,
                  capacity: float | None = None) -> NetworkInstance:
    """Read a native network instance (the form from ``fmt`` or the path) or a benchmark
    file (``orlib-cap`` with an optional ``capacity``, ``holmberg``); raises
    :class:`InputError` naming the file, record and field."""
    if fmt in (Format.orlib_cap, Format.holmberg):
        from optimizer.formats.network_bench import read_network_benchmark

        return read_network_benchmark(path, fmt.value, capacity)  # type: ignore[arg-type]
    if capacity is not None:
        what = "a Prodhon file" if fmt == Format.prodhon else "a native instance"
        raise InputError([f"--capacity applies only to --format orlib-cap (capa, capb and "
                          f"capc); {path} is {what}"])
    if fmt == Format.prodhon:
        from optimizer.formats.prodhon import read_prodhon

        return read_prodhon(path)
    if fmt is None and path.is_file() and path.suffix.lower() not in (".json", ".xlsx",
                                                                       ".xlsm"):
        raise InputError([f"{path}: not a native instance (a .json file, a folder of .csv "
                          f"files, an .xlsx workbook); a benchmark file needs --format "
                          f"orlib-cap or --format holmberg (--format prodhon for a "
                          f"location-routing file)"])
    forms: dict[Format | None, Form] = {Format.json: "json", Format.csv: "csv",
                                        Format.xlsx: "excel"}
    return read_network_instance(path, forms.get(fmt))


@app.command("solve")
@json_output
@interrupt_exits_130
def solve_command(
    instance: Annotated[Path, typer.Argument(
        help="Instance: a .json file, a folder of .csv tables or an .xlsx workbook, a "
             "benchmark file with --format, or - for the JSON on standard input.")],
    out: Annotated[Path | None, typer.Option(
        help="Folder for plan.json, the CSV tables, plan.xlsx and network.png (written only "
             "after the plan is checked).")] = None,
    fmt: FormatOpt = None,
    capacity: CapacityOpt = None,
    method: Annotated[MethodChoice, typer.Option(
        help="auto: the exact facility-location engine when the network has that structure "
             "(one product, no suppliers, ...), else the network MILP; milp; "
             "facility-location (refused when it does not apply).")] = MethodChoice.auto,
    outbound: Annotated[OutboundChoice | None, typer.Option(
        help="How the last mile is priced, overriding the instance's "
             "network_policy.outbound: rates (per unit) or routes (vehicle routes from each "
             "DC, needs a fleet table; a location-routing search, 60 s unless "
             "--time-limit; check the plan with the same --outbound).")] = None,
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
) -> None:
    """Solve a network instance; print the summary and write the plan with --out.

    Exit codes: 0 plan, 2 invalid input, 3 infeasible (the reasons are printed), 4 no plan
    within the limits, 5 the plan failed the independent check."""
    inputs = input_paths(instance)
    label = instance_label(instance)
    if out is not None:
        check_output_folder(out, inputs, PLAN_MARKERS)  # before any solve: exit 2
    if is_stdin(instance):
        if capacity is not None:
            raise InputError(["--capacity applies only to --format orlib-cap files"])
        inst = read_stdin_instance(read_network_data, None if fmt is None else fmt.value)
    else:
        inst = load_instance(instance, fmt, capacity)
    if outbound is not None:
        inst = with_outbound(inst, label, outbound)
    if inst.routes_mode and method != MethodChoice.auto:
        raise InputError([f"{label}: --method {method.value} does not apply to the "
                          f"outbound as routes (a location-routing search); use --method "
                          f"auto or --outbound rates"])
    if method == MethodChoice.facility_location and \
            (why := why_not_facility_problem(inst)) is not None:
        raise InputError([f"{label}: --method facility-location does not apply: {why}; "
                          f"use --method auto or milp"])
    currency = inst.policy.currency
    options = SolverOptions(solver=solver.value, time_limit=time_limit, gap=gap,
                            threads=threads, seed=seed, log=log)
    shown = "location-routing" if inst.routes_mode else method.value
    ctrl_c = ("Ctrl-C stops, nothing is written" if inst.routes_mode else
              "Ctrl-C keeps the best plan so far")
    with (console.status(f"solving {inst.name} ({shown}, {solver.value})... ({ctrl_c})")
          if not (log or as_json) else nullcontext(), interruptible()):
        if inst.routes_mode:
            # the location-routing search routes in the process it runs in, where OR-Tools
            # swallows Ctrl-C (the search ran to its limit and wrote its plan); in a worker
            # process Ctrl-C reaches this one, which stops the worker: exit 130
            with LocalExecutor(1, in_process=False) as pool:  # one worker, not this process
                kind, value = pool.map(solve_checked, [(inst, options, method.value)])[0]
        else:
            kind, value = solve_checked(inst, options, method.value)
    if kind == "check":
        console.print(check_summary(value))  # type: ignore[arg-type]
        fail(ExitCode.CHECK_FAILED, "the solver's plan failed the independent check; "
                                    "nothing was written", violation_lines(value))
    plan = value
    written = (write_network_plan(plan, out, inst, inputs=inputs)
               if out is not None else [])
    if was_interrupted(plan.solve.stop_reason):
        err_console.print(f"[bold yellow]interrupted[/]: Ctrl-C stopped the solver; this is "
                          f"the best plan found so far (status {plan.solve.status.value}, gap "
                          f"{'-' if plan.solve.gap is None else f'{plan.solve.gap:.2%}'})",
                          highlight=False)
    show = people_console()  # the same summary on stderr under --json
    show.print(plan_summary(plan, currency=currency))
    if plan.routes:
        from optimizer.reports.network_routes import routes_table

        show.print(routes_table(plan, inst.network_policy.delivery_days, currency))
    if out is not None:
        show.print(f"plan written to {out}/ ({', '.join(p.name for p in written)})")
        if plan.open_facilities and map_coordinates(inst) is None:
            show.print(why_no_map(inst), highlight=False)
    if as_json:
        print_json(plan.model_dump(mode="json"))
    raise typer.Exit(int(STATUS_EXIT[plan.solve.status]))


def _read_plan_of(inst: NetworkInstance, instance: Path, path: Path) -> NetworkPlan:
    """A plan file that must belong to ``inst`` (else :class:`InputError`)."""
    from optimizer.reports.network_compare import plan_mismatch

    plan = read_network_plan(path)
    unknown = plan_mismatch(inst, plan)
    if unknown:
        named = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5
                                          else "")
        raise InputError([f"{path}: not a plan of {instance} (plan of instance "
                          f"'{plan.instance}', this is '{inst.name}'): {instance} has no "
                          f"{named}"])
    return plan


@app.command("check")
def check_command(
    instance: InstanceArg,
    plan: PlanArg,
    fmt: FormatOpt = None,
    capacity: CapacityOpt = None,
    outbound: OutboundOpt = None,
) -> None:
    """Check a plan against an instance with the independent checker (exit 5 on violations):
    every flow balance, capacity, rule, route and reported figure is recomputed. Give the
    same --outbound as the solve."""
    inst = load_instance(instance, fmt, capacity)
    if outbound is not None:
        inst = with_outbound(inst, instance, outbound)
    read = read_network_plan(plan)
    report = check_plan(inst, read)
    if not read.solve.status.has_solution and any(d.quantity > 0 for d in inst.demand):
        # a plan without flows serves nothing: it does not meet the demand (as in sourcing);
        # whether the network really has no plan is not something a checker can prove
        report.add("demand", "plan", f"the plan has no solution (status "
                                     f"{read.solve.status.value}), so it serves no demand", 1.0)
    console.print(check_summary(report))  # type: ignore[arg-type]
    raise typer.Exit(int(ExitCode.OK if report.ok else ExitCode.CHECK_FAILED))


@app.command("compare")
def compare_command(
    instance: InstanceArg,
    plan_a: Annotated[Path, typer.Argument(help="The first plan (plan.json or its folder).")],
    plan_b: Annotated[Path, typer.Argument(help="The second plan.")],
    out: Annotated[Path | None, typer.Option(
        help="CSV file for the comparison (section, item, field, a, b, difference).")] = None,
    fmt: FormatOpt = None,
    capacity: CapacityOpt = None,
    outbound: OutboundOpt = None,
) -> None:
    """Put two plans of the same network side by side: open DCs, cost lines (B - A) and the
    customers that changed DC. Each plan is also run through the checker (a line says whether
    it passes; --outbound as for check); the exit code is 0 whatever they are."""
    from optimizer.reports.network_compare import compare_plans, compare_tables

    read = [instance, *(p / "plan.json" if p.is_dir() else p for p in (plan_a, plan_b))]
    if out is not None:
        check_output_file(out, read)  # before reading anything: exit 2
    inst = load_instance(instance, fmt, capacity)
    if outbound is not None:
        inst = with_outbound(inst, instance, outbound)
    a = _read_plan_of(inst, instance, plan_a)
    b = _read_plan_of(inst, instance, plan_b)
    for path, plan in ((plan_a, a), (plan_b, b)):
        if not plan.solve.status.has_solution:
            raise InputError([f"{path}: the plan has no solution (status "
                              f"{plan.solve.status.value}); there is nothing to compare"])
    comparison = compare_plans(inst, a, b)
    for name, path, plan in (("A", plan_a, a), ("B", plan_b, b)):
        report = check_plan(inst, plan)
        verdict = (f"[green]passes the checker on {instance}[/]" if report.ok else
                   f"[bold red]fails the checker on {instance} ({len(report.violations)} "
                   f"violation(s); run 'optimizer network check')[/]")
        console.print(f"{name}: {path} ({plan.solve.status.value}, {len(plan.open_facilities)} "
                      f"open DC(s)): {verdict}", highlight=False)
    console.print(compare_tables(comparison, currency=inst.policy.currency))
    if out is not None:
        with staged_file(out, read) as target:  # OSError: exit 6, nothing written
            target.write_text(comparison.rows.to_csv(index=False), encoding="utf-8")
        console.print(f"wrote {out}")


@app.command("plot")
def plot_command(
    instance: InstanceArg,
    plan: PlanArg,
    out: Annotated[Path, typer.Option(help="PNG file to write.")],
    fmt: FormatOpt = None,
    capacity: CapacityOpt = None,
) -> None:
    """Draw a plan on a map (PNG): suppliers, DCs sized by throughput, customers coloured by
    their DC, flow lines."""
    from optimizer.reports.network_map import write_network_map

    read = [instance, plan / "plan.json" if plan.is_dir() else plan]
    check_output_file(out, read)  # before reading anything: exit 2
    inst = load_instance(instance, fmt, capacity)
    drawn = _read_plan_of(inst, instance, plan)
    if map_coordinates(inst) is None:
        raise InputError([f"{instance}: {why_no_map(inst)}"])
    with staged_file(out, read) as target:  # OSError: exit 6, nothing written
        write_network_map(inst, drawn, target)
    console.print(f"wrote {out}")


@app.command("generate")
def generate_command(
    out: Annotated[Path, typer.Option(help="Where to write: .json, a folder (CSV) or .xlsx.")],
    suppliers: Annotated[int, typer.Option(
        min=0, help="0 (no supplier echelon) or at least 2.")] = 20,
    facilities: Annotated[int, typer.Option(min=3, help="Candidate and existing DCs.")] = 10,
    customers: Annotated[int, typer.Option(min=1)] = 200,
    products: Annotated[int, typer.Option(min=1)] = 5,
    seed: Annotated[int, typer.Option(min=0)] = 0,
    rules: Annotated[bool, typer.Option(
        "--rules/--no-rules", help="Every network and sourcing rule on (default), or none.")
    ] = True,
) -> None:
    """Generate a realistic network in Germany, feasible by construction (reproducible from
    --seed)."""
    from models.network import generate_network

    if suppliers == 1:
        raise InputError(["--suppliers: give 0 (no supplier echelon) or at least 2"])
    form = _form_of(out)
    check_output(out, form, (), INSTANCE_MARKERS)
    inst = generate_network(suppliers, facilities, customers, products, seed=seed,
                            rules=rules).model_copy(update={"name": out.stem})
    with staged_output(out, form, (), INSTANCE_MARKERS) as target:
        write_network_instance(inst, target, form, shown=out)  # type: ignore[arg-type]
    console.print(f"wrote {inst.name}: {len(inst.suppliers)} suppliers, {len(inst.facilities)} "
                  f"DCs, {len(inst.customers)} customers, {len(inst.products)} products -> "
                  f"{out} ({form})")


@app.command("convert")
def convert_command(
    instance: InstanceArg,
    out: Annotated[Path, typer.Argument(help="Target: .json, a folder (CSV) or .xlsx.")],
    fmt: FormatOpt = None,
    capacity: CapacityOpt = None,
) -> None:
    """Validate an instance (native or benchmark) and write it in a native form (from the
    target's suffix)."""
    form = _form_of(out)
    check_output(out, form, [instance], INSTANCE_MARKERS)
    inst = load_instance(instance, fmt, capacity)
    with staged_output(out, form, [instance], INSTANCE_MARKERS) as target:
        write_network_instance(inst, target, form, shown=instance)  # type: ignore[arg-type]
    console.print(f"wrote {out} ({form})")


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the network instance."""
    typer.echo(json.dumps(network_schema(), indent=2))


def _form_of(path: Path) -> str:
    suffix = path.suffix.lower()
    return "json" if suffix == ".json" else "excel" if suffix in (".xlsx", ".xlsm") else "csv"
