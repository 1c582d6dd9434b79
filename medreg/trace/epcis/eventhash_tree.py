"""Convert EPCIS 2.0 events (JSON-LD dicts or XML elements) into one neutral tree.

A node is ``(name, text, children)``.  Names are EPCIS element names for standard
fields and Clark notation (``{namespace}local``) for user extensions.  The tree follows
the XML data model (``epcList/epc``, ``quantityList/quantityElement``,
``bizTransaction`` with a ``type`` child, ...), so that both renderings of an event hash
identically.  Only plain dict/element walking is used: no JSON-LD processor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from medreg.trace.epcis.eventhash_values import expand_bare_word

Node = tuple[str, str, list["Node"]]

#: Prefixes defined by the standard EPCIS 2.0 JSON-LD context.
STANDARD_PREFIXES: dict[str, str] = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": "https://ref.gs1.org/cbv/",
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": "https://gs1.org/voc/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}
JSON_IGNORED = frozenset({"#text", "@value", "@context", "rdfs:comment", "comment"})
_EPC_LISTS = frozenset({"epcList", "inputEPCList", "outputEPCList", "childEPCs"})
_QTY_LISTS = frozenset({"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"})
_TYPED_LISTS = {
    "bizTransactionList": ("bizTransaction", "bizTransactionType"),
    "sourceList": ("source", "sourceOrDestinationType"),
    "destinationList": ("destination", "sourceOrDestinationType"),
}
_REPORT_FIELDS = {"type": "sensorType", "exception": "exception", "component": "component"}
_XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
_FLATTENED = frozenset({"extension", "baseExtension"})


def context_prefixes(context: Any) -> dict[str, str]:
    """Collect ``prefix -> namespace`` from a JSON-LD ``@context`` (string entries skipped)."""
    prefixes = dict(STANDARD_PREFIXES)
    for entry in context if isinstance(context, list) else [context]:
        if isinstance(entry, dict):
            for key, value in entry.items():
                if isinstance(value, str) and not key.startswith("@"):
                    prefixes[key] = value
                elif isinstance(value, dict) and isinstance(value.get("@id"), str):
                    prefixes[key] = value["@id"]
    return prefixes


def scalar_text(value: Any) -> str:
    """Lexical form of a JSON scalar (booleans as XML ``true``/``false``)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


