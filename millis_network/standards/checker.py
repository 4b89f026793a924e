"""The campaign's minimum training standards as data, and their checker.

Three things live here:

* **the standards** (``network_data/standards/standards.yaml``): versioned
  requirements, each with an id, title, level (``must`` or ``should``), the
  roles it applies to, a machine-checkable rule, a rationale and its sources;
* **centre records**: a centre's people (pseudonymous ids, roles, start
  dates), their dated evidence (checks, courses, modules), the centre's
  policies, accreditation and establishment, read from YAML or from the
  one-sheet roster template (CSV or XLSX, see :func:`write_template`);
* **the checker** :func:`check`: one row per person (or the centre) and
  requirement with ``pass``, ``fail``, ``warn``, ``pending`` or ``unknown``,
  the reason and the evidence used, plus a summary, upcoming expiries and
  training projections. The command line and the dashboard both call it.

Statuses: ``fail`` is a ``must`` requirement shown broken by the records;
``warn`` is the same for a ``should`` requirement (never a failure);
``pending`` is not met yet with its deadline still ahead; ``unknown`` means the
records hold nothing either way (missing evidence is not a failure). The rule
language and its date semantics are documented in :mod:`millis_network.standards.rules`
and ``network_data/standards/README.md``.

Personal data: records hold pseudonymous ids only (``V01``), never names, and
only the dates of checks, never certificate numbers. Nothing here writes
records anywhere; uploads are parsed from bytes in memory.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import openpyxl
import pandas as pd
import yaml
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from millis_network.config import default_data_dir
from millis_network.standards.rules import (
    DAYS_PER_MONTH,
    PERSON_ROLES,
    ROLES,
    RULE_KINDS,
    SERVICES,
    Centre,
    Context,
    Event,
    Locator,
    Outcome,
    Person,
    Rule,
    Subject,
    Vocabulary,
    describe_rule,
    evaluate,
    field_name,
    parse_rule,
    projected_date,
)
from millis_network.validation import ValidationReport

__all__ = [
    "PERSON_ROLES",
    "ROLES",
    "RULE_KINDS",
    "SERVICES",
    "STAFFING_ROLES",
    "SAMPLE_LABEL",
    "DEFAULT_EXPIRY_HORIZON_DAYS",
    "STATUSES",
    "RESULT_COLUMNS",
    "SUMMARY_COLUMNS",
    "EXPIRY_COLUMNS",
    "PROJECTION_COLUMNS",
    "Centre",
    "Event",
    "Person",
    "Source",
    "Parameter",
    "EvidenceKind",
    "Requirement",
    "Standards",
    "Records",
    "Staffing",
    "ComplianceReport",
    "default_standards_path",
    "default_sample_path",
    "load_standards",
    "parse_standards",
    "with_parameters",
    "requirements_frame",
    "parameters_frame",
    "load_records",
    "read_records",
    "parse_records",
    "staffing",
    "check",
    "compliance_matrix",
    "template_columns",
    "template_csv",
    "template_xlsx",
    "write_template",
    "validate_bundled",
]

Level = Literal["must", "should"]
Status = Literal["pass", "fail", "warn", "pending", "unknown"]

STANDARDS_FORMAT = "millis-network-standards/1"
RECORDS_FORMAT = "millis-network-centre-records/1"
#: Every status a result row can have, best first.
STATUSES: tuple[Status, ...] = ("pass", "pending", "unknown", "warn", "fail")
#: Roles counted as staff in staffing figures (trustees are not staff).
STAFFING_ROLES: tuple[str, ...] = ("coordinator", "contact_supervisor", "volunteer")
#: How illustrative records are labelled wherever they are shown.
SAMPLE_LABEL = "Sample (illustrative) roster"
#: How far ahead the report lists expiring evidence, in days.
DEFAULT_EXPIRY_HORIZON_DAYS = 90

#: Columns of :attr:`ComplianceReport.results`.
RESULT_COLUMNS = [
    "person_id",
    "role",
    "requirement_id",
    "title",
    "level",
    "status",
    "reason",
    "evidence",
    "due_date",
    "valid_until",
]
#: Columns of :attr:`ComplianceReport.summary`.
SUMMARY_COLUMNS = [
    "requirement_id",
    "title",
    "level",
    "applies_to",
    "applicable",
    "checked",
    *STATUSES,
    "note",
]
#: Columns of :attr:`ComplianceReport.expiries`.
EXPIRY_COLUMNS = ["person_id", "role", "requirement_id", "title", "status", "valid_until", "days_left"]
#: Columns of :attr:`ComplianceReport.projections`.
PROJECTION_COLUMNS = [
    "person_id",
    "role",
    "requirement_id",
    "evidence_kind",
    "done",
    "required",
    "started_on",
    "due_date",
    "per_month",
    "projected_date",
    "on_track",
]

_PERSON_ID = re.compile(r"^[A-Za-z]{1,4}[0-9]{1,4}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_KIND_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_REQUIREMENT_ID = re.compile(r"^[A-Z][A-Z0-9]*-[0-9]+$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def default_standards_path() -> Path:
    """``network_data/standards/standards.yaml`` of this checkout."""
    return default_data_dir() / "standards" / "standards.yaml"


def default_sample_path() -> Path:
    """The bundled Milli's sample (illustrative) roster."""
    return default_data_dir() / "standards" / "millis_sample.yaml"


# --------------------------------------------------------------------------- YAML with line numbers


