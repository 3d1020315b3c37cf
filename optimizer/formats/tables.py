"""Table sets in three equivalent forms: one JSON file, a folder of CSV files, an Excel workbook.

An instance is a set of named tables (lists of records) plus single-record tables (objects).
Readers return plain dicts for the model's pydantic validation and keep enough of the source to
turn a validation error location ``(table, row, field)`` into "file, record, field" for people.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ValidationError

from optimizer.atomic import atomic_write, atomic_write_text
from optimizer.errors import InputError

Form = Literal["json", "csv", "excel"]
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: Error types raised by our own validators; their messages already show the value.
_OWN_ERRORS = {"unknown_reference", "duplicate", "price_increase", "missing_weight",
               "whole_units", "probability_sum", "one_target", "recourse", "dimensions",
               "missing_location", "out_of_range", "window_order", "same_stop", "not_square",
               "missing_matrix"}
_FRIENDLY = {
    "missing": "Field required",
    "extra_forbidden": "unknown field (not part of the format; see the schema command)",
    "too_short": "needs at least one record",
}


@dataclass(frozen=True)
class TableSpec:
    """One table: its record model, whether it is optional, and whether it holds one record."""

    name: str
    record: type[BaseModel]
    optional: bool = False
    single: bool = False
    list_fields: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """Known columns, in the model's order."""
        return tuple(self.record.model_fields)

    @property
    def required(self) -> tuple[str, ...]:
        """Columns without a default."""
        return tuple(n for n, f in self.record.model_fields.items() if f.is_required())


def detect_form(path: Path) -> Form:
    """JSON file, CSV folder or Excel workbook, from the path."""
    if path.is_dir():
        return "csv"
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return "excel"
    if path.suffix.lower() == ".json":
        return "json"
    raise InputError([f"{path}: unknown instance form; use a .json file, a folder of .csv "
                      f"files or an .xlsx workbook"])


@dataclass(frozen=True)
class TableSource:
    """Where a table set was read from; turns error locations into readable places."""

    path: Path
    form: Form

    def place(self, loc: Sequence[str | int], specs: Mapping[str, TableSpec]) -> tuple[str, str]:
        """``(where, field)`` for a validation error location."""
        parts = list(loc)
        if not parts:
            return str(self.path), ""
        table = str(parts[0])
        spec = specs.get(table)
        if spec is None:
            return str(self.path), ".".join(str(p) for p in parts)
        if spec.single:
            row, rest = 0, parts[1:]
        elif len(parts) > 1 and isinstance(parts[1], int):
            row, rest = parts[1], parts[2:]
        else:
            return self._table_place(table), ".".join(str(p) for p in parts[1:])
        field = str(rest[0]) if rest else ""
        if self.form == "json":
            where = f"{self.path}: {table}" if spec.single else f"{self.path}: {table}[{row}]"
        elif self.form == "csv":
            where = f"{self.path / (table + '.csv')}: line {row + 2}"
        else:
            where = f"{self.path}: sheet '{table}' row {row + 2}"
        return where, field

    def _table_place(self, table: str) -> str:
        if self.form == "csv":
            return str(self.path / f"{table}.csv")
        if self.form == "excel":
            return f"{self.path}: sheet '{table}'"
        return f"{self.path}: {table}"


def validation_problems(
    error: ValidationError, source: TableSource, specs: Mapping[str, TableSpec]
) -> list[str]:
    """Readable sentences, one per pydantic error. A table that is "too short" only because
    its records failed (pydantic drops them before counting) is not reported twice."""
    problems = []
    errors = error.errors(include_url=False)
    failed_tables = {e["loc"][0] for e in errors if len(e["loc"]) > 1}
    for err in errors:
        if err["type"] == "too_short" and len(err["loc"]) == 1 \
                and err["loc"][0] in failed_tables and err["ctx"]["actual_length"] == 0:
            continue
        where, field = source.place(err["loc"], specs)
        message = _FRIENDLY.get(err["type"], err["msg"])
        if err["type"] not in _OWN_ERRORS and err["type"] not in _FRIENDLY:
            message += f" (got {err['input']!r})"
        problems.append(f"{where}: field '{field}': {message}" if field else f"{where}: {message}")
    return problems


