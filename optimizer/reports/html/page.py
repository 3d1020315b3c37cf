"""The report page: a :class:`Report` collects sections (KPIs, charts, a map, tables) and
renders them with one Jinja2 template into a single self-contained HTML file.

Self-contained: Leaflet (its CSS with the images as ``data:`` URIs) and topojson-client are
inlined in ``<script>``/``<style>`` blocks; plotly.js and the world outline, the two big ones,
are inlined gzip-compressed (base64) and unpacked by the browser when the page loads (then the
charts are drawn and the outline added; ``<html data-report="ready">`` marks the end). The page
loads nothing from the network. Every text from the user's files (ids, names) is escaped: the
template autoescapes, the map escapes pop-up and tooltip text (:func:`escape`), Plotly gets the
names as data. Numbers are formatted here, in one place: money with thousands separators and the
instance's currency (``1,234.50 EUR``), times as ``HH:MM`` (``1d 07:30`` from the next day),
distances in km.
"""

from __future__ import annotations

import base64
import functools
import gzip
import html
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from models.routing import clock
from optimizer.formats.results import number_format

#: Rows of one table shown in the page; the CSV beside it holds them all.
MAX_TABLE_ROWS = 2000


def escape(text: object) -> str:
    """HTML-escape user text for every place the page puts it: element content, attributes,
    and the JS template literals and innerHTML that Leaflet pop-ups and tooltips end up in
    (``$``, backtick and backslash become character references, so ``${...}`` and escape
    sequences never reach a JS parser)."""
    return (html.escape(str(text), quote=True).replace("$", "&#36;").replace("`", "&#96;")
            .replace("\\", "&#92;"))


def money(value: float | None, currency: str | None = None) -> str:
    """``1,234.50 EUR`` (two decimals, thousands separators, the currency when known)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.2f}" + (f" {currency}" if currency else "")


def km_text(value: float | None) -> str:
    """``1,234.5 km``."""
    return "-" if value is None else f"{value:,.1f} km"


def hhmm(seconds: float) -> str:
    """A time in seconds from the start of the planning day as ``HH:MM`` (``1d 07:30`` from
    the next day), as the routing tables write it."""
    return clock(seconds)


def number(value: float, digits: int = 2) -> str:
    """A number with thousands separators and at most ``digits`` decimals (no trailing
    zeros): ``1,250``, ``0.75``."""
    text = f"{value:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Kpi:
    """One headline figure: ``label`` above ``value`` (both already formatted text), an
    optional ``note`` below."""

    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Section:
    """A rendered part of the page."""

    id: str
    title: str
    kind: str
    body: str = ""  # Markup: HTML made by the report, placed as it is
    data: Any = None


@dataclass
class _Table:
    columns: list[str]
    rows: list[list[tuple[str, bool]]]  # (text, numeric)
    total: int
    note: str = ""


def _cell(value: Any, style: str | None) -> tuple[str, bool]:
    """A cell as text and whether it is a number (right-aligned)."""
    if value is None:
        return "", False
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, float):
        if math.isnan(value):
            return "", False
        if math.isinf(value):
            return ("∞" if value > 0 else "-∞"), True
        if style == "0.0%":
            return f"{value:.1%}", True
        if style == "#,##0.00":
            return f"{value:,.2f}", True
        if style == "km":
            return f"{value:,.1f}", True
        if style == "seconds":
            return f"{value:,.1f}", True
        if style == "#,##0.##":
            return number(value), True
        return number(value, 4), True
    if isinstance(value, int):
        return (f"{value:,}" if style else str(value)), True
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False), False
    return str(value), False


def _style(column: str) -> str | None:
    """How a column's numbers are shown in the page: plan.xlsx's format by column name, with
    per-unit prices and costs to 4 decimals (``0.0123``: 2 decimals showed ``0.01``), totals
    as money, km to 0.1 and seconds to 0.1."""
    if re.fullmatch(r"unit_(cost|price)(_\w+)?", column):
        return None  # up to 4 decimals
    if re.fullmatch(r"total(_\w+)?", column):
        return "#,##0.00"
    if re.fullmatch(r"(\w+_)?seconds", column):
        return "seconds"
    return number_format(column) or ("km" if re.fullmatch(r"(\w+_)?km", column) else None)


def table_of(frame: pd.DataFrame, note: str = "") -> _Table:
    """The first :data:`MAX_TABLE_ROWS` rows of ``frame`` as formatted text (money, shares
    and quantities by column name, as plan.xlsx formats them)."""
    columns = [str(c) for c in frame.columns]
    styles = [_style(c) for c in columns]
    rows = [[_cell(v, s) for v, s in zip(row, styles, strict=True)]
            for row in frame.head(MAX_TABLE_ROWS).itertuples(index=False)]
    return _Table(columns, rows, len(frame), note)


@functools.cache
def _asset(name: str) -> str:
    return resources.files("optimizer.reports.html").joinpath("assets", name).read_text(
        encoding="utf-8")


@functools.cache
def leaflet_css() -> str:
    """Leaflet's CSS with its images inlined as ``data:`` URIs (a relative URL would point
    beside the report, where there is nothing)."""
    folder = resources.files("optimizer.reports.html").joinpath("assets")

    def data_uri(match: re.Match[str]) -> str:
        raw = folder.joinpath(match.group(1)).read_bytes()
        return "url(data:image/png;base64," + base64.b64encode(raw).decode("ascii") + ")"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, _asset("leaflet.css"))


def leaflet_js() -> str:
    return _asset("leaflet.js")


def topojson_js() -> str:
    """topojson-client (decodes the world outline in the browser)."""
    return _asset("topojson-client.min.js")


def packed(text: str) -> str:
    """``text`` gzip-compressed and base64-encoded: the page unpacks it in the browser
    (``DecompressionStream``). plotly.js shrinks from 4.8 MB to 2.0 MB, the outline from
    0.76 MB to 0.31 MB. Base64 holds no ``<``, so the block cannot end early."""
    return base64.b64encode(gzip.compress(text.encode("utf-8"), 9, mtime=0)).decode("ascii")


@functools.cache
def packed_world() -> str:
    """The world's country outlines (Natural Earth 1:50m TopoJSON), packed."""
    return packed(_asset("countries-50m.json"))


