"""Data loaders for the dashboard pages: the only place caching is applied.

Pages call these instead of reading files themselves, so every visitor's
session shares one parsed copy of the bundled data. Widget values are passed
in as arguments. Nothing a visitor uploads is ever passed to a cached
function: uploads stay in that visitor's session only.
"""

from __future__ import annotations

import streamlit as st

from millis_network import standards as std


@st.cache_data(show_spinner=False)
def standards() -> std.Standards:
    """The bundled minimum training standards (``network_data/standards/standards.yaml``)."""
    return std.load_standards()


@st.cache_data(show_spinner=False)
def standards_sample_records() -> std.Records:
    """The bundled Milli's sample (illustrative) roster, read against the bundled standards."""
    return std.load_records(std.default_sample_path(), std.load_standards())
