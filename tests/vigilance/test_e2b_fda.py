"""FDA's E2B(R3) ICSR instances (read in place): parse, exact findings, lossless round trip."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from medreg.vigilance.e2b import export_batch, parse_batch
from medreg.vigilance.e2b import model as m
from medreg.vigilance.e2b.spec import check_spec
from tests.shared import CONFORMANCE

E2B_DIR = CONFORMANCE / "e2b"
FILES = sorted(E2B_DIR.glob("FAERS*.xml"))
TODAY = dt.date(2026, 11, 1)
# Findings the FDA samples really contain (checked by hand against the files); all are warnings,
# so every instance is loaded (decision 0206):
EXPECTED = {
    # Scenario 5-3: "Drug Z (No drug exposure)" was given the id of "Drug X" (59d6f5ce...), and the G.k.1
    # "drug not administered" role points at 68d6f5ce..., the id the file's other scenarios use for it.
    "FAERS2022Scenario5-3.xml": [(0, "G.k", "warning"), (0, "G.k.1", "warning")],
    # Scenario 6: birthTime 20141001 but deceasedTime 20090101 and a reaction starting 20090101.
    "FAERS2022Scenario6.xml": [(0, "D.9.1", "warning"), (0, "E.i.4", "warning")],
}
STRUCTURAL = {"classCode", "moodCode", "typeCode", "determinerCode",
              "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"}


def test_fda_instances_present() -> None:
    assert len(FILES) >= 10, f"expected the FDA E2B(R3) instances in {E2B_DIR}"


def test_spec_covers_every_model_field() -> None:
    assert check_spec() == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fda_instance_parses_with_exact_findings(path: Path) -> None:
    result = parse_batch(path.read_bytes(), today=TODAY)
    assert [(i.report, i.element, i.severity) for i in result.errors] == EXPECTED.get(path.name, [])
    assert result.ok
    assert result.batch.reports, "every FDA sample holds one ICSR"
    report = result.batch.reports[0]
    assert report.safety_report_id
    assert report.safety_report_id.extension
    assert report.reactions
    assert report.drugs
    assert report.primary_sources


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fda_instance_round_trips_to_equal_model(path: Path) -> None:
    first = parse_batch(path.read_bytes(), today=TODAY)
    exported = export_batch(first.batch)
    second = parse_batch(exported, today=TODAY)
    assert second.batch == first.batch
    assert [(i.report, i.element, i.severity) for i in second.errors] == EXPECTED.get(path.name, [])
    assert export_batch(second.batch) == exported


def leaves(xml: bytes) -> Counter[tuple[str, str, str]]:
    """(element path, attribute or #text, value) for every data-bearing leaf."""
    root = etree.fromstring(xml, etree.XMLParser(remove_comments=True, resolve_entities=False))
    out: Counter[tuple[str, str, str]] = Counter()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        path = "/".join(etree.QName(a).localname for a in reversed([el, *el.iterancestors()]))
        for k, v in el.attrib.items():
            if k not in STRUCTURAL and not _fixed_code_label(el, k):
                out[(path, k, v)] += 1
        if el.text and el.text.strip():
            out[(path, "#text", el.text.strip())] += 1
    return out


def _fixed_code_label(el: etree._Element, attr: str) -> bool:
    """displayName/codeSystemVersion of the fixed ICH selector codes are regenerated, not kept."""
    if etree.QName(el).localname != "code" or attr not in {"displayName", "codeSystemVersion"}:
        return False
    return (el.get("codeSystem") or "").startswith("2.16.840.1.113883.3.989.2.1.1.")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fda_instance_export_keeps_every_leaf(path: Path) -> None:
    original = path.read_bytes()
    exported = export_batch(parse_batch(original, today=TODAY).batch)
    lost = leaves(original) - leaves(exported)
    added = leaves(exported) - leaves(original)
    assert not lost, sorted(lost)[:10]
    assert not added, sorted(added)[:10]
    assert element_paths(exported) == element_paths(original)


def element_paths(xml: bytes) -> Counter[str]:
    """How many elements sit at each local-name path (the document's shape)."""
    root = etree.fromstring(xml, etree.XMLParser(remove_comments=True, resolve_entities=False))
    return Counter("/".join(etree.QName(a).localname for a in reversed([el, *el.iterancestors()]))
                   for el in root.iter() if isinstance(el.tag, str))


def test_fda_regional_elements_kept_as_extensions() -> None:
    batch = parse_batch((E2B_DIR / "FAERS2022Scenario1.xml").read_bytes(), today=TODAY).batch
    report = batch.reports[0]
    patient = report.patient
    assert patient is not None
    races = [e for e in patient.ext if "C17049" in e.xml]
    assert len(races) == 2
    assert all(e.path == "" for e in races)
    assert any("C54588" in e.xml for e in report.ext)  # FDA.C.1.7.1 local criteria report type
    assert any("requiredIntervention" in e.xml for e in report.reactions[0].ext)  # FDA.E.i.3.2h


def test_core_values_keep_code_systems_and_null_flavors() -> None:
    report = parse_batch((E2B_DIR / "FAERS2022Scenario1.xml").read_bytes(), today=TODAY).batch.reports[0]
    term = report.reactions[0].term
    assert term is not None
    assert (term.code, term.code_system, term.code_system_version) == ("10027940", "2.16.840.1.113883.6.163", "25.0")
    death = report.reactions[0].death
    assert death is not None
    assert death.null_flavor == "NI"
    assert death.xsi_type == "BL"
    assert report.report_type is not None
    assert report.report_type.code == "1"
    assert [report.role_of(d) for d in report.drugs] == ["1", "1", "2"]
    assert report.drugs[0].dosages[0].batch is not None
    assert report.drugs[0].dosages[0].batch.text == "UNKNOWN"


def test_model_built_in_code_round_trips_and_validates() -> None:
    v = m.Value
    ich = "2.16.840.1.113883.3.989.2.1"
    report = m.Report(
        message_id=v(root=f"{ich}.3.1", extension="CN-NMPA-1"), message_date=v(value="20260101"),
        creation_date=v(value="20260101"), safety_report_id=v(root=f"{ich}.3.1", extension="CN-X-1"),
        worldwide_case_id=v(root=f"{ich}.3.2", extension="CN-X-1"), first_received=v(value="20251230"),
        most_recent=v(value="20251231"), report_type=v(code="1", code_system=f"{ich}.1.2", xsi_type="CE"),
        patient=m.Patient(name=v(text="ZS"), birth_date=v(value="19800101")),
        reactions=(m.Reaction(id=v(root="r1"), start=v(value="20251201"),
                              term=v(code="10019211", code_system=m.MEDDRA_OID, code_system_version="27.0",
                                     xsi_type="CE", original_text="头痛")),),
        drugs=(m.Drug(id=v(root="d1"), name=v(text="阿司匹林肠溶片")),),
        drug_roles=(m.DrugRole(role=v(code="1", code_system=f"{ich}.1.13", xsi_type="CE"), drug_ref=v(root="d1")),),
        primary_sources=(m.PrimarySource(regulatory=v(value="1"),
                                         qualification=v(code="1", code_system=f"{ich}.1.6")),),
        sender=m.Sender(sender_type=v(code="2", code_system=f"{ich}.1.7")),
    )
    batch = m.Batch(batch_number=v(root=f"{ich}.3.22", extension="B-1"), sender=v(extension="NMPA"),
                    receiver=v(extension="CDR"), creation_time=v(value="20260101"), reports=(report,))
    result = parse_batch(export_batch(batch), today=TODAY)
    assert result.errors == []
    assert result.batch == batch
