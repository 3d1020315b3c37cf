"""The integrated instance reads the same from JSON, a CSV folder and an Excel workbook."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.formats.integrated import read_plan_instance, write_plan_instance
from tests.models.integrated import tiny

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("name", "form"), [("tiny.json", "json"), ("tiny", "csv"),
                                            ("tiny.xlsx", "excel")])
def test_each_form_reads_back_equal(tmp_path: Path, name: str, form: str) -> None:
    inst = tiny.instance(
        orders=[{"id": "o1", "customer": "A1", "units": 2, "x": 1, "y": 11,
                 "service_time": "0:10", "time_windows": "08:00-10:00;14:00-16:00"}],
        delivery_profile=[{"customer": "B1", "stops": 2, "time_windows": "06:00-09:00"}])
    write_plan_instance(inst, tmp_path / name, form)  # type: ignore[arg-type]
    assert read_plan_instance(tmp_path / name) == inst


def test_the_shipped_example_is_the_same_in_its_three_forms() -> None:
    folder = ROOT / "instances" / "plan"
    forms = [read_plan_instance(folder / n) for n in ("starter.json", "starter", "starter.xlsx")]
    assert forms[0] == forms[1] == forms[2]
    assert len(forms[0].scenario_names) == 4 and forms[0].orders


def test_a_csv_scenario_row_with_a_bad_operation_names_the_file_and_row(
        tmp_path: Path) -> None:
    from optimizer.errors import InputError

    folder = tmp_path / "t"
    write_plan_instance(tiny.instance(), folder, "csv")
    text = (folder / "scenarios.csv").read_text().replace("multiply", "scale")
    (folder / "scenarios.csv").write_text(text)
    with pytest.raises(InputError) as caught:
        read_plan_instance(folder)
    assert any("scenarios.csv" in p and "operation" in p for p in caught.value.problems)
