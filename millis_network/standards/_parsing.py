"""What the standards and records readers share: YAML with line numbers, key checks, dates, file names.

YAML is read with a loader that refuses what no hand-written standards or
records file needs and a hostile one uses to exhaust memory or time: more
than :data:`MAX_YAML_ALIASES` aliases (``*name``), aliases that between them
repeat more than :data:`MAX_YAML_ALIAS_NODES` nodes, or nesting deeper than
:data:`MAX_YAML_DEPTH` (a recursive alias included). A "billion laughs" file
is refused at its twenty-first alias, before anything is expanded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import yaml

from millis_network._sheets import parse_date
from millis_network.standards.rules import Locator, field_name
from millis_network.validation import ValidationReport

#: Most aliases (``*name``) one YAML file may use.
MAX_YAML_ALIASES = 20
#: Most nodes the aliases of one YAML file may repeat between them.
MAX_YAML_ALIAS_NODES = 10_000
#: Deepest nesting of mappings and lists in one YAML file.
MAX_YAML_DEPTH = 64


class _Refused(Exception):
    """A YAML file goes beyond what the loader accepts; ``rule`` and ``line`` say what and where."""

    def __init__(self, rule: str, message: str, line: int) -> None:
        super().__init__(message)
        self.rule = rule
        self.line = line


_TOO_MANY_ALIASES = (
    f"the YAML uses more than {MAX_YAML_ALIASES} aliases (*name), or its aliases repeat more than "
    f"{MAX_YAML_ALIAS_NODES:,} entries; write the values out in full"
)
_TOO_DEEP = f"the YAML nests lists and mappings more than {MAX_YAML_DEPTH} deep; flatten it"


class _GuardedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, counting aliases and nesting as it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        """Compose the next node, refusing the alias after :data:`MAX_YAML_ALIASES` and deep nesting."""
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise _Refused("yaml-aliases", _TOO_MANY_ALIASES, self._next_line())
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise _Refused("yaml-depth", _TOO_DEEP, self._next_line())
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _next_line(self) -> int:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
        return event.start_mark.line + 1 if event.start_mark is not None else 0


def load_yaml(text: str, file: str, report: ValidationReport) -> tuple[object, Locator]:
    """Parse YAML, remembering the line of every key and list item.

    Syntax errors, duplicate keys and files the guarded loader refuses go to
    ``report`` (the data is then None).
    """
    lines: dict[tuple[object, ...], int] = {}
    loader = _GuardedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, Locator(file, lines)
        return _Builder(loader, file, report, lines).build(node, ()), Locator(file, lines)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        report.add(file, line, "", "", "yaml-syntax", f"not valid YAML: {exc.problem}; fix the syntax")
    except _Refused as exc:
        report.add(file, exc.line, "", "", exc.rule, str(exc))
    finally:
        loader.dispose()
    return None, Locator(file, {})


class _Builder:
    """Turns composed nodes into Python data, recording lines and counting what aliases repeat."""

    def __init__(
        self, loader: _GuardedLoader, file: str, report: ValidationReport, lines: dict[tuple[object, ...], int]
    ) -> None:
        self.loader = loader
        self.file = file
        self.report = report
        self.lines = lines
        self.seen: set[int] = set()
        self.repeated = 0

    def build(self, node: yaml.Node, path: tuple[object, ...]) -> object:
        if id(node) in self.seen:  # reached again through an alias
            self.repeated += 1
            if self.repeated > MAX_YAML_ALIAS_NODES:
                raise _Refused("yaml-aliases", _TOO_MANY_ALIASES, node.start_mark.line + 1)
        self.seen.add(id(node))
        if len(path) > MAX_YAML_DEPTH:  # only an alias inside what it names gets here
            raise _Refused("yaml-depth", _TOO_DEEP, node.start_mark.line + 1)
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[object, object] = {}
            for key_node, value_node in node.value:
                key = self.scalar(key_node)
                if not isinstance(key, str | int | date):
                    key = str(key)
                key_path = (*path, key)
                if key in out:
                    self.report.add(
                        self.file,
                        key_node.start_mark.line + 1,
                        field_name(key_path),
                        key,
                        "duplicate-key",
                        f"the key {key!r} appears twice here; keep one",
                    )
                self.lines[key_path] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, key_path)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> object:
        if not isinstance(node, yaml.ScalarNode):
            return f"<{getattr(node, 'id', 'node')}>"
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError):  # e.g. a timestamp such as 2014-02-30
            return node.value


def as_date(value: object) -> date | None:
    """A date from a YAML or spreadsheet value: a date, or text :func:`millis_network._sheets.parse_date` reads."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_date(value)
    return None


def display_name(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it, else as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class Checker:
    """Records issues at key paths of one file."""

    def __init__(self, where: Locator, report: ValidationReport) -> None:
        self.where = where
        self.report = report

    def bad(self, path: tuple[object, ...], value: object, rule: str, message: str) -> None:
        """Report a problem at ``path`` (its line and dotted field name)."""
        self.report.add(self.where.file, self.where.line(path), field_name(path), value, rule, message)

    def keys(
        self,
        data: object,
        path: tuple[object, ...],
        *,
        required: Sequence[str],
        optional: Sequence[str] = (),
        what: str,
    ) -> Mapping[object, object] | None:
        """``data`` as a mapping with its keys checked, or None when it is not one."""
        if not isinstance(data, Mapping):
            self.bad(path, data, "not-mapping", f"{what} must be a mapping of keys to values")
            return None
        for key in required:
            if key not in data:
                self.bad(path, "", "key-missing", f"{what} needs the key {key!r}")
        for key in data:
            if key not in required and key not in optional:
                self.bad(
                    (*path, key),
                    key,
                    "key-unknown",
                    f"{what} has no key {key!r}; its keys are: {', '.join([*required, *optional])}",
                )
        return data

    def text(self, data: Mapping[object, object], key: str, path: tuple[object, ...], *, required: bool = True) -> str:
        """``data[key]`` as stripped text; "" (and an issue when required or present) when it is not text."""
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            if key in data or required:
                self.bad((*path, key), value, "text-missing", f"{key} must be non-empty text")
            return ""
        return value.strip()
