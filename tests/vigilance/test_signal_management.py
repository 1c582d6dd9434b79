"""Signal management: a run over synthetic cases flags the planted pair only, with dated thresholds."""

import datetime as dt
import random
from dataclasses import dataclass

import pytest

from medreg.core.actor import Actor
from medreg.core.audit import verify_chain
from medreg.core.errors import DomainError
from medreg.core.models import AuditRecord, Jurisdiction, Role, User
from medreg.core.scoping import SYSTEM_SCOPE, Scope, scope_for
from medreg.vigilance import signal_selectors
from medreg.vigilance.models import Case, CaseDrug, CaseReaction, DrugRole
from medreg.vigilance.models.signal import Signal, SignalRun, SignalStatistic, SignalThreshold
from medreg.vigilance.services.signals import (
    assess_signal,
    close_signal,
    refute_signal,
    request_signal_run,
    transition_signal,
    validate_signal,
)
from medreg.vigilance.signal_runs import execute_run
from tests import factories

PLANTED_DRUG, PLANTED_REACTION = "XUANFUZIN", "10019211"  # a made-up drug; MedDRA PT code of "headache"-like term
BACKGROUND_DRUGS = [f"BACKDRUG {i:02d}" for i in range(12)]
BACKGROUND_REACTIONS = [f"1000{i:04d}" for i in range(18)]
RUN_DATE = dt.date(2026, 3, 1)


@dataclass(frozen=True)
class Synthetic:
    """Ids of the cases built: the planted ones and all."""

    planted: list[int]
    all: list[int]


def build_cases(
    division: str = "330106", *, prefix: str = "SYN", reports: int = 300, planted: int = 12, seed: int = 20260301
) -> Synthetic:
    """`reports` cases in `division`: `planted` name the planted drug and reaction together; the rest
    name one or two background drugs and reactions at random (the planted drug and reaction also
    appear in the background, each with other partners)."""
    rng = random.Random(seed)
    path = Jurisdiction.objects.get(code=division).path
    cases = Case.objects.bulk_create(
        [Case(worldwide_case_id=f"{prefix}-{i:04d}", jurisdiction_path=path) for i in range(reports)]
    )
    drugs, reactions = [], []
    for index, case in enumerate(cases):
        if index < planted:
            names, terms = [PLANTED_DRUG], [PLANTED_REACTION]
        else:
            names = rng.sample(BACKGROUND_DRUGS, rng.choice((1, 1, 2)))
            terms = list(dict.fromkeys(rng.choice(BACKGROUND_REACTIONS) for _ in names))
            if index % 25 == 0:
                names.append(PLANTED_DRUG)
            if index % 20 == 0:
                terms.append(PLANTED_REACTION)
        drugs += [
            CaseDrug(case=case, sequence=k + 1, role=DrugRole.SUSPECT, name_as_reported=n) for k, n in enumerate(names)
        ]
        reactions += [
            CaseReaction(case=case, sequence=k + 1, meddra_code=t, reported_term=f"term {t}")
            for k, t in enumerate(terms)
        ]
    CaseDrug.objects.bulk_create(drugs)
    CaseReaction.objects.bulk_create(reactions)
    ids = [c.pk for c in cases]
    return Synthetic(planted=ids[:planted], all=ids)


def run_now(province: str = "", run_date: dt.date = RUN_DATE) -> SignalRun:
    run = request_signal_run(
        actor=Actor.system(), scope=SYSTEM_SCOPE, run_date=run_date, province=province, enqueue=False
    )
    return execute_run(run.pk)


def audit_actions() -> list[str]:
    return list(AuditRecord.objects.order_by("position").values_list("action", flat=True))


def written() -> dict[str, int]:
    models = (Signal, SignalRun, SignalStatistic, SignalThreshold, AuditRecord, Signal.cases.through)
    return {m._meta.label: m.objects.count() for m in models}


