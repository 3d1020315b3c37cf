"""Instances from already-parsed JSON data (a request body, stdin): the same instance as the
file reader, and problems that name the label, the record and the field."""

from __future__ import annotations

import copy
import json
from enum import StrEnum
from pathlib import Path

import pytest

from optimizer.errors import InputError
from optimizer.formats.instance_data import read_instance_data
from optimizer.formats.integrated import read_plan_data, read_plan_instance
from optimizer.formats.network import read_network_data, read_network_instance
from optimizer.formats.routing import read_routing_data, read_routing_instance
from optimizer.formats.sourcing import read_sourcing_data, read_sourcing_instance

ROOT = Path(__file__).resolve().parents[2] / "instances"
EXAMPLES = {
    "sourcing": ROOT / "sourcing" / "starter.json",
    "routing": ROOT / "routing" / "city-day-40.json",
    "network": ROOT / "network" / "starter.json",
    "plan": ROOT / "plan" / "starter.json",
}
FILE_READERS = {
    "sourcing": (read_sourcing_instance, read_sourcing_data),
    "routing": (read_routing_instance, read_routing_data),
    "network": (read_network_instance, read_network_data),
    "plan": (read_plan_instance, read_plan_data),
}
#: A record and a field to spoil in each example: (table, index, field).
SPOILED = {
    "sourcing": ("offers", 2, "unit_price"),
    "routing": ("stops", 3, "delivery"),
    "network": ("demand", 1, "quantity"),
    "plan": ("demand", 1, "quantity"),
}


class Kind(StrEnum):
    """Like ``optimizer.jobs.JobKind``."""

    SOURCING = "sourcing"
    ROUTING = "routing"
    NETWORK = "network"
    PLAN = "plan"


def _load(kind: str) -> dict:
    with EXAMPLES[kind].open(encoding="utf-8") as f:
        return json.load(f)


@pytest.mark.parametrize("kind", list(EXAMPLES))
def test_data_reads_the_same_instance_as_the_file(kind: str) -> None:
    read_file, read_data = FILE_READERS[kind]
    expected = read_file(EXAMPLES[kind])
    assert read_data(_load(kind), "<stdin>") == expected
    assert read_instance_data(kind, _load(kind), "<stdin>") == expected
    assert read_instance_data(Kind(kind), _load(kind), "request") == expected


@pytest.mark.parametrize("kind", list(EXAMPLES))
def test_a_bad_record_names_the_label_the_record_and_the_field(kind: str) -> None:
    table, index, field = SPOILED[kind]
    data = copy.deepcopy(_load(kind))
    data[table][index][field] = "lots"
    with pytest.raises(InputError) as caught:
        read_instance_data(kind, data, "<stdin>")
    assert caught.value.problems[0].startswith(f"<stdin>: {table}[{index}]: field '{field}'")
    with pytest.raises(InputError) as caught:
        read_instance_data(kind, data, "request")
    assert caught.value.problems[0].startswith(f"request: {table}[{index}]: field '{field}'")


def test_the_messages_match_the_json_file_reader(tmp_path: Path) -> None:
    data = _load("routing")
    data["stops"][3]["delivery"] = "lots"
    file = tmp_path / "day.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as from_file:
        read_routing_instance(file)
    with pytest.raises(InputError) as from_data:
        read_routing_data(data, str(file))
    assert from_data.value.problems == from_file.value.problems


@pytest.mark.parametrize("data", [[], [{"name": "x"}], "text", 3, None])
@pytest.mark.parametrize("kind", list(EXAMPLES))
def test_a_top_level_that_is_not_an_object_is_invalid_input(kind: str, data: object) -> None:
    with pytest.raises(InputError) as caught:
        read_instance_data(kind, data, "<stdin>")
    assert caught.value.problems == ["<stdin>: the top level must be a JSON object with the "
                                     "tables"]


def test_an_unknown_kind_is_invalid_input() -> None:
    with pytest.raises(InputError, match="unknown problem kind 'fleet'"):
        read_instance_data("fleet", {}, "request")
