"""The EPCIS 2.0 REST binding: capture (asynchronous, 202 + capture job) and the events query."""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from medreg.core.actor import Actor, client_ip
from medreg.core.api.auth import request_scope
from medreg.core.errors import DomainError
from medreg.trace import selectors
from medreg.trace.models import CaptureJob, CaptureStatus
from medreg.trace.services.submission import submit_capture

router = Router(tags=["EPCIS 2.0"])


class CaptureJobOut(Schema):
    captureID: str  # noqa: N815 - names of the EPCIS 2.0 REST binding
    createdAt: dt.datetime  # noqa: N815
    finishedAt: dt.datetime | None  # noqa: N815
    running: bool
    success: bool
    captureErrorBehaviour: str  # noqa: N815
    eventCount: int  # noqa: N815
    storedCount: int  # noqa: N815
    duplicateCount: int  # noqa: N815
    errors: list[dict[str, Any]]


def capture_job_out(job: CaptureJob) -> CaptureJobOut:
    running = job.status in (CaptureStatus.ACCEPTED, CaptureStatus.RUNNING)
    return CaptureJobOut(
        captureID=str(job.pk),
        createdAt=job.received_at,
        finishedAt=job.finished_at,
        running=running,
        success=not running and job.error_count == 0,
        captureErrorBehaviour=job.error_behaviour,
        eventCount=job.event_count,
        storedCount=job.stored_count,
        duplicateCount=job.duplicate_count,
        errors=job.errors,
    )


@router.post("/capture", response={202: None}, summary="Capture an EPCISDocument (JSON-LD or XML)")
def capture(request: HttpRequest) -> HttpResponse:
    """Stores the document durably, then answers 202 with the capture job's URL in Location."""
    job = submit_capture(
        actor=Actor(user=request.api_user, ip_address=client_ip(request.META), channel="api"),  # type: ignore[attr-defined]
        scope=request_scope(request),
        data=request.body,
        content_type=request.content_type or "",
        error_behaviour=request.headers.get("GS1-Capture-Error-Behaviour", "rollback").strip().lower(),
    )
    response = HttpResponse(status=202)
    response["Location"] = f"/epcis/capture/{job.pk}"
    response["GS1-EPCIS-Capture-File-Size-Limit"] = str(len(request.body))
    return response


@router.get("/capture/{capture_id}", response=CaptureJobOut)
def capture_status(request: HttpRequest, capture_id: str) -> CaptureJobOut:
    return capture_job_out(selectors.capture_job(request_scope(request), _uuid(capture_id)))


class EventQuery(Schema):
    eventType: str = ""  # noqa: N815
    GE_eventTime: dt.datetime | None = None
    LT_eventTime: dt.datetime | None = None
    GE_recordTime: dt.datetime | None = Field(
        default=None,
        description=(
            "events recorded at or after this time. A capture job's events take their record time "
            "when they are stored, which may be some time before the job commits (decision 0110): "
            "when polling, start each query a few minutes before the end of the last one and drop "
            "the events already seen by eventID"
        ),
    )
    EQ_bizStep: str = ""
    EQ_bizLocation: str = ""
    EQ_readPoint: str = ""
    EQ_action: str = Field(default="", pattern="^(|ADD|OBSERVE|DELETE)$")
    EQ_disposition: str = ""
    EQ_eventID: str = ""
    MATCH_parentID: str = ""
    MATCH_anyEPC: str = ""
    MATCH_epc: str = Field(default="", description="a pack code in any form (EPC URN, Digital Link, element string)")
    perPage: int = Field(default=100, ge=1, le=1000)  # noqa: N815
    nextPageToken: str = ""  # noqa: N815


class EventPage(Schema):
    type: str = "EPCISQueryDocument"
    schemaVersion: str = "2.0"  # noqa: N815
    eventList: list[dict[str, Any]]  # noqa: N815
    nextPageToken: str | None  # noqa: N815


@router.get("/events", response=EventPage, summary="EPCIS 2.0 events query (paginated by nextPageToken)")
def events(request: HttpRequest, query: Query[EventQuery]) -> EventPage:
    found = selectors.query_events(request_scope(request), query.model_dump())
    return EventPage(eventList=found.events, nextPageToken=found.next_page_token)


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError as error:
        raise DomainError.single("captureID", "not_found", "No capture job has this id.", "", 404) from error
