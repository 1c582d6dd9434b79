"""Case storage: identifiers at rest, pseudonyms, audited decryption, scoping, match review."""

import pytest
from django.apps import apps

from medreg.core.actor import Actor
from medreg.core.errors import DomainError, NotFound, PermissionDenied
from medreg.core.models import AuditRecord, Role, User
from medreg.core.scoping import scope_for
from medreg.registry.models import Enterprise
from medreg.vigilance import selectors
from medreg.vigilance.models import CaseDrug, CaseVersion
from medreg.vigilance.services import reveal_identifiers, review_drug_match
from tests import factories
from tests.vigilance.factories import make_report, send


@pytest.fixture
def holder_a(db: None) -> Enterprise:
    return factories.make_enterprise("杭州甲药业有限公司", "330106", ("marketing_authorization_holder",))


@pytest.fixture
def enterprise_user(holder_a: Enterprise) -> User:
    return factories.make_user("ent_a", Role.MARKETING_AUTHORIZATION_HOLDER, None, holder_a.uscc)


def all_column_values() -> list[str]:
    """Every value of every column of every vigilance table, as text (bytes decoded leniently)."""
    values: list[str] = []
    for model in apps.get_app_config("vigilance").get_models():
        for row in model.objects.values_list(*[f.attname for f in model._meta.concrete_fields]):
            for value in row:
                raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                values.append(raw.decode("utf-8", "replace"))
                values.append(str(value))
    return values


@pytest.mark.django_db
def test_cleartext_identifiers_are_not_in_any_column(enterprise_user: User) -> None:
    # when
    send(enterprise_user, make_report("CN-P-1", patient_name="张伟明", reporter_family="Robertson"))
    # then
    values = all_column_values()
    assert len(values) > 50
    assert not [v for v in values if "张伟明" in v or "Robertson" in v or "13 Elm St." in v or "6102227777" in v]
    assert not [r for r in AuditRecord.objects.all() if "张伟明" in str(r.after) or "Robertson" in str(r.after)]


@pytest.mark.django_db
def test_equal_names_give_equal_pseudonyms(enterprise_user: User) -> None:
    send(
        enterprise_user,
        make_report("CN-P-1", patient_name="张伟明"),
        make_report("CN-P-2", patient_name=" 张伟明 "),
        make_report("CN-P-3", patient_name="李娜"),
    )
    by_case = dict(CaseVersion.objects.values_list("case__worldwide_case_id", "patient_pseudonym"))
    assert by_case["CN-P-1"] == by_case["CN-P-2"]
    assert by_case["CN-P-1"] != by_case["CN-P-3"]
    assert len(by_case["CN-P-1"]) == 64


@pytest.mark.django_db
def test_decrypting_identifiers_is_audited(enterprise_user: User, provincial_user: User) -> None:
    # given
    case_pk = send(enterprise_user, make_report("CN-P-1")).stored[0][0]
    before = AuditRecord.objects.count()
    # when
    identifiers = reveal_identifiers(
        actor=Actor(user=provincial_user), scope=scope_for(provincial_user), case_id=case_pk
    )
    # then
    assert identifiers[".patient.name"] == {"text": "张伟明"}
    assert identifiers[".primary_sources[0].family"] == {"text": "Robertson"}
    record = AuditRecord.objects.order_by("-position").first()
    assert AuditRecord.objects.count() == before + 1
    assert (record.action, record.object_id, record.actor_username) == (
        "vigilance.identifiers.viewed",
        str(case_pk),
        "zj_province",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["city", "enterprise"])
def test_decrypting_is_refused_to_other_roles(enterprise_user: User, city_user: User, role: str) -> None:
    case_pk = send(enterprise_user, make_report("CN-P-1")).stored[0][0]
    user = city_user if role == "city" else enterprise_user
    before = AuditRecord.objects.count()
    with pytest.raises(PermissionDenied):
        reveal_identifiers(actor=Actor(user=user), scope=scope_for(user), case_id=case_pk)
    assert AuditRecord.objects.count() == before


@pytest.mark.django_db
def test_jiangsu_regulator_does_not_see_a_zhejiang_case(
    enterprise_user: User, provincial_user: User, other_province_user: User, national_user: User
) -> None:
    # given a case sent by an enterprise in 杭州市西湖区
    case_pk = send(enterprise_user, make_report("CN-S-1")).stored[0][0]
    # then
    assert list(selectors.cases(scope_for(provincial_user)).values_list("pk", flat=True)) == [case_pk]
    assert list(selectors.cases(scope_for(national_user)).values_list("pk", flat=True)) == [case_pk]
    assert list(selectors.cases(scope_for(other_province_user))) == []
    with pytest.raises(NotFound):
        selectors.case(scope_for(other_province_user), case_pk)
    with pytest.raises(NotFound):
        reveal_identifiers(actor=Actor(user=other_province_user), scope=scope_for(other_province_user), case_id=case_pk)


