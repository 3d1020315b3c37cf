"""``optimizer plan ...``: the integrated run from suppliers to doorsteps (docs/plan-format.md).

``optimizer plan INSTANCE --out DIR`` is ``optimizer plan solve INSTANCE --out DIR``."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from models.integrated import (
    IntegratedInstance,
    IntegratedPlan,
    ScenarioError,
    apply_scenario,
    check_plan,
)
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
)
from optimizer.errors import ExitCode, InputError
from optimizer.executor import LocalExecutor, default_workers, make_executor
from optimizer.formats.integrated import (
    plan_schema,
    read_plan,
    read_plan_source,
    read_plan_source_data,
    scenario_problems,
    write_plan,
)
from optimizer.formats.tables import Form, TableSource
from optimizer.jobs.steps import integrated_options, plan_runs, solve_one
from optimizer.output_folder import PLAN_MARKERS, check_output_file, check_output_folder

app = typer.Typer(help="The integrated run: suppliers, DCs and flows (network design), then "
                       "the delivery routes of a representative day from every open DC, "
                       "with what-if scenarios side by side. 'optimizer plan INSTANCE --out "
                       "DIR' is short for 'optimizer plan solve INSTANCE --out DIR'.",
                  no_args_is_help=True)

#: The subcommands; any other first argument after ``plan`` is an instance for ``solve``.
COMMANDS = ("solve", "check", "compare", "schema")


def with_default_command(argv: list[str]) -> list[str]:
    """``plan INSTANCE ...`` -> ``plan solve INSTANCE ...`` (options may come first)."""
    if not argv or argv[0] != "plan" or len(argv) < 2:
        return argv
    rest = argv[1:]
    if rest[0] in COMMANDS or rest[0] in ("--help", "-h"):
        return argv
    return ["plan", "solve", *rest]


class Format(StrEnum):
    """How the instance is written."""

    json = "json"
    csv = "csv"
    xlsx = "xlsx"


InstanceArg = Annotated[Path, typer.Argument(
    help="Instance: a .json file, a folder of .csv tables or an .xlsx workbook.")]
FormatOpt = Annotated[Format | None, typer.Option(
    "--format", help="json, csv (a folder) or xlsx. Default: from the path.")]


def load_instance(path: Path, fmt: Format | None = None) -> IntegratedInstance:
    """Read an integrated instance (:class:`InputError` naming the file, record and field)."""
    return load_source(path, fmt)[0]


def load_source(path: Path, fmt: Format | None = None
                ) -> tuple[IntegratedInstance, TableSource]:
    """:func:`load_instance` and where its records were read from."""
    forms: dict[Format | None, Form] = {Format.json: "json", Format.csv: "csv",
                                        Format.xlsx: "excel"}
    return read_plan_source(path, forms.get(fmt))


@app.command("solve")
@json_output
@interrupt_exits_130
def solve_command(
    instance: Annotated[Path, typer.Argument(
        help="Instance: a .json file, a folder of .csv tables, an .xlsx workbook, or - for "
             "the JSON on standard input.")],
    out: Annotated[Path | None, typer.Option(
        help="Folder for plan.json, the CSV tables, plan.xlsx and report.html; scenarios go "
             "to scenarios/<name>/ inside it, with comparison.csv.")] = None,
    fmt: FormatOpt = None,
    scenario: Annotated[list[str] | None, typer.Option(
        "--scenario", help="Also solve this scenario of the instance's scenarios table "
                           "(repeat for several).")] = None,
    all_scenarios: Annotated[bool, typer.Option(
        "--all-scenarios", help="Also solve every scenario of the instance.")] = False,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Worker processes for the baseline and scenarios (default: the cores, "
                    "at most one per run).")] = None,
    cluster: Annotated[str | None, typer.Option(
        help="Dask scheduler address; default $OPTIMIZER_CLUSTER, else local processes.")]
    = None,
    time_limit: Annotated[float | None, typer.Option(
        min=0.001, help="Seconds for the network solve (default: none, proven optimal).")]
    = None,
    route_seconds: Annotated[float, typer.Option(
        min=0.1, help="Seconds for the routing search of each DC's day.")] = 5.0,
    gap: Annotated[float, typer.Option(min=0.0, max=0.999,
                                       help="Network relative gap at which to stop.")] = 0.0,
    seed: Annotated[int, typer.Option(min=0, help="Solver and routing seed.")] = 0,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print only JSON on stdout: the baseline's plan, or an error object on "
                       "failure (messages go to stderr).")] = False,
) -> None:
    """Solve an integrated instance (and its scenarios, in parallel); print the summary and
    write the plan with --out.

    Exit codes (the baseline's): 0 plan, 2 invalid input (a bad scenario row too), 3
    infeasible, 4 no plan within the limits, 5 a plan failed the independent check."""
    inputs = input_paths(instance)
    if out is not None:
        check_output_folder(out, inputs, PLAN_MARKERS)  # before any solve: exit 2
    inst, source = (read_stdin_instance(read_plan_source_data, None if fmt is None
                                        else fmt.value)
                    if is_stdin(instance) else load_source(instance, fmt))
    names = list(inst.scenario_names) if all_scenarios else list(dict.fromkeys(scenario or []))
    runs = plan_runs(inst, source, names)
    count = workers or min(default_workers(), len(runs))
    pool = make_executor(count, cluster)
    if isinstance(pool, LocalExecutor) and pool.in_process:
        # never in this process: there the network's location-routing search (HiGHS and
        # OR-Tools, which swallow Ctrl-C and SIGTERM) ran on to its end after a SIGTERM and
        # wrote its plan; in a worker process of its own the run is stopped from here at once
        # (exit 130, nothing written)
        pool = LocalExecutor(1, in_process=False)
    # each run's searches stay in its worker process (stopped with it)
    options = integrated_options(time_limit, route_seconds, gap, seed, isolate=False)
    plans: dict[str, IntegratedPlan] = {}
    with console.status(f"solving {', '.join(runs)} ({count} worker(s))...") \
            if not as_json else _quiet(), pool:
        results = pool.map(solve_one, [(r, options) for r in runs.values()])
    for name, (kind, value) in zip(runs, results, strict=True):
        if kind == "input":
            which = "" if name == "baseline" else f"scenario {name!r}: "
            raise InputError([f"{instance_label(instance)}: {which}{value}"])
        if kind == "check":
            fail(ExitCode.CHECK_FAILED, f"{name}: {value}; nothing was written", [str(value)])
        plans[name] = value
    baseline = plans["baseline"]
    comparison = None
    if len(plans) > 1:
        from optimizer.reports.plan_summary import compare_plans

        comparison = compare_plans(plans)
    written: list[Path] = []
    if out is not None:
        written = write_plan(baseline, out, inputs=inputs,
                             scenarios={k: v for k, v in plans.items() if k != "baseline"},
                             comparison=None if comparison is None else comparison.rows,
                             extra=_report_writer(runs, plans, None if comparison is None
                                                  else comparison.rows))
    from optimizer.reports.plan_summary import comparison_table, plan_summary, why_no_plan

    show = people_console()  # the same summary on stderr under --json
    show.print(plan_summary(baseline))
    if comparison is not None:
        show.print(comparison_table(comparison, inst.currency))
        for line in why_no_plan({k: v for k, v in plans.items() if k != "baseline"}):
            show.print(line, highlight=False)
    if out is not None:
        show.print(f"plan written to {out}/ ({len(written)} files"
                   f"{', scenarios in scenarios/' if len(plans) > 1 else ''})")
    if as_json:
        print_json(baseline.model_dump(mode="json"))
    raise typer.Exit(int(STATUS_EXIT[baseline.solve.status]))


class _quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def _report_writer(runs: dict[str, IntegratedInstance], plans: dict[str, IntegratedPlan],
                   comparison: Any = None) -> Any:
    """``report.html`` for each plan folder (the baseline's with the scenarios' comparison),
    when the report builder is available."""
    try:
        from optimizer.reports.html_plan import write_plan_report
    except ImportError:
        return None

    def write(folder: Path, name: str) -> list[str]:
        return write_plan_report(runs[name], plans[name], folder,
                                 comparison if name == "baseline" else None)

    return write


@app.command("check")
def check_command(
    instance: InstanceArg,
    plan: Annotated[Path, typer.Argument(help="plan.json, or the folder holding it.")],
    fmt: FormatOpt = None,
    scenario: Annotated[str | None, typer.Option(
        help="Check against this scenario of the instance (a plan in scenarios/<name>/).")]
    = None,
) -> None:
    """Check a plan against an instance with the independent checker (exit 5 on violations):
    the network plan, every day's routes and every cross rule and figure, recomputed."""
    from optimizer.reports.sourcing_summary import check_summary

    inst, source = load_source(instance, fmt)
    if scenario is not None:
        try:
            inst = apply_scenario(inst, scenario)
        except ScenarioError as exc:
            raise InputError(scenario_problems(exc, source)) from None
    read = read_plan(plan)
    if scenario is None and read.instance != inst.name:
        # a scenario's plan (scenarios/<name>/) checked against the baseline would list every
        # changed figure as a violation
        mine = [n for n in inst.scenario_names if read.instance == f"{inst.name}-{n}"]
        if mine:
            raise InputError([f"{plan}: this is the plan of scenario {mine[0]!r} (its "
                              f"instance is {read.instance!r}); check it against that "
                              f"scenario: optimizer plan check {instance} {plan} --scenario "
                              f"{mine[0]}"])
    report = check_plan(inst, read)
    if not read.solve.status.has_solution:
        report.add("solve", "plan", f"the plan has no solution (status "
                                    f"{read.solve.status.value})", 1.0)
    console.print(check_summary(report))  # type: ignore[arg-type]
    raise typer.Exit(int(ExitCode.OK if report.ok else ExitCode.CHECK_FAILED))


@app.command("compare")
def compare_command(
    plans: Annotated[list[Path], typer.Argument(
        help="Two or more plans (plan.json or the folders holding them); the first is the "
             "reference.")],
    out: Annotated[Path | None, typer.Option(
        help="CSV file for the comparison (section, item, field, one column per plan, "
             "change_<plan> per plan after the first).")] = None,
) -> None:
    """Put plans side by side: status, cost lines, open DCs, suppliers, the day's routes,
    vehicles and km, and service (served, shortage, customers changing DC). Exit 0."""
    from optimizer.output_folder import staged_file
    from optimizer.reports.plan_summary import compare_plans, comparison_table

    if len(plans) < 2:
        raise InputError(["compare: give at least two plans"])
    paths = [p / "plan.json" if p.is_dir() else p for p in plans]
    if out is not None:
        check_output_file(out, paths)
    read: dict[str, IntegratedPlan] = {}
    for given, path in zip(plans, paths, strict=True):
        plan = read_plan(path)
        if not plan.solve.status.has_solution:
            raise InputError([f"{path}: the plan has no solution (status "
                              f"{plan.solve.status.value}); there is nothing to compare"])
        name = given.name if given.is_dir() else given.parent.name or given.stem
        while name in read:
            name += "'"
        read[name] = plan
    comparison = compare_plans(read)
    currency = next(iter(read.values())).currency
    console.print(comparison_table(comparison, currency))
    if out is not None:
        with staged_file(out, paths) as target:
            target.write_text(comparison.rows.to_csv(index=False), encoding="utf-8")
        console.print(f"wrote {out}")


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the integrated instance (the network's tables and the day's)."""
    typer.echo(json.dumps(plan_schema(), indent=2))


__all__ = ["app", "err_console", "with_default_command"]
