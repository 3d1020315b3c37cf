"""PNG chart of a cost-vs-diversification frontier (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure  # no pyplot: no global state, no display backend

from optimizer.atomic import atomic_write
from optimizer.frontier import Frontier

AXIS = {
    "max-share": "largest supplier share of a product",
    "hhi": "largest product HHI (shares of demand)",
    "cvar": "CVaR of the scenario cost",
}


def write_frontier_chart(frontier: Frontier, path: Path) -> None:
    """Efficient points joined by a step line, labelled by point number; dominated points and
    points without a plan are left out."""
    points = frontier.efficient
    fig = Figure(figsize=(8, 5), dpi=120)
    ax = fig.subplots()
    xs = [p.measure for p in points]
    ys = [p.cost for p in points]
    ax.plot(xs, ys, "-o", color="#1f5f99", markersize=6, linewidth=1.5)
    for p in points:
        ax.annotate(str(p.index), (p.measure, p.cost), textcoords="offset points",
                    xytext=(5, 5), fontsize=8)
    ax.set_xlabel(AXIS[frontier.measure.value])
    ax.set_ylabel("expected cost" if frontier.measure.value == "cvar" else "cost (objective)")
    ax.set_title(f"{frontier.instance}: cost vs {frontier.measure.value} "
                 f"({len(points)} efficient of {len(frontier.points)} points)")
    ax.grid(True, alpha=0.3)
    ax.ticklabel_format(axis="y", style="plain", useOffset=False)
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png"))