def _load_yaml(text: str, file: str, report: ValidationReport) -> tuple[object, Locator]:
    """Parse YAML, remembering the line of every key and list item.

    Syntax errors and duplicate keys go to ``report``.
    """
    lines: dict[tuple[object, ...], int] = {}
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else 0
            report.add(file, line, "", "", "yaml-syntax", f"not valid YAML: {exc.problem}; fix the syntax")
            return None, Locator(file, lines)
        if node is None:
            return None, Locator(file, lines)
        return _to_python(loader, node, (), lines, file, report), Locator(file, lines)
    finally:
        loader.dispose()


def _to_python(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: tuple[object, ...],
    lines: dict[tuple[object, ...], int],
    file: str,
    report: ValidationReport,
) -> object:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[object, object] = {}
        for key_node, value_node in node.value:
            key = _scalar(loader, key_node)
            if not isinstance(key, str | int | date):
                key = str(key)
            key_path = (*path, key)
            if key in out:
                report.add(
                    file,
                    key_node.start_mark.line + 1,
                    field_name(key_path),
                    key,
                    "duplicate-key",
                    f"the key {key!r} appears twice here; keep one",
                )
            lines[key_path] = key_node.start_mark.line + 1
            out[key] = _to_python(loader, value_node, key_path, lines, file, report)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(loader, item, (*path, i), lines, file, report) for i, item in enumerate(node.value)]
    return _scalar(loader, node)


def _scalar(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    if not isinstance(node, yaml.ScalarNode):
        return f"<{node.id}>"
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, yaml.YAMLError):  # e.g. a timestamp such as 2014-02-30
        return node.value


def _as_date(value: object) -> date | None:
    """A date from a YAML/XLSX value or text written YYYY-MM-DD or DD/MM/YYYY."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text) if re.match(r"^\d{4}-\d{2}-\d{2}$", text) else _uk_date(text)
        except ValueError:
            return None
    return None


def _uk_date(text: str) -> date | None:
    match = _UK_DATE.match(text)
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    return date(year, month, day)


class _Checker:
    """Records issues at key paths of one file."""

    def __init__(self, where: Locator, report: ValidationReport) -> None:
        self.where = where
        self.report = report

    def bad(self, path: tuple[object, ...], value: object, rule: str, message: str) -> None:
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
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            if key in data or required:
                self.bad((*path, key), value, "text-missing", f"{key} must be non-empty text")
            return ""
        return value.strip()


# --------------------------------------------------------------------------- the standards


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
    standards, report = parse_standards(file.read_text(encoding="utf-8"), file=_display_name(file))
    report.raise_if_any()
    assert standards is not None
    return standards


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def parse_standards(text: str, *, file: str) -> tuple[Standards | None, ValidationReport]:
    """Parse standards YAML text; every problem is an issue naming file, line and field.

    Returns:
        The standards (None when there are problems) and the report.
    """
    report = ValidationReport()
    data, where = _load_yaml(text, file, report)
    if not report.ok:
        return None, report
    check = _Checker(where, report)
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


def _named_mappings(data: object, key: str, check: _Checker) -> list[tuple[str, Mapping[object, object]]]:
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


def _parse_sources(data: object, check: _Checker) -> tuple[Source, ...]:
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


def _parse_parameters(data: object, check: _Checker, source_ids: set[str]) -> tuple[Parameter, ...]:
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


def _parse_evidence_kinds(data: object, check: _Checker) -> tuple[EvidenceKind, ...]:
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
    data: object, check: _Checker, vocabulary: Vocabulary, source_ids: set[str]
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


# --------------------------------------------------------------------------- centre records


@dataclass(frozen=True)
class Records:
    """One centre's records: the centre and its people.

    Attributes:
        centre: the centre's facts and evidence.
        people: everyone recorded, including people who have left.
        sample: True for illustrative records (labelled :data:`SAMPLE_LABEL`).
        sample_note: what the sample is and what it rests on.
        as_of: the date the records describe, when they say (the checker's
            default as-of date); None for records kept current.
        source: the file name, for display.
    """

    centre: Centre
    people: tuple[Person, ...]
    sample: bool = False
    sample_note: str = ""
    as_of: date | None = None
    source: str = ""

    @property
    def label(self) -> str:
        """:data:`SAMPLE_LABEL` for sample records, else the centre's name."""
        return SAMPLE_LABEL if self.sample else (self.centre.name or self.centre.id)


def load_records(path: Path | str, standards: Standards) -> Records:
    """Read a centre's records from a ``.yaml``/``.yml``, ``.csv`` or ``.xlsx`` file.

    Raises:
        DataFileError: listing every problem as ``file:row: field: message``.
    """
    file = Path(path)
    return read_records(file.read_bytes(), name=_display_name(file), standards=standards)


def read_records(data: bytes, *, name: str, standards: Standards) -> Records:
    """Read a centre's records from the bytes of a file called ``name`` (e.g. an upload).

    Raises:
        DataFileError: listing every problem as ``file:row: field: message``.
    """
    records, report = parse_records(data, name=name, standards=standards)
    report.raise_if_any()
    assert records is not None
    return records


def parse_records(data: bytes, *, name: str, standards: Standards) -> tuple[Records | None, ValidationReport]:
    """Parse records from bytes; the format follows the file name's suffix.

    Returns:
        The records (None when there are problems) and the report of every
        problem, each naming file, row (line) and field.
    """
    report = ValidationReport()
    suffix = Path(name).suffix.lower()
    if suffix in (".yaml", ".yml"):
        text = _decode(data, name, report)
        records = None if text is None else _records_from_yaml(text, name, standards, report)
    elif suffix == ".csv":
        text = _decode(data, name, report)
        rows = None if text is None else _csv_rows(text)
        records = None if rows is None else _records_from_rows(rows, name, standards, report)
    elif suffix == ".xlsx":
        rows = _xlsx_rows(data, name, report)
        records = None if rows is None else _records_from_rows(rows, name, standards, report)
    else:
        report.add(name, 0, "", suffix, "format-unknown", "records must be a .yaml, .yml, .csv or .xlsx file")
        records = None
    return (records if report.ok else None), report