@pytest.mark.django_db
def test_run_flags_the_planted_pair_and_not_an_unrelated_one() -> None:
    # given 300 reports, 12 naming the planted pair together
    synthetic = build_cases()
    # when
    run = run_now()
    # then
    assert (run.status, run.error, run.stage) == ("succeeded", "", "done")
    assert (run.report_count, run.row_count, run.pair_count, run.flagged_count, run.new_signal_count) == (
        300,
        587,
        221,
        1,
        1,
    )
    assert run.thresholds == [
        {
            "measure": "EB05",
            "minimum": 2.0,
            "valid_from": "2026-01-01",
            "reference": "CIOMS VIII / FDA openEBGM convention",
        },
        {
            "measure": "N",
            "minimum": 3.0,
            "valid_from": "2026-01-01",
            "reference": "CIOMS VIII / FDA openEBGM convention",
        },
    ]
    assert set(run.hyperparameters) >= {"alpha1", "beta1", "alpha2", "beta2", "P"}
    assert (SignalStatistic.objects.filter(run=run).count(), SignalStatistic.objects.filter(flagged=True).count()) == (
        221,
        1,
    )
    statistic = SignalStatistic.objects.get(flagged=True)
    assert (statistic.product_key, statistic.reaction_key, statistic.n) == (PLANTED_DRUG, PLANTED_REACTION, 14)
    assert round(statistic.expected, 4) == 1.9933
    assert (round(statistic.prr, 2), round(statistic.ror, 2), round(statistic.ic025, 3)) == (14.05, 34.35, 1.637)
    assert (statistic.ebgm, statistic.eb05, statistic.eb95) == (6.94, 5.93, 8.08)
    signal = Signal.objects.get()
    assert (signal.product_key, signal.reaction_key, signal.reaction_label) == (
        PLANTED_DRUG,
        PLANTED_REACTION,
        f"term {PLANTED_REACTION}",
    )
    assert (signal.status, signal.product_family, signal.jurisdiction_code, signal.jurisdiction_path) == (
        "detected",
        "drug",
        "000000",
        "/000000/",
    )
    # the 12 planted cases and the two background cases (indexes 100 and 200) naming both
    assert sorted(signal.cases.values_list("pk", flat=True)) == sorted(
        [*synthetic.planted, synthetic.all[100], synthetic.all[200]]
    )
    # an unrelated background pair with as many as 7 reports is not flagged
    assert not Signal.objects.filter(product_key="BACKDRUG 00", reaction_key="10000008").exists()
    assert audit_actions() == [
        "vigilance.signal_run.requested",
        "vigilance.signal.detected",
        "vigilance.signal_run.finished",
    ]


@pytest.mark.django_db
def test_product_key_is_the_registry_generic_name_of_the_matched_approval_number() -> None:
    # given the planted drug reported under a brand name and matched to a registry product
    holder = factories.make_enterprise("杭州甲药业有限公司")
    factories.make_drug(holder, "国药准字H20051234", name="阿莫西林胶囊")
    synthetic = build_cases()
    CaseDrug.objects.filter(case_id__in=synthetic.planted).update(
        name_as_reported="阿莫灵  胶囊", matched_approval_number="国药准字H20051234"
    )
    # when
    run_now()
    # then the twelve matched reports count under the generic name, the two background ones apart
    signal = Signal.objects.get()
    assert (signal.product_key, signal.approval_number, signal.cases.count()) == (
        "阿莫西林胶囊",
        "国药准字H20051234",
        12,
    )


@pytest.mark.django_db
def test_the_thresholds_in_force_on_the_run_date_apply() -> None:
    # given a stricter EB05 threshold decided from 2026-06-01 (and N retired from then)
    build_cases()
    SignalThreshold.objects.create(
        measure="EB05", minimum=6.0, valid_from=dt.date(2026, 6, 1), reference="NMPA notice (test)"
    )
    SignalThreshold.objects.create(
        measure="N", minimum=None, valid_from=dt.date(2026, 6, 1), reference="NMPA notice (test)"
    )
    # when
    before = run_now(run_date=dt.date(2026, 5, 31))
    after = run_now(run_date=dt.date(2026, 6, 1))
    # then
    assert (before.flagged_count, before.new_signal_count) == (1, 1)
    assert [t["minimum"] for t in before.thresholds] == [2.0, 3.0]
    assert (after.status, after.flagged_count, after.new_signal_count) == ("succeeded", 0, 0)
    assert after.thresholds == [
        {"measure": "EB05", "minimum": 6.0, "valid_from": "2026-06-01", "reference": "NMPA notice (test)"}
    ]
    assert SignalStatistic.objects.filter(run=after, flagged=True).count() == 0


@pytest.mark.django_db
def test_a_run_over_no_cases_succeeds_empty() -> None:
    run = run_now()
    assert (run.status, run.report_count, run.pair_count, run.flagged_count, run.hyperparameters) == (
        "succeeded",
        0,
        0,
        0,
        {},
    )
    assert audit_actions() == ["vigilance.signal_run.requested", "vigilance.signal_run.finished"]