@pytest.mark.django_db
def test_enterprises_see_their_own_and_their_products_cases(holder_a: Enterprise, enterprise_user: User) -> None:
    # given B sends a case naming A's drug; C's user sees neither
    factories.make_drug(holder_a, "国药准字H20051234", name="阿莫西林胶囊")
    holder_b = factories.make_enterprise("南京乙医药有限公司", "320102", ("marketing_authorization_holder",))
    user_b = factories.make_user("ent_b", Role.MARKETING_AUTHORIZATION_HOLDER, None, holder_b.uscc)
    holder_c = factories.make_enterprise("宁波丙大药房有限公司", "330203", ("retail_pharmacy",))
    user_c = factories.make_user("ent_c", Role.RETAIL_PHARMACY, None, holder_c.uscc)
    send(user_b, make_report("CN-B-1", drug_name="阿莫西林胶囊"))
    send(enterprise_user, make_report("CN-A-1"))

    # then
    def visible(user: User) -> list[str]:
        return sorted(selectors.cases(scope_for(user)).values_list("worldwide_case_id", flat=True))

    assert visible(enterprise_user) == ["CN-A-1", "CN-B-1"]
    assert visible(user_b) == ["CN-B-1"]
    assert visible(user_c) == []
    inspector = factories.make_user("insp", Role.INSPECTOR, "330100")
    assert visible(inspector) == []


@pytest.mark.django_db
def test_reviewer_confirms_and_corrects_matches_and_follow_ups_keep_them(
    holder_a: Enterprise,
    enterprise_user: User,
    provincial_user: User,
) -> None:
    # given
    factories.make_drug(holder_a, "国药准字H20051234", name="阿莫西林胶囊")
    factories.make_drug(holder_a, "国药准字H20051235", name="头孢克肟胶囊")
    case_pk = send(enterprise_user, make_report("CN-M-1", drug_name="阿莫西林胶囊", most_recent="20260301")).stored[0][
        0
    ]
    first = CaseDrug.objects.get(case_id=case_pk, sequence=1)
    second = CaseDrug.objects.get(case_id=case_pk, sequence=2)
    actor, scope = Actor(user=provincial_user), scope_for(provincial_user)
    before = AuditRecord.objects.count()
    # when
    confirmed = review_drug_match(
        actor=actor, scope=scope, case_id=case_pk, drug_id=first.pk, approval_number="国药准字H20051234"
    )
    corrected = review_drug_match(
        actor=actor, scope=scope, case_id=case_pk, drug_id=second.pk, approval_number="国药准字H20051235"
    )
    # then
    assert (confirmed.match_status, corrected.match_status) == ("confirmed", "corrected")
    assert corrected.registry_holder_code == holder_a.uscc
    assert AuditRecord.objects.count() == before + 2
    # and a follow-up keeps the reviewed matches
    send(enterprise_user, make_report("CN-M-1", drug_name="阿莫西林胶囊", most_recent="20260310"))
    assert list(CaseDrug.objects.filter(case_id=case_pk).values_list("match_status", "matched_approval_number")) == [
        ("confirmed", "国药准字H20051234"),
        ("corrected", "国药准字H20051235"),
        ("none", ""),
    ]


@pytest.mark.django_db
def test_match_review_is_refused_to_enterprises_and_unknown_numbers(
    enterprise_user: User, provincial_user: User
) -> None:
    case_pk = send(enterprise_user, make_report("CN-M-2")).stored[0][0]
    drug = CaseDrug.objects.get(case_id=case_pk, sequence=1)
    before = (AuditRecord.objects.count(), list(CaseDrug.objects.values_list("match_status", flat=True)))
    with pytest.raises(PermissionDenied):
        review_drug_match(
            actor=Actor(user=enterprise_user),
            scope=scope_for(enterprise_user),
            case_id=case_pk,
            drug_id=drug.pk,
            approval_number="",
        )
    with pytest.raises(DomainError) as refused:
        review_drug_match(
            actor=Actor(user=provincial_user),
            scope=scope_for(provincial_user),
            case_id=case_pk,
            drug_id=drug.pk,
            approval_number="国药准字H99999999",
        )
    assert refused.value.errors[0].code == "unknown_drug"
    assert (AuditRecord.objects.count(), list(CaseDrug.objects.values_list("match_status", flat=True))) == before
