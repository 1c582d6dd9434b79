"""Vigilance console pages: Chinese by default, scoped to the caller (another province's case is a
404), identifiers hidden until a reviewer reveals them (audited), match review, pinned query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from medreg.core.actor import Actor
from medreg.core.models import AuditRecord, Role, User
from medreg.core.scoping import scope_for
from medreg.vigilance.models import Case, CaseDrug
from medreg.vigilance.services.forms import submit_report
from tests import factories
from tests.vigilance.factories import E2B_DIR, send

REPORT = {
    "patient_initials": "ZWM",
    "patient_sex": "2",
    "patient_age": 52,
    "patient_birth_date": None,
    "reaction": "恶心",
    "onset_date": dt.date(2026, 3, 1),
    "seriousness": [],
    "outcome": "1",
    "suspect_drug": "阿莫西林胶囊",
    "batch_number": "B1",
    "approval_number": "",
    "concomitant_drugs": "",
    "reporter_name": "李医生",
    "reporter_qualification": "1",
    "reporter_telephone": "",
    "narrative": "服药后恶心。",
}


def store(user: User, count: int = 1, **changes: object) -> list[int]:
    channel = "holder" if user.role == Role.MARKETING_AUTHORIZATION_HOLDER else "professional"
    return [
        submit_report(
            actor=Actor(user=user, channel="console"),
            scope=scope_for(user),
            channel=channel,
            data={**REPORT, **changes},
            today=dt.date(2026, 3, 2 + n),
        )
        for n in range(count)
    ]


@pytest.fixture
def zhejiang_hospital(db: None) -> User:
    holder = factories.make_enterprise("杭州甲药业有限公司", "330106", ("marketing_authorization_holder",))
    factories.make_drug(holder, "国药准字H20051234", name="阿莫西林胶囊")
    hospital = factories.make_enterprise("杭州市西湖医院", "330106", ("medical_institution",))
    return factories.make_user("hospital", Role.MEDICAL_INSTITUTION, None, hospital.uscc)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
def test_case_list_is_in_chinese_and_scoped(
    zhejiang_hospital: User, provincial_user: User, other_province_user: User
) -> None:
    store(zhejiang_hospital)
    case = Case.objects.get()
    # when
    zhejiang = client_for(provincial_user).get("/vigilance/").content.decode()
    jiangsu = client_for(other_province_user).get("/vigilance/").content.decode()
    # then
    assert "不良反应病例" in zhejiang
    assert case.worldwide_case_id in zhejiang
    assert "阿莫西林胶囊" in zhejiang
    assert case.worldwide_case_id not in jiangsu
    assert 'data-testid="no-cases"' in jiangsu


@pytest.mark.django_db
def test_case_page_of_another_province_is_404(
    zhejiang_hospital: User, provincial_user: User, other_province_user: User
) -> None:
    [case_id] = store(zhejiang_hospital)
    assert client_for(other_province_user).get(f"/vigilance/cases/{case_id}/").status_code == 404
    assert client_for(provincial_user).get(f"/vigilance/cases/{case_id}/").status_code == 200
    assert client_for(None).get(f"/vigilance/cases/{case_id}/").status_code == 302


@pytest.mark.django_db
def test_case_page_hides_identifiers_until_a_reviewer_reveals_them(
    zhejiang_hospital: User, provincial_user: User, city_user: User
) -> None:
    [case_id] = store(zhejiang_hospital)
    client = client_for(provincial_user)
    page = client.get(f"/vigilance/cases/{case_id}/").content.decode()
    assert "ZWM" not in page
    assert "李医生" not in page
    assert "服药后恶心。" in page
    assert 'data-testid="reveal"' in page
    assert 'data-testid="reveal"' not in client_for(city_user).get(f"/vigilance/cases/{case_id}/").content.decode()
    assert client_for(city_user).post(f"/vigilance/cases/{case_id}/identifiers/").status_code == 403
    assert AuditRecord.objects.filter(action="vigilance.identifiers.viewed").count() == 0
    # when
    response = client.post(f"/vigilance/cases/{case_id}/identifiers/")
    # then
    assert response.status_code == 302
    revealed = client.get(f"/vigilance/cases/{case_id}/").content.decode()
    assert "ZWM" in revealed
    assert "李医生" in revealed
    assert AuditRecord.objects.filter(action="vigilance.identifiers.viewed").count() == 1
    assert "ZWM" not in client.get(f"/vigilance/cases/{case_id}/").content.decode()  # shown once


@pytest.mark.django_db
def test_regulator_confirms_the_registry_match_on_the_case_page(zhejiang_hospital: User, city_user: User) -> None:
    [case_id] = store(zhejiang_hospital)
    drug = CaseDrug.objects.get()
    assert (drug.match_status, drug.matched_approval_number) == ("proposed", "国药准字H20051234")
    page = client_for(city_user).get(f"/vigilance/cases/{case_id}/").content.decode()
    assert f"/vigilance/cases/{case_id}/drugs/{drug.pk}/match/" in page
    # when
    response = client_for(city_user).post(
        f"/vigilance/cases/{case_id}/drugs/{drug.pk}/match/", {"approval_number": "国药准字H20051234"}
    )
    # then
    assert response.status_code == 302
    drug.refresh_from_db()
    assert (drug.match_status, drug.matched_by_id) == ("confirmed", city_user.pk)
    assert (
        client_for(zhejiang_hospital)
        .post(f"/vigilance/cases/{case_id}/drugs/{drug.pk}/match/", {"approval_number": ""})
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_case_list_filters(zhejiang_hospital: User, provincial_user: User) -> None:
    store(zhejiang_hospital, 2)
    store(zhejiang_hospital, 1, suspect_drug="布洛芬片", seriousness=["death"], outcome="5")
    client = client_for(provincial_user)
    assert client.get("/vigilance/?serious=1").context["page"].paginator.count == 1
    assert client.get("/vigilance/?q=布洛芬").context["page"].paginator.count == 1
    assert client.get("/vigilance/?received_from=2026-03-03").context["page"].paginator.count == 1
    assert client.get("/vigilance/").context["page"].paginator.count == 3


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 12])
def test_case_list_query_count_is_pinned(zhejiang_hospital: User, provincial_user: User, count: int) -> None:
    store(zhejiang_hospital, count)
    client = client_for(provincial_user)
    client.get("/vigilance/")  # warm the session
    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/vigilance/")
    # then
    assert response.status_code == 200
    assert len(queries) == 7  # session, user, jurisdiction, count, cases (with merges), suspect drugs, reactions


@pytest.mark.django_db
def test_forms_and_upload_pages_render_in_chinese(zhejiang_hospital: User) -> None:
    assert "报告药品不良反应（公众）" in Client().get("/vigilance/report/public/").content.decode()
    client = client_for(zhejiang_hospital)
    assert "可疑药品" in client.get("/vigilance/report/professional/").content.decode()
    assert "上传不良反应报告" in client.get("/vigilance/upload/").content.decode()
    assert client_for(zhejiang_hospital).get("/vigilance/duplicates/").status_code == 403


@pytest.mark.django_db
def test_case_page_shows_the_data_quality_warnings_to_the_reviewer(national_user: User) -> None:
    # given FDA Scenario 6, loaded with two date warnings (death and a reaction before birth)
    result = send(national_user, xml=(E2B_DIR / "FAERS2022Scenario6.xml").read_bytes())
    [(case_id, _version)] = result.stored
    # when
    page = client_for(national_user).get(f"/vigilance/cases/{case_id}/").content.decode()
    # then
    assert 'data-testid="data-quality"' in page
    assert "数据质量：本报告已接收，但存在以下警告" in page
    assert "<code>D.9.1</code> D.9.1 date of death is before D.2.1 date of birth" in page
    assert "<code>E.i.4</code> E.i.4 reaction start 20090101 is before" in page


@pytest.mark.django_db
def test_case_page_without_findings_has_no_data_quality_block(zhejiang_hospital: User, provincial_user: User) -> None:
    [case_id] = store(zhejiang_hospital)
    page = client_for(provincial_user).get(f"/vigilance/cases/{case_id}/").content.decode()
    assert 'data-testid="data-quality"' not in page
