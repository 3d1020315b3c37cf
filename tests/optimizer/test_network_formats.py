"""Reading and writing network instances and plans: exact error messages per error class,
the three equivalent forms, the shipped example, the plan's tables."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pandas as pd
import pytest

from models.network import NetworkInstance, SolveStatus, solve
from optimizer.errors import InputError
from optimizer.formats.network import (
    network_tables,
    plan_frames,
    read_network_instance,
    read_network_plan,
    write_network_instance,
    write_network_plan,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "network"
MALFORMED = FIXTURES / "malformed"
STARTER = ROOT / "instances" / "network"

#: Malformed CSV folder -> (file, the problems after "file: ").
EXPECTED = {
    "unknown_column": ("customers.csv", [
        "unknown column 'latitude'; known: id, name, lat, lon, x, y, service_time (a column "
        "whose name starts with '_' or '#' is a note and is not read)"]),
    "missing_column": ("demand.csv", [
        "unknown column 'qty'; known: customer, product, quantity, shortage_penalty (a column "
        "whose name starts with '_' or '#' is a note and is not read)",
        "missing column 'quantity'"]),
    "bad_number": ("demand.csv", [
        "line 4: field 'quantity': Input should be a valid number, unable to parse string as a "
        "number (got 'lots')"]),
    "negative_capacity": ("facilities.csv", [
        "line 2: field 'capacity': Input should be greater than or equal to 0 (got '-300.0')"]),
    "unknown_reference": ("demand.csv", ["line 7: field 'customer': unknown customer 'C9'"]),
    "duplicate_id": ("facilities.csv", ["line 5: field 'id': duplicate of row 1 (id='F1')"]),
    "missing_table": ("demand.csv", ["required table 'demand' is missing"]),
    "unknown_table": ("warehouses.csv", [
        "unknown table 'warehouses'; known: products, facilities, sizes, customers, demand, "
        "suppliers, offers, price_breaks, policy, product_policies, transport, distances, "
        "lanes, network_policy, fleet (a table whose name starts with '_' or '#' is a note and is "
        "not read)"]),
    "bad_status": ("facilities.csv", [
        "line 3: field 'status': Input should be 'candidate', 'existing', 'must_open' or "
        "'must_close' (got 'maybe')"]),
    "bad_bool": ("network_policy.csv", [
        "line 2: field 'single_sourcing': Input should be a valid boolean, unable to interpret "
        "input (got 'perhaps')"]),
    "mixed_coordinates": ("customers.csv", [
        "line 2: field 'lat': has lat/lon while 8 other places have x/y; use one kind of "
        "coordinates for the whole network"]),
    "lane_ends": ("lanes.csv", [
        "line 2: field 'destination': a lane runs from a supplier to a facility or from a "
        "facility to a customer, not from 'C2' to 'F1'"]),
    "sizes_twice": ("facilities.csv", [
        "line 4: field 'capacity': facility 'F3' has rows in the sizes table; give its "
        "capacity and fixed_cost there, not here"]),
}

#: Fixtures whose fault is in another file than the one the message names: C1 has lat/lon in
#: a network otherwise in x/y, and the rule names the first x/y record.
FAULT_FILE = {"mixed_coordinates": "customers.csv"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_folder_names_file_record_and_field(name: str) -> None:
    folder = MALFORMED / name
    file, problems = EXPECTED[name]
    with pytest.raises(InputError) as caught:
        read_network_instance(folder)
    assert caught.value.problems == [f"{folder / file}: {p}" for p in problems]


def test_every_malformed_fixture_has_an_expectation() -> None:
    assert {p.name for p in MALFORMED.iterdir()} == set(EXPECTED)


def test_each_malformed_fixture_is_the_valid_one_with_one_fault() -> None:
    """The fixtures differ from valid_small/ only in the fault they test (else a message
    could come from an accident of the copy)."""
    valid = read_network_instance(FIXTURES / "valid_small")
    assert valid == read_network_instance(FIXTURES / "valid_small.json")
    base = {p.name: p.read_text() for p in (FIXTURES / "valid_small").iterdir()}
    for folder in MALFORMED.iterdir():
        files = {p.name: p.read_text() for p in folder.iterdir()}
        changed = {n for n in base.keys() | files.keys() if base.get(n) != files.get(n)}
        assert changed == {FAULT_FILE.get(folder.name, EXPECTED[folder.name][0])}, folder.name


def test_excel_bad_value_names_sheet_and_row(tmp_path: Path) -> None:
    inst = read_network_instance(FIXTURES / "valid_small.json")
    book = tmp_path / "bad.xlsx"
    write_network_instance(inst, book, "excel")
    sheets = pd.read_excel(book, sheet_name=None, dtype=str)
    sheets["demand"].loc[2, "quantity"] = "plenty"
    with pd.ExcelWriter(book) as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    with pytest.raises(InputError) as caught:
        read_network_instance(book)
    assert caught.value.problems == [
        f"{book}: sheet 'demand' row 4: field 'quantity': Input should be a valid number, "
        f"unable to parse string as a number (got 'plenty')"]


def test_json_error_names_the_record(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "valid_small.json").read_text())
    data["facilities"][1]["status"] = "closed"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as caught:
        read_network_instance(path)
    assert caught.value.problems == [
        f"{path}: facilities[1]: field 'status': Input should be 'candidate', 'existing', "
        f"'must_open' or 'must_close' (got 'closed')"]


@pytest.mark.parametrize("source", ["starter.json", "starter", "starter.xlsx"])
def test_three_form_round_trip(tmp_path: Path, source: str) -> None:
    """Read a shipped form, write the CSV folder and the workbook (and JSON), read them back:
    the same instance every time, and the same as the other shipped forms."""
    original = read_network_instance(STARTER / source)
    assert original == read_network_instance(STARTER / "starter.json")
    for name, form in (("copy", "csv"), ("copy.xlsx", "excel"), ("copy.json", "json")):
        write_network_instance(original, tmp_path / name, form)  # type: ignore[arg-type]
        back = read_network_instance(tmp_path / name)
        assert back.model_copy(update={"name": original.name}) == original, form


def test_round_trip_keeps_every_table_of_the_small_network(tmp_path: Path) -> None:
    """sizes, lanes (a forbidden one, a product lane with a volume cap), shortage penalties,
    an existing DC with a closing cost: all survive CSV and Excel."""
    original = read_network_instance(FIXTURES / "valid_small.json")
    assert original.lanes and original.sizes
    for name, form in (("small", "csv"), ("small.xlsx", "excel")):
        write_network_instance(original, tmp_path / name, form)  # type: ignore[arg-type]
        assert read_network_instance(tmp_path / name).model_copy(
            update={"name": "valid_small"}) == original


def test_default_tables_are_left_out_of_the_json() -> None:
    inst = NetworkInstance.model_validate({
        "products": [{"id": "P"}], "facilities": [{"id": "F"}], "customers": [{"id": "C"}],
        "demand": [{"customer": "C", "product": "P", "quantity": 1}]})
    assert set(network_tables(inst)) == {"name", "products", "facilities", "customers",
                                         "demand"}


def test_the_shipped_example_is_what_its_script_writes() -> None:
    """instances/network/starter.json is exactly make_starter.starter() (the script is the
    source; nobody edits the files by hand)."""
    script = runpy.run_path(str(STARTER / "make_starter.py"))
    made = script["starter"]()
    assert made == read_network_instance(STARTER / "starter.json")
    assert len(made.facilities) == 3 and len(made.suppliers) == 12
    assert len(made.customers) == 100
    assert {c.located for c in made.customers} == {"latlon"}
    assert all(47.2 < c.lat < 55.1 and 5.8 < c.lon < 15.1 for c in made.customers)  # Germany


@pytest.fixture(scope="module")
def small_plan() -> tuple[NetworkInstance, object]:
    inst = read_network_instance(FIXTURES / "valid_small.json")
    return inst, solve(inst)


def test_plan_folder_holds_every_table(tmp_path: Path, small_plan) -> None:  # type: ignore[no-untyped-def]
    inst, plan = small_plan
    assert plan.solve.status == SolveStatus.OPTIMAL
    written = write_network_plan(plan, tmp_path / "out", inst)
    assert [p.name for p in written] == [
        "plan.json", "summary.csv", "facilities.csv", "flows.csv", "purchases.csv",
        "shortages.csv", "customers.csv", "cost.csv", "plan.xlsx", "network.png",
        "report.html"]
    assert read_network_plan(tmp_path / "out") == plan
    frames = plan_frames(plan, "EUR")
    cost = pd.read_csv(tmp_path / "out" / "cost.csv")
    assert list(cost.columns) == ["line", "cost_EUR"]
    assert list(cost.line) == ["facility_fixed", "closing", "handling", "inbound", "purchase",
                               "onboarding", "outbound", "shortage", "total"]
    assert cost.cost_EUR.iloc[-1] == pytest.approx(plan.cost.total)
    facilities = pd.read_csv(tmp_path / "out" / "facilities.csv")
    assert list(facilities.facility) == ["F1", "F2", "F3"]
    assert list(facilities.open) == [f.open for f in plan.facilities]
    assert len(frames["flows"]) == len(plan.flows)
    customers = pd.read_csv(tmp_path / "out" / "customers.csv")
    assert customers.cost_to_serve_EUR.sum() + plan.cost.onboarding + plan.cost.closing \
        == pytest.approx(plan.cost.total)


def test_plan_xlsx_formats_utilisation_as_share_and_fixed_cost_as_money(
        tmp_path: Path, small_plan) -> None:  # type: ignore[no-untyped-def]
    """Without the network column names in optimizer.formats.results, utilisation showed as
    0.83 and fixed costs without separators (General)."""
    import openpyxl

    inst, plan = small_plan
    write_network_plan(plan, tmp_path / "out", inst, with_map=False)
    book = openpyxl.load_workbook(tmp_path / "out" / "plan.xlsx")

    def style(sheet: str, column: str) -> str:
        ws = book[sheet]
        index = [c.value for c in ws[1]].index(column) + 1
        filled = next(r for r in range(2, ws.max_row + 1)
                      if ws.cell(row=r, column=index).value is not None)
        return ws.cell(row=filled, column=index).number_format

    assert style("facilities", "utilisation") == "0.0%"
    assert style("facilities", "fixed_cost_EUR") == "#,##0.00"
    assert style("flows", "unit_cost_EUR") == "#,##0.00"
    assert style("flows", "quantity") == "#,##0.##"
    assert style("customers", "cost_to_serve_EUR") == "#,##0.00"


def test_a_broken_plan_file_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"instance": "x", "solve": {"status": "optimal"}}))
    with pytest.raises(InputError) as caught:
        read_network_plan(tmp_path)
    assert f"{path}: solve.stop_reason: Field required" in caught.value.problems
