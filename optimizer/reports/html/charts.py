"""The report's charts as Plotly figures: the cost waterfall, the route timeline (Gantt) and
a frontier. SVG traces only (no WebGL), so they render in a headless browser without a GPU.
User text (vehicle and stop ids) goes in as data, escaped: Plotly draws a few HTML tags in
labels, and decodes character references, so the text shows as written."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import plotly.graph_objects as go

from optimizer.reports.html.page import escape as _escape
from optimizer.reports.html.page import hhmm, money, number

#: Bar colours of the route timeline, by activity.
ACTIVITY_COLOURS = {"drive": "#4e79a7", "wait": "#bab0ac", "service": "#59a14f",
                    "break": "#f28e2b"}


def escape(text: object) -> str:
    """:func:`~optimizer.reports.html.page.escape` with the quotes as numeric references
    (Plotly decodes those, and ``&lt;`` ``&gt;`` ``&amp;``, but shows ``&quot;`` as written)."""
    return _escape(text).replace("&quot;", "&#34;").replace("&#x27;", "&#39;")


def figure_html(figure: go.Figure, div_id: str) -> str:
    """The figure as a ``<div>`` and a script queuing it in ``REPORT_PLOTS``: the page draws
    the queue once it has unpacked plotly.js (inlined once, compressed). The figure's JSON is
    Plotly's own (``<`` written as ``\\u003c``, so it cannot end the script)."""
    import plotly.io as pio

    config = json.dumps({"displaylogo": False, "responsive": True})
    height = figure.layout.height or 450
    return (f'<div id="{div_id}" class="report-plot" style="height:{int(height)}px"></div>'
            f"<script>REPORT_PLOTS.push([{json.dumps(div_id)}, "
            f"{pio.to_json(figure, validate=False)}, {config}]);</script>")


def waterfall_figure(steps: Sequence[tuple[str, float]], currency: str | None,
                     total: str | None = "Total") -> go.Figure:
    """Cost lines stacking up to the total (zero lines left out)."""
    shown = [(label, float(value)) for label, value in steps if abs(value) > 1e-9]
    labels = [escape(label) for label, _ in shown]
    values = [v for _, v in shown]
    measures = ["relative"] * len(shown)
    if total is not None:
        labels.append(escape(total))
        values.append(0.0)
        measures.append("total")
    grand = sum(v for _, v in shown)
    text = [money(v, None) for v in values[:len(shown)]]
    if total is not None:
        text.append(money(grand, None))
    figure = go.Figure(go.Waterfall(
        x=labels, y=values, measure=measures, text=text, textposition="outside",
        cliponaxis=False, connector={"line": {"color": "#90a4ae"}},
        increasing={"marker": {"color": "#e15759"}}, decreasing={"marker": {"color": "#59a14f"}},
        totals={"marker": {"color": "#4e79a7"}},
        hovertemplate="%{x}: %{text}" + (f" {escape(currency)}" if currency else "")
                      + "<extra></extra>"))
    figure.update_layout(
        height=400, margin={"l": 70, "r": 20, "t": 30, "b": 60}, showlegend=False,
        yaxis={"title": {"text": f"cost ({escape(currency)})" if currency else "cost"},
               "separatethousands": True, "rangemode": "tozero"},
        template="plotly_white")
    return figure


@dataclass(frozen=True)
class GanttBar:
    """One activity of a vehicle: ``kind`` drive, wait, service or break, from ``start`` to
    ``end`` (seconds from the start of the planning day, or abstract time units); ``what``
    names it (the stop or break id)."""

    vehicle: str
    kind: Literal["drive", "wait", "service", "break"]
    start: float
    end: float
    what: str = ""


