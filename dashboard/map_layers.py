"""The dashboard's folium maps (coverage, the campaign's network): colours, labels and legends, defined once.

Presentation only: every value drawn comes from ``millis_network`` tables.

Works with no network. Leaflet and its marker-cluster plugin come from the
PyPI packages ``xstatic-leaflet`` and ``xstatic-leaflet-markercluster`` and are
served by this Streamlit server, so courts, centres and areas always draw; the
street-map tiles are one optional overlay that simply stays blank offline.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import streamlit.components.v1 as components
import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
import xyzservices
from branca.element import Element, MacroElement
from folium.elements import ElementAddToElement
from folium.map import Layer
from folium.plugins import MarkerCluster
from jinja2 import Template

from millis_network.config import REACH_BANDS_MINUTES
from millis_network.engine.coverage import COURT_STATUSES, SERVICES_FOR_RULE
from millis_network.engine.scenario import format_share
from millis_network.wording import (
    NO_CENTRE_IN_DIRECTORY,
    NO_ROAD,
    PRECISION_LABELS,
    SERVICES_NOT_STATED,
    WITHHELD_PHRASES,
    drive_text,
)

# The map frame (served at /component/streamlit_folium.st_folium/) loads
# Leaflet from these by relative URL, so a ``server.baseUrlPath`` keeps working.
_LEAFLET = f"../{__name__}.leaflet/"
_CLUSTER = f"../{__name__}.leaflet_markercluster/"

#: Court status → fill colour (Okabe–Ito palette, safe for colour-blind readers) and its name.
COURT_COLOURS: dict[str, str] = dict(zip(COURT_STATUSES, ("#009E73", "#E69F00", "#56B4E9", "#D55E00")))
COURT_COLOUR_NAMES: dict[str, str] = dict(zip(COURT_STATUSES, ("green", "orange", "sky blue", "red")))

#: Contact centre service types, in legend order.
CENTRE_TYPES: tuple[str, ...] = ("supported and supervised", "supported only", "supervised only", "other or not stated")
#: Centre service type → colour (Paul Tol's muted palette, colour-blind safe).
CENTRE_COLOURS: dict[str, str] = dict(zip(CENTRE_TYPES, ("#332288", "#117733", "#AA4499", "#777777")))

#: Drive-time classes of the area layer, from the reach bands, plus "none".
REACH_CLASSES: tuple[str, ...] = (
    f"up to {REACH_BANDS_MINUTES[0]} min",
    *(f"{low}–{high} min" for low, high in zip(REACH_BANDS_MINUTES, REACH_BANDS_MINUTES[1:])),
    f"over {REACH_BANDS_MINUTES[-1]} min",
    NO_ROAD,
)
#: The dashboard's sequential colour scale: viridis in five steps, light to dark. Its lightness rises
#: steadily, so it reads the same with any common colour blindness and in greyscale.
VIRIDIS_5: tuple[str, ...] = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
#: Fill of an area with no value (no suitable centre, no data).
NO_DATA_COLOUR = "#bdbdbd"
#: Drive-time class → fill colour (viridis, light = near, dark = far; grey = none).
REACH_COLOURS: dict[str, str] = dict(zip(REACH_CLASSES, (*VIRIDIS_5, NO_DATA_COLOUR)))


@dataclass(frozen=True)
class ColourScale:
    """Classes of a value (upper bounds, ascending), their legend labels and fill colours; missing values are grey."""

    bounds: tuple[float, ...]
    labels: tuple[str, ...]
    colours: tuple[str, ...]

    def label(self, value: float) -> str:
        """The class label of ``value`` ("no data" for NaN); values above the last bound take the last class."""
        if value is None or math.isnan(value):
            return "no data"
        return next((label for bound, label in zip(self.bounds, self.labels) if value <= bound + 1e-12), self.labels[-1])

    def colour(self, value: float) -> str:
        """The fill colour of ``value``'s class (:data:`NO_DATA_COLOUR` for NaN)."""
        if value is None or math.isnan(value):
            return NO_DATA_COLOUR
        return self.colours[self.labels.index(self.label(value))]


