"""Duplicate review: a planted pair is proposed, confirming merges it (both reports kept), rejecting
records the decision, and only national and provincial regulators decide."""

import dataclasses
import datetime as dt

import pytest
from django.apps import apps
from django.test import Client

from medreg.core.actor import Actor
from medreg.core.errors import DomainError, PermissionDenied
from medreg.core.models import AuditRecord, Role, User
from medreg.core.scoping import scope_for
from medreg.vigilance.duplicates import FIELDS
from medreg.vigilance.e2b import export_batch, parse_batch
from medreg.vigilance.e2b.model import Value
from medreg.vigilance.models import Case, CaseDrug, CaseReaction, CaseVersion
from medreg.vigilance.models.duplicates import CaseMerge, DuplicateCandidate, LinkageModelConfig
from medreg.vigilance.services import duplicates, export_case, import_batch
from medreg.vigilance.services.forms import submit_report
from tests import factories

TODAY = dt.date(2026, 3, 10)
PATIENT = {
    "patient_initials": "ZWM",
    "patient_sex": "1",
    "patient_age": 45,
    "patient_birth_date": dt.date(1980, 1, 2),
    "onset_date": dt.date(2026, 3, 1),
    "seriousness": ["hospitalisation"],
    "outcome": "2",
    "batch_number": "",
    "approval_number": "",
    "reporter_qualification": "1",
    "reporter_telephone": "",
}


def counts() -> dict[str, int]:
    models = [*apps.get_app_config("vigilance").get_models(), AuditRecord]
    return {m._meta.label: m.objects.count() for m in models}


@pytest.fixture
def planted(db: None) -> tuple[int, int, int]:
    """A hospital's and a holder's report of one event (the duplicate pair), and an unrelated case."""
    hospital = factories.make_enterprise("杭州市西湖医院", "330106", ("medical_institution",))
    holder = factories.make_enterprise("杭州甲药业有限公司", "330106", ("marketing_authorization_holder",))
    hospital_user = factories.make_user("hospital", Role.MEDICAL_INSTITUTION, None, hospital.uscc)
    holder_user = factories.make_user("holder", Role.MARKETING_AUTHORIZATION_HOLDER, None, holder.uscc)
    first = {
        **PATIENT,
        "reaction": "皮疹",
        "suspect_drug": "阿莫西林胶囊",
        "concomitant_drugs": "",
        "reporter_name": "李医生",
        "narrative": "患者服用阿莫西林胶囊后第二天出现全身皮疹，停药后好转。",
    }
    second = {
        **first,
        "reaction": "皮疹;瘙痒",
        "concomitant_drugs": "对乙酰氨基酚片",
        "reporter_name": "杭州甲药业药物警戒部",
        "narrative": "患者服用阿莫西林胶囊后第二天出现全身皮疹伴瘙痒，停药后好转。",
    }
    other = {
        **PATIENT,
        "patient_initials": "QF",
        "patient_sex": "2",
        "patient_age": 23,
        "patient_birth_date": dt.date(2003, 5, 6),
        "onset_date": dt.date(2026, 2, 11),
        "reaction": "恶心",
        "suspect_drug": "布洛芬片",
        "concomitant_drugs": "",
        "reporter_name": "王药师",
        "narrative": "服用布洛芬片后恶心。",
    }
    cases = []
    for user, data, day in ((hospital_user, first, 3), (holder_user, second, 5), (hospital_user, other, 6)):
        channel = "professional" if user is hospital_user else "holder"
        cases.append(
            submit_report(
                actor=Actor(user=user, channel="console"),
                scope=scope_for(user),
                channel=channel,
                data=data,
                today=dt.date(2026, 3, day),
            )
        )
    return cases[0], cases[1], cases[2]


def reviewer(user: User) -> dict[str, object]:
    return {"actor": Actor(user=user, channel="console"), "scope": scope_for(user)}


@pytest.mark.django_db
def test_planted_duplicate_pair_is_proposed_once(planted: tuple[int, int, int], national_user: User) -> None:
    first, second, _other = planted
    # when
    found = duplicates.detect_duplicates(**reviewer(national_user), today=TODAY)
    again = duplicates.detect_duplicates(**reviewer(national_user), today=TODAY)
    # then
    assert (found, again) == (1, 0)
    candidate = DuplicateCandidate.objects.get()
    assert (candidate.case_a_id, candidate.case_b_id, candidate.status) == (first, second, "proposed")
    assert set(candidate.contributions) == set(FIELDS)
    assert candidate.score >= candidate.linkage_model.threshold
    assert candidate.contributions["birth_date"] > 0
    config = LinkageModelConfig.objects.get()
    assert (config.source, config.valid_from, config.training_size) == ("synthetic", TODAY, 4000)
    actions = list(AuditRecord.objects.filter(action__startswith="vigilance.dup").values_list("action", flat=True))
    assert actions == ["vigilance.duplicates.detected", "vigilance.duplicates.detected"]


