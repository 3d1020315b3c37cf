"""Table sets in three equivalent forms: one JSON file, a folder of CSV files, an Excel workbook.

An instance is a set of named tables (lists of records) plus single-record tables (objects).
This module only finds the tables in a file and writes them; how names, cells and blank rows
are read is :mod:`models.tables` (shared with ``Instance.from_frames``). Problems name the file,
the record (JSON index, CSV line, Excel row) and the field.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from models.tables import (
    Layout,
    Places,
    RawTable,
    TableError,
    TableSpec,
    build_instance,
    list_cell_problems,
    name_key,
    tables_to_data,
)
from optimizer.atomic import atomic_write, atomic_write_text
from optimizer.errors import InputError

__all__ = ["EXCEL_SUFFIXES", "Form", "TableSource", "TableSpec", "decode_text", "detect_form",
           "json_tables", "parse_json", "read_bytes", "read_csv_table", "read_json", "read_tables",
           "read_workbook_tables", "sniff_delimiter", "validate_tables", "write_tables"]

Form = Literal["json", "csv", "excel"]
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
M = TypeVar("M", bound=BaseModel)


def detect_form(path: Path) -> Form:
    """JSON file, CSV folder or Excel workbook, from the path."""
    if path.is_dir() and path.suffix.lower() not in (*EXCEL_SUFFIXES, ".json"):
        return "csv"
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return "excel"
    if path.suffix.lower() == ".json":
        return "json"
    raise InputError([f"{path}: unknown instance form; use a .json file, a folder of .csv "
                      f"files or an .xlsx workbook"])


class FilePlaces(Places):
    """Names tables and records the way people find them in a file: ``offers[3]`` (JSON),
    ``offers.csv: line 5`` (CSV, the physical line), ``sheet 'offers' row 5`` (Excel)."""

    def __init__(self, path: Path, form: Form) -> None:
        self.path = path
        self.form = form
        #: Table name as found (file stem) -> the CSV file.
        self.files: dict[str, Path] = {}
        self._texts: dict[str, str] = {}

    def table(self, name: str) -> str:
        text = self._texts.get(name)
        if text is None:
            if self.form == "csv":
                text = str(self.files.get(name, self.path / f"{name}.csv"))
            elif self.form == "excel":
                text = f"{self.path}: sheet '{name}'"
            else:
                text = f"{self.path}: {name}" if name else str(self.path)
            self._texts[name] = text
        return text

    def record(self, name: str, label: Any, single: bool) -> str:
        if self.form == "csv":
            return f"{self.table(name)}: line {label}"
        if self.form == "excel":
            return f"{self.table(name)} row {label}"
        return self.table(name) if single else f"{self.path}: {name}[{label}]"


@dataclass
class TableSource:
    """Where a table set was read from; its layout turns error locations into places."""

    path: Path
    form: Form
    layout: Layout
    #: Extra CSV files of a folder that are not tables (a routing matrix), by known name.
    extra_files: dict[str, Path] = field(default_factory=dict)


def read_tables(
    path: Path, specs: Sequence[TableSpec], form: Form | None = None,
    extra_files: Sequence[str] = (),
) -> tuple[dict[str, Any], TableSource]:
    """Read a table set from ``path`` into a plain dict keyed by table name.

    ``extra_files`` are names of CSV files in a folder that are not tables (found by the same
    loose name rule and returned in ``source.extra_files``). Raises :class:`InputError`.
    """
    path = Path(path)
    try:
        path.stat()
    except FileNotFoundError:
        raise InputError([f"{path}: no such file or folder"]) from None
    except OSError as exc:
        raise InputError([f"{path}: cannot be read ({exc.strerror})"]) from None
    form = form or detect_form(path)
    if form == "csv" and not path.is_dir():
        raise InputError([f"{path}: not a folder; a CSV instance is a folder of .csv files"])
    if form != "csv" and path.is_dir():
        raise InputError([f"{path}: a folder; expected a {form.upper()} file"])
    if form == "json":
        return json_tables(read_json(path), path)
    places = FilePlaces(path, form)
    extra: dict[str, Path] = {}
    if form == "csv":
        tables = _csv_folder_tables(path, places, extra_files, extra)
        what, name = "table", path.name
    else:
        tables = read_workbook_tables(path)
        what, name = "sheet", path.stem
    try:
        data, layout = tables_to_data(tables, specs, places, what)
    except TableError as exc:
        raise InputError(exc.problems) from None
    return {"name": name, **data}, TableSource(path, form, layout, extra)


def validate_tables(
    model: type[M], data: Mapping[str, Any], source: TableSource, specs: Sequence[TableSpec]
) -> M:
    """Validate ``data`` read by :func:`read_tables` into ``model``; raises :class:`InputError`
    whose problems name the file, the record and the field."""
    try:
        return build_instance(model, data, specs, source.layout,
                              check_bools=source.form == "json")
    except TableError as exc:
        raise InputError(exc.problems) from None


# ---- reading -------------------------------------------------------------------------------

def read_bytes(path: Path) -> bytes:
    """The bytes of a regular file; a folder, FIFO, device or unreadable file is an
    :class:`InputError` naming it (a FIFO is never opened, so it cannot block)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise InputError([f"{path}: cannot be read ({exc.strerror})"]) from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise InputError([f"{path}: {kind}; expected a file"])
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError([f"{path}: cannot be read ({exc.strerror})"]) from None


