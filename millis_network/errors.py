"""Errors raised by millis_network.

Every error derives from :class:`MillisNetworkError`; specific errors also
derive from the built-in exception they resemble, so callers can catch either.
Messages say what was wrong and what to do about it.
"""

from __future__ import annotations

from typing import Any


class MillisNetworkError(Exception):
    """Base class for every error this package raises on purpose."""


class PostcodeError(MillisNetworkError, ValueError):
    """A postcode is malformed or cannot be located."""


class DataFileError(MillisNetworkError, ValueError):
    """A data file breaks its schema; the message names file, row and field."""


class NotFoundError(MillisNetworkError, KeyError):
    """A court, centre or area id is not in the data."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class SourceUnavailableError(MillisNetworkError, ConnectionError):
    """A live public source could not be reached and no cached copy exists."""


class ConflictError(MillisNetworkError, RuntimeError):
    """Someone else changed a record since it was read; nothing was written.

    ``changes`` holds the other writers' audit entries since the version the
    caller read, so the conflict can be shown to the person who hit it.
    """

    def __init__(self, message: str, *, changes: tuple[Any, ...] = ()) -> None:
        super().__init__(message)
        self.changes = changes


class DateError(MillisNetworkError, ValueError):
    """A date is malformed, or two dates are in the wrong order."""


class TooManyAttemptsError(MillisNetworkError, PermissionError):
    """Too many wrong passwords in a row; ``retry_after_s`` says how long to wait before the next try."""

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PrivacyError(MillisNetworkError, ValueError):
    """A public output was asked to use the private network; pass ``network.public()`` instead."""
