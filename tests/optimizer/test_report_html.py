"""report.html without a browser: every result folder gets one, it loads nothing from the
network, it escapes the user's ids, and it holds the plan's tables, KPIs and explanation.
(tests/optimizer/test_report_html_browser.py opens the pages in Chromium.)"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from optimizer.reports.html import (
    GanttBar,
    Kpi,
    MapLayer,
    MapLine,
    MapPoint,
    Report,
    escape,
    hhmm,
    money,
)
from tests.conftest import FIXTURES
from tests.optimizer.report_html_cases import (
    HOSTILE,
    PageParts,
    remote_links,
    write_frontier_case,
    write_network,
    write_routing,
    write_sourcing,
)

#: The hostile id as the page's HTML text shows it (autoescaped by the template).
SHOWN = html.escape(HOSTILE)


def check_page(folder: Path) -> tuple[str, PageParts]:
    """The folder's report: present, self-contained, and the hostile id never raw."""
    page = (folder / "report.html").read_text(encoding="utf-8")
    parts = PageParts(page)
    assert remote_links(parts) == []
    assert not {"iframe", "link", "img", "object", "embed"} & set(parts.tags)
    assert all(s for s in parts.scripts)  # no <script src=...> (an empty block would be one)
    assert "</script><b>bold</b>" not in page
    for script in parts.scripts:  # nothing a JS parser would run or interpolate
        assert "${document.title" not in script
        assert "</script" not in script.lower()
    return page, parts


def test_routing_report_is_written_self_contained_and_escaped(tmp_path: Path) -> None:
    page, parts = check_page(write_routing(tmp_path / "out"))
    text = "".join(parts.text)
    assert "Route plan: report-geo" in text
    assert "203.33 EUR" in text  # money with the instance's currency
    assert "60.0 km" in text  # distances in km
    assert "11:15 - 1d 07:55" in text  # clocks, next day with its day prefix
    assert "e: dropped_for_cost (cheaper to drop)" in text  # why a stop is unserved
    assert HOSTILE in text  # shown as written, in the tables
    for table in ("routes", "stops", "unserved"):
        assert f'id="table-{table}"' in page
    assert page.count("REPORT_PLOTS.push(") == 2  # waterfall and timeline
    assert "1d 07:30" in page  # the Gantt's hover text of the truck's next-day start
    assert "L.map(" in page and 'id="packed-world"' in page  # geographic: the outlines


def test_network_report_is_written_self_contained_and_escaped(tmp_path: Path) -> None:
    page, parts = check_page(write_network(tmp_path / "out"))
    text = "".join(parts.text)
    for table in ("summary", "facilities", "flows", "purchases", "shortages", "customers",
                  "cost"):
        assert f'id="table-{table}"' in page
    assert HOSTILE + "C1" in text and HOSTILE + "F1" in text
    assert "EUR" in text
    assert "CRS.Simple" in page and 'id="packed-world"' not in page  # x/y: a planar map
    assert page.count("REPORT_PLOTS.push(") == 1  # the waterfall


def test_network_infeasible_report_explains(tmp_path: Path) -> None:
    page, parts = check_page(write_network(tmp_path / "out", "infeasible.json"))
    assert 'id="explanation"' in page
    from tests.optimizer.report_html_cases import network_case

    _, plan = network_case("infeasible.json")
    assert plan.infeasibility
    text = "".join(parts.text)
    assert all(line in text for line in plan.infeasibility)


def test_sourcing_report_is_written_self_contained_and_escaped(tmp_path: Path) -> None:
    page, parts = check_page(write_sourcing(tmp_path / "out"))
    text = "".join(parts.text)
    assert HOSTILE in text
    for table in ("allocations", "suppliers", "products"):
        assert f'id="table-{table}"' in page
    assert re.search(r"\d[\d,]*\.\d\d EUR", text)
    assert "L.map(" not in page  # sourcing has no places


@pytest.mark.parametrize("name", ["too_few_suppliers.json", "demand_over_capacity.json"])
def test_sourcing_infeasible_report_explains(tmp_path: Path, name: str) -> None:
    from tests.optimizer.report_html_cases import sourcing_instance

    page, parts = check_page(write_sourcing(tmp_path / "out",
                                            FIXTURES / "sourcing" / "infeasible" / name))
    assert 'id="explanation"' in page
    from models.sourcing import solve

    plan = solve(sourcing_instance(FIXTURES / "sourcing" / "infeasible" / name))
    assert plan.solve.status.value == "infeasible"
    text = "".join(parts.text)
    shown = list(plan.infeasibility) + [r.message for r in (
        plan.explanation.relaxations if plan.explanation else ())]
    assert shown and all(line in text for line in shown)


