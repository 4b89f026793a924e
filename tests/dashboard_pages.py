"""Shared test helper: the dashboard under Streamlit's AppTest, opened at one page.

``conftest.py`` puts ``dashboard/`` on ``sys.path``: the dashboard's modules
import each other by bare name, as Streamlit runs them.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard"


def dashboard_at(page: str, /, *, timeout_s: float = 60, **query: str) -> AppTest:
    """The dashboard (``app.py``) opened at ``views/<page>.py`` with these URL parameters; not yet run."""
    at = AppTest.from_file(str(DASHBOARD / "app.py"), default_timeout=timeout_s)
    at.switch_page(f"views/{page}.py")
    at.query_params.update(query)
    return at