#: Share of LSOAs within reach (0..1): viridis dark (few) to light (most), as the drive-time layer's light = near.
SHARE_SCALE = ColourScale(
    bounds=(0.2, 0.4, 0.6, 0.8, 1.0),
    labels=("up to 20%", "20–40%", "40–60%", "60–80%", "over 80%"),
    colours=tuple(reversed(VIRIDIS_5)),
)
#: Gap (statutory network share minus the directory's, 0..1): light to dark orange as the gap grows (ColorBrewer
#: Oranges, one hue, so its order reads by lightness alone); blue where the directory already reaches as many.
GAP_SCALE = ColourScale(
    bounds=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
    labels=("directory level or ahead", "up to 20 points", "20–40 points", "40–60 points", "60–80 points",
            "over 80 points"),
    colours=("#4a90c2", "#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603"),
)

#: Simplification tolerance (degrees: about 1 km north–south, 0.7 km east–west) and coordinate grid (about 100 m)
#: of the area layer; light enough for a national view, coarse when zoomed into one town.
AREA_TOLERANCE_DEGREES = 0.01
AREA_GRID_DEGREES = 0.001

MAP_HEIGHT_PX = 620
#: The optional street background: OpenStreetMap's standard tiles, named directly (a lookup by name
#: searched the whole xyzservices catalogue on every map drawn).
STREET_MAP = xyzservices.providers.OpenStreetMap.Mapnik
#: ``st_folium``'s ``render`` for every map: off. ``st_folium`` renders the map itself either way; this
#: would render the whole HTML page around it too, which it never uses (half a map's server time).
RENDER_WHOLE_PAGE = False
#: Maps at least this wide (CSS pixels) show their legend open; narrower ones (phones) start with it folded.
LEGEND_OPEN_MIN_PX = 500

#: How close (degrees) a click must be to a court's drawn point to select it.
COORDINATE_MATCH_DEGREES = 1e-4

_STYLE = """
<style>
.centre-icon div { width: 11px; height: 11px; transform: rotate(45deg); border: 2px solid #ffffff;
  box-shadow: 0 0 0 1px #222222; box-sizing: border-box; }
.centre-icon.approximate div { background: #ffffff !important; border-width: 3px; }
.marker-cluster, .marker-cluster div { background-color: rgba(51, 34, 136, 0.18) !important; }
.marker-cluster div { background-color: #ffffff !important; border: 2px solid #332288; color: #111111; font-weight: bold; }
.map-legend { background: rgba(255, 255, 255, 0.94); padding: 6px 8px; font: 12px/1.35 sans-serif;
  color: #111111; border-radius: 4px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.35); max-width: 240px; }
.map-legend summary { cursor: pointer; font-weight: bold; }
.map-legend b { display: block; margin-top: 4px; }
.map-legend i { display: inline-block; width: 11px; height: 11px; margin-right: 5px; vertical-align: -1px; }
.map-legend i.court { border-radius: 50%; border: 1px solid #222222; }
.map-legend i.centre { transform: rotate(45deg) scale(0.8); border: 1px solid #222222; }
.map-legend i.area { opacity: 0.75; border: 1px solid #666666; }
.area-tooltip th { text-align: left; padding-right: 6px; }
</style>
"""


