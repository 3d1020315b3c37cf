"""Network instances and plans on disk: JSON, CSV folder, Excel workbook; the plan's tables.

The tables and their columns are those of ``docs/network-format.md`` (the same in every form);
list cells (``policy.must_use``, ``excluded``) hold ids separated by ``;`` as in sourcing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from models.network import NETWORK_TABLES, NetworkInstance, NetworkPlan, plan_frames
from optimizer.formats.results import read_result_json, write_result_files
from optimizer.formats.tables import (
    Form,
    json_tables,
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


def read_network_data(data: Any, label: str = "<stdin>") -> NetworkInstance:
    """Validate a network instance already parsed from its JSON form (a request body, stdin);
    raises :class:`~optimizer.errors.InputError` naming ``label``, the record and the field, as
    for a JSON file."""
    data, source = json_tables(data, label)
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


def write_network_plan(
    plan: NetworkPlan, out_dir: Path | str, inst: NetworkInstance,
    inputs: Iterable[Path | str] = (), with_map: bool = True, report: bool = True,
) -> list[Path]:
    """Replace ``out_dir`` by ``plan.json`` (the plan as :meth:`NetworkPlan.model_dump`), the
    CSV tables of :func:`plan_frames`, ``plan.xlsx`` and, with ``with_map`` when the plan has
    open DCs and the places have coordinates, ``network.png``: written whole in a temporary
    sibling and swapped in (:mod:`optimizer.output_folder`). ``inputs`` are paths the folder
    must not be or hold. With ``report``, also ``report.html`` (docs/report.md). Returns the
    final paths."""
    out = Path(out_dir)
    currency = inst.policy.currency
    frames = plan_frames(plan, currency)
    with staged_folder(out, inputs, PLAN_MARKERS) as stage:
        names = write_result_files(stage, {"plan": plan.model_dump(mode="json")}, frames)
        if with_map and plan.open_facilities:
            from optimizer.reports.network_map import write_network_map

            if write_network_map(inst, plan, stage / "network.png"):
                names.append("network.png")
        if report:
            from optimizer.reports.html import REPORT_FILE
            from optimizer.reports.html.network import network_report

            network_report(plan, inst, frames).write(stage / REPORT_FILE)
            names.append(REPORT_FILE)
    return [out / name for name in names]
