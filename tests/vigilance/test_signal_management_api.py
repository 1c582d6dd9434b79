"""Signal management over the API (queue, detail with history, transitions, runs) and the command."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from medreg.core.actor import Actor
from medreg.core.models import AuditRecord, User
from medreg.core.tokens import issue_token
from medreg.vigilance.models.signal import Signal, SignalRun
from tests.vigilance.test_signal_management import PLANTED_DRUG, PLANTED_REACTION, build_cases, run_now


def client_for(user: User) -> Client:
    _, token = issue_token(actor=Actor.system(), user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.mark.django_db
def test_a_regulator_starts_a_run_and_follows_it_to_the_signal(
    provincial_user: User, django_capture_on_commit_callbacks: object
) -> None:
    # given
    synthetic = build_cases("330106")
    client = client_for(provincial_user)
    # when the run is requested (the task runs once the request commits)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(
            "/api/vigilance/signals/runs", {"run_date": "2026-03-01"}, content_type="application/json"
        )
    # then
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    run = client.get(f"/api/vigilance/signals/runs/{response.json()['id']}").json()
    assert (run["status"], run["stage"], run["jurisdiction_code"]) == ("succeeded", "done", "330000")
    assert (run["report_count"], run["pair_count"], run["flagged_count"], run["new_signal_count"]) == (300, 221, 1, 1)
    listed = client.get("/api/vigilance/signals?family=drug&status=detected").json()
    assert [(s["product_key"], s["reaction_key"], s["jurisdiction_code"]) for s in listed] == [
        (PLANTED_DRUG, PLANTED_REACTION, "330000")
    ]
    detail = client.get(f"/api/vigilance/signals/{listed[0]['id']}").json()
    assert detail["case_ids"] == sorted([*synthetic.planted, synthetic.all[100], synthetic.all[200]])
    assert [(s["run_id"], s["run_date"], s["n"], s["eb05"]) for s in detail["statistics"]] == [
        (run["id"], "2026-03-01", 14, 5.93)
    ]


@pytest.mark.django_db
def test_transitions_over_the_api(provincial_user: User) -> None:
    # given
    build_cases("330106")
    run_now(province="330000")
    signal = Signal.objects.get()
    client = client_for(provincial_user)
    url = f"/api/vigilance/signals/{signal.pk}/transition"

    def post(body: dict[str, str]) -> tuple[int, dict]:  # type: ignore[type-arg]
        response = client.post(url, body, content_type="application/json")
        return response.status_code, response.json()

    # when / then
    assert post({"action": "validate", "note": "ok"})[0] == 200
    audited = AuditRecord.objects.count()
    status, body = post({"action": "close"})
    assert (status, body["errors"][0]["code"]) == (409, "invalid_transition")
    status, body = post({"action": "assess", "causality_assessment": "probable", "proposed_action": "recall"})
    assert (status, body["errors"][0]["field"]) == (400, "proposed_action")
    status, body = post({"action": "promote"})
    assert (status, body["errors"][0]["field"]) == (400, "action")
    assert AuditRecord.objects.count() == audited
    status, body = post({"action": "assess", "causality_assessment": "probable", "proposed_action": "dhpc_letter"})
    assert (status, body["status"], body["proposed_action"]) == (200, "assessed", "dhpc_letter")
    assert post({"action": "close", "note": "letter sent"})[1]["status"] == "closed"
    assert client.get("/api/vigilance/signals?status=closed").json()[0]["id"] == signal.pk


@pytest.mark.django_db
def test_a_national_caller_may_scope_a_run_to_a_province_but_not_to_a_city(national_user: User) -> None:
    client = client_for(national_user)
    good = client.post("/api/vigilance/signals/runs", {"province": "330000"}, content_type="application/json")
    bad = client.post("/api/vigilance/signals/runs", {"province": "330100"}, content_type="application/json")
    assert (good.status_code, good.json()["jurisdiction_code"]) == (202, "330000")
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (400, "province")
    assert SignalRun.objects.count() == 1


@pytest.mark.django_db
def test_the_signal_run_command_runs_synchronously_and_shows_progress() -> None:
    # given
    build_cases("330106")
    out = io.StringIO()
    # when
    call_command("signal_run", "--date", "2026-03-01", "--province", "330000", stdout=out)
    # then
    lines = out.getvalue().splitlines()
    run = SignalRun.objects.get()
    assert lines[0] == f"signal run {run.pk}: drug, jurisdiction 330000, thresholds of 2026-03-01"
    assert lines[1:] == [
        "  exporting cases",
        "  computing (report_count=300, row_count=587)",
        "  storing (pair_count=221)",
        "  succeeded: 221 pairs, 1 over threshold, 1 new",
        f"signal run {run.pk} done",
    ]
    assert Signal.objects.get().jurisdiction_code == "330000"
