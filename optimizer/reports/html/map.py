"""The report's interactive map: folium (Leaflet) layers of points and lines, offline.

Every layer is one folium ``GeoJson`` (compact: about 200 bytes per place, so thousands of
customers stay small) whose features carry their own ``style``, a tooltip ``label`` and a
``popup`` (HTML built here from escaped text): one ``onEachFeature`` function binds them. No
folium ``Popup``/``Tooltip``/``Icon`` objects are used: those put their text raw into JS template
literals (``${...}`` and backticks executed) and need jQuery or CDN plug-ins. Squares (DCs,
depots) are Leaflet ``divIcon`` markers whose HTML is built here from a checked colour.

The map has no tile layer (tiles need the network, and a failed tile is a console error):
geographic maps draw the world's country outlines (Natural Earth 1:50m, inlined) under the
layers; planar maps (x/y in km) use Leaflet's ``CRS.Simple`` on a plain background.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

from markupsafe import Markup

from optimizer.reports.html.page import escape

#: Colours for things that get one each (DCs, routes): Tableau 10 then 10 more.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39",
           "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363")

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def colour(i: int) -> str:
    """The ``i``-th colour of :data:`PALETTE` (cycling)."""
    return PALETTE[i % len(PALETTE)]


@dataclass(frozen=True)
class MapPoint:
    """A place: ``at`` is ``(lat, lon)``, or ``(y, x)`` on a planar map. ``label`` is the
    tooltip (an id), ``fields`` the pop-up rows ``(name, value)``; both plain text (escaped
    here). ``color`` overrides the layer's colour."""

    at: tuple[float, float]
    label: str
    fields: Sequence[tuple[str, str]] = ()
    color: str | None = None


@dataclass(frozen=True)
class MapLine:
    """A polyline through ``path`` (points as in :class:`MapPoint`), e.g. a flow or a route;
    ``weight`` in pixels."""

    path: Sequence[tuple[float, float]]
    label: str
    fields: Sequence[tuple[str, str]] = ()
    color: str | None = None
    weight: float = 3.0


@dataclass(frozen=True)
class MapLayer:
    """One switchable layer. ``shape``: ``circle`` or ``square`` points, or ``line``s.
    ``legend`` is the legend's text (default: ``name``); ``fit``: the initial view frames this
    layer (far suppliers can be left out of the frame); ``show``: ticked at start."""

    name: str
    shape: Literal["circle", "square", "line"]
    items: Sequence[MapPoint | MapLine]
    color: str = "#1f77b4"
    legend: str = ""
    radius: float = 5.0
    dashed: bool = False
    opacity: float = 0.9
    show: bool = True
    fit: bool = True


@dataclass(frozen=True)
class MapParts:
    """What the page needs to place a map: the div id, the script, the legend."""

    id: str
    div_id: str
    script: Markup
    legend: list[dict[str, object]]
    note: str

    def asdict(self) -> dict[str, object]:
        return asdict(self)


def _checked(value: str) -> str:
    if not _COLOUR.fullmatch(value):
        raise ValueError(f"map colour {value!r}: give '#rrggbb'")
    return value


def popup_html(title: str, fields: Sequence[tuple[str, str]]) -> str:
    """A pop-up: the title in bold and a two-column table, all text escaped."""
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in fields)
    return f"<b>{escape(title)}</b>" + (f"<table>{rows}</table>" if rows else "")


def _finite(at: Sequence[float]) -> bool:
    return len(at) == 2 and all(isinstance(v, int | float) and math.isfinite(v) for v in at)


def _feature(layer: MapLayer, item: MapPoint | MapLine) -> dict[str, object] | None:
    color = _checked(item.color or layer.color)
    props: dict[str, object] = {"label": escape(item.label),
                                "popup": popup_html(item.label, item.fields)}
    if isinstance(item, MapLine):
        path = [p for p in item.path if _finite(p)]
        if len(path) < 2:
            return None
        geometry = {"type": "LineString", "coordinates": [[p[1], p[0]] for p in path]}
        props["style"] = {"color": color, "weight": item.weight, "opacity": layer.opacity,
                          **({"dashArray": "6 5"} if layer.dashed else {})}
    else:
        if not _finite(item.at):
            return None
        geometry = {"type": "Point", "coordinates": [item.at[1], item.at[0]]}
        if layer.shape == "square":
            size = round(2 * layer.radius + 4)
            props["icon"] = (f'<div style="background:{color};width:{size}px;'
                             f'height:{size}px"></div>')
            props["size"] = size
        else:
            props["style"] = {"color": "#263238", "weight": 1, "fill": True, "fillColor": color,
                              "fillOpacity": layer.opacity, "radius": layer.radius}
    return {"type": "Feature", "geometry": geometry, "properties": props}