def _decode(data: bytes, name: str, report: ValidationReport) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.add(name, 0, "", "", "encoding", f"the file is not UTF-8 text ({exc.reason}); save it as UTF-8")
        return None


class _RecordChecks:
    """Evidence checks shared by the YAML and roster readers."""

    def __init__(self, standards: Standards) -> None:
        self.kinds = {k.id: k for k in standards.evidence_kinds}

    def event_kind(self, kind: object, subject: Subject, bad: _Bad) -> EvidenceKind | None:
        declared = self.kinds.get(kind) if isinstance(kind, str) else None
        if declared is None:
            bad(kind, "evidence-kind-unknown", f"unknown evidence kind {kind!r}; use one of: {', '.join(self.kinds)}")
            return None
        if declared.subject != subject:
            where = "the centre's" if declared.subject == "centre" else "a person's"
            bad(
                kind,
                "evidence-subject-mismatch",
                f"{kind} is {declared.subject} evidence; record it in {where} evidence",
            )
            return None
        return declared

    def item(self, kind: EvidenceKind, item: str, bad: _Bad) -> bool:
        if kind.items and item not in kind.items:
            bad(item, "item-unknown", f"{kind.id} needs an item, one of: {', '.join(kind.items)}")
            return False
        return True


@dataclass(frozen=True)
class _Bad:
    """Report a problem at one place: ``bad(value, rule, message)``."""

    report: ValidationReport
    file: str
    row: int
    field_label: str

    def __call__(self, value: object, rule: str, message: str) -> None:
        self.report.add(self.file, self.row, self.field_label, value, rule, message)


def _person_id_ok(value: object, bad: _Bad) -> bool:
    if not isinstance(value, str) or not _PERSON_ID.match(value):
        bad(
            value,
            "person-id-invalid",
            f"{value!r} is not a pseudonymous id: use 1-4 letters then 1-4 digits such as V01 or C1, never a name",
        )
        return False
    return True


def _records_from_yaml(text: str, file: str, standards: Standards, report: ValidationReport) -> Records | None:
    data, where = _load_yaml(text, file, report)
    if not report.ok:
        return None
    reader = _YamlRecords(_Checker(where, report), _RecordChecks(standards))
    top = reader.check.keys(
        data,
        (),
        required=("format", "centre", "people"),
        optional=("sample", "sample_note", "as_of"),
        what="a records file",
    )
    if top is None:
        return None
    check = reader.check
    if "format" in top and top["format"] != RECORDS_FORMAT:
        check.bad(("format",), top["format"], "format-unknown", f"format must be {RECORDS_FORMAT!r}")
    sample = top.get("sample", False)
    if not isinstance(sample, bool):
        check.bad(("sample",), sample, "not-boolean", "sample must be true or false")
        sample = False
    sample_note = check.text(top, "sample_note", (), required=sample)
    as_of = _optional_date(top, "as_of", (), check)
    centre = reader.centre(top["centre"]) if "centre" in top else None
    people = reader.people(top.get("people", []))
    if not report.ok or centre is None:
        return None
    return Records(centre, people, sample, sample_note, as_of, file)


@dataclass(frozen=True)
class _YamlRecords:
    """Reads the centre and the people of a records YAML file, reporting at key paths."""

    check: _Checker
    shared: _RecordChecks

    def at(self, path: tuple[object, ...]) -> _Bad:
        where = self.check.where
        return _Bad(self.check.report, where.file, where.line(path), field_name(path))

    def centre(self, data: object) -> Centre | None:
        check = self.check
        path: tuple[object, ...] = ("centre",)
        raw = check.keys(
            data,
            path,
            required=("id",),
            optional=("name", "services", "establishment", "evidence", "not_held"),
            what="the centre",
        )
        if raw is None:
            return None
        centre_id = raw.get("id")
        if not isinstance(centre_id, str) or not _SLUG.match(centre_id):
            check.bad(
                (*path, "id"),
                centre_id,
                "centre-id-invalid",
                "the centre id is a lower-case slug such as millis-jersey",
            )
        services = raw.get("services", [])
        if not isinstance(services, list):
            check.bad((*path, "services"), services, "not-list", "services must be a list")
            services = []
        for j, service in enumerate(services):
            if service not in SERVICES:
                check.bad(
                    (*path, "services", j),
                    service,
                    "service-unknown",
                    f"unknown service {service!r}; use one of: {', '.join(SERVICES)}",
                )
        establishment = raw.get("establishment")
        if establishment is not None and (
            isinstance(establishment, bool) or not isinstance(establishment, int) or establishment < 0
        ):
            check.bad(
                (*path, "establishment"), establishment, "establishment-invalid", "establishment must be a whole number"
            )
            establishment = None
        events, not_held = _yaml_evidence(raw, path, "centre", self.shared, self.at)
        return Centre(
            str(centre_id),
            check.text(raw, "name", path, required=False),
            tuple(str(s) for s in services),
            establishment,
            events,
            not_held,
        )

    def people(self, data: object) -> tuple[Person, ...]:
        check = self.check
        if not isinstance(data, list):
            check.bad(("people",), data, "not-list", "people must be a list (it may be empty: [])")
            return ()
        people: list[Person] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(data):
            path: tuple[object, ...] = ("people", i)
            entry = check.keys(
                raw,
                path,
                required=("id", "role"),
                optional=("start_date", "leaving_on", "evidence", "not_held"),
                what="a person",
            )
            if entry is None:
                continue
            person_id = str(entry.get("id"))
            if _person_id_ok(entry.get("id"), self.at((*path, "id"))):
                if person_id in seen:
                    check.bad(
                        (*path, "id"),
                        person_id,
                        "person-id-duplicate",
                        f"{person_id} is already used on line {seen[person_id]}; ids are unique",
                    )
                seen[person_id] = check.where.line((*path, "id"))
            role = entry.get("role")
            if role not in PERSON_ROLES:
                check.bad(
                    (*path, "role"),
                    role,
                    "role-unknown",
                    f"unknown role {role!r}; use one of: {', '.join(PERSON_ROLES)}",
                )
            start, leaving = (_optional_date(entry, key, path, check) for key in ("start_date", "leaving_on"))
            if start and leaving and leaving < start:
                check.bad((*path, "leaving_on"), leaving, "leaving-before-start", "leaving_on is before start_date")
            events, not_held = _yaml_evidence(entry, path, "person", self.shared, self.at)
            people.append(Person(person_id, str(role), start, leaving, events, not_held))
        return tuple(people)


