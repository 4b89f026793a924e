"""Architecture rules that keep the library reusable: layers import downwards only.

The layers are DESIGN.md's table. Each module of ``millis_network`` belongs to
one; a module may import only the layers its own layer may (and the package
root, for ``__version__``). The library never imports streamlit or the
dashboard; nothing below the CLI imports an import of ours inside a function
(a hidden import is how a cycle gets dodged).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LIBRARY = Path(__file__).resolve().parent.parent / "millis_network"

INTERNALS = {"config", "errors", "validation", "_geo", "_text", "_sheets", "wording"}
READERS = {"postcodes", "places", "directory", "landmasses", "privacy", "network", "drive_model", "ferries"}
PACKAGES = ("engine", "standards", "store", "sources", "evidence", "cli", "build")

#: What each layer may import, besides the package root.
MAY_IMPORT: dict[str, set[str]] = {
    "internals": {"internals"},
    "readers": {"internals", "readers"},
    "engine": {"internals", "readers", "engine"},
    "standards": {"internals", "standards"},
    "sources": {"internals", "sources"},
    "store": {"internals", "readers", "store"},
    "evidence": {"internals", "readers", "engine", "standards", "sources", "evidence"},
    "cli": {"internals", "readers", "engine", "standards", "sources", "store", "evidence", "cli", "build"},
    "build": {"internals", "readers", "engine", "standards", "sources", "store", "evidence", "build"},
}


def layer_of(module: str) -> str:
    """The layer of a dotted module name below ``millis_network`` ("root" for the package itself)."""
    parts = module.split(".")[1:]
    if not parts:
        return "root"
    if parts[0] in PACKAGES:
        return parts[0]
    if parts[0] in INTERNALS:
        return "internals"
    if parts[0] in READERS:
        return "readers"
    raise AssertionError(f"{module} is in no layer: add it to the table in {Path(__file__).name}")


def module_name(path: Path) -> str:
    relative = path.relative_to(LIBRARY.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports(path: Path) -> list[tuple[str, bool]]:
    """Every module this file imports: (dotted name, whether the import sits inside a function)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append((child.module, in_function))
                if child.module == "millis_network":
                    found.extend((f"millis_network.{alias.name}", in_function) for alias in child.names
                                 if alias.name != "__version__")
            visit(child, inner)

    visit(tree, False)
    return found


MODULES = sorted(LIBRARY.rglob("*.py"))


def test_library_never_imports_streamlit_or_the_dashboard() -> None:
    offenders = [f"{module_name(path)}: {name}" for path in MODULES for name, _ in imports(path)
                 if name.split(".")[0] in ("streamlit", "dashboard", "loaders", "map_layers", "shared", "tables")]
    assert offenders == []


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_each_module_imports_only_the_layers_below_it(path: Path) -> None:
    own = layer_of(module_name(path))
    allowed = MAY_IMPORT.get(own, {"internals"}) | {"root"}
    wrong = [name for name, _ in imports(path)
             if name.split(".")[0] == "millis_network" and layer_of(name) not in allowed]
    assert wrong == [], f"{module_name(path)} ({own}) may import only {sorted(allowed)}"


def test_nothing_below_the_command_line_hides_an_import_of_ours_in_a_function() -> None:
    hidden = [f"{module_name(path)}: {name}" for path in MODULES for name, inside in imports(path)
              if inside and name.split(".")[0] == "millis_network" and layer_of(module_name(path)) not in ("cli", "build")]
    assert hidden == []


def test_the_layer_table_catches_an_upward_import(tmp_path: Path) -> None:
    """The rule itself can fail: an engine module importing evidence is refused."""
    upward = tmp_path / "bad.py"
    upward.write_text("from millis_network.evidence.exports import export_tables\n", encoding="utf-8")
    names = [name for name, _ in imports(upward)]
    assert layer_of(names[0]) == "evidence" and "evidence" not in MAY_IMPORT["engine"]


def test_every_library_module_has_a_docstring() -> None:
    missing = [module_name(p) for p in MODULES if ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None]
    assert missing == []


def test_no_command_module_imports_another_inside_a_function() -> None:
    """Command modules share options through ``cli.options``, never by a hidden import of each other."""
    hidden = [f"{module_name(path)}: {name}" for path in MODULES for name, inside in imports(path)
              if inside and name.startswith("millis_network.cli")]
    assert hidden == []
