"""E2B(R3) acknowledgements: AA/AE/AR, CA/CR, and the same structure as FDA's sample acks."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from medreg.vigilance.e2b import build_acknowledgement, parse_batch
from medreg.vigilance.e2b.ack import AckSettings, acknowledge
from medreg.vigilance.e2b.xmlsafe import HL7
from tests.shared import CONFORMANCE

E2B = CONFORMANCE / "e2b"
NS = {"h": HL7}
SETTINGS = AckSettings(ack_number="A-1", local_message_number="42", sender="NMPA",
                       now=dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC))


def shape(xml: bytes) -> set[str]:
    """Set of element paths (local names) of a document."""
    root = etree.fromstring(xml, etree.XMLParser(remove_comments=True))
    return {"/".join(etree.QName(a).localname for a in reversed([el, *el.iterancestors()]))
            for el in root.iter() if isinstance(el.tag, str)}


def one(xml: bytes, xpath: str) -> str:
    found = etree.fromstring(xml).xpath(xpath, namespaces=NS)
    assert len(found) == 1, xpath
    return str(found[0])


def test_clean_batch_is_aa_with_ca() -> None:
    result, ack = acknowledge((E2B / "FAERS2022Scenario1.xml").read_bytes(), SETTINGS)
    assert result is not None
    assert result.ok
    assert one(ack, "/h:MCCI_IN200101UV01/h:acknowledgement/@typeCode") == "AA"
    assert one(ack, "//h:MCCI_IN000002UV01/h:acknowledgement/@typeCode") == "CA"
    assert one(ack, "//h:targetBatch/h:id/@extension") == "FAERS2022Scenario1-4069-a2dd-08002b30309d"
    assert one(ack, "//h:targetMessage/h:id/@extension") == "21ec1492-3aea-4069-a2ab-08002b30309d"
    assert one(ack, "/h:MCCI_IN200101UV01/h:id/@extension") == "A-1"


def test_same_structure_as_fda_positive_ack() -> None:
    _, ack = acknowledge((E2B / "FAERS2022Scenario1.xml").read_bytes(), SETTINGS)
    assert shape(ack) == shape((E2B / "R3ack-positive.ack").read_bytes())


def test_report_with_errors_is_cr_in_ae_batch_like_fda_negative_ack() -> None:
    # given Scenario 1 with a reaction dated in the future (ICH: "cannot refer to a future date")
    root = etree.fromstring((E2B / "FAERS2022Scenario1.xml").read_bytes())
    root.xpath("//h:observation[h:code/@code='29']/h:effectiveTime/h:low", namespaces=NS)[0].set("value", "20991231")
    # when
    result, ack = acknowledge(etree.tostring(root), SETTINGS)
    # then
    assert result is not None
    assert not result.ok
    assert one(ack, "/h:MCCI_IN200101UV01/h:acknowledgement/@typeCode") == "AE"
    assert one(ack, "//h:MCCI_IN000002UV01/h:acknowledgement/@typeCode") == "CR"
    text = one(ack, "//h:MCCI_IN000002UV01//h:acknowledgementDetail/h:text/text()")
    assert text == "E.i.4 date 20991231 is in the future; correct it."
    assert shape(ack) == shape((E2B / "R3ack-negative.ack").read_bytes())


def test_report_with_warnings_is_ca_naming_them_in_an_aa_batch() -> None:
    # when Scenario 6 (death and a reaction before the date of birth) is acknowledged
    result, ack = acknowledge((E2B / "FAERS2022Scenario6.xml").read_bytes(), SETTINGS)
    # then it is loaded, and ACK.B.r.7 names the warnings (ICH: "non fatal warning messages when CA")
    assert result is not None
    assert result.ok
    assert one(ack, "/h:MCCI_IN200101UV01/h:acknowledgement/@typeCode") == "AA"
    assert one(ack, "//h:MCCI_IN000002UV01/h:acknowledgement/@typeCode") == "CA"
    text = one(ack, "//h:MCCI_IN000002UV01//h:acknowledgementDetail/h:text/text()")
    assert text == (
        "Report loaded with warnings: D.9.1 date of death is before D.2.1 date of birth; the report was loaded, "
        "correct one of them in a follow-up.;E.i.4 reaction start 20090101 is before the patient's date of birth "
        "(D.2.1); the report was loaded, correct ..."
    )
    assert len(text) == 250
    assert shape(ack) == shape((E2B / "R3ack-positive.ack").read_bytes())


def test_unparsable_batch_is_ar_without_report_acks() -> None:
    result, ack = acknowledge(b"<MCCI_IN200100UV01 xmlns='urn:hl7-org:v3'><id", SETTINGS)
    assert result is None
    assert one(ack, "/h:MCCI_IN200101UV01/h:acknowledgement/@typeCode") == "AR"
    assert etree.fromstring(ack).xpath("//h:MCCI_IN000002UV01", namespaces=NS) == []
    assert "resend the whole transmission" in one(ack, "//h:acknowledgementDetail/h:text/text()")


def test_keywords_and_oids_follow_ich() -> None:
    result = parse_batch((E2B / "FAERS2022Scenario1.xml").read_bytes())
    ack = build_acknowledgement(result.batch, result, SETTINGS)
    roots = {e.get("root") for e in etree.fromstring(ack).iter() if e.get("root")}
    assert {f"2.16.840.1.113883.3.989.2.1.3.{n}" for n in (1, 15, 16, 17, 18, 19, 20, 21, 22)} <= roots
    assert one(ack, "//h:attentionLine[h:keyWordText/@code='2']/h:value/@extension") == "42"
    assert one(ack, "//h:attentionLine[h:keyWordText/@code='3']/h:value/@value") == "20220614101010-0500"


def test_detail_text_is_capped_at_250_characters() -> None:
    result = parse_batch(b"<MCCI_IN200100UV01 xmlns='urn:hl7-org:v3'><PORR_IN049016UV/></MCCI_IN200100UV01>")
    ack = build_acknowledgement(result.batch, result, SETTINGS)
    texts = etree.fromstring(ack).xpath("//h:acknowledgementDetail/h:text/text()", namespaces=NS)
    assert all(len(t) <= 250 for t in texts)
    assert any(t.endswith("...") for t in texts)
