"""Import jobs (decision 0207): large console uploads are stored, then processed by a task that
counts its progress; the job page, its JSON progress and its result; scoping to the sender."""

import dataclasses
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from medreg.core.actor import Actor
from medreg.core.models import AuditRecord, Role, User
from medreg.core.scoping import scope_for
from medreg.vigilance import views_imports
from medreg.vigilance.models import Case, CaseDevice, ImportJob, ImportKind, ImportStatus
from medreg.vigilance.services import forms as form_services
from medreg.vigilance.services import import_batch
from medreg.vigilance.services import imports as import_services
from medreg.vigilance.services.forms import import_report_table
from medreg.vigilance.views_imports import job_progress
from tests import factories
from tests.vigilance.factories import e2b_xml, make_report
from tests.vigilance.test_variants import DEVICE, device_csv

HEADER = "patient_initials,reaction,onset_date,outcome,suspect_drug,reporter_name,reporter_qualification"
BAD_DATE = "LM,恶心,2099-03-02,1,布洛芬片,赵药师,2"
STORED_MODELS = ("vigilance.Case", "vigilance.CaseVersion", "vigilance.IntakeTransmission", "vigilance.CaseDrug")


def csv_rows(count: int, *, bad: dict[int, str] | None = None) -> bytes:
    """A drug CSV file of `count` valid rows; `bad` replaces data row n (1-based) by a given line."""
    rows = [f"P{n},皮疹,2026-03-01,1,阿莫西林胶囊,王医生,1" for n in range(1, count + 1)]
    for number, line in (bad or {}).items():
        rows[number - 1] = line
    return "\n".join([HEADER, *rows]).encode()


def stored() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in STORED_MODELS}


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@contextmanager
def running_tasks(capture: Any) -> Iterator[None]:
    """Run the tasks enqueued on commit (the test settings' backend runs them immediately)."""
    with capture(execute=True):
        yield


@pytest.fixture
def hospital(db: None) -> User:
    hospital = factories.make_enterprise("杭州市西湖医院", "330106", ("medical_institution",))
    return factories.make_user("hospital", Role.MEDICAL_INSTITUTION, None, hospital.uscc)


@pytest.fixture
def other_hospital(db: None) -> User:
    hospital = factories.make_enterprise("杭州市西湖第二医院", "330106", ("medical_institution",))
    return factories.make_user("hospital_2", Role.MEDICAL_INSTITUTION, None, hospital.uscc)


@pytest.fixture
def holder(db: None) -> User:
    holder = factories.make_enterprise("杭州甲药业有限公司", "330106", ("marketing_authorization_holder",))
    return factories.make_user("holder", Role.MARKETING_AUTHORIZATION_HOLDER, None, holder.uscc)


def upload(client: Client, url: str, data: bytes, name: str = "reports.csv") -> Any:
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


# -- CSV: large files go to a job ---------------------------------------------------------------