def _ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Clock ticks every 1, 2, 3, 4, 6 or 12 hours (about 8 to 16 of them)."""
    span = max(high - low, 3600.0)
    step = next((h * 3600.0 for h in (1, 2, 3, 4, 6, 12, 24, 48) if span / (h * 3600.0) <= 16),
                96 * 3600.0)
    first = (low // step) * step
    values = []
    t = first
    while t <= high + step:
        values.append(t)
        t += step
    return values, [hhmm(v) for v in values]


def gantt_figure(bars: Sequence[GanttBar], clock_times: bool = True) -> go.Figure:
    """Horizontal bars per vehicle (first vehicle at the top), one trace per activity kind."""
    def show(value: float) -> str:
        return hhmm(value) if clock_times else number(value)

    vehicles = list(dict.fromkeys(escape(b.vehicle) for b in bars))
    figure = go.Figure()
    for kind, colour in ACTIVITY_COLOURS.items():
        mine = [b for b in bars if b.kind == kind and b.end > b.start]
        if not mine:
            continue
        figure.add_trace(go.Bar(
            y=[escape(b.vehicle) for b in mine], x=[b.end - b.start for b in mine],
            base=[b.start for b in mine], orientation="h", name=kind,
            marker={"color": colour}, width=0.6 if kind != "break" else 0.35,
            customdata=[[escape(b.what), show(b.start), show(b.end)] for b in mine],
            hovertemplate="%{y}<br>" + kind + " %{customdata[0]}<br>"
                          "%{customdata[1]} - %{customdata[2]}<extra></extra>"))
    low = min(b.start for b in bars)
    high = max(b.end for b in bars)
    xaxis: dict[str, Any] = {"title": {"text": "time of day" if clock_times else "time"},
                             "showgrid": True}
    if clock_times:
        values, texts = _ticks(low, high)
        xaxis.update(tickvals=values, ticktext=texts)
    xaxis["range"] = [low - 0.02 * (high - low + 1), high + 0.02 * (high - low + 1)]
    figure.update_layout(
        barmode="overlay", height=min(2400, 120 + 28 * len(vehicles)),
        margin={"l": 140, "r": 20, "t": 30, "b": 50}, template="plotly_white",
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        yaxis={"categoryorder": "array", "categoryarray": vehicles[::-1],
               "type": "category", "automargin": True},
        xaxis=xaxis)
    return figure


@dataclass(frozen=True)
class FrontierPoint:
    """A point of a traced frontier: ``measure`` (x), ``cost`` (y), whether it is dominated,
    whether it is the knee, and a label (its index and cap)."""

    measure: float
    cost: float
    label: str
    dominated: bool = False
    knee: bool = False


def frontier_figure(points: Sequence[FrontierPoint], x_title: str,
                    currency: str | None, x_format: str = "") -> go.Figure:
    """Efficient points joined by a line, dominated ones as hollow circles, the knee starred;
    ``x_format`` a d3 format for the measure (``.0%`` for shares)."""
    figure = go.Figure()
    efficient = sorted((p for p in points if not p.dominated), key=lambda p: p.measure)
    dominated = [p for p in points if p.dominated]
    unit = f" {escape(currency)}" if currency else ""
    template = ("%{customdata[0]}<br>" + escape(x_title) + " %{x:" + (x_format or ",.4g")
                + "}<br>cost %{y:,.2f}"
                + unit + "<extra></extra>")
    figure.add_trace(go.Scatter(
        x=[p.measure for p in efficient], y=[p.cost for p in efficient], mode="lines+markers",
        name="efficient", marker={"size": 9, "color": "#4e79a7"},
        customdata=[[escape(p.label)] for p in efficient], hovertemplate=template))
    if dominated:
        figure.add_trace(go.Scatter(
            x=[p.measure for p in dominated], y=[p.cost for p in dominated], mode="markers",
            name="dominated", marker={"size": 9, "color": "#bab0ac", "symbol": "circle-open"},
            customdata=[[escape(p.label)] for p in dominated], hovertemplate=template))
    knees = [p for p in points if p.knee]
    if knees:
        figure.add_trace(go.Scatter(
            x=[p.measure for p in knees], y=[p.cost for p in knees], mode="markers",
            name="knee", marker={"size": 16, "color": "#e15759", "symbol": "star"},
            customdata=[[escape(p.label)] for p in knees], hovertemplate=template))
    figure.update_layout(
        height=420, margin={"l": 80, "r": 20, "t": 30, "b": 60}, template="plotly_white",
        xaxis={"title": {"text": escape(x_title)}, "tickformat": x_format},
        yaxis={"title": {"text": f"cost ({escape(currency)})" if currency else "cost"},
               "separatethousands": True})
    return figure
