"""Entrypoint of the millis_network dashboard: navigation and shared sidebar.

Run with ``python dashboard/serve.py`` (``streamlit run dashboard/app.py`` plus
the landing page prepared while the browser loads). Pages live in ``dashboard/views/``
and stay thin: every number comes from ``millis_network``. The shared sidebar
controls and data notices are in ``shared.py``; cached loaders in ``loaders.py``.
An unexpected error in a page is logged on the server (logger
``millis_network.dashboard``, with its traceback) and the visitor sees a short
apology instead, never a traceback.
"""

from __future__ import annotations

import logging

import shared
import streamlit as st

st.set_page_config(page_title="Child contact centres: coverage", page_icon=":material/family_restroom:", layout="wide")

PAGES = [
    st.Page("views/coverage_map.py", title="Coverage map", icon=":material/map:", default=True),
    st.Page("views/find_a_centre.py", title="Find a centre", icon=":material/location_on:"),
    st.Page("views/gaps.py", title="Gaps", icon=":material/flag:"),
    st.Page("views/campaign_network.py", title="The campaign's network", icon=":material/account_balance:"),
    st.Page("views/constituencies.py", title="Constituencies", icon=":material/how_to_vote:"),
    st.Page("views/about.py", title="About the data", icon=":material/info:"),
    st.Page("views/standards.py", title="Standards", icon=":material/checklist:"),
    st.Page("views/evidence.py", title="Evidence", icon=":material/description:"),
    st.Page("views/funding.py", title="Funding", icon=":material/currency_pound:"),
    st.Page("views/directory.py", title="Directory", icon=":material/contacts:"),
]

#: Server-side log of unexpected errors on a page (visitors see only :data:`FRIENDLY_ERROR`).
LOG = logging.getLogger("millis_network.dashboard")
#: What a visitor sees when a page fails unexpectedly: no traceback, no internals.
FRIENDLY_ERROR = (
    "**Sorry, this page could not be shown.** Something unexpected went wrong; it has been recorded for the "
    "people who run this site. Try again in a moment, or choose another page."
)

#: Layout fixes for small screens: tables written in Markdown (the sources list) wrap long words and
#: links instead of pushing the page sideways on a phone.
STYLE = """<style>
[data-testid="stMarkdownContainer"] table { width: 100%; }
[data-testid="stMarkdownContainer"] :is(th, td, th *, td *) { overflow-wrap: anywhere; }
</style>"""

page = st.navigation(PAGES)
st.html(STYLE)
try:
    shared.shared_furniture()
    page.run()
except Exception:
    LOG.exception("page %r failed", page.url_path or "(landing page)")
    st.error(FRIENDLY_ERROR, icon=":material/error:")
