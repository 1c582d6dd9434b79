"""Device adverse event and cosmetic adverse reaction endpoints: report (JSON), hospitals' CSV upload,
the case's device or cosmetic section with its registry match, and the match review."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Body, Field, File, Router, Schema, Status, UploadedFile

from medreg.core.actor import Actor, client_ip
from medreg.core.api.auth import request_scope
from medreg.core.errors import DomainError, FieldError
from medreg.vigilance import selectors
from medreg.vigilance.forms_variants import FORMS
from medreg.vigilance.services.variants import (
    api_channel,
    import_variant_table,
    review_variant_match,
    submit_variant_report,
    variant_row,
)

router = Router(tags=["vigilance"])


class StoredOut(Schema):
    case_id: int
    worldwide_case_id: str
    version: int


class UploadOut(Schema):
    stored: list[int]


class MatchIn(Schema):
    number: str = Field(default="", max_length=40, description="Registry number; empty: no match.")


class MatchOut(Schema):
    matched_number: str
    registry_holder_code: str
    match_status: str
    match_basis: str
    matched_at: dt.datetime | None


class VariantOut(Schema):
    case_id: int
    worldwide_case_id: str
    product_family: str
    current_version: int
    section: dict[str, Any] = Field(description="The current version's device or cosmetic fields.")
    match: MatchOut


@router.post("/{family}/reports", response={201: StoredOut})
def submit_report(request: HttpRequest, family: str, payload: Body[dict[str, Any]]) -> Status[StoredOut]:
    """A device or cosmetic report (the form's fields as JSON; `follow_up_of`: your case's id)."""
    scope = request_scope(request)
    channel = api_channel(scope)
    form_class = FORMS.get(family)
    if form_class is None:
        raise DomainError.single("family", "invalid_value", f"{family!r} is not a report family.", "device or cosmetic")
    follow_up_of = payload.pop("follow_up_of", "")
    form = form_class(payload)
    if not form.is_valid():
        raise DomainError([FieldError(name, "invalid", str(m)) for name, ms in form.errors.items() for m in ms])
    stored = submit_variant_report(
        actor=_actor(request),
        scope=scope,
        family=family,
        channel=channel,
        data=form.cleaned_data,
        follow_up_of=str(follow_up_of or ""),
    )
    return Status(
        201, StoredOut(case_id=stored.case_id, worldwide_case_id=stored.worldwide_case_id, version=stored.version)
    )


@router.post("/{family}/upload", response={201: UploadOut})
def upload(request: HttpRequest, family: str, file: File[UploadedFile]) -> Status[UploadOut]:
    """A hospital's CSV or Excel file: every row stored, or none (400 with the errors by row and field)."""
    result = import_variant_table(
        actor=_actor(request),
        scope=request_scope(request),
        family=family,
        data=file.read(),
        filename=file.name or "",
    )
    if result.errors:
        raise DomainError(result.errors)
    return Status(201, UploadOut(stored=result.stored))


@router.get("/cases/{case_id}", response=VariantOut)
def get_variant(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = selectors.case_with_details(request_scope(request), case_id)
    row = variant_row(case)
    version = selectors.current_version(case)
    variant = getattr(version, "variant", None)
    if row is None or variant is None:
        raise DomainError.single("case", "not_a_variant", "This case is a drug case.", "Read it at /cases/{id}.")
    return {
        "case_id": case.pk,
        "worldwide_case_id": case.worldwide_case_id,
        "product_family": case.product_family,
        "current_version": case.current_version,
        "section": variant.data,
        "match": row,
    }


@router.post("/cases/{case_id}/match", response=MatchOut)
def review_match(request: HttpRequest, case_id: int, payload: MatchIn) -> Any:
    return review_variant_match(
        actor=_actor(request), scope=request_scope(request), case_id=case_id, number=payload.number
    )


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=request.api_user, ip_address=client_ip(request.META), channel=request.auth_channel)  # type: ignore[attr-defined]
