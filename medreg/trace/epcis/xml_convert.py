"""Convert one EPCIS 2.0 XML event element into the JSON-LD dict shape.

Standard elements are un-namespaced (or, tolerated, in the EPCIS namespace); EPCIS 1.x
``extension``/``baseExtension`` wrappers are flattened; elements in other namespaces are
user extensions and become ``prefix:local`` keys, their namespaces being added to
``prefixes``.  Element order is checked against the XSD sequence of the event type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from medreg.trace.epcis.validation_fields import Collector

__all__ = ["EPCIS_NAMESPACES", "convert_event", "local_name"]

EPCIS_NAMESPACES = frozenset(["urn:epcglobal:epcis:xsd:2", "urn:epcglobal:epcis:xsd:1"])
_FLATTENED = frozenset(["extension", "baseExtension"])
_BASE = ["eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "errorDeclaration", "certificationInfo"]
_TAIL = ["readPoint", "bizLocation"]
#: XSD sequences (EPCglobal-epcis-2_0.xsd) of the standard children per event type.
XSD_ORDER: dict[str, list[str]] = {
    "ObjectEvent": [*_BASE, "epcList", "action", "bizStep", "disposition", *_TAIL, "bizTransactionList",
                    "quantityList", "sourceList", "destinationList", "sensorElementList",
                    "persistentDisposition", "ilmd"],
    "AggregationEvent": [*_BASE, "parentID", "childEPCs", "action", "bizStep", "disposition", *_TAIL,
                         "bizTransactionList", "childQuantityList", "sourceList", "destinationList",
                         "sensorElementList", "persistentDisposition"],
    "TransactionEvent": [*_BASE, "bizTransactionList", "parentID", "epcList", "action", "bizStep", "disposition",
                         *_TAIL, "quantityList", "sourceList", "destinationList", "sensorElementList",
                         "persistentDisposition"],
    "TransformationEvent": [*_BASE, "inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList",
                            "transformationID", "bizStep", "disposition", *_TAIL, "bizTransactionList",
                            "sourceList", "destinationList", "sensorElementList", "persistentDisposition", "ilmd"],
    "AssociationEvent": [*_BASE, "parentID", "childEPCs", "childQuantityList", "action", "bizStep", "disposition",
                         *_TAIL, "bizTransactionList", "sourceList", "destinationList", "sensorElementList",
                         "persistentDisposition"],
}  # fmt: skip
_RANKS = {kind: {name: i for i, name in enumerate(order)} for kind, order in XSD_ORDER.items()}
_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_NUMERIC_ATTRIBUTES = frozenset(["value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"])


def local_name(element: Any) -> str | None:
    """Local name of a standard element; None for user extensions (other namespaces)."""
    tag = element.tag
    if tag[0] != "{":
        return str(tag)
    namespace, _, local = tag[1:].partition("}")
    return local if namespace in EPCIS_NAMESPACES else None


def _text(element: Any) -> str:
    """Text content of an element, stripped."""
    return (element.text or "").strip()


def _number(text: str) -> Any:
    """An XML decimal as a JSON number (the text itself when it is not a number)."""
    try:
        return int(text) if text.lstrip("+-").isdigit() else float(text)
    except ValueError:
        return text


def _extension_key(element: Any, prefixes: dict[str, str]) -> str:
    """``prefix:local`` for a namespaced element or attribute name, registering the prefix."""
    qname = etree.QName(element)
    namespace = qname.namespace or ""
    prefix = next((p for p, ns in prefixes.items() if ns == namespace), None)
    if prefix is None:
        own = None if isinstance(element, str) else element.prefix
        prefix = own if own and own not in prefixes else f"ns{len(prefixes)}"
        prefixes[prefix] = namespace
    return f"{prefix}:{qname.localname}"


def generic(element: Any, prefixes: dict[str, str]) -> Any:
    """Any element as JSON: text for a leaf, an object of children otherwise (repeats become lists)."""
    children = _children(element)
    if not children:
        return _text(element)
    result: dict[str, Any] = {}
    for child in children:
        key = _extension_key(child, prefixes) if child.tag[0] == "{" else str(child.tag)
        value = generic(child, prefixes)
        if key in result:
            previous = result[key]
            result[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            result[key] = value
    return result


def _children(element: Any) -> list[Any]:
    """Child elements, without comments, processing instructions and entity references."""
    return list(element.iterchildren(etree.Element))


def _epcs(element: Any, prefixes: dict[str, str]) -> list[str]:
    """EPCs in document order; repeats collapsed (the XSD allows them, a list is a set)."""
    return list(dict.fromkeys([(child.text or "").strip() for child in element.iterchildren(etree.Element)]))


def _quantities(element: Any, prefixes: dict[str, str]) -> list[dict[str, Any]]:
    """quantityElement children as JSON objects (nil quantities omitted)."""
    items = []
    for child in _children(element):
        item: dict[str, Any] = {}
        for part in _children(child):
            name = local_name(part) or _extension_key(part, prefixes)
            if part.get(_NIL) == "true":
                continue  # <quantity xsi:nil="true"/>: quantity not given
            item[name] = _number(_text(part)) if name == "quantity" else _text(part)
        items.append(item)
    return items


def _location(element: Any, prefixes: dict[str, str]) -> dict[str, Any]:
    """readPoint / bizLocation as ``{"id": ..., extensions}``."""
    result: dict[str, Any] = {}
    for child in _flattened(element):
        name = local_name(child)
        result[name or _extension_key(child, prefixes)] = _text(child) if name else generic(child, prefixes)
    return result


def _typed(member: str) -> Callable[[Any, dict[str, str]], list[dict[str, Any]]]:
    """A converter for bizTransaction/source/destination lists (type attribute, text value)."""

    def convert(element: Any, prefixes: dict[str, str]) -> list[dict[str, Any]]:
        """One JSON entry per child element."""
        items = []
        for child in _children(element):
            item = {"type": child.get("type")} if child.get("type") is not None else {}
            item[member] = _text(child)
            items.append(item)
        return items

    return convert


def _persistent(element: Any, prefixes: dict[str, str]) -> dict[str, Any]:
    """persistentDisposition as ``{"set": [...], "unset": [...]}``."""
    result: dict[str, list[str]] = {}
    for child in _children(element):
        result.setdefault(local_name(child) or _extension_key(child, prefixes), []).append(_text(child))
    return result


def _error_declaration(element: Any, prefixes: dict[str, str]) -> dict[str, Any]:
    """errorDeclaration with correctiveEventIDs as a list and extensions as prefixed keys."""
    result: dict[str, Any] = {}
    for child in _flattened(element):
        name = local_name(child)
        if name == "correctiveEventIDs":
            result[name] = [_text(item) for item in _children(child)]
        else:
            result[name or _extension_key(child, prefixes)] = _text(child) if name else generic(child, prefixes)
    return result


def _attributes(element: Any, prefixes: dict[str, str]) -> dict[str, Any]:
    """Attributes of a sensor element as JSON (numbers for the numeric ones)."""
    result: dict[str, Any] = {}
    for name, value in element.attrib.items():
        if name.startswith("{http://www.w3.org/2001/XMLSchema-instance}"):
            continue
        key = _extension_key(name, prefixes) if name[0] == "{" else name
        result[key] = _number(value) if name in _NUMERIC_ATTRIBUTES else value
    return result


def _sensors(element: Any, prefixes: dict[str, str]) -> list[dict[str, Any]]:
    """sensorElementList: metadata and reports are attributes in XML, objects in JSON."""
    elements = []
    for sensor in _children(element):
        item: dict[str, Any] = {}
        for child in _flattened(sensor):
            name = local_name(child)
            if name == "sensorReport":
                item.setdefault("sensorReport", []).append(_attributes(child, prefixes))
            elif name == "sensorMetadata":
                item[name] = _attributes(child, prefixes)
            else:
                item[name or _extension_key(child, prefixes)] = generic(child, prefixes)
        elements.append(item)
    return elements


def _ilmd(element: Any, prefixes: dict[str, str]) -> Any:
    """ILMD as an object of prefixed extension keys."""
    value = generic(_flatten_into(element), prefixes)
    return value if isinstance(value, dict) else {}


def _flatten_into(element: Any) -> Any:
    """A copy-free view is not possible in lxml; wrappers are rare, so build a new element."""
    if not any(isinstance(c.tag, str) and c.tag in _FLATTENED for c in element):
        return element
    holder = etree.Element("holder")
    for child in _flattened(element):
        holder.append(child.__copy__())
    return holder


def _flattened(element: Any, children: list[Any] | None = None) -> list[Any]:
    """Child elements with EPCIS ``extension``/``baseExtension`` wrappers flattened."""
    result = []
    for child in _children(element) if children is None else children:
        if child.tag in _FLATTENED:
            result.extend(_flattened(child))
        else:
            result.append(child)
    return result


_CONVERTERS: dict[str, Callable[[Any, dict[str, str]], Any]] = {
    **dict.fromkeys(["epcList", "childEPCs", "inputEPCList", "outputEPCList"], _epcs),
    **dict.fromkeys(["quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"], _quantities),
    "readPoint": _location, "bizLocation": _location, "persistentDisposition": _persistent,
    "bizTransactionList": _typed("bizTransaction"), "sourceList": _typed("source"),
    "destinationList": _typed("destination"), "errorDeclaration": _error_declaration,
    "sensorElementList": _sensors, "ilmd": _ilmd,
}  # fmt: skip


def _check_order(kind: str, names: list[str], out: Collector) -> None:
    """Standard children must follow the XSD sequence of the event type."""
    ranks = _RANKS.get(kind, {})
    highest, previous = -1, ""
    for name in names:
        rank = ranks.get(name)
        if rank is None:
            continue
        if rank < highest or (rank == highest and name != "certificationInfo"):
            out.add(name, "schema.element_order", f"<{name}> may not follow <{previous}> in a {kind}.",
                    f"Write the elements in the XSD order: {', '.join(XSD_ORDER[kind])}.")  # fmt: skip
        else:
            highest, previous = rank, name


def _add_standard(event: dict[str, Any], name: str, child: Any, prefixes: dict[str, str]) -> None:
    """Store one standard child under its JSON name."""
    converter = _CONVERTERS.get(name)
    if converter is not None:
        event[name] = converter(child, prefixes)
    elif name == "certificationInfo" and name in event:
        previous = event[name]
        event[name] = [*previous, _text(child)] if isinstance(previous, list) else [previous, _text(child)]
    else:
        event[name] = _text(child)


def convert_event(element: Any, kind: str, prefixes: dict[str, str], out: Collector) -> dict[str, Any]:
    """The JSON-LD dict of an XML event; XML-only problems go to ``out``."""
    event: dict[str, Any] = {"type": kind}
    children = _children(element)
    _check_order(kind, [local_name(c) or "" for c in children], out)
    allowed = _RANKS.get(kind, {})
    for child in _flattened(element, children):
        name = local_name(child)
        if name is None:
            event[_extension_key(child, prefixes)] = generic(child, prefixes)
        elif name in allowed:
            _add_standard(event, name, child, prefixes)
        else:
            out.add(name, "schema.unknown_field", f"<{name}> is not an element of a {kind}.",
                    "Remove it, or put it in your own XML namespace as an extension.")  # fmt: skip
    return event
