"""Integrated instances and plans on disk (docs/plan-format.md): the instance as one JSON
file, a CSV folder or an Excel workbook (the network's tables and the day's tables, read by the
shared table machinery); the plan as ``plan.json``, its CSV tables and ``plan.xlsx``, written
whole into a staged folder."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from models.integrated import (
    INTEGRATED_TABLES,
    IntegratedInstance,
    IntegratedPlan,
    ScenarioError,
)
from optimizer.formats.results import read_result_json, write_result_files
from optimizer.formats.tables import (
    Form,
    TableSource,
    json_tables,
    read_tables,
    validate_tables,
    write_tables,
)
from optimizer.output_folder import PLAN_MARKERS, staged_folder

#: The tables by which an integrated instance written as a CSV folder is recognised.
INSTANCE_MARKERS = ("products.csv", "facilities.csv", "customers.csv", "demand.csv")
#: Tables whose ``time_windows`` cells are ``start-end`` pairs joined by ``;``.
_WINDOWED = ("orders", "delivery_profile")


def read_plan_instance(path: Path | str, form: Form | None = None) -> IntegratedInstance:
    """Read and validate an integrated instance (JSON file, CSV folder or Excel workbook);
    raises :class:`~optimizer.errors.InputError` naming the file, record and field."""
    return read_plan_source(path, form)[0]


def read_plan_source(path: Path | str, form: Form | None = None
                     ) -> tuple[IntegratedInstance, TableSource]:
    """:func:`read_plan_instance`, and where each record was read from (for messages about
    scenario rows: :func:`scenario_problems`)."""
    return _validate(*read_tables(Path(path), INTEGRATED_TABLES, form))


def read_plan_data(data: Any, label: str = "<stdin>") -> IntegratedInstance:
    """Validate an integrated instance already parsed from its JSON form (a request body,
    stdin); raises :class:`~optimizer.errors.InputError` naming ``label``, the record and the
    field, as for a JSON file."""
    return read_plan_source_data(data, label)[0]


def read_plan_source_data(data: Any, label: str = "<stdin>"
                          ) -> tuple[IntegratedInstance, TableSource]:
    """:func:`read_plan_data`, and where each record came from (for
    :func:`scenario_problems`)."""
    return _validate(*json_tables(data, label))


def _validate(data: dict[str, Any], source: TableSource
              ) -> tuple[IntegratedInstance, TableSource]:
    return validate_tables(IntegratedInstance, data, source, INTEGRATED_TABLES), source


def scenario_problems(error: ScenarioError, source: TableSource) -> list[str]:
    """The problems of ``error`` naming the file and record of each scenario row the way
    other input errors do: ``scenarios.csv: line 6 (scenario 'x'): field 'table': ...``."""
    layout = source.layout
    out = []
    for entry in error.entries:
        if not entry.rows:
            out.append(f"{source.path}: scenario {entry.scenario!r}: {entry.text}")
        elif len(entry.rows) == 1:
            out.append(f"{layout.record_place('scenarios', entry.rows[0])} "
                       f"(scenario {entry.scenario!r}): {entry.text}")
        else:
            labels = layout.labels.get("scenarios") or []
            rows = ", ".join(str(labels[i] if i < len(labels) else i) for i in entry.rows)
            out.append(f"{layout.table_place('scenarios')}: scenario {entry.scenario!r} "
                       f"({_row_word(source)} {rows}): {entry.text}")
    return out


def _row_word(source: TableSource) -> str:
    return {"csv": "lines", "excel": "rows"}.get(source.form, "indexes")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _clock(seconds: float, duration: bool = False) -> str:
    """Seconds the way a person types them in a table: ``08:00`` (a time of day, hours may
    pass 24) or ``0:20`` (a duration), when they are whole minutes; else the seconds."""
    if seconds < 0 or not float(seconds / 60).is_integer():
        return _num(seconds)
    hours, minutes = divmod(int(seconds // 60), 60)
    return f"{hours}:{minutes:02d}" if duration else f"{hours:02d}:{minutes:02d}"


def write_plan_instance(instance: IntegratedInstance, path: Path | str, form: Form,
                        shown: Path | str | None = None) -> None:
    """Write ``instance`` as JSON, a CSV folder or an Excel workbook (in CSV and Excel the
    time windows of orders and profiles as ``HH:MM-HH:MM`` joined by ``;`` and their service
    times as ``H:MM``, whole minutes, else seconds)."""
    data = instance.tables()
    if form != "json":
        data = copy.deepcopy(data)
        for table in _WINDOWED:
            for row in data.get(table, []):
                row["time_windows"] = ";".join(f"{_clock(w['start'])}-{_clock(w['end'])}"
                                               for w in row.get("time_windows", []))
                if "service_time" in row:
                    row["service_time"] = _clock(row["service_time"], duration=True)
    write_tables(data, INTEGRATED_TABLES, Path(path), form,
                 Path(shown) if shown is not None else None)


def plan_schema() -> dict[str, Any]:
    """JSON Schema of the integrated instance's own tables and the network's (flat form)."""
    from models.network import NetworkInstance

    network = NetworkInstance.model_json_schema()
    own = IntegratedInstance.model_json_schema()
    props = dict(network.get("properties", {}))
    props.update({k: v for k, v in own.get("properties", {}).items() if k != "network"})
    defs = {**network.get("$defs", {}), **own.get("$defs", {})}
    return {"title": "IntegratedInstance", "type": "object", "properties": props,
            "required": network.get("required", []), "additionalProperties": False,
            "$defs": defs}


def read_plan(path: Path | str) -> IntegratedPlan:
    """Read a ``plan.json`` written by :func:`write_plan` (or the folder holding it)."""
    return read_result_json(path, IntegratedPlan)


def write_plan(plan: IntegratedPlan, out_dir: Path | str, inputs: Iterable[Path | str] = (),
               scenarios: Mapping[str, IntegratedPlan] | None = None,
               comparison: pd.DataFrame | None = None,
               extra: Callable[[Path, str], list[str]] | None = None) -> list[Path]:
    """Replace ``out_dir`` by ``plan.json``, the plan's CSV tables and ``plan.xlsx``, each
    scenario's plan the same way in ``scenarios/<name>/``, ``comparison.csv``, and what
    ``extra(folder, name)`` writes into each plan folder (``report.html``): all written in a
    temporary sibling and swapped in whole. Returns the final paths of the top folder."""
    out = Path(out_dir)
    with staged_folder(out, inputs, PLAN_MARKERS) as stage:
        names = _write_one(plan, stage, "baseline", extra)
        for name, other in (scenarios or {}).items():
            folder = stage / "scenarios" / name
            folder.mkdir(parents=True)
            _write_one(other, folder, name, extra)
        if scenarios:
            names.append("scenarios")
        if comparison is not None:
            (stage / "comparison.csv").write_text(comparison.to_csv(index=False),
                                                  encoding="utf-8")
            names.append("comparison.csv")
    return [out / name for name in names]


def _write_one(plan: IntegratedPlan, folder: Path, name: str,
               extra: Callable[[Path, str], list[str]] | None) -> list[str]:
    names = write_result_files(folder, {"plan": plan.model_dump(mode="json")},
                               plan.to_frames())
    if extra is not None:
        names.extend(extra(folder, name))
    return names
