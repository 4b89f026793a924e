"""Entrypoint of the millis_network dashboard: navigation and shared sidebar.

Run with ``python dashboard/serve.py`` (``streamlit run dashboard/app.py`` plus
the landing page prepared while the browser loads). Pages live in ``dashboard/views/``
and stay thin: every number comes from ``millis_network``. The shared sidebar
controls and data notices are in ``shared.py``; cached loaders in ``loaders.py``.
"""

from __future__ import annotations

import shared
import streamlit as st

st.set_page_config(page_title="Child contact centres: coverage", page_icon=":material/family_restroom:", layout="wide")

PAGES = [
    st.Page("views/coverage_map.py", title="Coverage map", icon=":material/map:", default=True),
    st.Page("views/find_a_centre.py", title="Find a centre", icon=":material/location_on:"),
    st.Page("views/gaps.py", title="Gaps", icon=":material/flag:"),
    st.Page("views/campaign_network.py", title="The campaign's network", icon=":material/account_balance:"),
    st.Page("views/about.py", title="About the data", icon=":material/info:"),
    st.Page("views/standards.py", title="Standards", icon=":material/checklist:"),
    st.Page("views/evidence.py", title="Evidence", icon=":material/description:"),
    st.Page("views/funding.py", title="Funding", icon=":material/currency_pound:"),
    st.Page("views/directory.py", title="Directory", icon=":material/contacts:"),
]

shared.shared_furniture()
st.navigation(PAGES).run()
