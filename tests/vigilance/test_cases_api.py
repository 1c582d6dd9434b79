"""The vigilance API: the acknowledgement as the answer, scoped case pages, export, match review."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from lxml import etree

from medreg.core.actor import Actor
from medreg.core.models import Role, User
from medreg.core.tokens import issue_token
from medreg.vigilance.e2b import parse_batch
from medreg.vigilance.models import Case, CaseDrug, CaseVersion
from tests import factories
from tests.vigilance.factories import E2B_DIR, e2b_xml, make_report
from tests.vigilance.test_intake import ack_codes, counts

URL = "/api/vigilance"


def bearer(user: User) -> dict[str, str]:
    _, token = issue_token(actor=Actor.system(), user=user, name="test")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def enterprise_user(db: None) -> User:
    holder = factories.make_enterprise("杭州甲药业有限公司", "330106", ("marketing_authorization_holder",))
    factories.make_drug(holder, "国药准字H20051234", name="阿莫西林胶囊")
    return factories.make_user("ent_a", Role.MARKETING_AUTHORIZATION_HOLDER, None, holder.uscc)


def post_xml(client: Client, xml: bytes, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(f"{URL}/e2b", data=xml, content_type="application/xml", headers=headers)


@pytest.mark.django_db
def test_post_answers_the_acknowledgement_as_xml(enterprise_user: User) -> None:
    response = post_xml(Client(), e2b_xml(make_report("CN-API-1", drug_name="阿莫西林胶囊")), bearer(enterprise_user))
    assert (response.status_code, response["Content-Type"]) == (200, "application/xml")
    assert ack_codes(response.content)[:2] == ("AA", ["CA"])
    assert Case.objects.get().worldwide_case_id == "CN-API-1"


@pytest.mark.django_db
def test_post_as_multipart_file(enterprise_user: User) -> None:
    upload = SimpleUploadedFile("batch.xml", e2b_xml(make_report("CN-API-2")), content_type="application/xml")
    response = Client().post(f"{URL}/e2b", data={"file": upload}, headers=bearer(enterprise_user))
    assert response.status_code == 200
    assert ack_codes(response.content)[0] == "AA"


@pytest.mark.django_db
def test_unparsable_body_answers_ar_with_200_and_writes_nothing(enterprise_user: User) -> None:
    headers = bearer(enterprise_user)
    before = counts()
    response = post_xml(Client(), b"<MCCI_IN200100UV01><oops>", headers)
    assert response.status_code == 200
    assert ack_codes(response.content)[:2] == ("AR", [])
    assert counts() == before


@pytest.mark.django_db
def test_too_big_body_is_413_and_writes_nothing(enterprise_user: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MEDREG_MAX_UPLOAD_BYTES = 1000
    headers = bearer(enterprise_user)
    before = counts()
    response = post_xml(Client(), e2b_xml(make_report("CN-API-3")), headers)
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_large"
    assert counts() == before


@pytest.mark.django_db
def test_public_and_anonymous_cannot_send(db: None) -> None:
    public = factories.make_user("someone", Role.PUBLIC)
    callers = ({}, bearer(public))
    before = counts()
    for headers in callers:
        response = post_xml(Client(), e2b_xml(make_report("CN-API-4")), headers)
        assert response.status_code == 403
    assert counts() == before


@pytest.mark.django_db
def test_case_pages_are_scoped_and_pseudonymized(
    enterprise_user: User, provincial_user: User, other_province_user: User
) -> None:
    # given
    post_xml(Client(), e2b_xml(make_report("CN-API-5", drug_name="阿莫西林胶囊")), bearer(enterprise_user))
    case = Case.objects.get()
    client = Client()
    # when
    listed = client.get(f"{URL}/cases", headers=bearer(provincial_user)).json()
    detail = client.get(f"{URL}/cases/{case.pk}", headers=bearer(provincial_user))
    # then
    assert [c["worldwide_case_id"] for c in listed] == ["CN-API-5"]
    assert client.get(f"{URL}/cases", headers=bearer(other_province_user)).json() == []
    assert client.get(f"{URL}/cases/{case.pk}", headers=bearer(other_province_user)).status_code == 404
    body = detail.json()
    assert detail.status_code == 200
    assert body["patient_pseudonym"] == CaseVersion.objects.get().patient_pseudonym
    assert body["report"]["patient"]["name"] == {"null_flavor": "MSK"}
    assert [v["kind"] for v in body["versions"]] == ["initial"]
    assert body["drugs"][0]["matched_approval_number"] == "国药准字H20051234"
    assert body["drugs"][0]["match_status"] == "proposed"
    assert "张伟明" not in detail.content.decode()
    assert "Robertson" not in detail.content.decode()


@pytest.mark.django_db
def test_export_endpoint_answers_deidentified_e2b(enterprise_user: User) -> None:
    post_xml(Client(), e2b_xml(make_report("CN-API-6")), bearer(enterprise_user))
    case = Case.objects.get()
    response = Client().get(f"{URL}/cases/{case.pk}/e2b", headers=bearer(enterprise_user))
    assert (response.status_code, response["Content-Type"]) == (200, "application/xml")
    report = parse_batch(response.content).batch.reports[0]
    assert report.worldwide_case_id.extension == "CN-API-6"
    assert report.patient.name.null_flavor == "MSK"
    assert etree.fromstring(response.content).tag == "{urn:hl7-org:v3}MCCI_IN200100UV01"


@pytest.mark.django_db
def test_match_endpoint_confirms_for_regulators_only(enterprise_user: User, provincial_user: User) -> None:
    post_xml(Client(), e2b_xml(make_report("CN-API-7", drug_name="阿莫西林胶囊")), bearer(enterprise_user))
    drug = CaseDrug.objects.get(sequence=1)
    url = f"{URL}/cases/{drug.case_id}/drugs/{drug.pk}/match"
    body = {"approval_number": "国药准字H20051234"}
    refused = Client().post(url, data=body, content_type="application/json", headers=bearer(enterprise_user))
    assert refused.status_code == 403
    assert CaseDrug.objects.get(pk=drug.pk).match_status == "proposed"
    response = Client().post(url, data=body, content_type="application/json", headers=bearer(provincial_user))
    assert (response.status_code, response.json()["match_status"]) == (200, "confirmed")


@pytest.mark.django_db
def test_case_list_query_count_is_fixed(enterprise_user: User, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(enterprise_user)
    for n in range(3):
        post_xml(Client(), e2b_xml(make_report(f"CN-API-Q{n}")), headers)
    client = Client()
    with django_assert_num_queries(2):  # the token, the cases (one query whatever their number)
        assert len(client.get(f"{URL}/cases", headers=headers).json()) == 3


@pytest.mark.django_db
def test_case_answer_lists_the_data_quality_findings_of_each_version(national_user: User) -> None:
    # given FDA Scenario 5-3: two drugs share an id, and the "not administered" role points at no drug
    response = post_xml(Client(), (E2B_DIR / "FAERS2022Scenario5-3.xml").read_bytes(), bearer(national_user))
    assert ack_codes(response.content)[:2] == ("AA", ["CA"])
    case = Case.objects.get()
    # when
    answer = Client().get(f"{URL}/cases/{case.pk}", headers=bearer(national_user)).json()
    # then
    [version] = answer["versions"]
    assert [f["element"] for f in version["findings"]] == ["G.k", "G.k.1"]
    assert version["findings"][1]["message"].startswith(
        "G.k.1 role '4' refers to drug id '68d6f5ce-3b3b-45c7-92dd-69e06730c3a9' that is not in G.k"
    )
