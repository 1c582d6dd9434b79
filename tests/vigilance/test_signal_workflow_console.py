"""Signal workflow in the console: the step forms on the signal page (validate, refute, assess, close),
who sees them, refusals that write nothing, stale versions, the history; the queue; the thresholds."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.audit import record_change, snapshot, verify_chain
from medreg.core.models import AuditRecord, Jurisdiction, Role, User
from medreg.core.tokens import issue_token
from medreg.vigilance.models.signal import Signal, SignalRun, SignalThreshold
from tests import factories

APPROVAL = "国药准字H20260001"


def make_signal(
    code: str = "330000", product: str = "XUANFUZIN", status: str = "detected", family: str = "drug"
) -> Signal:
    """A signal as a run files it (with its `detected` audit record), without computing a run."""
    path = Jurisdiction.objects.get(code=code).path
    run = SignalRun.objects.create(
        product_family=family,
        jurisdiction_path=path,
        jurisdiction_code=code,
        run_date=dt.date(2026, 3, 1),
        status="succeeded",
        stage="done",
    )
    found = Signal.objects.create(
        product_key=product,
        reaction_key="10019211",
        reaction_label="头痛",
        product_family=family,
        jurisdiction_path=path,
        jurisdiction_code=code,
        approval_number=APPROVAL,
        status=status,
        detected_by=run,
    )
    record_change(
        actor=Actor.system(channel="task"),
        action="vigilance.signal.detected",
        object_type="vigilance.signal",
        object_id=found.pk,
        before=None,
        after=snapshot(found),
    )
    return found


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_step(client: Client, found: Signal, action: str, version: int | str, **fields: str) -> object:
    data = {f"{action}-version": version, **{f"{action}-{name}": value for name, value in fields.items()}}
    return client.post(f"/vigilance/signals/{found.pk}/steps/{action}/", data)


def written() -> dict[str, object]:
    signals = list(Signal.objects.order_by("pk").values_list("status", "version", "validation_note", "closing_note"))
    return {"audit": AuditRecord.objects.count(), "signals": signals}


def history(client: Client, found: Signal) -> list[tuple[str, str, str, str, list[tuple[str, str]]]]:
    page = client.get(f"/vigilance/signals/{found.pk}/")
    return [
        (row["step"].actor_username, str(row["label"]), str(row["before"]), str(row["after"]), row["changes"])
        for row in page.context["history"]
    ]


@pytest.mark.django_db
def test_validate_assess_close_through_the_console_each_audited(provincial_user: User, national_user: User) -> None:
    # given
    found = make_signal()
    zhejiang, national = client_for(provincial_user), client_for(national_user)
    # when
    validated = post_step(zhejiang, found, "validate", 1, note="14 cases, plausible mechanism")
    assessed = post_step(
        zhejiang,
        found,
        "assess",
        2,
        causality_assessment="Probable (WHO-UMC): positive dechallenge in 9 of 14.",
        proposed_action="label_change",
        rationale="Not in the label; serious in 3 cases.",
    )
    closed = post_step(national, found, "close", 3, note="Label change requested from the holder.")
    # then
    assert [r.status_code for r in (validated, assessed, closed)] == [302, 302, 302]
    assert validated["Location"] == f"/vigilance/signals/{found.pk}/?done=validate#history"
    assert closed["Location"] == f"/vigilance/signals/{found.pk}/?done=close#history"
    found.refresh_from_db()
    assert (found.status, found.version, found.proposed_action, found.action_rationale, found.closing_note) == (
        "closed",
        4,
        "label_change",
        "Not in the label; serious in 3 cases.",
        "Label change requested from the holder.",
    )
    assert history(national, found) == [
        ("system", "已检出", "", "已检出", []),
        ("zj_province", "确认", "已检出", "已确认", [("确认说明", "14 cases, plausible mechanism")]),
        (
            "zj_province",
            "评估",
            "已确认",
            "已评估",
            [
                ("因果关系评价", "Probable (WHO-UMC): positive dechallenge in 9 of 14."),
                ("拟采取措施", "修订说明书"),
                ("拟采取措施的理由", "Not in the label; serious in 3 cases."),
            ],
        ),
        ("national", "关闭", "已评估", "已关闭", [("结论", "Label change requested from the holder.")]),
    ]
    records = AuditRecord.objects.filter(object_type="vigilance.signal").order_by("position")
    assert [(r.action, r.channel, r.before and r.before["version"], r.after["version"]) for r in records] == [
        ("vigilance.signal.detected", "task", None, 1),
        ("vigilance.signal.validate", "console", 1, 2),
        ("vigilance.signal.assess", "console", 2, 3),
        ("vigilance.signal.close", "console", 3, 4),
    ]
    assert verify_chain().intact
    done = national.get(f"/vigilance/signals/{found.pk}/", {"done": "close"})
    assert '<p class="ok" role="status" data-testid="step-done">已完成：关闭。</p>' in done.text
    assert 'data-testid="step-' not in done.text.replace('data-testid="step-done"', "")  # closed: no next step


@pytest.mark.django_db
def test_refute_needs_the_reason_on_its_field_and_then_refutes(provincial_user: User) -> None:
    # given
    found = make_signal()
    client = client_for(provincial_user)
    before = written()
    # when
    empty = post_step(client, found, "refute", 1, note="  ")
    # then
    assert empty.status_code == 400
    assert written() == before
    assert 'data-testid="error-refute-note">此步骤必须填写此项。</span>' in empty.text
    assert '<textarea name="refute-note"' in empty.text
    # when
    refuted = post_step(client, found, "refute", 1, note="All 12 cases are one duplicated series.")
    # then
    assert refuted.status_code == 302
    found.refresh_from_db()
    assert (found.status, found.version, found.validation_note) == (
        "refuted",
        2,
        "All 12 cases are one duplicated series.",
    )


@pytest.mark.django_db
def test_a_detected_signal_can_be_closed_directly(national_user: User) -> None:
    found = make_signal()
    response = post_step(client_for(national_user), found, "close", 1, note="Handled in the 2025 label review.")
    assert response.status_code == 302
    found.refresh_from_db()
    assert (found.status, found.version, found.closing_note) == ("closed", 2, "Handled in the 2025 label review.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "forms"),
    [
        ("detected", ["validate", "refute", "close"]),
        ("validated", ["assess"]),
        ("assessed", ["close"]),
        ("refuted", []),
        ("closed", []),
    ],
)
def test_the_page_offers_the_steps_the_service_allows_from_each_status(
    provincial_user: User, status: str, forms: list[str]
) -> None:
    found = make_signal(status=status)
    page = client_for(provincial_user).get(f"/vigilance/signals/{found.pk}/")
    assert page.status_code == 200
    assert [action for action, _label, _form in page.context["steps"]] == forms
    for action in forms:
        assert f'<form method="post" action="/vigilance/signals/{found.pk}/steps/{action}/"' in page.text
        assert f'<input type="hidden" name="{action}-version" value="1"' in page.text


@pytest.mark.django_db
def test_a_regulator_who_sees_a_signal_but_may_not_move_it_gets_no_form_and_403(city_user: User) -> None:
    # given a signal filed at the city's level (runs never do this; the rule is the service's role rule)
    found = make_signal(code="330100")
    client = client_for(city_user)
    before = written()
    # when
    page = client.get(f"/vigilance/signals/{found.pk}/")
    refused = post_step(client, found, "validate", 1)
    # then
    assert page.status_code == 200
    assert page.context["steps"] == []
    assert 'action="/vigilance/signals/' not in page.text
    assert refused.status_code == 403
    assert written() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "role", "division", "enterprise", "status"),
    [
        ("hz", Role.CITY_REGULATOR, "330100", "", 404),
        ("js", Role.PROVINCIAL_REGULATOR, "320000", "", 404),
        ("insp", Role.INSPECTOR, "330000", "", 403),
        ("ent", Role.MARKETING_AUTHORIZATION_HOLDER, None, "91330106MA0000001X", 403),
    ],
)
def test_refused_callers_change_nothing(
    username: str, role: Role, division: str | None, enterprise: str, status: int
) -> None:
    # given
    found = make_signal()
    client = client_for(factories.make_user(username, role, division, enterprise))
    before = written()
    # when
    responses = [
        client.get(f"/vigilance/signals/{found.pk}/"),
        post_step(client, found, "validate", 1, note="x"),
        post_step(client, found, "refute", 1, note="x"),
        post_step(client, found, "close", 1, note="x"),
    ]
    # then
    assert [r.status_code for r in responses] == [status] * 4
    assert written() == before


@pytest.mark.django_db
def test_an_anonymous_post_is_sent_to_sign_in_and_writes_nothing() -> None:
    found = make_signal()
    before = written()
    response = post_step(Client(), found, "validate", 1)
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")
    assert written() == before


@pytest.mark.django_db
def test_a_stale_version_is_refused_and_keeps_what_the_user_wrote(provincial_user: User, national_user: User) -> None:
    # given both read version 1; the national regulator validates and assesses meanwhile
    found = make_signal()
    zhejiang, national = client_for(provincial_user), client_for(national_user)
    post_step(national, found, "validate", 1)
    post_step(national, found, "assess", 2, causality_assessment="Possible.", proposed_action="none")
    before = written()
    # when Zhejiang closes from its page of version 1 (closing is allowed from assessed: only the version tells)
    stale = post_step(zhejiang, found, "close", 1, note="Closed after the provincial review.")
    # then
    assert stale.status_code == 409
    assert written() == before
    assert Signal.objects.get().status == "assessed"
    errors = stale.text[stale.text.index('data-testid="step-errors"') :]
    stale_message = "在您阅读期间，其他人已对此信号采取了步骤（现为第 3 版）。请核对其状态和历史后再提交。"
    assert errors.startswith(f'data-testid="step-errors"><li>{stale_message}</li></ul>')
    assert '<input type="hidden" name="close-version" value="3"' in stale.text
    assert ">\nClosed after the provincial review.</textarea>" in stale.text
    # when submitted again on purpose
    again = post_step(zhejiang, found, "close", 3, note="Closed after the provincial review.")
    # then
    assert again.status_code == 302
    assert Signal.objects.values_list("status", "version").get() == ("closed", 4)


@pytest.mark.django_db
def test_a_step_the_status_does_not_allow_is_409_and_writes_nothing(provincial_user: User) -> None:
    found = make_signal()
    before = written()
    response = post_step(
        client_for(provincial_user), found, "assess", 1, causality_assessment="Probable.", proposed_action="none"
    )
    assert response.status_code == 409
    assert written() == before
    assert '<ul class="error" role="alert" data-testid="step-errors"><li>当前状态下不能执行此步骤。</li></ul>' in (
        response.text
    )
    assert [action for action, _label, _form in response.context["steps"]] == ["validate", "refute", "close"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "fields", "field", "status"),
    [
        ("validate", {"version": ""}, "version", 400),
        ("validate", {"version": "abc"}, "version", 400),
        ("validate", {"version": "0"}, "version", 400),
        (
            "assess",
            {"version": "1", "causality_assessment": "", "proposed_action": "none"},
            "causality_assessment",
            400,
        ),
        (
            "assess",
            {"version": "1", "causality_assessment": "Probable.", "proposed_action": "ban"},
            "proposed_action",
            400,
        ),
        (
            "assess",
            {"version": "1", "causality_assessment": "Probable.", "proposed_action": ""},
            "proposed_action",
            400,
        ),
        ("validate", {"version": "1", "note": "x" * 5001}, "note", 400),
    ],
)
def test_bad_input_is_an_error_on_its_field(
    provincial_user: User, action: str, fields: dict[str, str], field: str, status: int
) -> None:
    # given a validated signal for the assessment cases, a detected one otherwise
    found = make_signal(status="validated" if action == "assess" else "detected")
    before = written()
    data = {f"{action}-{name}": value for name, value in fields.items()}
    # when
    response = client_for(provincial_user).post(f"/vigilance/signals/{found.pk}/steps/{action}/", data)
    # then
    assert response.status_code == status
    assert written() == before
    form = {a: f for a, _label, f in response.context["steps"]}[action]
    assert list(form.errors) == [field]


@pytest.mark.django_db
def test_unknown_steps_and_get_are_refused(provincial_user: User) -> None:
    found = make_signal()
    client = client_for(provincial_user)
    before = written()
    assert post_step(client, found, "approve", 1).status_code == 404
    assert client.get(f"/vigilance/signals/{found.pk}/steps/validate/").status_code == 405
    assert written() == before


@pytest.mark.django_db
def test_the_api_takes_the_version_too(provincial_user: User) -> None:
    # given
    found = make_signal()
    _, token = issue_token(actor=Actor.system(), user=provincial_user, name="test")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    url = f"/api/vigilance/signals/{found.pk}/transition"
    # when
    stale = client.post(url, json.dumps({"action": "validate", "version": 2}), content_type="application/json")
    done = client.post(url, json.dumps({"action": "validate", "version": 1}), content_type="application/json")
    # then
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["code"] == "stale_version"
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["version"]) == ("validated", 2)


# --- the queue ------------------------------------------------------------------------------------


@pytest.fixture
def queue_signals(db: None) -> dict[str, Signal]:
    signals = {
        "zj_drug": make_signal("330000", "XUANFUZIN"),
        "zj_drug_validated": make_signal("330000", "ALPHAZIN", status="validated"),
        "zj_device": make_signal("330000", "STENT A", family="device"),
        "zj_closed": make_signal("330000", "BETAZIN", status="closed"),
        "national": make_signal("000000", "XUANFUZIN"),
        "jiangsu": make_signal("320000", "GAMMAZIN", status="assessed"),
    }
    return signals


def queue(client: Client, **filters: str) -> list[tuple[str, str, str, str]]:
    page = client.get("/vigilance/signals/queue/", filters)
    assert page.status_code == 200
    return [(s.product_family, s.jurisdiction_code, s.product_key, s.status) for s in page.context["page"]]


@pytest.mark.django_db
def test_the_queue_lists_open_signals_per_family_and_jurisdiction(
    queue_signals: dict[str, Signal], national_user: User, provincial_user: User, other_province_user: User
) -> None:
    national, zhejiang = client_for(national_user), client_for(provincial_user)
    assert queue(national) == [
        ("device", "330000", "STENT A", "detected"),
        ("drug", "000000", "XUANFUZIN", "detected"),
        ("drug", "320000", "GAMMAZIN", "assessed"),
        ("drug", "330000", "XUANFUZIN", "detected"),
        ("drug", "330000", "ALPHAZIN", "validated"),
    ]
    assert queue(zhejiang) == [
        ("device", "330000", "STENT A", "detected"),
        ("drug", "330000", "XUANFUZIN", "detected"),
        ("drug", "330000", "ALPHAZIN", "validated"),
    ]
    assert queue(client_for(other_province_user)) == [("drug", "320000", "GAMMAZIN", "assessed")]
    assert queue(national, family="drug", jurisdiction="330000") == [
        ("drug", "330000", "XUANFUZIN", "detected"),
        ("drug", "330000", "ALPHAZIN", "validated"),
    ]
    assert queue(zhejiang, status="closed") == [("drug", "330000", "BETAZIN", "closed")]
    assert queue(zhejiang, jurisdiction="320000") == []
    counts = client_for(national_user).get("/vigilance/signals/queue/", {"jurisdiction": "330000"}).context["counts"]
    assert [(c["family_label"], c["jurisdiction_code"], c["status_label"], c["count"]) for c in counts] == [
        ("医疗器械", "330000", "已检出", 1),
        ("药品", "330000", "已检出", 1),
        ("药品", "330000", "已确认", 1),
    ]
    table = zhejiang.get("/vigilance/signals/")
    link = '<a class="button" href="/vigilance/signals/queue/" data-testid="nav-signal-queue">信号工作队列</a>'
    assert link in table.text
    page = zhejiang.get("/vigilance/signals/queue/")
    assert f'<a href="/vigilance/signals/{queue_signals["zj_drug"].pk}/" data-testid="queue-signal">XUANFUZIN</a>' in (
        page.text
    )


@pytest.mark.django_db
def test_the_queue_refuses_bad_filters_and_other_roles(queue_signals: dict[str, Signal], provincial_user: User) -> None:
    client = client_for(provincial_user)
    bad = client.get("/vigilance/signals/queue/", {"jurisdiction": "33", "status": "open", "family": "food"})
    assert bad.status_code == 400
    assert list(bad.context["form"].errors) == ["family", "jurisdiction", "status"]
    assert bad.context["page"] is None
    holder = factories.make_user("ent", Role.MARKETING_AUTHORIZATION_HOLDER, None, "91330106MA0000001X")
    assert client_for(holder).get("/vigilance/signals/queue/").status_code == 403


@pytest.mark.django_db
def test_the_queue_has_a_fixed_number_of_queries(queue_signals: dict[str, Signal], national_user: User) -> None:
    client = client_for(national_user)
    client.get("/vigilance/signals/queue/")  # session and language warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/vigilance/signals/queue/").status_code == 200
    assert len(queries) == 5


# --- thresholds -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_thresholds_page_lists_every_dated_row_with_its_state(provincial_user: User) -> None:
    # given the seeded rules (EB05 >= 2 and N >= 3 from 2026-01-01), a newer N rule and a scheduled one
    today = timezone.localdate()
    SignalThreshold.objects.create(
        measure="N", minimum=5, valid_from=today - dt.timedelta(days=1), reference="Decree A"
    )
    SignalThreshold.objects.create(measure="EB05", minimum=2.5, valid_from=today + dt.timedelta(days=30), reference="B")
    SignalThreshold.objects.create(measure="PRR", minimum=None, valid_from=dt.date(2026, 1, 1), reference="retired")
    # when
    page = client_for(provincial_user).get("/vigilance/signals/thresholds/")
    # then
    assert page.status_code == 200
    assert [(row.measure, row.minimum, row.valid_from, state) for row, state, _label in page.context["rows"]] == [
        ("EB05", 2.0, dt.date(2026, 1, 1), "in_force"),
        ("EB05", 2.5, today + dt.timedelta(days=30), "scheduled"),
        ("N", 3.0, dt.date(2026, 1, 1), "superseded"),
        ("N", 5.0, today - dt.timedelta(days=1), "in_force"),
        ("PRR", None, dt.date(2026, 1, 1), "retired"),
    ]
    assert 'data-state="in_force">' in page.text
    assert "<strong>现行</strong>" in page.text
    assert "<form" not in page.text.split("<main>")[1]  # read-only


@pytest.mark.django_db
def test_the_thresholds_page_is_for_regulators() -> None:
    holder = factories.make_user("ent", Role.MARKETING_AUTHORIZATION_HOLDER, None, "91330106MA0000001X")
    inspector = factories.make_user("insp", Role.INSPECTOR, "330000")
    assert client_for(holder).get("/vigilance/signals/thresholds/").status_code == 403
    assert client_for(inspector).get("/vigilance/signals/thresholds/").status_code == 403
    assert Client().get("/vigilance/signals/thresholds/").status_code == 302
