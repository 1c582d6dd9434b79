"""End to end: reports arrive by the professional web form and by an E2B(R3) file, a duplicate is
proposed and merged, a signal run flags the planted drug–reaction pair (and not an unrelated one),
the signal moves detected → validated → assessed → closed with audit records, and the product page
shows the product's cases and its open signal; the case page links the suspect drug's batch."""

import datetime as dt
import random
from urllib.parse import quote

import pytest
from django.test import Client

from medreg.core.actor import Actor
from medreg.core.models import AuditRecord, Jurisdiction, Role, User
from medreg.core.scoping import SYSTEM_SCOPE, scope_for
from medreg.core.tokens import issue_token
from medreg.trace.models import Pack
from medreg.vigilance.models import Case, CaseDrug, CaseReaction, DrugRole
from medreg.vigilance.models.duplicates import CaseMerge, DuplicateCandidate
from medreg.vigilance.models.signal import Signal, SignalStatistic
from medreg.vigilance.services import duplicates
from medreg.vigilance.services.signals import assess_signal, close_signal, request_signal_run, validate_signal
from medreg.vigilance.signal_runs import execute_run
from tests import factories
from tests.vigilance.factories import e2b_xml, make_report
from tests.vigilance.test_intake import ack_codes

DRUG_X, NAME_X = "国药准字H20260001", "玄福嗪片"
QUOTED_X = quote(DRUG_X)
REACTION_R = "肝功能异常"
UNRELATED_DRUG, UNRELATED_REACTION = "BACKDRUG 00", "10000008"  # 7 cases, EB05 0.93
BACKGROUND_DRUGS = [f"BACKDRUG {i:02d}" for i in range(12)]
BACKGROUND_REACTIONS = [f"1000{i:04d}" for i in range(18)]
RUN_DATE = dt.date(2026, 3, 1)
TODAY = dt.date(2026, 3, 10)
# four form reports of drug X and reaction R, by different patients
PATIENTS = [
    ("ZWM", "1", "45", "1980-01-02", "2026-02-01", "李医生"),
    ("QF", "2", "23", "2003-05-06", "2026-02-09", "王药师"),
    ("LHY", "1", "67", "1958-11-20", "2026-02-15", "陈护士"),
    ("SXL", "2", "34", "1991-07-30", "2026-02-22", "赵医生"),
]


def form_report(initials: str, sex: str, age: str, birth: str, onset: str, reporter: str) -> dict[str, object]:
    return {
        "patient_initials": initials,
        "patient_sex": sex,
        "patient_age": age,
        "patient_birth_date": birth,
        "reaction": REACTION_R,
        "onset_date": onset,
        "seriousness": ["hospitalisation"],
        "outcome": "2",
        "suspect_drug": NAME_X,
        "batch_number": "B2026001",
        "approval_number": DRUG_X,
        "concomitant_drugs": "",
        "reporter_name": reporter,
        "reporter_qualification": "1",
        "reporter_telephone": "",
        "narrative": f"{initials} 服用{NAME_X}后出现{REACTION_R}。",
    }


def build_background(planted: int = 8, reports: int = 300, seed: int = 20260301) -> None:
    """Cases stored directly in 330106: `planted` name drug X (matched) and reaction R together, the
    rest one or two background drugs and reactions at random; X and R also appear with other partners."""
    rng = random.Random(seed)
    path = Jurisdiction.objects.get(code="330106").path
    total = planted + reports
    cases = Case.objects.bulk_create(
        [Case(worldwide_case_id=f"CN-E2E-BG-{i:04d}", jurisdiction_path=path) for i in range(total)]
    )
    drugs, reactions = [], []
    for index, case in enumerate(cases):
        if index < planted:
            names, terms = [NAME_X], [REACTION_R]
        else:
            names = rng.sample(BACKGROUND_DRUGS, rng.choice((1, 1, 2)))
            terms = list(dict.fromkeys(rng.choice(BACKGROUND_REACTIONS) for _ in names))
            if index % 25 == 0:
                names.append(NAME_X)
            if index % 20 == 0:
                terms.append(REACTION_R)
        drugs += [
            CaseDrug(
                case=case,
                sequence=k + 1,
                role=DrugRole.SUSPECT,
                name_as_reported=n,
                matched_approval_number=DRUG_X if n == NAME_X else "",
            )
            for k, n in enumerate(names)
        ]
        reactions += [
            CaseReaction(case=case, sequence=k + 1, meddra_code="" if t == REACTION_R else t, reported_term=t)
            for k, t in enumerate(terms)
        ]
    CaseDrug.objects.bulk_create(drugs)
    CaseReaction.objects.bulk_create(reactions)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def signal_actions(signal_id: int) -> list[str]:
    records = AuditRecord.objects.filter(object_type="vigilance.signal", object_id=str(signal_id))
    return list(records.order_by("position").values_list("action", flat=True))


