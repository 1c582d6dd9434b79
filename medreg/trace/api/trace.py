"""The platform's traceability queries: verify (public), trace, track, recall scope, alerts."""

import csv
import datetime as dt
import io
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from medreg.core.actor import Actor, client_ip
from medreg.core.api.auth import request_scope
from medreg.core.errors import DomainError
from medreg.trace import selectors
from medreg.trace.services.alerts import change_alert_status
from medreg.trace.services.recalls import start_recall
from medreg.trace.services.submission import submit_scan, submit_table

router = Router(tags=["traceability"])


class VerificationOut(Schema):
    code: str
    genuine: bool
    status: str
    product: str
    strength: str
    approval_number: str
    marketing_authorization_holder: str
    batch: str
    expiry: dt.date | None
    warnings: list[str]


CODE_MAX_LENGTH = 300


CODE_MAX_LENGTH = 300


@router.get("/verify/{code}", response=VerificationOut, summary="Verify a pack (public)")
def verify(request: HttpRequest, code: str) -> selectors.Verification:
    """Anonymous callers are served by the lean route of medreg.trace.api.public_verify with the same
    answer; this operation documents the endpoint and serves callers that send a token."""
    return verification(code)


def verification(code: str) -> selectors.Verification:
    """The public answer for `code`, shared by both routes (its fields are VerificationOut's, in order);
    a DomainError for a code too long to be one."""
    if len(code) > CODE_MAX_LENGTH:
        raise DomainError.single(
            "code",
            "too_long",
            "A pack code has at most a few dozen characters.",
            "Scan or type the code printed on the pack.",
        )
    return selectors.verify(code)


class PackOut(Schema):
    key: str
    status: str
    approval_number: str
    lot: str
    expiry: dt.date | None
    package_level: int
    holder_enterprise_code: str
    location: str
    parent_key: str | None


class TraceOut(Schema):
    pack: PackOut
    containers: list[PackOut]
    contents: list[PackOut]
    events: list[dict[str, Any]]


@router.get("/packs/{code}/trace", response=TraceOut, summary="A pack's history and containment")
def trace(request: HttpRequest, code: str) -> TraceOut:
    answer = selectors.trace(request_scope(request), code)
    return TraceOut(
        pack=PackOut.from_orm(answer.pack),
        containers=[PackOut.from_orm(p) for p in answer.ancestors],
        contents=[PackOut.from_orm(p) for p in answer.children],
        events=[e.payload for e in answer.events],
    )


class BatchQuery(Schema):
    approval_number: str = Field(min_length=1, max_length=20)
    lot: str = Field(min_length=1, max_length=40)


class HolderOut(Schema):
    enterprise_code: str
    enterprise_name: str
    packs: int
    by_status: dict[str, int]
    received_from: list[str]


@router.get("/batches/track", response=list[HolderOut], summary="A batch's distribution tree")
def track(request: HttpRequest, batch: Query[BatchQuery]) -> list[HolderOut]:
    nodes = selectors.track(request_scope(request), batch.approval_number, batch.lot)
    return [
        HolderOut(
            enterprise_code=n.enterprise_code,
            enterprise_name=n.enterprise_name,
            packs=n.packs,
            by_status=n.by_status,
            received_from=sorted(n.received_from),
        )
        for n in nodes
    ]


class RecallScopeOut(Schema):
    approval_number: str
    lot: str
    total: int
    holders: list[dict[str, Any]]
    dispensed: list[dict[str, Any]]


@router.get("/batches/recall-scope", response=RecallScopeOut, summary="Recall scope of a batch (JSON or CSV)")
def recall_scope(request: HttpRequest, batch: Query[BatchQuery], format: str = "json") -> Any:
    answer = selectors.recall_scope(request_scope(request), batch.approval_number, batch.lot)
    if format == "csv":
        return _recall_csv(answer)
    return RecallScopeOut(**answer.__dict__)


def _recall_csv(answer: selectors.RecallScope) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["kind", "holder_enterprise_code", "holder_name", "status_or_location", "packs"])
    for row in answer.holders:
        writer.writerow(["held", row["holder_enterprise_code"], row["holder_name"], row["status"], row["packs"]])
    for row in answer.dispensed:
        writer.writerow(["dispensed", row["holder_enterprise_code"], row["holder_name"], row["location"], row["packs"]])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="recall-{answer.lot}.csv"'
    return response


