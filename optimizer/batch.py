"""Many instances solved on an executor: one results table plus one plan folder per instance.

The instances come from a folder (every ``.json`` and ``.xlsx`` file and every subfolder of
``.csv`` tables, top level only) or from a CSV manifest (docs/batch.md). Each instance is one
task: read in the worker, solved by the job runner (:func:`optimizer.jobs.run_job`, the same
library calls and the same independent checker as ``optimizer KIND solve``), and its plan
folder written there by the formats' ``write_*`` functions (what ``optimizer KIND solve --out``
writes). A failed instance (bad input, a plan that fails the checker, a worker lost on every
attempt) is a row with state ``failed`` and does not stop the others.

The output folder is staged as a whole (:func:`optimizer.output_folder.staged_folder`): the
plan folders are written into the staged copy as their instances finish, ``results.csv`` last,
and the copy replaces the output folder only when the batch is over; an interrupted batch
leaves the old folder (or none).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from optimizer.atomic import atomic_write_text
from optimizer.errors import ExitCode, InputError, OutputError
from optimizer.executor import Executor, TaskResult
from optimizer.output_folder import staged_folder

#: Marker of a batch output folder (an earlier batch's folder may be replaced).
BATCH_MARKERS = ("results.csv",)

#: The columns of results.csv, in order.
RESULT_COLUMNS = ("instance", "kind", "state", "status", "exit_code", "objective", "bound",
                  "gap", "seconds", "attempts", "error", "folder")

#: Exit code of a batch that ran but where some instance failed or has no plan
#: (infeasible, no solution within the limits): see results.csv.
BATCH_INCOMPLETE = int(ExitCode.BATCH_INCOMPLETE)

#: Kinds, by the tables that only they have (JSON keys, sheet names, CSV file names).
KINDS = ("sourcing", "routing", "network", "plan")

#: Manifest columns that are not solve options.
MANIFEST_COLUMNS = ("instance", "kind", "name")


class RowState(StrEnum):
    """Whether an instance produced an outcome (``ok``: a plan, or a proven infeasible / no
    plan within the limits, with its folder) or not (``failed``: see ``error``)."""

    OK = "ok"
    FAILED = "failed"


class BatchItem(BaseModel):
    """One instance of a batch: where it is, its kind (None: detect it), its job options,
    the name of its plan folder in the output."""

    model_config = ConfigDict(frozen=True)

    path: str
    label: str
    name: str
    kind: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)


class BatchRow(BaseModel):
    """One row of results.csv."""

    model_config = ConfigDict(frozen=True)

    instance: str
    kind: str = ""
    state: RowState
    status: str = ""
    exit_code: int
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float = 0.0
    attempts: int = 1
    error: str = ""
    folder: str = ""


@dataclass
class BatchResult:
    """A finished batch: its rows (in input order) and where they were written."""

    rows: list[BatchRow]
    out: Path
    seconds: float

    @property
    def failed(self) -> int:
        return sum(r.state == RowState.FAILED for r in self.rows)

    @property
    def exit_code(self) -> int:
        """0 when every instance has a plan (exit code 0), else :data:`BATCH_INCOMPLETE`."""
        return 0 if all(r.exit_code == 0 for r in self.rows) else BATCH_INCOMPLETE


# -- finding the instances ---------------------------------------------------------------------

def is_instance_path(path: Path) -> bool:
    """A ``.json`` or ``.xlsx`` file, or a folder holding ``.csv`` tables (hidden entries,
    Excel lock files ``~$...`` not counted)."""
    if path.name.startswith((".", "~$")):
        return False
    if path.is_file():
        return path.suffix.lower() in (".json", ".xlsx")
    return path.is_dir() and any(p.suffix.lower() == ".csv" and p.is_file()
                                 for p in path.iterdir())


def folder_items(folder: Path, kind: str | None = None,
                 options: dict[str, Any] | None = None) -> list[BatchItem]:
    """The instances in ``folder`` (top level, by name); :class:`InputError` if none."""
    if not folder.is_dir():
        raise InputError([f"{folder}: not a folder"])
    paths = sorted((p for p in folder.iterdir() if is_instance_path(p)), key=lambda p: p.name)
    if not paths:
        raise InputError([f"{folder}: no instances in it (.json, .xlsx files or folders of "
                          f".csv tables)"])
    names = _folder_names([p.name for p in paths])
    return [BatchItem(path=str(p.resolve()), label=str(p), name=n, kind=kind,
                      options=dict(options or {})) for p, n in zip(paths, names, strict=True)]


def manifest_items(manifest: Path, kind: str | None = None,
                   options: dict[str, Any] | None = None) -> list[BatchItem]:
    """The instances listed in a CSV manifest: column ``instance`` (a path relative to the
    manifest's folder, or absolute), optional ``kind`` and ``name`` (the plan folder's
    name), and any other column is a solve option of the row's kind (``time_limit``,
    ``seed``, ``gap``...; an empty cell keeps the default; ``scenarios`` as ``a;b``).
    Manifest cells override ``options``; :class:`InputError` names the line and column."""
    from optimizer.formats.tables import decode_text, read_bytes

    text = decode_text(read_bytes(manifest), manifest)
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    if "instance" not in columns:
        raise InputError([f"{manifest}: no 'instance' column (the path of each instance, "
                          f"relative to the manifest); columns: {', '.join(columns) or '-'}"])
    problems: list[str] = []
    rows: list[tuple[Path, str, str | None, dict[str, Any], str | None]] = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        where = f"{manifest}: line {line}"
        if not row.get("instance"):
            problems.append(f"{where}: column 'instance' is empty")
            continue
        path = Path(row["instance"])
        full = path if path.is_absolute() else manifest.parent / path
        if not full.exists():
            problems.append(f"{where}: {row['instance']}: no such file or folder "
                            f"(paths are relative to the manifest's folder)")
            continue
        row_kind = row.get("kind") or kind
        if row_kind is not None and row_kind not in KINDS:
            problems.append(f"{where}: column 'kind': {row_kind!r} is not one of "
                            f"{', '.join(KINDS)}")
            continue
        cells = dict(options or {})
        for column, cell in row.items():
            if column in MANIFEST_COLUMNS or not column or cell == "":
                continue
            cells[column] = _cell_value(column, cell)
        rows.append((full, row["instance"], row_kind, cells, row.get("name") or None))
    if problems:
        raise InputError(problems)
    if not rows:
        raise InputError([f"{manifest}: lists no instances"])
    names = _folder_names([n or Path(label).name for _p, label, _k, _o, n in rows])
    return [BatchItem(path=str(p.resolve()), label=label, name=name, kind=k, options=o)
            for (p, label, k, o, _n), name in zip(rows, names, strict=True)]


def _cell_value(column: str, cell: str) -> Any:
    """A manifest cell: a list for ``scenarios`` (``a;b``), else a JSON number / boolean /
    null when it reads as one, else the text."""
    if column == "scenarios":
        return [part.strip() for part in cell.split(";") if part.strip()]
    lowered = cell.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        value = json.loads(cell)
    except ValueError:
        return cell
    return value if isinstance(value, int | float) and not isinstance(value, bool) else cell


def _folder_names(names: Sequence[str]) -> list[str]:
    """Plan folder names: the file's name without its extension, made safe and unique."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        stem = name[: -len(Path(name).suffix)] if Path(name).suffix.lower() in (
            ".json", ".xlsx") else name
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "instance"
        if base.lower() == "results.csv":
            base = "results"
        candidate, n = base, 2
        while candidate.lower() in seen:
            candidate, n = f"{base}-{n}", n + 1
        seen.add(candidate.lower())
        out.append(candidate)
    return out


