"""``routing convert`` writes a copy that reads back as the same instance, or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from optimizer.cli import main
from optimizer.errors import ExitCode
from optimizer.formats.routing import read_routing_instance

DAY = {
    "depots": [{"id": "D", "x": 0, "y": 0, "open": "2026-12-02T06:00Z",
                "close": "2026-12-02T20:00Z"}],
    "vehicle_types": [{"id": "v", "count": 1, "capacity": [10], "start_depot": "D",
                       "breaks": [{"id": "lunch-1", "earliest": "2026-12-02T12:00Z",
                                   "latest": "2026-12-02T13:00Z", "duration": 1800}]}],
    "stops": [{"id": "a", "x": 3, "y": 4, "delivery": [1], "service_time": 1 / 3,
               "time_windows": [["2026-12-02T08:00:00.1Z", "2026-12-02T10:00Z"]]}],
    "distance": {"kind": "euclidean"},
}


def _same(a: Path, b: Path) -> bool:
    left, right = read_routing_instance(a).model_dump(), read_routing_instance(b).model_dump()
    left.pop("name"), right.pop("name")
    return left == right


@pytest.mark.parametrize("target", ["day-csv", "day.xlsx"])
def test_an_absolute_time_day_converts_to_the_same_instance(tmp_path: Path, target: str) -> None:
    """The copy keeps time_origin (clock values as UNIX seconds) and every digit (a window
    starting at .1 s, a service time of 1/3 s: '.15g' lost them)."""
    source = tmp_path / "day.json"
    source.write_text(json.dumps(DAY))
    assert read_routing_instance(source).time_origin == 1796169600
    assert main(["routing", "convert", str(source), str(tmp_path / target)]) == ExitCode.OK
    assert _same(source, tmp_path / target)
    assert read_routing_instance(tmp_path / target).time_origin == 1796169600


def test_a_break_id_with_a_semicolon_is_refused_naming_the_target(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    day = json.loads(json.dumps(DAY))
    day["vehicle_types"][0]["breaks"][0]["id"] = "lunch;1"
    source = tmp_path / "day.json"
    source.write_text(json.dumps(day))
    out = tmp_path / "day-csv"
    assert main(["routing", "convert", str(source), str(out)]) == ExitCode.INVALID_INPUT
    err = capsys.readouterr().err
    assert "lunch;1" in err and f"{source}:" in err and ".partial" not in err
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["day.json"]


def test_a_time_origin_that_is_not_a_midnight_stays_in_json(tmp_path: Path) -> None:
    day = dict(DAY, time_origin=1796169600 + 3600)
    source = tmp_path / "day.json"
    source.write_text(json.dumps(day))
    assert main(["routing", "convert", str(source), str(tmp_path / "x.json")]) == ExitCode.OK
    assert _same(source, tmp_path / "x.json")
    assert main(["routing", "convert", str(source), str(tmp_path / "x-csv")]) \
        == ExitCode.INVALID_INPUT
    assert not (tmp_path / "x-csv").exists()


def test_window_and_break_times_keep_every_digit(tmp_path: Path) -> None:
    day = json.loads(json.dumps(DAY))
    day["depots"][0].update(open=0, close=86400)
    day["vehicle_types"][0]["breaks"] = [{"id": "b", "earliest": 43200 + 1 / 3,
                                          "latest": 46800, "duration": 1800 + 2 / 3}]
    day["stops"][0]["time_windows"] = [[28800 + 1 / 3, 36000.1]]
    source = tmp_path / "day.json"
    source.write_text(json.dumps(day))
    assert main(["routing", "convert", str(source), str(tmp_path / "csv")]) == ExitCode.OK
    assert _same(source, tmp_path / "csv")
