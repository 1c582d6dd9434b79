"""The single exception type raised by the trace-code parsers."""

from __future__ import annotations


class CodeError(ValueError):
    """A pack identifier could not be parsed or failed validation.

    Attributes:
        field: Name of the offending part of the input (e.g. ``"gtin"``,
            ``"expiry"``, ``"ai"``, ``"cn_code"``, ``"uri"``).
        fix: A short, human-readable hint on how to correct the input.
    """

    def __init__(self, field: str, message: str, fix: str) -> None:
        """Build the error; ``str(error)`` names the field, problem and fix."""
        self.field = field
        self.problem = message
        self.fix = fix
        super().__init__(f"{field}: {message} Fix: {fix}")