def _optional_date(entry: Mapping[object, object], key: str, path: tuple[object, ...], check: _Checker) -> date | None:
    if entry.get(key) is None:
        return None
    value = _as_date(entry[key])
    if value is None:
        check.bad((*path, key), entry[key], "date-invalid", f"{entry[key]!r} is not a real date; write YYYY-MM-DD")
    return value


def _yaml_evidence(
    entry: Mapping[object, object],
    path: tuple[object, ...],
    subject: Subject,
    shared: _RecordChecks,
    at: Callable[[tuple[object, ...]], _Bad],
) -> tuple[tuple[Event, ...], frozenset[str]]:
    events: list[Event] = []
    raw_events = entry.get("evidence", [])
    if not isinstance(raw_events, list):
        at((*path, "evidence"))(raw_events, "not-list", "evidence must be a list of {kind, date, item} entries")
        raw_events = []
    for j, raw in enumerate(raw_events):
        epath = (*path, "evidence", j)
        if not isinstance(raw, Mapping):
            at(epath)(raw, "not-mapping", "each evidence entry is a mapping {kind, date, item}")
            continue
        for key in raw:
            if key not in ("kind", "date", "item"):
                at((*epath, key))(key, "key-unknown", f"evidence entries take kind, date and item only, not {key!r}")
        kind = shared.event_kind(raw.get("kind"), subject, at((*epath, "kind")))
        day = _as_date(raw.get("date"))
        if day is None:
            at((*epath, "date"))(
                raw.get("date"), "date-invalid", f"{raw.get('date')!r} is not a real date; write YYYY-MM-DD"
            )
        item = raw.get("item", "")
        item = str(item) if isinstance(item, str | int) and not isinstance(item, bool) else ""
        if kind is not None and day is not None and shared.item(kind, item, at((*epath, "item"))):
            events.append(Event(kind.id, day, item))
    not_held_raw = entry.get("not_held", [])
    if not isinstance(not_held_raw, list):
        at((*path, "not_held"))(not_held_raw, "not-list", "not_held must be a list of evidence kinds")
        not_held_raw = []
    not_held = set()
    for j, kind_id in enumerate(not_held_raw):
        kind = shared.event_kind(kind_id, subject, at((*path, "not_held", j)))
        if kind is None:
            continue
        if any(e.kind == kind.id for e in events):
            at((*path, "not_held", j))(
                kind_id, "not-held-contradiction", f"{kind_id} is listed as not held but also has evidence; keep one"
            )
        not_held.add(kind.id)
    return tuple(events), frozenset(not_held)


# ---- the one-sheet roster (CSV / XLSX)

_PERSON_COLUMNS = ("person_id", "role", "start_date", "leaving_on")
_CENTRE_COLUMNS = ("centre_name", "services", "establishment")
_ROSTER_SHEET = "Roster"
_NONE_WORDS = {"none", "not held"}


@dataclass(frozen=True)
class TemplateColumn:
    """One column of the roster template.

    Attributes:
        name: the header.
        rows: which rows fill it: ``person``, ``centre`` or ``all``.
        meaning: what to write, for people.
        evidence_kind: the evidence kind it records ("" for other columns).
        item: the item it records, for kinds with items.
    """

    name: str
    rows: Literal["person", "centre", "all"]
    meaning: str
    evidence_kind: str = ""
    item: str = ""


def template_columns(standards: Standards) -> list[TemplateColumn]:
    """The roster template's columns, in order: people's, then the centre's."""
    dates = (
        "Date(s) completed, YYYY-MM-DD (or DD/MM/YYYY); several separated by ';'; "
        "'none' if not held; blank if not recorded."
    )
    columns = [
        TemplateColumn(
            "person_id",
            "all",
            "Pseudonymous id such as V01 (never a name); on the centre row, the centre's id such as my-centre.",
        ),
        TemplateColumn("role", "all", f"One of: {', '.join(PERSON_ROLES)}; exactly one row has role 'centre'."),
        TemplateColumn("start_date", "person", "First day in the role, YYYY-MM-DD."),
        TemplateColumn("leaving_on", "person", "Last day in the role, if leaving or left, YYYY-MM-DD."),
    ]
    for subject in ("person", "centre"):
        if subject == "centre":
            columns += [
                TemplateColumn("centre_name", "centre", "The centre's public name."),
                TemplateColumn(
                    "services", "centre", f"Kinds of contact offered, separated by ';': {', '.join(SERVICES)}."
                ),
                TemplateColumn(
                    "establishment",
                    "centre",
                    "Full staffing: how many coordinators, supervisors and volunteers the centre needs.",
                ),
            ]
        for kind in standards.evidence_kinds:
            if kind.subject != subject:
                continue
            if kind.items:
                columns += [
                    TemplateColumn(
                        f"{kind.id}_{item}", subject, f"{kind.title} {item}: the date completed.", kind.id, item
                    )
                    for item in kind.items
                ]
            else:
                columns.append(TemplateColumn(kind.id, subject, f"{kind.description} {dates}", kind.id))
    return columns


