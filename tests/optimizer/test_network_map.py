"""network.png: what the map shows, and no map (said so) without coordinates."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.colors import to_hex

from models.network import NetworkInstance, NetworkPlan, solve
from optimizer.cli import main
from optimizer.formats.network import read_network_instance, write_network_plan
from optimizer.reports.network_map import (
    map_coordinates,
    network_map_figure,
    why_no_map,
    write_network_map,
)

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "network" / "valid_small.json"


@pytest.fixture(scope="module")
def small() -> tuple[NetworkInstance, NetworkPlan]:
    inst = read_network_instance(SMALL)
    return inst, solve(inst)


def test_map_file_is_written(tmp_path: Path, small: tuple[NetworkInstance, NetworkPlan]) -> None:
    inst, plan = small
    path = tmp_path / "network.png"
    assert write_network_map(inst, plan, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["network.png"]  # no temporary left


def test_legend_names_open_dcs_closed_ones_and_the_places(
        small: tuple[NetworkInstance, NetworkPlan]) -> None:
    inst, plan = small
    ax = network_map_figure(inst, plan).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    opened = [f for f in plan.facilities if f.open]
    for f in opened:
        assert any(label.startswith(f"{f.facility}: open, {f.size}, ") for label in labels)
    closed = len(plan.facilities) - len(opened)
    assert (f"closed DC ({closed})" in labels) == (closed > 0)
    assert "suppliers (2)" in labels
    assert "customers (4), coloured by DC" in labels
    assert ax.get_xlabel() == "x (km)"  # planar network


def test_customers_take_the_colour_of_their_dc(
        small: tuple[NetworkInstance, NetworkPlan]) -> None:
    """A customer served by several DCs takes the colour of the one delivering most (C1 gets
    50 units from each of F2 and F3: the first in the table, F2)."""
    inst, plan = small
    ax = network_map_figure(inst, plan).axes[0]
    dots = ax.collections[0]  # the served customers, drawn first
    colours = [to_hex(c) for c in dots.get_facecolors()]
    served = [c.id for c in inst.customers
              if any(x.customer == c.id and x.served > 0 for x in plan.customers)]
    assert len(colours) == len(served)
    units: dict[tuple[str, str], float] = {}
    for f in plan.flows:
        if f.echelon == "outbound":
            units[(f.destination, f.origin)] = units.get((f.destination, f.origin), 0) \
                + f.quantity
    by_dc: dict[str, set[str]] = {}
    for customer, colour in zip(served, colours, strict=True):
        order = [f.id for f in inst.facilities]
        main_dc = max((u, -order.index(dc), dc) for (c, dc), u in units.items()
                      if c == customer)[2]
        by_dc.setdefault(main_dc, set()).add(colour)
    assert any(";" in c.facilities for c in plan.customers)  # a split customer: its main DC
    assert all(len(c) == 1 for c in by_dc.values())  # one colour per DC
    assert len({next(iter(c)) for c in by_dc.values()}) == len(by_dc)  # DCs differ


def test_geographic_network_is_drawn_in_degrees(tmp_path: Path) -> None:
    inst = NetworkInstance.model_validate({
        "products": [{"id": "P"}],
        "facilities": [{"id": "F", "lat": 52.5, "lon": 13.4}],
        "customers": [{"id": "C", "lat": 53.5, "lon": 10.0}],
        "demand": [{"customer": "C", "product": "P", "quantity": 5}]})
    plan = solve(inst)
    assert map_coordinates(inst) == "lonlat"
    ax = network_map_figure(inst, plan).axes[0]
    assert ax.get_xlabel() == "longitude (degrees east)"
    assert ax.get_aspect() == pytest.approx(1 / 0.6, rel=0.05)  # cos(53 deg)


def test_no_coordinates_no_map_and_it_says_so(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    inst = NetworkInstance.model_validate({
        "products": [{"id": "P"}],
        "facilities": [{"id": "F1", "x": 0, "y": 0}, {"id": "F2"}],
        "customers": [{"id": "C1", "x": 1, "y": 1}, {"id": "C2"}],
        "demand": [{"customer": "C1", "product": "P", "quantity": 5}]})
    plan = solve(inst)
    assert map_coordinates(inst) is None
    assert why_no_map(inst).startswith("no network map: 2 place(s) have no coordinates "
                                       "(F2, C2)")
    assert not write_network_map(inst, plan, tmp_path / "network.png")
    assert not (tmp_path / "network.png").exists()
    written = write_network_plan(plan, tmp_path / "plan", inst)
    assert "network.png" not in [p.name for p in written]
    instance = tmp_path / "inst.json"
    instance.write_text(inst.model_dump_json())
    assert main(["network", "plot", str(instance), str(tmp_path / "plan"), "--out",
                 str(tmp_path / "m.png")]) == 2
    assert "no network map" in capsys.readouterr().err
    assert not (tmp_path / "m.png").exists()


def test_far_suppliers_are_left_off_the_frame_and_counted() -> None:
    """A supplier in Shenzhen would shrink a network around Berlin to a dot."""
    inst = NetworkInstance.model_validate({
        "products": [{"id": "P"}],
        "facilities": [{"id": "F", "lat": 52.5, "lon": 13.4}],
        "customers": [{"id": "C1", "lat": 53.5, "lon": 10.0},
                      {"id": "C2", "lat": 51.3, "lon": 12.4}],
        "demand": [{"customer": c, "product": "P", "quantity": 5} for c in ("C1", "C2")],
        "suppliers": [{"id": "NEAR", "region": "eu", "lat": 52.0, "lon": 14.0},
                      {"id": "FAR", "region": "cn", "lat": 22.5, "lon": 114.1}],
        "offers": [{"supplier": s, "product": "P", "unit_price": 1.0} for s in ("NEAR", "FAR")],
    })
    plan = solve(inst)
    ax = network_map_figure(inst, plan).axes[0]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 < 10.0 and x1 > 14.0 and y0 < 51.3 and y1 > 53.5  # every place but FAR
    assert x1 < 20 and y0 > 45  # FAR (114 E, 22 N) is off the map
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "suppliers (2; 1 far away, off the map)" in labels
