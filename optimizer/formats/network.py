"""Network instances and plans on disk: JSON, CSV folder, Excel workbook; the plan's tables.

The tables and their columns are those of ``docs/network-format.md`` (the same in every form);
list cells (``policy.must_use``, ``excluded``) hold ids separated by ``;`` as in sourcing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from models.network import NetworkInstance, NetworkPlan
from models.network.tables import NETWORK_TABLES
from models.sourcing.plan_frames import money
from optimizer.formats.results import read_result_json, write_result_files
from optimizer.formats.tables import (
    Form,
    read_tables,
    validate_tables,
    write_tables,
)
from optimizer.output_folder import PLAN_MARKERS, staged_folder

#: The tables by which an earlier instance written as a CSV folder is recognised.
INSTANCE_MARKERS = ("products.csv", "facilities.csv", "customers.csv", "demand.csv")


def read_network_instance(path: Path | str, form: Form | None = None) -> NetworkInstance:
    """Read and validate a network instance (JSON file, CSV folder or Excel workbook).

    Raises :class:`~optimizer.errors.InputError` whose problems name the file, the record and
    the field (``file: record: field: message``)."""
    data, source = read_tables(Path(path), NETWORK_TABLES, form)
    return validate_tables(NetworkInstance, data, source, NETWORK_TABLES)


def network_tables(instance: NetworkInstance) -> dict[str, Any]:
    """The instance as plain tables (the JSON form): optional tables with no record and
    one-record tables left at their defaults are left out."""
    data = instance.model_dump(mode="json", exclude_none=True)
    defaults = NetworkInstance.model_fields
    for spec in NETWORK_TABLES:
        if not spec.optional:
            continue
        value = getattr(instance, spec.name)
        if (spec.single and value == defaults[spec.name].default) or \
                (not spec.single and not value):
            del data[spec.name]
    return data


def write_network_instance(instance: NetworkInstance, path: Path | str, form: Form,
                           shown: Path | str | None = None) -> None:
    """Write ``instance`` as a JSON file, a CSV folder or an Excel workbook; the copy reads
    back as an equal instance, or nothing is written (:class:`InputError` naming ``shown``, the
    user's target when ``path`` is a staging copy)."""
    write_tables(network_tables(instance), NETWORK_TABLES, Path(path), form,
                 Path(shown) if shown is not None else None)


def network_schema() -> dict[str, Any]:
    """JSON Schema of the network instance (the JSON form; CSV/Excel use the same tables)."""
    return NetworkInstance.model_json_schema()


def read_network_plan(path: Path | str) -> NetworkPlan:
    """Read a ``plan.json`` written by :func:`write_network_plan` (or the folder holding it);
    errors name the file and the field."""
    return read_result_json(path, NetworkPlan)


#: The plan's tables, in the order they are written (docs/network-format.md, "Outputs").
PLAN_TABLES = ("facilities", "flows", "purchases", "shortages", "customers", "cost")


def plan_frames(plan: NetworkPlan, currency: str | None = None) -> dict[str, pd.DataFrame]:
    """The plan as tidy tables, one fact per row: ``facilities`` (every DC, open or not, with
    size, throughput, load and utilisation), ``flows`` (per lane and product), ``purchases``
    (per supplier and product), ``shortages``, ``customers`` (cost to serve) and ``cost`` (one
    row per cost line, ``total`` last, with the solve status, bound and gap in ``summary``).
    Money columns carry ``currency`` in their name when the instance names one
    (``cost_EUR``)."""
    def m(name: str) -> str:
        return money(name, currency)

    facilities = pd.DataFrame(
        [(f.facility, f.status, f.open, f.size, f.capacity, f.capacity_unit, f.throughput,
          f.load, f.utilisation, f.fixed_cost, f.customers) for f in plan.facilities],
        columns=["facility", "status", "open", "size", "capacity", "capacity_unit",
                 "throughput", "load", "utilisation", m("fixed_cost"), "customers"])
    flows = pd.DataFrame(
        [(f.echelon.value, f.origin, f.destination, f.product, f.quantity, f.unit_cost, f.cost,
          f.km) for f in plan.flows],
        columns=["echelon", "origin", "destination", "product", "quantity", m("unit_cost"),
                 m("cost"), "km"])
    purchases = pd.DataFrame(
        [(p.supplier, p.product, p.quantity, p.unit_price, p.cost) for p in plan.purchases],
        columns=["supplier", "product", "quantity", m("unit_price"), m("cost")])
    shortages = pd.DataFrame(
        [(s.customer, s.product, s.quantity, s.penalty) for s in plan.shortages],
        columns=["customer", "product", "shortage", m("penalty")])
    customers = pd.DataFrame(
        [(c.customer, c.facilities, c.demand, c.served, c.shortage, c.cost_to_serve)
         for c in plan.customers],
        columns=["customer", "facilities", "demand", "served", "shortage",
                 m("cost_to_serve")])
    lines = plan.cost.model_dump() if plan.cost is not None else {}
    cost = pd.DataFrame(list(lines.items()), columns=["line", m("cost")])
    s = plan.solve
    summary = pd.DataFrame([{
        "instance": plan.instance, "status": s.status.value, "stop_reason": s.stop_reason,
        "method": s.method.value, "solver": s.solver, m("objective"): s.objective,
        m("best_bound"): s.best_bound, "gap": s.gap, "build_seconds": s.build_seconds,
        "solve_seconds": s.solve_seconds, "variables": s.variables,
        "integer_variables": s.integer_variables, "constraints": s.constraints,
        "open_facilities": ";".join(plan.open_facilities), "currency": currency or "",
        "infeasibility": " | ".join(plan.infeasibility)}])
    return {"summary": summary, "facilities": facilities, "flows": flows,
            "purchases": purchases, "shortages": shortages, "customers": customers,
            "cost": cost}


def write_network_plan(
    plan: NetworkPlan, out_dir: Path | str, inst: NetworkInstance,
    inputs: Iterable[Path | str] = (), with_map: bool = True,
) -> list[Path]:
    """Replace ``out_dir`` by ``plan.json`` (the plan as :meth:`NetworkPlan.model_dump`), the
    CSV tables of :func:`plan_frames`, ``plan.xlsx`` and, with ``with_map`` when the plan has
    open DCs and the places have coordinates, ``network.png``: written whole in a temporary
    sibling and swapped in (:mod:`optimizer.output_folder`). ``inputs`` are paths the folder
    must not be or hold. Returns the final paths."""
    out = Path(out_dir)
    currency = inst.policy.currency
    with staged_folder(out, inputs, PLAN_MARKERS) as stage:
        names = write_result_files(stage, {"plan": plan.model_dump(mode="json")},
                                   plan_frames(plan, currency))
        if with_map and plan.open_facilities:
            from optimizer.reports.network_map import write_network_map

            if write_network_map(inst, plan, stage / "network.png"):
                names.append("network.png")
    return [out / name for name in names]
