"""Numbers far beyond any real instance (1e308: a typing error) are refused at the boundary,
naming the field (a demand of 1e308 was an internal error, exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from optimizer.cli import main
from optimizer.errors import ExitCode

ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "instances" / "sourcing" / "starter.json"


@pytest.mark.parametrize(("table", "field"), [
    ("products", "demand"), ("offers", "unit_price"), ("offers", "capacity"),
    ("offers", "moq"), ("suppliers", "onboarding_cost"), ("offers", "lead_time_days"),
])
def test_a_huge_number_is_invalid_input_naming_the_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, field: str) -> None:
    data = json.loads(STARTER.read_text())
    data[table][0][field] = 1e308
    path = tmp_path / "big.json"
    path.write_text(json.dumps(data))
    code = main(["sourcing", "solve", str(path), "--out", str(tmp_path / "plan")])
    err = capsys.readouterr().err
    assert code == ExitCode.INVALID_INPUT, err
    assert str(path) in err and field in err
    assert not (tmp_path / "plan").exists()
