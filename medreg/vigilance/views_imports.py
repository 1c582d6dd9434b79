"""Console pages of import jobs (decision 0207): my recent jobs and the E2B(R3) batch upload, a
job's page with its progress bar (followed by static/vigilance/run-progress.js), its progress as
JSON, and the acknowledgement of an E2B batch as a download."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy

from medreg.core.actor import Actor, client_ip
from medreg.core.error_texts import said_refusal
from medreg.core.errors import DomainError, NotFound, PermissionDenied
from medreg.core.scoping import Scope
from medreg.vigilance import import_selectors
from medreg.vigilance.forms import E2BUploadForm
from medreg.vigilance.models import ImportJob, ImportKind
from medreg.vigilance.services.imports import submit_import

JOBS_SHOWN = 50
ERRORS_SHOWN = 500  # the job page lists this many errors; the rest are counted
XML = "application/xml"
STAGE_LABELS = {
    "": gettext_lazy("Waiting for a worker"),
    "reading": gettext_lazy("Reading the file"),
    "validating": gettext_lazy("Checking the rows"),
    "storing": gettext_lazy("Storing the reports"),
    "done": gettext_lazy("Done"),
    "failed": gettext_lazy("Failed"),
}


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined, no-any-return]


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user, ip_address=client_ip(request.META), channel="console")  # type: ignore[arg-type]


def _errors(error: DomainError) -> str:
    """The file's refusal in the reader's language where the table reader gave it (core.error_texts)."""
    return said_refusal(error)


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    return import_selectors.import_job(_scope(request), request.user, job_id)  # type: ignore[arg-type]


@login_required
def import_jobs(request: HttpRequest) -> HttpResponse:
    """My recent import jobs, newest first, and (enterprises, regulators) the E2B(R3) batch upload."""
    scope = _scope(request)
    may_send_e2b = scope.is_regulator or scope.is_enterprise
    if request.method == "POST" and not may_send_e2b:
        raise PermissionDenied("E2B(R3) batches are sent by enterprises and regulators.")
    form = E2BUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            job = submit_import(
                actor=_actor(request), scope=scope, kind=ImportKind.E2B, data=file.read(), filename=file.name or ""
            )
        except DomainError as error:
            form.add_error("file", _errors(error))
        else:
            return redirect("vigilance:import_job", job_id=job.pk)
    context = {
        "form": form,
        "may_send_e2b": may_send_e2b,
        "jobs": list(import_selectors.my_import_jobs(request.user)[:JOBS_SHOWN]),  # type: ignore[arg-type]
    }
    return render(request, "vigilance/imports/jobs.html", context, status=400 if form.errors else 200)


@login_required
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's stage, counts and progress bar (followed until it ends), then its result."""
    job = _job(request, job_id)
    context = {"job": job, "progress": job_progress(job), "errors": job.errors[:ERRORS_SHOWN]}
    return render(request, "vigilance/imports/job.html", context)


@login_required
def import_job_progress(request: HttpRequest, job_id: int) -> JsonResponse:
    """The job's progress as JSON, for the page's polling script."""
    return JsonResponse(job_progress(_job(request, job_id)))


@login_required
def import_job_acknowledgement(request: HttpRequest, job_id: int) -> HttpResponse:
    """The MCCI_IN200101UV01 acknowledgement of an E2B(R3) job, once it has one."""
    job = _job(request, job_id)
    if job.kind != ImportKind.E2B or not job.acknowledgement_code:
        raise NotFound("acknowledgement")
    response = HttpResponse(bytes(job.acknowledgement), content_type=XML)
    response["Content-Disposition"] = f'attachment; filename="ack-import-{job.pk}.xml"'
    return response


def job_progress(job: ImportJob) -> dict[str, Any]:
    """Status, stage and counts; `percent`: an E2B batch by reports stored or refused, a CSV file
    by rows checked (first half) and stored (second half; per chunk on PostgreSQL, see decision 0207)."""
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "stage": job.stage,
        "stage_label": str(STAGE_LABELS.get(job.stage, job.stage)),
        "percent": _percent(job),
        "finished": job.is_finished,
        "done_count": job.done_count,
        "total_count": job.total_count,
        "stored_count": job.stored_count,
        "error_count": job.error_count,
    }


def _percent(job: ImportJob) -> int:
    if job.is_finished:
        return 100
    share = job.done_count / job.total_count if job.total_count else 0.0
    if job.stage == "validating":
        return int(share * 50)
    if job.stage == "storing":
        return int(share * 100) if job.kind == ImportKind.E2B else 50 + int(share * 50)
    return 0
