"""Vigilance endpoints: E2B(R3) intake (the acknowledgement is the answer), cases, export, matching."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from medreg.core.actor import Actor, client_ip
from medreg.core.api.auth import request_scope
from medreg.core.errors import DomainError
from medreg.vigilance import selectors
from medreg.vigilance.models import Case, CaseDrug
from medreg.vigilance.services import export_case, import_batch, review_drug_match

router = Router(tags=["vigilance"])
XML = "application/xml"


class PageIn(Schema):
    offset: int = Field(default=0, ge=0, le=10_000_000)
    limit: int = Field(default=50, ge=1, le=500)


class CaseOut(Schema):
    id: int
    worldwide_case_id: str
    product_family: str
    current_version: int
    report_type: str
    serious: bool
    nullified: bool
    first_received: dt.date | None
    most_recent: dt.datetime | None
    sender_name: str


class VersionOut(Schema):
    number: int
    kind: str
    safety_report_id: str
    received_at: dt.datetime
    most_recent: str
    serious: bool
    findings: list[dict[str, str]] = Field(description="Data-quality warnings the version was loaded with.")


class DrugOut(Schema):
    id: int
    sequence: int
    role: str
    name_as_reported: str
    active_ingredient: str
    authorisation_number: str
    batch_number: str
    matched_approval_number: str
    match_status: str


class ReactionOut(Schema):
    sequence: int
    reported_term: str
    meddra_code: str
    meddra_version: str
    onset: dt.date | None
    outcome: str
    serious: bool


class CaseDetailOut(CaseOut):
    patient_pseudonym: str
    reporter_pseudonym: str
    versions: list[VersionOut]
    drugs: list[DrugOut]
    reactions: list[ReactionOut]
    report: dict[str, Any] = Field(description="Current version, de-identified (identifiers nullFlavor MSK).")


class MatchIn(Schema):
    approval_number: str = Field(default="", max_length=20, description="Registry approval number; empty: no match.")


@router.post(
    "/e2b",
    response={200: None},
    openapi_extra={
        "requestBody": {"content": {XML: {"schema": {"type": "string"}}}, "required": True},
        "responses": {
            200: {
                "description": "MCCI_IN200101UV01 acknowledgement (AA, AE or AR)",
                "content": {XML: {"schema": {"type": "string"}}},
            }
        },
    },
)
def receive_e2b(request: HttpRequest) -> HttpResponse:
    """Receive an E2B(R3) batch (raw XML body, or a multipart `file`); answer its acknowledgement."""
    result = import_batch(actor=_actor(request), scope=request_scope(request), xml_bytes=_xml_body(request))
    return HttpResponse(result.acknowledgement, content_type=XML)


@router.get("/cases", response=list[CaseOut])
def list_cases(request: HttpRequest, page: Query[PageIn]) -> list[Case]:
    queryset = selectors.cases(request_scope(request)).order_by("-updated_at", "-pk")
    return list(queryset[page.offset : page.offset + page.limit])


@router.get("/cases/{case_id}", response=CaseDetailOut)
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = selectors.case_with_details(request_scope(request), case_id)
    version = selectors.current_version(case)
    return {
        **CaseOut.from_orm(case).dict(),
        "patient_pseudonym": version.patient_pseudonym,
        "reporter_pseudonym": version.reporter_pseudonym,
        "versions": [_version_out(v) for v in case.versions.all()],
        "drugs": list(case.drugs.all()),
        "reactions": [_reaction_out(r) for r in case.reactions.all()],
        "report": version.report,
    }


@router.get(
    "/cases/{case_id}/e2b",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "E2B(R3) batch of the current version, de-identified",
                "content": {XML: {"schema": {"type": "string"}}},
            }
        },
    },
)
def export_case_xml(request: HttpRequest, case_id: int) -> HttpResponse:
    xml = export_case(actor=_actor(request), scope=request_scope(request), case_id=case_id)
    response = HttpResponse(xml, content_type=XML)
    response["Content-Disposition"] = f'attachment; filename="case-{case_id}.xml"'
    return response


@router.post("/cases/{case_id}/drugs/{drug_id}/match", response=DrugOut)
def review_match(request: HttpRequest, case_id: int, drug_id: int, payload: MatchIn) -> CaseDrug:
    return review_drug_match(
        actor=_actor(request),
        scope=request_scope(request),
        case_id=case_id,
        drug_id=drug_id,
        approval_number=payload.approval_number,
    )


def _xml_body(request: HttpRequest) -> bytes:
    limit = settings.MEDREG_MAX_UPLOAD_BYTES
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        raise RequestDataTooBig("E2B body too large")
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError.single("file", "required", "No file was sent.", "Send the E2B XML as the 'file' field.")
        if upload.size and upload.size > limit:
            raise RequestDataTooBig("E2B file too large")
        return upload.read()
    return request.body


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=request.api_user, ip_address=client_ip(request.META), channel=request.auth_channel)  # type: ignore[attr-defined]


def _version_out(version: Any) -> dict[str, Any]:
    return {
        "number": version.number,
        "kind": version.kind,
        "safety_report_id": version.safety_report_id,
        "received_at": version.received_at,
        "most_recent": version.most_recent_ts,
        "serious": version.serious,
        "findings": version.findings,
    }


def _reaction_out(reaction: Any) -> dict[str, Any]:
    return {
        "sequence": reaction.sequence,
        "reported_term": reaction.reported_term,
        "meddra_code": reaction.meddra_code,
        "meddra_version": reaction.meddra_version,
        "onset": reaction.onset,
        "outcome": reaction.outcome,
        "serious": reaction.serious,
    }
