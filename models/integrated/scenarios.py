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
import difflib
import math
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from models.integrated.data import IntegratedInstance, ScenarioChange
from models.tables import CellError, name_key, read_number

#: Tables whose rows are things other tables name (by these reference fields).
_ENTITIES = {"suppliers": "supplier", "facilities": "facility", "customers": "customer",
             "products": "product"}
_REFERENCES = ("supplier", "facility", "customer", "product", "origin", "destination")


@dataclass(frozen=True)
class ScenarioProblem:
    """One reason a scenario cannot be applied: the ``scenario``, the 0-based indexes of the
    ``scenarios`` rows at fault (empty: no such scenario), and ``text`` (``field: message``,
    or what is wrong with the changed instance)."""

    scenario: str
    rows: tuple[int, ...]
    text: str

    def __str__(self) -> str:
        if not self.rows:
            return f"scenario {self.scenario!r}: {self.text}"
        if len(self.rows) == 1:
            return f"scenarios: row {self.rows[0] + 1} (scenario {self.scenario!r}): {self.text}"
        rows = ", ".join(str(i + 1) for i in self.rows)
        return f"scenario {self.scenario!r} (scenarios rows {rows}): {self.text}"


class ScenarioError(ValueError):
    """A scenario that cannot be applied; ``problems`` name the scenario and the row (as
    text), ``entries`` the same as :class:`ScenarioProblem` (for a reader that knows the
    file and line of each row)."""

    def __init__(self, entries: list[ScenarioProblem]) -> None:
        self.entries = entries
        self.problems = [str(e) for e in entries]
        super().__init__("\n".join(self.problems))


def _parse(text: str | None) -> Any:
    """A scenario value: a number (also typed the spreadsheet way: ``15,000``, ``120%``),
    true/false, blank (None) or text."""
    if text is None or text.strip() == "":
        return None
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        typed = read_number(text.strip())
    except CellError:
        typed = text
    if isinstance(typed, float):
        return int(typed) if typed.is_integer() and "%" not in text else typed
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
        raise ScenarioError([ScenarioProblem(name, (), f"no such scenario (the instance has: "
                                                       f"{known})")])
    data = copy.deepcopy(instance.tables())
    data.pop("scenarios", None)
    data["name"] = f"{instance.name}-{name}"
    problems: list[ScenarioProblem] = []
    for i, change in rows:
        problem = _apply(data, change, instance)
        if problem:
            problems.append(ScenarioProblem(name, (i,), problem))
    if problems:
        raise ScenarioError(problems)
    try:
        return IntegratedInstance.model_validate(data)
    except ValidationError as exc:
        indexes = tuple(i for i, _s in rows)
        raise ScenarioError([
            ScenarioProblem(name, indexes, f"the changed instance is not valid: "
                                           f"{_changed_place(data, tuple(err['loc']))}: "
                                           f"{err['msg']}")
            for err in exc.errors(include_url=False)]) from None


def _changed_place(data: dict[str, Any], loc: tuple[Any, ...]) -> str:
    """Where an error of the changed instance is, in words: ``demand row 4 (customer=C1,
    product=P): field 'quantity'`` (rows are counted in the changed table)."""
    if not loc:
        return "the instance"
    table, rest = str(loc[0]), list(loc[1:])
    place = f"table {table!r}"
    rows = data.get(table)
    if rest and isinstance(rest[0], int) and isinstance(rows, list):
        index = rest.pop(0)
        place = f"{table} row {index + 1}"
        record = rows[index] if index < len(rows) and isinstance(rows[index], dict) else {}
        keys = ["id"] if "id" in record else [k for k in (*_REFERENCES, "size", "scenario")
                                             if k in record]
        if keys:
            place += " (" + ", ".join(f"{k}={record[k]}" for k in keys) + ")"
    if rest:
        place += f": field {'.'.join(str(p) for p in rest)!r}"
    return place


def _apply(data: dict[str, Any], change: ScenarioChange,
           instance: IntegratedInstance) -> str | None:
    """Apply one row to ``data`` in place; a problem sentence, or None."""
    from models.integrated.tables import INTEGRATED_TABLES

    specs = {s.name: s for s in INTEGRATED_TABLES if s.name != "scenarios"}
    # table and field names are matched the way file, sheet and column names are
    # ("Network Policy", "Cost per km")
    table = name_key(change.table)
    spec = specs.get(table)
    if spec is None:
        return (f"field 'table': unknown table {change.table!r}{_hint(change.table, specs)} "
                f"(tables: {', '.join(specs)})")
    conditions: list[tuple[str, str]] = []
    for part in (change.match or "").split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            return f"field 'match': {part.strip()!r} is not field=value"
        key, want = part.split("=", 1)
        key = name_key(key)
        if key not in spec.columns:
            return (f"field 'match': table {change.table!r} has no field {key!r}"
                    f"{_hint(key, spec.columns)}")
        conditions.append((key, want))
    if spec.single:
        if change.operation == "remove":
            return "field 'operation': 'remove' does not apply to a one-record table"
        records = [data.setdefault(table, {})]
    else:
        records = data.setdefault(table, [])
    hits = [r for r in records if _matches(r, conditions)]
    if not hits and not spec.single:
        return f"field 'match': no row of {change.table!r} matches {change.match!r}"
    if change.operation == "remove":
        if change.field:
            return "field 'field': leave it blank for 'remove' (whole rows are removed)"
        data[table] = [r for r in records if not any(r is h for h in hits)]
        if table in _ENTITIES:
            _cascade(data, table, {h["id"] for h in hits})
        return None
    if not change.field:
        return f"field 'field': '{change.operation}' needs a field"
    field = name_key(change.field)
    if field not in spec.columns:
        return (f"field 'field': table {change.table!r} has no field {change.field!r}"
                f"{_hint(field, spec.columns)}")
    value = _parse(change.value)
    if change.operation == "set":
        for r in hits:
            if value is None:
                r.pop(field, None)
            elif field in spec.list_fields and isinstance(value, str):
                r[field] = [v.strip() for v in value.split(";") if v.strip()]
            else:
                r[field] = value
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"field 'value': 'multiply' needs a number, not {change.value!r}"
    for r in hits:
        current = r.get(field)
        if current is None and spec.single:
            current = getattr(getattr(instance.network, table, None) or
                              getattr(instance, table), field, None)
        if isinstance(current, bool) or not isinstance(current, int | float):
            return (f"field 'field': {field!r} of a matching row is {current!r}, "
                    f"not a number")
        r[field] = current * value
    return None


def _hint(name: str, known: Any) -> str:
    """`` (did you mean 'x'?)`` for a near miss among ``known`` names, else ``""``."""
    close = difflib.get_close_matches(name_key(name), list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _cascade(data: dict[str, Any], table: str, removed: set[str]) -> None:
    """Remove the rows of other tables that name a removed id."""
    del table
    for name, rows in list(data.items()):
        if not isinstance(rows, list):
            continue
        data[name] = [r for r in rows if not (isinstance(r, dict) and any(
            r.get(ref) in removed for ref in _REFERENCES if ref in r))]
