"""Reading tables from CSV folders, Excel workbooks and JSON the way spreadsheets really are:
loose names, notes, blank rows, locale numbers, ';' CSV, formulas, odd files. Each test fails on
the reader before issue 10 (which ignored unknown sheets/files, read ids as formulas, took
true as 1, ...)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from models.routing import RoutingInstance
from models.sourcing import SourcingInstance, solve
from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.formats.routing import read_routing_instance, write_routing_instance
from optimizer.formats.sourcing import (
    instance_tables,
    read_sourcing_instance,
    write_sourcing_instance,
)

ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "instances" / "sourcing" / "starter.json"
CANNOT_HOLD = ("holds ';' or ',', which separate the values of a list cell, so CSV and Excel "
               "cannot hold it; keep the instance in JSON or rename it")


@pytest.fixture(scope="module")
def starter() -> SourcingInstance:
    return read_sourcing_instance(STARTER)


def same(a: SourcingInstance, b: SourcingInstance) -> bool:
    """Equal instances whatever their names."""
    return instance_tables(a) | {"name": ""} == instance_tables(b) | {"name": ""}


def problems_of(path: Path, reader: Any = read_sourcing_instance) -> list[str]:
    with pytest.raises(InputError) as caught:
        reader(path)
    return caught.value.problems


def csv_copy(inst: SourcingInstance, tmp_path: Path, name: str = "inst") -> Path:
    folder = tmp_path / name
    write_sourcing_instance(inst, folder, "csv")
    return folder


def book_copy(inst: SourcingInstance, tmp_path: Path, name: str = "inst.xlsx") -> Path:
    book = tmp_path / name
    write_sourcing_instance(inst, book, "excel")
    return book


def rewrite_sheet(book: Path, sheet: str, change: Any) -> None:
    """Apply ``change(worksheet)`` and save; ``change`` may rename the sheet."""
    wb = openpyxl.load_workbook(book)
    change(wb[sheet])
    wb.save(book)


# ---- names -----------------------------------------------------------------------------------

def test_capitalised_policy_file_is_read_and_the_plan_keeps_the_share_cap(
        tmp_path: Path, starter: SourcingInstance) -> None:
    folder = csv_copy(starter, tmp_path)
    (folder / "policy.csv").rename(folder / "Policy.csv")
    (folder / "price_breaks.csv").rename(folder / " Price Breaks .csv")
    back = read_sourcing_instance(folder)
    assert same(back, starter)
    assert solve(back).cost.total == pytest.approx(solve(starter).cost.total)


def test_capitalised_sheets_and_columns_are_read(tmp_path: Path,
                                                 starter: SourcingInstance) -> None:
    book = book_copy(starter, tmp_path)
    wb = openpyxl.load_workbook(book)
    for old, new in (("policy", "POLICY"), ("price_breaks", "Price-Breaks")):
        wb[old].title = f"tmp_{new}"  # openpyxl refuses a title differing only in case
        wb[f"tmp_{new}"].title = new
    for cell in wb["offers"][1]:
        cell.value = {"unit_price": "Unit Price", "moq": " MOQ "}.get(cell.value, cell.value)
    wb.save(book)
    assert same(read_sourcing_instance(book), starter)


def test_misspelt_file_is_an_error_with_a_hint(tmp_path: Path,
                                               starter: SourcingInstance) -> None:
    folder = csv_copy(starter, tmp_path)
    (folder / "price_breaks.csv").rename(folder / "price_break.csv")
    assert problems_of(folder) == [
        f"{folder / 'price_break.csv'}: unknown table 'price_break' (did you mean "
        f"'price_breaks'?); known: products, suppliers, offers, price_breaks, policy, "
        f"product_policies, scenarios, disruptions, risk (a table whose name starts with '_' or "
        f"'#' is a note and is not read)"]


def test_misspelt_sheet_is_an_error_with_a_hint(tmp_path: Path,
                                                starter: SourcingInstance) -> None:
    book = book_copy(starter, tmp_path)
    rewrite_sheet(book, "policy", lambda ws: setattr(ws, "title", "policies"))
    (problem,) = problems_of(book)
    assert problem.startswith(f"{book}: sheet 'policies': unknown sheet 'policies' (did you "
                              f"mean 'policy'?)")


def test_unknown_column_hint_and_duplicate_columns(tmp_path: Path,
                                                   starter: SourcingInstance) -> None:
    folder = csv_copy(starter, tmp_path)
    offers = folder / "offers.csv"
    lines = offers.read_text().splitlines()
    lines[0] = lines[0].replace("unit_price", "unit_prise")
    offers.write_text("\n".join(lines) + "\n")
    problems = problems_of(folder)
    assert problems[0].startswith(f"{offers}: unknown column 'unit_prise' (did you mean "
                                  f"'unit_price'?)")
    assert problems[1:] == [f"{offers}: missing column 'unit_price'"]
    lines[0] = lines[0].replace("unit_prise", "Unit Price").replace("moq", "unit-price")
    offers.write_text("\n".join(lines) + "\n")
    assert problems_of(folder) == [
        f"{offers}: the columns 'Unit Price' and 'unit-price' are both 'unit_price'"]


def test_notes_files_sheets_and_columns_are_kept_out(tmp_path: Path,
                                                     starter: SourcingInstance) -> None:
    folder = csv_copy(starter, tmp_path)
    (folder / "README.csv").write_text("what,why\nthis,that\n")
    (folder / "_old offers.csv").write_text("garbage\n1\n")
    (folder / "notes.txt").write_text("not a table\n")
    offers = folder / "offers.csv"
    rows = list(csv.reader(offers.open()))
    rows = [[*rows[0], "# comment", "_checked"]] + [[*r, "ok", "yes"] for r in rows[1:]]
    rows.append([""] * (len(rows[0]) - 2) + ["a row with only a note is blank", ""])
    with offers.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    assert same(read_sourcing_instance(folder), starter)

    book = book_copy(starter, tmp_path)
    wb = openpyxl.load_workbook(book)
    wb.create_sheet("Notes")["A1"] = "prices from the 2026 tender"
    wb.create_sheet("#scratch")["B7"] = 42
    wb["products"]["F1"] = "_source"
    wb["products"]["F2"] = "tender"
    wb.save(book)
    assert same(read_sourcing_instance(book), starter)


def test_two_files_for_one_table_are_refused(tmp_path: Path, starter: SourcingInstance) -> None:
    folder = csv_copy(starter, tmp_path)
    shutil.copy(folder / "policy.csv", folder / "Policy.csv")
    if len(list(folder.glob("*olicy.csv"))) < 2:
        pytest.skip("case-insensitive file system")
    assert problems_of(folder) == [
        f"{folder / 'policy.csv'}: the tables 'Policy' and 'policy' are both 'policy'"]


def test_routing_files_with_capitals_including_the_matrix(tmp_path: Path) -> None:
    inst = RoutingInstance.model_validate({
        "name": "m", "distance": {"kind": "matrix"},
        "depots": [{"id": "D", "matrix_index": 0}],
        "vehicle_types": [{"id": "van", "start_depot": "D", "capacity": [5]}],
        "stops": [{"id": "a", "matrix_index": 1, "delivery": [2],
                   "time_windows": [[0, 100], [200, 300]]}],
        "matrix": {"distances": [[0, 7], [7, 0]], "durations": [[0, 9], [9, 0]]}})
    folder = tmp_path / "m"
    write_routing_instance(inst, folder, "csv")
    for name in ("stops", "distances", "durations", "vehicle_types"):
        (folder / f"{name}.csv").rename(folder / f"{name.title().replace('_', ' ')}.csv")
    back = read_routing_instance(folder)
    assert back.stops == inst.stops and back.matrix == inst.matrix
    assert back.vehicle_types == inst.vehicle_types


def test_a_routing_folder_without_its_stops_file_is_refused(tmp_path: Path) -> None:
    inst = RoutingInstance.model_validate({
        "depots": [{"id": "D", "x": 0, "y": 0}], "vehicle_types": [{"id": "v", "start_depot": "D"}],
        "stops": [{"id": "a", "x": 1, "y": 1}]})
    folder = tmp_path / "r"
    write_routing_instance(inst, folder, "csv")
    (folder / "stops.csv").unlink()
    assert problems_of(folder, read_routing_instance) == [
        f"{folder / 'stops.csv'}: required table 'stops' is missing"]


# ---- spreadsheet realities -------------------------------------------------------------------

def test_blank_rows_are_skipped_and_lines_stay_physical(tmp_path: Path,
                                                        starter: SourcingInstance) -> None:
    folder = csv_copy(starter, tmp_path)
    offers = folder / "offers.csv"
    lines = offers.read_text().splitlines()
    width = lines[0].count(",")
    lines[2:2] = ["," * width, "", " ;  ".replace(";", ",") * 0 + "," * width]
    offers.write_text("\n".join(lines) + "\n")
    assert same(read_sourcing_instance(folder), starter)
    lines[6] = lines[6].split(",", 1)[0] + ",,cheap" + "," * (width - 2)
    offers.write_text("\n".join(lines) + "\n")
    assert problems_of(folder) == [
        f"{offers}: line 7: field 'product': Field required",
        f"{offers}: line 7: field 'unit_price': Input should be a valid number, unable to parse "
        f"string as a number (got 'cheap')"]


def test_blank_rows_in_a_workbook(tmp_path: Path, starter: SourcingInstance) -> None:
    book = book_copy(starter, tmp_path)
    rewrite_sheet(book, "offers", lambda ws: ws.insert_rows(3, 4))
    assert same(read_sourcing_instance(book), starter)


def test_one_stray_cell_in_the_last_excel_row_is_one_record(tmp_path: Path,
                                                            starter: SourcingInstance) -> None:
    book = book_copy(starter, tmp_path)
    rewrite_sheet(book, "products", lambda ws: ws.cell(row=1_048_576, column=2, value=5))
    assert problems_of(book) == [
        f"{book}: sheet 'products' row 1048576: field 'id': Field required"]


def test_locale_numbers_in_text_cells(tmp_path: Path, starter: SourcingInstance) -> None:
    book = book_copy(starter, tmp_path)

    def localise(ws: Any) -> None:
        for row in ws.iter_rows(min_row=2):
            if isinstance(row[1].value, int | float):
                row[1].value = f"{row[1].value:,.0f}".replace(",", "\u00a0")
    rewrite_sheet(book, "products", localise)
    rewrite_sheet(book, "policy", lambda ws: [
        setattr(c, "value", f"{c.value * 100:g}%") for c in ws[2]
        if ws.cell(row=1, column=c.column).value == "max_supplier_share"])
    assert same(read_sourcing_instance(book), starter)

    folder = csv_copy(starter, tmp_path)
    products = folder / "products.csv"
    rows = list(csv.reader(products.open()))
    rows[1][1] = f"{float(rows[1][1]):,.0f}"
    assert "," in rows[1][1]
    with products.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    assert same(read_sourcing_instance(folder), starter)


def test_a_dotted_thousands_text_cell_in_a_workbook_is_refused(tmp_path: Path,
                                                              starter: SourcingInstance) -> None:
    """'12.000' typed as text in a workbook was read as 12 (a European meant 12000); a CSV,
    where every cell is text, still reads it as 12 (and 0.835 stays a fraction)."""
    book = book_copy(starter, tmp_path)

    def dotted(ws: Any) -> None:
        ws.cell(row=2, column=2).value = "12.000"
    rewrite_sheet(book, "products", dotted)
    with pytest.raises(InputError) as caught:
        read_sourcing_instance(book)
    assert "'12.000' typed as text is ambiguous" in caught.value.problems[0]
    assert "sheet 'products' row 2: field 'demand'" in caught.value.problems[0]

    folder = csv_copy(starter, tmp_path)
    products = folder / "products.csv"
    rows = list(csv.reader(products.open()))
    rows[1][1] = "12.000"
    with products.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    assert read_sourcing_instance(folder).products[0].demand == 12


def test_a_decimal_comma_outside_a_semicolon_csv_is_refused(tmp_path: Path,
                                                            starter: SourcingInstance) -> None:
    folder = csv_copy(starter, tmp_path)
    policy = folder / "policy.csv"
    rows = list(csv.reader(policy.open()))
    column = rows[0].index("max_supplier_share")
    rows[1][column] = "0,6"
    with policy.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    assert problems_of(folder) == [
        f"{policy}: line 2: field 'max_supplier_share': '0,6': a ',' is read only as a thousands "
        f"separator (15,000); write decimals with a '.' (1.5), or save the CSV with ';' between "
        f"cells to use a decimal comma"]


def semicolon_copy(folder: Path) -> None:
    """Rewrite a CSV folder the way a European Excel saves it: ';' between cells, decimal
    commas (list cells quoted, since they hold ';')."""
    for file in folder.glob("*.csv"):
        rows = list(csv.reader(file.open()))
        out = []
        for row in rows:
            cells = []
            for cell in row:
                try:
                    float(cell)
                    cells.append(cell.replace(".", ","))
                except ValueError:
                    cells.append(cell)
            out.append(cells)
        with file.open("w", newline="", encoding="utf-8-sig") as f:
            csv.writer(f, delimiter=";").writerows(out)


def test_semicolon_csv_with_decimal_commas(tmp_path: Path, starter: SourcingInstance) -> None:
    folder = csv_copy(starter, tmp_path)
    semicolon_copy(folder)
    assert "0,6;" in (folder / "policy.csv").read_text(encoding="utf-8-sig")
    assert same(read_sourcing_instance(folder), starter)
    products = folder / "products.csv"
    rows = list(csv.reader(products.open(encoding="utf-8-sig"), delimiter=";"))
    rows[1][rows[0].index("demand")] = "12.000"
    with products.open("w", newline="") as f:
        csv.writer(f, delimiter=";").writerows(rows)
    (problem,) = problems_of(folder)
    assert problem.startswith(f"{products}: line 2: field 'demand': '12.000' is ambiguous in a "
                              f"';'-separated file")


def test_routing_list_cells_survive_a_semicolon_csv(tmp_path: Path) -> None:
    inst = RoutingInstance.model_validate({
        "name": "r", "depots": [{"id": "D", "x": 0.5, "y": 0}],
        "vehicle_types": [{"id": "van", "start_depot": "D", "capacity": [5, 1.5]}],
        "stops": [{"id": "a", "x": 1.25, "y": 2, "delivery": [2, 0.5],
                   "time_windows": [[0, 100], [200, 300]]}]})
    folder = tmp_path / "r"
    write_routing_instance(inst, folder, "csv")
    def comma(cell: str) -> str:
        return ";".join(p.replace(".", ",") if p.replace(".", "").isdigit() else p
                        for p in cell.split(";"))

    for file in folder.glob("*.csv"):
        rows = list(csv.reader(file.open()))
        with file.open("w", newline="") as f:
            csv.writer(f, delimiter=";").writerows([[comma(c) for c in r] for r in rows])
    assert '"5,0;1,5"' in (folder / "vehicle_types.csv").read_text()
    assert read_routing_instance(folder) == inst


def test_excel_time_cells_and_window_lists_reach_the_time_parser(tmp_path: Path) -> None:
    inst = RoutingInstance.model_validate({
        "depots": [{"id": "D", "x": 0, "y": 0}],
        "vehicle_types": [{"id": "v", "start_depot": "D", "shift_start": 28800}],
        "stops": [{"id": "a", "x": 1, "y": 1, "time_windows": [[28800, 36000],
                                                               [46800, 54000]]}]})
    book = tmp_path / "t.xlsx"
    write_routing_instance(inst, book, "excel")
    wb = openpyxl.load_workbook(book)
    for sheet, column, value in (("vehicle_types", "shift_start", dt.time(8, 0)),
                                 ("stops", "time_windows", "08:00-10:00;13:00-15:00")):
        ws = wb[sheet]
        index = [c.value for c in ws[1]].index(column) + 1
        ws.cell(row=2, column=index, value=value)
    wb.save(book)
    assert read_routing_instance(book) == inst.model_copy(update={"name": "t"})


# ---- values that used to change on the way --------------------------------------------------

def test_json_true_is_not_a_quantity(tmp_path: Path) -> None:
    data = json.loads(STARTER.read_text())
    data["products"][1]["demand"] = True
    data["offers"][0]["moq"] = False
    data["policy"]["min_suppliers"] = True
    path = tmp_path / "bools.json"
    path.write_text(json.dumps(data))
    assert problems_of(path) == [
        f"{path}: products[1]: field 'demand': expected a number, got true (true/false are not "
        f"numbers)",
        f"{path}: offers[0]: field 'moq': expected a number, got false (true/false are not "
        f"numbers)",
        f"{path}: policy: field 'min_suppliers': expected a number, got true (true/false are not "
        f"numbers)"]


def test_json_keys_are_exact_with_a_hint(tmp_path: Path) -> None:
    data = json.loads(STARTER.read_text())
    data["Policy"] = data.pop("policy")
    data["offers"][0]["unit_prices"] = data["offers"][0].pop("unit_price")
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(data))
    unknown = "unknown field (not part of the format; see the schema command)"
    assert problems_of(path) == [
        f"{path}: offers[0]: field 'unit_price': Field required",
        f"{path}: offers[0]: field 'unit_prices': {unknown} (did you mean 'unit_price'?)",
        f"{path}: Policy: {unknown} (did you mean 'policy'?)"]


def test_routing_json_true_is_not_a_count_or_capacity(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({
        "depots": [{"id": "D", "x": 0, "y": 0}],
        "vehicle_types": [{"id": "v", "start_depot": "D", "count": True, "capacity": [True]}]}))
    assert problems_of(path, read_routing_instance) == [
        f"{path}: vehicle_types[0]: field 'count': expected a number, got true (true/false are "
        f"not numbers)",
        f"{path}: vehicle_types[0]: field 'capacity': expected a number, got [true] (true/false "
        f"are not numbers)"]


def test_routing_json_true_in_windows_breaks_and_matrix(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({
        "distance": {"kind": "matrix"}, "depots": [{"id": "D", "matrix_index": 0}],
        "vehicle_types": [{"id": "v", "start_depot": "D",
                           "breaks": [{"earliest": True, "latest": 5, "duration": 1}]}],
        "stops": [{"id": "a", "matrix_index": 1, "time_windows": [[True, 500]]}],
        "matrix": {"distances": [[0, True], [1, 0]]}}))
    assert problems_of(path, read_routing_instance) == [
        f"{path}: vehicle_types[0]: field 'breaks': expected a number, got [{{\"earliest\": "
        f"true, \"latest\": 5, \"duration\": 1}}] (true/false are not numbers)",
        f"{path}: stops[0]: field 'time_windows': expected a number, got [[true, 500]] "
        f"(true/false are not numbers)",
        f"{path}: matrix: expected numbers, got true (true/false are not numbers)"]


def test_excel_formula_without_a_stored_value_is_refused(tmp_path: Path,
                                                         starter: SourcingInstance) -> None:
    book = book_copy(starter, tmp_path)
    wb = openpyxl.load_workbook(book)
    header = [c.value for c in wb["offers"][1]]
    column = header.index("moq") + 1
    wb["offers"].cell(row=3, column=column, value="=10*5")
    wb.save(book)
    letter = openpyxl.utils.get_column_letter(column)
    assert problems_of(book) == [
        f"{book}: sheet 'offers' cell {letter}3: the formula =10*5 has no stored value (the file "
        f"was not saved by a spreadsheet program); open and save it in Excel or LibreOffice, or "
        f"type the value"]


def test_ids_starting_with_equals_are_text_in_excel(tmp_path: Path,
                                                    starter: SourcingInstance) -> None:
    data = instance_tables(starter)
    old = data["suppliers"][0]["id"]
    data["suppliers"][0]["id"] = "=SUM(A1)"
    for offer in data["offers"]:
        if offer["supplier"] == old:
            offer["supplier"] = "=SUM(A1)"
    for brk in data["price_breaks"]:
        if brk["supplier"] == old:
            brk["supplier"] = "=SUM(A1)"
    data["policy"]["must_use"] = ["=SUM(A1)" if s == old else s
                                  for s in data["policy"]["must_use"]]
    for pp in data["product_policies"]:
        for key in ("must_use", "excluded"):
            pp[key] = ["=SUM(A1)" if s == old else s for s in pp[key]]
    inst = SourcingInstance.model_validate(data)
    book = book_copy(inst, tmp_path)
    cell = openpyxl.load_workbook(book)["suppliers"]["A2"]
    assert cell.data_type == "s" and cell.value == "=SUM(A1)"
    assert same(read_sourcing_instance(book), inst)


@pytest.mark.parametrize("form", ["csv", "excel"])
def test_list_ids_with_separators_are_refused_when_written(tmp_path: Path, form: str,
                                                           starter: SourcingInstance) -> None:
    data = instance_tables(starter)
    old = data["policy"]["must_use"][0]
    new = "Izmir; Knit, Ltd"
    data["suppliers"] = [s | {"id": new} if s["id"] == old else s for s in data["suppliers"]]
    for table in ("offers", "price_breaks"):
        data[table] = [r | {"supplier": new} if r["supplier"] == old else r
                       for r in data[table]]
    data["policy"]["must_use"] = [new]
    for pp in data["product_policies"]:
        for key in ("must_use", "excluded"):
            pp[key] = [new if s == old else s for s in pp[key]]
    inst = SourcingInstance.model_validate(data)
    target = tmp_path / ("x" if form == "csv" else "x.xlsx")
    with pytest.raises(InputError) as caught:
        write_sourcing_instance(inst, target, form)
    assert caught.value.problems[0] == (
        f"{target}: policy: field 'must_use': 'Izmir; Knit, Ltd' {CANNOT_HOLD}")
    assert not target.exists()
    staged = tmp_path / f".{target.name}.partial"
    with pytest.raises(InputError) as caught:
        write_sourcing_instance(inst, staged, form, shown=target)
    assert caught.value.problems[0].startswith(f"{target}: policy: field 'must_use'")
    assert not staged.exists()
    write_sourcing_instance(inst, tmp_path / "x.json", "json")
    assert read_sourcing_instance(tmp_path / "x.json") == inst


LIST_COMMA = ("'12,5' in a list of numbers: a decimal comma is not read here and ',' does not "
              "separate values; separate values with ';' and write decimals with '.': 12.5 for "
              "one value, or 12;5 for two (only a ';'-separated CSV file reads decimal commas)")


def two_dimension_copies(tmp_path: Path) -> tuple[RoutingInstance, dict[str, Path]]:
    inst = RoutingInstance.model_validate({
        "name": "r", "depots": [{"id": "D", "x": 0, "y": 0}],
        "vehicle_types": [{"id": "van", "start_depot": "D", "capacity": [900, 8]}],
        "stops": [{"id": "a", "x": 1, "y": 2, "delivery": [12.5, 0.3]},
                  {"id": "b", "x": 2, "y": 1, "delivery": [1, 0.1]}]})
    paths = {"json": tmp_path / "r.json", "csv": tmp_path / "r", "excel": tmp_path / "r.xlsx"}
    for form, path in paths.items():
        write_routing_instance(inst, path, form)
    return inst, paths


def test_a_decimal_comma_in_a_routing_list_is_refused_in_every_form(tmp_path: Path) -> None:
    """"delivery": "12,5" in a 2-dimension instance (kg, m3) was read as [12, 5]: 12 kg and
    5 m3 instead of refused. Now JSON, CSV and Excel refuse it naming the record and field."""
    _, paths = two_dimension_copies(tmp_path)
    data = json.loads(paths["json"].read_text())
    data["stops"][1]["delivery"] = "12,5"
    paths["json"].write_text(json.dumps(data))
    stops = paths["csv"] / "stops.csv"
    stops.write_text(stops.read_text().replace("1.0;0.1", '"12,5"'))
    book = openpyxl.load_workbook(paths["excel"])
    sheet = book["stops"]
    sheet.cell(row=3, column=[c.value for c in sheet[1]].index("delivery") + 1, value="12,5")
    book.save(paths["excel"])
    assert problems_of(paths["json"], read_routing_instance) == [
        f"{paths['json']}: stops[1]: field 'delivery': {LIST_COMMA}"]
    assert problems_of(paths["csv"], read_routing_instance) == [
        f"{stops}: line 3: field 'delivery': {LIST_COMMA}"]
    assert problems_of(paths["excel"], read_routing_instance) == [
        f"{paths['excel']}: sheet 'stops' row 3: field 'delivery': {LIST_COMMA}"]


def test_a_comma_in_capacity_or_pickup_is_refused_and_semicolons_read(tmp_path: Path) -> None:
    _, paths = two_dimension_copies(tmp_path)
    data = json.loads(paths["json"].read_text())
    data["vehicle_types"][0]["capacity"] = "900,8"
    data["stops"][0]["pickup"] = "1,200"
    paths["json"].write_text(json.dumps(data))
    problems = problems_of(paths["json"], read_routing_instance)
    assert [p.split(": '")[0] for p in problems] == [
        f"{paths['json']}: vehicle_types[0]: field 'capacity'",
        f"{paths['json']}: stops[0]: field 'pickup'"]
    assert "900.8 for one value, or 900;8 for two" in problems[0]
    assert "1200 for one value (no thousands separator), or 1;200 for several" in problems[1]
    data["vehicle_types"][0]["capacity"] = "900;8"
    data["stops"][0]["pickup"] = " 1.5 ; 0.25 "
    paths["json"].write_text(json.dumps(data))
    inst = read_routing_instance(paths["json"])
    assert inst.vehicle_types[0].capacity == (900, 8)
    assert inst.stops[0].pickup == (1.5, 0.25)
    with pytest.raises(ValueError, match="a decimal comma is not read here"):
        inst.stops[0].model_copy(update={"delivery": "12,5"})  # Python data: the same rule


def test_routing_solve_refuses_a_decimal_comma_in_a_list(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, paths = two_dimension_copies(tmp_path)
    data = json.loads(paths["json"].read_text())
    data["stops"][1]["delivery"] = "12,5"
    paths["json"].write_text(json.dumps(data))
    assert main(["routing", "solve", str(paths["json"]), "--out", str(tmp_path / "out")]) == 2
    assert f"{paths['json']}: stops[1]: field 'delivery': {LIST_COMMA}" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_time_windows_joined_by_a_comma_say_to_use_a_semicolon(tmp_path: Path) -> None:
    _, paths = two_dimension_copies(tmp_path)
    data = json.loads(paths["json"].read_text())
    data["stops"][0]["time_windows"] = "08:00-10:00, 14:00-16:00"
    paths["json"].write_text(json.dumps(data))
    assert problems_of(paths["json"], read_routing_instance) == [
        f"{paths['json']}: stops[0]: field 'time_windows': separate time windows with ';', not "
        f"',': write '08:00-10:00;14:00-16:00'"]


def test_routing_skill_with_a_comma_is_refused_not_split(tmp_path: Path) -> None:
    inst = RoutingInstance.model_validate({
        "depots": [{"id": "D", "x": 0, "y": 0}],
        "vehicle_types": [{"id": "v", "start_depot": "D", "skills": ["cold,frozen"]}],
        "stops": [{"id": "a", "x": 1, "y": 1, "skills": ["cold,frozen"]}]})
    with pytest.raises(InputError) as caught:
        write_routing_instance(inst, tmp_path / "r", "csv")
    assert caught.value.problems == [
        f"{tmp_path / 'r'}: {table}[0]: field 'skills': 'cold,frozen' {CANNOT_HOLD}"
        for table in ("vehicle_types", "stops")]


# ---- files that are not what they seem ------------------------------------------------------

def test_a_table_file_that_is_a_folder(tmp_path: Path, starter: SourcingInstance) -> None:
    folder = csv_copy(starter, tmp_path)
    (folder / "policy.csv").unlink()
    (folder / "policy.csv").mkdir()
    assert problems_of(folder) == [f"{folder / 'policy.csv'}: a folder; expected a file"]
    (tmp_path / "book.xlsx").mkdir()
    assert problems_of(tmp_path / "book.xlsx") == [
        f"{tmp_path / 'book.xlsx'}: a folder; expected a EXCEL file"]


def _read_in_thread(path: Path) -> list[str]:
    """Problems from reading ``path`` in a thread (a blocked open must not hang the tests)."""
    out: list[str] = []

    def run() -> None:
        try:
            read_sourcing_instance(path)
        except InputError as exc:
            out.extend(exc.problems)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), f"reading {path} blocked"
    return out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_never_opened(tmp_path: Path, starter: SourcingInstance) -> None:
    os.mkfifo(tmp_path / "x.json")
    assert _read_in_thread(tmp_path / "x.json") == [
        f"{tmp_path / 'x.json'}: not a regular file; expected a file"]
    os.mkfifo(tmp_path / "x.xlsx")
    assert _read_in_thread(tmp_path / "x.xlsx") == [
        f"{tmp_path / 'x.xlsx'}: not a regular file; expected a file"]
    folder = csv_copy(starter, tmp_path)
    (folder / "risk.csv").unlink(missing_ok=True)
    os.mkfifo(folder / "risk.csv")
    assert _read_in_thread(folder) == [f"{folder / 'risk.csv'}: not a regular file; expected a "
                                       f"file"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs file permissions that apply")
def test_an_unreadable_file(tmp_path: Path, starter: SourcingInstance) -> None:
    folder = csv_copy(starter, tmp_path)
    (folder / "offers.csv").chmod(0)
    assert problems_of(folder) == [f"{folder / 'offers.csv'}: cannot be read (Permission "
                                   f"denied)"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_files_with_a_byte_order_mark(tmp_path: Path, starter: SourcingInstance,
                                           encoding: str) -> None:
    folder = csv_copy(starter, tmp_path)
    bom = {"utf-16": b"", "utf-16-be": b"\xfe\xff", "utf-32": b""}[encoding]
    for file in folder.glob("*.csv"):
        file.write_bytes(bom + file.read_text(encoding="utf-8").encode(encoding))
    assert same(read_sourcing_instance(folder), starter)
    path = tmp_path / "x.json"
    path.write_bytes(bom + STARTER.read_text(encoding="utf-8").encode(encoding))
    assert same(read_sourcing_instance(path), starter)


def test_utf16_without_a_byte_order_mark_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(STARTER.read_text(encoding="utf-8").encode("utf-16-le"))
    assert problems_of(path) == [f"{path}: holds NUL characters (UTF-16 without a byte order "
                                 f"mark?); save it as UTF-8"]


def test_cli_exit_code_for_a_misspelt_sheet(tmp_path: Path, starter: SourcingInstance,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    book = book_copy(starter, tmp_path)
    rewrite_sheet(book, "policy", lambda ws: setattr(ws, "title", "Policie"))
    assert main(["sourcing", "solve", str(book), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "unknown sheet 'Policie' (did you mean 'policy'?)" in " ".join(err.split())
    assert not (tmp_path / "out").exists()