class _Legend(MacroElement):
    """An HTML legend drawn as a Leaflet control in the map's bottom-right corner.

    It folds away under a "Legend" button (a ``<details>``), and starts folded on
    a map narrower than :data:`LEGEND_OPEN_MIN_PX` (a phone), where it would
    cover most of the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function (map) {
                var div = L.DomUtil.create("div", "map-legend");
                var details = L.DomUtil.create("details", "", div);
                details.open = map.getSize().x >= {{ this.open_min_px }};
                details.innerHTML = "<summary>Legend</summary>" + {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html
        self.open_min_px = LEGEND_OPEN_MIN_PX


def centre_type(row: Mapping[str, Any]) -> str:
    """The legend type of a centre from its ``supported`` and ``supervised`` flags."""
    if row["supported"] and row["supervised"]:
        return CENTRE_TYPES[0]
    if row["supported"]:
        return CENTRE_TYPES[1]
    if row["supervised"]:
        return CENTRE_TYPES[2]
    return CENTRE_TYPES[3]


def reach_class(minutes: float) -> str:
    """The drive-time class of a median drive in minutes (NaN or inf: no suitable centre)."""
    if minutes is None or not math.isfinite(minutes):
        return REACH_CLASSES[-1]
    for band, label in zip(REACH_BANDS_MINUTES, REACH_CLASSES):
        if minutes <= band:
            return label
    return REACH_CLASSES[-2]


def court_tooltip(row: Mapping[str, Any]) -> str:
    """A court's hover text, HTML-escaped (Leaflet writes tooltips as HTML): its status and the estimated
    journey to its nearest centre for each service, labelled when it is by road and ferry."""
    drives = "; ".join(
        f"nearest {service}: " + (drive_text(row[f"nearest_{service}_minutes"], row[f"nearest_{service}_journey"])
                                  if row[f"nearest_{service}_name"] else NO_CENTRE_IN_DIRECTORY)
        for service in SERVICES_FOR_RULE
    )
    return html.escape(f"{row['court_name']} ({row['status']}); {drives}")


def courts_at(coverage: pd.DataFrame, lat: float, lon: float) -> list[str]:
    """The ids of the courts drawn at a point, by name ([] for a click elsewhere).

    A small circle reports its own centre when clicked, so a court click gives
    the court's drawn coordinates (rounded as :func:`_points` rounds them).
    Courts sharing a building share a point, so a click may name several.
    """
    here = (coverage["lat"].round(5) - lat).abs().lt(COORDINATE_MATCH_DEGREES) & (
        coverage["lon"].round(5) - lon
    ).abs().lt(COORDINATE_MATCH_DEGREES)
    return coverage[here].sort_values("court_name")["court_id"].astype(str).tolist()


def simplified_areas(boundaries: gpd.GeoDataFrame) -> dict:
    """Local authority polygons light enough for a web map, as a GeoJSON dict.

    Simplified to :data:`AREA_TOLERANCE_DEGREES` and snapped to a
    :data:`AREA_GRID_DEGREES` grid; properties ``local_authority_code`` and
    ``local_authority_name``.
    """
    simple = boundaries.geometry.simplify(AREA_TOLERANCE_DEGREES, preserve_topology=True).values
    geometries = shapely.to_geojson(shapely.set_precision(simple, AREA_GRID_DEGREES))
    return {"type": "FeatureCollection", "features": [
        {"id": str(index), "type": "Feature",
         "properties": {"local_authority_code": code, "local_authority_name": name}, "geometry": json.loads(geometry)}
        for index, code, name, geometry in zip(boundaries.index, boundaries["local_authority_code"],
                                               boundaries["local_authority_name"], geometries)
    ]}


def area_features(areas: dict, la_summary: pd.DataFrame, *, service: str) -> dict:
    """The area GeoJSON with each district's median drive, class and colour added.

    ``la_summary`` is :func:`millis_network.engine.coverage.reach_summary` by local
    authority; districts absent from it (another jurisdiction) are left out.
    """
    median = dict(zip(la_summary["area_code"], la_summary[f"median_{service}_minutes"]))
    features = []
    for feature in areas["features"]:
        code = feature["properties"]["local_authority_code"]
        if code not in median:
            continue
        minutes = float(median[code])
        label = reach_class(minutes)
        properties = {key: html.escape(value) if isinstance(value, str) else value
                      for key, value in feature["properties"].items()}
        properties["median_drive"] = f"{minutes:.0f} min ({label})" if math.isfinite(minutes) else label
        properties["fill"] = REACH_COLOURS[label]
        features.append({"type": "Feature", "properties": properties, "geometry": feature["geometry"]})
    return {"type": "FeatureCollection", "features": features}


def _legend_html(*, service: str) -> str:
    courts = "".join(f'<div><i class="court" style="background:{COURT_COLOURS[s]}"></i>{s}</div>' for s in COURT_STATUSES)
    centres = "".join(f'<div><i class="centre" style="background:{CENTRE_COLOURS[t]}"></i>{t}</div>' for t in CENTRE_TYPES)
    areas = "".join(f'<div><i class="area" style="background:{REACH_COLOURS[c]}"></i>{c}</div>' for c in REACH_CLASSES)
    return (
        f"<b>Family court centres</b>{courts}"
        f"<b>Contact centres</b>{centres}<div>hollow: location approximate</div>"
        f"<b>Median drive to nearest {service} centre</b>{areas}"
    )


def _points(rows: Sequence[Mapping[str, Any]], properties: dict[str, Sequence[str]]) -> dict:
    """A GeoJSON FeatureCollection of the rows' ``lon``/``lat`` points (rounded to about 1 m) with ``properties``."""
    columns = list(properties)
    lon = np.round(np.array([row["lon"] for row in rows], dtype=np.float64), 5)
    lat = np.round(np.array([row["lat"] for row in rows], dtype=np.float64), 5)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(x), float(y)]},
                "properties": dict(zip(columns, values)),
            }
            for x, y, *values in zip(lon, lat, *(properties[c] for c in columns))
        ],
    }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts by column (what ``to_dict("records")`` gives, several times quicker)."""
    columns = list(frame.columns)
    return [dict(zip(columns, values)) for values in zip(*(frame[column].tolist() for column in columns))]


class _FinishedText(Element):
    """Script text that is already finished: written into the page as it is, never read as a template again."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


