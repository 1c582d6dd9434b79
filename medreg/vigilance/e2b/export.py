"""Export the case model as E2B(R3) XML (MCCI_IN200100UV01 batch)."""

from __future__ import annotations

from lxml import etree

from .bind import Pending, write
from .model import Batch
from .xmlsafe import NSMAP, XSI, E2BError, parse_xml, q

SCHEMA_LOCATION = "urn:hl7-org:v3 MCCI_IN200100UV01.xsd"


def _fragment(xml: str) -> etree._Element:
    """Parse a stored extension fragment with the hardened parser."""
    try:
        return parse_xml(xml.encode("utf-8"))
    except E2BError as exc:
        raise E2BError(f"stored extension fragment is not valid XML: {exc}") from exc


def export_root(batch: Batch, pretty: bool = True) -> etree._Element:
    """Build the batch element tree; extensions are attached after indentation."""
    root = etree.Element(q("MCCI_IN200100UV01"), nsmap=NSMAP)  # type: ignore[arg-type]
    root.set("ITSVersion", "XML_1.0")
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    pending: Pending = []
    write(batch, root, pending)
    if pretty:
        etree.indent(root, space="  ")
    for parent, xml in pending:
        parent.append(_fragment(xml))
    etree.cleanup_namespaces(root, top_nsmap=NSMAP)  # type: ignore[arg-type]
    return root


def export_batch(batch: Batch, pretty: bool = True) -> bytes:
    """Serialize a :class:`Batch` to E2B(R3) XML bytes (UTF-8, with declaration).

    Raises :class:`E2BError` when a value cannot be written as XML (e.g. control characters).
    """
    try:
        root = export_root(batch, pretty)
    except ValueError as exc:
        raise E2BError(f"cannot serialise the batch: {exc}") from exc
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
