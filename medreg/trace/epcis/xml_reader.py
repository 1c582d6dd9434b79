"""Read an EPCIS 2.0 XML capture document (lxml, hardened) into an :class:`Envelope`.

The parser resolves no entities, loads no DTD, never touches the network and keeps
lxml's size limits (``huge_tree=False``); a document with a DOCTYPE is refused before
parsing.  Accepted roots: ``EPCISDocument``, ``EPCISQueryDocument`` and a bare event.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from medreg.trace.epcis.envelope import Envelope, document_error
from medreg.trace.epcis.eventhash import _prehash_from_tree, hash_prehash
from medreg.trace.epcis.eventhash_tree import STANDARD_PREFIXES, xml_node
from medreg.trace.epcis.validation import EVENT_FIELDS
from medreg.trace.epcis.validation_fields import Collector
from medreg.trace.epcis.values import parse_time
from medreg.trace.epcis.xml_convert import convert_event, local_name

__all__ = ["read_xml"]

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False,
    remove_comments=True, remove_pis=True,
)  # fmt: skip
_STANDARD_CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
_EPCIS_ROOT_NAMESPACES = frozenset(["urn:epcglobal:epcis:xsd:2", "urn:epcglobal:epcis:xsd:1",
                                    "urn:epcglobal:epcis-query:xsd:2", "urn:epcglobal:epcis-query:xsd:1"])  # fmt: skip


_DOCTYPE_ERROR = document_error("", "document.doctype",
                                "XML documents with a DTD (internal subset, SYSTEM or PUBLIC identifier) are refused.",
                                "Remove the DOCTYPE and any entity declarations.")  # fmt: skip
#: The only DOCTYPE tolerated: a bare name, which declares nothing (GS1 examples carry <!DOCTYPE project>).
_BARE_DOCTYPE = re.compile(rb"<!DOCTYPE\s+[A-Za-z_][\w.:-]*\s*>")


def _dangerous_doctype(data: bytes) -> bool:
    """A DOCTYPE other than a bare ``<!DOCTYPE name>``."""
    start = data.find(b"<!DOCTYPE")
    return start >= 0 and _BARE_DOCTYPE.match(data, start) is None


def _declares_anything(info: Any) -> bool:
    """The parsed document has an external DTD identifier or declarations in its DTD."""
    dtd = info.internalDTD
    declarations = dtd is not None and (any(dtd.iterentities()) or any(dtd.iterelements()))
    return bool(info.system_url or info.public_id or declarations)


def _parse(data: bytes, envelope: Envelope) -> Any:
    """The root element, or None after recording why the bytes were refused."""
    if b"<!ENTITY" in data or _dangerous_doctype(data):
        envelope.errors.append(_DOCTYPE_ERROR)
        return None
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as error:
        envelope.errors.append(document_error("", "document.format", f"Not well-formed XML: {error}.",
                                              "Send a well-formed UTF-8 XML document."))  # fmt: skip
        return None
    if _declares_anything(root.getroottree().docinfo):  # e.g. a DTD hidden from the byte scan by UTF-16
        envelope.errors.append(_DOCTYPE_ERROR)
        return None
    return root


def _root_name(root: Any) -> str:
    """Local name of the root, ignoring the EPCIS namespaces."""
    qname = etree.QName(root)
    return qname.localname if qname.namespace in _EPCIS_ROOT_NAMESPACES or qname.namespace is None else qname.text


def _event_elements(parent: Any) -> list[Any]:
    """Event elements of an EventList, unwrapping EPCIS 1.x ``<extension>`` wrappers."""
    events = []
    for child in parent:
        if not isinstance(child.tag, str):
            continue
        events.extend(_event_elements(child) if local_name(child) == "extension" else [child])
    return events


def _event_list(root: Any, envelope: Envelope) -> list[Any] | None:
    """The event elements of the document body, or None after recording the error."""
    lists = list(root.iter("{*}EventList", "EventList"))
    if not lists:
        envelope.errors.append(document_error("EPCISBody.EventList", "schema.required",
                                              "The document has no EPCISBody/EventList.",
                                              "Put the events in <EPCISBody><EventList>...</EventList>."))  # fmt: skip
        return None
    return [event for event_list in lists for event in _event_elements(event_list)]


def _header(root: Any, envelope: Envelope) -> None:
    """schemaVersion and creationDate attributes, SBDH sender."""
    out = Collector(None, envelope.prefixes)
    envelope.schema_version = root.get("schemaVersion") or "2.0"
    if root.get("creationDate") is not None:
        envelope.creation_date, problem = parse_time(root.get("creationDate"))
        out.problem("creationDate", problem)
    sender = next(iter(root.iterfind(".//{*}StandardBusinessDocumentHeader/{*}Sender/{*}Identifier")), None)
    envelope.sender = (sender.text or "").strip() or None if sender is not None else None
    envelope.errors.extend(out.errors)


def _with_context(event: dict[str, Any], prefixes: dict[str, str]) -> dict[str, Any]:
    """Add an @context naming the extension namespaces used by the event, if any."""
    used = {key.partition(":")[0] for key in event if ":" in key}
    ilmd = event.get("ilmd")
    if isinstance(ilmd, dict):
        used.update(key.partition(":")[0] for key in ilmd if ":" in key)
    custom = {p: prefixes[p] for p in sorted(used) if p in prefixes and STANDARD_PREFIXES.get(p) != prefixes[p]}
    return {"@context": [_STANDARD_CONTEXT, custom], **event} if custom else event


def _convert_all(elements: list[Any], envelope: Envelope) -> None:
    """Convert each event element, keeping XML-only problems per event."""
    for index, element in enumerate(elements):
        kind = local_name(element) or etree.QName(element).text
        out = Collector(index, envelope.prefixes)
        if kind not in EVENT_FIELDS:
            envelope.events.append({"type": kind})
            continue
        event = convert_event(element, kind, envelope.prefixes, out)
        envelope.events.append(_with_context(event, envelope.prefixes))
        if out.errors:
            envelope.event_problems[index] = out.errors


def _hashes(elements: list[Any], root: Any) -> Any:
    """A thunk computing the event hash IDs exactly as :mod:`eventhash` does for XML."""
    ignore = frozenset(child.tag for holder in root.iter("{*}ignoreFields") for child in holder
                       if isinstance(child.tag, str))  # fmt: skip
    return lambda: [hash_prehash(_prehash_from_tree(etree.QName(e).localname, xml_node(e)[2], ignore))
                    for e in elements]  # fmt: skip


def read_xml(data: bytes) -> Envelope:
    """Parse XML bytes into an envelope (never raises for bad input)."""
    envelope = Envelope("xml", prefixes=dict(STANDARD_PREFIXES))
    root = _parse(data, envelope)
    if root is None:
        return envelope
    for prefix, namespace in root.nsmap.items():
        if prefix and namespace not in _EPCIS_ROOT_NAMESPACES:
            envelope.prefixes[prefix] = namespace
    name = _root_name(root)
    if name in EVENT_FIELDS:
        elements: list[Any] | None = [root]
    elif name in ("EPCISDocument", "EPCISQueryDocument"):
        _header(root, envelope)
        elements = _event_list(root, envelope)
    else:
        envelope.errors.append(document_error("", "document.type", f"Unsupported root element {name[:60]!r}.",
                                              "Send an <epcis:EPCISDocument>."))  # fmt: skip
        elements = None
    if elements is not None:
        _convert_all(elements, envelope)
        envelope.hashes = _hashes(elements, root)
    return envelope