# -- the kind of an instance --------------------------------------------------------------------

def table_names(path: Path) -> set[str]:
    """The tables an instance file holds: its JSON keys, its sheet names, its CSV files."""
    if path.is_dir():
        return {p.stem.lower() for p in path.iterdir() if p.suffix.lower() == ".csv"}
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        try:
            return {name.strip().lower() for name in book.sheetnames}
        finally:
            book.close()
    from optimizer.formats.tables import read_json

    data = read_json(path)
    return {str(k).lower() for k in data} if isinstance(data, dict) else set()


def detect_kind(path: Path) -> str:
    """The problem kind of an instance by its tables: ``stops`` or ``vehicle_types`` ->
    routing; ``fleet``, ``orders`` or ``delivery_profile`` -> plan; ``facilities`` ->
    network; ``suppliers`` and ``offers`` -> sourcing. :class:`InputError` otherwise."""
    names = table_names(path)
    if names & {"stops", "vehicle_types"}:
        return "routing"
    if names & {"fleet", "orders", "delivery_profile"}:
        return "plan"
    if "facilities" in names:
        return "network"
    if {"suppliers", "offers"} <= names:
        return "sourcing"
    raise InputError([f"{path}: cannot tell the problem kind from its tables "
                      f"({', '.join(sorted(names)) or 'none'}); give --kind or a 'kind' "
                      f"column in the manifest"])


