"""Device adverse event and cosmetic adverse reaction cases: forms, API, CSV, matching, review,
versions, scoping; errors name the field and a refusal writes nothing."""

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import medreg.vigilance.services  # noqa: F401  (privacy.py must not be imported first: circular import)
from medreg.core.actor import Actor
from medreg.core.models import AuditRecord, Role, User
from medreg.core.scoping import scope_for
from medreg.registry.models import Cosmetic, Device, DeviceIdentifier
from medreg.vigilance.forms_variants import CosmeticReportForm, DeviceReportForm, normalize_udi_di
from medreg.vigilance.models import Case, CaseDrug, CaseReaction, CaseVersion, MatchStatus
from medreg.vigilance.models.variants import CaseCosmetic, CaseDevice, CaseVariant
from medreg.vigilance.privacy import decrypt, pseudonym
from medreg.vigilance.services.variants import review_variant_match, submit_variant_report
from tests import factories

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
TODAY = dt.date.today()
DEVICE = {
    "device_name": "电子血压计",
    "certificate_number": "浙械注准20152200001",
    "model_specification": "BP-100",
    "udi_di": "(01)06901234567892(17)271231(10)L1",
    "lot_number": "L20260101",
    "serial_number": "SN0001",
    "manufacturer_name": "杭州甲医疗器械有限公司",
    "event_type": "serious_injury",
    "event_date": "2026-02-20",
    "awareness_date": "2026-02-22",
    "device_problem_code": "A0401",
    "device_problem": "袖带充气不止",
    "patient_problem_code": "E0101",
    "patient_problem": "上臂皮下出血",
    "use_location": "home",
    "operator": "patient",
    "disposition": "available",
    "patient_initials": "WXL",
    "patient_sex": "2",
    "patient_age": "67",
    "reporter_name": "王护士",
    "reporter_qualification": "3",
    "reporter_telephone": "13800000001",
    "narrative": "患者在家自测血压时袖带持续充气，上臂出现淤斑。",
}
COSMETIC = {
    "product_name": "防晒乳",
    "registration_number": "国妆特字G20190001",
    "category": "special",
    "lot_number": "C2501",
    "manufacturer_name": "",
    "use_sites": ["face", "neck"],
    "use_start": "2026-02-01",
    "onset_date": "2026-02-03",
    "reaction_description": "面部红斑、瘙痒",
    "reaction_types": ["allergic_dermatitis"],
    "severity": "general",
    "outcome": "2",
    "patch_test": "positive",
    "patch_test_allergens": "原物斑贴阳性",
    "patient_initials": "LML",
    "patient_sex": "2",
    "patient_age": "29",
    "reporter_name": "李医生",
    "reporter_qualification": "1",
    "reporter_telephone": "",
    "narrative": "",
}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def counts() -> dict[str, int]:
    models = [*apps.get_app_config("vigilance").get_models(), AuditRecord]
    return {m._meta.label: m.objects.count() for m in models}


class World:
    """A registrant in 西湖区 with a device (two UDI-DIs) and a cosmetic; a hospital; other accounts."""

    def __init__(self) -> None:
        self.registrant = factories.make_enterprise("杭州甲医疗器械有限公司", "330106", ("device_maker",))
        self.device = Device.objects.create(
            number="浙械注准20152200001",
            name="电子血压计",
            device_class="II",
            marketing_authorization_holder=self.registrant,
            approved_on=dt.date(2015, 3, 1),
        )
        DeviceIdentifier.objects.create(device=self.device, di="06901234567892", issuing_agency="GS1")
        self.other_device = Device.objects.create(
            number="国械注准20163100002",
            name="血糖仪",
            device_class="III",
            marketing_authorization_holder=self.registrant,
            approved_on=dt.date(2016, 3, 1),
        )
        self.cosmetic = Cosmetic.objects.create(
            number="国妆特字G20190001",
            name="防晒乳",
            category="special",
            marketing_authorization_holder=self.registrant,
            approved_on=dt.date(2019, 1, 1),
        )
        hospital = factories.make_enterprise("杭州市西湖医院", "330106", ("medical_institution",))
        pharmacy = factories.make_enterprise("宁波丙大药房有限公司", "330203", ("retail_pharmacy",))
        self.hospital = factories.make_user("hospital", Role.MEDICAL_INSTITUTION, None, hospital.uscc)
        self.registrant_user = factories.make_user(
            "registrant", Role.MARKETING_AUTHORIZATION_HOLDER, None, self.registrant.uscc
        )
        self.pharmacy = factories.make_user("pharmacy", Role.RETAIL_PHARMACY, None, pharmacy.uscc)
        self.province = factories.make_user("zj", Role.PROVINCIAL_REGULATOR, "330000")
        self.other_province = factories.make_user("js", Role.PROVINCIAL_REGULATOR, "320000")
        self.inspector = factories.make_user("insp", Role.INSPECTOR, "330100")


