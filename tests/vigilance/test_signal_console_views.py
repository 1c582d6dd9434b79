"""Signal console pages: the statistics table (filters, CSV, scoping), a signal's page and the product
page with the plot, starting a run from the console and following its progress."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from medreg.core.actor import Actor
from medreg.core.models import Role, User
from medreg.core.scoping import SYSTEM_SCOPE
from medreg.vigilance.models.signal import Signal, SignalRun, SignalStatistic
from medreg.vigilance.services.signals import request_signal_run
from medreg.vigilance.signal_runs import execute_run
from medreg.vigilance.signal_tables import CSV_HEADER
from tests import factories
from tests.vigilance.test_signal_console import quarterly_series
from tests.vigilance.test_signal_management import PLANTED_DRUG, PLANTED_REACTION, build_cases

APPROVAL = "国药准字H20260001"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_table_shows_the_latest_run_filtered(provincial_user: User) -> None:
    # given
    runs = quarterly_series()
    signal = Signal.objects.get()
    client = client_for(provincial_user)
    # when
    page = client.get("/vigilance/signals/", {"flagged": "1", "sort": "-n"})
    everything = client.get("/vigilance/signals/")
    earlier = client.get("/vigilance/signals/", {"run": runs[0].pk, "min_n": "5"})
    # then
    assert page.status_code == 200
    assert [(r.product_key, r.reaction_key, r.n) for r in page.context["page"]] == [
        (PLANTED_DRUG, PLANTED_REACTION, 14)
    ]
    assert page.context["run"] == runs[2]
    assert f'href="/vigilance/signals/{signal.pk}/" data-testid="signal-link">已检出</a>' in page.text
    assert 'aria-sort="descending"><a href="?flagged=1&amp;sort=n" data-sort="n">' in page.text
    assert (everything.context["page"].paginator.count, everything.context["page"].paginator.num_pages) == (221, 5)
    assert earlier.context["run"] == runs[0]
    assert [(r.reaction_key, r.n) for r in earlier.context["page"]] == [(PLANTED_REACTION, 5), ("10000011", 5)]


@pytest.mark.django_db
def test_the_table_refuses_bad_filters_by_field(provincial_user: User) -> None:
    quarterly_series()
    response = client_for(provincial_user).get("/vigilance/signals/", {"min_eb05": "abc", "min_n": "-1"})
    assert response.status_code == 400
    errors = response.text[response.text.index('data-testid="filter-errors"') :]
    assert "EB05 不低于" in errors
    assert "N 不低于" in errors
    assert response.context["page"] is None


@pytest.mark.django_db
def test_the_csv_export_follows_the_filters(provincial_user: User) -> None:
    # given
    runs = quarterly_series()
    # when
    response = client_for(provincial_user).get("/vigilance/signals/", {"format": "csv", "min_n": "7"})
    # then
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="signal-statistics-run-{runs[2].pk}.csv"'
    lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    assert lines[0] == "\ufeff" + ",".join(CSV_HEADER)
    assert lines[1].startswith(f"{runs[2].pk},2025-10-27,XUANFUZIN,10019211,,1,14,1.99333")
    assert lines[1].endswith(",6.94,5.93,8.08,detected")
    assert len(lines) == 1 + SignalStatistic.objects.filter(run=runs[2], n__gte=7).count()


@pytest.mark.django_db
def test_signal_pages_are_scoped(
    provincial_user: User, other_province_user: User, city_user: User, national_user: User
) -> None:
    # given
    runs = quarterly_series()
    holder = factories.make_enterprise("杭州西湖制药有限公司", "330106", ("marketing_authorization_holder",))
    enterprise = factories.make_user("holder", Role.MARKETING_AUTHORIZATION_HOLDER, enterprise_code=holder.uscc)
    signal = Signal.objects.get()
    # then
    assert Client().get("/vigilance/signals/").status_code == 302
    assert client_for(enterprise).get("/vigilance/signals/").status_code == 403
    assert client_for(enterprise).get(f"/vigilance/signals/{signal.pk}/").status_code == 403
    other = client_for(other_province_user)
    assert other.get("/vigilance/signals/", {"run": runs[2].pk}).status_code == 404
    assert 'data-testid="no-runs"' in other.get("/vigilance/signals/").text
    assert other.get(f"/vigilance/signals/{signal.pk}/").status_code == 404
    assert other.get(f"/vigilance/signals/runs/{runs[2].pk}/").status_code == 404
    assert other.get(f"/vigilance/signals/runs/{runs[2].pk}/progress/").status_code == 404
    assert 'data-testid="no-runs"' in client_for(city_user).get("/vigilance/signals/").text
    assert client_for(national_user).get("/vigilance/signals/").context["run"] == runs[2]


@pytest.mark.django_db
def test_the_signal_page_and_the_product_page_draw_the_series(provincial_user: User) -> None:
    # given
    quarterly_series()
    SignalStatistic.objects.filter(product_key=PLANTED_DRUG).update(approval_number=APPROVAL)
    signal = Signal.objects.get()
    client = client_for(provincial_user)
    # when
    signal_page = client.get(f"/vigilance/signals/{signal.pk}/")
    product_page = client.get(f"/vigilance/products/{APPROVAL}/")
    # then: the planted reaction's EB05 1.28, 1.27, 5.93 on a 0-10 axis (EB95 8.08), threshold 2 at y 214.4;
    # x over the 210 days from 2025-03-31 to 2025-10-27
    for page in (signal_page, product_page):
        assert page.status_code == 200
        assert 'points="56.0,232.3 270.1,232.5 550.0,116.9" data-testid="plot-eb05"' in page.text
        assert '<line class="threshold" x1="56" y1="214.4" x2="550" y2="214.4"' in page.text
        assert page.text.count('data-testid="plot-eb05"') == 6
    assert signal_page.context["plot"]["series"][0].reaction_key == PLANTED_REACTION
    assert 'data-testid="plot-data"' in signal_page.text
    assert product_page.text.count('data-testid="plot-figure"') == 1


@pytest.mark.django_db
def test_the_table_page_has_a_fixed_number_of_queries(provincial_user: User) -> None:
    quarterly_series()
    client = client_for(provincial_user)
    client.get("/vigilance/signals/")  # session and language warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/vigilance/signals/", {"min_n": "1"}).status_code == 200
    assert len(queries) == 7


@pytest.mark.django_db
def test_a_run_started_from_the_console_is_enqueued_and_followed(
    provincial_user: User, django_capture_on_commit_callbacks: object
) -> None:
    # given
    build_cases("330106")
    client = client_for(provincial_user)
    # when
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post("/vigilance/signals/runs/", {"product_family": "drug", "data_cutoff": ""})
    # then the test settings' immediate backend ran it when the request committed
    run = SignalRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/vigilance/signals/runs/{run.pk}/"
    assert (run.status, run.jurisdiction_code, run.data_cutoff, run.requested_by) == (
        "succeeded",
        "330000",
        None,
        provincial_user,
    )
    progress = client.get(f"/vigilance/signals/runs/{run.pk}/progress/").json()
    assert progress == {
        "id": run.pk,
        "status": "succeeded",
        "status_label": "成功",
        "stage": "done",
        "stage_label": "完成",
        "percent": 100,
        "finished": True,
        "report_count": 300,
        "row_count": 587,
        "pair_count": 221,
        "flagged_count": 1,
        "new_signal_count": 1,
        "error": "",
    }
    page = client.get(f"/vigilance/signals/runs/{run.pk}/")
    assert 'value="100" data-testid="run-bar"' in page.text
    assert "run-progress.js" not in page.text  # nothing to follow any more


@pytest.mark.django_db
def test_a_queued_run_page_polls_its_progress(provincial_user: User) -> None:
    # given a run waiting for a worker
    run = request_signal_run(actor=Actor.system(), scope=SYSTEM_SCOPE, province="330000", enqueue=False)
    client = client_for(provincial_user)
    # when
    page = client.get(f"/vigilance/signals/runs/{run.pk}/")
    progress = client.get(f"/vigilance/signals/runs/{run.pk}/progress/").json()
    # then
    assert '<script src="/static/vigilance/run-progress.js" defer></script>' in page.text
    assert f'data-progress-url="/vigilance/signals/runs/{run.pk}/progress/" data-running' in page.text
    assert (progress["status"], progress["stage"], progress["percent"], progress["finished"]) == (
        "queued",
        "",
        0,
        False,
    )
    # and once it has run
    execute_run(run.pk)
    progress = client.get(f"/vigilance/signals/runs/{run.pk}/progress/").json()
    assert (progress["status"], progress["percent"], progress["finished"], progress["pair_count"]) == (
        "succeeded",
        100,
        True,
        0,
    )


@pytest.mark.django_db
def test_a_run_request_is_refused_by_field_and_writes_nothing(provincial_user: User, city_user: User) -> None:
    client = client_for(provincial_user)
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()  # past any time zone's today
    response = client.post("/vigilance/signals/runs/", {"product_family": "drug", "data_cutoff": future})
    assert response.status_code == 400
    assert f"The data cut-off {future} is in the future." in response.text
    bad = client.post("/vigilance/signals/runs/", {"product_family": "vaccine", "data_cutoff": "2025-02-30"})
    assert bad.status_code == 400
    assert bad.context["form"].errors.keys() == {"product_family", "data_cutoff"}
    assert client_for(city_user).post("/vigilance/signals/runs/", {"product_family": "drug"}).status_code == 403
    assert SignalRun.objects.count() == 0
