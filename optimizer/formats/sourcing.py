"""Sourcing instances and plans on disk: JSON, CSV folder, Excel workbook."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from models.sourcing import (
    SOURCING_TABLES,
    MarginalValues,
    RiskPolicy,
    SourcingInstance,
    SourcingPlan,
)
from models.tables import (
    Places,
    RawTable,
    TableError,
    TableSpec,
    build_instance,
    is_note_table,
    name_key,
    tables_to_data,
)
from optimizer.errors import InputError
from optimizer.formats.results import (
    read_result_json,
    write_result_files,
    write_result_folder,
)
from optimizer.formats.tables import (
    EXCEL_SUFFIXES,
    Form,
    TableSource,
    json_tables,
    read_csv_table,
    read_json,
    read_tables,
    read_workbook_tables,
    validate_tables,
    write_tables,
)
from optimizer.output_folder import PLAN_MARKERS, staged_folder


def read_sourcing_instance(path: Path | str, form: Form | None = None) -> SourcingInstance:
    """Read and validate a sourcing instance (JSON file, CSV folder or Excel workbook).

    Raises :class:`InputError` whose problems name the file, the record and the field.
    """
    data, source = read_tables(Path(path), SOURCING_TABLES, form)
    return _validate(data, source)


def read_sourcing_data(data: Any, label: str = "<stdin>") -> SourcingInstance:
    """Validate a sourcing instance already parsed from its JSON form (a request body, stdin).

    Raises :class:`InputError` whose problems name ``label``, the record and the field, as for
    a JSON file (``<stdin>: offers[3]: ...``)."""
    return _validate(*json_tables(data, label))


def _validate(data: dict[str, Any], source: TableSource) -> SourcingInstance:
    return validate_tables(SourcingInstance, data, source, SOURCING_TABLES)


def instance_tables(instance: SourcingInstance) -> dict[str, Any]:
    """The instance as plain tables (the JSON form); scenario tables only when there are any."""
    data = instance.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    for table in ("scenarios", "disruptions"):
        if not data[table]:
            del data[table]
    if instance.risk == RiskPolicy():
        del data["risk"]
    return data


def write_sourcing_instance(instance: SourcingInstance, path: Path | str, form: Form,
                            shown: Path | str | None = None) -> None:
    """Write ``instance`` as a JSON file, a CSV folder or an Excel workbook. An instance that
    CSV or Excel cannot hold (a list id with ';' or ',') raises :class:`InputError` naming
    ``shown`` (the user's target when ``path`` is a staging copy) and writes nothing."""
    write_tables(instance_tables(instance), SOURCING_TABLES, Path(path), form,
                 Path(shown) if shown is not None else None)


def read_sourcing_plan(path: Path | str) -> SourcingPlan:
    """Read a plan JSON written by :func:`write_sourcing_plan` (or the folder holding it)."""
    return read_result_json(path, SourcingPlan)


def plan_frames(plan: SourcingPlan, currency: str | None = None) -> dict[str, pd.DataFrame]:
    """The plan as tidy tables (:meth:`SourcingPlan.to_frames`)."""
    return plan.to_frames(currency)


def marginal_frame(values: MarginalValues) -> pd.DataFrame:
    """One row per marginal value."""
    return pd.DataFrame([v.model_dump() for v in values.values],
                        columns=["kind", "subject", "value", "unit"])


def write_sourcing_plan(
    plan: SourcingPlan, out_dir: Path | str, currency: str | None = None,
    marginal_values: MarginalValues | None = None, inputs: Iterable[Path | str] = (),
    report: bool = True,
) -> list[Path]:
    """Replace ``out_dir`` by ``plan.json``, the CSV tables and ``plan.xlsx`` (and
    ``marginal_values.json`` / ``.csv`` when given) and, with ``report``, ``report.html``
    (docs/report.md), as a whole: see :mod:`optimizer.output_folder`. ``inputs`` are paths
    the folder must not be or hold."""
    documents: dict[str, Any] = {"plan": plan.model_dump(mode="json")}
    frames = plan_frames(plan, currency)
    if marginal_values is not None:
        documents["marginal_values"] = marginal_values.model_dump(mode="json")
        frames["marginal_values"] = marginal_frame(marginal_values)
    if not report:
        return write_result_folder(out_dir, documents, frames, inputs)
    out = Path(out_dir)
    with staged_folder(out, inputs, PLAN_MARKERS) as stage:
        names = write_result_files(stage, documents, frames)
        from optimizer.reports.html import REPORT_FILE
        from optimizer.reports.html.sourcing import sourcing_report

        sourcing_report(plan, currency, frames).write(stage / REPORT_FILE)
        names.append(REPORT_FILE)
    return [out / name for name in names]


def write_plan_files(plan: SourcingPlan, folder: Path, currency: str | None = None) -> list[str]:
    """Write a plan's files into an existing (staging) folder; returns their names."""
    return write_result_files(folder, {"plan": plan.model_dump(mode="json")},
                              plan_frames(plan, currency))


def sourcing_schema() -> dict[str, Any]:
    """JSON Schema of the sourcing instance (the JSON form; CSV/Excel use the same tables)."""
    return SourcingInstance.model_json_schema()


# ---- a bare allocation table (a plan a person wrote or edited) -----------------------------

class AllocationRow(BaseModel):
    """One row of a bare allocation table: units bought from a supplier for a product."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    supplier: Annotated[str, Field(min_length=1)]
    product: Annotated[str, Field(min_length=1)]
    quantity: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    #: Read but not used (a plan's ``allocations.csv`` has them): the checker prices the table.
    unit_price: float | None = None
    cost: float | None = None


class _AllocationTable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    allocations: tuple[AllocationRow, ...] = ()


ALLOCATION_TABLE = TableSpec("allocations", AllocationRow)


class _BarePlaces(Places):
    """Places in a bare table: the file, and ``line N`` (CSV), ``sheet 'X' row N`` (Excel) or
    ``allocations[i]`` (JSON)."""

    def __init__(self, path: Path, form: Form, sheet: str = "") -> None:
        self.path, self.form, self.sheet = path, form, sheet

    def table(self, name: str) -> str:
        return f"{self.path}: sheet '{self.sheet}'" if self.form == "excel" else str(self.path)

    def record(self, name: str, label: Any, single: bool) -> str:
        if self.form == "csv":
            return f"{self.path}: line {label}"
        if self.form == "excel":
            return f"{self.table(name)} row {label}"
        return f"{self.path}: allocations[{label}]"


def is_allocation_table(path: Path | str) -> bool:
    """True when ``path`` is a bare allocation table (a ``.csv`` file, a workbook, or a JSON
    file that is not a ``plan.json``) rather than a plan written by ``solve``."""
    path = Path(path)
    if path.is_dir():
        return False
    suffix = path.suffix.lower()
    if suffix == ".csv" or suffix in EXCEL_SUFFIXES:
        return True
    if suffix != ".json":
        return False
    data = read_json(path)
    return not (isinstance(data, dict) and "solve" in data)


def read_allocation_table(path: Path | str) -> dict[tuple[str, str], float]:
    """Read a bare allocation table: columns ``supplier``, ``product``, ``quantity`` (names
    matched like every table's), as a CSV file, an Excel workbook (its one sheet, or the sheet
    named ``allocations``) or JSON (a list of records, or ``{"allocations": [...]}``).

    Returns ``{(supplier, product): quantity}``. Raises :class:`InputError` naming the file, the
    row and the field for a malformed table (a missing column, a quantity that is not a finite
    number >= 0, the same supplier and product twice)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = read_csv_table(path, "allocations")
        places: Places = _BarePlaces(path, "csv")
    elif suffix in EXCEL_SUFFIXES:
        sheets = [t for t in read_workbook_tables(path) if not is_note_table(t.name)]
        named = [t for t in sheets if name_key(t.name) == "allocations"]
        if len(named) == 1:
            sheets = named
        if len(sheets) != 1:
            raise InputError([f"{path}: expected one sheet (or one named 'allocations') with "
                              f"the columns supplier, product, quantity; found "
                              f"{len(sheets)}: {', '.join(t.name for t in sheets) or 'none'}"])
        raw = RawTable("allocations", sheets[0].header, sheets[0].rows)
        places = _BarePlaces(path, "excel", sheets[0].name)
    elif suffix == ".json":
        raw = _json_rows(path, read_json(path))
        places = _BarePlaces(path, "json")
    else:
        raise InputError([f"{path}: unknown table form; use a .csv file, an .xlsx workbook or "
                          f"a .json file"])
    # A plan's priced columns carry its currency (unit_price_EUR, cost_EUR): read, not used.
    priced = re.compile(r"(unit_price|cost)_[a-z0-9_]+")
    raw = dataclasses.replace(raw, header=[
        f"#{cell}" if isinstance(cell, str) and priced.fullmatch(name_key(cell)) else cell
        for cell in raw.header])
    try:
        data, layout = tables_to_data([raw], [ALLOCATION_TABLE], places)
        table = build_instance(_AllocationTable, data, [ALLOCATION_TABLE], layout)
    except TableError as exc:
        raise InputError(exc.problems) from None
    quantities: dict[tuple[str, str], float] = {}
    first: dict[tuple[str, str], int] = {}
    problems = []
    for i, row in enumerate(table.allocations):
        key = (row.supplier, row.product)
        if key in first:
            problems.append(f"{layout.record_place('allocations', i)}: field 'product': "
                            f"supplier {row.supplier!r} and product {row.product!r} are "
                            f"already on {layout.record_place('allocations', first[key])}; "
                            f"give each pair once")
            continue
        first[key] = i
        quantities[key] = row.quantity
    if problems:
        raise InputError(problems)
    return quantities


def _json_rows(path: Path, data: Any) -> RawTable:
    """A JSON allocation table as a raw table labelled by the record index."""
    if isinstance(data, dict) and set(data) - {"allocations"} == set() and "allocations" in data:
        data = data["allocations"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InputError([f"{path}: expected a list of records with supplier, product and "
                          f"quantity (or an object with such a list under 'allocations')"])
    header: list[str] = []
    for record in data:
        header.extend(k for k in record if k not in header)
    return RawTable("allocations", header,
                    [(i, [r.get(k, None) for k in header]) for i, r in enumerate(data)])