def _render_data_script(element: MacroElement, **kwargs: Any) -> None:
    """Render ``element`` as folium renders a macro element, but add its script as :class:`_FinishedText`.

    folium makes a Jinja template of every element's rendered script. For a
    layer of map data that re-reads hundreds of kilobytes on every render,
    and it would run any ``{{ }}`` or ``{% %}`` in a centre's name as
    template code on the server.
    """
    script = _FinishedText(element._template.module.script(element, kwargs))
    element.get_root().script.add_child(script, name=element.get_name())
    for child in element._children.values():
        child.render(**kwargs)


def _script_json(value: object) -> str:
    """``value`` as JSON that is safe inside an HTML ``<script>``: no ``<``, ``>`` or ``&`` left to end it early."""
    return json.dumps(value, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _PointLayer(MacroElement):
    """Points drawn as circles or as small HTML icons, each with its hover (and focus) tooltip: one Leaflet layer.

    Serialised once when built, as :class:`_AreaLayer` is, instead of
    folium's ``GeoJson`` with a marker and a ``GeoJsonTooltip``.

    Args:
        points: :func:`_points` output whose features carry an HTML-escaped
            ``tooltip`` and, for icons, an ``icon_class``.
        circle: Leaflet ``circleMarker`` options, to draw circles.
        icon: Leaflet ``divIcon`` options (its ``html``, size and anchor), to
            draw icons instead; each point's ``icon_class`` is its class name.
        title: the icons' title, their name for screen readers.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.features_json }}, {
            pointToLayer: function (feature, latlng) {
                {%- if this.icon_json %}
                return L.marker(latlng, {
                    title: {{ this.title_json }},
                    icon: L.divIcon(Object.assign({className: feature.properties.icon_class}, {{ this.icon_json }}))
                });
                {%- else %}
                return L.circleMarker(latlng, {{ this.circle_json }});
                {%- endif %}
            },
            onEachFeature: function (feature, layer) { layer.bindTooltip(feature.properties.tooltip); }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, points: dict, *, circle: dict | None = None, icon: dict | None = None, title: str = "") -> None:
        super().__init__()
        self._name = "PointLayer"
        self.data = points
        self.features_json = _script_json(points)
        self.circle_json = _script_json(circle or {})
        self.icon_json = _script_json(icon) if icon else ""
        self.title_json = _script_json(title)

    def render(self, **kwargs: Any) -> None:
        """Add the layer's script to the page (see :func:`_render_data_script`)."""
        _render_data_script(self, **kwargs)


def court_layers(coverage: pd.DataFrame) -> list[folium.FeatureGroup]:
    """One layer of court markers per status (``path.court-marker`` circles, for the rule's colours).

    Passed to ``st_folium`` as layers to add, so a change of threshold redraws
    only these and the map keeps its frame, zoom and position.
    """
    records = _records(coverage)
    layers = []
    for status in COURT_STATUSES:
        rows = [row for row in records if row["status"] == status]
        if not rows:
            continue
        group = folium.FeatureGroup(name=f"Family courts: {status} ({len(rows)})")
        _PointLayer(
            _points(rows, {"tooltip": [court_tooltip(row) for row in rows]}),
            circle={"radius": 7, "color": "#222222", "weight": 1.5, "fill": True, "fillColor": COURT_COLOURS[status],
                    "fillOpacity": 1.0, "className": "court-marker"},
        ).add_to(group)
        layers.append(group)
    return layers


def _centre_tooltip(row: Mapping[str, Any]) -> str:
    sample = "SAMPLE RECORD (illustrative). " if row["sample"] == "yes" else ""
    withheld = f"; {WITHHELD_PHRASES[row['location_precision']]}" if row["address_withheld"] == "yes" else ""
    services = row["services"] or SERVICES_NOT_STATED
    return html.escape(
        f"{sample}{row['name']}, {row['town'] or row['postcode']}: {services}; {row['accreditation']}; "
        f"{PRECISION_LABELS.get(row['location_precision'], '')}{withheld}"
    )


def _centre_layers(centres: pd.DataFrame) -> list[MarkerCluster]:
    records = _records(centres)
    types = [centre_type(row) for row in records]
    layers = []
    for kind in CENTRE_TYPES:
        rows = [row for row, of_type in zip(records, types) if of_type == kind]
        if not rows:
            continue
        cluster = MarkerCluster(
            name=f"Contact centres: {kind} ({len(rows)})",
            options={"showCoverageOnHover": False, "maxClusterRadius": 40, "disableClusteringAtZoom": 10},
        )
        cluster.default_js = [("markerclusterjs", _CLUSTER + "leaflet.markercluster.js")]
        cluster.default_css = [
            ("markerclustercss", _CLUSTER + "MarkerCluster.css"),
            ("markerclusterdefaultcss", _CLUSTER + "MarkerCluster.Default.css"),
        ]
        _PointLayer(
            _points(rows, {
                "tooltip": [_centre_tooltip(row) for row in rows],
                "icon_class": ["centre-icon approximate" if row["location_precision"] != "postcode" else "centre-icon"
                               for row in rows],
            }),
            icon={"html": f'<div style="background:{CENTRE_COLOURS[kind]};border-color:{CENTRE_COLOURS[kind]}"></div>',
                  "iconSize": [11, 11], "iconAnchor": [6, 6]},
            title=f"Contact centre: {kind}",  # its name for screen readers; the tooltip opens on focus too
        ).add_to(cluster)
        layers.append(cluster)
    return layers


@dataclass(frozen=True)
class DrawableAreas:
    """Areas as an area layer sends them to the browser: only what it uses, written to JSON once.

    Made by :func:`drawable_areas`; immutable, so a cache can hand the same
    one to every visitor.
    """

    features_json: str
    count: int


def drawable_areas(
    areas: dict, *, tooltip: Sequence[tuple[str, str]], key_property: str = "", emphasise: str = ""
) -> DrawableAreas:
    """The features of ``areas`` as an area layer draws them: fill, tooltip table and emphasis.

    Args:
        areas: a GeoJSON FeatureCollection (WGS84) whose features carry
            ``fill`` and the (HTML-escaped) properties ``tooltip`` names.
        tooltip: (label, property) rows of the hover tooltip.
        key_property: a property kept on each feature for the page to read
            back from a click (``last_active_drawing``), and matched by
            ``emphasise``.
        emphasise: the ``key_property`` value of the feature to outline
            heavily in black ("" for none).
    """
    features = [
        {
            "type": "Feature",
            "geometry": feature["geometry"],
            "properties": {
                "fill": feature["properties"]["fill"],
                "tooltip": "<table>" + "".join(
                    f"<tr><th>{html.escape(label)}</th><td>{feature['properties'][column]}</td></tr>"
                    for label, column in tooltip
                ) + "</table>",
                "emphasised": bool(emphasise) and feature["properties"][key_property] == emphasise,
            } | ({key_property: feature["properties"][key_property]} if key_property else {}),
        }
        for feature in areas["features"]
    ]
    return DrawableAreas(_script_json({"type": "FeatureCollection", "features": features}), len(features))


def coverage_areas(areas: dict) -> DrawableAreas:
    """:func:`area_features` output as the coverage map's drive-time layer draws it."""
    return drawable_areas(areas, tooltip=[("Local authority", "local_authority_name"), ("Median drive", "median_drive")])


class _AreaLayer(Layer):
    """Polygons filled by each feature's ``fill``, outlined on hover, with a tooltip table: one Leaflet GeoJSON layer.

    It draws what folium's ``GeoJson`` with a style function and a
    ``GeoJsonTooltip`` draws, from features already written to JSON
    (:class:`DrawableAreas`): ``GeoJson`` restyles and rewrites every feature
    on each of the renders ``st_folium`` makes, most of a map rerun's time.

    Args:
        areas: the features to draw.
        name: the layer's name in the layer control.
        fill_opacity: of every area, 0..1.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.areas.features_json }}, {
            style: function (feature) {
                return Object.assign({fillColor: feature.properties.fill}, {{ this.style_json }},
                                     feature.properties.emphasised ? {{ this.emphasis_json }} : {});
            },
            onEachFeature: function (feature, layer) {
                layer.bindTooltip(feature.properties.tooltip, {sticky: true, className: "area-tooltip"});
                layer.on({
                    mouseover: function (event) { event.target.setStyle({{ this.highlight_json }}); },
                    mouseout: function (event) { {{ this.get_name() }}.resetStyle(event.target); }
                });
            }
        });
        {% endmacro %}
        """
    )

    def __init__(self, areas: DrawableAreas, *, name: str, fill_opacity: float) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "AreaLayer"
        self.areas = areas
        self.style_json = _script_json({"fillOpacity": fill_opacity, "color": "#ffffff", "weight": 0.7})
        self.emphasis_json = _script_json({"color": "#000000", "weight": 3})
        self.highlight_json = _script_json({"color": "#000000", "weight": 2})

    def render(self, **kwargs: Any) -> None:
        """Add the layer's script to the page (see :func:`_render_data_script`), shown from the start."""
        self.add_child(ElementAddToElement(element_name=self.get_name(), element_parent_name=self._parent.get_name()),
                       name=self.get_name() + "_add")
        _render_data_script(self, **kwargs)


