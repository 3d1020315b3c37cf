"""Imported by the job processes' fork server (:mod:`optimizer.jobs.isolated`): fills the
report builder's per-process caches (plotly.js and the world outline packed, Leaflet inlined,
Plotly's lazily imported figure classes) once, so that no job process spends its first second
on them. Runs no solver and starts no thread; a failure here only costs that time later."""

from __future__ import annotations

import contextlib


def warm_report_builder() -> None:
    """Render a small page with a waterfall and a timeline (results are thrown away)."""
    from optimizer.reports.html import GanttBar, Report
    from optimizer.reports.html.page import leaflet_css, packed_plotly, packed_world

    packed_plotly()
    packed_world()
    leaflet_css()
    report = Report("warm-up", currency="EUR")
    report.add_waterfall([("a", 1.0), ("b", 2.0)])
    report.add_gantt([GanttBar(vehicle="v", kind="drive", start=0.0, end=60.0)])
    report.render()


with contextlib.suppress(Exception):
    warm_report_builder()