@pytest.mark.django_db
def test_confirming_merges_the_duplicate_into_the_master_keeping_both_reports(
    planted: tuple[int, int, int], national_user: User
) -> None:
    first, second, other = planted
    duplicates.detect_duplicates(**reviewer(national_user), today=TODAY)
    candidate = DuplicateCandidate.objects.get()
    # when
    merge = duplicates.confirm_duplicate(**reviewer(national_user), candidate_id=candidate.pk)
    # then
    assert (merge.master_id, merge.duplicate_id) == (first, second)
    assert Case.objects.count() == 3
    assert CaseVersion.objects.filter(case_id__in=(first, second)).count() == 2
    master_drugs = list(CaseDrug.objects.filter(case_id=first).values_list("sequence", "role", "name_as_reported"))
    assert master_drugs == [(1, "suspect", "阿莫西林胶囊"), (2, "concomitant", "对乙酰氨基酚片")]
    master_reactions = list(CaseReaction.objects.filter(case_id=first).values_list("sequence", "reported_term"))
    assert master_reactions == [(1, "皮疹"), (2, "皮疹;瘙痒")]
    assert CaseDrug.objects.filter(case_id=second).count() == 0
    assert CaseReaction.objects.filter(case_id=second).count() == 0
    assert CaseDrug.objects.filter(case_id=other).count() == 1
    assert merge.plan["linked_report_ids"] == [str(first), str(second)]
    assert merge.plan["first_receive_date"] == "2026-03-03"
    assert len(merge.plan["narratives"]) == 2
    candidate.refresh_from_db()
    assert (candidate.status, candidate.decided_by_id) == ("confirmed", national_user.pk)
    record = AuditRecord.objects.get(action="vigilance.duplicate.confirmed")
    assert record.after["master"] == first
    assert record.after["duplicate"] == second
    assert duplicates.case_summaries(duplicates.open_cases(scope_for(national_user)))[0].case_id in {
        str(first),
        str(other),
    }
    assert len(duplicates.case_summaries(duplicates.open_cases(scope_for(national_user)))) == 2


@pytest.mark.django_db
def test_rejecting_records_the_decision_and_merges_nothing(
    planted: tuple[int, int, int], provincial_user: User
) -> None:
    duplicates.detect_duplicates(**reviewer(provincial_user), today=TODAY)
    candidate = DuplicateCandidate.objects.get()
    drugs, reactions = CaseDrug.objects.count(), CaseReaction.objects.count()
    # when
    duplicates.reject_duplicate(**reviewer(provincial_user), candidate_id=candidate.pk)
    # then
    candidate.refresh_from_db()
    assert (candidate.status, candidate.decided_by_id) == ("rejected", provincial_user.pk)
    assert CaseMerge.objects.count() == 0
    assert (CaseDrug.objects.count(), CaseReaction.objects.count()) == (drugs, reactions)
    assert AuditRecord.objects.filter(action="vigilance.duplicate.rejected").count() == 1
    with pytest.raises(DomainError) as refused:
        duplicates.confirm_duplicate(**reviewer(provincial_user), candidate_id=candidate.pk)
    assert refused.value.status == 409


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["city", "holder", "other_province"])
def test_other_roles_cannot_decide_and_nothing_is_written(
    planted: tuple[int, int, int], national_user: User, role: str
) -> None:
    duplicates.detect_duplicates(**reviewer(national_user), today=TODAY)
    candidate = DuplicateCandidate.objects.get()
    users = {
        "city": lambda: factories.make_user("hz", Role.CITY_REGULATOR, "330100"),
        "holder": lambda: User.objects.get(username="holder"),
        "other_province": lambda: factories.make_user("js", Role.PROVINCIAL_REGULATOR, "320000"),
    }
    user = users[role]()
    before = counts()
    # when
    with pytest.raises(DomainError) as refused:
        duplicates.confirm_duplicate(**reviewer(user), candidate_id=candidate.pk)
    client = Client()
    client.force_login(user)
    response = client.post(f"/vigilance/duplicates/{candidate.pk}/decision/", {"decision": "reject"})
    # then
    expected = 404 if role == "other_province" else 403
    assert refused.value.status == expected
    assert isinstance(refused.value, PermissionDenied) == (expected == 403)
    assert response.status_code == expected
    assert counts() == before


@pytest.mark.django_db
def test_reviewer_confirms_through_the_queue_page(planted: tuple[int, int, int], national_user: User) -> None:
    first, second, _other = planted
    client = Client()
    client.force_login(national_user)
    assert client.post("/vigilance/duplicates/detect/").status_code == 302
    page = client.get("/vigilance/duplicates/").content.decode()
    candidate = DuplicateCandidate.objects.get()
    assert f'data-pair="{candidate.pk}"' in page
    # when
    response = client.post(
        f"/vigilance/duplicates/{candidate.pk}/decision/", {"decision": "confirm", "master": str(second)}
    )
    # then
    assert response.status_code == 302
    merge = CaseMerge.objects.get()
    assert (merge.master_id, merge.duplicate_id) == (second, first)
    assert 'data-testid="merged-into"' in client.get(f"/vigilance/cases/{first}/").content.decode()


