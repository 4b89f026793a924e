"""The dashboard benchmark's baseline: a minimal Streamlit app showing the landing page's map from a prepared file.

Started by ``benchmarks/dashboard_first_map.py`` as
``streamlit run benchmarks/baseline_map_app.py -- PREPARED.pickle`` with
``dashboard/`` on ``PYTHONPATH``. It draws the same folium map as the coverage
map page (the same :mod:`map_layers` layers from the same data, written to the
file beforehand) and nothing else: no directory database, no analysis, no
sidebar but one control. The benchmark's ratio to it says what the dashboard
adds to Streamlit and folium themselves. The control is the dashboard's reach
threshold, choosing between court layers prepared for each threshold, so a
change redraws the map as the dashboard's does with nothing worked out: the
least a threshold change can cost in this browser.
"""

from __future__ import annotations

import pickle
import sys

import folium
import map_layers
import streamlit as st
from streamlit_folium import st_folium

with open(sys.argv[1], "rb") as file:
    prepared = pickle.load(file)

threshold = st.sidebar.selectbox("Reach threshold", list(prepared["coverage"]))
st_folium(
    map_layers.coverage_map(prepared["centres"], prepared["areas"], service="supported", bounds=prepared["bounds"]),
    feature_group_to_add=map_layers.court_layers(prepared["coverage"][threshold]),
    layer_control=folium.LayerControl(collapsed=True),
    key="coverage_map",
    height=map_layers.MAP_HEIGHT_PX,
    use_container_width=True,
    render=map_layers.RENDER_WHOLE_PAGE,
    returned_objects=["last_object_clicked"],
)
