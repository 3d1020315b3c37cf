"""Instances as sets of named tables: the rules shared by CSV folders, Excel workbooks and
DataFrames (the ``optimizer`` file readers and ``Instance.from_frames`` use the same code).

* Names of tables and columns match whatever their case, surrounding spaces, and whether words
  are separated by spaces, ``_`` or ``-`` (``Price Breaks`` and ``price-breaks`` are
  ``price_breaks``). An unknown table or column is an error with a "did you mean" hint. Notes are
  kept out of the instance by name: a table or column whose name starts with ``_`` or ``#``, and
  tables named ``notes`` or ``readme``.
* Blank rows are skipped; a row with any cell filled is a record and is validated.
* Number cells given as text may be written ``60%`` (0.6), ``15,000`` or ``15 000`` (15000);
  a comma is a thousands separator in groups of three, except in tables read with a decimal
  comma (``;``-separated CSV files), where ``1,5`` is 1.5. Anything ambiguous is refused.
* List cells hold values separated by ``;``. In a list of numbers (routing ``delivery``,
  ``pickup``, ``capacity``) ``;`` is the only separator, in every form (JSON strings too): a
  ``,`` there is refused outside a ``;``-separated CSV file (``12,5`` is neither 12.5 nor two
  values). Lists of ids also take ``,`` between ids.
* ``true``/``false`` are never numbers.

Problems are complete sentences naming the table, the record and the field; they are raised
together as a :class:`TableError`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
import types
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core.core_schema import ErrorType

Kind = Literal["number", "numbers", "bool", "list", "text"]
M = TypeVar("M", bound=BaseModel)

#: Tables and columns whose name starts with one of these are notes, never read.
NOTE_PREFIXES = ("_", "#")
#: Tables (sheets, CSV files) with these names are notes too.
NOTE_TABLES = frozenset({"notes", "readme"})
#: Characters that separate the ids of a list cell (``must_use``, ``skills``); the values of
#: a list of numbers are separated by ``;`` only (see :func:`number_list`).
LIST_SEPARATORS = (";", ",")

#: Error types of pydantic itself; any other type is raised by the models' own validators,
#: whose messages already show the value.
_PYDANTIC_ERRORS = frozenset(get_args(ErrorType))
_FRIENDLY = {
    "missing": "Field required",
    "extra_forbidden": "unknown field (not part of the format; see the schema command)",
    "too_short": "needs at least one record",
}


class TableError(ValueError):
    """Tables that do not make a valid instance; ``problems`` are complete sentences naming the
    table, the record and the field."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


class CellError(ValueError):
    """One cell that cannot be read; the message says why."""


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

    @property
    def kinds(self) -> dict[str, Kind]:
        """What each column holds: a number, a list of numbers, a yes/no, a list, or text."""
        return field_kinds(self.record)


# ---- names ---------------------------------------------------------------------------------

def name_key(name: object) -> str:
    """The form names are compared in: case-folded, trimmed, with each run of spaces, ``_``
    and ``-`` made one ``_`` (``' Price-Breaks '`` -> ``'price_breaks'``)."""
    return re.sub(r"[\s_\-]+", "_", str(name).strip().casefold())


def is_note_table(name: object) -> bool:
    """A table (sheet, CSV file, frame) kept for people only: ``_x``, ``#x``, ``notes``,
    ``readme``."""
    text = str(name).strip()
    # "Read me", "read-me" and "README" are all the readme
    return text.startswith(NOTE_PREFIXES) or name_key(text).replace("_", "") in NOTE_TABLES


def is_note_column(name: object) -> bool:
    """A column kept for people only: its name starts with ``_`` or ``#``."""
    return str(name).strip().startswith(NOTE_PREFIXES)