def follow_up(case_id: int, username: str, national_user: User, *, reaction: str) -> tuple[str, list[str]]:
    """The sender of `case_id` sends a follow-up (C.1.5 2026-03-20) adding the reaction `reaction`."""
    xml = export_case(**reviewer(national_user), case_id=case_id, identified=True)
    batch = parse_batch(xml).batch
    report = batch.reports[0]
    added = dataclasses.replace(
        report.reactions[0], id=Value(root=f"follow-up-{case_id}"), term=Value(null_flavor="NI", original_text=reaction)
    )
    report = dataclasses.replace(
        report,
        message_id=dataclasses.replace(report.message_id, extension=f"FU-{case_id}"),
        most_recent=Value(value="20260320"),
        reactions=(*report.reactions, added),
    )
    sender = User.objects.get(username=username)
    result = import_batch(
        actor=Actor(user=sender),
        scope=scope_for(sender),
        xml_bytes=export_batch(dataclasses.replace(batch, reports=(report,))),
        today=dt.date(2026, 3, 21),
    )
    terms = CaseReaction.objects.filter(case_id=case_id).order_by("sequence").values_list("reported_term", flat=True)
    return result.code, list(terms)


def merged(planted: tuple[int, int, int], national_user: User) -> CaseMerge:
    duplicates.detect_duplicates(**reviewer(national_user), today=TODAY)
    return duplicates.confirm_duplicate(**reviewer(national_user), candidate_id=DuplicateCandidate.objects.get().pk)


@pytest.mark.django_db
def test_follow_up_of_a_merged_duplicate_reapplies_the_merge(
    planted: tuple[int, int, int], national_user: User
) -> None:
    # given the holder's report merged into the hospital's
    first, second, _other = planted
    merged(planted, national_user)
    # when the holder sends a follow-up of its (duplicate) case adding a fever
    code, duplicate_rows = follow_up(second, "holder", national_user, reaction="发热")
    # then the follow-up is the duplicate's version 2, and the master reflects it; nothing is lost
    assert (code, duplicate_rows) == ("AA", [])
    assert list(CaseVersion.objects.filter(case_id=second).values_list("number", "kind")) == [
        (1, "initial"),
        (2, "follow_up"),
    ]
    assert CaseVersion.objects.filter(case_id=first).count() == 1
    master_reactions = list(CaseReaction.objects.filter(case_id=first).values_list("sequence", "reported_term"))
    assert master_reactions == [(1, "皮疹"), (2, "皮疹;瘙痒"), (3, "发热")]
    master_drugs = list(CaseDrug.objects.filter(case_id=first).values_list("sequence", "role", "name_as_reported"))
    assert master_drugs == [(1, "suspect", "阿莫西林胶囊"), (2, "concomitant", "对乙酰氨基酚片")]
    assert CaseDrug.objects.filter(case_id=second).count() == 0
    plan = CaseMerge.objects.get().plan
    assert plan["reactions"] == {"发热": [str(second)], "皮疹": [str(first)], "皮疹;瘙痒": [str(second)]}
    record = AuditRecord.objects.get(action="vigilance.case_merge.reapplied")
    assert (record.object_id, record.after) == (
        str(first),
        {"changed_case": second, "version": 2, "duplicates": [second]},
    )


@pytest.mark.django_db
def test_follow_up_of_the_master_keeps_what_its_duplicate_brought(
    planted: tuple[int, int, int], national_user: User
) -> None:
    # given the holder's report merged into the hospital's
    first, second, _other = planted
    merged(planted, national_user)
    # when the hospital sends a follow-up of the master adding a fever
    code, master_rows = follow_up(first, "hospital", national_user, reaction="发热")
    # then the master keeps the duplicate's drug and reaction and gains the fever
    assert (code, master_rows) == ("AA", ["皮疹", "发热", "皮疹;瘙痒"])
    master_drugs = list(CaseDrug.objects.filter(case_id=first).values_list("sequence", "name_as_reported"))
    assert master_drugs == [(1, "阿莫西林胶囊"), (2, "对乙酰氨基酚片")]
    assert (CaseDrug.objects.filter(case_id=second).count(), CaseReaction.objects.filter(case_id=second).count()) == (
        0,
        0,
    )
    assert CaseMerge.objects.get().plan["reactions"] == {
        "发热": [str(first)],
        "皮疹": [str(first)],
        "皮疹;瘙痒": [str(second)],
    }
    assert AuditRecord.objects.filter(action="vigilance.case_merge.reapplied").count() == 1


@pytest.mark.django_db
def test_follow_up_of_an_unmerged_case_writes_no_merge_record(
    planted: tuple[int, int, int], national_user: User
) -> None:
    _first, _second, other = planted
    code, rows = follow_up(other, "hospital", national_user, reaction="头晕")
    assert (code, rows) == ("AA", ["恶心", "头晕"])
    assert AuditRecord.objects.filter(action="vigilance.case_merge.reapplied").count() == 0
