"""Hardened XML parsing for untrusted E2B(R3) input (no network, no entities, bounded size)."""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = f"{{{XSI}}}type"
NSMAP = {None: HL7, "xsi": XSI}
MAX_BYTES = 64 * 1024 * 1024
"""Largest accepted transmission; FDA's biggest sample (with attachments) is ~2 MB."""


class E2BError(Exception):
    """Raised only when input cannot be read as an E2B(R3) batch at all."""


def _parser() -> etree.XMLParser:
    """A parser that never resolves entities, never touches the network, keeps limits on."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


def _prolog(data: bytes) -> bytes:
    """Bytes before the root element (where a DOCTYPE would be)."""
    m = _FIRST_ELEMENT.search(data)
    return data[: m.start()] if m else data


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted bytes into an element tree or raise :class:`E2BError`."""
    if not isinstance(data, (bytes, bytearray)):
        raise E2BError("input must be bytes")
    if len(data) > MAX_BYTES:
        raise E2BError(f"input is {len(data)} bytes; the limit is {MAX_BYTES}")
    if b"<!DOCTYPE" in _prolog(bytes(data)):
        raise E2BError("DTDs and entity declarations are not allowed in E2B(R3) messages")
    try:
        root = etree.fromstring(bytes(data), _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise E2BError(f"not well-formed XML: {exc}") from exc
    if root is None:
        raise E2BError("empty document")
    return root


def local(el: etree._Element) -> str:
    """Local name of an element (namespace stripped)."""
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


@lru_cache(maxsize=1024)
def q(tag: str) -> str:
    """Clark name of an HL7 v3 element."""
    return f"{{{HL7}}}{tag}"