@pytest.fixture
def world(db: None) -> World:
    return World()


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def submit(user: User, family: str, data: dict[str, Any], **kwargs: Any) -> Any:
    form = (DeviceReportForm if family == "device" else CosmeticReportForm)(data)
    assert form.is_valid(), form.errors
    return submit_variant_report(
        actor=Actor(user=user, channel="test"),
        scope=scope_for(user),
        family=family,
        channel=kwargs.pop("channel", "professional"),
        data=form.cleaned_data,
        **kwargs,
    )


# -- forms ---------------------------------------------------------------------------------------


def test_udi_di_is_taken_from_an_element_string_and_its_check_digit_verified() -> None:
    assert normalize_udi_di("(01)06901234567892(17)271231(10)L1") == "06901234567892"
    assert normalize_udi_di("0106901234567892172712311 0L1".replace(" ", "")) == "06901234567892"
    assert normalize_udi_di(" 6901234567892 ") == "06901234567892"
    assert normalize_udi_di("+H123ABC1234561") == "+H123ABC1234561"
    form = DeviceReportForm({**DEVICE, "udi_di": "06901234567893"})
    assert not form.is_valid()
    assert form.errors["udi_di"] == ["The check digit of this GS1 UDI-DI is wrong; copy it from the label."]


@pytest.mark.parametrize("udi_di", ["０６９０１２３４５６７８９２", "0690123456789२"])
def test_a_udi_di_in_digits_of_another_script_is_refused(udi_di: str) -> None:
    # isdigit() is true of full-width and Devanagari digits, and int() reads them
    with pytest.raises(forms.ValidationError) as refused:
        normalize_udi_di(udi_di)
    assert refused.value.messages == [
        "Give the UDI-DI: 14 digits (GS1, e.g. 06901234567892 or (01)06901234567892), or a HIBCC/ICCBBA DI."
    ]


def test_device_form_errors_name_the_field() -> None:
    # given an event learned of before it happened, harm without description, a bad IMDRF code
    data = {
        **DEVICE,
        "awareness_date": "2026-02-19",
        "patient_problem": "",
        "device_problem_code": "E0101",
        "certificate_number": "国药准字H20051234",
        "event_type": "explosion",
    }
    form = DeviceReportForm(data)
    # then
    assert not form.is_valid()
    assert sorted(form.errors) == [
        "awareness_date",
        "certificate_number",
        "device_problem_code",
        "event_type",
        "patient_problem",
    ]
    assert form.errors["patient_problem"] == ["Describe the problem the code stands for in your words."]
    form = DeviceReportForm({**DEVICE, "patient_problem": "", "event_date": (TODAY + dt.timedelta(days=1))})
    assert not form.is_valid()
    assert sorted(form.errors) == ["event_date", "patient_problem"]
    assert form.errors["patient_problem"] == ["Describe the harm to the patient (death or serious injury)."]
    assert form.errors["event_date"] == ["This date lies in the future."]


