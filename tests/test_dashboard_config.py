"""The shipped Streamlit settings are the production ones: no developer toolbar, no tracebacks for visitors."""

from __future__ import annotations

import tomllib
from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"


def test_visitors_get_no_developer_toolbar_and_no_tracebacks() -> None:
    settings = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert settings["client"]["toolbarMode"] == "viewer"
    assert settings["client"]["showErrorDetails"] == "none"
    assert settings["browser"]["gatherUsageStats"] is False
