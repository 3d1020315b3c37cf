"""``optimizer batch``: many instances, one results table and a plan folder per instance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from optimizer.batch import (
    BATCH_INCOMPLETE,
    BatchRow,
    RowState,
    folder_items,
    manifest_items,
    run_batch,
)
from optimizer.cli.common import console, err_console, interrupt_exits_130
from optimizer.errors import InputError
from optimizer.executor import make_executor
from optimizer.jobs import JobKind
from optimizer.output_folder import check_output_folder


@interrupt_exits_130
def batch_command(
    source: Annotated[Path, typer.Argument(
        help="A folder of instances (.json, .xlsx, folders of .csv tables), or a CSV "
             "manifest (column instance; optional kind, name and option columns).")],
    out: Annotated[Path, typer.Option(
        help="Folder for results.csv and one plan folder per instance (replaced whole at "
             "the end).")],
    kind: Annotated[JobKind | None, typer.Option(
        help="The problem kind of every instance (default: told by each instance's "
             "tables).")] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Worker processes (default: all cores).")] = None,
    cluster: Annotated[str | None, typer.Option(
        help="Dask scheduler address; default $OPTIMIZER_CLUSTER, else local processes.")]
    = None,
    time_limit: Annotated[float | None, typer.Option(
        min=0.001, help="Seconds per instance (default: the kind's solve default).")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Solver seed.")] = None,
    retries: Annotated[int, typer.Option(
        min=0, help="More attempts for an instance whose worker process died.")] = 1,
) -> None:
    """Solve every instance of a folder or a manifest, each in a worker process (or on a
    Dask cluster): results.csv plus what 'optimizer KIND solve --out' writes, per instance.

    Exit codes: 0 every instance has a plan; 8 the batch ran but some instance failed or has
    no plan (see results.csv); 2 invalid batch input (no instances, a bad manifest, --out
    refused); 6 the output could not be written; 130 interrupted (nothing was written)."""
    check_output_folder(out, [source], ("results.csv",))  # before any solve: exit 2
    options: dict[str, Any] = {}
    if time_limit is not None:
        options["time_limit"] = time_limit
    if seed is not None:
        options["seed"] = seed
    if source.is_dir():
        items = folder_items(source, kind and kind.value, options)
    elif source.is_file():
        items = manifest_items(source, kind and kind.value, options)
    else:
        raise InputError([f"{source}: no such folder or manifest"])
    inputs = [source, *(Path(item.path) for item in items)]
    executor = make_executor(workers or None, cluster)
    counts = {"ok": 0, "failed": 0}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True) as progress:
        task = progress.add_task(f"batch of {len(items)} on {executor.describe()}",
                                 total=len(items))

        def on_row(row: BatchRow) -> None:
            counts["ok" if row.state == RowState.OK else "failed"] += 1
            if row.state == RowState.FAILED:
                progress.console.print(f"[red]failed[/] {row.instance}: {row.error}",
                                       highlight=False, markup=True)
            progress.update(task, advance=1, description=(
                f"batch on {executor.describe()}: {counts['ok']} done, "
                f"{counts['failed']} failed"))

        result = run_batch(items, out, executor, inputs, retries, on_row)
    no_plan = sum(r.state == RowState.OK and r.exit_code != 0 for r in result.rows)
    console.print(f"{len(result.rows)} instance(s) in {result.seconds:.1f} s: "
                  f"{len(result.rows) - result.failed - no_plan} with a plan, {no_plan} "
                  f"without (infeasible / no plan in the limits), {result.failed} failed; "
                  f"results in {out}/results.csv", highlight=False)
    raise typer.Exit(result.exit_code if result.exit_code == 0 else BATCH_INCOMPLETE)