def read_tables(
    path: Path, specs: Sequence[TableSpec], form: Form | None = None
) -> tuple[dict[str, Any], TableSource]:
    """Read a table set from ``path`` into a plain dict keyed by table name."""
    path = Path(path)
    if not path.exists():
        raise InputError([f"{path}: no such file or folder"])
    form = form or detect_form(path)
    source = TableSource(path, form)
    if form == "json":
        return _read_json(path), source
    frames = _read_csv_folder(path, specs) if form == "csv" else _read_workbook(path, specs)
    data: dict[str, Any] = {"name": path.stem if form == "excel" else path.name}
    problems: list[str] = []
    for spec in specs:
        frame = frames.get(spec.name)
        if frame is None:
            if not spec.optional:
                problems.append(f"{source._table_place(spec.name)}: required table "
                                f"'{spec.name}' is missing")
            continue
        problems.extend(_column_problems(frame, spec, source))
        records = [_record(row) for row in frame.to_dict(orient="records")]
        if spec.single:
            if len(records) > 1:
                problems.append(f"{source._table_place(spec.name)}: table '{spec.name}' holds "
                                f"one record, found {len(records)}")
            data[spec.name] = records[0] if records else {}
        else:
            data[spec.name] = records
    if problems:
        raise InputError(problems)
    return data, source


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise InputError([f"{path}: line {exc.lineno} column {exc.colno}: invalid JSON: "
                          f"{exc.msg}"]) from None
    except UnicodeDecodeError:
        raise InputError([f"{path}: not UTF-8 text"]) from None
    if not isinstance(data, dict):
        raise InputError([f"{path}: the top level must be a JSON object with the tables"])
    return data


def _read_csv_folder(path: Path, specs: Sequence[TableSpec]) -> dict[str, pd.DataFrame]:
    frames = {}
    for spec in specs:
        file = path / f"{spec.name}.csv"
        if not file.exists():
            continue
        try:
            frames[spec.name] = pd.read_csv(file, dtype=str, keep_default_na=False,
                                            encoding="utf-8-sig",
                                            skipinitialspace=True)
        except pd.errors.EmptyDataError:
            frames[spec.name] = pd.DataFrame(columns=list(spec.columns))
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise InputError([f"{file}: unreadable CSV: {exc}"]) from None
    return frames


def _read_workbook(path: Path, specs: Sequence[TableSpec]) -> dict[str, pd.DataFrame]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise InputError([f"{path}: unreadable Excel workbook: {exc}"]) from None
    names = {spec.name for spec in specs}
    return {name: frame for name, frame in sheets.items() if name in names}


def _column_problems(frame: pd.DataFrame, spec: TableSpec, source: TableSource) -> list[str]:
    place = source._table_place(spec.name)
    columns = [str(c).strip() for c in frame.columns]
    frame.columns = columns
    problems = [f"{place}: missing column '{c}'" for c in spec.required if c not in columns]
    problems += [f"{place}: unknown column '{c}' (known: {', '.join(spec.columns)})"
                 for c in columns if c not in spec.columns]
    return problems


def _record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A table row without its empty cells (so that model defaults apply)."""
    out = {}
    for key, value in row.items():
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        text = str(value).strip()
        if text != "":
            out[key] = text
    return out


def to_frames(data: Mapping[str, Any], specs: Sequence[TableSpec]) -> dict[str, pd.DataFrame]:
    """Tables as data frames, list cells joined with ';'."""
    frames = {}
    for spec in specs:
        value = data.get(spec.name)
        rows = [value] if spec.single else list(value or [])
        if spec.optional and not any(rows):
            continue
        cleaned = [{k: (";".join(_cell(x) for x in v) if isinstance(v, list | tuple) else v)
                    for k, v in row.items()} for row in rows]
        frame = pd.DataFrame(cleaned, columns=[c for c in spec.columns
                                               if any(c in r for r in cleaned)])
        frames[spec.name] = frame
    return frames


def _cell(value: Any) -> str:
    return f"{value:.15g}" if isinstance(value, float) else str(value)


def write_tables(
    data: Mapping[str, Any], specs: Sequence[TableSpec], path: Path, form: Form
) -> None:
    """Write a table set in ``form``; every file is written atomically."""
    path = Path(path)
    if form == "json":
        atomic_write_text(path, json.dumps(data, indent=2) + "\n")
        return
    frames = to_frames(data, specs)
    if form == "csv":
        path.mkdir(parents=True, exist_ok=True)
        for name, frame in frames.items():
            atomic_write_text(path / f"{name}.csv", frame.to_csv(index=False))
        return

    def write_book(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, frame in frames.items():
                frame.to_excel(writer, sheet_name=name, index=False)

    atomic_write(path, write_book)
