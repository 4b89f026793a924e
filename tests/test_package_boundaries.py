"""Architecture rules that keep the library reusable."""

from __future__ import annotations

import ast
from pathlib import Path

LIBRARY = Path(__file__).resolve().parent.parent / "millis_network"


def test_library_never_imports_streamlit() -> None:
    offenders = []
    for path in LIBRARY.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] == "streamlit"]
    assert offenders == []


def test_every_library_module_has_a_docstring() -> None:
    missing = [p.name for p in LIBRARY.rglob("*.py") if ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None]
    assert missing == []
