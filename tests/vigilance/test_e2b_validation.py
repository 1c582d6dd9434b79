"""Negative tests: hostile input and exact per-element findings on mutated FDA instances."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from lxml import etree

from medreg.vigilance.e2b import E2BError, export_batch, parse_batch
from medreg.vigilance.e2b.model import Batch, Value
from medreg.vigilance.e2b.xmlsafe import HL7, _parser
from tests.shared import CONFORMANCE

SCENARIO1 = CONFORMANCE / "e2b" / "FAERS2022Scenario1.xml"
TODAY = dt.date(2026, 11, 1)
NS = {"h": HL7}
IE = "//h:investigationEvent"
REACTION = "//h:observation[h:code/@code='29']"


def mutate(fn: Callable[[etree._Element], None]) -> bytes:
    """Scenario 1 with ``fn`` applied to its tree."""
    root = etree.fromstring(SCENARIO1.read_bytes())
    fn(root)
    return etree.tostring(root)


def drop(xpath: str) -> Callable[[etree._Element], None]:
    """A mutation removing every element matched by ``xpath``."""
    def fn(root: etree._Element) -> None:
        for el in root.xpath(xpath, namespaces=NS):
            el.getparent().remove(el)
    return fn


def set_attr(xpath: str, attr: str, value: str) -> Callable[[etree._Element], None]:
    """A mutation setting ``attr`` on the first element matched by ``xpath``."""
    def fn(root: etree._Element) -> None:
        root.xpath(xpath, namespaces=NS)[0].set(attr, value)
    return fn


def findings(xml: bytes) -> list[tuple[int | None, str, str]]:
    return [(i.report, i.element, i.severity) for i in parse_batch(xml, today=TODAY).errors]


CASES = {
    "missing C.1.1": (drop(f"{IE}/h:id[@root='2.16.840.1.113883.3.989.2.1.3.1']"), [(0, "C.1.1", "error")]),
    "missing C.1.8.1": (drop(f"{IE}/h:id[@root='2.16.840.1.113883.3.989.2.1.3.2']"), [(0, "C.1.8.1", "error")]),
    "no reactions": (drop(f"{REACTION}/.."), [(0, "E.i", "error"), *[(0, "G.k.9.i.2.r", "warning")] * 4]),
    "no qualification": (drop("//h:asQualifiedEntity"), [(0, "C.2.r.4", "error")]),
    "no primary source": (drop("//h:outboundRelationship[h:priorityNumber]"), [(0, "C.2.r", "error")]),
    "MedDRA wrong OID": (set_attr(f"{REACTION}/h:value", "codeSystem", "2.16.840.1.113883.6.3"),
                         [(0, "E.i.2.1", "error")]),
    "MedDRA code not 8 digits": (set_attr(f"{REACTION}/h:value", "code", "1002"), [(0, "E.i.2.1", "error")]),
    "reaction before birth": (set_attr(f"{REACTION}/h:effectiveTime/h:low", "value", "19990101"),
                              [(0, "E.i.4", "warning")]),
    "future reaction date": (set_attr(f"{REACTION}/h:effectiveTime/h:low", "value", "20991231"),
                             [(0, "E.i.4", "error")]),
    "invalid date string": (set_attr(f"{REACTION}/h:effectiveTime/h:low", "value", "2014-10-10"),
                            [(0, "E.i.4", "error")]),
    "impossible calendar date": (set_attr("//h:birthTime", "value", "20010231"), [(0, "D.2.1", "error")]),
    "bad report type": (set_attr("//h:investigationCharacteristic[h:code/@code='1']/h:value", "code", "9"),
                        [(0, "C.1.3", "error")]),
    "missing C.1.3": (drop("//h:investigationCharacteristic[h:code/@code='1']"), [(0, "C.1.3", "error")]),
    "missing batch number": (drop("/h:MCCI_IN200100UV01/h:id"), [(None, "N.1.2", "error")]),
    "no reports": (drop("//h:PORR_IN049016UV"), [(None, "N.2.r", "error")]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_exact_findings(name: str) -> None:
    mutation, expected = CASES[name]
    assert findings(mutate(mutation)) == expected


def test_no_suspect_or_interacting_drug() -> None:
    def fn(root: etree._Element) -> None:
        for v in root.xpath("//h:causalityAssessment[h:code/@code='20']/h:value", namespaces=NS):
            v.set("code", "2")
    assert findings(mutate(fn)) == [(0, "G.k.1", "error")]


def test_drug_not_administered_counts_as_the_required_role() -> None:
    def fn(root: etree._Element) -> None:
        values = root.xpath("//h:causalityAssessment[h:code/@code='20']/h:value", namespaces=NS)
        for n, v in enumerate(values):
            v.set("code", "4" if n == 0 else "2")
    assert findings(mutate(fn)) == []


def test_role_pointing_at_no_drug_is_a_warning_unless_it_was_the_only_suspect() -> None:
    # given every role pointing at an id that no G.k block has
    def dangling(root: etree._Element) -> None:
        for ref in root.xpath("//h:causalityAssessment[h:code/@code='20']//h:productUseReference/h:id",
                              namespaces=NS):
            ref.set("root", "00000000-0000-0000-0000-000000000000")
    # when / then: each dangling role is a warning, and no drug is left suspect: an error
    assert findings(mutate(dangling)) == [*[(0, "G.k.1", "warning")] * 3, (0, "G.k.1", "error")]


def test_two_drugs_sharing_an_id_is_a_warning() -> None:
    def fn(root: etree._Element) -> None:
        ids = root.xpath("//h:organizer[h:code/@code='4']//h:substanceAdministration/h:id", namespaces=NS)
        ids[2].set("root", ids[1].get("root"))
    found = parse_batch(mutate(fn), today=TODAY).errors
    assert [(i.element, i.severity) for i in found] == [("G.k", "warning"), ("G.k.1", "warning")]
    assert found[0].message.startswith("G.k two drugs share the id ")


def test_finding_carries_xpath_and_fix() -> None:
    xml = mutate(set_attr(f"{REACTION}/h:value", "codeSystem", "2.16.840.1.113883.6.3"))
    (issue,) = parse_batch(xml, today=TODAY).errors
    assert issue.xpath.endswith("primaryRole/subjectOf2[8]/observation/value")
    assert "2.16.840.1.113883.6.163" in issue.message
    assert "must use" in issue.message
    missing = parse_batch(mutate(CASES["missing C.1.1"][0]), today=TODAY).errors[0]
    assert missing.xpath.endswith("investigationEvent/id[@root=2.16.840.1.113883.3.989.2.1.3.1]")
    assert "mandatory" in missing.message


def test_regional_and_unknown_elements_never_fail() -> None:
    def fn(root: etree._Element) -> None:
        ie = root.xpath(IE, namespaces=NS)[0]
        etree.SubElement(ie, "{urn:example:cn}nmpaExtension", attrib={"k": "v"}).text = "药品"
    xml = mutate(fn)
    result = parse_batch(xml, today=TODAY)
    assert result.errors == []
    assert any("nmpaExtension" in e.xml for e in result.batch.reports[0].ext)
    again = parse_batch(export_batch(result.batch), today=TODAY)
    assert again.batch == result.batch


HOSTILE = {
    "empty": b"",
    "malformed": b"<MCCI_IN200100UV01 xmlns='urn:hl7-org:v3'><id>",
    "not xml": b"\x00\x01\x02 binary",
    "wrong root": b"<html xmlns='urn:hl7-org:v3'/>",
    "no namespace": b"<MCCI_IN200100UV01/>",
    "xxe": b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
           b"<MCCI_IN200100UV01 xmlns='urn:hl7-org:v3'><id extension='&x;'/></MCCI_IN200100UV01>",
    "billion laughs": b"<?xml version='1.0'?><!DOCTYPE l [<!ENTITY a 'aaaaaaaaaa'>"
                      + b"".join(b"<!ENTITY %c '" % (98 + i) + b"&%c;" % (97 + i) * 10 + b"'>" for i in range(8))
                      + b"]><MCCI_IN200100UV01 xmlns='urn:hl7-org:v3'><id extension='&i;'/></MCCI_IN200100UV01>",
    "deep nesting": b"<MCCI_IN200100UV01 xmlns='urn:hl7-org:v3'>" + b"<a>" * 5000 + b"</a>" * 5000
                    + b"</MCCI_IN200100UV01>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_raises_only_e2b_error(name: str) -> None:
    with pytest.raises(E2BError):
        parse_batch(HOSTILE[name])


def test_lxml_hardening_without_prefilter() -> None:
    """Even without the DOCTYPE pre-filter the parser resolves nothing and caps depth."""
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(HOSTILE["xxe"], _parser())
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(HOSTILE["deep nesting"], _parser())
    with pytest.raises(etree.XMLSyntaxError):  # libxml2's entity amplification limit
        etree.fromstring(HOSTILE["billion laughs"], _parser())


def test_doctype_text_inside_cdata_is_not_rejected() -> None:
    def fn(root: etree._Element) -> None:
        root.xpath(f"{IE}/h:text", namespaces=NS)[0].text = etree.CDATA("see <!DOCTYPE html> in the notes")
    result = parse_batch(mutate(fn), today=TODAY)
    assert result.batch.reports[0].narrative is not None
    assert result.batch.reports[0].narrative.text == "see <!DOCTYPE html> in the notes"


def test_non_bytes_and_oversize_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(E2BError):
        parse_batch("<MCCI_IN200100UV01/>")  # type: ignore[arg-type]
    monkeypatch.setattr("medreg.vigilance.e2b.xmlsafe.MAX_BYTES", 100)
    with pytest.raises(E2BError):
        parse_batch(SCENARIO1.read_bytes())


def test_minimal_batch_lists_every_missing_mandatory_element() -> None:
    xml = (b"<MCCI_IN200100UV01 xmlns='urn:hl7-org:v3'><id extension='B1' root='2.16.840.1.113883.3.989.2.1.3.22'/>"
           b"<PORR_IN049016UV/><receiver><device><id extension='R'/></device></receiver>"
           b"<sender><device><id extension='S'/></device></sender></MCCI_IN200100UV01>")
    assert [i.element for i in parse_batch(xml, today=TODAY).errors] == [
        "N.2.r.1", "C.1.1", "C.1.2", "C.1.4", "C.1.5", "C.1.8.1", "C.1.3", "C.2.r", "C.3", "D", "E.i", "G.k.1"]


def test_export_of_unserialisable_value_raises_e2b_error() -> None:
    with pytest.raises(E2BError):
        export_batch(Batch(batch_number=Value(extension="bad\x00id")))