def drawable_centres(centres: pd.DataFrame, *, include_sample: bool) -> pd.DataFrame:
    """Open, placed centres to draw (sample records only when the rule includes them)."""
    keep = (centres["status"] == "open") & centres["lat"].notna() & centres["lon"].notna()
    if not include_sample:
        keep &= centres["sample"] != "yes"
    return centres[keep]


def bounds_of(coverage: pd.DataFrame, *, margin_degrees: float = 0.3) -> list[list[float]]:
    """[[south, west], [north, east]] around the courts drawn, with a margin."""
    return [
        [float(coverage["lat"].min()) - margin_degrees, float(coverage["lon"].min()) - margin_degrees],
        [float(coverage["lat"].max()) + margin_degrees, float(coverage["lon"].max()) + margin_degrees],
    ]


def legend_text(*, service: str) -> str:
    """The map legend in words, under the map (a text alternative for the colours)."""
    courts = ", ".join(f"{COURT_COLOUR_NAMES[s]}: {s}" for s in COURT_STATUSES)
    centres = ", ".join(CENTRE_TYPES)
    areas = ", ".join(REACH_CLASSES)
    return (
        f"Circles: family court centres coloured by the rule ({courts}). Diamonds: contact centres by service "
        f"({centres}); hollow diamonds are placed only approximately (town centre or postcode district). "
        f"Areas: median estimated drive to the nearest {service} centre in this directory, light to dark ({areas}). "
        "Switch layers with the control at the top right. Show the coverage as *Tables* for the same facts."
    )


