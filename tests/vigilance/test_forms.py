"""Web report forms and hospitals' CSV upload: one case per report through the E2B storage path,
pseudonymized identifiers, errors naming the field, nothing written on refusal."""

import datetime as dt
import json

import pytest
from django.apps import apps
from django.test import Client

import medreg.vigilance.services  # noqa: F401  (privacy.py must not be imported first: circular import)
from medreg.core.models import AuditRecord, Role, User
from medreg.vigilance.models import Case, CaseDrug, CaseReaction, CaseVersion, VersionKind
from medreg.vigilance.privacy import decrypt, pseudonym
from tests import factories

TODAY = dt.date.today()
GOOD = {
    "patient_initials": "ZWM",
    "patient_sex": "1",
    "patient_age": "45",
    "patient_birth_date": "1980-01-02",
    "reaction": "皮疹伴瘙痒",
    "onset_date": "2026-03-01",
    "seriousness": ["hospitalisation"],
    "outcome": "2",
    "suspect_drug": "阿莫西林胶囊",
    "batch_number": "B2026001",
    "approval_number": "国药准字H20051234",
    "concomitant_drugs": "布洛芬片",
    "reporter_name": "李医生",
    "reporter_qualification": "1",
    "reporter_telephone": "13800000000",
    "narrative": "服药后第二天出现全身皮疹伴瘙痒，停药后好转。",
}


def counts() -> dict[str, int]:
    models = [*apps.get_app_config("vigilance").get_models(), AuditRecord]
    return {m._meta.label: m.objects.count() for m in models}


@pytest.fixture
def hospital_user(db: None) -> User:
    holder = factories.make_enterprise("杭州甲药业有限公司", "330106", ("marketing_authorization_holder",))
    factories.make_drug(holder, "国药准字H20051234", name="阿莫西林胶囊")
    hospital = factories.make_enterprise("杭州市西湖医院", "330106", ("medical_institution",))
    return factories.make_user("hospital", Role.MEDICAL_INSTITUTION, None, hospital.uscc)


@pytest.fixture
def holder_user(db: None) -> User:
    holder = factories.make_enterprise("杭州乙药业有限公司", "330106", ("marketing_authorization_holder",))
    return factories.make_user("holder", Role.MARKETING_AUTHORIZATION_HOLDER, None, holder.uscc)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
def test_health_professional_form_stores_one_case_with_index_rows_and_pseudonyms(hospital_user: User) -> None:
    # when
    response = client_for(hospital_user).post("/vigilance/report/professional/", GOOD)
    # then
    assert response.status_code == 302
    assert response["Location"] == "/vigilance/report/done/"
    case = Case.objects.get()
    assert case.sender_enterprise_code == hospital_user.enterprise_code
    assert case.jurisdiction_path.endswith("/330106/")
    assert (case.current_version, case.serious, case.report_type) == (1, True, "1")
    version = CaseVersion.objects.get()
    assert (version.number, version.kind) == (1, VersionKind.INITIAL)
    assert version.patient_pseudonym == pseudonym("patient.name", "ZWM")
    assert version.reporter_pseudonym == pseudonym("reporter.name", "李医生")
    assert version.patient_birth_date_pseudonym == pseudonym("patient.birth_date", "19800102")
    assert version.report["patient"]["name"] == {"null_flavor": "MSK"}
    assert "ZWM" not in json.dumps(version.report, ensure_ascii=False)
    assert "李医生" not in json.dumps(version.report, ensure_ascii=False)
    secrets = json.loads(decrypt(bytes(version.identity.identifiers_encrypted)))
    assert secrets[".patient.name"]["text"] == "ZWM"
    drugs = list(CaseDrug.objects.values_list("sequence", "role", "name_as_reported", "batch_number", "match_status"))
    assert drugs == [
        (1, "suspect", "阿莫西林胶囊", "B2026001", "proposed"),
        (2, "concomitant", "布洛芬片", "", "none"),
    ]
    assert CaseDrug.objects.get(sequence=1).matched_approval_number == "国药准字H20051234"
    reaction = CaseReaction.objects.get()
    assert (reaction.reported_term, reaction.onset, reaction.outcome) == ("皮疹伴瘙痒", dt.date(2026, 3, 1), "2")
    assert (reaction.hospitalisation, reaction.death, reaction.meddra_code) == (True, False, "")
    assert list(AuditRecord.objects.values_list("action", flat=True)) == ["vigilance.case_version.received"]


@pytest.mark.django_db
def test_confirmation_page_shows_coding_suggestions(hospital_user: User) -> None:
    client = client_for(hospital_user)
    client.post("/vigilance/report/professional/", GOOD)
    # when
    page = client.get("/vigilance/report/done/").content.decode()
    # then
    assert "报告已收到" in page
    assert "皮疹 (Rash)" in page
    assert "瘙痒 (Pruritus)" in page
    assert Case.objects.get().worldwide_case_id in page