def test_cosmetic_form_errors_name_the_field() -> None:
    data = {
        **COSMETIC,
        "onset_date": "2026-01-30",
        "outcome": "5",
        "patch_test": "not_done",
        "patient_initials": "",
        "use_sites": ["forehead"],
    }
    form = CosmeticReportForm(data)
    assert not form.is_valid()
    assert sorted(form.errors) == ["onset_date", "patch_test", "patient_initials", "severity", "use_sites"]
    assert form.errors["onset_date"] == ["The reaction cannot start before the product was first used."]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(sorted(DEVICE)), st.text(max_size=60), max_size=8))
def test_hostile_device_input_is_refused_field_by_field_or_accepted(changes: dict[str, str]) -> None:
    form = DeviceReportForm({**DEVICE, **changes})
    if not form.is_valid():
        assert set(form.errors) <= set(DEVICE) | {"__all__"}
    else:
        assert form.cleaned_data["udi_di"] == "" or len(form.cleaned_data["udi_di"]) <= 40


# -- storage, matching, versions --------------------------------------------------------------


@pytest.mark.django_db
def test_device_report_is_a_device_case_with_section_index_row_and_udi_match(world: World) -> None:
    # when
    stored = submit(world.hospital, "device", DEVICE, now=NOW)
    # then
    case = Case.objects.get()
    assert (stored.case_id, stored.version) == (case.pk, 1)
    assert stored.worldwide_case_id.startswith("CN-WEB-DEV-20260302-")
    assert (case.product_family, case.serious, case.current_version) == ("device", True, 1)
    assert case.jurisdiction_path.endswith("/330106/")
    version = CaseVersion.objects.get()
    assert version.patient_pseudonym == pseudonym("patient.name", "WXL")
    assert version.reporter_pseudonym == pseudonym("reporter.name", "王护士")
    assert version.report["patient"]["name"] == {"null_flavor": "MSK"}
    assert "WXL" not in json.dumps(version.report, ensure_ascii=False)
    assert "WXL" in decrypt(bytes(version.identity.identifiers_encrypted)).decode()
    section = CaseVariant.objects.get(version=version).data
    assert section["udi_di"] == "06901234567892"
    assert section["event_date"] == "2026-02-20"
    assert (section["device_problem_code"], section["patient_problem"]) == ("A0401", "上臂皮下出血")
    assert "patient_initials" not in section
    assert "reporter_name" not in section
    row = CaseDevice.objects.get()
    assert (row.matched_number, row.registry_holder_code, row.match_status, row.match_basis) == (
        "浙械注准20152200001",
        world.registrant.uscc,
        MatchStatus.PROPOSED,
        "udi_di",
    )
    drug = CaseDrug.objects.get()
    assert (drug.name_as_reported, drug.authorisation_number, drug.batch_number) == (
        "电子血压计",
        "浙械注准20152200001",
        "L20260101",
    )
    assert (drug.matched_approval_number, drug.match_status) == ("", MatchStatus.NONE)
    reaction = CaseReaction.objects.get()
    assert (reaction.reported_term, reaction.onset, reaction.medically_important) == (
        "上臂皮下出血",
        dt.date(2026, 2, 20),
        True,
    )
    assert AuditRecord.objects.filter(action="vigilance.case_version.received").count() == 1


@pytest.mark.django_db
def test_device_is_matched_by_certificate_number_when_the_udi_di_is_unknown(world: World) -> None:
    submit(world.hospital, "device", {**DEVICE, "udi_di": "06901234567809"}, now=NOW)
    row = CaseDevice.objects.get()
    assert (row.matched_number, row.match_basis) == ("浙械注准20152200001", "certificate_number")


@pytest.mark.django_db
def test_malfunction_without_patient_or_match(world: World) -> None:
    data = {
        **DEVICE,
        "event_type": "malfunction",
        "patient_problem": "",
        "patient_problem_code": "",
        "patient_initials": "",
        "udi_di": "",
        "certificate_number": "",
    }
    submit(world.hospital, "device", data, now=NOW)
    case = Case.objects.get()
    assert (case.serious, CaseVersion.objects.get().patient_pseudonym) == (False, "")
    assert CaseReaction.objects.get().reported_term == "袖带充气不止"
    row = CaseDevice.objects.get()
    assert (row.matched_number, row.match_status, row.match_basis) == ("", MatchStatus.NONE, "")