class JsonConverter:
    """Turns JSON-LD event dicts into trees, expanding CURIE keys with the document context."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        """Remember the ``prefix -> namespace`` map used for extension keys."""
        self.prefixes = prefixes
        self._names: dict[str, str] = {}

    def name(self, key: str) -> str:
        """Extension keys ``prefix:local`` become ``{namespace}local`` (memoised)."""
        cached = self._names.get(key)
        if cached is None:
            prefix, sep, local = key.partition(":")
            namespace = self.prefixes.get(prefix) if sep else None
            cached = "{" + namespace + "}" + local if namespace is not None else key
            if len(self._names) > 4096:
                self._names.clear()
            self._names[key] = cached
        return cached

    def generic(self, name: str, value: Any) -> Iterator[Node]:
        """Nodes for any value: lists repeat the name, dicts become children."""
        if isinstance(value, list):
            for item in value:
                yield from self.generic(name, item)
        elif isinstance(value, dict):
            text = scalar_text(value.get("@value", value.get("#text", "")))
            yield (name, text, self.children(value))
        else:
            yield (name, scalar_text(value), [])

    def children(self, obj: dict[str, Any]) -> list[Node]:
        """Generic children of a JSON object."""
        nodes: list[Node] = []
        for key, value in obj.items():
            if key not in JSON_IGNORED:
                nodes.extend(self.generic(self.name(key), value))
        return nodes

    def field(self, key: str, value: Any) -> Iterator[Node]:
        """Nodes for one top-level event field, mapped to the XML data model."""
        special = _FIELD_CONVERTERS.get(key)
        if special is not None:
            yield from special(self, key, value)
        elif key not in JSON_IGNORED:
            yield from self.generic(self.name(key), value)

    def event(self, event: dict[str, Any]) -> tuple[str, list[Node]]:
        """``(eventType, children)`` of an event dict."""
        children: list[Node] = []
        for key, value in event.items():
            children.extend(self.field(key, value))
        return scalar_text(event.get("type", "")), children


def _as_list(value: Any) -> list[Any]:
    """Wrap a scalar/dict in a list (JSON-LD allows single values for sets)."""
    return value if isinstance(value, list) else [value]


def _epc_list(conv: JsonConverter, key: str, value: Any) -> Iterator[Node]:
    yield (key, "", [("epc", scalar_text(epc), []) for epc in _as_list(value)])


def _quantity_list(conv: JsonConverter, key: str, value: Any) -> Iterator[Node]:
    yield (key, "", [("quantityElement", "", conv.children(q)) for q in _as_list(value) if isinstance(q, dict)])


def _typed_list(conv: JsonConverter, key: str, value: Any) -> Iterator[Node]:
    element, vocab = _TYPED_LISTS[key]
    items: list[Node] = []
    for entry in _as_list(value):
        if not isinstance(entry, dict):
            continue
        kids: list[Node] = []
        if "type" in entry:
            kids.append(("type", expand_bare_word(scalar_text(entry["type"]), vocab), []))
        for extra_key, extra in entry.items():
            if extra_key not in ("type", element) and extra_key not in JSON_IGNORED:
                kids.extend(conv.generic(conv.name(extra_key), extra))
        items.append((element, scalar_text(entry.get(element, "")), kids))
    yield (key, "", items)


def _vocab_field(conv: JsonConverter, key: str, value: Any) -> Iterator[Node]:
    yield (key, expand_bare_word(scalar_text(value), key), [])


def _persistent_disposition(conv: JsonConverter, key: str, value: Any) -> Iterator[Node]:
    kids: list[Node] = []
    if isinstance(value, dict):
        for which in ("set", "unset"):
            for item in _as_list(value.get(which, [])):
                kids.append((which, expand_bare_word(scalar_text(item), which), []))
    yield (key, "", kids)


def _sensor_report(conv: JsonConverter, report: dict[str, Any]) -> Node:
    kids: list[Node] = []
    for key, value in report.items():
        vocab = _REPORT_FIELDS.get(key)
        if vocab is not None:
            kids.append((key, expand_bare_word(scalar_text(value), vocab), []))
        elif key not in JSON_IGNORED:
            kids.extend(conv.generic(conv.name(key), value))
    return ("sensorReport", "", kids)


def _sensor_element(conv: JsonConverter, element: dict[str, Any]) -> Node:
    kids: list[Node] = []
    for key, value in element.items():
        if key == "sensorReport":
            kids.extend(_sensor_report(conv, r) for r in _as_list(value) if isinstance(r, dict))
        elif key not in JSON_IGNORED:
            kids.extend(conv.generic(conv.name(key), value))
    return ("sensorElement", "", kids)


def _sensor_list(conv: JsonConverter, key: str, value: Any) -> Iterator[Node]:
    yield (key, "", [_sensor_element(conv, e) for e in _as_list(value) if isinstance(e, dict)])


def _skip(conv: JsonConverter, key: str, value: Any) -> Iterator[Node]:
    return iter(())


_Converter = Callable[[JsonConverter, str, Any], Iterator[Node]]
_FIELD_CONVERTERS: dict[str, _Converter] = {
    **dict.fromkeys(_EPC_LISTS, _epc_list),
    **dict.fromkeys(_QTY_LISTS, _quantity_list),
    **dict.fromkeys(_TYPED_LISTS, _typed_list),
    "bizStep": _vocab_field,
    "disposition": _vocab_field,
    "persistentDisposition": _persistent_disposition,
    "sensorElementList": _sensor_list,
    "type": _skip,
}


def xml_node(element: etree._Element) -> Node:
    """Tree node for an XML element: attributes first, then child elements."""
    kids: list[Node] = [
        (name, value.strip(), []) for name, value in element.attrib.items() if not name.startswith(_XSI)
    ]
    _append_xml_children(element, kids)
    return (element.tag, (element.text or "").strip(), kids)


def _append_xml_children(element: etree._Element, kids: list[Node]) -> None:
    """Append child elements, flattening EPCIS ``extension``/``baseExtension`` wrappers."""
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments, processing instructions
        if child.tag in _FLATTENED:
            _append_xml_children(child, kids)
        else:
            kids.append(xml_node(child))


def xml_events(root: etree._Element) -> Iterator[tuple[str, list[Node]]]:
    """``(eventType, children)`` for every event of every ``EventList`` in document order."""
    for event_list in root.iter("{*}EventList"):
        for event in _event_elements(event_list):
            type_name = etree.QName(event).localname
            yield type_name, xml_node(event)[2]


def _event_elements(parent: etree._Element) -> Iterator[etree._Element]:
    """Event elements, unwrapping EPCIS 1.x ``<extension>`` wrappers around events."""
    for child in parent:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "extension":
            yield from _event_elements(child)
        else:
            yield child