@functools.cache
def packed_plotly() -> str:
    """plotly.js as shipped inside plotly.py (always the version its figures are made for),
    packed."""
    from plotly.offline import get_plotlyjs

    return packed(get_plotlyjs())


def _script_safe(code: str) -> Markup:
    """Code for a ``<script>`` block; a literal ``</script`` would end the block early."""
    return Markup(re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE))


@functools.cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("optimizer.reports.html", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True)
    return env.get_template("report.html.j2")


@dataclass
class Report:
    """A report page under construction. Add sections in the order they should appear, then
    :meth:`render` or :meth:`write`. Every ``add_*`` returns the report (calls chain).

    >>> report = Report("Network plan: starter", currency="EUR", subtitle="optimal")
    >>> report.add_kpis([Kpi("Total cost", money(1234.5, "EUR"))]).add_table(
    ...     "cost", pd.DataFrame({"line": ["total"], "cost_EUR": [1234.5]}))  # doctest: +ELLIPSIS
    Report(...)
    """

    title: str
    currency: str | None = None
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)
    _charts: int = 0
    _map: bool = False
    _outline: bool = False

    def _id(self, stem: str) -> str:
        taken = {s.id for s in self.sections}
        slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "section"
        candidate, n = slug, 1
        while candidate in taken:
            n += 1
            candidate = f"{slug}-{n}"
        return candidate

    def money(self, value: float | None) -> str:
        """``value`` as money in the report's currency."""
        return money(value, self.currency)

    def add_kpis(self, kpis: Iterable[Kpi] | Mapping[str, str], title: str = "Key figures"
                 ) -> Report:
        """Headline figures as cards; ``kpis`` are :class:`Kpi` or ``{label: value}``."""
        items = ([Kpi(k, v) for k, v in kpis.items()] if isinstance(kpis, Mapping)
                 else list(kpis))
        self.sections.append(Section(self._id("kpis"), title, "kpis", data=items))
        return self

    def add_notes(self, title: str, lines: Sequence[str], level: str = "info") -> Report:
        """A short list of sentences (``level`` ``info`` or ``warning``)."""
        self.sections.append(Section(self._id(title), title, "notes",
                                     data={"lines": list(lines), "level": level}))
        return self

    def add_explanation(self, lines: Sequence[str], frame: pd.DataFrame | None = None,
                        title: str = "Why there is no plan") -> Report:
        """Why the instance is infeasible: sentences, and optionally a table (the rules a
        least-violating plan breaks)."""
        table = table_of(frame) if frame is not None and len(frame) else None
        self.sections.append(Section(self._id("explanation"), title, "explanation",
                                     data={"lines": list(lines), "table": table}))
        return self

    def _chart(self, title: str, figure: Any, stem: str) -> Report:
        from optimizer.reports.html.charts import figure_html

        self._charts += 1
        sid = self._id(stem)
        self.sections.append(Section(sid, title, "chart",
                                     body=Markup(figure_html(figure, f"{sid}-plot"))))
        return self

    def add_waterfall(self, steps: Sequence[tuple[str, float]], total: str | None = "Total",
                      title: str = "Cost waterfall") -> Report:
        """The cost lines ``(label, amount)`` stacking up to the total (a last bar named
        ``total``; None: no total bar). Zero lines are left out."""
        from optimizer.reports.html.charts import waterfall_figure

        return self._chart(title, waterfall_figure(steps, self.currency, total), "waterfall")

    def add_gantt(self, bars: Sequence[Any], clock_times: bool = True,
                  title: str = "Route timeline") -> Report:
        """One row per vehicle, one bar per activity (:class:`~optimizer.reports.html.charts.
        GanttBar`: drive, wait, service, break); times in seconds from the start of the
        planning day shown as ``HH:MM`` (``clock_times=False``: plain numbers, for instances in
        abstract units)."""
        from optimizer.reports.html.charts import gantt_figure

        if not bars:
            return self
        return self._chart(title, gantt_figure(bars, clock_times), "timeline")

    def add_frontier(self, points: Sequence[Any], x_title: str, title: str = "Frontier",
                     x_format: str = "") -> Report:
        """A trade-off curve: :class:`~optimizer.reports.html.charts.FrontierPoint` (x = the
        measure, y = cost), efficient points joined, dominated ones apart, the knee marked;
        ``x_format`` a d3 number format for the measure (``.0%`` for shares)."""
        from optimizer.reports.html.charts import frontier_figure

        return self._chart(title, frontier_figure(points, x_title, self.currency, x_format),
                           "frontier")

    def add_figure(self, figure: Any, title: str) -> Report:
        """Any Plotly figure (SVG traces only: no WebGL, e.g. no ``scattergl``)."""
        return self._chart(title, figure, title)

    def add_map(self, layers: Sequence[Any], planar: bool = False, title: str = "Map",
                note: str = "") -> Report:
        """An interactive map of :class:`~optimizer.reports.html.map.MapLayer` (points and
        lines, each with a tooltip and a pop-up), with a legend and a layer switch.
        ``planar``: coordinates are ``(y, x)`` in km (no world outline), else ``(lat, lon)``
        (the world's country outlines drawn under them). A map with no item is left out."""
        from optimizer.reports.html.map import map_parts

        parts = map_parts(layers, planar, self._id("map"))
        if parts is None:
            return self
        self._map = True
        self._outline = self._outline or not planar
        data = parts.asdict()
        data["note"] = " ".join(t for t in (note, parts.note) if t)
        self.sections.append(Section(parts.id, title, "map", data=data))
        return self

    def add_table(self, name: str, frame: pd.DataFrame, note: str = "") -> Report:
        """An output table (the frame its CSV holds, ``name.csv``); long tables show their
        first :data:`MAX_TABLE_ROWS` rows."""
        self.sections.append(Section(self._id(f"table-{name}"), name, "table",
                                     data=table_of(frame, note)))
        return self

    def add_tables(self, frames: Mapping[str, pd.DataFrame]) -> Report:
        """Every frame as :meth:`add_table`, in order."""
        for name, frame in frames.items():
            self.add_table(name, frame)
        return self

    def render(self) -> str:
        """The page as one HTML document."""
        return _template().render(
            title=self.title, subtitle=self.subtitle, sections=self.sections,
            created=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            max_rows=MAX_TABLE_ROWS,
            leaflet_css=Markup(leaflet_css()) if self._map else "",
            leaflet_js=_script_safe(leaflet_js()) if self._map else "",
            topojson_js=_script_safe(topojson_js()) if self._outline else "",
            packed_world=packed_world() if self._outline else "",
            packed_plotly=packed_plotly() if self._charts else "",
        )

    def write(self, path: Path | str) -> Path:
        """Write the page (UTF-8) to ``path``; returns it."""
        path = Path(path)
        path.write_text(self.render(), encoding="utf-8")
        return path