class RecallIn(BatchQuery):
    reason: str = Field(min_length=2, max_length=500)
    level: int = Field(default=2, ge=1, le=3)


@router.post("/recalls", response={201: dict[str, Any]}, summary="Start a recall of a batch")
def recall(request: HttpRequest, payload: RecallIn) -> Any:
    actor = Actor(user=request.api_user, ip_address=client_ip(request.META), channel=request.auth_channel)  # type: ignore[attr-defined]
    created = start_recall(
        actor=actor,
        scope=request_scope(request),
        approval_number=payload.approval_number,
        lot=payload.lot,
        reason=payload.reason,
        level=payload.level,
    )
    return Status(201, {"id": created.pk, "approval_number": created.approval_number, "lot": created.lot})


class AlertOut(Schema):
    id: int
    rule: str
    severity: str
    status: str
    jurisdiction_code: str
    pack_key: str
    approval_number: str
    lot: str
    enterprise_code: str
    message: str = Field(description="In English.")
    text: str = Field(
        description="The name of the message's text, to say it in another language; empty for old alerts."
    )
    fields: dict[str, str] = Field(description="The values of the text's fields.")
    created_at: dt.datetime
    evidence: list[str]


@router.get("/alerts", response=list[AlertOut], summary="The alert queue of the caller's jurisdiction")
def alerts(request: HttpRequest, status: str = "open", rule: str = "", limit: int = Query(100, ge=1, le=1000)) -> Any:  # type: ignore[type-arg]
    queryset = selectors.alerts(request_scope(request)).filter(status=status)
    if rule:
        queryset = queryset.filter(rule=rule)
    return [_alert_out(a) for a in queryset[:limit]]


def _alert_out(alert: Any) -> AlertOut:
    return AlertOut(
        id=alert.pk,
        rule=alert.rule,
        severity=alert.severity,
        status=alert.status,
        jurisdiction_code=alert.jurisdiction_code,
        pack_key=alert.pack_key,
        approval_number=alert.approval_number,
        lot=alert.lot,
        enterprise_code=alert.enterprise_code,
        message=alert.message,
        text=alert.text,
        fields=alert.text_fields,
        created_at=alert.created_at,
        evidence=[e.identity for e in alert.evidence.all()],
    )


class AlertStatusIn(Schema):
    status: str = Field(pattern="^(acknowledged|closed)$")
    note: str = Field(default="", max_length=500)


@router.post("/alerts/{alert_id}/status", response=AlertOut, summary="Acknowledge or close an alert")
def alert_status(request: HttpRequest, alert_id: int, payload: AlertStatusIn) -> AlertOut:
    actor = Actor(user=request.api_user, ip_address=client_ip(request.META), channel=request.auth_channel)  # type: ignore[attr-defined]
    alert = change_alert_status(
        actor=actor, scope=request_scope(request), alert_id=alert_id, status=payload.status, note=payload.note
    )
    return _alert_out(alert)


class JobAccepted(Schema):
    captureID: str  # noqa: N815 - as in the EPCIS REST binding
    location: str


@router.post("/uploads", response={202: JobAccepted}, summary="Upload a CSV or Excel file of scanned codes")
def upload(request: HttpRequest, file: UploadedFile = File(...)) -> Any:  # noqa: B008 - Ninja's declaration style
    job = submit_table(actor=_actor(request), scope=request_scope(request), data=file.read(), filename=file.name or "")
    return Status(202, JobAccepted(captureID=str(job.pk), location=f"/epcis/capture/{job.pk}"))


class ScanIn(Schema):
    step: str = Field(pattern="^(receiving|dispensing|returning|shipping|destroying)$")
    codes: list[str] = Field(min_length=1, max_length=500)
    location: str = Field(pattern="^[0-9]{13}$", description="GLN of your site")
    destination: str = Field(default="", pattern="^([0-9]{13})?$")


@router.post("/scans", response={202: JobAccepted}, summary="Report scanned codes (pharmacies, clinics)")
def scan(request: HttpRequest, payload: ScanIn) -> Any:
    job = submit_scan(
        actor=_actor(request),
        scope=request_scope(request),
        step=payload.step,
        codes=[c.strip() for c in payload.codes if c.strip()],
        location=payload.location,
        destination=payload.destination,
    )
    return Status(202, JobAccepted(captureID=str(job.pk), location=f"/epcis/capture/{job.pk}"))


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=request.api_user, ip_address=client_ip(request.META), channel=request.auth_channel)  # type: ignore[attr-defined]
