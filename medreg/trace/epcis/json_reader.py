"""Read an EPCIS 2.0 JSON / JSON-LD capture document (orjson) into an :class:`Envelope`.

Accepted top-level shapes: ``EPCISDocument`` (events in ``epcisBody.eventList``),
``EPCISQueryDocument`` (events in ``epcisBody.queryResults.resultsBody.eventList``) and a
bare event.  No JSON-LD processing: prefixes come from the ``@context`` objects.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from medreg.trace.epcis.envelope import Envelope, document_error
from medreg.trace.epcis.eventhash import hashes_for_json_document
from medreg.trace.epcis.eventhash_tree import context_prefixes
from medreg.trace.epcis.validation import EVENT_FIELDS
from medreg.trace.epcis.validation_fields import Collector, check_extension_key
from medreg.trace.epcis.values import parse_time

__all__ = ["read_json"]

HEADER_FIELDS = frozenset(
    ["@context", "id", "type", "schemaVersion", "creationDate", "instanceIdentifier", "sender", "receiver",
     "epcisHeader", "epcisBody"]
)  # fmt: skip
_CONTEXT_FIX = 'Add "@context": "https://ref.gs1.org/standards/epcis/epcis-context.jsonld".'
_VERSION = re.compile(r"\d+(\.\d+)*\Z")


def _header(doc: dict[str, Any], envelope: Envelope) -> None:
    """schemaVersion, creationDate, sender and unknown header keys."""
    out = Collector(None, envelope.prefixes)
    version = doc.get("schemaVersion", "2.0")
    if isinstance(version, int | float) and not isinstance(version, bool):
        version = str(version)  # tolerated: upstream example writes 2.0 as a number (decision 0102)
    if not isinstance(version, str) or not _VERSION.match(version):
        out.add("schemaVersion", "schema.version", f"{str(version)[:20]!r} is not a schema version.", "Use 2.0.")
    else:
        envelope.schema_version = version
    if "creationDate" in doc:
        envelope.creation_date, problem = parse_time(doc["creationDate"])
        out.problem("creationDate", problem)
    sender = doc.get("sender")
    envelope.sender = sender if isinstance(sender, str) else None
    for key in doc.keys() - HEADER_FIELDS:
        check_extension_key(key, key, out)
    envelope.errors.extend(out.errors)


def _event_list(doc: dict[str, Any], envelope: Envelope) -> list[Any] | None:
    """The event list of a document, or None after recording why there is none."""
    body = doc.get("epcisBody")
    if doc.get("type") == "EPCISQueryDocument" and isinstance(body, dict):
        results = body.get("queryResults")
        body = results.get("resultsBody") if isinstance(results, dict) else None
    events = body.get("eventList") if isinstance(body, dict) else None
    if isinstance(events, list):
        return events
    envelope.errors.append(document_error("epcisBody.eventList", "schema.required",
                                          "The document has no epcisBody.eventList array.",
                                          'Put the events in "epcisBody": {"eventList": [...]}.'))  # fmt: skip
    return None


def _hashes(doc: dict[str, Any]) -> Any:
    """A thunk computing the event hash IDs of the document's events."""
    return lambda: hashes_for_json_document(doc)


def _top_level(doc: Any, envelope: Envelope) -> list[Any] | None:
    """Check the document object itself and return its events."""
    if not isinstance(doc, dict):
        envelope.errors.append(document_error("", "document.format", "The document is not a JSON object.",
                                              "Send one EPCISDocument object."))  # fmt: skip
        return None
    if "@context" not in doc:
        envelope.errors.append(document_error("@context", "schema.required", "@context is required.", _CONTEXT_FIX))
    kind = doc.get("type")
    kind = kind if isinstance(kind, str) else None
    if kind in EVENT_FIELDS:
        return [doc]
    if kind not in ("EPCISDocument", "EPCISQueryDocument"):
        envelope.errors.append(document_error("type", "document.type", f"Unsupported document type {str(kind)[:40]!r}.",
                                              'Send "type": "EPCISDocument".'))  # fmt: skip
        return None
    _header(doc, envelope)
    return _event_list(doc, envelope)


def read_json(data: bytes) -> Envelope:
    """Parse JSON bytes into an envelope (never raises for bad input)."""
    envelope = Envelope("json")
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        envelope.errors.append(document_error("", "document.format", f"Not valid JSON: {error}.",
                                              "Send a UTF-8 JSON document."))  # fmt: skip
        return envelope
    envelope.context = doc.get("@context") if isinstance(doc, dict) else None
    envelope.prefixes = context_prefixes(envelope.context)
    events = _top_level(doc, envelope)
    if events is not None:
        envelope.events = events
        envelope.hashes = _hashes(doc)
    return envelope
