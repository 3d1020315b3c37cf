"""report.html: one self-contained page per result folder (KPIs, cost waterfall, map, route
timeline, frontier, explanation, every output table), readable offline.

The builder is :class:`Report` (optimizer/reports/html/page.py); the map layers are
:class:`MapLayer` of :class:`MapPoint` / :class:`MapLine`; the charts take :class:`GanttBar` and
:class:`FrontierPoint`. One module per problem kind builds its report: ``sourcing``,
``routing``, ``network``, ``frontier``. See docs/report.md.
"""

from optimizer.reports.html.charts import FrontierPoint, GanttBar
from optimizer.reports.html.map import MapLayer, MapLine, MapPoint, colour
from optimizer.reports.html.page import (
    Kpi,
    Report,
    escape,
    hhmm,
    km_text,
    money,
    number,
)

#: The file name every result folder gets.
REPORT_FILE = "report.html"

__all__ = [
    "REPORT_FILE",
    "FrontierPoint",
    "GanttBar",
    "Kpi",
    "MapLayer",
    "MapLine",
    "MapPoint",
    "Report",
    "colour",
    "escape",
    "hhmm",
    "km_text",
    "money",
    "number",
]
