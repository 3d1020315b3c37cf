"""Validation of the integrated instance: the network's rules and the day's, with the table,
record and field of each problem."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from models.integrated import IntegratedInstance
from tests.models.integrated import tiny


def _locs(**changes: object) -> set[tuple[object, ...]]:
    with pytest.raises(ValidationError) as caught:
        IntegratedInstance.model_validate(tiny.tables(**changes))
    return {tuple(e["loc"]) for e in caught.value.errors()}


def test_flat_tables_round_trip() -> None:
    inst = tiny.instance(orders=[{"id": "o1", "customer": "A1", "units": 2,
                                  "time_windows": ["08:00-09:00"]}])
    assert IntegratedInstance.model_validate(inst.tables()) == inst
    assert inst.model_copy(update={"orders": []}).orders == ()


def test_network_errors_keep_their_table_locations() -> None:
    facilities = [{"id": "DC-A", "x": 0, "y": 0, "fixed_cost": -1}, {"id": "DC-B"}]
    assert ("facilities", 0, "fixed_cost") in _locs(facilities=facilities)


@pytest.mark.parametrize(("changes", "loc"), [
    ({"orders": [{"id": "o1", "customer": "Z9", "units": 1}]}, ("orders", 0, "customer")),
    ({"orders": [{"id": "o1", "customer": "A1", "units": 1},
                 {"id": "o1", "customer": "A2", "units": 1}]}, ("orders", 1, "id")),
    ({"orders": [{"id": "A2", "customer": "A1", "units": 1}]}, ("orders", 0, "id")),
    ({"orders": [{"id": "o1", "customer": "A1", "units": 1, "lat": 50, "lon": 8}]},
     ("orders", 0, "lat")),
    ({"orders": [{"id": "o1", "customer": "A1", "units": 0}]}, ("orders", 0, "units")),
    ({"orders": [{"id": "o#1", "customer": "A1", "units": 1}]}, ("orders", 0, "id")),
    ({"orders": [{"id": "o1", "customer": "A1", "units": 1, "time_windows": "9-8"}]},
     ("orders", 0, "time_windows", 0)),
    ({"orders": [{"id": "o1", "customer": "A1", "units": 1}],
      "delivery_profile": [{"customer": "A1", "stops": 2}]}, ("delivery_profile", 0, "customer")),
    ({"delivery_profile": [{"customer": "B1"}, {"customer": "B1"}]},
     ("delivery_profile", 1, "customer")),
    ({"fleet": []}, ("fleet",)),
    ({"scenarios": [{"scenario": "s", "table": "demand", "operation": "scale"}]},
     ("scenarios", 0, "operation")),
])
def test_day_errors_name_table_record_and_field(changes: dict[str, object],
                                                loc: tuple[object, ...]) -> None:
    assert loc in _locs(**changes)
