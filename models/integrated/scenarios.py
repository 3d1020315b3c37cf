"""What-if scenarios: named rows that change the instance's tables (docs/plan-format.md,
"Scenarios").

A row ``scenario, table, match, field, operation, value``: in ``table`` (any table of the
instance except ``scenarios``), on the rows matching ``match`` (``field=value``, several joined
by ``;``, all must hold; blank = every row; a one-record table such as ``network_policy`` has
one row), ``set`` ``field`` to ``value``, ``multiply`` the number in ``field`` by ``value``, or
``remove`` the rows. Removing suppliers, facilities, customers or products also removes the
rows that name them in other tables (offers, price breaks, sizes, lanes, distances, demand,
orders, profiles, fleet rows of a removed DC). A scenario's rows apply in table order; the
changed tables are validated again as a whole (``IntegratedInstance.model_validate``), and any
problem is a :class:`ScenarioError` naming the scenario and its row.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from pydantic import ValidationError

from models.integrated.data import IntegratedInstance, ScenarioChange

#: Tables whose rows are things other tables name (by these reference fields).
_ENTITIES = {"suppliers": "supplier", "facilities": "facility", "customers": "customer",
             "products": "product"}
_REFERENCES = ("supplier", "facility", "customer", "product", "origin", "destination")


class ScenarioError(ValueError):
    """A scenario that cannot be applied; ``problems`` name the scenario and the row."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _parse(text: str | None) -> Any:
    """A scenario value: a number, true/false, blank (None) or text."""
    if text is None or text.strip() == "":
        return None
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        number = float(text.replace("_", ""))
    except ValueError:
        return text.strip()
    return int(number) if number.is_integer() and "." not in text and "e" not in low \
        else number


def _matches(row: dict[str, Any], conditions: list[tuple[str, str]]) -> bool:
    for key, want in conditions:
        have = row.get(key)
        if have is None:
            if want != "":
                return False
            continue
        parsed = _parse(want)
        if isinstance(have, bool) or isinstance(parsed, bool):
            if have != parsed:
                return False
        elif isinstance(have, int | float) and isinstance(parsed, int | float):
            if not math.isclose(float(have), float(parsed), rel_tol=1e-12):
                return False
        elif str(have) != want.strip():
            return False
    return True


def apply_scenario(instance: IntegratedInstance, name: str) -> IntegratedInstance:
    """The instance with scenario ``name``'s rows applied (its ``scenarios`` table emptied).
    Raises :class:`ScenarioError` naming the scenario and row when a row does not apply or the
    result is not a valid instance."""
    rows = [(i, s) for i, s in enumerate(instance.scenarios) if s.scenario == name]
    if not rows:
        known = ", ".join(instance.scenario_names) or "none"
        raise ScenarioError([f"scenario {name!r}: no such scenario (the instance has: "
                             f"{known})"])
    data = copy.deepcopy(instance.tables())
    data.pop("scenarios", None)
    data["name"] = f"{instance.name}-{name}"
    problems: list[str] = []
    for i, change in rows:
        where = f"scenarios: row {i + 1} (scenario {name!r})"
        problem = _apply(data, change, instance)
        if problem:
            problems.append(f"{where}: {problem}")
    if problems:
        raise ScenarioError(problems)
    try:
        return IntegratedInstance.model_validate(data)
    except ValidationError as exc:
        rows_text = ", ".join(str(i + 1) for i, _s in rows)
        raise ScenarioError([
            f"scenario {name!r} (scenarios rows {rows_text}): the changed instance is not "
            f"valid: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors(include_url=False)]) from None


def _apply(data: dict[str, Any], change: ScenarioChange,
           instance: IntegratedInstance) -> str | None:
    """Apply one row to ``data`` in place; a problem sentence, or None."""
    from models.integrated.tables import INTEGRATED_TABLES

    specs = {s.name: s for s in INTEGRATED_TABLES if s.name != "scenarios"}
    spec = specs.get(change.table)
    if spec is None:
        return f"table: unknown table {change.table!r} (tables: {', '.join(specs)})"
    conditions: list[tuple[str, str]] = []
    for part in (change.match or "").split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            return f"match: {part.strip()!r} is not field=value"
        key, want = part.split("=", 1)
        key = key.strip()
        if key not in spec.columns:
            return f"match: table {change.table!r} has no field {key!r}"
        conditions.append((key, want))
    if spec.single:
        if change.operation == "remove":
            return "operation: 'remove' does not apply to a one-record table"
        records = [data.setdefault(change.table, {})]
    else:
        records = data.setdefault(change.table, [])
    hits = [r for r in records if _matches(r, conditions)]
    if not hits and not spec.single:
        return f"match: no row of {change.table!r} matches {change.match!r}"
    if change.operation == "remove":
        if change.field:
            return "field: leave it blank for 'remove' (whole rows are removed)"
        data[change.table] = [r for r in records if not any(r is h for h in hits)]
        if change.table in _ENTITIES:
            _cascade(data, change.table, {h["id"] for h in hits})
        return None
    if not change.field:
        return f"field: '{change.operation}' needs a field"
    if change.field not in spec.columns:
        return f"field: table {change.table!r} has no field {change.field!r}"
    value = _parse(change.value)
    if change.operation == "set":
        for r in hits:
            if value is None:
                r.pop(change.field, None)
            elif change.field in spec.list_fields and isinstance(value, str):
                r[change.field] = [v.strip() for v in value.split(";") if v.strip()]
            else:
                r[change.field] = value
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"value: 'multiply' needs a number, not {change.value!r}"
    for r in hits:
        current = r.get(change.field)
        if current is None and spec.single:
            current = getattr(getattr(instance.network, change.table, None) or
                              getattr(instance, change.table), change.field, None)
        if isinstance(current, bool) or not isinstance(current, int | float):
            return f"field: {change.field!r} of a matching row is {current!r}, not a number"
        r[change.field] = current * value
    return None


def _cascade(data: dict[str, Any], table: str, removed: set[str]) -> None:
    """Remove the rows of other tables that name a removed id."""
    del table
    for name, rows in list(data.items()):
        if not isinstance(rows, list):
            continue
        data[name] = [r for r in rows if not (isinstance(r, dict) and any(
            r.get(ref) in removed for ref in _REFERENCES if ref in r))]
