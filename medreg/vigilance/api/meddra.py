"""MedDRA endpoints: loaded releases (regulators), upload and activation (national regulator), version diff."""

import dataclasses
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from medreg.core.actor import Actor, client_ip
from medreg.core.api.auth import request_scope
from medreg.vigilance import meddra_selectors
from medreg.vigilance.models.meddra import MeddraRelease
from medreg.vigilance.services.meddra import activate_release, refuse_oversized, require_loader, upload_release

router = Router(tags=["vigilance"])


class ReleaseOut(Schema):
    id: int
    version: str
    language: str
    source_name: str
    source_checksum: str
    loaded_at: dt.datetime
    loaded_by_name: str
    load_seconds: float
    soc_count: int
    hlgt_count: int
    hlt_count: int
    pt_count: int
    llt_count: int
    current_llt_count: int
    path_count: int
    smq_count: int
    is_active: bool
    activated_at: dt.datetime | None


class UploadIn(Schema):
    activate: bool = Field(default=False, description="Put the release in use for its language once loaded.")


class DiffIn(Schema):
    old: int = Field(ge=1, le=2_147_483_647, description="id of the earlier release")
    new: int = Field(ge=1, le=2_147_483_647, description="id of the later release")


class ChangeListOut(Schema):
    count: int
    rows: list[dict[str, Any]]


class DiffOut(Schema):
    old: ReleaseOut
    new: ReleaseOut
    added_by_level: dict[str, int]
    removed_by_level: dict[str, int]
    added: ChangeListOut
    removed: ChangeListOut
    made_non_current: ChangeListOut
    made_current: ChangeListOut
    moved_primary_soc: ChangeListOut
    moved_to_other_pt: ChangeListOut
    renamed: ChangeListOut


def _actor(request: HttpRequest) -> Actor:
    user = request.user if request.user.is_authenticated else None
    return Actor(user=user, ip_address=client_ip(request.META), channel="api")  # type: ignore[arg-type]


@router.get("/releases", response=list[ReleaseOut])
def list_releases(request: HttpRequest) -> list[MeddraRelease]:
    """Every loaded release, its history included; the one in use per language has is_active."""
    return list(meddra_selectors.releases(request_scope(request)))


@router.post("/releases", response={201: ReleaseOut})
def upload(request: HttpRequest, file: File[UploadedFile], data: Form[UploadIn]) -> Status:
    """Load a zipped MedDRA ASCII distribution (national regulator): all stored, or nothing with an error
    naming the file, line and field."""
    require_loader(request_scope(request))
    refuse_oversized(file.size or 0)
    content = file.read()
    found = upload_release(
        actor=_actor(request),
        scope=request_scope(request),
        data=content,
        filename=file.name or "",
        activate=data.activate,
    )
    return Status(201, found)


@router.post("/releases/{release_id}/activate", response=ReleaseOut)
def activate(request: HttpRequest, release_id: int) -> MeddraRelease:
    """Put a loaded release in use for its language (national regulator; audited)."""
    return activate_release(actor=_actor(request), scope=request_scope(request), release_id=release_id)


@router.get("/diff", response=DiffOut)
def diff(request: HttpRequest, query: Query[DiffIn]) -> dict[str, Any]:
    """What changed between two loaded releases (counts complete, at most 500 rows per kind)."""
    found = meddra_selectors.release_diff(request_scope(request), query.old, query.new)
    data = {f.name: getattr(found, f.name) for f in dataclasses.fields(found)}
    return {k: dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v for k, v in data.items()}