@pytest.mark.django_db
def test_cosmetic_is_matched_by_number_then_by_unique_name(world: World) -> None:
    submit(world.hospital, "cosmetic", COSMETIC, now=NOW)
    submit(world.hospital, "cosmetic", {**COSMETIC, "registration_number": ""}, now=NOW)
    first, second = CaseCosmetic.objects.order_by("pk")
    assert (first.matched_number, first.match_basis, first.match_status) == (
        "国妆特字G20190001",
        "registration_number",
        MatchStatus.PROPOSED,
    )
    assert (second.matched_number, second.match_basis) == ("国妆特字G20190001", "name")
    assert first.reaction_types == ["allergic_dermatitis"]
    assert Case.objects.filter(product_family="cosmetic").count() == 2
    section = CaseVariant.objects.order_by("pk").first()
    assert section is not None
    assert (section.data["use_sites"], section.data["patch_test"]) == (["face", "neck"], "positive")


@pytest.mark.django_db
def test_cosmetic_name_shared_by_two_products_is_not_matched(world: World) -> None:
    Cosmetic.objects.create(
        number="浙G妆网备字2021000001",
        name="防晒乳",
        category="ordinary",
        marketing_authorization_holder=world.registrant,
        approved_on=dt.date(2021, 1, 1),
    )
    submit(world.hospital, "cosmetic", {**COSMETIC, "registration_number": ""}, now=NOW)
    assert CaseCosmetic.objects.get().match_status == MatchStatus.NONE


@pytest.mark.django_db
def test_follow_up_is_a_new_version_and_keeps_a_reviewed_match(world: World) -> None:
    # given a reviewed match
    first = submit(world.registrant_user, "device", DEVICE, channel="enterprise", now=NOW)
    review_variant_match(
        actor=Actor(user=world.province), scope=scope_for(world.province), case_id=first.case_id, number=""
    )
    # when the registrant sends a follow-up, the device reported the same way
    later = NOW + dt.timedelta(days=3)
    changed = {**DEVICE, "disposition": "returned", "narrative": "器械已返厂检测。"}
    second = submit(
        world.registrant_user, "device", changed, channel="enterprise", follow_up_of=first.worldwide_case_id, now=later
    )
    # then
    assert (second.case_id, second.version) == (first.case_id, 2)
    assert list(CaseVersion.objects.order_by("number").values_list("kind", flat=True)) == ["initial", "follow_up"]
    assert CaseVariant.objects.get(version__number=2).data["disposition"] == "returned"
    row = CaseDevice.objects.get()
    assert (row.matched_number, row.match_status, row.match_basis) == ("", MatchStatus.CORRECTED, "reviewer")
    assert Case.objects.get().first_received == dt.date(2026, 3, 2)
    # and a follow-up naming another device gets a fresh proposal
    third = {**changed, "udi_di": "", "certificate_number": "国械注准20163100002", "device_name": "血糖仪"}
    submit(
        world.registrant_user,
        "device",
        third,
        channel="enterprise",
        follow_up_of=first.worldwide_case_id,
        now=later + dt.timedelta(hours=1),
    )
    row = CaseDevice.objects.get()
    assert (row.matched_number, row.match_status) == ("国械注准20163100002", MatchStatus.PROPOSED)


