"""What a reader extracts from a capture document before the events are validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from medreg.trace.epcis.model import EventError

__all__ = ["Envelope", "document_error"]


@dataclass
class Envelope:
    """Header values, the events as JSON-LD dicts, and document-level errors.

    ``event_problems[i]`` holds rendering-specific errors of event ``i`` found while
    reading (XML element order, unknown elements); ``hashes`` computes the event hash
    IDs of all events (called only when an event has no eventID).
    """

    format: str
    events: list[Any] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)
    context: Any = None
    schema_version: str = "2.0"
    creation_date: datetime | None = None
    sender: str | None = None
    errors: list[EventError] = field(default_factory=list)
    event_problems: dict[int, list[EventError]] = field(default_factory=dict)
    hashes: Any = None


def document_error(field_name: str, code: str, message: str, fix: str) -> EventError:
    """A document-level error (``index`` None)."""
    return EventError(None, field_name, code, message, fix)
