"""Canonical EPCIS event hash (CBV 2.0 "EPCIS Event Hash ID").

``ni:///sha-256;<hex>?ver=CBV2.0`` over a canonical *pre-hash string*:

1. ``eventType=<type>``;
2. the standard fields in the fixed CBV order (:data:`EVENT_ORDER`), each rendered as
   ``name=value`` (containers as ``name`` followed by their children); repeated
   elements (EPCs, quantity elements, sensor reports, ...) are sorted as strings;
   user extensions nested in a standard field follow that field's standard children;
3. all remaining fields (``ilmd``, top-level user extensions, unknown fields), rendered
   generically and sorted; ``recordTime``, ``eventID``, ``errorDeclaration`` are ignored.

Values are canonicalised (UTC millisecond timestamps, numbers, CBV web URIs, GS1
Digital Link) by :mod:`eventhash_values`.  See ``docs/decisions/0101-event-hash-rules.md``.
"""

from __future__ import annotations

import hashlib
from typing import Any, Union

from lxml import etree  # type: ignore[import-untyped]

from medreg.trace.epcis.eventhash_tree import (
    JsonConverter,
    Node,
    context_prefixes,
    xml_events,
)
from medreg.trace.epcis.eventhash_values import canonical_timestamp, canonical_value

__all__ = [
    "event_hash",
    "hash_prehash",
    "hashes_for_json_document",
    "hashes_for_xml_document",
    "prehash_string",
    "prehashes_for_json_document",
    "prehashes_for_xml_document",
]

Order = tuple[tuple[str, Union["Order", None]], ...]

_EPCS: Order = (("epc", None),)
_QUANTITIES: Order = (("quantityElement", (("epcClass", None), ("quantity", None), ("uom", None))),)
#: Lists whose entries render as ``type=<type><name>=<value>``; they are not part of the
#: fixed order but sorted with the remaining fields (as the reference vectors do).
TYPED_LISTS = frozenset({"bizTransactionList", "sourceList", "destinationList"})
_SENSOR_METADATA: Order = tuple(
    (n, None)
    for n in (
        "time",
        "startTime",
        "endTime",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "dataProcessingMethod",
        "bizRules",
    )
)
_SENSOR_REPORT: Order = tuple(
    (n, None)
    for n in (
        "type",
        "exception",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "dataProcessingMethod",
        "time",
        "microorganism",
        "chemicalSubstance",
        "value",
        "component",
        "stringValue",
        "booleanValue",
        "hexBinaryValue",
        "uriValue",
        "minValue",
        "maxValue",
        "meanValue",
        "sDev",
        "percRank",
        "percValue",
        "uom",
        "coordinateReferenceSystem",
    )
)
_SENSORS: Order = (("sensorElement", (("sensorMetadata", _SENSOR_METADATA), ("sensorReport", _SENSOR_REPORT))),)

#: Order of the standard event fields in the pre-hash string.
EVENT_ORDER: Order = (
    ("eventTime", None),
    ("eventTimeZoneOffset", None),
    ("certificationInfo", None),
    ("parentID", None),
    ("epcList", _EPCS),
    ("inputEPCList", _EPCS),
    ("childEPCs", _EPCS),
    ("quantityList", _QUANTITIES),
    ("childQuantityList", _QUANTITIES),
    ("inputQuantityList", _QUANTITIES),
    ("outputEPCList", _EPCS),
    ("outputQuantityList", _QUANTITIES),
    ("action", None),
    ("transformationID", None),
    ("bizStep", None),
    ("disposition", None),
    ("persistentDisposition", (("set", None), ("unset", None))),
    ("readPoint", (("id", None),)),
    ("bizLocation", (("id", None),)),
    ("sensorElementList", _SENSORS),
)
#: Top-level fields that never take part in the hash.
IGNORED_FIELDS = frozenset({"recordTime", "eventID", "type", "errorDeclaration"})

_RANKS: dict[int, dict[str, tuple[int, Order | None]]] = {}


def _ranks(order: Order) -> dict[str, tuple[int, Order | None]]:
    """``name -> (position, sub-order)`` of an order (cached per order object)."""
    ranks = _RANKS.get(id(order))
    if ranks is None:
        ranks = _RANKS[id(order)] = {name: (i, sub) for i, (name, sub) in enumerate(order)}
    return ranks


_TIME_FIELDS: dict[str, bool] = {}


def _is_time(name: str) -> bool:
    """Fields whose value is a timestamp (``eventTime``, ``startTime``, ``time``, ...)."""
    known = _TIME_FIELDS.get(name)
    if known is None:
        lowered = name.lower()
        known = _TIME_FIELDS[name] = "time" in lowered and "offset" not in lowered
    return known


def _generic(nodes: list[Node]) -> str:
    """Render nodes without a predefined order: ``name[=value]<children>``, sorted."""
    parts = [
        name + _typed_entries(kids)
        if name in TYPED_LISTS
        else name + ("=" + canonical_value(text) if text else "") + _generic(kids)
        for name, text, kids in nodes
    ]
    parts.sort()
    return "".join(parts)


def _typed_entries(nodes: list[Node]) -> str:
    """Render bizTransaction/source/destination entries as ``type=..name=..``, sorted."""
    parts = []
    for name, text, kids in nodes:
        types = [canonical_value(t) for n, t, _ in kids if n == "type" and t]
        rendered = "".join("type=" + t for t in types)
        if text:
            rendered += name + "=" + canonical_value(text)
        if rendered:
            parts.append(rendered)
    parts.sort()
    return "".join(parts)


