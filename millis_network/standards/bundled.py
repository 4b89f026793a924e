"""The bundled ``network_data/standards/`` folder checked as a whole: standards, sample and templates."""

from __future__ import annotations

from pathlib import Path

from millis_network._sheets import ROSTER_LIMITS, SheetLimitError, read_sheet
from millis_network.config import default_data_dir
from millis_network.standards.model import parse_standards
from millis_network.standards.records import parse_records
from millis_network.standards.templates import (
    ROSTER_SHEET,
    template_columns,
    template_csv,
)
from millis_network.validation import ValidationReport

__all__ = ["validate_bundled"]


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
    xlsx_name = f"{folder.name}/{xlsx_template.name}"
    try:
        shipped = read_sheet(xlsx_template.read_bytes(), name=xlsx_name, limits=ROSTER_LIMITS, sheet=ROSTER_SHEET)
    except SheetLimitError as exc:
        report.extend([exc.issue])
        return report
    report.extend(shipped.problems)
    if not shipped.problems and list(shipped.header) != [c.name for c in template_columns(standards)]:
        report.add(
            xlsx_name,
            1,
            "",
            "",
            "template-stale",
            "the template's columns differ from the standards; regenerate it with millis-network standards template",
        )
    return report