@pytest.mark.django_db
def test_a_run_before_any_threshold_fails_and_stores_nothing() -> None:
    build_cases()
    run = run_now(run_date=dt.date(2025, 12, 31))
    assert (run.status, run.stage) == ("failed", "failed")
    assert "No signal threshold is in force on 2025-12-31" in run.error
    assert (Signal.objects.count(), SignalStatistic.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_a_second_run_adds_history_not_a_second_open_signal() -> None:
    # given an open signal from a first run
    build_cases()
    first = run_now()
    # when new cases arrive and the run is repeated
    build_cases(prefix="MORE", reports=40, planted=4, seed=7)
    second = run_now()
    # then
    assert (second.flagged_count, second.new_signal_count) == (1, 0)
    signal = Signal.objects.get()
    assert signal.detected_by == first
    assert signal.cases.count() == 14 + 4  # the four new planted cases linked to the open signal
    history = list(signal_selectors.signal_statistics_history(signal).values_list("run_id", "n"))
    assert history == [(first.pk, 14), (second.pk, 18)]


@pytest.mark.django_db
def test_a_run_is_executed_once() -> None:
    build_cases()
    run = run_now()
    again = execute_run(run.pk)
    assert (again.status, Signal.objects.count(), SignalStatistic.objects.count()) == ("succeeded", 1, 221)


@pytest.mark.django_db
def test_a_provincial_run_reads_its_province_and_files_a_provincial_signal() -> None:
    # given the planted cases in Zhejiang and a copy in Jiangsu
    build_cases("330106")
    build_cases("320102", prefix="JS", seed=99)
    # when
    run = run_now(province="330000")
    # then
    assert (run.report_count, run.jurisdiction_code, run.jurisdiction_path) == (300, "330000", "/000000/330000/")
    signal = Signal.objects.get()
    assert (signal.jurisdiction_code, signal.jurisdiction_path) == ("330000", "/000000/330000/")
    assert not signal.cases.filter(worldwide_case_id__startswith="JS").exists()


# --- workflow -------------------------------------------------------------------------------------


@pytest.fixture
def zhejiang_signal(db: None) -> Signal:
    build_cases("330106")
    run_now(province="330000")
    return Signal.objects.get()


def actor_of(user: User) -> tuple[Actor, Scope]:
    return Actor(user=user, channel="api"), scope_for(user)


def test_the_workflow_runs_detected_validated_assessed_closed_with_an_audit_record_per_step(
    zhejiang_signal: Signal, provincial_user: User, national_user: User
) -> None:
    # given
    zj, national = actor_of(provincial_user), actor_of(national_user)
    start = AuditRecord.objects.count()
    # when
    validate_signal(actor=zj[0], scope=zj[1], signal_id=zhejiang_signal.pk, note="14 cases, plausible mechanism")
    assess_signal(
        actor=zj[0],
        scope=zj[1],
        signal_id=zhejiang_signal.pk,
        causality_assessment="Probable (WHO-UMC): positive dechallenge in 9 of 14.",
        proposed_action="label_change",
    )
    closed = close_signal(actor=national[0], scope=national[1], signal_id=zhejiang_signal.pk, note="label updated")
    # then
    assert (closed.status, closed.validation_note, closed.proposed_action, closed.closing_note) == (
        "closed",
        "14 cases, plausible mechanism",
        "label_change",
        "label updated",
    )
    records = list(AuditRecord.objects.filter(position__gt=start).order_by("position"))
    assert [(r.action, r.actor_username, r.before["status"], r.after["status"]) for r in records] == [
        ("vigilance.signal.validate", "zj_province", "detected", "validated"),
        ("vigilance.signal.assess", "zj_province", "validated", "assessed"),
        ("vigilance.signal.close", "national", "assessed", "closed"),
    ]
    assert records[1].after["causality_assessment"].startswith("Probable (WHO-UMC)")
    assert verify_chain().intact


def test_a_refuted_signal_is_no_longer_open_and_the_next_run_reopens_the_pair(
    zhejiang_signal: Signal, provincial_user: User
) -> None:
    actor, scope = actor_of(provincial_user)
    refuted = refute_signal(
        actor=actor, scope=scope, signal_id=zhejiang_signal.pk, note="all cases one duplicate series"
    )
    assert (refuted.status, refuted.is_open) == ("refuted", False)
    run = run_now(province="330000")
    assert run.new_signal_count == 1
    assert list(Signal.objects.order_by("pk").values_list("status", flat=True)) == ["refuted", "detected"]


@pytest.mark.parametrize(
    ("steps", "action", "fields"),
    [
        ([], "assess", {"causality_assessment": "x", "proposed_action": "none"}),
        (["validate"], "refute", {"note": "late"}),
        (["validate"], "close", {"note": ""}),
        (["validate", "assess", "close"], "validate", {"note": ""}),
    ],
)
def test_an_invalid_transition_is_409_and_writes_nothing(
    zhejiang_signal: Signal, provincial_user: User, steps: list[str], action: str, fields: dict[str, str]
) -> None:
    # given
    actor, scope = actor_of(provincial_user)
    arguments = {
        "validate": {},
        "assess": {"causality_assessment": "probable", "proposed_action": "dhpc_letter"},
        "close": {},
    }
    for step in steps:
        transition_signal(actor=actor, scope=scope, signal_id=zhejiang_signal.pk, action=step, **arguments[step])
    before = written()
    # when
    with pytest.raises(DomainError) as refused:
        transition_signal(actor=actor, scope=scope, signal_id=zhejiang_signal.pk, action=action, **fields)
    # then
    assert (refused.value.status, refused.value.errors[0].field, refused.value.errors[0].code) == (
        409,
        "status",
        "invalid_transition",
    )
    assert written() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"causality_assessment": " ", "proposed_action": "none"}, "causality_assessment"),
        ({"causality_assessment": "probable", "proposed_action": "ban"}, "proposed_action"),
    ],
)
def test_an_incomplete_assessment_is_400_and_writes_nothing(
    zhejiang_signal: Signal, provincial_user: User, fields: dict[str, str], field: str
) -> None:
    actor, scope = actor_of(provincial_user)
    validate_signal(actor=actor, scope=scope, signal_id=zhejiang_signal.pk)
    before = written()
    with pytest.raises(DomainError) as refused:
        assess_signal(actor=actor, scope=scope, signal_id=zhejiang_signal.pk, **fields)
    assert (refused.value.status, refused.value.errors[0].field) == (400, field)
    assert written() == before