def _serve_leaflet() -> None:
    """Have this Streamlit server serve the Leaflet and marker-cluster folders (declared, never called).

    Streamlit registers a declared component only during a script run, so
    this runs whenever a map is built rather than when the module is imported
    (the server may import it earlier, see ``serve.py``).
    """
    components.declare_component("leaflet", path=xstatic.pkg.leaflet.BASE_DIR)
    components.declare_component("leaflet_markercluster", path=xstatic.pkg.leaflet_markercluster.BASE_DIR)


def coverage_map(
    centres: pd.DataFrame,
    areas: DrawableAreas,
    *,
    service: str,
    bounds: Sequence[Sequence[float]],
) -> folium.Map:
    """The coverage map without its court layers (see :func:`court_layers`).

    Args:
        centres: public centre rows to draw (open, placed; see
            :func:`millis_network.directory.public_centres`).
        areas: the drive-time layer: :func:`coverage_areas` of :func:`area_features`.
        service: the service the area layer measures (for its name and legend).
        bounds: [[south, west], [north, east]] to fit the view to (WGS84).
    """
    fmap = _base_map()
    if areas.count:
        _AreaLayer(areas, name=f"Drive to nearest {service} centre, by local authority", fill_opacity=0.6).add_to(fmap)
    for layer in _centre_layers(centres):
        layer.add_to(fmap)
    fmap.add_child(_Legend(_legend_html(service=service)))
    fmap.fit_bounds(bounds)
    return fmap