@pytest.mark.django_db
def test_follow_up_refusals_name_the_field_and_write_nothing(world: World) -> None:
    from medreg.core.errors import DomainError  # noqa: PLC0415

    first = submit(world.hospital, "device", DEVICE, now=NOW)
    submit(world.registrant_user, "cosmetic", COSMETIC, channel="enterprise", now=NOW)
    before = counts()
    cases = [
        (world.hospital, "cosmetic", first.worldwide_case_id, "wrong_family", NOW + dt.timedelta(days=1)),
        (world.hospital, "device", first.worldwide_case_id, "duplicate", NOW),
        (world.hospital, "device+", first.worldwide_case_id, "refused", NOW),
        (world.pharmacy, "device", first.worldwide_case_id, "not_found", NOW + dt.timedelta(days=1)),
        (world.province, "device", first.worldwide_case_id, "refused", NOW + dt.timedelta(days=1)),
    ]
    for user, family, case_id, code, now in cases:
        data = {"device": DEVICE, "device+": {**DEVICE, "narrative": "更正"}, "cosmetic": COSMETIC}[family]
        channel = "enterprise" if user == world.pharmacy else "professional"
        with pytest.raises(DomainError) as refused:
            submit(user, family.rstrip("+"), data, channel=channel, follow_up_of=case_id, now=now)
        assert [(e.field, e.code) for e in refused.value.errors] == [("follow_up_of", code)]
    assert counts() == before


# -- review and scoping ----------------------------------------------------------------------


@pytest.mark.django_db
def test_regulator_confirms_or_corrects_the_match_audited(world: World) -> None:
    from medreg.core.errors import DomainError, PermissionDenied  # noqa: PLC0415

    stored = submit(world.hospital, "device", DEVICE, now=NOW)
    actor, scope = Actor(user=world.province), scope_for(world.province)
    # when confirmed
    row = review_variant_match(actor=actor, scope=scope, case_id=stored.case_id, number="浙械注准20152200001")
    assert (row.match_status, row.matched_by) == (MatchStatus.CONFIRMED, world.province)
    # when corrected to another device
    row = review_variant_match(actor=actor, scope=scope, case_id=stored.case_id, number="国械注准20163100002")
    assert (row.matched_number, row.match_status, row.match_basis) == (
        "国械注准20163100002",
        MatchStatus.CORRECTED,
        "reviewer",
    )
    records = AuditRecord.objects.filter(action="vigilance.variant_match.reviewed").order_by("pk")
    assert [r.after["status"] for r in records] == ["confirmed", "corrected"]
    # then an unknown number, a hospital or another province change nothing
    before = counts()
    with pytest.raises(DomainError) as unknown:
        review_variant_match(actor=actor, scope=scope, case_id=stored.case_id, number="国械注准20990000000")
    assert [(e.field, e.code) for e in unknown.value.errors] == [("number", "unknown_product")]
    with pytest.raises(PermissionDenied):
        review_variant_match(
            actor=Actor(user=world.hospital), scope=scope_for(world.hospital), case_id=stored.case_id, number=""
        )
    with pytest.raises(DomainError) as hidden:
        review_variant_match(
            actor=Actor(user=world.other_province),
            scope=scope_for(world.other_province),
            case_id=stored.case_id,
            number="",
        )
    assert hidden.value.status == 404
    assert counts() == before


@pytest.mark.django_db
def test_the_registrant_sees_cases_matched_to_its_products_others_do_not(world: World) -> None:
    from medreg.vigilance import selectors  # noqa: PLC0415

    device = submit(world.hospital, "device", DEVICE, now=NOW)
    cosmetic = submit(world.hospital, "cosmetic", COSMETIC, now=NOW)
    unmatched = submit(world.hospital, "device", {**DEVICE, "udi_di": "", "certificate_number": ""}, now=NOW)

    def visible(user: User) -> set[int]:
        return set(selectors.cases(scope_for(user)).values_list("pk", flat=True))

    assert visible(world.registrant_user) == {device.case_id, cosmetic.case_id}
    assert visible(world.hospital) == {device.case_id, cosmetic.case_id, unmatched.case_id}
    assert visible(world.province) == {device.case_id, cosmetic.case_id, unmatched.case_id}
    assert visible(world.pharmacy) == set()
    assert visible(world.other_province) == set()
    assert visible(world.inspector) == set()


