"""Processing a stored capture document: parse and validate (schema, vocabulary), resolve and check
business rules, apply the events to the pack state, store events, state and alerts in one
transaction. Re-running a job stores nothing twice: events are identified by eventID or hash."""

import datetime as dt
import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import psycopg
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from medreg.core.scoping import SYSTEM_SCOPE
from medreg.registry import selectors as registry
from medreg.trace.epcis.document import parse_document
from medreg.trace.epcis.model import EpcisEvent, EventError
from medreg.trace.models import CaptureJob, CaptureStatus, Recall
from medreg.trace.rules import channel_findings, quantity_findings, shipment_findings
from medreg.trace.services.persistence import (
    forget_events,
    known_identities,
    load_book,
    store_alerts,
    store_events,
    store_packs,
)
from medreg.trace.services.resolution import Facts, load_facts, to_step
from medreg.trace.services.tabular_capture import events_from_file, events_from_rows
from medreg.trace.state import Finding, Step, apply_events

CONTENT_TYPES = {"json": "application/ld+json", "xml": "application/xml"}


@dataclass
class BatchResult:
    stored: int
    duplicates: int
    errors: list[EventError]
    findings: list[Finding]


@dataclass
class Resolved:
    """A batch's events with the step each becomes, or the business-rule error that refuses it."""

    events: list[EpcisEvent]
    steps: list[Step]
    errors: list[EventError]


def process_job(job_id: str) -> CaptureJob:
    """Run one job to its end state. Safe to call again on a finished or interrupted job."""
    job = CaptureJob.objects.get(pk=job_id)
    if job.status in (CaptureStatus.SUCCEEDED, CaptureStatus.PARTIAL, CaptureStatus.FAILED):
        return job
    CaptureJob.objects.filter(pk=job.pk).update(status=CaptureStatus.RUNNING, started_at=timezone.now())
    with _collector_paused():
        events, parse_errors = read_job(job)
        resolved = resolve(events, job)  # no pack state read: overlaps another worker's job
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    result = _captured(resolved, job, parse_errors)
                break
            except (
                IntegrityError,
                OperationalError,
                psycopg.errors.UniqueViolation,
                psycopg.errors.DeadlockDetected,
            ) as error:
                if attempt == ATTEMPTS or not _stored_meanwhile(error):
                    raise
    _finish(job, len(events) + _bad_event_count(parse_errors), result, [*parse_errors, *result.errors])
    return job


# A job whose events another job stored between its check and its own write starts over (and then
# counts them as duplicates); so does a job whose new packs another job stored after its read (it
# then finds them, commissioned twice). Each try waits for the other job's commit, so a second one
# succeeds. PostgreSQL breaks a deadlock between two jobs by failing one of them: it starts over too.
ATTEMPTS = 3


def _stored_meanwhile(error: Exception) -> bool:
    """Whether `error` says another transaction stored one of the job's events or new packs first:
    PostgreSQL's unique violation on trace_event.identity or trace_pack's key (from psycopg, or from
    Django around it), a deadlock it broke between two jobs, or SQLite's unique violation."""
    cause = error if isinstance(error, psycopg.Error) else error.__cause__
    if isinstance(cause, psycopg.errors.DeadlockDetected):
        return True
    if isinstance(cause, psycopg.errors.UniqueViolation):
        table, constraint = cause.diag.table_name, cause.diag.constraint_name or ""
        event_stored = table == "trace_event" and "identity" in constraint
        pack_stored = table == "trace_pack" and constraint == "trace_pack_pkey"
        return event_stored or pack_stored
    return "trace_event.identity" in str(error)


def _identity(event: EpcisEvent) -> str:
    return event.identity


def _captured(resolved: Resolved, job: CaptureJob, parse_errors: list[EventError]) -> BatchResult:
    """Capture inside the caller's transaction; on any error roll back when the sender asked for all or none."""
    result = capture_events(resolved, job)
    if (parse_errors or result.errors) and job.error_behaviour == "rollback":
        transaction.set_rollback(True)  # the REST binding's default: all events or none
        return BatchResult(0, result.duplicates, result.errors, [])
    return result


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch builds its (acyclic) states, steps and rows:
    with a large heap its generation scans cost a large share of capture. Restored even on error."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_job(job: CaptureJob) -> tuple[list[EpcisEvent], list[EventError]]:
    """The normalized events of a stored document, whatever its format, and the errors of the rest."""
    data = bytes(job.document)
    if job.format in ("csv", "xlsx"):
        return events_from_file(data, f"upload.{job.format}", job.sender_enterprise_code)
    if job.format == "rows":
        rows = [(int(number), row) for number, row in json.loads(data)]
        return events_from_rows(rows, job.sender_enterprise_code)
    parsed = parse_document(data, CONTENT_TYPES.get(job.format, ""))
    return list(parsed.events), list(parsed.errors)


def resolve(events: list[EpcisEvent], job: CaptureJob) -> Resolved:
    """Codes, locations and products resolved against the registry, and the rules that need nothing
    but the registry (the product is registered, the sender owns the location). Reads no pack state
    and locks nothing."""
    events = [_as_declaration(e) if e.error_declaration else e for e in events]
    facts = load_facts(events, job.sender_enterprise_code, job.jurisdiction_path)
    steps, errors = _steps(events, facts)
    return Resolved(events, steps, errors)