def decode_text(raw: bytes, path: Path | str) -> str:
    """Text of a file: UTF-8 (with or without a byte order mark), or UTF-16/32 with one."""
    boms = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
            (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
            (codecs.BOM_UTF16_BE, "utf-16"))
    encoding = next((enc for bom, enc in boms if raw.startswith(bom)), "utf-8")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError([f"{path}: not {encoding.upper().removesuffix('-SIG')} text (byte "
                          f"{exc.start}); save it as UTF-8 (in Excel: 'CSV UTF-8')"]) from None
    if "\x00" in text:
        raise InputError([f"{path}: holds NUL characters (UTF-16 without a byte order mark?); "
                          f"save it as UTF-8"])
    return text


def read_json(path: Path) -> Any:
    """A JSON file (a regular file; UTF-8, or UTF-16/32 with a BOM); errors name the file, the
    line and the column."""
    return parse_json(read_bytes(path), path)


def parse_json(raw: bytes, label: Path | str) -> Any:
    """JSON text in bytes (UTF-8, or UTF-16/32 with a BOM), from a file or standard input;
    errors name ``label`` (the file, ``<stdin>``), the line and the column."""
    text = decode_text(raw, label)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([f"{label}: line {exc.lineno} column {exc.colno}: invalid JSON: "
                          f"{exc.msg}"]) from None
    except RecursionError:
        raise InputError([f"{label}: invalid JSON: nested too deeply"]) from None


def json_tables(data: Any, label: Path | str) -> tuple[dict[str, Any], TableSource]:
    """Parsed JSON (the native form: one object holding the tables) as a table set whose
    problems name ``label`` (the file, or ``<stdin>``), e.g. ``<stdin>: stops[3]``; the same
    for a file and for data that arrived some other way. Raises :class:`InputError` when the
    top level is not an object."""
    if not isinstance(data, dict):
        raise InputError([f"{label}: the top level must be a JSON object with the tables"])
    path = Path(label)
    return data, TableSource(path, "json", Layout(FilePlaces(path, "json")))


def _csv_folder_tables(
    folder: Path, places: FilePlaces, extra_names: Sequence[str], extra: dict[str, Path]
) -> list[RawTable]:
    """The ``*.csv`` files of a folder as raw tables (hidden files and lock files skipped)."""
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise InputError([f"{folder}: cannot be read ({exc.strerror})"]) from None
    extra_keys = {name_key(n): n for n in extra_names}
    tables = []
    problems = []
    for file in entries:
        if file.name.startswith((".", "~$")) or file.suffix.lower() != ".csv":
            continue
        stem = file.name[: -len(".csv")]
        if name_key(stem) in extra_keys:
            known = extra_keys[name_key(stem)]
            if known in extra:
                problems.append(f"{file}: the files '{extra[known].name}' and '{file.name}' are "
                                f"both '{known}.csv'")
            extra[known] = file
            continue
        places.files[stem] = file
        try:
            tables.append(read_csv_table(file, stem))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return tables


