"""E2B(R3) intake: FDA instances, follow-ups, refusals (nothing written), acknowledgements."""

import dataclasses
from pathlib import Path

import pytest
from django.apps import apps
from lxml import etree

from medreg.core.actor import Actor
from medreg.core.models import AuditRecord, Role, User
from medreg.core.scoping import scope_for
from medreg.vigilance.e2b import parse_batch
from medreg.vigilance.models import Case, CaseDrug, CaseReaction, CaseVersion, IntakeTransmission, VersionKind
from medreg.vigilance.services import export_case
from tests import factories
from tests.vigilance.factories import E2B_DIR, e2b_xml, make_report, send

FILES = sorted(E2B_DIR.glob("FAERS*.xml"))
# Data-quality warnings the FDA instances are loaded with (decision 0206), as stored on the version.
WARNED = {"FAERS2022Scenario5-3.xml": ["G.k", "G.k.1"], "FAERS2022Scenario6.xml": ["D.9.1", "E.i.4"]}
HL7 = {"h": "urn:hl7-org:v3"}


def counts() -> dict[str, int]:
    models = [*apps.get_app_config("vigilance").get_models(), AuditRecord]
    return {m._meta.label: m.objects.count() for m in models}


def ack_codes(ack: bytes) -> tuple[str, list[str], list[str]]:
    """(ACK.A.4, ACK.B.r.6 per report, ACK.B.r.7 per report)."""
    root = etree.fromstring(ack)
    batch = root.find("h:acknowledgement", HL7).get("typeCode")
    reports = root.findall("h:MCCI_IN000002UV01/h:acknowledgement", HL7)
    return (
        batch,
        [r.get("typeCode") for r in reports],
        [r.findtext("h:acknowledgementDetail/h:text", "", HL7) for r in reports],
    )


@pytest.fixture
def enterprise_user(db: None) -> User:
    holder = factories.make_enterprise("杭州甲药业有限公司", "330106", ("marketing_authorization_holder",))
    return factories.make_user("ent_a", Role.MARKETING_AUTHORIZATION_HOLDER, None, holder.uscc)


@pytest.fixture
def other_enterprise_user(db: None) -> User:
    holder = factories.make_enterprise("南京乙医药有限公司", "320102", ("marketing_authorization_holder",))
    return factories.make_user("ent_b", Role.MARKETING_AUTHORIZATION_HOLDER, None, holder.uscc)


@pytest.mark.django_db
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fda_instance_imports_and_round_trips_through_the_database(path: Path, national_user: User) -> None:
    # given
    xml = path.read_bytes()
    # when
    result = send(national_user, xml=xml)
    # then every instance is loaded; the ones with warnings are CA naming them in ACK.B.r.7
    code, reports, details = ack_codes(result.acknowledgement)
    assert (code, reports, result.code) == ("AA", ["CA"], "AA")
    warned = WARNED.get(path.name, [])
    if warned:
        assert details[0].startswith(f"Report loaded with warnings: {warned[0]} ")
    else:
        assert details[0] == "Report loaded successfully"
    assert (Case.objects.count(), CaseVersion.objects.count(), IntakeTransmission.objects.count()) == (1, 1, 1)
    assert [f["element"] for f in CaseVersion.objects.get().findings] == warned
    original = parse_batch(xml).batch.reports[0]
    case = Case.objects.get()
    assert case.worldwide_case_id == original.worldwide_case_id.extension
    assert CaseDrug.objects.count() == len(original.drugs)
    assert CaseReaction.objects.count() == len(original.reactions)
    exported = export_case(
        actor=Actor(user=national_user), scope=scope_for(national_user), case_id=case.pk, identified=True
    )
    assert parse_batch(exported).batch.reports[0] == original
    # and importing the export again is recognised as the very same message: nothing new is written
    before = counts()
    again = send(national_user, xml=exported)
    assert (again.code, ack_codes(again.acknowledgement)[1]) == ("AA", ["CA"])
    assert counts() == before