def capture_events(resolved: Resolved, job: CaptureJob) -> BatchResult:
    """Store the new events of a resolved batch, then apply them to their packs, locked until the
    caller's transaction ends (`load_book`; decision 0111). Events already stored, or repeated in the
    batch, are counted, not applied.

    The events and their EPC rows are written first: they do not depend on pack state (decision 0110).
    Those the pack states then refuse are deleted again before the commit (none, in the usual
    document). Two workers' jobs on different packs run side by side throughout; a job naming a pack
    another job has locked waits for that job's commit, then reads the state it wrote."""
    fresh, duplicates = _without_known(resolved.events)
    fresh_indexes = {e.index for e in fresh}
    steps = [s for s in resolved.steps if s.index in fresh_indexes]
    errors = [e for e in resolved.errors if e.index in fresh_indexes]
    declarations = {e.index for e in fresh if e.error_declaration}
    stepped = {s.index for s in steps}
    # in the order of their identities: two jobs writing some of the same events wait for each other
    # in one order, never in a circle (a deadlock), and the second then starts over (process_job)
    event_ids = store_events(sorted((e for e in fresh if e.index in stepped), key=_identity), steps, job)
    book = load_book(steps)  # locks the packs: jobs naming the same packs apply one after the other
    recalled = _recalled_batches(book)
    applied = [s for s in steps if s.index not in declarations]
    outcome = apply_events(book, sorted(applied, key=lambda s: (s.event_time, s.index)), recalled)
    errors += [
        EventError(i, "epcList", code, message, "Check the pack's history before reporting.")
        for i, (code, message) in outcome.rejected.items()
    ]
    accepted = [s for s in steps if s.index not in outcome.rejected]
    findings = outcome.findings + _registry_findings(accepted, book)
    event_ids = forget_events(event_ids, {s.identity for s in steps if s.index in outcome.rejected})
    store_packs(book)
    store_alerts(findings, event_ids)
    return BatchResult(len(accepted), duplicates, errors, findings)


def _as_declaration(event: EpcisEvent) -> EpcisEvent:
    """An error declaration shares its event's hash (CBV excludes errorDeclaration from it); it is
    stored beside the event it corrects, under its own identity, and changes no pack state."""
    return replace(event, identity=f"{event.identity}#errorDeclaration")


def _without_known(events: list[EpcisEvent]) -> tuple[list[EpcisEvent], int]:
    known = known_identities({e.identity for e in events})
    fresh, seen = [], set()
    for event in events:
        if event.identity not in known and event.identity not in seen:
            fresh.append(event)
            seen.add(event.identity)
    return fresh, len(events) - len(fresh)


def _steps(events: list[EpcisEvent], facts: Facts) -> tuple[list[Step], list[EventError]]:
    steps: list[Step] = []
    errors: list[EventError] = []
    for event in events:
        step = to_step(event, facts)
        (errors if isinstance(step, EventError) else steps).append(step)  # type: ignore[arg-type]
    return steps, errors


def _recalled_batches(book) -> dict[tuple[str, str], dt.datetime]:  # type: ignore[no-untyped-def]
    """The book's recalled batches and when each recall began."""
    batches = {(p.approval_number, p.lot) for p in book.packs.values() if p.lot}
    lots = {lot for _, lot in batches}
    rows = Recall.objects.filter(lot__in=lots).values_list("approval_number", "lot", "initiated_at")
    return {(number, lot): since for number, lot, since in rows if (number, lot) in batches}


def _registry_findings(steps: list[Step], book) -> list[Finding]:  # type: ignore[no-untyped-def]
    parties = {s.destination for s in steps if s.destination} | {s.sender for s in steps}
    licences = registry.licence_periods(SYSTEM_SCOPE, {s.destination for s in steps if s.destination})
    types = {e.uscc: tuple(e.type_codes) for e in registry.enterprises(SYSTEM_SCOPE).filter(uscc__in=parties)}
    return (
        shipment_findings(steps, book, licences, types)
        + channel_findings(steps, book, types)
        + quantity_findings(steps, book)
    )


def _bad_event_count(errors: list[EventError]) -> int:
    return len({e.index for e in errors if e.index is not None})


def _finish(job: CaptureJob, total: int, result: BatchResult, errors: list[EventError]) -> None:
    job.event_count, job.stored_count, job.duplicate_count = total, result.stored, result.duplicates
    job.errors = [_error_dict(e) for e in errors[:1000]]
    job.error_count = len(errors)
    job.status = _status(result.stored + result.duplicates, errors)
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "event_count",
            "stored_count",
            "duplicate_count",
            "errors",
            "error_count",
            "status",
            "finished_at",
        ]
    )


def _status(good: int, errors: list[EventError]) -> str:
    if not errors:
        return CaptureStatus.SUCCEEDED
    return CaptureStatus.PARTIAL if good else CaptureStatus.FAILED


def _error_dict(error: EventError) -> dict[str, object]:
    return {"event": error.index, "field": error.field, "code": error.code, "message": error.message, "fix": error.fix}