@pytest.mark.django_db
def test_public_form_needs_no_account_and_goes_to_the_division(db: None) -> None:
    # when
    response = Client().post("/vigilance/report/public/", {**GOOD, "division_code": "330106"})
    # then
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.sender_enterprise_code, case.sender_division_code) == ("", "330106")
    version = CaseVersion.objects.get()
    assert version.report["primary_sources"][0]["qualification"]["code"] == "5"
    assert CaseDrug.objects.count() == 2
    assert CaseReaction.objects.count() == 1


@pytest.mark.django_db
def test_holder_form_stores_the_holders_case(holder_user: User) -> None:
    response = client_for(holder_user).post("/vigilance/report/holder/", GOOD)
    assert response.status_code == 302
    assert list(Case.objects.values_list("sender_enterprise_code", flat=True)) == [holder_user.enterprise_code]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"onset_date": "1979-12-31"}, "onset_date"),  # before birth
        ({"onset_date": (TODAY + dt.timedelta(days=1)).isoformat()}, "onset_date"),
        ({"patient_birth_date": (TODAY + dt.timedelta(days=3)).isoformat()}, "patient_birth_date"),
        ({"approval_number": "H20051234"}, "approval_number"),
        ({"suspect_drug": ""}, "suspect_drug"),
        ({"patient_age": "200"}, "patient_age"),
        ({"onset_date": "2026-02-30"}, "onset_date"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(hospital_user: User, change: dict[str, str], field: str) -> None:
    # given
    before = counts()
    # when
    response = client_for(hospital_user).post("/vigilance/report/professional/", {**GOOD, **change})
    # then
    assert response.status_code == 400
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_public_form_refuses_an_unknown_division(db: None) -> None:
    before = counts()
    response = Client().post("/vigilance/report/public/", {**GOOD, "division_code": "999999"})
    assert response.status_code == 400
    assert "999999" in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_forms_of_other_roles_are_refused(holder_user: User) -> None:
    before = counts()
    assert client_for(holder_user).post("/vigilance/report/professional/", GOOD).status_code == 403
    assert Client().get("/vigilance/report/holder/").status_code == 302  # to the sign-in page
    assert client_for(holder_user).post("/vigilance/report/nonsense/", GOOD).status_code == 404
    assert counts() == before


def csv_file(*rows: str) -> bytes:
    columns = "patient_initials patient_sex patient_age reaction onset_date seriousness outcome suspect_drug"
    columns += " batch_number approval_number reporter_name reporter_qualification"
    header = ",".join(columns.split())
    return "\n".join([header, *rows]).encode()


ROW_A = "WXY,2,34,皮疹,2026-03-01,hospitalisation,2,阿莫西林胶囊,B1,国药准字H20051234,王医生,1"
ROW_B = "LM,1,61,恶心,2026-03-02,,1,布洛芬片,,,赵药师,2"


@pytest.mark.django_db
def test_csv_upload_stores_one_case_per_row(hospital_user: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    upload = SimpleUploadedFile("reports.csv", csv_file(ROW_A, ROW_B), content_type="text/csv")
    response = client_for(hospital_user).post("/vigilance/upload/", {"file": upload})
    assert response.status_code == 200
    assert 'data-testid="stored"' in response.content.decode()
    assert Case.objects.count() == 2
    assert sorted(CaseReaction.objects.values_list("reported_term", flat=True)) == ["恶心", "皮疹"]
    assert CaseDrug.objects.count() == 2
    assert Case.objects.filter(serious=True).count() == 1


@pytest.mark.django_db
def test_csv_upload_with_a_bad_row_reports_each_row_and_writes_nothing(hospital_user: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    before = counts()
    bad = "LM,3,61,恶心,2099-03-02,fatal,1,,,,赵药师,2"
    upload = SimpleUploadedFile("reports.csv", csv_file(ROW_A, bad, ROW_B), content_type="text/csv")
    # when
    response = client_for(hospital_user).post("/vigilance/upload/", {"file": upload})
    # then
    assert response.status_code == 400
    page = response.content.decode()
    rows = sorted((e.row, e.field) for e in response.context["result"].errors)
    assert rows == [(3, "onset_date"), (3, "patient_sex"), (3, "seriousness"), (3, "suspect_drug")]
    assert "未存储任何报告" in page
    assert counts() == before


@pytest.mark.django_db
def test_an_unreadable_csv_upload_is_refused_in_the_readers_language(hospital_user: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    client = client_for(hospital_user)
    legacy = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64  # an OLE2 (.xls) workbook's signature

    chinese = client.post("/vigilance/upload/", {"file": SimpleUploadedFile("reports.xls", legacy)})
    english = client.post("/vigilance/upload/?lang=en", {"file": SimpleUploadedFile("reports.xls", legacy)})

    assert (chinese.status_code, english.status_code) == (400, 400)
    assert chinese.context["form"].errors["file"] == [
        "不接受旧版 .xls 工作簿。 请将工作簿另存为 .xlsx 或 CSV 格式。"
        " (Legacy .xls workbooks are not accepted. Save the workbook as .xlsx or CSV.)"
    ]
    assert english.context["form"].errors["file"] == [
        "Legacy .xls workbooks are not accepted. Save the workbook as .xlsx or CSV."
    ]
    assert Case.objects.count() == 0
