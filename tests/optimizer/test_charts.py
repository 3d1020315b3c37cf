"""The frontier chart a manager reads: percent axis for shares, thousands separators and the
currency on cost, labelled points, the knee marked; round caps on request (--caps)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from models.solver import SolveStatus
from models.sourcing import FrontierPoint, Measure
from optimizer.cli import main
from optimizer.frontier import Frontier, knee_index
from optimizer.reports.frontier_chart import frontier_figure, short_money


def point(index: int, measure: float, cost: float) -> FrontierPoint:
    return FrontierPoint(index=index, epsilon=None if index == 0 else measure,
                         status=SolveStatus.OPTIMAL, cost=cost, measure=measure, gap=0.0,
                         suppliers_used=3, seconds=0.1)


#: Cost falls steeply to a share of 40 %, then flattens: the knee is at 40 % (point 3).
POINTS = [point(0, 0.8, 100_000), point(1, 0.6, 100_500), point(2, 0.5, 102_000),
          point(3, 0.4, 105_000), point(4, 0.3, 120_000)]


def test_the_knee_is_the_point_farthest_from_the_chord() -> None:
    # scaled: x = 0, .2, .4, .6, 1 and y = 1, .25, .1, .025, 0; distance to x + y = 1 is
    # largest (0.55 / sqrt 2) at x = .2, the 40 % point
    efficient = sorted(POINTS, key=lambda p: p.measure)
    assert knee_index(efficient) == 3
    assert knee_index(efficient[:2]) is None
    line = [point(i, 0.2 * i, 1000.0 * (10 - i)) for i in range(1, 5)]
    assert knee_index(line) is None  # every point on the chord: no knee
    almost = [point(i, 0.2 * i, 1000 - 100 * i + (3 if i == 2 else 0)) for i in range(5)]
    assert knee_index(almost) is None  # 1 % off a straight line is no knee (it was marked)


def test_chart_axes_labels_and_knee() -> None:
    frontier = Frontier("demo", Measure.MAX_SHARE, POINTS)
    fig = frontier_figure(frontier, "EUR")
    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    xticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    yticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert xticks and all(t.endswith("%") for t in xticks)
    assert any("," in t for t in yticks)  # 100,000 not 1e5 or 100000
    assert "EUR" in ax.get_ylabel() and "%" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.texts]
    assert "#3: 40%, 105 k EUR" in labels
    assert "knee" in labels
    assert len([t for t in labels if t.startswith("#")]) == len(POINTS)


def test_short_money() -> None:
    assert [short_money(v, "EUR") for v in (512.0, 83_910.0, 7_438_989.57)] == [
        "512 EUR", "83.91 k EUR", "7.439 M EUR"]


def test_frontier_traces_the_caps_given(tmp_path: Path, sourcing_instances: Path) -> None:
    out = tmp_path / "f"
    code = main(["sourcing", "frontier", str(sourcing_instances / "starter.json"), "--out",
                 str(out), "--workers", "1", "--caps", "0.7,60%,0.5"])
    assert code == 0
    table = pd.read_csv(out / "frontier.csv")
    assert list(table.epsilon.fillna(-1)) == [-1, 0.7, 0.6, 0.5]
    assert table.knee.sum() <= 1
    summary = json.loads((out / "frontier.json").read_text())
    assert summary["knee"] in (None, *table["index"])
    assert (out / "frontier.png").stat().st_size > 0


@pytest.mark.parametrize("caps", ["abc", "1.5", "0", "0.5,,0.4"])
def test_bad_caps_are_refused(tmp_path: Path, sourcing_instances: Path, caps: str) -> None:
    out = tmp_path / "f"
    assert main(["sourcing", "frontier", str(sourcing_instances / "starter.json"), "--out",
                 str(out), "--workers", "1", "--caps", caps]) == 2
    assert not out.exists()
