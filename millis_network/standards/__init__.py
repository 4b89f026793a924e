"""The campaign's minimum training standards as checkable data, and their checker.

Modules, one concept each::

    rules      the rule language and its date semantics
    model      the standards: sources, parameters, evidence kinds, requirements
    records    a centre's records, read from records YAML or a roster sheet
    templates  the roster template (CSV and XLSX)
    checker    the check of people and centres against the standards
    bundled    the bundled network_data/standards/ folder checked as a whole

Their public names are re-exported here, so
``from millis_network import standards; standards.check(...)`` reads as the domain does.
"""

from millis_network.standards.bundled import validate_bundled
from millis_network.standards.checker import (
    DEFAULT_EXPIRY_HORIZON_DAYS,
    EXPIRY_COLUMNS,
    PROJECTION_COLUMNS,
    RESULT_COLUMNS,
    STAFFING_ROLES,
    STATUSES,
    SUMMARY_COLUMNS,
    ComplianceReport,
    Staffing,
    Status,
    check,
    compliance_matrix,
    staffing,
)
from millis_network.standards.model import (
    STANDARDS_FORMAT,
    EvidenceKind,
    Level,
    Parameter,
    Requirement,
    Source,
    Standards,
    default_standards_path,
    load_standards,
    parameters_frame,
    parse_standards,
    requirements_frame,
    with_parameters,
)
from millis_network.standards.records import (
    RECORDS_FORMAT,
    SAMPLE_LABEL,
    Records,
    default_sample_path,
    load_records,
    parse_records,
    read_records,
)
from millis_network.standards.templates import (
    TemplateColumn,
    template_columns,
    template_csv,
    template_xlsx,
    write_template,
)

__all__ = [
    "ComplianceReport",
    "DEFAULT_EXPIRY_HORIZON_DAYS",
    "EXPIRY_COLUMNS",
    "EvidenceKind",
    "Level",
    "PROJECTION_COLUMNS",
    "Parameter",
    "RECORDS_FORMAT",
    "RESULT_COLUMNS",
    "Records",
    "Requirement",
    "SAMPLE_LABEL",
    "STAFFING_ROLES",
    "STANDARDS_FORMAT",
    "STATUSES",
    "SUMMARY_COLUMNS",
    "Source",
    "Staffing",
    "Standards",
    "Status",
    "TemplateColumn",
    "check",
    "compliance_matrix",
    "default_sample_path",
    "default_standards_path",
    "load_records",
    "load_standards",
    "parameters_frame",
    "parse_records",
    "parse_standards",
    "read_records",
    "requirements_frame",
    "staffing",
    "template_columns",
    "template_csv",
    "template_xlsx",
    "validate_bundled",
    "with_parameters",
    "write_template",
]