def test_frontier_report_is_written_with_its_chart(tmp_path: Path) -> None:
    page, _ = check_page(write_frontier_case(tmp_path / "out"))
    assert 'id="frontier"' in page and 'id="table-frontier"' in page
    assert page.count("REPORT_PLOTS.push(") == 1
    assert not (tmp_path / "out" / "points" / "00" / "report.html").exists()


def test_escape_leaves_nothing_a_js_template_literal_or_html_parser_reads() -> None:
    """The measured folium bug: tooltips and pop-ups go into JS template literals, where
    ``${...}`` runs and a backslash starts an escape sequence; html.escape alone keeps them."""
    text = escape(HOSTILE)
    assert not set("<>\"'`$\\") & set(text)
    assert html.unescape(text) == HOSTILE
    assert "$" in html.escape(HOSTILE) and "`" in html.escape(HOSTILE)  # html.escape is not enough


def test_builder_api_renders_every_section_kind(tmp_path: Path) -> None:
    """The API the integrated plan uses: sections in the order added, text escaped, money and
    clocks formatted."""
    report = Report(f"Plan {HOSTILE}", currency="EUR", subtitle="optimal")
    report.add_kpis([Kpi("Total cost", report.money(1234567.891)), Kpi("Routes", "3")])
    report.add_waterfall([("purchase", 1000.0), ("last mile", 234.5)])
    report.add_map([
        MapLayer("DCs", "square", [MapPoint((52.5, 13.4), HOSTILE, [("city", HOSTILE)])]),
        MapLayer("Routes", "line", [MapLine([(52.5, 13.4), (52.6, 13.5), (52.5, 13.4)],
                                            "route 1", [("km", "30.1 km")])]),
    ])
    report.add_gantt([GanttBar("van 1", "drive", 8 * 3600, 9 * 3600, "to C1"),
                      GanttBar("van 1", "service", 9 * 3600, 9.25 * 3600, HOSTILE)])
    report.add_explanation(["capacity of DC-1 is 10 short"])
    report.add_table("customers", pd.DataFrame({"customer": [HOSTILE], "cost_EUR": [12.5]}))
    path = report.write(tmp_path / "report.html")
    page = path.read_text()
    parts = PageParts(page)
    assert remote_links(parts) == []
    ids = re.findall(r'<section id="([^"]+)"', page)
    assert ids == ["kpis", "waterfall", "map", "timeline", "explanation", "table-customers"]
    text = "".join(parts.text)
    assert "1,234,567.89 EUR" in text and "12.50" in text
    assert f"Plan {HOSTILE}" in text
    assert money(None) == "-" and hhmm(31.5 * 3600) == "1d 07:30" and hhmm(8 * 3600) == "08:00"
    assert "08:00" in page  # the timeline's clock ticks


def test_map_without_drawable_items_is_left_out() -> None:
    report = Report("x").add_map([MapLayer("empty", "circle", [])])
    assert [s.kind for s in report.sections] == []


def test_map_refuses_a_colour_that_could_carry_markup() -> None:
    with pytest.raises(ValueError, match="map colour"):
        Report("x").add_map([MapLayer("a", "square", [MapPoint((0, 0), "a")],
                                      color='red"><script>')])


def test_writers_can_leave_the_report_out(tmp_path: Path) -> None:
    from models.sourcing import solve
    from optimizer.formats.sourcing import read_sourcing_instance, write_sourcing_plan

    inst = read_sourcing_instance(FIXTURES / "sourcing" / "valid_small.json")
    written = write_sourcing_plan(solve(inst), tmp_path / "out", report=False)
    assert "report.html" not in [p.name for p in written]
    written = write_sourcing_plan(solve(inst), tmp_path / "out")
    assert written[-1].name == "report.html" and written[-1].is_file()