def _csv_rows(text: str) -> list[tuple[int, list[str]]]:
    return [(i, row) for i, row in enumerate(csv.reader(io.StringIO(text)), start=1)]


def _xlsx_rows(data: bytes, name: str, report: ValidationReport) -> list[tuple[int, list[str]]] | None:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        report.add(
            name,
            0,
            "",
            "",
            "xlsx-unreadable",
            f"not a readable .xlsx workbook ({type(exc).__name__}); save it as .xlsx",
        )
        return None
    try:
        if _ROSTER_SHEET not in book.sheetnames:
            report.add(
                name,
                0,
                "",
                ", ".join(book.sheetnames),
                "sheet-missing",
                f"the workbook needs a sheet named {_ROSTER_SHEET!r} (it has: {', '.join(book.sheetnames)}); "
                "start from the template",
            )
            return None
        sheet = book[_ROSTER_SHEET]
        return [(i, [_cell_text(v) for v in row]) for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _records_from_rows(
    rows: list[tuple[int, list[str]]], file: str, standards: Standards, report: ValidationReport
) -> Records | None:
    rows = [(n, [cell.strip() for cell in row]) for n, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        report.add(file, 0, "", "", "empty", "the roster is empty; start from the template")
        return None
    header_row, header = rows[0]
    while header and not header[-1]:  # spreadsheets often carry blank cells after the last column
        header = header[:-1]
    columns = {c.name: c for c in template_columns(standards)}
    for name in ("person_id", "role"):
        if name not in header:
            report.add(file, header_row, name, "", "column-missing", f"the header needs a {name!r} column")
    seen_headers: set[str] = set()
    for name in header:
        if name in seen_headers:
            report.add(file, header_row, name, name, "column-duplicate", f"the column {name!r} appears twice")
        seen_headers.add(name)
        if name not in columns:
            hint = " The roster holds pseudonymous ids only: remove names." if "name" in name.lower() else ""
            report.add(
                file,
                header_row,
                name or "(blank)",
                name,
                "column-unknown",
                f"unknown column {name!r}; use the template's columns.{hint}",
            )
    if not report.ok:
        return None
    shared = _RecordChecks(standards)
    centre: Centre | None = None
    people: list[Person] = []
    seen_ids: dict[str, int] = {}
    for row_number, cells in rows[1:]:
        values = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
        if len(cells) > len(header) and any(cells[len(header) :]):
            report.add(
                file, row_number, "", "", "cells-beyond-header", "this row has values beyond the last named column"
            )

        def at(column: str, row: int = row_number) -> _Bad:
            return _Bad(report, file, row, column)

        role = values.get("role", "")
        is_centre = role == "centre"
        if not is_centre and role not in PERSON_ROLES:
            at("role")(
                role, "role-unknown", f"unknown role {role!r}; use one of: {', '.join((*PERSON_ROLES, 'centre'))}"
            )
            continue
        subject: Subject = "centre" if is_centre else "person"
        for name, value in values.items():
            column = columns[name]
            if value and column.rows not in ("all", subject):
                at(name)(
                    value, "column-wrong-row", f"{name} is for {column.rows} rows; leave it blank on a {subject} row"
                )
        events, not_held = _row_evidence(values, columns, subject, shared, at)
        row_id = values.get("person_id", "")
        if is_centre:
            if centre is not None:
                at("role")(role, "centre-duplicate", "only one row can have role 'centre'")
                continue
            if not _SLUG.match(row_id):
                at("person_id")(
                    row_id, "centre-id-invalid", "on the centre row, person_id is the centre's slug such as my-centre"
                )
            services = [s.strip() for s in values.get("services", "").split(";") if s.strip()]
            for service in services:
                if service not in SERVICES:
                    at("services")(
                        service, "service-unknown", f"unknown service {service!r}; use one of: {', '.join(SERVICES)}"
                    )
            establishment = None
            if values.get("establishment"):
                if values["establishment"].isdigit():
                    establishment = int(values["establishment"])
                else:
                    at("establishment")(
                        values["establishment"], "establishment-invalid", "establishment must be a whole number"
                    )
            centre = Centre(row_id, values.get("centre_name", ""), tuple(services), establishment, events, not_held)
            continue
        if _person_id_ok(row_id, at("person_id")):
            if row_id in seen_ids:
                at("person_id")(
                    row_id, "person-id-duplicate", f"{row_id} is already used on row {seen_ids[row_id]}; ids are unique"
                )
            seen_ids[row_id] = row_number
        start, leaving = (_cell_date(values.get(key, ""), at(key)) for key in ("start_date", "leaving_on"))
        if start and leaving and leaving < start:
            at("leaving_on")(leaving, "leaving-before-start", "leaving_on is before start_date")
        people.append(Person(row_id, role, start, leaving, events, not_held))
    if centre is None:
        report.add(file, 0, "role", "", "centre-missing", "add one row with role 'centre' for the centre's own facts")
    if not report.ok or centre is None:
        return None
    return Records(centre, tuple(people), source=file)


def _cell_date(text: str, bad: _Bad) -> date | None:
    if not text:
        return None
    value = _as_date(text)
    if value is None:
        bad(text, "date-invalid", f"{text!r} is not a real date; write YYYY-MM-DD (or DD/MM/YYYY)")
    return value


def _row_evidence(
    values: Mapping[str, str],
    columns: Mapping[str, TemplateColumn],
    subject: Subject,
    shared: _RecordChecks,
    at: Callable[[str], _Bad],
) -> tuple[tuple[Event, ...], frozenset[str]]:
    events: list[Event] = []
    not_held: set[str] = set()
    for name, value in values.items():
        column = columns[name]
        if not value or not column.evidence_kind or column.rows != subject:
            continue
        bad = at(name)
        if value.strip().lower() in _NONE_WORDS:
            if column.item:
                bad(value, "none-on-item", f"leave {name} blank when the item is not done; 'none' is for whole kinds")
            else:
                not_held.add(column.evidence_kind)
            continue
        for part in (p.strip() for p in value.split(";")):
            day = _as_date(part)
            if day is None:
                bad(
                    part,
                    "date-invalid",
                    f"{part!r} is not a real date; write YYYY-MM-DD (or DD/MM/YYYY), several separated by ';'",
                )
                continue
            events.append(Event(column.evidence_kind, day, column.item))
    return tuple(events), frozenset(not_held)


def template_csv(standards: Standards) -> str:
    """The roster template as CSV text: the header row only."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([c.name for c in template_columns(standards)])
    return out.getvalue()


def template_xlsx(standards: Standards) -> bytes:
    """The roster template as an XLSX workbook: a ``Roster`` sheet and an ``Instructions`` sheet."""
    columns = template_columns(standards)
    book = openpyxl.Workbook()
    roster = book.active
    roster.title = _ROSTER_SHEET
    roster.append([c.name for c in columns])
    for cell in roster[1]:
        cell.font = Font(bold=True)
    roster.freeze_panes = "C2"
    for i, column in enumerate(columns, start=1):
        roster.column_dimensions[openpyxl.utils.get_column_letter(i)].width = max(12, len(column.name) + 2)
    roles = DataValidation(type="list", formula1='"' + ",".join((*PERSON_ROLES, "centre")) + '"', allow_blank=True)
    roster.add_data_validation(roles)
    roles.add("B2:B500")
    guide = book.create_sheet("Instructions")
    guide.append(["column", "fill on", "what to write"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in columns:
        guide.append(
            [
                column.name,
                {"all": "every row", "person": "people's rows", "centre": "the centre row"}[column.rows],
                column.meaning,
            ]
        )
    guide.append([])
    guide.append(["", "", f"Standards version {standards.version}: {standards.title}."])
    guide.append(["", "", "Pseudonymous ids only: never names, never DBS certificate numbers."])
    guide.column_dimensions["A"].width = 34
    guide.column_dimensions["B"].width = 14
    guide.column_dimensions["C"].width = 120
    book.properties.creator = "millis-network"
    book.properties.created = datetime(2026, 1, 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_template(path: Path | str, *, standards: Standards | None = None) -> Path:
    """Write the roster template to ``path`` (``.csv`` or ``.xlsx``); returns the path.

    Raises:
        ValueError: for any other suffix.
    """
    target = Path(path)
    standards = standards or load_standards()
    if target.suffix.lower() == ".csv":
        target.write_text(template_csv(standards), encoding="utf-8")
    elif target.suffix.lower() == ".xlsx":
        target.write_bytes(template_xlsx(standards))
    else:
        raise ValueError(f"template path must end in .csv or .xlsx, got {target.name!r}")
    return target


def validate_bundled(data_dir: Path | None = None) -> ValidationReport:
    """Problems in ``network_data/standards/``: the standards, the sample roster, the templates.

    Returns:
        Every problem found: standards or sample that do not parse, a sample
        not flagged ``sample: true``, or a template out of step with the
        standards (regenerate it with ``millis-network standards template``).
    """
    folder = Path(data_dir or default_data_dir()) / "standards"
    name = f"{folder.name}/standards.yaml"
    standards, report = parse_standards((folder / "standards.yaml").read_text(encoding="utf-8"), file=name)
    if standards is None:
        return report
    sample_name = f"{folder.name}/millis_sample.yaml"
    sample, sample_report = parse_records(
        (folder / "millis_sample.yaml").read_bytes(), name=sample_name, standards=standards
    )
    report.extend(sample_report)
    if sample is not None and not sample.sample:
        report.add(
            sample_name, 0, "sample", "false", "sample-not-flagged", "illustrative records must say sample: true"
        )
    csv_template = folder / "roster_template.csv"
    if csv_template.read_text(encoding="utf-8") != template_csv(standards):
        report.add(
            f"{folder.name}/{csv_template.name}",
            1,
            "",
            "",
            "template-stale",
            "the template's columns differ from the standards; regenerate it with millis-network standards template",
        )
    xlsx_template = folder / "roster_template.xlsx"
    shipped = openpyxl.load_workbook(xlsx_template, read_only=True)
    try:
        header = [_cell_text(v) for v in next(shipped[_ROSTER_SHEET].iter_rows(values_only=True))]
    finally:
        shipped.close()
    if header != [c.name for c in template_columns(standards)]:
        report.add(
            f"{folder.name}/{xlsx_template.name}",
            1,
            "",
            "",
            "template-stale",
            "the template's columns differ from the standards; regenerate it with millis-network standards template",
        )
    return report


# --------------------------------------------------------------------------- the checker


@dataclass(frozen=True)
class Staffing:
    """A centre's staffing on a date (coordinators, contact supervisors, volunteers).

    Attributes:
        establishment: full staffing as the centre states it (None if not stated).
        in_post: started on or before the date and not yet past their last day.
        leaving: in post with a last day recorded (on or after the date).
        not_started: recorded with a start date after the date.
        left: last day before the date.
    """

    establishment: int | None
    in_post: int
    leaving: int
    not_started: int
    left: int

    @property
    def vacancies(self) -> int | None:
        """Establishment minus people in post (never below 0); None without an establishment."""
        return None if self.establishment is None else max(0, self.establishment - self.in_post)

    @property
    def after_leavers(self) -> int:
        """People in post once those leaving have gone."""
        return self.in_post - self.leaving


def staffing(records: Records, *, as_of: date) -> Staffing:
    """Staffing figures on ``as_of`` for :data:`STAFFING_ROLES` (trustees are not staff).

    For Milli's in 2014 these are the three figures P.119/2014 gives: full
    staffing (``establishment``) 18, current staffing level (``in_post``) 13,
    staff leaving (``leaving``, a subset of those in post) 5.
    """
    staff = [p for p in records.people if p.role in STAFFING_ROLES]
    in_post = [p for p in staff if p.in_post(as_of)]
    return Staffing(
        establishment=records.centre.establishment,
        in_post=len(in_post),
        leaving=sum(1 for p in in_post if p.leaving_on is not None),
        not_started=sum(1 for p in staff if not p.has_started(as_of)),
        left=sum(1 for p in staff if p.has_left(as_of)),
    )


@dataclass(frozen=True)
class ComplianceReport:
    """The checker's answer for one centre on one date.

    Attributes:
        results: one row per person (or the centre) and applicable
            requirement, columns :data:`RESULT_COLUMNS`: ``status`` is one of
            :data:`STATUSES`; ``reason`` explains it; ``evidence`` lists the
            events used (``kind item YYYY-MM-DD``, ``; ``-separated);
            ``due_date`` is the deadline (inclusive) of a time-limited rule;
            ``valid_until`` the last valid day of evidence that expires.
        summary: one row per requirement, :data:`SUMMARY_COLUMNS`: counts of
            each status, whether it applies to this centre and why not.
        expiries: evidence expiring within the horizon or already expired,
            :data:`EXPIRY_COLUMNS` (``days_left`` negative when expired).
        projections: training in progress, :data:`PROJECTION_COLUMNS`:
            ``per_month`` items done per month since starting (months of 30.44
            days), ``projected_date`` when the count completes at that pace,
            ``on_track`` whether that is on or before ``due_date``.
        staffing: the centre's staffing figures on ``as_of``.
        as_of: the date checked.
        standards_version: version of the standards used.
        parameters: parameter values used.
        centre_id, centre_name: the centre.
        sample: True when the records are illustrative.
        source: the records' file name.
    """

    results: pd.DataFrame
    summary: pd.DataFrame
    expiries: pd.DataFrame
    projections: pd.DataFrame
    staffing: Staffing
    as_of: date
    standards_version: str
    parameters: dict[str, int] = field(default_factory=dict)
    centre_id: str = ""
    centre_name: str = ""
    sample: bool = False
    source: str = ""

    @property
    def label(self) -> str:
        """:data:`SAMPLE_LABEL` for sample records, else the centre's name."""
        return SAMPLE_LABEL if self.sample else (self.centre_name or self.centre_id)

    @property
    def totals(self) -> dict[str, int]:
        """Number of result rows per status (every status present, zero or more)."""
        counts = self.results["status"].value_counts()
        return {status: int(counts.get(status, 0)) for status in STATUSES}

    @property
    def ok(self) -> bool:
        """True when nothing fails (warnings, pending and unknown allowed)."""
        return self.totals["fail"] == 0

    def export_frame(self) -> pd.DataFrame:
        """The results with their provenance on every row, for CSV/XLSX export.

        Returns:
            :data:`RESULT_COLUMNS` then ``centre_id``, ``as_of``,
            ``standards_version`` and ``records`` (the label: the centre's name,
            or :data:`SAMPLE_LABEL` for illustrative records).
        """
        return self.results.assign(
            centre_id=self.centre_id,
            as_of=self.as_of,
            standards_version=self.standards_version,
            records=self.label,
        )

    def to_dict(self) -> dict[str, object]:
        """The whole report as JSON-ready data (dates as ISO text)."""
        return {
            "label": self.label,
            "sample": self.sample,
            "source": self.source,
            "centre_id": self.centre_id,
            "centre_name": self.centre_name,
            "as_of": self.as_of.isoformat(),
            "standards_version": self.standards_version,
            "parameters": self.parameters,
            "totals": self.totals,
            "ok": self.ok,
            "staffing": {
                "establishment": self.staffing.establishment,
                "in_post": self.staffing.in_post,
                "leaving": self.staffing.leaving,
                "after_leavers": self.staffing.after_leavers,
                "vacancies": self.staffing.vacancies,
                "not_started": self.staffing.not_started,
                "left": self.staffing.left,
            },
            "summary": _records_json(self.summary),
            "results": _records_json(self.results),
            "expiries": _records_json(self.expiries),
            "projections": _records_json(self.projections),
        }


def _records_json(frame: pd.DataFrame) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(frame.to_json(orient="records", date_format="iso", default_handler=str))
    return rows


def check(
    records: Records,
    standards: Standards,
    *,
    as_of: date | None = None,
    expiry_horizon_days: int = DEFAULT_EXPIRY_HORIZON_DAYS,
) -> ComplianceReport:
    """Check a centre's records against the standards.

    Args:
        records: the centre's records.
        standards: the standards (with any parameter overrides applied).
        as_of: the date to check on; by default the records' own ``as_of``
            when they state one, else today.
        expiry_horizon_days: how far ahead :attr:`ComplianceReport.expiries` looks.

    People who left before ``as_of`` are not checked; people not started yet
    are (their checks before starting show as ``pending``).

    Returns:
        The :class:`ComplianceReport` (see its attributes for columns and units).
    """
    day = as_of or records.as_of or date.today()
    people = tuple(p for p in records.people if not p.has_left(day))
    ctx = Context(
        as_of=day,
        parameters=standards.parameter_values(),
        titles=standards.titles(),
        centre=records.centre,
        people=records.people,
    )
    rows: list[dict[str, object]] = []
    projections: list[dict[str, object]] = []
    summary: list[dict[str, object]] = []
    for requirement in standards.requirements:
        applicable = not requirement.applies_if_service or requirement.applies_if_service in records.centre.services
        subjects: Sequence[Person | Centre]
        if not applicable:
            subjects = ()
        elif requirement.subject == "centre":
            subjects = (records.centre,)
        else:
            subjects = [p for p in people if p.role in requirement.applies_to]
        statuses: list[Status] = []
        for subject in subjects:
            outcome = evaluate(requirement.rule, subject, ctx)
            status: Status = "warn" if outcome.status == "fail" and requirement.level == "should" else outcome.status
            statuses.append(status)
            rows.append(_result_row(subject, requirement, status, outcome))
            if status == "pending" and outcome.progress and isinstance(subject, Person) and subject.start_date:
                projections.append(_projection_row(subject, requirement, outcome, day))
        summary.append(
            {
                "requirement_id": requirement.id,
                "title": requirement.title,
                "level": requirement.level,
                "applies_to": ", ".join(requirement.applies_to),
                "applicable": applicable,
                "checked": len(statuses),
                **{s: statuses.count(s) for s in STATUSES},
                "note": "" if applicable else f"The centre does not offer {requirement.applies_if_service} contact.",
            }
        )
    results = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    expiries = results[results["valid_until"].notna()].copy()
    expiries["days_left"] = [(d - day).days for d in expiries["valid_until"]]
    expiries = expiries[expiries["days_left"] <= expiry_horizon_days].sort_values("valid_until")
    return ComplianceReport(
        results=results,
        summary=pd.DataFrame(summary, columns=SUMMARY_COLUMNS),
        expiries=expiries[EXPIRY_COLUMNS].reset_index(drop=True),
        projections=pd.DataFrame(projections, columns=PROJECTION_COLUMNS),
        staffing=staffing(records, as_of=day),
        as_of=day,
        standards_version=standards.version,
        parameters=standards.parameter_values(),
        centre_id=records.centre.id,
        centre_name=records.centre.name,
        sample=records.sample,
        source=records.source,
    )


def _result_row(
    subject: Person | Centre, requirement: Requirement, status: Status, outcome: Outcome
) -> dict[str, object]:
    return {
        "person_id": subject.id,
        "role": subject.role if isinstance(subject, Person) else "centre",
        "requirement_id": requirement.id,
        "title": requirement.title,
        "level": requirement.level,
        "status": status,
        "reason": outcome.reason,
        "evidence": "; ".join(outcome.evidence),
        "due_date": outcome.due_date,
        "valid_until": outcome.valid_until,
    }


def _projection_row(person: Person, requirement: Requirement, outcome: Outcome, as_of: date) -> dict[str, object]:
    progress = outcome.progress
    assert progress is not None and person.start_date is not None
    elapsed_months = (as_of - person.start_date).days / DAYS_PER_MONTH
    projected = projected_date(progress, start_date=person.start_date, as_of=as_of)
    return {
        "person_id": person.id,
        "role": person.role,
        "requirement_id": requirement.id,
        "evidence_kind": progress.evidence,
        "done": progress.done,
        "required": progress.required,
        "started_on": person.start_date,
        "due_date": progress.due_date,
        "per_month": round(progress.done / elapsed_months, 2) if elapsed_months > 0 else None,
        "projected_date": projected,
        "on_track": None if projected is None or progress.due_date is None else projected <= progress.due_date,
    }


def compliance_matrix(report: ComplianceReport) -> pd.DataFrame:
    """Person x requirement table of statuses, for display.

    Returns:
        One row per person (and one for the centre), indexed by ``person_id``
        with a ``role`` column, then one column per requirement id holding the
        status ("" where the requirement does not apply). Rows keep the
        results' order: the centre first, then people as recorded.
    """
    results = report.results
    if results.empty:
        return pd.DataFrame(columns=["role"]).rename_axis("person_id")
    order = list(dict.fromkeys(results["person_id"]))
    requirement_order = list(dict.fromkeys(results["requirement_id"]))
    wide = results.pivot(index="person_id", columns="requirement_id", values="status")
    wide = wide.reindex(index=order, columns=requirement_order).fillna("")
    roles = results.drop_duplicates("person_id").set_index("person_id")["role"]
    wide.insert(0, "role", roles.reindex(order))
    wide.columns.name = None
    centre_first = sorted(order, key=lambda pid: 0 if roles[pid] == "centre" else 1)
    return wide.loc[centre_first]
