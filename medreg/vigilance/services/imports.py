"""Import jobs (decision 0207): a console upload stored and committed, then processed by a task.

`submit_import` checks who may send the file, stores it (encrypted) with its audit record in one
transaction and enqueues `process_import_job` when that transaction commits: the upload is durable
before the sender is answered. `execute_import` (the task's body) runs the same services as the
synchronous paths — `intake.import_batch` for an E2B(R3) batch, `import_report_table` /
`import_variant_table` for a CSV or Excel file — as the user who uploaded, and writes the progress
(`stage`, `done_count` of `total_count`) to the job as it goes: after each E2B report, after each
chunk of validated CSV rows. A CSV file stays all-or-nothing: one bad row fails the job with the
errors by row and nothing stored; its rows are then stored in one transaction (stage "storing").
"""

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.audit import record_change
from medreg.core.errors import DomainError, FieldError, PermissionDenied
from medreg.core.scoping import Scope, scope_for
from medreg.core.tabular import Limits, read_table
from medreg.vigilance.e2b import Issue
from medreg.vigilance.models import ImportJob, ImportKind, ImportStatus
from medreg.vigilance.privacy import decrypt, encrypt
from medreg.vigilance.services import intake
from medreg.vigilance.services.forms import import_report_table, may_submit
from medreg.vigilance.services.variants import import_variant_table, may_submit_variant

logger = logging.getLogger(__name__)
INLINE_MAX_ROWS = 200  # a console CSV upload of more rows than this goes to a job
INLINE_MAX_BYTES = 1_000_000  # and so does any file larger than this
FAMILIES = {ImportKind.E2B: ("drug",), ImportKind.CSV: ("drug",), ImportKind.VARIANT_CSV: ("device", "cosmetic")}


def answers_inline(data: bytes, filename: str) -> bool:
    """True for a CSV/Excel upload small enough to import while the browser waits (at most
    INLINE_MAX_BYTES and INLINE_MAX_ROWS data rows); an unreadable file is refused inline."""
    if len(data) > INLINE_MAX_BYTES:
        return False
    try:
        sheet = read_table(data, filename, Limits.from_settings())
    except DomainError:
        return True
    return len(sheet.rows) <= INLINE_MAX_ROWS


