"""Entrypoint of the millis_network dashboard: navigation and shared sidebar.

Run with ``streamlit run dashboard/app.py``. Pages live in ``dashboard/pages/``
and stay thin: every number comes from ``millis_network``.
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Child contact centres: coverage", page_icon="🧸", layout="wide")

PAGES = [
    st.Page("pages/coverage_map.py", title="Coverage map", icon="🗺️", default=True),
    st.Page("pages/standards.py", title="Standards", icon="✅"),
]

st.navigation(PAGES).run()