def _base_map(*, tiles: bool = True) -> folium.Map:
    """An empty map on the bundled Leaflet, with the optional street background as its one network layer.

    Args:
        tiles: False for a map that is no geography (the hex cartogram): no street background, no scale bar.
    """
    _serve_leaflet()
    fmap = folium.Map(tiles=None, control_scale=tiles, zoom_snap=0.25)
    fmap.default_js = [("leaflet", _LEAFLET + "leaflet.js")]
    fmap.default_css = [("leaflet_css", _LEAFLET + "leaflet.css")]
    fmap.get_root().header.add_child(Element(_STYLE))
    if tiles:
        folium.TileLayer(
            STREET_MAP, name="Street map (needs internet)", overlay=True, control=True, show=True
        ).add_to(fmap)
    return fmap


def comparison_features(frame: gpd.GeoDataFrame, *, value_column: str, scale: ColourScale) -> dict:
    """Local authorities coloured by ``value_column`` on ``scale``, as a GeoJSON dict.

    ``frame`` is :func:`millis_network.engine.scenario.comparison_map_frame`
    for one service. Properties: ``local_authority_name`` (HTML-escaped),
    ``scenario_text`` and ``directory_text`` (shares as percentages), ``fill``.
    """
    features = []
    for row, geometry in zip(frame.itertuples(), frame.geometry.__geo_interface__["features"]):
        properties = {
            "local_authority_name": html.escape(str(row.local_authority_name)),
            "scenario_text": format_share(row.scenario_share),
            "directory_text": format_share(row.directory_share),
            "fill": scale.colour(float(getattr(row, value_column))),
        }
        features.append({"type": "Feature", "properties": properties, "geometry": geometry["geometry"]})
    return {"type": "FeatureCollection", "features": features}