#: Binds each feature's tooltip, pop-up and (squares) icon; text is escaped in Python.
_ON_EACH_FEATURE = """function(feature, layer) {
    var p = feature.properties;
    if (p.icon && layer.setIcon) {
        var half = p.size / 2;
        layer.setIcon(L.divIcon({html: p.icon, className: 'rpt-icon',
                                 iconSize: [p.size, p.size], iconAnchor: [half, half]}));
    }
    if (p.popup) { layer.bindPopup(p.popup, {maxWidth: 360}); }
    if (p.label) { layer.bindTooltip(p.label, {sticky: true}); }
}"""


def map_parts(layers: Sequence[MapLayer], planar: bool, section_id: str) -> MapParts | None:
    """The map's script and legend (None when no layer has a drawable item)."""
    import folium

    features = [(layer, [f for f in (_feature(layer, i) for i in layer.items) if f])
                for layer in layers]
    features = [(layer, fs) for layer, fs in features if fs]
    if not features:
        return None
    points = [tuple(c) for layer, fs in features if layer.fit for f in fs
              for c in _coords(f)] or [tuple(c) for _, fs in features for f in fs
                                       for c in _coords(f)]
    lats = [p[1] for p in points]
    lons = [p[0] for p in points]
    bounds = [[min(lats), min(lons)], [max(lats), max(lons)]]
    centre = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    options = {"zoom_animation": False, "fade_animation": False,
               "marker_zoom_animation": False, "prefer_canvas": False}
    if planar:
        fmap = folium.Map(location=centre, zoom_start=0, tiles=None, crs="Simple",
                          control_scale=False, **options)
    else:
        fmap = folium.Map(location=centre, zoom_start=5, tiles=None, control_scale=True,
                          **options)
    fmap.default_js = []  # folium lists CDN scripts and styles here; the page inlines Leaflet
    fmap.default_css = []
    legend: list[dict[str, object]] = []
    for layer, fs in features:
        group = folium.FeatureGroup(name=escape(layer.name), show=layer.show)
        marker = None
        if layer.shape == "circle":
            marker = folium.CircleMarker(radius=layer.radius)
        elif layer.shape == "square":
            marker = folium.Marker(icon=folium.DivIcon(html="", class_name="rpt-icon"))
        folium.GeoJson({"type": "FeatureCollection", "features": fs}, marker=marker,
                       on_each_feature=folium.JsCode(_ON_EACH_FEATURE),
                       name=escape(layer.name)).add_to(group)
        group.add_to(fmap)
        legend.append({"shape": layer.shape, "color": _checked(layer.color),
                       "dashed": layer.dashed,
                       "text": f"{layer.legend or layer.name} ({len(fs):,})"})
    folium.LayerControl(collapsed=False).add_to(fmap)
    root = fmap.get_root()
    root.render()
    body = str(root.html.render())
    div_id = re.search(r'id="(map_[0-9a-f]+)"', body)
    if div_id is None:  # pragma: no cover - folium changed its markup
        raise RuntimeError("folium's map markup has no map id")
    name = fmap.get_name()
    script = str(root.script.render())
    if not planar:
        script += (f"\nREPORT_WORLD.then(world => L.geoJSON(topojson.feature(world, "
                   f"world.objects.countries), {{pane: 'outline', interactive: false, "
                   f"style: {{color: '#9e9e9e', weight: 1, fillColor: '#f4f3ee', "
                   f"fillOpacity: 1}}}}).addTo({name}));")
    fit = json.dumps(bounds)
    # folium drops min/max zoom without tiles; CRS.Simple needs negative zooms for km-wide
    # data and large ones for a few units.
    # zoom in quarter steps, so the places fill the map (whole steps left a country at
    # half the map's width)
    script += (f"\n{name}.options.zoomSnap = 0.25;"
               f"\n{name}.setMinZoom({-10 if planar else 1});"
               f"\n{name}.setMaxZoom({24 if planar else 18});"
               f"\n{name}.fitBounds({fit}, {{padding: [24, 24], "
               f"maxZoom: {20 if planar else 13}}});")
    # The outline pane sits under the overlay pane (z 400) and above the map background.
    pane = (f"{name}.createPane('outline'); {name}.getPane('outline').style.zIndex = 250;"
            if not planar else "")
    script = _insert_after_map(script, name, pane)
    note = ("x/y coordinates (planar); no background map" if planar else
            "no background tiles (the page works offline); country outlines: Natural Earth")
    return MapParts(section_id, div_id.group(1), Markup(script), legend, note)


def _insert_after_map(script: str, name: str, code: str) -> str:
    """``code`` right after the statement creating the map (panes must exist before layers
    are added to them)."""
    if not code:
        return script
    marker = f"var {name} = L.map("
    start = script.find(marker)
    end = script.find(");", start)
    if start < 0 or end < 0:  # pragma: no cover - folium changed its markup
        raise RuntimeError("folium's map script has no L.map(...) statement")
    return script[:end + 2] + "\n" + code + script[end + 2:]


def _coords(feature: dict[str, object]) -> list[list[float]]:
    geometry = feature["geometry"]
    assert isinstance(geometry, dict)
    coords = geometry["coordinates"]
    return coords if geometry["type"] == "LineString" else [coords]