def test_network_routes_are_drawn_when_the_plan_has_them() -> None:
    """Routes mode (outbound as routes): the plan's routes become a map layer, with a KPI."""
    from models.network import SolverOptions, solve
    from optimizer.reports.html.network import network_report

    routes_cases = pytest.importorskip("tests.models.network.routes_cases")
    inst = routes_cases.tiny()
    plan = solve(inst, SolverOptions(time_limit=1.0))
    assert plan.routes
    page = network_report(plan, inst).render()
    assert '"Delivery routes"' in page and "Delivery routes</div>" in page
    for r in plan.routes:  # each route's tooltip, in the layer's GeoJSON
        assert f"{r.facility} route {r.route} ({r.vehicle_type})" in page
    assert 'id="table-routes"' in page
    without = network_report(plan.model_copy(update={"routes": ()}), inst).render()
    assert '"Delivery routes"' not in without


def test_package_data_ships_every_asset_and_the_template() -> None:
    """A non-editable install carries only the files pyproject's package-data names."""
    import tomllib
    from pathlib import PurePosixPath

    root = Path(__file__).resolve().parents[2]
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["optimizer.reports.html"]
    package = root / "optimizer" / "reports" / "html"
    files = [p.relative_to(package).as_posix() for folder in ("assets", "templates")
             for p in (package / folder).rglob("*") if p.is_file()]
    assert "templates/report.html.j2" in files and "assets/leaflet.js" in files

    def shipped(name: str) -> bool:  # a setuptools glob: '*' stays inside one folder
        path = PurePosixPath(name)
        return any(len(path.parts) == len(PurePosixPath(pat).parts) and path.match(pat)
                   for pat in patterns)

    assert [f for f in files if not shipped(f)] == []


def test_packed_plotly_is_the_wheels_plotly_js() -> None:
    """plotly.js goes into the page gzip-compressed (4.8 MB -> 2.0 MB); unpacked it is exactly
    the bundle plotly.py ships, so the figures always meet the plotly.js they were made for."""
    import base64
    import gzip

    from plotly.offline import get_plotlyjs

    from optimizer.reports.html.page import packed_plotly

    text = packed_plotly()
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
    assert gzip.decompress(base64.b64decode(text)).decode("utf-8") == get_plotlyjs()
    assert len(text) < len(get_plotlyjs()) / 2


def test_the_report_is_part_of_the_atomic_output(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """report.html is written inside the staged folder: a full disk while writing it leaves
    the earlier result whole (exit 6 from the CLI), no half-written folder."""
    import errno

    from models.sourcing import solve
    from optimizer.errors import OutputError
    from optimizer.formats.sourcing import read_sourcing_instance, write_sourcing_plan

    inst = read_sourcing_instance(FIXTURES / "sourcing" / "valid_small.json")
    plan = solve(inst)
    out = tmp_path / "out"
    write_sourcing_plan(plan, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(self: Report, path: Path) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(Report, "write", full)
    with pytest.raises(OutputError, match="no room left"):
        write_sourcing_plan(plan, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no .partial left behind


def test_the_map_zooms_in_quarter_steps_to_fill_its_frame() -> None:
    """Whole zoom steps left Great Britain at half the map's width (a newcomer's report);
    quarter steps let fitBounds fill the frame."""
    from optimizer.reports.html.map import map_parts

    parts = map_parts([MapLayer("a", "circle", [MapPoint((50.4, -4.1), "a"),
                                                MapPoint((55.0, -1.6), "b")])], False, "m")
    assert parts is not None
    script = str(parts.script)
    assert "options.zoomSnap = 0.25;" in script
    assert script.index("options.zoomSnap") < script.index("fitBounds(")


def test_table_numbers_read_as_their_kind() -> None:
    """In a newcomer's report the unit costs of flows read 0.01 (2 decimals of money), the
    plan's total 16,926,930.4667 and km 432.5 beside 126.51."""
    from optimizer.reports.html.page import table_of

    table = table_of(pd.DataFrame({
        "unit_cost_GBP": [0.012345], "unit_price_EUR": [4.4213], "total_GBP": [16926930.4667],
        "seconds": [5.36862], "km": [126.514], "cost_GBP": [1.5], "quantity": [1000.0]}))
    assert [text for text, _numeric in table.rows[0]] == [
        "0.0123", "4.4213", "16,926,930.47", "5.4", "126.5", "1.50", "1,000"]