def _field(node: Node, sub: Order | None) -> tuple[str, Node | None]:
    """Render one standard field; return it and what of it was not consumed."""
    name, text, kids = node
    value = ""
    if text:
        value = "=" + (canonical_timestamp(text) if _is_time(name) else canonical_value(text))
    if sub is not None:
        inner, rest = _ordered(kids, sub, nested=True)
    else:
        inner, rest = "", kids
    rendered = name + value + inner if (value or inner) else ""
    return rendered, ((name, text, rest) if rest else None)


def _ordered(nodes: list[Node], order: Order, nested: bool) -> tuple[str, list[Node]]:
    """Render ``nodes`` in ``order``; nested user extensions are appended sorted.

    Returns the rendering and the nodes left over (unknown fields; at the top level
    also user extensions), which the caller renders generically.
    """
    ranks = _ranks(order)
    groups: dict[int, list[str]] = {}
    extensions: list[Node] = []
    leftovers: list[Node] = []
    for node in nodes:
        rank = ranks.get(node[0])
        if rank is None:
            (extensions if nested and node[0][:1] == "{" else leftovers).append(node)
            continue
        text, rest = _field(node, rank[1])
        if text:
            groups.setdefault(rank[0], []).append(text)
        if rest is not None:
            leftovers.append(rest)
    parts: list[str] = []
    for position in sorted(groups):
        rendered = groups[position]
        if len(rendered) > 1:
            rendered.sort()
        parts.extend(rendered)
    if extensions:
        parts.append(_generic(extensions))
    return "".join(parts), leftovers


def _prehash_from_tree(event_type: str, children: list[Node], ignore: frozenset[str] = frozenset()) -> str:
    """Pre-hash string of an event given as a neutral tree.

    ``ignore`` holds extra top-level field names (Clark notation) declared by the
    document's ``ignoreFields`` list.
    """
    if ignore:
        children = [node for node in children if node[0] not in ignore]
    ordered, leftovers = _ordered(children, EVENT_ORDER, nested=False)
    rest = [node for node in leftovers if node[0] not in IGNORED_FIELDS]
    return "eventType=" + event_type + ordered + _generic(rest)


def hash_prehash(prehash: str) -> str:
    """Event hash ID (``ni:///sha-256;...?ver=CBV2.0``) of a pre-hash string."""
    return "ni:///sha-256;" + hashlib.sha256(prehash.encode("utf-8")).hexdigest() + "?ver=CBV2.0"


def prehash_string(event: dict[str, Any], context: Any = None, ignore_fields: frozenset[str] = frozenset()) -> str:
    """Pre-hash string of a JSON-LD event dict.

    ``context`` is the document ``@context`` (defaults to the event's own); ``ignore_fields``
    are extra top-level fields to leave out, in Clark notation (``{namespace}local``).
    """
    converter = _converter(context if context is not None else event.get("@context"))
    return _prehash_from_tree(*converter.event(event), ignore_fields)


def event_hash(event: dict[str, Any], context: Any = None, ignore_fields: frozenset[str] = frozenset()) -> str:
    """Event hash ID of a JSON-LD event dict (arguments as for :func:`prehash_string`)."""
    return hash_prehash(prehash_string(event, context, ignore_fields))


_CONVERTERS: dict[str, JsonConverter] = {}


def _converter(context: Any) -> JsonConverter:
    """JSON converter for a ``@context`` (memoised per context, bounded)."""
    key = repr(context)
    converter = _CONVERTERS.get(key)
    if converter is None:
        if len(_CONVERTERS) > 256:
            _CONVERTERS.clear()
        converter = _CONVERTERS[key] = JsonConverter(context_prefixes(context))
    return converter


def _json_event_list(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Events of an EPCISDocument / EPCISQueryDocument (or a bare event)."""
    if "epcisBody" not in doc:
        return [doc] if "eventTime" in doc else []
    body = doc["epcisBody"]
    if "queryResults" in body:
        body = body["queryResults"].get("resultsBody", {})
    if "eventList" in body:
        return list(body["eventList"])
    return [body["event"]] if "event" in body else []


def _json_ignore_fields(doc: dict[str, Any], converter: JsonConverter) -> frozenset[str]:
    """Names listed in a document-level ``<prefix>:ignoreFields`` declaration."""
    body = doc.get("epcisBody")
    holders = [doc, body, body.get("queryResults")] if isinstance(body, dict) else [doc]
    names: set[str] = set()
    for holder in holders:
        if not isinstance(holder, dict):
            continue
        for key, value in holder.items():
            if key.endswith("ignoreFields") and isinstance(value, list):
                names.update(converter.name(str(v)) for v in value)
    return frozenset(names)


def prehashes_for_json_document(doc: dict[str, Any]) -> list[str]:
    """Pre-hash strings of all events of a JSON/JSON-LD document, in document order."""
    converter = _converter(doc.get("@context"))
    ignore = _json_ignore_fields(doc, converter)
    return [_prehash_from_tree(*converter.event(event), ignore) for event in _json_event_list(doc)]


def hashes_for_json_document(doc: dict[str, Any]) -> list[str]:
    """Event hash IDs of all events of a JSON/JSON-LD document, in document order."""
    return [hash_prehash(p) for p in prehashes_for_json_document(doc)]


_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=True)


def prehashes_for_xml_document(xml_bytes: bytes) -> list[str]:
    """Pre-hash strings of all events of an EPCIS XML (query) document."""
    root = etree.fromstring(xml_bytes, _XML_PARSER)
    ignore = frozenset(
        child.tag for holder in root.iter("{*}ignoreFields") for child in holder if isinstance(child.tag, str)
    )
    return [_prehash_from_tree(event_type, kids, ignore) for event_type, kids in xml_events(root)]


def hashes_for_xml_document(xml_bytes: bytes) -> list[str]:
    """Event hash IDs of all events of an EPCIS XML (query) document."""
    return [hash_prehash(p) for p in prehashes_for_xml_document(xml_bytes)]
