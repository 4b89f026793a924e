"""The standards as data: sources, parameters, evidence kinds and requirements, read from YAML.

``network_data/standards/standards.yaml`` holds versioned requirements, each
with an id, title, level (``must`` or ``should``), the roles it applies to, a
machine-checkable rule (:mod:`millis_network.standards.rules`), a rationale
and its sources. :func:`parse_standards` reports every problem as an issue
naming file, line and field; :func:`load_standards` raises them all at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import pandas as pd

from millis_network.config import default_data_dir
from millis_network.standards._parsing import Checker, display_name, load_yaml
from millis_network.standards.rules import (
    ROLES,
    SERVICES,
    Rule,
    Subject,
    Vocabulary,
    describe_rule,
    parse_rule,
)
from millis_network.validation import ValidationReport

__all__ = [
    "STANDARDS_FORMAT",
    "EvidenceKind",
    "Level",
    "Parameter",
    "Requirement",
    "Source",
    "Standards",
    "default_standards_path",
    "load_standards",
    "parameters_frame",
    "parse_standards",
    "requirements_frame",
    "with_parameters",
]

Level = Literal["must", "should"]

STANDARDS_FORMAT = "millis-network-standards/1"

_KIND_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_REQUIREMENT_ID = re.compile(r"^[A-Z][A-Z0-9]*-[0-9]+$")


def default_standards_path() -> Path:
    """``network_data/standards/standards.yaml`` of this checkout."""
    return default_data_dir() / "standards" / "standards.yaml"


@dataclass(frozen=True)
class Source:
    """A public statement the standards cite."""

    id: str
    citation: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Parameter:
    """A number a rule uses: a period, an interval or a count.

    Attributes:
        name: referred to by rules as ``{param: name}``.
        value: a whole number in ``unit``.
        unit: ``months``, ``modules``, ...
        stated_default: True when no public statement gives the figure and the
            value is this file's stated default; False when ``source`` gives it.
        source: id of the source that gives the figure ("" for defaults).
        note: where the figure comes from, or why the default was chosen.
    """

    name: str
    value: int
    unit: str
    stated_default: bool
    source: str = ""
    note: str = ""


@dataclass(frozen=True)
class EvidenceKind:
    """A kind of dated evidence a record can hold (a check, a course, a policy).

    Attributes:
        id: e.g. ``dbs_enhanced``.
        title: readable name used in reasons, e.g. ``enhanced DBS check``.
        subject: ``person`` or ``centre``.
        description: what to record and how.
        items: item labels for kinds with several numbered items (NACCC modules).
    """

    id: str
    title: str
    subject: Subject
    description: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Requirement:
    """One requirement of the standards.

    Attributes:
        id: stable id such as ``DBS-1``; never reused for a different meaning.
        title: one line.
        level: ``must`` (the campaign's minimum) or ``should`` (good practice).
        applies_to: person roles, or ``("centre",)`` for a centre requirement.
        applies_if_service: when set, only centres offering this kind of
            contact are checked against it.
        rule: the machine-checkable rule.
        rationale: why, in plain English, quoting the sources.
        sources: ids of the sources it rests on.
    """

    id: str
    title: str
    level: Level
    applies_to: tuple[str, ...]
    rule: Rule
    rationale: str
    sources: tuple[str, ...]
    applies_if_service: str = ""

    @property
    def subject(self) -> Subject:
        """``centre`` for a centre requirement, else ``person``."""
        return "centre" if self.applies_to == ("centre",) else "person"


@dataclass(frozen=True)
class Standards:
    """The minimum standards: sources, parameters, evidence kinds and requirements."""

    version: str
    title: str
    summary: str
    sources: tuple[Source, ...]
    parameters: tuple[Parameter, ...]
    evidence_kinds: tuple[EvidenceKind, ...]
    requirements: tuple[Requirement, ...]
    file: str = ""

    def parameter_values(self) -> dict[str, int]:
        """Parameter name -> value."""
        return {p.name: p.value for p in self.parameters}

    def titles(self) -> dict[str, str]:
        """Evidence kind -> readable title."""
        return {k.id: k.title for k in self.evidence_kinds}

    def source(self, source_id: str) -> Source:
        """The declared source ``source_id`` (KeyError when undeclared)."""
        for declared in self.sources:
            if declared.id == source_id:
                return declared
        raise KeyError(source_id)

    def describe(self, requirement: Requirement) -> str:
        """A requirement's rule in plain English with parameter values filled in."""
        return describe_rule(requirement.rule, titles=self.titles(), parameters=self.parameter_values())


def load_standards(path: Path | str | None = None) -> Standards:
    """Read and validate the standards file.

    Raises:
        DataFileError: listing every problem as ``file:line: field: message``.
    """
    file = Path(path) if path is not None else default_standards_path()
    standards, report = parse_standards(file.read_text(encoding="utf-8"), file=display_name(file))
    report.raise_if_any()
    assert standards is not None
    return standards


def parse_standards(text: str, *, file: str) -> tuple[Standards | None, ValidationReport]:
    """Parse standards YAML text; every problem is an issue naming file, line and field.

    Returns:
        The standards (None when there are problems) and the report.
    """
    report = ValidationReport()
    data, where = load_yaml(text, file, report)
    if not report.ok:
        return None, report
    check = Checker(where, report)
    top = check.keys(
        data,
        (),
        required=("format", "version", "title", "summary", "sources", "parameters", "evidence_kinds", "requirements"),
        what="the standards file",
    )
    if top is None:
        return None, report
    if top.get("format", STANDARDS_FORMAT) != STANDARDS_FORMAT:
        check.bad(("format",), top.get("format"), "format-unknown", f"format must be {STANDARDS_FORMAT!r}")
    version = str(top.get("version", "")).strip()
    if "version" in top and not version:
        check.bad(("version",), "", "text-missing", "version must be non-empty")
    title = check.text(top, "title", ())
    summary = check.text(top, "summary", ())
    sources = _parse_sources(top.get("sources"), check)
    source_ids = {s.id for s in sources}
    parameters = _parse_parameters(top.get("parameters"), check, source_ids)
    kinds = _parse_evidence_kinds(top.get("evidence_kinds"), check)
    vocabulary = Vocabulary(
        evidence_subjects={k.id: k.subject for k in kinds},
        evidence_items={k.id: k.items for k in kinds},
        parameters=frozenset(p.name for p in parameters),
    )
    requirements = _parse_requirements(top.get("requirements"), check, vocabulary, source_ids)
    if not report.ok:
        return None, report
    return (
        Standards(version, title, summary, sources, parameters, kinds, requirements, file=file),
        report,
    )


def _named_mappings(data: object, key: str, check: Checker) -> list[tuple[str, Mapping[object, object]]]:
    """The entries of a mapping of ids to mappings; other entries are reported and skipped."""
    if not isinstance(data, Mapping) or not data:
        check.bad((key,), data, "not-mapping", f"{key} must be a non-empty mapping of ids to entries")
        return []
    entries = []
    for entry_id, entry in data.items():
        if isinstance(entry, Mapping):
            entries.append((str(entry_id), entry))
        else:
            check.bad((key, entry_id), entry, "not-mapping", "each entry must be a mapping of keys to values")
    return entries


def _parse_sources(data: object, check: Checker) -> tuple[Source, ...]:
    sources = []
    for source_id, entry in _named_mappings(data, "sources", check):
        path = ("sources", source_id)
        check.keys(entry, path, required=("citation",), optional=("url", "note"), what=f"source {source_id}")
        sources.append(
            Source(
                source_id,
                check.text(entry, "citation", path),
                check.text(entry, "url", path, required=False),
                check.text(entry, "note", path, required=False),
            )
        )
    return tuple(sources)


def _parse_parameters(data: object, check: Checker, source_ids: set[str]) -> tuple[Parameter, ...]:
    parameters = []
    for name, entry in _named_mappings(data, "parameters", check):
        path = ("parameters", name)
        check.keys(
            entry,
            path,
            required=("value", "unit", "stated_default", "note"),
            optional=("source",),
            what=f"parameter {name}",
        )
        value = entry.get("value")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            check.bad((*path, "value"), value, "parameter-invalid", "value must be a whole number of at least 1")
            value = 1
        stated_default = entry.get("stated_default")
        if not isinstance(stated_default, bool):
            check.bad((*path, "stated_default"), stated_default, "not-boolean", "stated_default must be true or false")
        source = entry.get("source", "")
        if stated_default is False and source not in source_ids:
            check.bad(
                (*path, "source"),
                source,
                "source-unknown",
                "a parameter that is not a stated default must cite a declared source id",
            )
        parameters.append(
            Parameter(
                name,
                value,
                check.text(entry, "unit", path),
                bool(stated_default),
                str(source or ""),
                check.text(entry, "note", path),
            )
        )
    return tuple(parameters)


def _parse_evidence_kinds(data: object, check: Checker) -> tuple[EvidenceKind, ...]:
    kinds = []
    for kind, entry in _named_mappings(data, "evidence_kinds", check):
        path = ("evidence_kinds", kind)
        if not _KIND_ID.match(kind):
            check.bad(path, kind, "kind-id-invalid", "evidence kind ids are lower_case_with_underscores")
        check.keys(
            entry, path, required=("title", "subject", "description"), optional=("items",), what=f"evidence kind {kind}"
        )
        subject: Subject = "centre" if entry.get("subject") == "centre" else "person"
        if entry.get("subject") not in ("person", "centre"):
            check.bad(
                (*path, "subject"), entry.get("subject"), "subject-unknown", "subject must be 'person' or 'centre'"
            )
        items = entry.get("items", [])
        if (
            not isinstance(items, list)
            or not all(isinstance(i, str) and i for i in items)
            or len(set(items)) != len(items)
        ):
            check.bad((*path, "items"), items, "items-invalid", "items must be a list of distinct quoted labels")
            items = []
        kinds.append(
            EvidenceKind(
                kind,
                check.text(entry, "title", path),
                subject,
                check.text(entry, "description", path),
                tuple(items),
            )
        )
    return tuple(kinds)


def _parse_requirements(
    data: object, check: Checker, vocabulary: Vocabulary, source_ids: set[str]
) -> tuple[Requirement, ...]:
    if not isinstance(data, list) or not data:
        check.bad(("requirements",), data, "not-list", "requirements must be a non-empty list")
        return ()
    requirements = []
    seen: set[str] = set()
    for i, entry in enumerate(data):
        path: tuple[object, ...] = ("requirements", i)
        item = check.keys(
            entry,
            path,
            required=("id", "title", "level", "applies_to", "rule", "rationale", "sources"),
            optional=("applies_if_service",),
            what="a requirement",
        )
        if item is None:
            continue
        req_id = str(item.get("id", ""))
        if not _REQUIREMENT_ID.match(req_id):
            check.bad(
                (*path, "id"), req_id, "requirement-id-invalid", "id must look like DBS-1 (capitals, hyphen, number)"
            )
        elif req_id in seen:
            check.bad(
                (*path, "id"),
                req_id,
                "requirement-id-duplicate",
                f"id {req_id} is used twice; ids are stable and unique",
            )
        seen.add(req_id)
        level = item.get("level")
        if level not in ("must", "should"):
            check.bad((*path, "level"), level, "level-unknown", "level must be 'must' or 'should'")
        applies_to = item.get("applies_to")
        subject: Subject = "person"
        if not isinstance(applies_to, list) or not applies_to:
            check.bad(
                (*path, "applies_to"), applies_to, "roles-missing", "applies_to must be a non-empty list of roles"
            )
            applies_to = []
        for j, role in enumerate(applies_to):
            if role not in ROLES:
                check.bad(
                    (*path, "applies_to", j),
                    role,
                    "role-unknown",
                    f"unknown role {role!r}; use one of: {', '.join(ROLES)}",
                )
        if "centre" in applies_to:
            subject = "centre"
            if len(applies_to) > 1:
                check.bad(
                    (*path, "applies_to"),
                    applies_to,
                    "roles-mixed",
                    "a requirement applies either to the centre or to people; split it in two",
                )
        service = item.get("applies_if_service", "")
        if service and service not in SERVICES:
            check.bad(
                (*path, "applies_if_service"),
                service,
                "service-unknown",
                f"unknown service {service!r}; use one of: {', '.join(SERVICES)}",
            )
        sources = item.get("sources")
        if not isinstance(sources, list) or not sources:
            check.bad(
                (*path, "sources"), sources, "sources-missing", "sources must list at least one declared source id"
            )
            sources = []
        for j, source in enumerate(sources):
            if source not in source_ids:
                check.bad(
                    (*path, "sources", j),
                    source,
                    "source-unknown",
                    f"unknown source {source!r}; declare it under sources or use one of: "
                    + ", ".join(sorted(source_ids)),
                )
        rule = (
            parse_rule(
                item.get("rule"),
                (*path, "rule"),
                subject=subject,
                vocabulary=vocabulary,
                where=check.where,
                report=check.report,
            )
            if "rule" in item
            else None
        )
        if rule is not None and level in ("must", "should"):
            requirements.append(
                Requirement(
                    req_id,
                    check.text(item, "title", path),
                    level,
                    tuple(str(r) for r in applies_to),
                    rule,
                    check.text(item, "rationale", path),
                    tuple(str(s) for s in sources),
                    str(service or ""),
                )
            )
    return tuple(requirements)


def with_parameters(standards: Standards, values: Mapping[str, int]) -> Standards:
    """A copy of ``standards`` with some parameter values replaced.

    Raises:
        ValueError: for an unknown parameter name or a value below 1.
    """
    known = standards.parameter_values()
    for name, value in values.items():
        if name not in known:
            raise ValueError(f"unknown parameter {name!r}; the parameters are: {', '.join(known)}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"parameter {name} must be a whole number of at least 1, got {value!r}")
    return replace(
        standards,
        parameters=tuple(replace(p, value=values.get(p.name, p.value)) for p in standards.parameters),
    )


def requirements_frame(standards: Standards) -> pd.DataFrame:
    """The requirements as a readable table.

    Returns:
        One row per requirement: ``requirement_id``, ``title``, ``level``,
        ``applies_to`` (comma-separated roles), ``applies_if_service``,
        ``rule`` (plain English, parameter values filled in), ``rationale``,
        ``sources`` (full citations separated by `` | ``).
    """
    return pd.DataFrame(
        [
            {
                "requirement_id": r.id,
                "title": r.title,
                "level": r.level,
                "applies_to": ", ".join(r.applies_to),
                "applies_if_service": r.applies_if_service,
                "rule": standards.describe(r),
                "rationale": r.rationale,
                "sources": " | ".join(standards.source(s).citation for s in r.sources),
            }
            for r in standards.requirements
        ]
    )


def parameters_frame(standards: Standards) -> pd.DataFrame:
    """The parameters: ``name``, ``value``, ``unit``, ``stated_default``, ``source`` (citation), ``note``."""
    return pd.DataFrame(
        [
            {
                "name": p.name,
                "value": p.value,
                "unit": p.unit,
                "stated_default": p.stated_default,
                "source": standards.source(p.source).citation if p.source else "",
                "note": p.note,
            }
            for p in standards.parameters
        ]
    )
