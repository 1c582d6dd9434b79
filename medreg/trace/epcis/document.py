"""EPCIS 2.0 capture documents: parse JSON / JSON-LD or XML, validate, normalize.

:func:`parse_document` reads the document, runs the schema and CBV vocabulary layers on
every event and returns the valid events as :class:`EpcisEvent` plus the errors of the
others.  It never raises for bad input.  See ``docs/modules/trace-epcis.md``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from medreg.trace.epcis.builder import build_event
from medreg.trace.epcis.envelope import Envelope, document_error
from medreg.trace.epcis.eventhash import event_hash
from medreg.trace.epcis.eventhash_tree import context_prefixes
from medreg.trace.epcis.json_reader import read_json
from medreg.trace.epcis.model import EpcisEvent, EventError, ParsedDocument
from medreg.trace.epcis.validation import check_event
from medreg.trace.epcis.xml_reader import read_xml

__all__ = ["parse_document"]

_JSON_TYPES = ("application/json", "application/ld+json")
_XML_TYPES = ("application/xml", "text/xml")


def _reader(data: bytes, content_type: str) -> Callable[[bytes], Envelope] | None:
    """Choose the reader from the media type, or from the first byte when it is generic."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in _JSON_TYPES or media.endswith("+json"):
        return read_json
    if media in _XML_TYPES or media.endswith("+xml"):
        return read_xml
    if media in ("", "application/octet-stream", "text/plain"):
        first = data.lstrip()[:1]
        return read_xml if first == b"<" else read_json if first in (b"{", b"[") else None
    return None


class _Identities:
    """Event hash IDs, computed once and only when an event lacks an eventID."""

    def __init__(self, envelope: Envelope) -> None:
        """Remember how the envelope computes its hashes."""
        self._envelope = envelope
        self._hashes: list[str] | None = None

    def identity(self, event: dict[str, Any], index: int) -> str:
        """The eventID, else the canonical event hash ID."""
        event_id = event.get("eventID")
        if event_id:
            return str(event_id)
        if self._hashes is None:
            try:
                self._hashes = list(self._envelope.hashes())
            except Exception:
                self._hashes = []
        if index < len(self._hashes):
            return self._hashes[index]
        return event_hash(event, self._envelope.context)


def _prefixes(envelope: Envelope, event: Any) -> dict[str, str]:
    """Document prefixes, plus those of an event-level @context."""
    if isinstance(event, dict) and "@context" in event:
        return {**envelope.prefixes, **context_prefixes(event["@context"])}
    return envelope.prefixes


def _events(envelope: Envelope) -> tuple[list[EpcisEvent], list[EventError]]:
    """Validate every event; build the good ones."""
    good: list[EpcisEvent] = []
    errors: list[EventError] = []
    identities = _Identities(envelope)
    for index, event in enumerate(envelope.events):
        problems = envelope.event_problems.get(index, []) + check_event(event, index, _prefixes(envelope, event))
        if problems:
            errors.extend(problems)
        else:
            good.append(build_event(event, index, identities.identity(event, index), envelope.context))
    return good, errors


def _result(envelope: Envelope, events: list[EpcisEvent], errors: list[EventError]) -> ParsedDocument:
    """The ParsedDocument of an envelope and the outcome of its events."""
    return ParsedDocument(
        events=tuple(events), errors=tuple(envelope.errors + errors), schema_version=envelope.schema_version,
        creation_date=envelope.creation_date, sender=envelope.sender, format=envelope.format,
        event_count=len(envelope.events),
    )  # fmt: skip


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects.

    Building 10,000 events allocates hundreds of thousands of containers, and the
    collector's generation scans cost about a third of the time; nothing built here is
    cyclic.  The previous state is restored even on error.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_document(data: bytes, content_type: str, *, max_events: int = 100_000) -> ParsedDocument:
    """Parse and validate an EPCIS 2.0 capture document (JSON / JSON-LD or XML).

    Document-level problems (unreadable bytes, wrong media type, missing body, too many
    events, bad header) are errors with ``index=None`` and leave ``events`` empty.
    """
    reader = _reader(data, content_type)
    if reader is None:
        error = document_error("Content-Type", "document.content_type", f"Unsupported media type {content_type!r}.",
                               "Send application/json, application/ld+json or application/xml.")  # fmt: skip
        return ParsedDocument((), (error,), "2.0", None, None, "")
    with _collector_paused():
        return _parse(reader, data, max_events)


def _parse(reader: Callable[[bytes], Envelope], data: bytes, max_events: int) -> ParsedDocument:
    """Read, check the size, validate and build."""
    envelope = reader(data)
    if len(envelope.events) > max_events:
        envelope.errors.append(document_error("eventList", "document.too_many_events",
                                              f"{len(envelope.events)} events exceed the limit of {max_events}.",
                                              "Split the document into smaller ones."))  # fmt: skip
    if envelope.errors:
        return _result(envelope, [], [])
    return _result(envelope, *_events(envelope))
