"""E2B(R3) acknowledgement messages (MCCI_IN200101UV01) for a received ICSR batch.

Batch level ACK.A.4: AA all reports loaded, AE processed with errors (see reports / ACK.A.5),
AR nothing could be read.  Report level ACK.B.r.6: CA loaded, CR rejected with ACK.B.r.7 text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from .issues import Issue, ParseResult
from .model import ICH_OID, Batch, Report, Value
from .parse import parse_batch
from .xmlsafe import NSMAP, XSI_TYPE, E2BError, q

OID = f"{ICH_OID}.3"
KEYWORDS = f"{ICH_OID}.1.24"
MAX_DETAIL = 250  # ACK.B.r.7 / ACK.A.5 are 250 characters in the ICH specification
AA_TEXT = "message successfully processed, no further action"
AE_TEXT = "some ICSR message(s) need further action"


@dataclass(frozen=True)
class AckSettings:
    """Identifiers of the acknowledging organisation and numbering of this acknowledgement."""

    ack_number: str = "1"  # ACK.M.1
    local_message_number: str = "1"  # ACK.A.2
    sender: str = "NMPA"  # ACK.M.2 / ACK.B.r.4
    now: dt.datetime | None = None


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    """Append an HL7 element with attributes."""
    el = etree.SubElement(parent, q(tag))
    for k, v in attrs.items():
        el.set(k, v)
    return el


def _device(parent: etree._Element, role: str, ext: str | None, root: str) -> None:
    """receiver/sender device with one id."""
    dev = _sub(_sub(parent, role, typeCode="RCV" if role == "receiver" else "SND"), "device",
               classCode="DEV", determinerCode="INSTANCE")
    _id(dev, ext, root)


def _id(parent: etree._Element, ext: str | None, root: str, tag: str = "id") -> etree._Element:
    """An II element, nullFlavor NI when the extension is unknown."""
    el = _sub(parent, tag)
    if ext:
        el.set("extension", ext)
        el.set("root", root)
    else:
        el.set("nullFlavor", "NI")
    return el


def _attention(parent: etree._Element, code: str, name: str, value: etree._Element) -> None:
    """attentionLine with an ICH keyword and a value."""
    line = _sub(parent, "attentionLine")
    _sub(line, "keyWordText", code=code, codeSystem=KEYWORDS, codeSystemVersion="1.0", displayName=name)
    line.append(value)


def _ts(value: str | None) -> etree._Element:
    """A TS value element."""
    el = etree.Element(q("value"))
    el.set(XSI_TYPE, "TS")
    el.set("value" if value else "nullFlavor", value or "NI")
    return el


def _ext(v: Value | None) -> str | None:
    """The extension (or value) of an identifier, if any."""
    return (v.extension or v.root) if v is not None else None


def _detail(parent: etree._Element, text: str) -> None:
    """acknowledgementDetail/text, truncated to the ICH length."""
    detail = _sub(parent, "acknowledgementDetail")
    _sub(detail, "text").text = text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 3] + "..."


def issue_text(issues: Sequence[Issue]) -> str:
    """ACK.B.r.7 / ACK.A.5 text: element ids and messages joined by ';' as FDA does."""
    return ";".join(i.message for i in issues)


def _header(root: etree._Element, s: AckSettings, stamp: str) -> None:
    """ACK.M.1 id, ACK.M.4 creation time, response mode, interaction id."""
    _id(root, s.ack_number, f"{OID}.20")
    _sub(root, "creationTime", value=stamp)
    _sub(root, "responseModeCode", code="D")
    _sub(root, "interactionId", extension="MCCI_IN200101UV01", root="2.16.840.1.113883.1.6")


def _report_ack(
    root: etree._Element, r: Report, n: int, issues: list[Issue], *, s: AckSettings, stamp: str
) -> None:
    """One MCCI_IN000002UV01 with ACK.B.r.1-7: CR naming the errors, or CA naming any warnings."""
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity != "error"]
    msg = _sub(root, "MCCI_IN000002UV01")
    _id(msg, f"{s.ack_number}-{n + 1}", f"{OID}.19")  # ACK.B.r.2 local report number
    _sub(msg, "creationTime", value=stamp[:14])
    _sub(msg, "interactionId", extension="MCCI_IN000002UV01", root="2.16.840.1.113883.1.6")
    _sub(msg, "processingCode", code="P")
    _sub(msg, "processingModeCode", code="T")
    _sub(msg, "acceptAckCode", code="NE")
    _device(msg, "receiver", _ext(r.sender_id), f"{OID}.16")  # ACK.B.r.3
    _device(msg, "sender", s.sender, f"{OID}.15")  # ACK.B.r.4
    _attention(msg, "1", "dateOfIcsrMessageCreation", _ts(r.message_date.value if r.message_date else None))
    ack = _sub(msg, "acknowledgement", typeCode="CR" if errors else "CA")  # ACK.B.r.6
    _id(_sub(ack, "targetMessage"), _ext(r.message_id), f"{OID}.1")  # ACK.B.r.1
    _detail(ack, _report_text(errors, warnings))  # ACK.B.r.7


def _report_text(errors: list[Issue], warnings: list[Issue]) -> str:
    """ACK.B.r.7: the errors of a rejected report; a loaded report's warnings (ICH: "non fatal warning
    messages when ACK.B.r.6 is CA")."""
    if errors:
        return issue_text(errors)
    if warnings:
        return f"Report loaded with warnings: {issue_text(warnings)}"
    return "Report loaded successfully"


