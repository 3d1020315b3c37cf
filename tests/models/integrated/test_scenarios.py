"""Scenario rows: each operation, the cascade of a removal, and bad rows refused by name."""

from __future__ import annotations

import pytest

from models.integrated import ScenarioError, apply_scenario
from tests.models.integrated import tiny


def _with(*rows: dict[str, object], **changes: object):
    return tiny.instance(scenarios=[{"scenario": "s", **r} for r in rows], **changes)


def test_set_closes_a_dc() -> None:
    changed = apply_scenario(tiny.instance(), "close-b")
    assert changed.network.facility_by_id["DC-B"].status.value == "must_close"
    assert changed.network.facility_by_id["DC-A"].status.value == "candidate"
    assert changed.name == "tiny-close-b" and not changed.scenarios


def test_multiply_scales_every_matching_row() -> None:
    changed = apply_scenario(tiny.instance(), "demand-up")
    assert [d.quantity for d in changed.network.demand] == [150.0] * 4


def test_multiply_with_a_match_and_a_fleet_fuel_price() -> None:
    inst = _with({"table": "demand", "match": "customer=A1", "field": "quantity",
                  "operation": "multiply", "value": "2"},
                 {"table": "fleet", "field": "cost_per_km", "operation": "multiply",
                  "value": 1.25})
    changed = apply_scenario(inst, "s")
    assert [d.quantity for d in changed.network.demand] == [200.0, 100.0, 100.0, 100.0]
    assert changed.network.fleet[0].cost_per_km == 1.25


def test_set_on_a_one_record_table() -> None:
    inst = _with({"table": "network_policy", "field": "delivery_days", "operation": "set",
                  "value": "5"})
    assert apply_scenario(inst, "s").delivery_days == 5


def test_remove_cascades_to_the_rows_naming_the_removed() -> None:
    inst = _with({"table": "customers", "match": "id=B2", "operation": "remove"},
                 orders=[{"id": "o1", "customer": "B2", "units": 1}])
    changed = apply_scenario(inst, "s")
    assert [c.id for c in changed.network.customers] == ["A1", "A2", "B1"]
    assert [d.customer for d in changed.network.demand] == ["A1", "A2", "B1"]
    assert not changed.orders


def test_remove_a_supplier_region_takes_its_offers() -> None:
    suppliers = [{"id": "S1", "region": "north", "x": 0, "y": 50},
                 {"id": "S2", "region": "south", "x": 100, "y": -50},
                 {"id": "S3", "region": "south", "x": 50, "y": -50}]
    offers = [{"supplier": s, "product": "P", "unit_price": 1.0} for s in ("S1", "S2", "S3")]
    inst = _with({"table": "suppliers", "match": "region=north", "operation": "remove"},
                 suppliers=suppliers, offers=offers)
    changed = apply_scenario(inst, "s")
    assert [s.id for s in changed.network.suppliers] == ["S2", "S3"]
    assert [o.supplier for o in changed.network.offers] == ["S2", "S3"]


@pytest.mark.parametrize(("row", "says"), [
    ({"table": "depots", "field": "x", "operation": "set", "value": "1"}, "unknown table"),
    ({"table": "facilities", "field": "colour", "operation": "set", "value": "1"},
     "has no field 'colour'"),
    ({"table": "facilities", "match": "id=DC-Z", "field": "status", "operation": "set",
      "value": "must_close"}, "no row of 'facilities' matches"),
    ({"table": "facilities", "match": "idDC-A", "field": "status", "operation": "set",
      "value": "x"}, "is not field=value"),
    ({"table": "demand", "field": "quantity", "operation": "multiply", "value": "lots"},
     "'multiply' needs a number"),
    ({"table": "network_policy", "operation": "remove"}, "does not apply to a one-record"),
    ({"table": "facilities", "match": "id=DC-A", "field": "fixed_cost", "operation": "set",
      "value": "-5"},
     "the changed instance is not valid: facilities row 1 (id=DC-A): field 'fixed_cost'"),
])
def test_a_bad_row_is_refused_naming_the_scenario_and_row(row: dict[str, object],
                                                          says: str) -> None:
    inst = _with({"table": "demand", "field": "quantity", "operation": "multiply",
                  "value": 1}, row)
    with pytest.raises(ScenarioError) as caught:
        apply_scenario(inst, "s")
    text = "\n".join(caught.value.problems)
    assert says in text and "scenario 's'" in text
    assert "row 2" in text or "rows 1, 2" in text, text


def test_an_unknown_scenario_names_the_known_ones() -> None:
    with pytest.raises(ScenarioError, match="close-b, demand-up"):
        apply_scenario(tiny.instance(), "nope")


def test_baseline_is_a_reserved_name() -> None:
    with pytest.raises(ValueError, match="'baseline' names the instance"):
        _with({"table": "demand", "field": "quantity", "operation": "multiply",
               "value": 1}).model_copy(update={"scenarios": [
                   {"scenario": "baseline", "table": "demand", "field": "quantity",
                    "operation": "multiply", "value": 1}]})


def test_rows_typed_the_way_files_are_named_apply() -> None:
    """Table and field names are matched like file, sheet and column names ("Network Policy",
    "Delivery Days"), and values are read like cells ("120%", "1,500")."""
    inst = tiny.instance(scenarios=[
        {"scenario": "s", "table": "Network Policy", "field": "Delivery Days",
         "operation": "set", "value": "1,500"},
        {"scenario": "s", "table": "Demand", "match": "Customer=A1", "field": "Quantity",
         "operation": "multiply", "value": "120%"}])
    changed = apply_scenario(inst, "s")
    assert changed.delivery_days == 1500
    assert [d.quantity for d in changed.network.demand] == [120, 100, 100, 100]