@pytest.mark.django_db
def test_large_csv_upload_is_stored_as_a_job_then_processed_with_exact_counts(
    hospital: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(hospital)
    # when a file of 201 rows is uploaded (the task is held back until we run it)
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(client, "/vigilance/upload/", csv_rows(201))
    # then the upload is answered with the job's page and the job is queued, file stored
    job = ImportJob.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/vigilance/imports/{job.pk}/")
    assert (job.kind, job.product_family, job.status, job.submitted_by, job.filename) == (
        ImportKind.CSV,
        "drug",
        ImportStatus.QUEUED,
        hospital,
        "reports.csv",
    )
    assert job.jurisdiction_path.endswith("/330106/")
    assert job.sender_enterprise_code == hospital.enterprise_code
    assert Case.objects.count() == 0
    assert len(callbacks) == 1
    queued = client.get(f"/vigilance/imports/{job.pk}/progress/").json()
    assert queued == {
        "id": job.pk,
        "status": "queued",
        "status_label": "排队中",
        "stage": "",
        "stage_label": "等待后台任务执行",
        "percent": 0,
        "finished": False,
        "done_count": 0,
        "total_count": 0,
        "stored_count": 0,
        "error_count": 0,
    }
    page = client.get(f"/vigilance/imports/{job.pk}/").content.decode()
    assert "vigilance/run-progress.js" in page
    assert f'data-progress-url="/vigilance/imports/{job.pk}/progress/" data-running' in page
    # when the worker runs the task
    callbacks[0]()
    # then every row is stored and the counts are exact
    job.refresh_from_db()
    assert (job.status, job.stage, job.done_count, job.total_count, job.stored_count, job.errors) == (
        ImportStatus.DONE,
        "done",
        201,
        201,
        201,
        [],
    )
    assert Case.objects.filter(sender_enterprise_code=hospital.enterprise_code).count() == 201
    done = client.get(f"/vigilance/imports/{job.pk}/progress/").json()
    assert (done["status_label"], done["stage_label"], done["percent"], done["finished"]) == ("完成", "完成", 100, True)
    page = client.get(f"/vigilance/imports/{job.pk}/").content.decode()
    assert "vigilance/run-progress.js" not in page
    assert 'data-testid="job-stored">201<' in page
    assert AuditRecord.objects.filter(action="vigilance.import_job.submitted", object_id=str(job.pk)).count() == 1


@pytest.mark.django_db
def test_small_csv_upload_still_answers_inline(hospital: User) -> None:
    response = upload(client_for(hospital), "/vigilance/upload/", csv_rows(200))
    assert response.status_code == 200
    assert ImportJob.objects.count() == 0
    assert Case.objects.count() == 200


@pytest.mark.django_db
def test_hostile_csv_job_fails_with_the_errors_by_row_and_stores_nothing(
    hospital: User, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = stored()
    monkeypatch.setattr(views_imports, "ERRORS_SHOWN", 1)
    # when a large file has two bad rows (data rows 150 and 200 = spreadsheet rows 151 and 201)
    with running_tasks(django_capture_on_commit_callbacks):
        response = upload(client_for(hospital), "/vigilance/upload/", csv_rows(250, bad={150: BAD_DATE, 200: BAD_DATE}))
    # then the job failed, naming rows and field, and nothing was stored
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (job.status, job.stage, job.done_count, job.total_count, job.stored_count, job.error_count) == (
        ImportStatus.FAILED,
        "failed",
        250,
        250,
        0,
        2,
    )
    assert [(e["row"], e["field"], e["code"]) for e in job.errors] == [
        (151, "onset_date", "invalid"),
        (201, "onset_date", "invalid"),
    ]
    assert stored() == before
    page = client_for(hospital).get(f"/vigilance/imports/{job.pk}/").content.decode()
    assert page.count("<td><code>onset_date</code></td>") == 1
    assert "仅显示前 1 条错误（共 2 条）。" in page
    assert "未存储任何报告" in page


@pytest.mark.django_db
def test_large_file_with_a_bad_header_fails_the_job(hospital: User, django_capture_on_commit_callbacks: Any) -> None:
    before = stored()
    data = csv_rows(250).replace(b"reporter_name", b"reporter", 1)
    with running_tasks(django_capture_on_commit_callbacks):
        upload(client_for(hospital), "/vigilance/upload/", data)
    job = ImportJob.objects.get()
    assert (job.status, [(e["field"], e["code"]) for e in job.errors]) == (
        ImportStatus.FAILED,
        [("file", "bad_header")],
    )
    assert job.errors[0]["message"] == "Missing columns: reporter_name; unknown columns: reporter."
    assert stored() == before


@pytest.mark.django_db
def test_csv_import_reports_progress_per_chunk_of_rows(hospital: User, monkeypatch: pytest.MonkeyPatch) -> None:
    actor, scope = Actor(user=hospital, channel="test"), scope_for(hospital)
    seen: list[tuple[str, int, int]] = []
    # when 250 rows are checked (the last one bad: nothing is stored)
    result = import_report_table(
        actor=actor,
        scope=scope,
        data=csv_rows(250, bad={250: BAD_DATE}),
        filename="r.csv",
        progress=lambda *step: seen.append(step),
    )
    # then progress came every 100 rows and at the end, and storing never began
    assert seen == [("validating", 100, 250), ("validating", 200, 250), ("validating", 250, 250)]
    assert [(e.row, e.field) for e in result.errors] == [(251, "onset_date")]
    # when 5 valid rows are imported, with progress every 2 rows
    monkeypatch.setattr(form_services, "PROGRESS_ROWS", 2)
    seen.clear()
    result = import_report_table(
        actor=actor, scope=scope, data=csv_rows(5), filename="r.csv", progress=lambda *step: seen.append(step)
    )
    # then the rows are checked, then stored, two at a time
    assert seen == [
        ("validating", 2, 5),
        ("validating", 4, 5),
        ("validating", 5, 5),
        ("storing", 0, 5),
        ("storing", 2, 5),
        ("storing", 4, 5),
        ("storing", 5, 5),
    ]
    assert len(result.stored) == 5


@pytest.mark.django_db
def test_large_device_csv_goes_to_a_job_of_its_family(
    hospital: User, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_services, "INLINE_MAX_ROWS", 1)
    data = device_csv(DEVICE, DEVICE)
    with running_tasks(django_capture_on_commit_callbacks):
        response = upload(client_for(hospital), "/vigilance/variants/upload/device/", data)
    job = ImportJob.objects.get()
    assert response["Location"] == f"/vigilance/imports/{job.pk}/"
    assert (job.kind, job.product_family, job.status, job.stored_count, job.done_count, job.total_count) == (
        ImportKind.VARIANT_CSV,
        "device",
        ImportStatus.DONE,
        2,
        2,
        2,
    )
    assert CaseDevice.objects.count() == 2


@pytest.mark.django_db
def test_a_file_over_one_megabyte_goes_to_a_job(hospital: User, django_capture_on_commit_callbacks: Any) -> None:
    # given 3 rows padded past 1 MB by a long narrative column
    narrative = "x" * 3500
    rows = [f"P{n},皮疹,2026-03-01,1,阿莫西林胶囊,王医生,1,{narrative}" for n in range(300)]
    data = "\n".join([f"{HEADER},narrative", *rows]).encode()
    assert len(data) > 1_000_000
    with running_tasks(django_capture_on_commit_callbacks):
        response = upload(client_for(hospital), "/vigilance/upload/", data)
    job = ImportJob.objects.get()
    assert (response.status_code, job.status, job.stored_count) == (302, ImportStatus.DONE, 300)


# -- E2B(R3) batches ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_e2b_batch_job_stores_each_report_and_offers_the_acknowledgement(
    holder: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(holder)
    xml = e2b_xml(make_report("CN-JOB-1"), make_report("CN-JOB-2"), make_report("CN-JOB-3"))
    # when
    with running_tasks(django_capture_on_commit_callbacks):
        response = upload(client, "/vigilance/imports/", xml, "batch.xml")
    # then
    job = ImportJob.objects.get()
    assert response["Location"] == f"/vigilance/imports/{job.pk}/"
    assert (job.kind, job.status, job.stage, job.done_count, job.total_count, job.stored_count) == (
        ImportKind.E2B,
        ImportStatus.DONE,
        "done",
        3,
        3,
        3,
    )
    assert (job.acknowledgement_code, job.errors) == ("AA", [])
    assert sorted(Case.objects.values_list("worldwide_case_id", flat=True)) == ["CN-JOB-1", "CN-JOB-2", "CN-JOB-3"]
    ack = client.get(f"/vigilance/imports/{job.pk}/acknowledgement/")
    assert ack.status_code == 200
    assert ack["Content-Disposition"] == f'attachment; filename="ack-import-{job.pk}.xml"'
    assert ack.content == bytes(job.acknowledgement)
    assert b'<acknowledgement typeCode="AA">' in ack.content
    listing = client.get("/vigilance/imports/").content.decode()
    assert f'<tr data-job="{job.pk}">' in listing


@pytest.mark.django_db
def test_e2b_progress_is_counted_per_report(holder: User) -> None:
    seen: list[tuple[int, int]] = []
    xml = e2b_xml(make_report("CN-P-1"), make_report("CN-P-2"), make_report("CN-P-3"))
    result = import_batch(
        actor=Actor(user=holder, channel="test"),
        scope=scope_for(holder),
        xml_bytes=xml,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert (result.code, seen) == ("AA", [(1, 3), (2, 3), (3, 3)])


@pytest.mark.django_db
def test_e2b_job_with_a_refused_report_is_done_with_its_error(
    holder: User, django_capture_on_commit_callbacks: Any
) -> None:
    bad = make_report("CN-JOB-BAD")
    future = dataclasses.replace(bad.reactions[0], start=dataclasses.replace(bad.reactions[0].start, value="20991231"))
    xml = e2b_xml(make_report("CN-JOB-OK"), dataclasses.replace(bad, reactions=(future, *bad.reactions[1:])))
    with running_tasks(django_capture_on_commit_callbacks):
        upload(client_for(holder), "/vigilance/imports/", xml, "batch.xml")
    job = ImportJob.objects.get()
    assert (job.status, job.acknowledgement_code, job.stored_count, job.done_count, job.total_count) == (
        ImportStatus.DONE,
        "AE",
        1,
        2,
        2,
    )
    assert [(e["row"], e["field"], e["message"]) for e in job.errors] == [
        (2, "E.i.4", "E.i.4 date 20991231 is in the future; correct it.")
    ]
    assert list(Case.objects.values_list("worldwide_case_id", flat=True)) == ["CN-JOB-OK"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (
            b"not xml at all",
            "not well-formed XML: Start tag expected, '<' not found, line 1, column 1 (<string>, line 1)",
        ),
        (
            b"<?xml version='1.0'?><MCCI_IN200100UV01/>",
            "root element is 'MCCI_IN200100UV01'; an E2B(R3) batch starts with <MCCI_IN200100UV01> in urn:hl7-org:v3",
        ),
        (b"<!DOCTYPE x [", "DTDs and entity declarations are not allowed in E2B(R3) messages"),
    ],
)
def test_hostile_e2b_file_fails_the_job_with_an_ar_and_stores_nothing(
    holder: User, django_capture_on_commit_callbacks: Any, xml: bytes, message: str
) -> None:
    before = stored()
    with running_tasks(django_capture_on_commit_callbacks):
        response = upload(client_for(holder), "/vigilance/imports/", xml, "batch.xml")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (job.status, job.stage, job.acknowledgement_code, job.stored_count) == (
        ImportStatus.FAILED,
        "failed",
        "AR",
        0,
    )
    assert job.errors == [
        {"field": "batch", "code": "refused", "message": message, "fix": "Correct the batch and send it again."}
    ]
    assert b'<acknowledgement typeCode="AR">' in bytes(job.acknowledgement)
    assert stored() == before


@pytest.mark.django_db
def test_empty_upload_and_wrong_senders_are_refused_without_a_job(
    holder: User, django_capture_on_commit_callbacks: Any
) -> None:
    # an empty file: the form names the field
    response = upload(client_for(holder), "/vigilance/imports/", b"", "batch.xml")
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["file"]
    assert ImportJob.objects.count() == 0
    # an inspector sends no E2B batches; the page offers no form either
    inspector = factories.make_user("inspector", Role.INSPECTOR, "330100")
    page = client_for(inspector).get("/vigilance/imports/")
    assert 'data-testid="e2b-form"' not in page.content.decode()
    refused = upload(client_for(inspector), "/vigilance/imports/", e2b_xml(make_report("CN-X")), "batch.xml")
    assert refused.status_code == 403
    assert ImportJob.objects.count() == 0


# -- lifecycle and scoping ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_job_delivered_twice_runs_once_and_a_deactivated_sender_imports_nothing(
    hospital: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks():
        job = import_services.submit_import(
            actor=Actor(user=hospital, channel="console"),
            scope=scope_for(hospital),
            kind="csv",
            data=csv_rows(2),
            filename="r.csv",
        )
    hospital.is_active = False
    hospital.save()
    first = import_services.execute_import(job.pk)
    assert (first.status, [e["code"] for e in first.errors], Case.objects.count()) == (
        ImportStatus.FAILED,
        ["forbidden"],
        0,
    )
    again = import_services.execute_import(job.pk)
    assert (again.status, again.finished_at) == (ImportStatus.FAILED, first.finished_at)


@pytest.mark.django_db
def test_a_file_that_cannot_be_decrypted_fails_the_job_without_a_500(
    hospital: User, django_capture_on_commit_callbacks: Any
) -> None:
    # given a job whose stored file no longer decrypts (e.g. the key was rotated without re-encrypting)
    with django_capture_on_commit_callbacks():
        job = import_services.submit_import(
            actor=Actor(user=hospital, channel="console"),
            scope=scope_for(hospital),
            kind="csv",
            data=csv_rows(2),
            filename="r.csv",
        )
    ImportJob.objects.filter(pk=job.pk).update(document_encrypted=b"not a token")
    # when
    failed = import_services.execute_import(job.pk)
    # then
    assert (failed.status, failed.stage, failed.error_count, Case.objects.count()) == (
        ImportStatus.FAILED,
        "failed",
        1,
        0,
    )
    assert failed.errors == [
        {
            "field": "file",
            "code": "internal_error",
            "message": "The import stopped on an unexpected error.",
            "fix": "Upload the file again; if it fails again, send it to the platform's operators.",
        }
    ]
    page = client_for(hospital).get(f"/vigilance/imports/{job.pk}/")
    assert page.status_code == 200


@pytest.mark.django_db
def test_submit_import_refuses_unknown_kinds_and_families(hospital: User) -> None:
    actor, scope = Actor(user=hospital, channel="test"), scope_for(hospital)
    for kind, family in [("zip", "drug"), ("csv", "device"), ("variant-csv", "drug")]:
        with pytest.raises(import_services.DomainError) as refused:
            import_services.submit_import(actor=actor, scope=scope, kind=kind, data=b"x", filename="r", family=family)
        assert [(e.field, e.code) for e in refused.value.errors] == [("family", "invalid_value")]
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_jobs_are_seen_by_their_sender_and_the_regulators_of_its_jurisdiction(
    hospital: User,
    other_hospital: User,
    provincial_user: User,
    other_province_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with running_tasks(django_capture_on_commit_callbacks):
        upload(client_for(hospital), "/vigilance/upload/", csv_rows(201, bad={1: BAD_DATE}))
    job = ImportJob.objects.get()
    urls = [f"/vigilance/imports/{job.pk}/", f"/vigilance/imports/{job.pk}/progress/"]
    for url in urls:
        assert client_for(hospital).get(url).status_code == 200
        assert client_for(provincial_user).get(url).status_code == 200
        assert client_for(other_hospital).get(url).status_code == 404
        assert client_for(other_province_user).get(url).status_code == 404
    # a CSV job has no acknowledgement
    assert client_for(hospital).get(f"/vigilance/imports/{job.pk}/acknowledgement/").status_code == 404
    # the list shows one's own jobs only
    assert f'data-job="{job.pk}"' in client_for(hospital).get("/vigilance/imports/").content.decode()
    assert f'data-job="{job.pk}"' not in client_for(other_hospital).get("/vigilance/imports/").content.decode()
    assert f'data-job="{job.pk}"' not in client_for(provincial_user).get("/vigilance/imports/").content.decode()
    # anonymous callers are sent to log in
    assert Client().get(urls[0]).status_code == 302


@pytest.mark.django_db
def test_other_senders_acknowledgement_is_a_404(
    holder: User, hospital: User, django_capture_on_commit_callbacks: Any
) -> None:
    with running_tasks(django_capture_on_commit_callbacks):
        upload(client_for(holder), "/vigilance/imports/", e2b_xml(make_report("CN-OWN-1")), "batch.xml")
    job = ImportJob.objects.get()
    assert client_for(hospital).get(f"/vigilance/imports/{job.pk}/acknowledgement/").status_code == 404
    assert json.loads(client_for(holder).get(f"/vigilance/imports/{job.pk}/progress/").content)["stored_count"] == 1


# -- percent ------------------------------------------------------------------------------------


def job_at(kind: str, status: str, stage: str, done: int, total: int) -> ImportJob:
    return ImportJob(kind=kind, status=status, stage=stage, done_count=done, total_count=total)


@pytest.mark.parametrize(
    ("kind", "status", "stage", "done", "total", "percent"),
    [
        ("csv", "queued", "", 0, 0, 0),
        ("csv", "running", "reading", 0, 0, 0),
        ("csv", "running", "validating", 100, 250, 20),
        ("csv", "running", "storing", 0, 250, 50),
        ("csv", "running", "storing", 125, 250, 75),
        ("e2b", "running", "storing", 1, 4, 25),
        ("e2b", "failed", "failed", 1, 4, 100),
        ("variant-csv", "done", "done", 2, 2, 100),
    ],
)
def test_percent_of_each_stage(kind: str, status: str, stage: str, done: int, total: int, percent: int) -> None:
    assert job_progress(job_at(kind, status, stage, done, total))["percent"] == percent


@given(
    kind=st.sampled_from(ImportKind.values),
    stage=st.sampled_from(["", "reading", "validating", "storing"]),
    total=st.integers(min_value=0, max_value=10**6),
    data=st.data(),
)
def test_percent_stays_within_the_bar_and_never_goes_back(kind: str, stage: str, total: int, data: Any) -> None:
    done = data.draw(st.integers(min_value=0, max_value=total))
    more = data.draw(st.integers(min_value=done, max_value=total))
    percent: Callable[[int], int] = lambda n: job_progress(job_at(kind, "running", stage, n, total))["percent"]  # noqa: E731
    assert 0 <= percent(done) <= percent(more) <= 100