def _scale_legend_html(title: str, scale: ColourScale) -> str:
    rows = "".join(f'<div><i class="area" style="background:{colour}"></i>{label}</div>'
                   for label, colour in zip((*scale.labels, "no data"), (*scale.colours, NO_DATA_COLOUR)))
    return f"<b>{html.escape(title)}</b>{rows}"


def comparison_map(areas: dict, *, scale: ColourScale, title: str, bounds: Sequence[Sequence[float]]) -> folium.Map:
    """The campaign's network map: :func:`comparison_features` drawn on ``scale`` with its legend.

    Args:
        areas: :func:`comparison_features` output.
        scale: the colour scale the features were coloured on (for the legend).
        title: what the colours show (layer name and legend heading).
        bounds: [[south, west], [north, east]] to fit the view to (WGS84).
    """
    fmap = _base_map()
    _AreaLayer(
        drawable_areas(areas, tooltip=[("Local authority", "local_authority_name"),
                                       ("Statutory network", "scenario_text"), ("This directory", "directory_text")]),
        name=title,
        fill_opacity=0.75,
    ).add_to(fmap)
    fmap.add_child(_Legend(_scale_legend_html(title, scale)))
    fmap.fit_bounds(bounds)
    return fmap


def frame_bounds(frame: gpd.GeoDataFrame) -> list[list[float]]:
    """[[south, west], [north, east]] of a frame's geometries (WGS84)."""
    west, south, east, north = (float(value) for value in frame.total_bounds)
    return [[south, west], [north, east]]


#: Share of people beyond reach (0..1): viridis light (few) to dark (most), as the drive-time layer's dark = far.
BEYOND_SCALE = ColourScale(bounds=SHARE_SCALE.bounds, labels=SHARE_SCALE.labels, colours=VIRIDIS_5)


def hex_features(hexes: gpd.GeoDataFrame, values: pd.DataFrame, *, value_column: str, scale: ColourScale) -> dict:
    """Constituency hexagons coloured by ``value_column`` on ``scale``, as a GeoJSON dict.

    ``values`` holds ``gss_code``, ``name``, ``value_text`` and ``value_column``
    per constituency; hexagons without a row (Scotland, Northern Ireland) are
    left out. Properties: ``gss_code``, ``name`` (HTML-escaped), ``value_text``, ``fill``.
    """
    rows = values.set_index("gss_code")
    features = []
    for code, geometry in zip(hexes["gss_code"], hexes.geometry.__geo_interface__["features"]):
        if code not in rows.index:
            continue
        row = rows.loc[code]
        properties = {
            "gss_code": code,
            "name": html.escape(str(row["name"])),
            "value_text": html.escape(str(row["value_text"])),
            "fill": scale.colour(float(row[value_column])),
        }
        features.append({"type": "Feature", "properties": properties, "geometry": geometry["geometry"]})
    return {"type": "FeatureCollection", "features": features}


def hex_map(features: dict, *, scale: ColourScale, title: str, credit: str, selected: str = "") -> folium.Map:
    """The constituency hex cartogram: :func:`hex_features` on ``scale``, without a street map (it is no geography).

    Args:
        features: :func:`hex_features` output.
        scale: the colour scale the features were coloured on (for the legend).
        title: what the colours show (layer name and legend heading).
        credit: the hex map's credit line, shown in the legend.
        selected: the GSS code of the constituency to outline, if any.
    """
    fmap = _base_map(tiles=False)
    _AreaLayer(
        drawable_areas(features, tooltip=[("Constituency", "name"), (title, "value_text")], key_property="gss_code",
                       emphasise=selected),
        name=title,
        fill_opacity=0.9,
    ).add_to(fmap)
    fmap.add_child(_Legend(_scale_legend_html(title, scale) + f"<div>{html.escape(credit)}</div>"))
    shapes = gpd.GeoDataFrame.from_features(features["features"]) if features["features"] else None
    if shapes is not None:
        fmap.fit_bounds(frame_bounds(shapes))
    return fmap
