"""Validation problems as data, in the manner of frictionless reports.

Checks collect :class:`Issue` records instead of raising at the first
problem, so a person fixing a file sees every problem at once, each naming
the file, row and field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from millis_network.errors import DataFileError


@dataclass(frozen=True)
class Issue:
    """One problem in one field of one row of one file.

    Attributes:
        file: path of the file as the user knows it (relative where possible).
        row: 1-based line number in the file as a spreadsheet shows it (the
            header is line 1, the first record line 2); 0 for the whole file.
        field: column or key at fault ("" for the whole row).
        value: the offending value, as text.
        rule: short machine-readable rule name, e.g. ``postcode-unknown``.
        message: what is wrong and what to do, for a person.
    """

    file: str
    row: int
    field: str
    value: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass
class ValidationReport:
    """Issues collected from one or more checks."""

    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no issue was found."""
        return not self.issues

    def add(self, file: str, row: int, field_name: str, value: object, rule: str, message: str) -> None:
        """Record one problem."""
        self.issues.append(Issue(file, row, field_name, "" if value is None else str(value), rule, message))

    def extend(self, issues: Iterable[Issue]) -> None:
        """Record problems found by another check."""
        self.issues.extend(issues)

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.issues)

    def __len__(self) -> int:
        return len(self.issues)

    def lines(self) -> list[str]:
        """One ``file:row: field: message`` line per issue."""
        return [str(issue) for issue in self.issues]

    def raise_if_any(self) -> None:
        """Raise :class:`DataFileError` listing every issue, when there are any."""
        if self.issues:
            raise DataFileError(
                f"{len(self.issues)} problem(s) found:\n" + "\n".join(self.lines())
            )
