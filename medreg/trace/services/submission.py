"""Accepting a capture document: authenticate the sender, bound the size, store the bytes and the
task that will process them in one transaction — only then is the sender answered 202."""

import json

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.errors import DomainError, PermissionDenied
from medreg.core.scoping import SYSTEM_SCOPE, Scope
from medreg.core.tabular import Limits, read_table
from medreg.registry import selectors as registry
from medreg.trace.models import CaptureJob

FORMATS = {"application/json": "json", "application/ld+json": "json", "application/xml": "xml", "text/xml": "xml"}


def detect_format(content_type: str, data: bytes) -> str:
    """The document format from its content type, falling back on its first byte."""
    declared = FORMATS.get(content_type.split(";", maxsplit=1)[0].strip().lower())
    if declared:
        return declared
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        return "json"
    if head == b"<":
        return "xml"
    raise DomainError.single(
        "Content-Type",
        "unsupported_media_type",
        "The document is neither JSON nor XML.",
        "Send an EPCIS 2.0 document as application/ld+json or application/xml.",
        415,
    )


def submit_capture(
    *,
    actor: Actor,
    scope: Scope,
    data: bytes,
    content_type: str,
    file_format: str = "",
    error_behaviour: str = "rollback",
) -> CaptureJob:
    """Store the document durably and enqueue its processing; returns the job to report as 202."""
    if not scope.is_enterprise:
        raise PermissionDenied("Only enterprises capture traceability events; use an enterprise's API token.")
    if len(data) > settings.MEDREG_MAX_CAPTURE_BYTES:
        raise DomainError.single(
            "body",
            "too_large",
            f"The document has {len(data)} bytes; the limit is {settings.MEDREG_MAX_CAPTURE_BYTES}.",
            "Split it into several documents.",
            413,
        )
    if not data.strip():
        raise DomainError.single("body", "empty", "The document is empty.", "Send an EPCIS document.")
    fmt = file_format or detect_format(content_type, data)
    if error_behaviour not in ("rollback", "proceed"):
        raise DomainError.single(
            "GS1-Capture-Error-Behaviour",
            "invalid_value",
            f"{error_behaviour!r} is not a capture error behaviour.",
            "Use rollback (the default) or proceed.",
        )
    path = registry.enterprise_jurisdiction_paths(SYSTEM_SCOPE, {scope.enterprise_code}).get(scope.enterprise_code)
    if path is None:
        raise PermissionDenied("The sending enterprise is not registered.")
    with transaction.atomic():
        job = CaptureJob.objects.create(
            sender_enterprise_code=scope.enterprise_code,
            jurisdiction_path=path,
            submitted_by=actor.user,
            format=fmt,
            document=data,
            size_bytes=len(data),
            error_behaviour=error_behaviour,
        )
        enqueue_processing(job)
    return job


def enqueue_processing(job: CaptureJob) -> None:
    """The task row is written in the caller's transaction (database backend): durable with the job."""
    from medreg.trace.tasks import process_capture_job  # noqa: PLC0415 - tasks import this module

    process_capture_job.enqueue(str(job.pk))


def submit_table(*, actor: Actor, scope: Scope, data: bytes, filename: str) -> CaptureJob:
    """A CSV or Excel upload: refused at once when the file cannot be read, else stored like a document."""
    read_table(data, filename, Limits.from_settings())  # file-level faults answer 400 now, not after 202
    fmt = "xlsx" if data[:4] == b"PK\x03\x04" else "csv"
    return submit_capture(
        actor=actor, scope=scope, data=data, content_type="", file_format=fmt, error_behaviour="proceed"
    )


def submit_scan(
    *, actor: Actor, scope: Scope, step: str, codes: list[str], location: str, destination: str = "", when: str = ""
) -> CaptureJob:
    """Codes scanned on the console's scan page, one row each (row numbers from 1)."""
    moment = when or timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    rows = [
        (n, {"event_time": moment, "step": step, "code": code, "location": location, "destination": destination})
        for n, code in enumerate(codes, start=1)
    ]
    return submit_capture(
        actor=actor,
        scope=scope,
        data=json.dumps(rows).encode(),
        content_type="",
        file_format="rows",
        error_behaviour="proceed",
    )
