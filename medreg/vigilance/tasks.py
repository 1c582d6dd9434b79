"""Background tasks of the vigilance module (Django tasks API, database queue)."""

from django_tasks import task

from medreg.vigilance.services.imports import execute_import
from medreg.vigilance.signal_runs import execute_run


@task()
def run_signal_detection(run_id: int) -> dict[str, object]:
    """Run one queued signal run; a second delivery of the same run does nothing."""
    run = execute_run(run_id)
    return {"status": run.status, "pairs": run.pair_count, "flagged": run.flagged_count, "new": run.new_signal_count}


@task()
def process_import_job(job_id: int) -> dict[str, object]:
    """Process one stored import job; a second delivery of the same job does nothing."""
    job = execute_import(job_id)
    return {"status": job.status, "done": job.done_count, "total": job.total_count, "stored": job.stored_count}