@pytest.mark.django_db
def test_reports_to_signal_to_product_page(national_user: User) -> None:
    holder = factories.make_enterprise("杭州玄福药业有限公司", "330106", ("marketing_authorization_holder",))
    factories.make_drug(holder, DRUG_X, name=NAME_X)
    hospital = factories.make_enterprise("杭州市西湖医院", "330106", ("medical_institution",))
    hospital_user = factories.make_user("hospital", Role.MEDICAL_INSTITUTION, None, hospital.uscc)
    holder_user = factories.make_user("holder", Role.MARKETING_AUTHORIZATION_HOLDER, None, holder.uscc)

    # reports arrive by the professional web form ...
    client = logged_in(hospital_user)
    for patient in PATIENTS:
        response = client.post("/vigilance/report/professional/", form_report(*patient))
        assert (response.status_code, response["Location"]) == (302, "/vigilance/report/done/")
    form_cases = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    assert len(form_cases) == 4
    assert (
        list(CaseDrug.objects.filter(case__in=form_cases).values_list("matched_approval_number", flat=True))
        == [DRUG_X] * 4
    )

    # ... and by an E2B(R3) file: one report and a duplicate of it sent again under another case id
    _, token = issue_token(actor=Actor.system(), user=holder_user, name="e2e")
    original = make_report("CN-E2E-0001", first_received="20260303", most_recent="20260303")
    again = make_report("CN-E2E-0002", first_received="20260305", most_recent="20260305", reporter_family="Smith")
    response = Client().post(
        "/api/vigilance/e2b",
        data=e2b_xml(original, again),
        content_type="application/xml",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert ack_codes(response.content)[:2] == ("AA", ["CA", "CA"])
    e2b_first, e2b_second = (
        Case.objects.get(worldwide_case_id="CN-E2E-0001").pk,
        Case.objects.get(worldwide_case_id="CN-E2E-0002").pk,
    )
    assert Case.objects.count() == 6

    # duplicate detection proposes the pair; a regulator confirms the merge
    reviewer = {"actor": Actor(user=national_user, channel="console"), "scope": scope_for(national_user)}
    assert duplicates.detect_duplicates(**reviewer, today=TODAY) == 1
    candidate = DuplicateCandidate.objects.get()
    assert (candidate.case_a_id, candidate.case_b_id, candidate.status) == (e2b_first, e2b_second, "proposed")
    response = logged_in(national_user).post(
        f"/vigilance/duplicates/{candidate.pk}/decision/", {"decision": "confirm", "master": str(e2b_first)}
    )
    assert response.status_code == 302
    merge = CaseMerge.objects.get()
    assert (merge.master_id, merge.duplicate_id) == (e2b_first, e2b_second)
    assert CaseDrug.objects.filter(case_id=e2b_second).count() == 0
    assert AuditRecord.objects.filter(action="vigilance.duplicate.confirmed").count() == 1

    # a signal run over these cases and the background flags drug X with R, not the unrelated pair
    build_background()
    run = request_signal_run(actor=Actor.system(), scope=SYSTEM_SCOPE, run_date=RUN_DATE, enqueue=False)
    run = execute_run(run.pk)
    assert (run.status, run.error) == ("succeeded", "")
    assert (run.report_count, run.flagged_count, run.new_signal_count) == (313, 1, 1)
    statistic = SignalStatistic.objects.get(flagged=True)
    assert (statistic.product_key, statistic.reaction_key, statistic.n) == (NAME_X, REACTION_R, 15)
    assert (statistic.ebgm, statistic.eb05, statistic.eb95) == (7.18, 6.14, 8.35)
    unrelated = Case.objects.filter(drugs__name_as_reported=UNRELATED_DRUG, reactions__meddra_code=UNRELATED_REACTION)
    assert unrelated.distinct().count() == 7
    unrelated_statistic = SignalStatistic.objects.get(product_key=UNRELATED_DRUG, reaction_key=UNRELATED_REACTION)
    assert (unrelated_statistic.n, unrelated_statistic.flagged) == (7, False)
    signal = Signal.objects.get()
    assert (signal.product_key, signal.reaction_key, signal.approval_number, signal.status) == (
        NAME_X,
        REACTION_R,
        DRUG_X,
        "detected",
    )
    assert set(form_cases) <= set(signal.cases.values_list("pk", flat=True))
    assert signal.cases.count() == 15

    # the product page shows the case count and the open signal
    page = logged_in(national_user).get(f"/vigilance/products/{DRUG_X}/")
    assert page.status_code == 200
    assert page.context["case_count"] == 24
    assert [s.pk for s, _latest in page.context["signals"]] == [signal.pk]
    assert page.context["signals"][0][1].n == 15
    html = page.content.decode()
    assert f'data-signal="{signal.pk}"' in html
    assert "不良反应与信号" in html
    assert (
        '<a href="/vigilance/?q=%E5%9B%BD%E8%8D%AF%E5%87%86%E5%AD%97H20260001" data-testid="case-count">24</a>' in html
    )
    assert '<td data-testid="signal-eb05">6.14</td>' in html
    drug_page = logged_in(national_user).get(f"/drugs/{DRUG_X}/").content.decode()
    assert f'href="/vigilance/products/{DRUG_X}/"' in drug_page.replace(
        "%E5%9B%BD%E8%8D%AF%E5%87%86%E5%AD%97", "国药准字"
    )

    # the workflow: validated, assessed, closed, one audit record per step
    actor, scope = Actor(user=national_user, channel="console"), scope_for(national_user)
    validate_signal(actor=actor, scope=scope, signal_id=signal.pk, note="Consistent cases, plausible.")
    assess_signal(
        actor=actor,
        scope=scope,
        signal_id=signal.pk,
        causality_assessment="Probable: positive dechallenge in most cases.",
        proposed_action="label_change",
    )
    assessed = logged_in(national_user).get(f"/vigilance/products/{DRUG_X}/")
    assert [(s.pk, s.status) for s, _latest in assessed.context["signals"]] == [(signal.pk, "assessed")]
    close_signal(actor=actor, scope=scope, signal_id=signal.pk, note="Label updated.")
    signal.refresh_from_db()
    assert (signal.status, signal.proposed_action) == ("closed", "label_change")
    assert signal_actions(signal.pk) == [
        "vigilance.signal.detected",
        "vigilance.signal.validate",
        "vigilance.signal.assess",
        "vigilance.signal.close",
    ]
    closed = logged_in(national_user).get(f"/vigilance/products/{DRUG_X}/")
    assert (closed.context["case_count"], closed.context["signals"]) == (24, [])


def make_pack(serial: int, holder: str, path: str) -> Pack:
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    return Pack.objects.create(
        key=f"gs1:01/06901234000016/21/{serial}",
        gtin="06901234000016",
        serial=str(serial),
        lot="B2026001",
        approval_number=DRUG_X,
        status="received",
        holder_enterprise_code=holder,
        commissioned_by_enterprise_code=holder,
        jurisdiction_path=path,
        commissioned_at=now,
        updated_at=now,
    )


@pytest.mark.django_db
def test_case_page_links_the_suspect_batch_with_its_packs_by_holder(provincial_user: User) -> None:
    holder = factories.make_enterprise("杭州玄福药业有限公司", "330106", ("marketing_authorization_holder",))
    factories.make_drug(holder, DRUG_X, name=NAME_X)
    hospital = factories.make_enterprise("杭州市西湖医院", "330106", ("medical_institution",))
    hospital_user = factories.make_user("hospital", Role.MEDICAL_INSTITUTION, None, hospital.uscc)
    path = Jurisdiction.objects.get(code="330106").path
    for serial in range(3):
        make_pack(serial, holder.uscc, path)
    for serial in range(3, 5):
        make_pack(serial, hospital.uscc, path)
    logged_in(hospital_user).post("/vigilance/report/professional/", form_report(*PATIENTS[0]))
    case = Case.objects.get()
    # when
    page = logged_in(provincial_user).get(f"/vigilance/cases/{case.pk}/")
    # then
    batches = page.context["batches"]
    assert [(b["drug"].batch_number, b["url"]) for b in batches] == [
        ("B2026001", f"/trace/batches/?approval_number={QUOTED_X}&lot=B2026001")
    ]
    assert [(h.enterprise_name, h.packs) for h in batches[0]["holders"]] == [
        ("杭州玄福药业有限公司", 3),
        ("杭州市西湖医院", 2),
    ]
    html = page.content.decode()
    assert 'data-testid="batch-link"' in html
    assert "<td>3</td>" in html


@pytest.mark.django_db
def test_product_page_is_for_regulators_only(provincial_user: User) -> None:
    holder = factories.make_enterprise("杭州玄福药业有限公司", "330106", ("marketing_authorization_holder",))
    holder_user = factories.make_user("holder", Role.MARKETING_AUTHORIZATION_HOLDER, None, holder.uscc)
    # when
    refused = logged_in(holder_user).get(f"/vigilance/products/{DRUG_X}/")
    empty = logged_in(provincial_user).get(f"/vigilance/products/{DRUG_X}/")
    # then
    assert refused.status_code == 403
    assert (empty.status_code, empty.context["case_count"], empty.context["signals"]) == (200, 0, [])
    assert 'data-testid="no-signals"' in empty.content.decode()
    assert Client().get(f"/vigilance/products/{DRUG_X}/").status_code == 302