def submit_import(
    *, actor: Actor, scope: Scope, kind: str, data: bytes, filename: str, family: str = "drug"
) -> ImportJob:
    """Store an uploaded file as a queued import job of the caller and enqueue its processing."""
    if kind not in FAMILIES or family not in FAMILIES[ImportKind(kind)]:
        raise DomainError.single(
            "family",
            "invalid_value",
            f"{kind!r} files of {family!r} reports are not imported here.",
            "Upload E2B batches and drug CSV files as drug reports, device and cosmetic CSV files by family.",
        )
    _check_sender(scope, kind)
    sender = intake.sender_for(actor=actor, scope=scope)
    _check_size(data)
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            product_family=family,
            submitted_by=actor.user,
            ip_address=actor.ip_address,
            sender_enterprise_code=sender.enterprise_code,
            jurisdiction_path=sender.jurisdiction_path,
            filename=filename[:200],
            size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            document_encrypted=encrypt(data),
        )
        after = {"kind": kind, "family": family, "filename": job.filename, "size": job.size_bytes, "sha256": job.sha256}
        record_change(
            actor=actor,
            action="vigilance.import_job.submitted",
            object_type="vigilance.import_job",
            object_id=job.pk,
            before=None,
            after=after,
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _check_sender(scope: Scope, kind: str) -> None:
    if kind == ImportKind.CSV and not may_submit(scope, "professional"):
        raise PermissionDenied("CSV reports are sent by medical institutions and regulators.")
    if kind == ImportKind.VARIANT_CSV and not may_submit_variant(scope, "professional"):
        raise PermissionDenied("CSV reports are sent by medical institutions and regulators.")


def _check_size(data: bytes) -> None:
    if not data:
        raise DomainError.single("file", "empty", "The file is empty.", "Choose the file with the reports.")
    if len(data) > settings.MEDREG_MAX_UPLOAD_BYTES:
        raise DomainError.single(
            "file",
            "too_large",
            "The file is larger than the platform accepts.",
            "Split it into smaller files and upload them one by one.",
            status=413,
        )


def _enqueue(job_id: int) -> None:
    from medreg.vigilance.tasks import process_import_job  # noqa: PLC0415 - the task module imports this one

    process_import_job.enqueue(job_id)


def execute_import(job_id: int) -> ImportJob:
    """Process a queued job to its end; a second delivery of the same job does nothing. Refused
    input fails the job with its errors; an unexpected error fails it with a short message."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=now, stage="reading"
    )
    job = ImportJob.objects.select_related("submitted_by").get(pk=job_id)
    if not claimed:
        return job
    try:
        outcome = _process(job)
    except DomainError as error:
        outcome = {"status": ImportStatus.FAILED, "errors": [e.as_dict() for e in error.errors]}
    except Exception:  # recorded on the job for the sender; the task itself succeeds
        logger.exception("import job %s failed", job_id)
        outcome = {"status": ImportStatus.FAILED, "errors": [_unexpected()]}
    stage = "done" if outcome["status"] == ImportStatus.DONE else "failed"
    outcome["error_count"] = len(outcome.get("errors", []))
    ImportJob.objects.filter(pk=job_id).update(stage=stage, finished_at=timezone.now(), **outcome)
    job.refresh_from_db()
    return job


def _unexpected() -> dict[str, object]:
    return FieldError(
        "file",
        "internal_error",
        "The import stopped on an unexpected error.",
        "Upload the file again; if it fails again, send it to the platform's operators.",
    ).as_dict()


def _process(job: ImportJob) -> dict[str, Any]:
    user = job.submitted_by
    actor = Actor(user=user, ip_address=job.ip_address, channel="console")
    scope = scope_for(user)  # as the sender is now: a deactivated account imports nothing
    data = decrypt(bytes(job.document_encrypted))

    def count(stage: str, done: int, total: int) -> None:
        if stage == "storing" and job.kind != ImportKind.E2B and done:  # inside the CSV file's one transaction
            publish_progress(job.pk, stage, done, total)
        else:
            ImportJob.objects.filter(pk=job.pk).update(stage=stage, done_count=done, total_count=total)

    if job.kind == ImportKind.E2B:
        result = intake.import_batch(
            actor=actor, scope=scope, xml_bytes=data, progress=lambda done, total: count("storing", done, total)
        )
        return {
            "status": ImportStatus.FAILED if result.code == "AR" else ImportStatus.DONE,
            "stored_count": len(result.stored),
            "acknowledgement_code": result.code,
            "acknowledgement": result.acknowledgement,
            "errors": [_issue(i) for i in result.errors],
        }
    if job.kind == ImportKind.CSV:
        table = import_report_table(actor=actor, scope=scope, data=data, filename=job.filename, progress=count)
    else:
        table = import_variant_table(
            actor=actor, scope=scope, family=job.product_family, data=data, filename=job.filename, progress=count
        )
    if table.errors:
        return {"status": ImportStatus.FAILED, "errors": [e.as_dict() for e in table.errors]}
    return {"status": ImportStatus.DONE, "stored_count": len(table.stored), "done_count": len(table.stored)}


def _issue(issue: Issue) -> dict[str, object]:
    """An acknowledgement finding as a row of the job's errors (`row`: the report's number, 1-based)."""
    if issue.report is None:
        return FieldError(issue.element, "refused", issue.message, "Correct the batch and send it again.").as_dict()
    fix = "Correct this report and send it again in a new batch."
    return FieldError(issue.element, "refused", issue.message, fix, issue.report + 1).as_dict()


def publish_progress(job_id: int, stage: str, done: int, total: int) -> bool:
    """Write a job's progress through a connection of its own, so that the job page sees it while
    the import's transaction is still open (an update inside it would only show at commit, and would
    lock the row). PostgreSQL only: SQLite has one writer at a time and the transaction holds it, so
    there the page shows the "storing" stage announced before the transaction until it commits.
    True when the row was updated."""
    if connection.vendor != "postgresql":
        return False
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET stage = %s, done_count = %s, total_count = %s WHERE id = %s",  # noqa: S608 - the table name is ours
                [stage, done, total, job_id],
            )
            return bool(cursor.rowcount == 1)
    finally:
        side.close()
