"""report.html in a real headless browser: Chromium from the OS packages (``.ci/run`` installs
it), driven by Playwright, with the network cut. One page per report kind: it loads with no
console error and no request leaving the file, the map draws its layers (and its pop-ups show
a hostile id as written), the Plotly charts render, and a screenshot of the map has something
drawn on it.

Without Chromium (or Playwright) the tests skip, except under ``CI=true``, where they fail:
CI can never pass without running them."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.optimizer.report_html_cases import (
    HOSTILE,
    write_frontier_case,
    write_network,
    write_network_starter,
    write_routing,
    write_sourcing,
)

CHROMIUM = os.environ.get("REPORT_BROWSER", "/usr/bin/chromium")


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI=true and {reason}: the browser test must run in CI")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for the module (about 0.3 s to start, 4 s a page)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[dev]')")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield chromium
        chromium.close()


@dataclass
class Opened:
    problems: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    popup: str = ""
    drawn: float = 0.0
    colours: int = 0


def open_report(browser: Any, path: Path, click: str | None = None) -> Opened:
    """Load ``path`` offline; every request that is not the file itself or a ``data:`` URI
    is recorded and aborted."""
    result = Opened()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    try:
        def route(r: Any) -> None:
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                result.remote.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda m: m.type in ("error", "warning")
                and result.problems.append(f"console {m.type}: {m.text}"))
        page.on("pageerror", lambda e: result.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: result.problems.append(f"failed: {r.url}"))
        page.goto(path.resolve().as_uri(), wait_until="load")
        # plotly.js and the outline are unpacked after the load; this marks the end
        page.wait_for_selector("html[data-report=ready]", state="attached", timeout=30_000)
        assert result.problems == [], result.problems  # before interacting: clear messages
        result.title = page.title()
        result.counts = page.evaluate("""() => ({
            paths: document.querySelectorAll('.leaflet-overlay-pane path').length,
            lines: document.querySelectorAll('.leaflet-overlay-pane path[fill="none"]').length,
            layers: [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
                .map(l => l.textContent.trim()).join('|'),
            outline: document.querySelectorAll('.leaflet-outline-pane path').length,
            icons: document.querySelectorAll('.leaflet-marker-icon').length,
            maps: document.querySelectorAll('.folium-map.leaflet-container').length,
            plots: document.querySelectorAll('.js-plotly-plot').length,
            drawn_plots: [...document.querySelectorAll('.js-plotly-plot')]
                .filter(p => p.querySelector('.main-svg') && p.querySelectorAll('.point').length)
                .length,
            tables: document.querySelectorAll('table.data').length})""")
        if result.counts["maps"]:
            if click:
                page.locator(click).first.click()
                result.popup = page.locator(".leaflet-popup-content").first.inner_text()
                page.locator(".leaflet-popup-close-button").first.click()
            import numpy as np
            from matplotlib.image import imread

            shot = imread(io.BytesIO(page.locator(".folium-map").first.screenshot()),
                          format="png")
            rgb = np.round(shot[:, :, :3] * 255).astype(np.int32)
            codes = (rgb[:, :, 0] << 16 | rgb[:, :, 1] << 8 | rgb[:, :, 2]).ravel()
            colours, counts = np.unique(codes, return_counts=True)
            result.drawn = 1.0 - counts.max() / codes.size  # share not in the background
            result.colours = len(colours)
    finally:
        context.close()
    return result


def assert_clean(opened: Opened, title: str) -> None:
    assert opened.problems == []
    assert opened.remote == []
    assert opened.title == title  # an injected ${document.title=...} would have changed it


def test_routing_report_in_chromium(browser: Any, tmp_path: Path) -> None:
    opened = open_report(browser, write_routing(tmp_path / "out") / "report.html",
                         click=".leaflet-marker-icon")
    assert_clean(opened, "Route plan: report-geo")
    counts = opened.counts
    assert counts["maps"] == 1
    assert counts["paths"] >= 2 + 4  # two routes, four stops
    assert counts["outline"] > 100  # the country outlines under the map
    assert counts["plots"] == counts["drawn_plots"] == 2  # waterfall and timeline
    assert counts["tables"] == 3
    assert opened.popup.startswith(HOSTILE + "D")  # the depot's pop-up, the id as written
    assert opened.drawn > 0.05 and opened.colours > 100


def test_network_report_in_chromium(browser: Any, tmp_path: Path) -> None:
    """The hostile-id network on a planar (x/y) map."""
    opened = open_report(browser, write_network(tmp_path / "out") / "report.html",
                         click=".leaflet-marker-icon")
    assert_clean(opened, "Network plan: valid_small")
    counts = opened.counts
    assert counts["maps"] == 1 and counts["outline"] == 0
    assert counts["paths"] >= 4 + 2  # customers and suppliers at least, plus flows
    assert counts["icons"] == 3  # the DCs
    assert counts["plots"] == counts["drawn_plots"] == 1
    assert HOSTILE in opened.popup or "F" in opened.popup
    assert opened.drawn > 0.01 and opened.colours > 20


def test_network_starter_report_in_chromium(browser: Any, tmp_path: Path) -> None:
    """The shipped starter (lat/lon): outlines, 100 customers, their flows."""
    opened = open_report(browser, write_network_starter(tmp_path / "out") / "report.html",
                         click=".leaflet-marker-icon")
    assert_clean(opened, "Network plan: starter")
    assert opened.counts["paths"] >= 100 + 12  # customers, suppliers (and flows)
    assert opened.counts["outline"] > 100
    assert opened.popup.startswith("DC-")
    assert opened.drawn > 0.2 and opened.colours > 500


def test_sourcing_report_in_chromium(browser: Any, tmp_path: Path) -> None:
    opened = open_report(browser, write_sourcing(tmp_path / "out") / "report.html")
    assert_clean(opened, "Sourcing plan: valid_small")
    assert opened.counts["maps"] == 0
    assert opened.counts["plots"] == opened.counts["drawn_plots"] == 1
    assert opened.counts["tables"] >= 3


def test_frontier_report_in_chromium(browser: Any, tmp_path: Path) -> None:
    opened = open_report(browser, write_frontier_case(tmp_path / "out") / "report.html")
    assert_clean(opened, "Frontier: valid_small")
    assert opened.counts["plots"] == opened.counts["drawn_plots"] == 1


def test_integrated_plan_report_in_chromium(browser: Any, tmp_path: Path) -> None:
    """``optimizer plan`` (its report is built on the same builder): map with the day's routes,
    the waterfall and the route timeline."""
    import json

    tiny = pytest.importorskip("tests.models.integrated.tiny")
    from optimizer.cli import main

    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny.tables()), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["plan", str(path), "--out", str(out), "--route-seconds", "0.5"]) == 0
    opened = open_report(browser, out / "report.html", click=".leaflet-marker-icon")
    assert_clean(opened, "Integrated plan: tiny")
    assert opened.counts["maps"] == 1 and opened.counts["paths"] >= 2
    assert opened.counts["plots"] == opened.counts["drawn_plots"] >= 2
    assert opened.popup.startswith("DC-")
    assert opened.drawn > 0.01


def test_network_routes_mode_report_in_chromium(browser: Any, tmp_path: Path) -> None:
    """Outbound as routes: the day's delivery routes drawn on the network map."""
    from models.network import SolverOptions, solve
    from optimizer.formats.network import write_network_plan

    routes_cases = pytest.importorskip("tests.models.network.routes_cases")
    inst = routes_cases.tiny()
    plan = solve(inst, SolverOptions(time_limit=1.0))
    assert plan.routes
    write_network_plan(plan, tmp_path / "out", inst)
    opened = open_report(browser, tmp_path / "out" / "report.html")
    assert_clean(opened, f"Network plan: {inst.name}")
    layers = opened.counts["layers"].split("|")
    assert "Delivery routes" in layers and "Outbound flows" in layers
    inbound = {(f.origin, f.destination) for f in plan.flows if f.echelon.value == "inbound"}
    # lines drawn: the routes and the inbound lanes (outbound flows start switched off)
    assert opened.counts["lines"] == len(plan.routes) + len(inbound)
    assert opened.counts["plots"] == opened.counts["drawn_plots"] == 1
    assert opened.drawn > 0.01
