"""Property: a spreadsheet drawn from a clean instance the way people edit them (blank rows,
headers renamed by case and spacing, numbers in locale forms, note sheets and columns) reads as
exactly the clean instance; one with a refused form (a decimal comma outside a ';' file) fails
with a message. Never a silently different instance."""

from __future__ import annotations

import csv
import re
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.sourcing import SourcingInstance, generate_instance
from models.sourcing.tables import SOURCING_TABLES
from optimizer.errors import InputError
from optimizer.formats.sourcing import instance_tables, read_sourcing_instance
from optimizer.formats.tables import table_rows

ROOT = Path(__file__).resolve().parents[2]
CLEAN = {
    "starter": read_sourcing_instance(ROOT / "instances" / "sourcing" / "starter.json"),
    "generated": generate_instance(3, 3, seed=2),
}
KINDS = {spec.name: spec.kinds for spec in SOURCING_TABLES}
THOUSANDS = re.compile(r"[1-9]\d{0,2}(,\d{3})+")


def number_forms(value: float, semicolon: bool) -> list[str]:
    """Every documented way of writing ``value`` in a text cell."""
    plain = repr(float(value))
    grouped = format(float(value), ",")
    forms = [plain, grouped, grouped.replace(",", " "), grouped.replace(",", "\u00a0"),
             f"{Decimal(plain).scaleb(2).normalize():f}%"]
    if semicolon:
        forms = [f.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
                 if "," in f else f.replace(".", ",") for f in forms]
        # '15.000' (dots as groups, no comma) is refused as ambiguous; keep it out of the
        # exact forms
        forms = [f for f in forms if not ("." in f and "," not in f)]
    return [f for f in forms if "e" not in f.lower()]


def header_forms(name: str) -> list[str]:
    return [name, name.upper(), name.title(), name.replace("_", " "), f" {name} ",
            name.replace("_", "-").capitalize()]


@st.composite
def spreadsheets(draw: st.DrawFn) -> tuple[str, SourcingInstance, str, dict[str, Any], bool]:
    """(clean name, clean instance, form, {sheet: (header, rows)}, expect_refusal)."""
    key = draw(st.sampled_from(sorted(CLEAN)))
    clean = CLEAN[key]
    form = draw(st.sampled_from(["csv", "csv;", "excel"]))
    semicolon = form == "csv;"
    refuse = draw(st.booleans()) and not semicolon and draw(st.booleans())
    tables = table_rows(instance_tables(clean), SOURCING_TABLES, Path("x"))
    sheets: dict[str, Any] = {}
    refused = False
    for name, (columns, rows) in tables.items():
        kinds = KINDS[name]
        sheet = draw(st.sampled_from(header_forms(name)))
        header = [draw(st.sampled_from(header_forms(c))) for c in columns]
        note = draw(st.booleans())
        if note:
            header.append("# note")
        out: list[list[Any]] = []
        for row in rows:
            cells: list[Any] = []
            for column, value in zip(columns, row, strict=True):
                if kinds[column] == "number" and isinstance(value, float | int) \
                        and not isinstance(value, bool):
                    if form == "excel" and draw(st.booleans()):
                        cells.append(value)
                        continue
                    forms = number_forms(value, semicolon)
                    text = draw(st.sampled_from(forms))
                    comma = repr(float(value)).replace(".", ",")
                    if refuse and not refused and not THOUSANDS.fullmatch(comma) \
                            and "e" not in comma:
                        # a decimal comma in a ',' file, not also a thousands form (by the
                        # documented rule '1,234' is 1234 and '0,835' is refused)
                        text, refused = comma, True
                    cells.append(text)
                elif value is None:
                    cells.append("")
                else:
                    cells.append(value if form == "excel" else str(value))
            if note:
                cells.append(draw(st.sampled_from(["", "checked", "60%", "1,5"])))
            out.append(cells)
        for _ in range(draw(st.integers(0, 2))):
            out.insert(draw(st.integers(0, len(out))), [""] * len(header))
        sheets[sheet] = (header, out)
    if draw(st.booleans()):
        sheets["Notes"] = (["written by", "when"], [["me", "today"]])
    return key, clean, form, sheets, refused


def write(folder: Path, form: str, sheets: dict[str, Any]) -> Path:
    if form == "excel":
        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, (header, rows) in sheets.items():
            ws = book.create_sheet(name.strip() or "x")
            ws.title = name  # keep surrounding spaces as a person might type them
            for r, values in enumerate([header, *rows], start=1):
                for c, value in enumerate(values, start=1):
                    if value != "":
                        ws.cell(row=r, column=c, value=value).data_type = (
                            "s" if isinstance(value, str) else ws.cell(row=r, column=c).data_type)
        path = folder / "drawn.xlsx"
        book.save(path)
        return path
    path = folder / "drawn"
    path.mkdir()
    for name, (header, rows) in sheets.items():
        with (path / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
            csv.writer(f, delimiter=";" if form == "csv;" else ",").writerows([header, *rows])
    return path


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spreadsheets())
def test_drawn_spreadsheets_read_as_the_clean_instance_or_fail(
        case: tuple[str, SourcingInstance, str, dict[str, Any], bool]) -> None:
    _, clean, form, sheets, refused = case
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp), form, sheets)
        try:
            back = read_sourcing_instance(path)
        except InputError as exc:
            assert refused, exc.problems
            assert any("a ',' is read only as a thousands separator" in p for p in exc.problems)
            return
    assert not refused, "a decimal comma in a ',' file was read"
    expected = instance_tables(clean) | {"name": path.stem}
    assert instance_tables(back) == expected


@pytest.mark.parametrize("form", ["csv", "csv;", "excel"])
def test_every_number_form_of_a_share(form: str) -> None:
    forms = number_forms(0.155, form == "csv;")
    assert forms  # the draw always has something to pick
    assert any(f.endswith("%") for f in forms)
