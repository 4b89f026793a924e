"""Entrypoint of the millis_network dashboard: navigation and shared sidebar.

Run with ``streamlit run dashboard/app.py``. Pages live in ``dashboard/pages/``
and stay thin: every number comes from ``millis_network``. The shared sidebar
controls and data notices are in ``shared.py``; cached loaders in ``loaders.py``.
"""

from __future__ import annotations

import streamlit as st

import shared

st.set_page_config(page_title="Child contact centres: coverage", page_icon="🧸", layout="wide")

PAGES = [
    st.Page("pages/coverage_map.py", title="Coverage map", icon="🗺️", default=True),
    st.Page("pages/find_a_centre.py", title="Find a centre", icon="📍"),
    st.Page("pages/gaps.py", title="Gaps", icon="🚩"),
    st.Page("pages/about.py", title="About the data", icon="📚"),
    st.Page("pages/standards.py", title="Standards", icon="✅"),
]

page = st.navigation(PAGES)
shared.start_session()
shared.sidebar_controls()
shared.keep_controls_in_url()
page.run()