@pytest.mark.parametrize(
    ("username", "role", "division", "enterprise", "status"),
    [
        ("hz", Role.CITY_REGULATOR, "330100", "", 403),
        ("insp", Role.INSPECTOR, "330100", "", 403),
        ("ent", Role.MARKETING_AUTHORIZATION_HOLDER, None, "91330106MA0000001X", 403),
        ("js", Role.PROVINCIAL_REGULATOR, "320000", "", 404),
    ],
)
def test_only_national_and_the_signals_provincial_regulator_move_it(
    zhejiang_signal: Signal, username: str, role: Role, division: str | None, enterprise: str, status: int
) -> None:
    user = factories.make_user(username, role, division, enterprise)
    actor, scope = actor_of(user)
    before = written()
    with pytest.raises(DomainError) as refused:
        validate_signal(actor=actor, scope=scope, signal_id=zhejiang_signal.pk)
    assert refused.value.status == status
    assert written() == before
    assert Signal.objects.get().status == "detected"


# --- scoping --------------------------------------------------------------------------------------


def test_the_queue_is_scoped_per_jurisdiction_and_family(
    zhejiang_signal: Signal, provincial_user: User, other_province_user: User, national_user: User, city_user: User
) -> None:
    # given a national signal beside the Zhejiang one
    run_now()
    national_signal = Signal.objects.get(jurisdiction_code="000000")
    holder = factories.make_enterprise("杭州甲药业有限公司")
    enterprise_user = factories.make_user("ent_a", Role.MARKETING_AUTHORIZATION_HOLDER, None, holder.uscc)

    def queue(user: User | None, **filters: str) -> list[int]:
        return list(signal_selectors.signal_queue(scope_for(user), **filters).values_list("pk", flat=True))

    # then
    assert queue(national_user) == [zhejiang_signal.pk, national_signal.pk]
    assert queue(national_user, family="drug", status="detected", jurisdiction_path="/000000/") == [national_signal.pk]
    assert queue(national_user, family="device") == []
    assert queue(provincial_user) == [zhejiang_signal.pk]
    assert queue(other_province_user) == []  # Jiangsu does not see a Zhejiang signal
    assert queue(city_user) == []  # signals are filed at provincial and national level
    assert queue(enterprise_user) == []  # enterprises see no signals before a regulatory decision
    assert queue(None) == []
    with pytest.raises(DomainError):
        signal_selectors.signal(scope_for(other_province_user), zhejiang_signal.pk)