@pytest.mark.django_db
def test_deidentified_export_masks_the_identifiers(national_user: User) -> None:
    # given
    result = send(national_user, make_report("CN-MASK-1"))
    # when
    xml = export_case(actor=Actor(user=national_user), scope=scope_for(national_user), case_id=result.stored[0][0])
    # then
    report = parse_batch(xml).batch.reports[0]
    assert report.patient.name.null_flavor == "MSK"
    assert report.patient.birth_date.null_flavor == "MSK"
    assert report.primary_sources[0].family.null_flavor == "MSK"
    assert report.primary_sources[0].telecom == ()
    assert report.drugs == make_report("CN-MASK-1").drugs
    assert "张伟明".encode() not in xml
    assert b"Robertson" not in xml


@pytest.mark.django_db
def test_fda_follow_up_creates_version_two_and_updates_the_index(national_user: User) -> None:
    # given Scenario 1 stored, then Scenario 2: same C.1.8.1, later C.1.5
    send(national_user, xml=(E2B_DIR / "FAERS2022Scenario1.xml").read_bytes())
    audit_before = AuditRecord.objects.count()
    # when
    result = send(national_user, xml=(E2B_DIR / "FAERS2022Scenario2.xml").read_bytes())
    # then
    assert result.code == "AA"
    case = Case.objects.get()
    assert (case.current_version, Case.objects.count()) == (2, 1)
    assert list(case.versions.values_list("number", "kind")) == [(1, "initial"), (2, "follow_up")]
    follow_up = parse_batch((E2B_DIR / "FAERS2022Scenario2.xml").read_bytes()).batch.reports[0]
    assert case.drugs.count() == len(follow_up.drugs)
    assert case.reactions.count() == len(follow_up.reactions)
    assert AuditRecord.objects.count() == audit_before + 1


@pytest.mark.django_db
def test_follow_up_replaces_drugs_and_proposes_a_registry_match(enterprise_user: User) -> None:
    # given
    holder = factories.make_enterprise("常州丙药业有限公司", "320102", ("marketing_authorization_holder",))
    factories.make_drug(holder, "国药准字H20060001", name="布洛芬片")
    send(enterprise_user, make_report("CN-FU-1", most_recent="20260301"))
    # when
    result = send(enterprise_user, make_report("CN-FU-1", most_recent="20260310", drug_name="布洛芬片"))
    # then
    assert result.code == "AA"
    first = CaseDrug.objects.get(case__worldwide_case_id="CN-FU-1", sequence=1)
    assert (first.name_as_reported, first.matched_approval_number, first.match_status) == (
        "布洛芬片",
        "国药准字H20060001",
        "proposed",
    )
    assert first.registry_holder_code == holder.uscc
    assert CaseVersion.objects.filter(case__worldwide_case_id="CN-FU-1").count() == 2


@pytest.mark.django_db
def test_approval_number_matches_before_the_name(enterprise_user: User) -> None:
    holder = factories.make_enterprise("常州丙药业有限公司", "320102", ("marketing_authorization_holder",))
    factories.make_drug(holder, "国药准字H20060001", name="布洛芬片")
    factories.make_drug(holder, "国药准字H20060002", name="阿莫西林胶囊")
    send(enterprise_user, make_report("CN-NUM-1", drug_name="布洛芬片", authorisation="国药准字H20060002"))
    assert CaseDrug.objects.get(sequence=1).matched_approval_number == "国药准字H20060002"
    assert CaseDrug.objects.get(sequence=2).match_status == "none"


@pytest.mark.django_db
def test_follow_up_for_an_unknown_case_is_refused_and_writes_nothing(enterprise_user: User) -> None:
    # given
    before = counts()
    # when C.1.5 is later than C.1.4 for a case never received
    result = send(enterprise_user, make_report("CN-UNKNOWN-1", first_received="20260301", most_recent="20260310"))
    # then
    code, reports, details = ack_codes(result.acknowledgement)
    assert (code, reports) == ("AE", ["CR"])
    assert details[0].startswith("C.1.8.1: this report is a follow-up, amendment or nullification of a case")
    assert counts() == before