def _trailer(root: etree._Element, batch: Batch | None, code: str, text: str, s: AckSettings) -> None:
    """ACK.M.3 receiver, ACK.M.2 sender, ACK.A.2/A.3 and the batch acknowledgement ACK.A.1/A.4/A.5."""
    _device(root, "receiver", _ext(batch.sender) if batch else None, f"{OID}.18")
    _device(root, "sender", s.sender, f"{OID}.17")
    value = _id(etree.Element("x"), s.local_message_number, f"{OID}.21", "value")
    value.tag = q("value")
    value.set(XSI_TYPE, "II")
    _attention(root, "2", "acknowledgementLocalMessageNumber", value)
    sent = batch.creation_time.value if batch and batch.creation_time else None
    _attention(root, "3", "dateOfIcsrBatchTransmission", _ts(sent))
    ack = _sub(root, "acknowledgement", typeCode=code)  # ACK.A.4
    _id(_sub(ack, "targetBatch"), _ext(batch.batch_number) if batch else None, f"{OID}.22")  # ACK.A.1
    _detail(ack, text)  # ACK.A.5


def _issues(results: ParseResult | Sequence[Issue] | E2BError | None) -> list[Issue]:
    """Normalise the ``results`` argument to a list of issues (errors and warnings)."""
    if results is None or isinstance(results, E2BError):
        return []
    return list(results.errors if isinstance(results, ParseResult) else results)


def batch_code(batch: Batch | None, issues: list[Issue]) -> str:
    """ACK.A.4: AR when nothing was parsed, AE on any error, else AA."""
    if batch is None:
        return "AR"
    return "AE" if issues else "AA"


def build_acknowledgement(batch: Batch | None, results: ParseResult | Sequence[Issue] | E2BError | None,
                          settings: AckSettings | None = None) -> bytes:
    """Build the MCCI_IN200101UV01 acknowledgement for a batch (``batch=None``: rejected, AR)."""
    s = settings or AckSettings()
    stamp = (s.now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d%H%M%S%z")
    issues = _issues(results)
    errors = [i for i in issues if i.severity == "error"]
    root = etree.Element(q("MCCI_IN200101UV01"), nsmap=NSMAP)  # type: ignore[arg-type]
    root.set("ITSVersion", "XML_1.0")
    _header(root, s, stamp)
    for n, report in enumerate(batch.reports if batch else ()):
        _report_ack(root, report, n, [i for i in issues if i.report == n], s=s, stamp=stamp)
    code = batch_code(batch, errors)
    _trailer(root, batch, code, _batch_text(code, errors, results), s)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _batch_text(code: str, issues: list[Issue], results: object) -> str:
    """ACK.A.5 text for each batch outcome."""
    if code == "AR":
        why = str(results) if isinstance(results, E2BError) else "the transmission could not be parsed"
        return f"batch rejected, nothing was loaded; resend the whole transmission: {why}"
    batch_level = [i for i in issues if i.report is None]
    if batch_level:
        return issue_text(batch_level)
    return AE_TEXT if code == "AE" else AA_TEXT


def acknowledge(xml: bytes, settings: AckSettings | None = None) -> tuple[ParseResult | None, bytes]:
    """Parse a received batch and build its acknowledgement in one call."""
    try:
        result = parse_batch(xml)
    except E2BError as exc:
        return None, build_acknowledgement(None, exc, settings)
    return result, build_acknowledgement(result.batch, result, settings)
