"""Property: a spreadsheet drawn from a clean instance the way people edit them (blank rows,
headers renamed by case and spacing, numbers in locale forms, note sheets and columns, a `;`
export with decimal commas) reads as exactly the clean instance; one with a refused form (a
decimal comma outside a ';' file) fails with a message. Never a silently different instance.
Sourcing and routing (list cells, time windows, breaks) alike."""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from models.routing.tables import ROUTING_TABLES
from models.sourcing import generate_instance
from models.sourcing.tables import SOURCING_TABLES
from models.tables import TableSpec
from optimizer.errors import InputError
from optimizer.formats.routing import read_routing_instance, write_routing_instance
from optimizer.formats.sourcing import read_sourcing_instance, write_sourcing_instance

ROOT = Path(__file__).resolve().parents[2]
THOUSANDS = re.compile(r"[1-9]\d{0,2}(,\d{3})+")


def _csv_tables(write: Callable[[Path], None]) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The tables of an instance as its CSV folder holds them (text cells)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "clean"
        write(folder)
        tables = {}
        for file in sorted(folder.glob("*.csv")):
            rows = list(csv.reader(file.open(encoding="utf-8")))
            tables[file.stem] = (rows[0], rows[1:])
        return tables


def _case(name: str, inst: BaseModel, specs: tuple[TableSpec, ...],
          write: Callable[[BaseModel, Path, str], None],
          read: Callable[[Path], BaseModel]) -> dict[str, Any]:
    return {"name": name, "clean": inst, "kinds": {s.name: s.kinds for s in specs},
            "tables": _csv_tables(lambda folder: write(inst, folder, "csv")), "read": read}


CASES = [
    _case("starter", read_sourcing_instance(ROOT / "instances/sourcing/starter.json"),
          SOURCING_TABLES, write_sourcing_instance, read_sourcing_instance),
    _case("generated", generate_instance(3, 3, seed=2), SOURCING_TABLES,
          write_sourcing_instance, read_sourcing_instance),
    _case("lunch-breaks", read_routing_instance(ROOT / "instances/routing/lunch-breaks-30.json"),
          ROUTING_TABLES, write_routing_instance, read_routing_instance),
]


def number_forms(text: str, semicolon: bool, excel: bool = False) -> list[str]:
    """Every documented way of writing the number ``text`` in a text cell."""
    value = float(text)
    plain = repr(value)
    grouped = format(value, ",")
    forms = [text, plain, grouped, grouped.replace(",", " "), grouped.replace(",", "\u00a0"),
             f"{Decimal(plain).scaleb(2).normalize():f}%"]
    if semicolon:
        forms = [f.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
                 if "," in f else f.replace(".", ",") for f in forms]
        # dots as thousands groups without a decimal comma ('15.000') are refused as
        # ambiguous: not an exact form
        forms = [f for f in forms if not ("." in f and "," not in f)]
    if excel:  # a workbook text cell '11.057' is refused as ambiguous: not an exact form there
        forms = [f for f in forms if not re.fullmatch(r"[+-]?[1-9]\d{0,2}(\.\d{3})+", f)]
    return [f for f in forms if "e" not in f.lower()]


def list_forms(text: str, semicolon: bool) -> list[str]:
    """A number list cell (``900.0;8.0``) as written in a ',' or ';' file."""
    if not semicolon:
        return [text, text.replace(";", "; ")]
    return [";".join(p.replace(".", ",") for p in text.split(";"))]


def header_forms(name: str) -> list[str]:
    return [name, name.upper(), name.title(), name.replace("_", " "), f" {name} ",
            name.replace("_", "-").capitalize()]


@st.composite
def spreadsheets(draw: st.DrawFn) -> tuple[dict[str, Any], str, dict[str, Any], bool]:
    """(case, form, {sheet: (header, rows)}, a refused form was drawn)."""
    case = draw(st.sampled_from(CASES))
    form = draw(st.sampled_from(["csv", "csv;", "excel"]))
    semicolon = form == "csv;"
    refuse = not semicolon and draw(st.booleans()) and draw(st.booleans())
    sheets: dict[str, Any] = {}
    refused = False
    for name, (columns, rows) in case["tables"].items():
        kinds = case["kinds"].get(name)
        if kinds is None:  # a routing matrix file: written as it is
            sheets[name] = (columns, rows)
            continue
        sheet = draw(st.sampled_from(header_forms(name)))
        header = [draw(st.sampled_from(header_forms(c))) for c in columns]
        note = draw(st.booleans())
        if note:
            header.append("# note")
        out: list[list[Any]] = []
        for row in rows:
            cells: list[Any] = []
            for column, text in zip(columns, row, strict=True):
                kind = kinds[column]
                if kind == "number" and text:
                    if form == "excel" and draw(st.booleans()):
                        cells.append(float(text))
                        continue
                    cell = draw(st.sampled_from(number_forms(text, semicolon, form == "excel")))
                    comma = repr(float(text)).replace(".", ",")
                    if refuse and not refused and not THOUSANDS.fullmatch(comma) \
                            and "e" not in comma:
                        # a decimal comma in a ',' file that is not also a thousands form
                        # (by the documented rule '1,234' is 1234 and '0,835' is refused)
                        cell, refused = comma, True
                    cells.append(cell)
                elif kind == "numbers" and text:
                    cells.append(draw(st.sampled_from(list_forms(text, semicolon))))
                else:
                    cells.append(text)
            if note:
                cells.append(draw(st.sampled_from(["", "checked", "60%", "1,5"])))
            out.append(cells)
        for _ in range(draw(st.integers(0, 2))):
            out.insert(draw(st.integers(0, len(out))), [""] * len(header))
        sheets[sheet] = (header, out)
    if draw(st.booleans()):
        sheets["Notes"] = (["written by", "when"], [["me", "today"]])
    return case, form, sheets, refused


def write(folder: Path, form: str, sheets: dict[str, Any]) -> Path:
    if form == "excel":
        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, (header, rows) in sheets.items():
            ws = book.create_sheet("sheet")
            ws.title = name  # keep surrounding spaces as a person might type them
            for r, values in enumerate([header, *rows], start=1):
                for c, value in enumerate(values, start=1):
                    if value != "":
                        cell = ws.cell(row=r, column=c, value=value)
                        if isinstance(value, str):
                            cell.data_type = "s"
        path = folder / "drawn.xlsx"
        book.save(path)
        return path
    path = folder / "drawn"
    path.mkdir()
    for name, (header, rows) in sheets.items():
        with (path / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
            csv.writer(f, delimiter=";" if form == "csv;" else ",").writerows([header, *rows])
    return path


@settings(max_examples=60, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(spreadsheets())
def test_drawn_spreadsheets_read_as_the_clean_instance_or_fail(
        drawn: tuple[dict[str, Any], str, dict[str, Any], bool]) -> None:
    case, form, sheets, refused = drawn
    if form == "excel" and "distances" in case["tables"]:
        return  # a user matrix is kept in JSON or a CSV folder
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp), form, sheets)
        try:
            back = case["read"](path)
        except InputError as exc:
            assert refused, exc.problems
            assert any("a ',' is read only as a thousands separator" in p for p in exc.problems)
            return
    assert not refused, "a decimal comma in a ',' file was read"
    assert back == case["clean"].model_copy(update={"name": path.stem})


@pytest.mark.parametrize("semicolon", [False, True])
def test_every_number_form_is_drawn_from(semicolon: bool) -> None:
    forms = number_forms("0.155", semicolon)
    assert any(f.endswith("%") for f in forms)
    assert len(number_forms("15000.0", semicolon)) >= 4