# -- one instance (in a worker) ----------------------------------------------------------------

def _native_data(kind: str, path: Path) -> tuple[dict[str, Any], Any]:
    """The instance's native JSON data (what ``run_job`` takes) and the typed instance."""
    from optimizer.formats.instance_data import read_instance_data
    from optimizer.formats.tables import read_json

    if path.is_file() and path.suffix.lower() == ".json":
        data = read_json(path)
        if kind == "plan":
            from optimizer.formats.integrated import read_plan_data

            return data, read_plan_data(data, str(path))
        return data, read_instance_data(kind, data, str(path))
    if kind == "sourcing":
        from optimizer.formats.sourcing import instance_tables, read_sourcing_instance

        inst: Any = read_sourcing_instance(path)
        return instance_tables(inst), inst
    if kind == "routing":
        from optimizer.formats.routing import read_routing_instance, routing_tables

        inst = read_routing_instance(path)
        return routing_tables(inst), inst
    if kind == "network":
        from optimizer.formats.network import network_tables, read_network_instance

        inst = read_network_instance(path)
        return network_tables(inst), inst
    from optimizer.formats.integrated import read_plan_instance

    inst = read_plan_instance(path)
    return inst.tables(), inst


def write_outcome_folder(kind: str, inst: Any, plan_data: dict[str, Any], folder: Path,
                         inputs: Sequence[Path]) -> list[Path]:
    """Write what ``optimizer KIND solve --out folder`` writes for a job's plan JSON (the
    formats' ``write_*`` functions, the report included)."""
    if kind == "sourcing":
        from models.sourcing import MarginalValues, SourcingPlan
        from optimizer.formats.sourcing import write_sourcing_plan

        data = dict(plan_data)
        values = data.pop("marginal_values", None)
        return write_sourcing_plan(
            SourcingPlan.model_validate(data), folder, inst.policy.currency,
            None if values is None else MarginalValues.model_validate(values), inputs=inputs)
    if kind == "routing":
        from models.routing import RoutePlan
        from optimizer.formats.routing import write_routing_plan

        return write_routing_plan(RoutePlan.model_validate(plan_data), folder, inst,
                                  inputs=inputs, with_map=True)
    if kind == "network":
        from models.network import NetworkPlan
        from optimizer.formats.network import write_network_plan

        return write_network_plan(NetworkPlan.model_validate(plan_data), folder, inst,
                                  inputs=inputs)
    from models.integrated import IntegratedPlan
    from optimizer.formats.integrated import write_plan
    from optimizer.reports.html_plan import write_plan_report

    plan = IntegratedPlan.model_validate(plan_data)
    return write_plan(plan, folder, inputs=inputs,
                      extra=lambda where, _name: write_plan_report(inst, plan, where, None))