# -- console -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_device_form_stores_a_case_for_the_named_division(world: World) -> None:
    response = Client().post("/vigilance/variants/report/device/public/", {**DEVICE, "division_code": "330106"})
    assert response.status_code == 302
    assert response["Location"] == "/vigilance/variants/report/done/"
    case = Case.objects.get()
    assert (case.product_family, case.sender_division_code, case.sender_enterprise_code) == ("device", "330106", "")
    assert CaseVersion.objects.get().report["primary_sources"][0]["qualification"]["code"] == "5"


@pytest.mark.django_db
def test_forms_refuse_wrong_audiences_and_show_field_errors(world: World) -> None:
    before = counts()
    assert client_for(world.pharmacy).get("/vigilance/variants/report/device/professional/").status_code == 403
    assert client_for(world.hospital).get("/vigilance/variants/report/cosmetic/enterprise/").status_code == 403
    assert client_for(world.inspector).get("/vigilance/variants/report/cosmetic/professional/").status_code == 403
    assert Client().get("/vigilance/variants/report/drug/public/").status_code == 404
    assert client_for(world.registrant_user).get("/vigilance/variants/report/cosmetic/enterprise/").status_code == 200
    response = client_for(world.hospital).post(
        "/vigilance/variants/report/cosmetic/professional/", {**COSMETIC, "use_start": "2026-13-01"}
    )
    assert response.status_code == 400
    assert 'data-testid="error-use_start"' in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_case_list_filters_by_family_and_case_page_shows_the_section_and_review(world: World) -> None:
    device = submit(world.hospital, "device", DEVICE, now=NOW)
    submit(world.hospital, "cosmetic", COSMETIC, now=NOW)
    client = client_for(world.province)
    page = client.get("/vigilance/?family=device").content.decode()
    assert device.worldwide_case_id in page
    assert "CN-WEB-COS-" not in page
    assert "CN-WEB-COS-" in client.get("/vigilance/?family=cosmetic").content.decode()
    detail = client.get(f"/vigilance/cases/{device.case_id}/").content.decode()
    assert 'data-testid="variant-section"' in detail
    assert "06901234567892" in detail
    assert "A0401" in detail
    assert 'data-testid="variant-match-form"' in detail
    assert 'data-testid="drugs"' not in detail
    response = client.post(f"/vigilance/variants/cases/{device.case_id}/match/", {"number": "浙械注准20152200001"})
    assert response.status_code == 302
    assert CaseDevice.objects.get().match_status == MatchStatus.CONFIRMED
    hospital_page = client_for(world.hospital).get(f"/vigilance/cases/{device.case_id}/").content.decode()
    assert 'data-testid="variant-match-form"' not in hospital_page


# -- CSV -------------------------------------------------------------------------------------------


