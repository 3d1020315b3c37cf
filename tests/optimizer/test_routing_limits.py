"""Numbers far beyond any delivery day (1e308: a typing error) are refused at the boundary,
naming the field, instead of overflowing the engines' integers (internal error, exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from optimizer.cli import main
from optimizer.errors import ExitCode

ROOT = Path(__file__).resolve().parents[2]
DAY = ROOT / "instances" / "routing" / "lunch-breaks-30.json"


@pytest.mark.parametrize(("table", "field", "value"), [
    ("vehicle_types", "capacity", [1e308, 8]), ("vehicle_types", "fixed_cost", 1e308),
    ("vehicle_types", "cost_per_km", 1e308), ("vehicle_types", "cost_per_hour", 1e300),
    ("vehicle_types", "max_distance", 1e308), ("vehicle_types", "speed_kmh", 1e308),
    ("stops", "delivery", [1e308, 0.1]), ("stops", "drop_penalty", 1e308),
    ("stops", "lat", 1e308),
])
def test_a_huge_number_is_invalid_input_naming_the_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, field: str,
        value: object) -> None:
    data = json.loads(DAY.read_text())
    data[table][0][field] = value
    path = tmp_path / "day.json"
    path.write_text(json.dumps(data))
    code = main(["routing", "solve", str(path), "--solution-limit", "5",
                 "--out", str(tmp_path / "plan")])
    err = capsys.readouterr().err
    assert code == ExitCode.INVALID_INPUT, err
    assert str(path) in err and field in err
    assert not (tmp_path / "plan").exists()


def test_a_huge_planar_coordinate_is_refused(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    data = {"depots": [{"id": "D", "x": 0, "y": 0}],
            "vehicle_types": [{"id": "v", "start_depot": "D", "capacity": [5]}],
            "stops": [{"id": "a", "x": 1e308, "y": 0, "delivery": [1]}],
            "distance": {"kind": "euclidean"}}
    path = tmp_path / "day.json"
    path.write_text(json.dumps(data))
    assert main(["routing", "solve", str(path), "--solution-limit", "5"]) \
        == ExitCode.INVALID_INPUT
    assert "'x'" in capsys.readouterr().err


@pytest.mark.parametrize("limit", ["inf", "nan", "1e308", "-1"])
def test_an_endless_or_invalid_time_limit_is_a_usage_error(
        capsys: pytest.CaptureFixture[str], limit: str) -> None:
    """--time-limit inf was an internal error (float infinity to integer)."""
    assert main(["routing", "solve", str(DAY), "--time-limit", limit]) == 2
    assert "--time-limit" in capsys.readouterr().err
