"""Per-element validation findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .model import Batch


@dataclass(frozen=True)
class Issue:
    """One problem: which report (0-based, None = batch level), which E2B element, where, what."""

    report: int | None
    element: str
    xpath: str
    message: str
    severity: str = "error"


class Locator(Protocol):
    """Maps a parsed object or value to the XPath it was read from."""

    def get(self, obj: object) -> str | None:
        """XPath of ``obj`` or None."""


class NoLocations:
    """Locator for models that were not parsed (built in code)."""

    def get(self, obj: object) -> str | None:
        """Always None."""
        return None


@dataclass
class ParseResult:
    """Outcome of :func:`~.parse.parse_batch`: the model plus every finding."""

    batch: Batch
    errors: list[Issue] = field(default_factory=list)
    paths: Locator = field(default_factory=NoLocations)

    @property
    def ok(self) -> bool:
        """True when no error-severity finding exists."""
        return not any(i.severity == "error" for i in self.errors)

    def xpath_of(self, obj: object) -> str | None:
        """XPath of the element a model object or value was parsed from."""
        return self.paths.get(obj)

    def report_errors(self, index: int) -> list[Issue]:
        """Findings that concern report ``index``."""
        return [i for i in self.errors if i.report == index]

    def batch_errors(self) -> list[Issue]:
        """Findings at batch (transmission) level."""
        return [i for i in self.errors if i.report is None]
