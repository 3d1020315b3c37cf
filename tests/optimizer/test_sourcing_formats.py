"""Reading and writing sourcing instances: exact error messages, equivalent forms."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from models.sourcing import generate_instance, solve
from optimizer.errors import InputError
from optimizer.formats.sourcing import (
    instance_tables,
    read_sourcing_instance,
    write_sourcing_instance,
)

MALFORMED = Path(__file__).resolve().parents[1] / "fixtures" / "sourcing" / "malformed"

EXPECTED = {
    "scenario_probabilities_over_one.json": [
        "scenarios[2]: field 'probability': scenario probabilities add up to 1.05 here, more "
        "than 1"],
    "disruption_two_targets.json": [
        "disruptions[0]: field 'supplier': give exactly one of supplier and region"],
    "disruption_unknown_scenario.json": [
        "disruptions[1]: field 'scenario': unknown scenario 'flood'"],
    "disruption_unknown_region.json": [
        "disruptions[1]: field 'region': no supplier is in region 'Atlantis'"],
    "scenario_without_recourse.json": [
        "products[0]: field 'spot_price': with scenarios, every product needs a recourse when a "
        "supplier fails: give a spot_price or a shortage_penalty"],
    "risk_alpha_one.json": ["risk: field 'alpha': Input should be less than 1 (got 1.0)"],
    "unknown_supplier.json": [
        "offers[1]: field 'supplier': unknown supplier 'S9'",
        "price_breaks[0]: field 'product': no offer from supplier 'S2' for product 'P1'",
    ],
    "duplicate_product.json": ["products[2]: field 'id': duplicate of row 1 (id='P1')"],
    "duplicate_offer.json": [
        "offers[3]: field 'product': duplicate of row 3 (supplier='S1', product='P2')"],
    "negative_demand.json": [
        "products[0]: field 'demand': Input should be greater than or equal to 0 (got -5)"],
    "rate_out_of_range.json": [
        "offers[2]: field 'defect_rate': Input should be less than or equal to 1 (got 1.4)"],
    "missing_field.json": ["offers[0]: field 'unit_price': Field required"],
    "wrong_type.json": [
        "products[1]: field 'demand': Input should be a valid number, unable to parse string "
        "as a number (got 'lots')"],
    "unknown_field.json": [
        "suppliers[0]: field 'prise': unknown field (not part of the format; see the schema "
        "command)"],
    "price_break_increase.json": [
        "price_breaks[0]: field 'unit_price': price 1.9 at 50 units is above the price 1.5 for "
        "smaller orders; all-units breaks must not raise the price"],
    "unknown_policy_supplier.json": ["policy: field 'must_use': unknown supplier 'S9'"],
    "missing_weight.json": [
        "offers[0]: field 'product': supplier 'S1' has a weight capacity, so product 'P1' "
        "needs a unit_weight"],
    "no_offers.json": ["offers: needs at least one record"],
    "fractional_whole_units.json": [
        "products[1]: field 'demand': demand 50.5 is not a whole number, but the policy asks "
        "for whole units"],
    "invalid_json.json": ["line 3 column 16: invalid JSON: Expecting value"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_json_messages(name: str) -> None:
    path = MALFORMED / name
    with pytest.raises(InputError) as caught:
        read_sourcing_instance(path)
    assert caught.value.problems == [f"{path}: {line}" for line in EXPECTED[name]]


def test_every_malformed_fixture_has_an_expectation() -> None:
    fixtures = {p.name for p in MALFORMED.iterdir()}
    assert fixtures == set(EXPECTED) | {"missing_column", "bad_value_csv"}


def test_csv_missing_column() -> None:
    folder = MALFORMED / "missing_column"
    with pytest.raises(InputError) as caught:
        read_sourcing_instance(folder)
    assert caught.value.problems == [f"{folder / 'offers.csv'}: missing column 'unit_price'"]


def test_csv_bad_value_names_the_line() -> None:
    folder = MALFORMED / "bad_value_csv"
    with pytest.raises(InputError) as caught:
        read_sourcing_instance(folder)
    assert caught.value.problems == [
        f"{folder / 'offers.csv'}: line 3: field 'defect_rate': Input should be less than or "
        f"equal to 1 (got '2')"]


def test_excel_bad_value_names_sheet_and_row(tmp_path: Path, sourcing_fixtures: Path) -> None:
    inst = read_sourcing_instance(sourcing_fixtures / "valid_small.json")
    book = tmp_path / "bad.xlsx"
    write_sourcing_instance(inst, book, "excel")
    sheets = pd.read_excel(book, sheet_name=None, dtype=str)
    sheets["offers"].loc[1, "unit_price"] = "cheap"
    with pd.ExcelWriter(book) as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    with pytest.raises(InputError) as caught:
        read_sourcing_instance(book)
    assert caught.value.problems == [
        f"{book}: sheet 'offers' row 3: field 'unit_price': Input should be a valid number, "
        f"unable to parse string as a number (got 'cheap')"]


def test_missing_path() -> None:
    with pytest.raises(InputError) as caught:
        read_sourcing_instance(Path("does/not/exist.json"))
    assert caught.value.problems == ["does/not/exist.json: no such file or folder"]


@pytest.mark.parametrize("form", ["csv", "excel"])
def test_forms_are_equivalent(tmp_path: Path, sourcing_instances: Path, form: str) -> None:
    original = read_sourcing_instance(sourcing_instances / "starter.json")
    target = tmp_path / ("starter.xlsx" if form == "excel" else "starter")
    write_sourcing_instance(original, target, form)
    again = read_sourcing_instance(target)
    assert instance_tables(again) == instance_tables(original)
    assert solve(again).allocations == solve(original).allocations


@pytest.mark.parametrize("suffix", ["", ".xlsx"])
def test_shipped_forms_match_json(sourcing_instances: Path, suffix: str) -> None:
    for json_file in sorted(sourcing_instances.glob("*.json")):
        other = json_file.with_suffix(suffix)
        assert other.exists(), f"{other} is not shipped"
        assert instance_tables(read_sourcing_instance(other)) == instance_tables(
            read_sourcing_instance(json_file))


def test_csv_saved_by_excel_with_a_byte_order_mark(tmp_path: Path,
                                                   sourcing_instances: Path) -> None:
    folder = tmp_path / "starter"
    original = read_sourcing_instance(sourcing_instances / "starter.json")
    write_sourcing_instance(original, folder, "csv")
    for csv in folder.glob("*.csv"):
        csv.write_text(csv.read_text(encoding="utf-8"), encoding="utf-8-sig")
    assert instance_tables(read_sourcing_instance(folder)) == instance_tables(original)


@pytest.mark.parametrize("form", ["csv", "excel"])
def test_scenario_tables_round_trip(tmp_path: Path, form: str) -> None:
    inst = generate_instance(6, 5, seed=3, scenarios=4)
    inst = inst.model_copy(update={"risk": inst.risk.model_copy(
        update={"alpha": 0.9, "cvar_weight": 0.25})})
    target = tmp_path / ("inst" if form == "csv" else "inst.xlsx")
    write_sourcing_instance(inst, target, form)
    back = read_sourcing_instance(target)
    assert back.scenarios == inst.scenarios
    assert back.disruptions == inst.disruptions
    assert back.risk == inst.risk
    assert back.products == inst.products
