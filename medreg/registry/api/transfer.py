"""Bulk transfer endpoints: import a CSV/.xlsx file all-or-nothing, export the caller's rows."""

from enum import StrEnum

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from medreg.core.api.auth import request_scope
from medreg.core.errors import DomainError
from medreg.registry.api.routes import actor_of
from medreg.registry.importing import Kind, export_csv, export_xlsx, import_file
from medreg.registry.services.common import require_registry_writer

router = Router(tags=["registry transfer"])

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class ImportAccepted(Schema):
    created: int
    valid_rows: int
    dry_run: bool


class ImportRefused(Schema):
    errors: list[dict[str, object]]
    error_count: int


@router.post(
    "/{kind}/import",
    response={200: ImportAccepted, 201: ImportAccepted, 400: ImportRefused, 409: ImportRefused, 413: ImportRefused},
)
def import_rows(
    request: HttpRequest, kind: Kind, file: File[UploadedFile], dry_run: bool = False
) -> Status[dict[str, object]]:
    """Validate every row; write all rows in one transaction only if none has an error.
    `dry_run=true` validates without writing (200)."""
    scope = request_scope(request)
    require_registry_writer(scope)
    _check_size(file)
    data = file.read(settings.MEDREG_MAX_UPLOAD_BYTES + 1)
    report = import_file(kind, data, filename=file.name or "", actor=actor_of(request), scope=scope, dry_run=dry_run)
    return Status(report.status, report.as_dict())


def _check_size(file: UploadedFile) -> None:
    if (file.size or 0) > settings.MEDREG_MAX_UPLOAD_BYTES:
        raise DomainError.single(
            "file",
            "too_large",
            f"The file has {file.size:,} bytes; at most {settings.MEDREG_MAX_UPLOAD_BYTES:,} are accepted.",
            "Split the file into smaller files and import them one by one.",
            413,
        )


@router.get("/{kind}/export")
def export_rows(request: HttpRequest, kind: Kind, format: ExportFormat = ExportFormat.CSV) -> HttpResponseBase:
    """The rows the caller may see, with the import columns (CSV streamed, UTF-8 with BOM)."""
    scope = request_scope(request)
    disposition = f'attachment; filename="{kind.value}.{format.value}"'
    if format is ExportFormat.XLSX:
        return HttpResponse(
            export_xlsx(kind, scope), content_type=XLSX_CONTENT_TYPE, headers={"Content-Disposition": disposition}
        )
    return StreamingHttpResponse(
        export_csv(kind, scope), content_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition}
    )
