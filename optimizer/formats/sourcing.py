"""Sourcing instances and plans on disk: JSON, CSV folder, Excel workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from models.sourcing import (
    MarginalValues,
    RiskPolicy,
    SourcingInstance,
    SourcingPlan,
)
from models.sourcing.tables import SOURCING_TABLES
from optimizer.formats.results import read_result_json, write_result_folder
from optimizer.formats.tables import (
    Form,
    TableSource,
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