@pytest.mark.django_db
def test_nullification_of_an_unknown_case_is_refused(enterprise_user: User) -> None:
    before = counts()
    result = send(enterprise_user, make_report("CN-UNKNOWN-2", nullification="1"))
    assert ack_codes(result.acknowledgement)[:2] == ("AE", ["CR"])
    assert counts() == before


@pytest.mark.django_db
def test_another_senders_case_id_is_refused_and_writes_nothing(
    enterprise_user: User, other_enterprise_user: User
) -> None:
    # given
    send(enterprise_user, make_report("CN-OWN-1", most_recent="20260301"))
    before = counts()
    # when another enterprise sends a "follow-up" to it
    result = send(other_enterprise_user, make_report("CN-OWN-1", most_recent="20260310"))
    # then
    code, reports, details = ack_codes(result.acknowledgement)
    assert (code, reports) == ("AE", ["CR"])
    assert details[0].startswith("C.1.8.1: this case id belongs to a case sent by another sender")
    assert counts() == before
    assert Case.objects.get().sender_enterprise_code == enterprise_user.enterprise_code


@pytest.mark.django_db
def test_older_information_is_refused(enterprise_user: User) -> None:
    send(enterprise_user, make_report("CN-OLD-1", first_received="20260301", most_recent="20260301"))
    before = counts()
    result = send(enterprise_user, make_report("CN-OLD-1", first_received="20260201", most_recent="20260201"))
    assert ack_codes(result.acknowledgement)[2][0].startswith("C.1.5: the date of most recent information (20260201)")
    assert counts() == before


@pytest.mark.django_db
def test_amendment_and_nullification_are_versions(enterprise_user: User) -> None:
    send(enterprise_user, make_report("CN-AM-1", most_recent="20260301"))
    send(enterprise_user, make_report("CN-AM-1", most_recent="20260301", nullification="2"))
    send(enterprise_user, make_report("CN-AM-1", most_recent="20260302", nullification="1"))
    result = send(enterprise_user, make_report("CN-AM-1", most_recent="20260303"))
    case = Case.objects.get()
    assert list(case.versions.values_list("kind", flat=True)) == [
        VersionKind.INITIAL,
        VersionKind.AMENDMENT,
        VersionKind.NULLIFICATION,
    ]
    assert case.nullified is True
    assert ack_codes(result.acknowledgement)[2][0].startswith("C.1.11.1: the case was nullified")


@pytest.mark.django_db
def test_retransmission_is_acknowledged_without_a_new_version(enterprise_user: User) -> None:
    send(enterprise_user, make_report("CN-RE-1"))
    before = counts()
    result = send(enterprise_user, make_report("CN-RE-1"))
    assert result.code == "AA"
    assert counts() == before


@pytest.mark.django_db
def test_mixed_batch_stores_the_good_report_only(enterprise_user: User) -> None:
    # given one valid report and one whose reaction is dated in the future
    good = make_report("CN-MIX-1")
    bad = make_report("CN-MIX-2")
    future = dataclasses.replace(bad.reactions[0], start=dataclasses.replace(bad.reactions[0].start, value="20991231"))
    bad = dataclasses.replace(bad, reactions=(future, *bad.reactions[1:]))
    # when
    result = send(enterprise_user, good, bad)
    # then
    code, reports, details = ack_codes(result.acknowledgement)
    assert (code, reports) == ("AE", ["CA", "CR"])
    assert details[1] == "E.i.4 date 20991231 is in the future; correct it."
    assert list(Case.objects.values_list("worldwide_case_id", flat=True)) == ["CN-MIX-1"]
    assert IntakeTransmission.objects.count() == 1


