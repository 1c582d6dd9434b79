"""Background tasks of the traceability module (Django tasks API, database queue)."""

from django_tasks import task

from medreg.trace.services.processing import process_job


@task()
def process_capture_job(job_id: str) -> dict[str, int]:
    """Process one stored capture document; safe to run twice (events are stored once)."""
    job = process_job(job_id)
    return {"stored": job.stored_count, "duplicates": job.duplicate_count, "errors": job.error_count}