def device_csv(*rows: dict[str, str]) -> bytes:
    columns = list(DEVICE)
    lines = [",".join(columns)] + [",".join(str(row.get(c, "")) for c in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.django_db
def test_csv_upload_stores_every_row_or_none(world: World) -> None:
    good = {**DEVICE, "udi_di": "06901234567892"}
    bad = {**DEVICE, "event_type": "boom", "event_date": "=cmd|' /C calc'!A0"}
    client = client_for(world.hospital)
    before = counts()
    # when one row is bad
    response = client.post(
        "/vigilance/variants/upload/device/", {"file": SimpleUploadedFile("r.csv", device_csv(good, bad, good))}
    )
    # then nothing is stored and the errors name row and field
    assert response.status_code == 400
    text = response.content.decode()
    assert "<td><code>event_type</code></td>" in text
    assert "<td><code>event_date</code></td>" in text
    assert counts() == before
    # when every row is valid
    response = client.post(
        "/vigilance/variants/upload/device/", {"file": SimpleUploadedFile("r.csv", device_csv(good, good))}
    )
    assert response.status_code == 200
    assert Case.objects.filter(product_family="device").count() == 2
    assert CaseDevice.objects.filter(match_status=MatchStatus.PROPOSED).count() == 2


@pytest.mark.django_db
def test_csv_upload_refuses_bad_headers_and_wrong_senders(world: World) -> None:
    before = counts()
    client = client_for(world.hospital)
    response = client.post(
        "/vigilance/variants/upload/cosmetic/", {"file": SimpleUploadedFile("r.csv", device_csv(DEVICE))}
    )
    assert response.status_code == 400
    assert "Missing columns: category" in response.content.decode()
    assert client_for(world.registrant_user).get("/vigilance/variants/upload/device/").status_code == 403
    assert counts() == before


# -- API -------------------------------------------------------------------------------------------


def api_client(user: User) -> tuple[Client, dict[str, str]]:
    from medreg.core.tokens import issue_token  # noqa: PLC0415

    _token, plaintext = issue_token(actor=Actor.system(), user=user, name="test")
    return Client(), {"Authorization": f"Bearer {plaintext}"}


@pytest.mark.django_db
def test_api_report_section_match_and_errors(world: World) -> None:
    client, headers = api_client(world.registrant_user)
    # when
    response = client.post(
        "/api/vigilance/variants/cosmetic/reports", COSMETIC, content_type="application/json", headers=headers
    )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == 1
    case = Case.objects.get()
    assert (body["case_id"], body["worldwide_case_id"]) == (case.pk, case.worldwide_case_id)
    assert case.sender_enterprise_code == world.registrant.uscc
    answer = client.get(f"/api/vigilance/variants/cases/{case.pk}", headers=headers).json()
    assert answer["section"]["reaction_types"] == ["allergic_dermatitis"]
    assert (answer["match"]["matched_number"], answer["match"]["match_status"]) == ("国妆特字G20190001", "proposed")
    # bad input: per-field errors, nothing written
    before = counts()
    response = client.post(
        "/api/vigilance/variants/cosmetic/reports",
        {**COSMETIC, "severity": "mild", "use_start": "yesterday"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 400
    assert sorted(e["field"] for e in response.json()["errors"]) == ["severity", "use_start"]
    response = client.post(
        "/api/vigilance/variants/vaccine/reports", COSMETIC, content_type="application/json", headers=headers
    )
    assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "family")
    assert counts() == before


@pytest.mark.django_db
def test_api_csv_upload_answers_row_errors(world: World) -> None:
    client, headers = api_client(world.hospital)
    before = counts()
    bad = {**DEVICE, "awareness_date": "2026-01-01"}
    response = client.post(
        "/api/vigilance/variants/device/upload",
        {"file": SimpleUploadedFile("r.csv", device_csv(DEVICE, bad))},
        headers=headers,
    )
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(3, "awareness_date")]
    assert counts() == before
    response = client.post(
        "/api/vigilance/variants/device/upload",
        {"file": SimpleUploadedFile("r.csv", device_csv(DEVICE))},
        headers=headers,
    )
    assert response.status_code == 201
    assert response.json()["stored"] == [Case.objects.get().pk]


# -- demo --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_variant_cases_are_matched_to_the_province_registry(world: World) -> None:
    import random  # noqa: PLC0415

    from medreg.vigilance import demo_variants  # noqa: PLC0415
    from medreg.vigilance.services import intake  # noqa: PLC0415

    # given the world's registrant in 西湖区 (in the demo province) and its hospital as sender
    sender = intake.Sender(world.hospital.enterprise_code, "", world.registrant.jurisdiction.path)
    # when
    stored = demo_variants.load(random.Random(7), [sender])
    # then
    assert stored == {"device_cases": 12, "cosmetic_cases": 12}
    assert Case.objects.filter(product_family="device", worldwide_case_id__startswith="CN-DEMO-DEV-").count() == 12
    assert CaseDevice.objects.filter(match_status=MatchStatus.PROPOSED).count() == 12
    assert set(CaseDevice.objects.values_list("match_basis", flat=True)) == {"udi_di", "certificate_number"}
    assert set(CaseCosmetic.objects.values_list("matched_number", flat=True)) == {"国妆特字G20190001"}
    assert CaseVariant.objects.count() == 24
