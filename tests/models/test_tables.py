"""The shared table rules of models/tables.py: names, cells, notes, messages, DataFrames in."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from models.routing import RoutingInstance
from models.sourcing import SourcingInstance, generate_instance
from models.tables import (
    CellError,
    TableError,
    cell_value,
    did_you_mean,
    is_note_column,
    is_note_table,
    match_names,
    name_key,
    number_list,
    read_number,
)


@pytest.mark.parametrize("name", ["price_breaks", "Price_Breaks", " price breaks ",
                                  "PRICE-BREAKS", "Price  Breaks", "price_-_breaks"])
def test_names_match_whatever_their_case_spaces_and_separators(name: str) -> None:
    assert name_key(name) == "price_breaks"


def test_policy_capitalised_matches_and_misspellings_get_a_hint() -> None:
    matched, problems = match_names(["Policy", "price_break", "Offers", "policies_x"],
                                    ["offers", "price_breaks", "policy"], "sheet")
    assert matched == {"Policy": "policy", "Offers": "offers"}
    assert [name for name, _ in problems] == ["price_break", "policies_x"]
    assert "unknown sheet 'price_break' (did you mean 'price_breaks'?)" in problems[0][1]
    assert did_you_mean("policies", ["offers", "policy"]) == " (did you mean 'policy'?)"
    assert did_you_mean("zzz", ["offers", "policy"]) == ""


def test_two_names_for_one_table_are_refused() -> None:
    _, problems = match_names(["policy", "Policy"], ["policy"], "table")
    assert problems == [("Policy", "the tables 'policy' and 'Policy' are both 'policy'")]


def test_notes_are_kept_out_by_name() -> None:
    for name in ("_scratch", "#old", "Notes", " README ", "Read me", "read-me"):
        assert is_note_table(name), name
    assert not is_note_table("policy")
    assert is_note_column("# comment") and is_note_column("_why")
    assert not is_note_column("notes")  # a column named notes is a column like any other
    matched, problems = match_names(["_x", "Notes", "policy"], ["policy"], "sheet")
    assert matched == {"policy": "policy"} and problems == []


@pytest.mark.parametrize(("text", "value"), [
    ("60%", 0.6), ("15.5 %", 0.155), ("33.3%", 0.333), ("15,000", 15000.0),
    ("15 000", 15000.0), ("15\u00a0000", 15000.0), ("1\u202f234\u202f567.5", 1234567.5),
    ("-1,234.5", -1234.5), ("1,000,000", 1e6),
])
def test_spreadsheet_numbers(text: str, value: float) -> None:
    assert read_number(text) == value


def test_plain_text_is_left_to_the_model() -> None:
    for text in ("12", "1.5", "1e3", "lots", "08:00", "08:00-10:00", "inf"):
        assert read_number(text) == text


@pytest.mark.parametrize("text", ["1,5", "1,50", "12,5000", "1,2,3", "15,00.5", "0,835"])
def test_a_comma_is_only_a_thousands_separator(text: str) -> None:
    with pytest.raises(CellError, match="thousands separator"):
        read_number(text)


def test_decimal_comma_tables() -> None:
    assert read_number("1,5", decimal_comma=True) == 1.5
    assert read_number("15.000,25", decimal_comma=True) == 15000.25
    assert read_number("15 000,5", decimal_comma=True) == 15000.5
    assert read_number("0,6", decimal_comma=True) == 0.6
    assert read_number("12,5%", decimal_comma=True) == 0.125
    assert read_number("0.5", decimal_comma=True) == "0.5"
    with pytest.raises(CellError, match="ambiguous"):
        read_number("15.000", decimal_comma=True)


def test_number_lists() -> None:
    assert number_list("1200;8,5", decimal_comma=True) == ["1200", 8.5]
    assert number_list("1200;8.5") == ["1200", "8.5"]  # the model reads each value
    with pytest.raises(CellError, match="in a list of numbers"):
        number_list("1,200")
    with pytest.raises(CellError, match="in a list of numbers"):
        number_list("8.5;15 000")


@pytest.mark.parametrize(("text", "instead"), [
    ("12,5", "12.5 for one value, or 12;5 for two"),
    ("8.5;0,3", "0.3 for one value, or 0;3 for two"),
    ("1,200", "1200 for one value (no thousands separator), or 1;200 for several"),
    ("900,8,2", "900;8;2"),
])
def test_a_comma_in_a_list_of_numbers_is_refused_not_split(text: str, instead: str) -> None:
    """'12,5' was split into [12, 5] (a second capacity dimension) by the routing model."""
    with pytest.raises(CellError) as caught:
        number_list(text)
    assert "a decimal comma is not read here and ',' does not separate values; separate " \
           "values with ';'" in str(caught.value)
    assert instead in str(caught.value)
    with pytest.raises(CellError):
        cell_value(text, "numbers")
    assert number_list("12,5", decimal_comma=True) == [12.5]  # a ';' CSV reads it
    assert cell_value("08:00-10:00;13:00-15:00", "list") == "08:00-10:00;13:00-15:00"


def test_cells_by_kind() -> None:
    assert cell_value(" 60% ", "number") == 0.6
    assert cell_value("60%", "text") == "60%"  # ids and names are never converted
    assert cell_value(7.0, "text") == "7"
    assert cell_value("", "number") is cell_value(None, "text") is cell_value(math.nan, "number")
    with pytest.raises(CellError, match="expected a number, got true"):
        cell_value(True, "number")
    with pytest.raises(CellError, match="yes/no"):
        cell_value([1.0, False], "numbers")
    assert cell_value(True, "bool") is True


def _frames() -> tuple[SourcingInstance, dict[str, pd.DataFrame]]:
    inst = generate_instance(4, 3, seed=5)
    return inst, inst.to_frames()


def test_frames_round_trip() -> None:
    inst, frames = _frames()
    assert SourcingInstance.from_frames(frames, name=inst.name) == inst


def test_frames_read_like_spreadsheets() -> None:
    inst, frames = _frames()
    products = frames.pop("products").astype(object)
    products.loc[0, "demand"] = f"{products.loc[0, 'demand']:,.0f}"
    products = products.rename(columns={"demand": " Demand "})
    blank = pd.DataFrame([[None] * products.shape[1]], columns=products.columns, index=[99])
    frames["Products"] = pd.concat([products, blank])
    frames["_scratch"] = pd.DataFrame({"anything": [1, 2]})
    assert SourcingInstance.from_frames(frames, name=inst.name) == inst


def test_frame_problems_name_table_index_and_field() -> None:
    _, frames = _frames()
    offers = frames["offers"].astype(object)
    offers.index = [f"o{i}" for i in range(len(offers))]
    offers.loc["o1", "unit_price"] = "cheap"
    offers.loc["o2", "moq"] = True
    offers.loc["o3", "lead_time_days"] = "1,5"
    frames["offers"] = offers
    frames["price_break"] = frames.pop("price_breaks")
    with pytest.raises(TableError) as caught:
        SourcingInstance.from_frames(frames)
    problems = caught.value.problems
    assert problems[0].startswith("table 'price_break': unknown table 'price_break' (did you "
                                  "mean 'price_breaks'?)")
    assert problems[1] == ("table 'offers' index o2: field 'moq': expected a number, got true "
                           "(a yes/no value)")
    assert problems[2].startswith("table 'offers' index o3: field 'lead_time_days': '1,5': a "
                                  "',' is read only as a thousands separator")
    assert len(problems) == 3
    frames["price_breaks"] = frames.pop("price_break")
    offers.loc["o2", "moq"] = 0
    offers.loc["o3", "lead_time_days"] = 1.5
    with pytest.raises(TableError) as caught:
        SourcingInstance.from_frames(frames)
    assert caught.value.problems == [
        "table 'offers' index o1: field 'unit_price': Input should be a valid number, unable "
        "to parse string as a number (got 'cheap')"]


def test_frames_from_plain_records_and_a_missing_required_table() -> None:
    with pytest.raises(TableError) as caught:
        SourcingInstance.from_frames({"products": [{"id": "P", "demand": 5}],
                                      "suppliers": [{"id": "S", "region": "EU"}]})
    assert caught.value.problems == ["table 'offers': required table 'offers' is missing"]
    inst = SourcingInstance.from_frames({
        "products": [{"id": "P", "demand": "1,200"}], "suppliers": [{"id": "S", "region": "EU"}],
        "offers": [{"supplier": "S", "product": "P", "unit_price": 2}],
        "policy": {"max_supplier_share": "100%", "must_use": "S"}}, name="x")
    assert inst.products[0].demand == 1200 and inst.policy.max_supplier_share == 1.0
    assert inst.policy.must_use == ("S",)


def test_routing_frames_round_trip_and_bools() -> None:
    inst = RoutingInstance.model_validate({
        "name": "r", "depots": [{"id": "D", "x": 0, "y": 0}],
        "vehicle_types": [{"id": "van", "count": 2, "capacity": [10, 2], "start_depot": "D",
                           "skills": ["cold"],
                           "breaks": [{"id": "lunch", "earliest": 100, "latest": 200,
                                       "duration": 30}]}],
        "stops": [{"id": "a", "x": 1, "y": 2, "delivery": [3, 1],
                   "time_windows": [[0, 500], [600, 900]], "skills": ["cold"]}],
    })
    frames = inst.to_frames()
    assert RoutingInstance.from_frames(frames, name="r") == inst
    frames["vehicle_types"] = frames["vehicle_types"].astype(object)
    frames["vehicle_types"].loc[0, "count"] = True
    with pytest.raises(TableError) as caught:
        RoutingInstance.from_frames(frames, name="r")
    assert caught.value.problems == [
        "table 'vehicle_types' index 0: field 'count': expected a number, got true (a yes/no "
        "value)"]