@pytest.mark.django_db
def test_reaction_before_birth_is_loaded_with_a_warning_and_flagged(enterprise_user: User) -> None:
    # given a report whose patient was born after the reaction started
    report = make_report("CN-BORN-1")
    report = dataclasses.replace(
        report,
        patient=dataclasses.replace(
            report.patient, birth_date=dataclasses.replace(report.patient.birth_date, value="20260101")
        ),
    )
    # when
    result = send(enterprise_user, report)
    # then
    code, reports, details = ack_codes(result.acknowledgement)
    assert (code, reports) == ("AA", ["CA"])
    messages = [
        f"E.i.4 reaction start {reaction.start.value} is before the patient's date of birth (D.2.1); the report was "
        "loaded, correct the dates in a follow-up (a reaction of a foetus is reported in a parent-child report)."
        for reaction in report.reactions
    ]
    assert len(messages) == 2
    assert details[0] == f"Report loaded with warnings: {messages[0]};{messages[1]}"[:247] + "..."
    version = CaseVersion.objects.get()
    assert [(f["element"], f["message"]) for f in version.findings] == [("E.i.4", m) for m in messages]
    assert version.findings[0]["xpath"].endswith("/effectiveTime/low")
    record = AuditRecord.objects.get(action="vigilance.case_version.received")
    assert record.after["findings"] == ["E.i.4", "E.i.4"]
    assert "20260101" not in str(version.findings)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "xml", [b"<MCCI_IN200100UV01", b"not xml", e2b_xml(make_report())[:-40]], ids=["open", "text", "cut"]
)
def test_malformed_xml_is_rejected_ar_and_writes_nothing(enterprise_user: User, xml: bytes) -> None:
    before = counts()
    result = send(enterprise_user, xml=xml)
    code, reports, _ = ack_codes(result.acknowledgement)
    assert (code, reports, result.code) == ("AR", [], "AR")
    assert counts() == before


@pytest.mark.django_db
def test_each_stored_version_is_audited(enterprise_user: User) -> None:
    send(enterprise_user, make_report("CN-AUD-1"), make_report("CN-AUD-2"))
    records = AuditRecord.objects.filter(action="vigilance.case_version.received").order_by("position")
    assert [(r.after["worldwide_case_id"], r.after["version"], r.actor_username) for r in records] == [
        ("CN-AUD-1", 1, "ent_a"),
        ("CN-AUD-2", 1, "ent_a"),
    ]
    assert "张伟明" not in str([r.after for r in records])


@pytest.mark.django_db
def test_case_jurisdiction_is_the_senders(enterprise_user: User, provincial_user: User) -> None:
    send(enterprise_user, make_report("CN-J-1"))
    send(provincial_user, make_report("CN-J-2"))
    assert dict(Case.objects.values_list("worldwide_case_id", "jurisdiction_path")) == {
        "CN-J-1": "/000000/330000/330100/330106/",
        "CN-J-2": "/000000/330000/",
    }


@pytest.mark.django_db
def test_all_fda_instances_in_one_database(national_user: User) -> None:
    # when the ten instances arrive one after another from one sender
    outcomes, refusals = {}, []
    for path in FILES:
        result = send(national_user, xml=path.read_bytes())
        _code, reports, details = ack_codes(result.acknowledgement)
        outcomes[path.name] = reports[0]
        refusals += [detail[:6] for detail in details if reports[0] == "CR"]
    # then three cases; 8744554B gets Scenario 2 as its follow-up, the rest of its scenarios are not newer
    # (refused naming C.1.5; the warnings of 5-3 and 6 refuse nothing)
    assert outcomes == {
        "FAERS2022Scenario1.xml": "CA",
        "FAERS2022Scenario2.xml": "CA",
        "FAERS2022Scenario3.xml": "CR",
        "FAERS2022Scenario4.xml": "CA",
        "FAERS2022Scenario5-1.xml": "CA",
        "FAERS2022Scenario5-2.xml": "CR",
        "FAERS2022Scenario5-3.xml": "CR",
        "FAERS2022Scenario6.xml": "CR",
        "FAERS2022Scenario7.xml": "CR",
        "FAERS2022Scenario8.xml": "CR",
    }
    assert dict(Case.objects.values_list("worldwide_case_id", "current_version")) == {
        "US-APHARMA-8744554B": 2,
        "US-APHARMA-222222222": 1,
        "US-APHARMA-234545656": 1,
    }
    assert CaseVersion.objects.count() == 4
    assert refusals == ["C.1.5:"] * 6