def did_you_mean(name: object, known: Iterable[str]) -> str:
    """``" (did you mean 'policy'?)"`` for the closest known name, or ``""``."""
    close = difflib.get_close_matches(name_key(name), list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def match_names(
    names: Iterable[str], known: Sequence[str], what: str
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Match found names (sheets, files, columns) to known ones.

    Returns ``{found: known}`` for the names that match and ``[(found, problem)]`` for unknown
    names and for two names that mean the same one. Notes are neither matched nor reported.
    """
    by_key = {name_key(k): k for k in known}
    matched: dict[str, str] = {}
    first: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for name in names:
        if (is_note_table(name) if what != "column" else is_note_column(name)):
            continue
        target = by_key.get(name_key(name))
        if target is None:
            problems.append((name, f"unknown {what} '{name}'{did_you_mean(name, known)}; "
                                   f"known: {', '.join(known)} (a {what} whose name starts with "
                                   f"'_' or '#' is a note and is not read)"))
        elif target in first:
            problems.append((name, f"the {what}s '{first[target]}' and '{name}' are both "
                                   f"'{target}'"))
        else:
            first[target] = name
            matched[name] = target
    return matched, problems


# ---- cells ---------------------------------------------------------------------------------

@cache
def field_kinds(record: type[BaseModel]) -> dict[str, Kind]:
    """What each field of ``record`` holds, from its type annotation."""
    return {name: _kind(info.annotation) for name, info in record.model_fields.items()}


def _kind(tp: Any) -> Kind:
    origin = get_origin(tp)
    if origin is Annotated:
        return _kind(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        kinds = {_kind(a) for a in get_args(tp) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else "text"
    if tp is bool:
        return "bool"
    if tp in (int, float):
        return "number"
    if origin in (tuple, list):
        args = [a for a in get_args(tp) if a is not Ellipsis]
        return "numbers" if len(args) == 1 and _kind(args[0]) == "number" else "list"
    return "text"


_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " "})
_NUMBERISH = re.compile(r"[+-]?[\d.,' ]*\d[\d.,' ]*")
#: Thousands groups: a first group of 1-3 digits not starting with 0, then groups of three.
_SPACE_GROUPS = re.compile(r"[+-]?[1-9]\d{0,2}( \d{3})+([.,]\d+)?")
_COMMA_GROUPS = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?")
_DOT_GROUPS = re.compile(r"[+-]?[1-9]\d{0,2}(\.\d{3})+")
_DOT_GROUPS_COMMA = re.compile(r"[+-]?[1-9]\d{0,2}(\.\d{3})+,\d+")
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")


def read_number(text: str, decimal_comma: bool = False, typed: bool = False) -> float | str:
    """A number written the way spreadsheets show it, or ``text`` unchanged when it is not in
    one of those forms (the model then says what is wrong with it).

    ``60%`` -> 0.6; ``15 000`` (also with a no-break space) -> 15000; ``15,000`` -> 15000 and
    ``1,5`` refused, unless ``decimal_comma``: then ``1,5`` -> 1.5, ``15.000,5`` -> 15000.5 and
    ``15.000`` refused as ambiguous. ``typed``: a spreadsheet text cell (a person typed the
    number as text, e.g. in a cell formatted as text): ``12.000`` is refused as ambiguous there
    too (twelve, or twelve thousand written the European way?), while a CSV file, where every
    cell is text, reads it as 12. Raises :class:`CellError` for a refused form.
    """
    core = text.translate(_SPACES).strip()
    percent = core.endswith("%")
    if percent:
        core = core[:-1].rstrip()
    if not _NUMBERISH.fullmatch(core):
        if percent:
            raise CellError(f"{text!r} is not a percentage")
        return text
    if _SPACE_GROUPS.fullmatch(core):
        core = core.replace(" ", "")
    if decimal_comma:
        if _DOT_GROUPS_COMMA.fullmatch(core):
            core = core.replace(".", "").replace(",", ".")
        elif _DECIMAL_COMMA.fullmatch(core):
            core = core.replace(",", ".")
        elif _DOT_GROUPS.fullmatch(core):
            raise CellError(f"{text!r} is ambiguous in a ';'-separated file, where the decimal "
                            f"separator is ',': write {core.replace('.', '')} for thousands, or "
                            f"{core.replace('.', ',')} for a fraction")
        elif "," in core:
            raise CellError(f"{text!r} is not a number")
    elif typed and not percent and _DOT_GROUPS.fullmatch(core):
        raise CellError(f"{text!r} typed as text is ambiguous (a decimal point, or a European "
                        f"thousands separator?): write {core.replace('.', '')} for thousands, "
                        f"or type the number as a number")
    elif "," in core:
        if not _COMMA_GROUPS.fullmatch(core):
            raise CellError(f"{text!r}: a ',' is read only as a thousands separator (15,000); "
                            f"write decimals with a '.' (1.5), or save the CSV with ';' "
                            f"between cells to use a decimal comma")
        core = core.replace(",", "")
    try:
        value = Decimal(core)
    except InvalidOperation:
        raise CellError(f"{text!r} is not a number") from None
    if percent:
        value = value.scaleb(-2)
    elif core == text.strip():
        return text
    return float(value)


def number_list(text: str, decimal_comma: bool = False) -> list[float | str]:
    """The values of a list cell of numbers (``1200;8.5``), in every form: CSV and Excel
    cells, and strings in JSON, DataFrames and Python data (the routing model reads its list
    strings here too). Values are separated by ``;`` only. In a decimal-comma table (a
    ``;``-separated CSV file) a value may use a decimal comma (``1200;8,5``); anywhere else a
    ``,`` in a value is refused rather than read as a decimal comma, a thousands separator or a
    second value (``12,5`` is 12.5 to a European and [12, 5] to a program), and so is a
    thousands group (``15 000``). Values that are not numbers are left for the model to
    report. Raises :class:`CellError`."""
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if decimal_comma:
        return [read_number(p, True) for p in parts]
    values: list[float | str] = []
    for part in parts:
        core = part.translate(_SPACES)
        if "," in core:
            raise CellError(_list_comma_problem(part, core))
        if _SPACE_GROUPS.fullmatch(core):
            raise CellError(f"{part!r} in a list of numbers: write numbers without thousands "
                            f"separators ({core.replace(' ', '')}); separate values with ';'")
        values.append(read_number(part))
    return values


def _list_comma_problem(part: str, core: str) -> str:
    """Why a ``,`` in a value of a list of numbers is refused, and what to write instead."""
    bare = core.replace(" ", "")
    several = bare.replace(",", ";")
    if _COMMA_GROUPS.fullmatch(bare):
        instead = f"{bare.replace(',', '')} for one value (no thousands separator), or " \
                  f"{several} for several"
    elif _DECIMAL_COMMA.fullmatch(bare):
        instead = f"{bare.replace(',', '.')} for one value, or {several} for two"
    else:
        instead = several
    return (f"{part!r} in a list of numbers: a decimal comma is not read here and ',' does not "
            f"separate values; separate values with ';' and write decimals with '.': {instead} "
            f"(only a ';'-separated CSV file reads decimal commas)")


class _Blank:
    """An empty cell (the field is not given)."""


BLANK = _Blank()


def cell_value(value: Any, kind: Kind, decimal_comma: bool = False, typed: bool = False) -> Any:
    """A cell as the model reads it, or :data:`BLANK`. Raises :class:`CellError`."""
    if value is None:
        return BLANK
    if type(value) is str:  # the common case first
        text = value.strip()
        if text == "":
            return BLANK
        if kind == "number":
            return read_number(text, decimal_comma, typed)
        if kind == "numbers":
            return number_list(text, decimal_comma)
        return text
    if hasattr(value, "item") and not isinstance(value, str | bytes | list | tuple | dict):
        value = value.item()  # numpy scalars
    if isinstance(value, str):
        return cell_value(str(value), kind, decimal_comma, typed)
    if isinstance(value, bool):
        if kind in ("number", "numbers"):
            raise CellError(f"expected a number, got {str(value).lower()} (a yes/no value)")
        return value
    if isinstance(value, float) and math.isnan(value):
        return BLANK
    if isinstance(value, int | float):
        if kind in ("number", "bool"):
            return value
        return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M" if value.second == 0 else "%H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        if kind == "numbers" and any(isinstance(v, bool) for v in value):
            raise CellError(f"expected numbers, got a yes/no value in {list(value)!r}")
        return value
    if _is_missing(value):
        return BLANK
    return value


def _is_missing(value: Any) -> bool:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def is_blank(value: Any) -> bool:
    """An empty cell: nothing, blank text, NaN."""
    if value is None:
        return True
    if type(value) is str:
        return not value or value.isspace()
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, int | bool | list | tuple | dict) is False and _is_missing(value)


# ---- places in messages --------------------------------------------------------------------

class Places:
    """How messages name a table and a record; file readers override it. This one names the
    tables of :func:`frames_to_instance`: ``table 'offers' index 3``."""

    def table(self, name: str) -> str:
        """Where a whole table is."""
        return f"table '{name}'"

    def record(self, name: str, label: Any, single: bool) -> str:
        """Where one record is; ``label`` is the record's row number or index label."""
        return self.table(name) if single else f"table '{name}' index {label}"


@dataclass
class Layout:
    """Where each table and record of a table set came from (for messages)."""

    places: Places = field(default_factory=Places)
    #: Known table name -> the name it was found under (sheet title, file stem, frame key).
    found: dict[str, str] = field(default_factory=dict)
    #: Known table name -> the label (line, row, index) of each record, in order.
    labels: dict[str, list[Any]] = field(default_factory=dict)

    def table_place(self, table: str) -> str:
        """Where a table is."""
        return self.places.table(self.found.get(table, table))

    def record_place(self, table: str, index: int, single: bool = False) -> str:
        """Where the ``index``-th record of ``table`` is."""
        labels = self.labels.get(table)
        label = labels[index] if labels is not None and index < len(labels) else index
        return self.places.record(self.found.get(table, table), label, single)


@dataclass
class RawTable:
    """One table as found: its name, its header cells and its rows (label, cells)."""

    name: str
    header: list[Any]
    rows: Iterable[tuple[Any, Sequence[Any]]]
    #: Text numbers use a decimal comma (a ``;``-separated CSV file).
    decimal_comma: bool = False
    #: Text cells of a spreadsheet, where a number is normally a number cell (see
    #: :func:`read_number`'s ``typed``).
    typed: bool = False


# ---- tables -> data -> instance ------------------------------------------------------------

def tables_to_data(
    tables: Iterable[RawTable], specs: Sequence[TableSpec], places: Places, what: str = "table"
) -> tuple[dict[str, Any], Layout]:
    """Plain data for the model from raw tables (sheets, CSV files, frames).

    Matches table and column names, skips notes and blank rows, reads cells by the field's
    kind. Raises :class:`TableError` with every problem found.
    """
    by_name = {spec.name: spec for spec in specs}
    tables = list(tables)
    matched, name_problems = match_names([t.name for t in tables], [s.name for s in specs],
                                         what)
    layout = Layout(places)
    problems = [f"{places.table(name)}: {message}" for name, message in name_problems]
    data: dict[str, Any] = {}
    for table in tables:
        target = matched.get(table.name)
        if target is None:
            continue
        layout.found[target] = table.name
        spec = by_name[target]
        records, labels = _read_table(table, spec, layout, problems)
        layout.labels[target] = labels
        if spec.single:
            if len(records) > 1:
                problems.append(f"{layout.table_place(target)}: table '{target}' holds one "
                                f"record, found {len(records)}")
            data[target] = records[0] if records else {}
        else:
            data[target] = records
    for spec in specs:
        if spec.name not in layout.found and not spec.optional:
            problems.append(f"{places.table(spec.name)}: required {what} '{spec.name}' is "
                            f"missing")
    if problems:
        raise TableError(problems)
    return data, layout


def _read_table(
    table: RawTable, spec: TableSpec, layout: Layout, problems: list[str]
) -> tuple[list[dict[str, Any]], list[Any]]:
    place = layout.places.table(table.name)
    header = [None if is_blank(h) else str(h).strip() for h in table.header]
    named = [h for h in header if h is not None]
    matched, column_problems = match_names(named, spec.columns, "column")
    problems.extend(f"{place}: {message}" for _, message in column_problems)
    columns = [matched.get(h) if h is not None else None for h in header]
    nameless = [i for i, h in enumerate(header) if h is None]
    found = set(matched.values())
    problems.extend(f"{place}: missing column '{c}'" for c in spec.required if c not in found)
    kinds = spec.kinds
    records: list[dict[str, Any]] = []
    labels: list[Any] = []
    reported_nameless: set[int] = set()
    notes = {i for i, h in enumerate(header) if h is not None and is_note_column(h)}
    for label, cells in table.rows:
        if all(is_blank(c) for i, c in enumerate(cells) if i not in notes):
            continue
        record: dict[str, Any] = {}
        for i, cell in enumerate(cells):
            column = columns[i] if i < len(columns) else None
            if column is None:
                if (i in nameless or i >= len(columns)) and i not in reported_nameless \
                        and not is_blank(cell):
                    reported_nameless.add(i)
                    problems.append(f"{layout.places.record(table.name, label, False)}: "
                                    f"column {i + 1} has a value ({cell!r}) but no name in "
                                    f"the header")
                continue
            try:
                value = cell_value(cell, kinds[column], table.decimal_comma, table.typed)
            except CellError as exc:
                problems.append(f"{layout.places.record(table.name, label, spec.single)}: "
                                f"field '{column}': {exc}")
                continue
            if value is not BLANK:
                record[column] = value
        records.append(record)
        labels.append(label)
    return records, labels


def reject_bools(data: Mapping[str, Any], specs: Sequence[TableSpec], layout: Layout) -> list[str]:
    """Problems for ``true``/``false`` given where a number is expected (JSON and Python data,
    where pydantic would read them as 1 and 0): in number fields, lists of numbers, nested
    records such as time windows, and data beside the tables such as a routing matrix. Only
    fields declared yes/no (``whole_units``) take them."""
    problems = []
    by_name = {spec.name: spec for spec in specs}
    for key, value in data.items():
        spec = by_name.get(key)
        if spec is None:
            if key != "name" and _has_bool(value):
                problems.append(f"{layout.table_place(key)}: expected numbers, got "
                                f"{_json_text(_first_bool(value))} (true/false are not "
                                f"numbers)")
            continue
        if isinstance(value, Mapping) and spec.single:
            rows: list[Any] = [value]
        elif isinstance(value, list | tuple) and not spec.single:
            rows = list(value)
        else:
            continue
        kinds = spec.kinds
        for i, row in enumerate(rows):
            if not isinstance(row, Mapping):
                continue
            for name, cell in row.items():
                if kinds.get(name, "text") in ("bool", "text") or not _has_bool(cell):
                    continue
                problems.append(f"{layout.record_place(spec.name, i, spec.single)}: field "
                                f"'{name}': expected a number, got {_json_text(cell)} "
                                f"(true/false are not numbers)")
    return problems


def _has_bool(value: Any) -> bool:
    return _first_bool(value) is not None


def _first_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list | tuple):
        for item in value:
            found = _first_bool(item)
            if found is not None:
                return found
    return None


def _json_text(value: Any) -> str:
    """``value`` as JSON shows it (short)."""
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validation_problems(
    error: ValidationError, layout: Layout, specs: Sequence[TableSpec]
) -> list[str]:
    """Readable sentences, one per pydantic error. A table that is "too short" only because
    its records failed (pydantic drops them before counting) is not reported twice."""
    by_name = {spec.name: spec for spec in specs}
    problems = []
    errors = error.errors(include_url=False, include_context=True, include_input=True)
    failed_tables = {e["loc"][0] for e in errors if len(e["loc"]) > 1}
    for err in errors:
        kind = err["type"]
        loc = err["loc"]
        if kind == "too_short" and len(loc) == 1 and loc[0] in failed_tables \
                and err["ctx"]["actual_length"] == 0:
            continue
        where, name = _place(loc, layout, by_name)
        message = _FRIENDLY.get(kind, err["msg"])
        if kind in _PYDANTIC_ERRORS and kind not in _FRIENDLY:
            message += f" (got {err['input']!r})"
        if kind == "extra_forbidden" and loc:
            message += _extra_hint(loc, by_name)
        problems.append(f"{where}: field '{name}': {message}" if name else f"{where}: {message}")
    return problems


def _extra_hint(loc: Sequence[str | int], specs: Mapping[str, TableSpec]) -> str:
    """A "did you mean" for an unknown JSON key: a table name at the top, else a column."""
    if len(loc) == 1:
        return did_you_mean(loc[0], specs)
    spec = specs.get(str(loc[0]))
    return did_you_mean(loc[-1], spec.columns) if spec is not None else ""


def _place(
    loc: Sequence[str | int], layout: Layout, specs: Mapping[str, TableSpec]
) -> tuple[str, str]:
    """``(where, field)`` for a validation error location ``(table, row, field, ...)``."""
    parts = list(loc)
    if not parts:
        return layout.places.table(""), ""
    table = str(parts[0])
    spec = specs.get(table)
    if spec is None:
        return layout.table_place(table), ".".join(str(p) for p in parts[1:]) or ""
    if spec.single:
        row, rest = 0, parts[1:]
    elif len(parts) > 1 and isinstance(parts[1], int):
        row, rest = parts[1], parts[2:]
    else:
        return layout.table_place(table), ".".join(str(p) for p in parts[1:])
    return layout.record_place(table, row, spec.single), str(rest[0]) if rest else ""


def build_instance(
    model: type[M], data: Mapping[str, Any], specs: Sequence[TableSpec], layout: Layout,
    check_bools: bool = True,
) -> M:
    """Validate ``data`` into ``model``; raises :class:`TableError` with readable problems.
    ``check_bools`` refuses ``true``/``false`` for numbers first (not needed for data from
    :func:`tables_to_data`, whose cells were read by kind)."""
    problems = reject_bools(data, specs, layout) if check_bools else []
    if problems:
        raise TableError(problems)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise TableError(validation_problems(exc, layout, specs)) from None


# ---- DataFrames ----------------------------------------------------------------------------

def frame_table(name: str, frame: Any) -> RawTable:
    """A DataFrame (or a list of dicts, or one dict for a one-record table) as a raw table;
    records are labelled by the frame's index."""
    if isinstance(frame, Mapping):
        frame = [frame]
    if isinstance(frame, list | tuple):
        header: list[Any] = []
        for row in frame:
            header.extend(k for k in row if k not in header)
        rows = [(i, [row.get(h) for h in header]) for i, row in enumerate(frame)]
        return RawTable(str(name), header, rows)
    header = list(frame.columns)
    return RawTable(str(name), header,
                    ((label, list(values)) for label, values in
                     zip(frame.index, frame.itertuples(index=False, name=None), strict=True)))


def frames_to_instance(
    model: type[M], frames: Mapping[str, Any], specs: Sequence[TableSpec], name: str,
    extra: Mapping[str, Any] | None = None,
) -> M:
    """An instance from DataFrames keyed by table name, read by the rules of this module."""
    tables = [frame_table(key, frame) for key, frame in frames.items()]
    data, layout = tables_to_data(tables, specs, Places(), what="table")
    data = {"name": name, **data, **(extra or {})}
    return build_instance(model, data, specs, layout, check_bools=False)


def instance_frames(instance: BaseModel, specs: Sequence[TableSpec]) -> dict[str, Any]:
    """Every table of ``instance`` as a DataFrame (list cells as Python lists); a one-record
    table is a one-row frame. :func:`frames_to_instance` reads them back unchanged."""
    import pandas as pd

    dumped = instance.model_dump(mode="json")
    frames = {}
    for spec in specs:
        value = dumped.get(spec.name)
        rows = [value] if spec.single else list(value or [])
        frames[spec.name] = pd.DataFrame(rows, columns=list(spec.columns))
    return frames


def list_cell_problems(
    data: Mapping[str, Any], specs: Sequence[TableSpec], layout: Layout
) -> Iterator[str]:
    """Ids in list fields that a ``;``-separated list cell could not give back (they hold
    ``;`` or ``,``): a CSV or Excel copy would read as a different instance."""
    for spec in specs:
        value = data.get(spec.name)
        rows = [value] if spec.single else list(value or [])
        for i, row in enumerate(rows):
            if not isinstance(row, Mapping):
                continue
            for name in spec.list_fields:
                items = row.get(name)
                if not isinstance(items, list | tuple):
                    continue
                for item in items:
                    if isinstance(item, str) and any(s in item for s in LIST_SEPARATORS):
                        yield (f"{layout.record_place(spec.name, i, spec.single)}: field "
                               f"'{name}': {item!r} holds ';' or ',', which separate the values "
                               f"of a list cell, so CSV and Excel cannot hold it; keep the "
                               f"instance in JSON or rename it")
