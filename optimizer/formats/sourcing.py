"""Sourcing instances and plans on disk: JSON, CSV folder, Excel workbook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from models.sourcing import (
    MarginalValues,
    RiskPolicy,
    SourcingInstance,
    SourcingPlan,
)
from models.sourcing.tables import SOURCING_TABLES
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
from optimizer.formats.results import read_result_json, write_result_folder
from optimizer.formats.tables import (
    EXCEL_SUFFIXES,
    Form,
    TableSource,
    _csv_table,
    _workbook_tables,
    decode_text,
    read_bytes,
    read_tables,
    validate_tables,
    write_tables,
)


def read_sourcing_instance(path: Path | str, form: Form | None = None) -> SourcingInstance:
    """Read and validate a sourcing instance (JSON file, CSV folder or Excel workbook).

    Raises :class:`InputError` whose problems name the file, the record and the field.
    """
    data, source = read_tables(Path(path), SOURCING_TABLES, form)
    return _validate(data, source)


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


def write_sourcing_instance(instance: SourcingInstance, path: Path | str, form: Form) -> None:
    """Write ``instance`` as a JSON file, a CSV folder or an Excel workbook."""
    write_tables(instance_tables(instance), SOURCING_TABLES, Path(path), form)


def read_sourcing_plan(path: Path | str) -> SourcingPlan:
    """Read a plan JSON written by :func:`write_sourcing_plan` (or the folder holding it)."""
    return read_result_json(path, SourcingPlan)


def plan_frames(plan: SourcingPlan) -> dict[str, pd.DataFrame]:
    """The plan as tables: summary, allocations, suppliers, products."""
    summary: dict[str, Any] = {"instance": plan.instance, **plan.solve.model_dump(mode="json")}
    if plan.cost is not None:
        summary.update({f"cost_{k}": v for k, v in plan.cost.model_dump().items()})
    if plan.risk is not None:
        summary.update({"expected_cost": plan.risk.expected_cost, "alpha": plan.risk.alpha,
                        "var": plan.risk.var, "cvar": plan.risk.cvar,
                        "risk_objective": plan.risk.objective})
    summary["infeasibility"] = " | ".join(plan.infeasibility)
    products = []
    for k in plan.products:
        row = k.model_dump()
        row["supplier_shares"] = ";".join(f"{s}:{v:g}" for s, v in k.supplier_shares.items())
        row["region_shares"] = ";".join(f"{r}:{v:g}" for r, v in k.region_shares.items())
        products.append(row)
    frames = {
        "summary": pd.DataFrame([summary]),
        "allocations": pd.DataFrame([a.model_dump() for a in plan.allocations],
                                    columns=["supplier", "product", "quantity", "unit_price",
                                             "cost"]),
        "suppliers": pd.DataFrame([s.model_dump() for s in plan.suppliers],
                                  columns=["supplier", "name", "region", "onboarding_cost",
                                           "units", "spend"]),
        "products": pd.DataFrame(products),
    }
    if plan.risk is not None:
        frames["scenarios"] = pd.DataFrame([o.model_dump() for o in plan.risk.scenarios])
    if plan.explanation is not None:
        frames["explanation"] = pd.DataFrame(
            [r.model_dump() for r in plan.explanation.relaxations],
            columns=["rule", "title", "subject", "message", "amount"])
    return frames


def write_sourcing_plan(plan: SourcingPlan, out_dir: Path | str) -> list[Path]:
    """Write ``plan.json`` and the CSV tables into ``out_dir``, each file atomically."""
    return write_result_folder(out_dir, {"plan": plan.model_dump(mode="json")},
                               plan_frames(plan))


def write_marginal_values(values: MarginalValues, out_dir: Path | str) -> list[Path]:
    """Write ``marginal_values.json`` and ``marginal_values.csv`` into ``out_dir``."""
    frame = pd.DataFrame([v.model_dump() for v in values.values],
                         columns=["kind", "subject", "value", "unit"])
    return write_result_folder(out_dir, {"marginal_values": values.model_dump(mode="json")},
                               {"marginal_values": frame})


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
    data = _json_data(path)
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
        raw = _csv_table(path, "allocations")
        places: Places = _BarePlaces(path, "csv")
    elif suffix in EXCEL_SUFFIXES:
        sheets = [t for t in _workbook_tables(path) if not is_note_table(t.name)]
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
        raw = _json_rows(path, _json_data(path))
        places = _BarePlaces(path, "json")
    else:
        raise InputError([f"{path}: unknown table form; use a .csv file, an .xlsx workbook or "
                          f"a .json file"])
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


def _json_data(path: Path) -> Any:
    text = decode_text(read_bytes(path), path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([f"{path}: line {exc.lineno} column {exc.colno}: invalid JSON: "
                          f"{exc.msg}"]) from None
    except RecursionError:
        raise InputError([f"{path}: invalid JSON: nested too deeply"]) from None


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