def solve_item(item: BatchItem, stage: str) -> BatchRow:
    """Solve one instance and write its plan folder into ``stage`` (a worker's task: every
    error becomes a failed row, so that a bad instance is not run again)."""
    from optimizer.jobs import JobError, JobSpec, run_job

    start = time.perf_counter()
    kind = item.kind or ""
    try:
        path = Path(item.path)
        kind = item.kind or detect_kind(path)
        data, inst = _native_data(kind, path)
        outcome = run_job(JobSpec(kind=kind, instance=data, options=item.options,
                                  label=item.label))
        write_outcome_folder(kind, inst, outcome.plan, Path(stage) / item.name, [path])
    except InputError as exc:
        return _failed(item, kind, int(ExitCode.INVALID_INPUT),
                       "invalid input: " + "; ".join(exc.problems), start)
    except JobError as exc:
        return _failed(item, kind, exc.code, str(exc), start)
    except OutputError as exc:
        return _failed(item, kind, int(ExitCode.OUTPUT_FAILED),
                       "cannot write the output: " + "; ".join(exc.problems), start)
    except Exception as exc:
        return _failed(item, kind, int(ExitCode.INTERNAL_ERROR),
                       f"internal error: {type(exc).__name__}: {exc}", start)
    return BatchRow(instance=item.label, kind=kind, state=RowState.OK, status=outcome.status,
                    exit_code=outcome.exit_code, objective=outcome.objective,
                    bound=outcome.bound, gap=outcome.gap, seconds=round(outcome.seconds, 3),
                    folder=item.name)


def _failed(item: BatchItem, kind: str, code: int, error: str, start: float) -> BatchRow:
    return BatchRow(instance=item.label, kind=kind, state=RowState.FAILED, exit_code=code,
                    seconds=round(time.perf_counter() - start, 3),
                    error=" ".join(error.split()))


# -- the batch ------------------------------------------------------------------------------------

def run_batch(items: Sequence[BatchItem], out: Path, executor: Executor,
              inputs: Sequence[Path] = (), retries: int = 1,
              on_row: Callable[[BatchRow], None] | None = None) -> BatchResult:
    """Solve ``items`` on ``executor`` (entered and closed here) into ``out``: a plan folder
    per instance as each finishes, then results.csv; ``out`` is replaced as a whole at the
    end (``inputs`` are paths it must not be or hold). ``on_row(row)`` runs here as each
    instance finishes."""
    start = time.perf_counter()
    rows: list[BatchRow | None] = [None] * len(items)

    def done(result: TaskResult) -> None:
        item = items[result.index]
        if result.ok:
            row = result.value.model_copy(update={"attempts": result.attempts})
        else:  # the worker was lost on every attempt (or the task could not be sent)
            row = BatchRow(instance=item.label, kind=item.kind or "", state=RowState.FAILED,
                           exit_code=int(ExitCode.INTERNAL_ERROR), attempts=result.attempts,
                           error=" ".join((result.error or "failed").split()))
        rows[result.index] = row
        if on_row is not None:
            on_row(row)

    with staged_folder(out, inputs, BATCH_MARKERS) as stage, executor:
        executor.run_all(solve_item, [(item, str(stage)) for item in items], done,
                         retries=retries)
        final = [r for r in rows if r is not None]
        atomic_write_text(stage / "results.csv", results_csv(final))
    return BatchResult(final, out, time.perf_counter() - start)


def results_csv(rows: Sequence[BatchRow]) -> str:
    """results.csv: :data:`RESULT_COLUMNS`, one row per instance, empty cells for none."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(RESULT_COLUMNS)
    for row in rows:
        values = row.model_dump(mode="json")
        writer.writerow(["" if values[c] is None else _number(values[c])
                         for c in RESULT_COLUMNS])
    return buffer.getvalue()


def _number(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value):
        return repr(round(value, 6))
    return value