def sniff_delimiter(text: str) -> str:
    """``,`` or ``;`` (a European Excel export) or a tab: the one the header line holds most."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_csv_table(file: Path, stem: str) -> RawTable:
    text = decode_text(read_bytes(file), file)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        skipinitialspace=True)
    rows: list[tuple[int, list[str]]] = []
    line = 0
    try:
        for cells in reader:
            rows.append((line + 1, cells))
            line = reader.line_num
    except csv.Error as exc:
        raise InputError([f"{file}: line {reader.line_num}: unreadable CSV: {exc}"]) from None
    header: list[Any] = []
    while rows and not header:
        _, cells = rows.pop(0)
        header = cells if any(c.strip() for c in cells) else []
    return RawTable(stem, header, rows, decimal_comma=delimiter == ";")


def read_workbook_tables(path: Path) -> list[RawTable]:
    """The worksheets of a workbook as raw tables (wholly empty rows dropped early). Formula
    cells take the value the spreadsheet stored; a formula without one (a workbook written by a
    program, never opened in a spreadsheet) is refused naming the sheet and the cell."""
    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    read_bytes(path)  # a regular, readable file (a FIFO would block openpyxl)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise InputError([f"{path}: unreadable Excel workbook: {exc}"]) from None
    tables = []
    #: Cells that may be formulas: text starting with '=' (a formula, or text that looks like
    #: one; the stored values tell them apart) and array/data-table formulas.
    maybe: dict[str, list[tuple[int, int]]] = {}
    try:
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # never trust a stored size; read every row there is
            rows: list[tuple[int, list[Any]]] = []
            for r, values in enumerate(sheet.iter_rows(min_row=1, min_col=1, values_only=True),
                                       start=1):
                if values.count(None) == len(values):
                    continue
                for c, value in enumerate(values):
                    if (type(value) is str and value.startswith("=")) \
                            or isinstance(value, ArrayFormula | DataTableFormula):
                        maybe.setdefault(sheet.title, []).append((r, c))
                rows.append((r, list(values)))
            tables.append(RawTable(sheet.title, [], rows, typed=True))
    finally:
        book.close()
    if maybe:
        _formula_values(path, tables, maybe)
    for table in tables:
        rows = list(table.rows)
        while rows and not table.header:
            _, cells = rows.pop(0)
            table.header = list(cells) if any(_filled(c) for c in cells) else []
        table.rows = rows
    return tables


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _formula_values(path: Path, tables: list[RawTable],
                    maybe: dict[str, list[tuple[int, int]]]) -> None:
    """Put the stored values in place of formulas: a cell whose stored value equals its text
    is text; a formula whose stored value is missing is refused."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    problems = []
    try:
        for table in tables:
            cells = maybe.get(table.name)
            if not cells:
                continue
            wanted = {r for r, _ in cells}
            sheet = book[table.name]
            sheet.reset_dimensions()
            stored = {r: row for r, row in enumerate(
                sheet.iter_rows(min_row=1, min_col=1, values_only=True), start=1)
                if r in wanted}
            rows = dict(table.rows)
            for r, c in cells:
                row = stored.get(r, ())
                value = row[c] if c < len(row) else None
                formula = rows[r][c]
                if value is None:
                    text = getattr(formula, "text", formula)
                    problems.append(f"{path}: sheet '{table.name}' cell {get_column_letter(c + 1)}"
                                    f"{r}: the formula {text} has no stored value (the file "
                                    f"was not saved by a spreadsheet program); open and save "
                                    f"it in Excel or LibreOffice, or type the value")
                rows[r][c] = value
    finally:
        book.close()
    if problems:
        raise InputError(problems)


# ---- writing -------------------------------------------------------------------------------

class _DataPlaces(Places):
    """Records of data being written to ``path``: ``PATH: offers[3]``, ``PATH: policy``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def table(self, name: str) -> str:
        return f"{self.path}: {name}"

    def record(self, name: str, label: Any, single: bool) -> str:
        return self.table(name) if single else f"{self.path}: {name}[{label}]"


def table_rows(data: Mapping[str, Any], specs: Sequence[TableSpec], path: Path
               ) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Tables as ``(columns, rows)`` with list cells joined by ``;``; optional tables with no
    record are left out. Raises :class:`InputError` (naming ``path`` and the record) for ids a
    list cell cannot hold."""
    problems = list(list_cell_problems(data, specs, Layout(_DataPlaces(path))))
    if problems:
        raise InputError(problems)
    tables = {}
    for spec in specs:
        value = data.get(spec.name)
        rows = [value] if spec.single else list(value or [])
        if spec.optional and not any(rows):
            continue
        columns = [c for c in spec.columns
                   if c in spec.required or any(c in r for r in rows)]
        cells = [[_list_cell(r.get(c)) for c in columns] for r in rows]
        tables[spec.name] = (columns, cells)
    return tables


def _list_cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ";".join(_text(v) for v in value)
    return value


def _text(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _csv_text(columns: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([["" if v is None else _text(v) for v in row] for row in rows])
    return out.getvalue()


def write_tables(
    data: Mapping[str, Any], specs: Sequence[TableSpec], path: Path, form: Form,
    shown: Path | None = None,
) -> None:
    """Write a table set in ``form``; every file is written atomically. Text is written as
    text (an id ``=x`` is not an Excel formula). Raises :class:`InputError` before writing
    anything for data a CSV or Excel copy would change; its problems name ``shown`` (the
    target the user gave, when ``path`` is a staging copy) or ``path``."""
    path = Path(path)
    if form == "json":
        atomic_write_text(path, json.dumps(data, indent=2) + "\n")
        return
    tables = table_rows(data, specs, Path(shown) if shown is not None else path)
    if form == "csv":
        path.mkdir(parents=True, exist_ok=True)
        for name, (columns, rows) in tables.items():
            atomic_write_text(path / f"{name}.csv", _csv_text(columns, rows))
        return
    atomic_write(path, _book_writer(tables))


def _book_writer(tables: Mapping[str, tuple[list[str], list[list[Any]]]]
                 ) -> Callable[[Path], None]:
    def write(tmp: Path) -> None:
        import openpyxl

        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, (columns, rows) in tables.items():
            sheet = book.create_sheet(name)
            for r, values in enumerate(_with_header(columns, rows), start=1):
                for c, value in enumerate(values, start=1):
                    if value is None:
                        continue
                    cell = sheet.cell(row=r, column=c, value=value)
                    if isinstance(value, str):
                        cell.data_type = "s"  # text, even when it starts with '='
        book.save(tmp)

    return write


def _with_header(columns: list[str], rows: list[list[Any]]) -> Iterator[list[Any]]:
    yield list(columns)
    yield from rows

