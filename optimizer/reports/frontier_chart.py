"""PNG chart of a cost-vs-diversification frontier (matplotlib, no display needed).

For a manager: shares on a percent axis, cost with thousands separators and the currency,
every efficient point labelled with its number, measure and cost, and the knee (see
:func:`optimizer.frontier.knee_index`) marked."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure  # no pyplot: no global state, no display backend
from matplotlib.ticker import FuncFormatter, PercentFormatter

from optimizer.atomic import atomic_write
from optimizer.frontier import Frontier

AXIS = {
    "max-share": "largest supplier share of a product",
    "hhi": "largest product HHI (Herfindahl index of supplier shares)",
    "cvar": "CVaR of the scenario cost",
}


def money_text(value: float, currency: str | None = None) -> str:
    """``1,234,567 EUR`` (no decimals from 1,000 on, two below)."""
    digits = 0 if abs(value) >= 1000 else 2
    text = f"{value:,.{digits}f}"
    return f"{text} {currency}" if currency else text


def short_money(value: float, currency: str | None = None) -> str:
    """``7.439 M EUR``, ``83.91 k EUR``, ``512 EUR``: for point labels (4 digits)."""
    for size, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= size:
            text = f"{value / size:,.4g}{suffix}"
            break
    else:
        text = f"{value:,.0f}"
    return f"{text} {currency}" if currency else text


def measure_text(value: float, measure: str, currency: str | None = None) -> str:
    """A measure value as people read it: a share in percent, an HHI with 3 decimals, a CVaR
    as money."""
    if measure == "max-share":
        return f"{value:.1%}".replace(".0%", "%")
    if measure == "hhi":
        return f"{value:.3f}"
    return short_money(value, currency)


def write_frontier_chart(frontier: Frontier, path: Path, currency: str | None = None) -> None:
    """Write :func:`frontier_figure` as a PNG (atomically)."""
    fig = frontier_figure(frontier, currency)
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png"))


def frontier_figure(frontier: Frontier, currency: str | None = None) -> Figure:
    """Efficient points joined by a line, each labelled; dominated points and points without a
    plan are left out; the knee is marked with a star."""
    measure = frontier.measure.value
    points = frontier.efficient
    fig = Figure(figsize=(9, 5.5), dpi=120)
    ax = fig.subplots()
    xs = [p.measure for p in points]
    ys = [p.cost for p in points]
    ax.plot(xs, ys, "-o", color="#1f5f99", markersize=6, linewidth=1.5,
            label="efficient plans")
    for p in points:
        assert p.measure is not None and p.cost is not None
        ax.annotate(f"#{p.index}: {measure_text(p.measure, measure, currency)}, "
                    f"{short_money(p.cost, currency)}", (p.measure, p.cost),
                    textcoords="offset points", xytext=(6, 6), fontsize=8, color="#333333")
    knee = next((p for p in points if p.index == frontier.knee), None)
    if knee is not None:
        ax.plot([knee.measure], [knee.cost], marker="*", markersize=18, color="#d62728",
                linestyle="none", label="knee: farthest from the line joining the ends")
        ax.annotate("knee", (knee.measure, knee.cost), textcoords="offset points",
                    xytext=(-10, -18), fontsize=9, color="#d62728", fontweight="bold",
                    ha="right")
    unit = f" ({currency})" if currency else ""
    if measure == "max-share":
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        ax.set_xlabel(f"{AXIS[measure]} (%)")
    elif measure == "cvar":
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
        ax.set_xlabel(f"{AXIS[measure]}{unit}")
    else:
        ax.set_xlabel(AXIS[measure])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    ax.set_ylabel(("expected cost" if measure == "cvar" else "total cost") + unit)
    ax.set_title(f"{frontier.instance}: cost of diversification "
                 f"({len(points)} efficient of {len(frontier.points)} points)")
    ax.grid(True, alpha=0.3)
    ax.margins(x=0.12, y=0.12)
    if points:
        ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig
