"""All-or-nothing import: every row is parsed and validated with the services' build_* functions;
only a file without a single error is written, in one transaction, with its audit records."""

from dataclasses import dataclass, field
from typing import Any

import pydantic
from django.db import IntegrityError, transaction

from medreg.core.actor import Actor
from medreg.core.errors import DomainError, FieldError
from medreg.core.scoping import Scope
from medreg.core.tabular import Limits, Sheet, read_table
from medreg.registry.importing.columns import COLUMNS, Kind, column_of, payload_for, unprotect
from medreg.registry.importing.kinds import SPECS, UniqueKey
from medreg.registry.resolver import Resolver
from medreg.registry.services.common import require_registry_writer

MAX_REPORTED_ERRORS = 1000


@dataclass
class ImportReport:
    """The outcome: rows written (0 on refusal or dry run), rows valid, and every error found."""

    kind: Kind
    created: int = 0
    valid_rows: int = 0
    dry_run: bool = False
    errors: list[FieldError] = field(default_factory=list)
    error_count: int = 0
    status: int = 201

    @property
    def accepted(self) -> bool:
        return self.error_count == 0

    def as_dict(self) -> dict[str, object]:
        if not self.accepted:
            return {"errors": [e.as_dict() for e in self.errors], "error_count": self.error_count}
        return {"created": self.created, "valid_rows": self.valid_rows, "dry_run": self.dry_run}


@dataclass
class ParsedRow:
    """One row turned into schema input, with the package level numbers its columns used."""

    number: int
    data: Any
    level_numbers: list[int]


def import_file(
    kind: Kind,
    data: bytes,
    *,
    filename: str,
    actor: Actor,
    scope: Scope,
    dry_run: bool = False,
    limits: Limits | None = None,
) -> ImportReport:
    """Validate the whole file; write it only if no row has an error (never a partial write)."""
    require_registry_writer(scope)
    report = ImportReport(Kind(kind), dry_run=dry_run)
    resolver = Resolver(scope)  # one resolver for the file: codes are looked up once, in the caller's scope
    limits = limits or Limits.from_settings()
    try:
        drafts = _validate(report.kind, read_table(data, filename, limits), resolver, limits)
    except DomainError as refusal:
        return _refused(report, refusal.errors, refusal.status)
    report.valid_rows = len(drafts)
    if not dry_run:
        return _write(report, drafts, actor, resolver)
    report.status = 200
    return report


def _refused(report: ImportReport, errors: list[FieldError], status: int) -> ImportReport:
    ordered = sorted(errors, key=lambda e: e.row or 0)
    report.errors, report.error_count, report.status = ordered[:MAX_REPORTED_ERRORS], len(ordered), status
    return report


def _write(report: ImportReport, drafts: list[Any], actor: Actor, resolver: Resolver) -> ImportReport:
    try:
        with transaction.atomic():
            if drafts:
                SPECS[report.kind].save(actor, drafts, resolver)
    except IntegrityError:
        error = FieldError(
            "file",
            "conflict",
            "Another user registered some of these records while the file was being imported; nothing was written.",
            "Import the file again: the report will name the rows that now exist.",
        )
        return _refused(report, [error], 409)
    report.created = len(drafts)
    return report


def _validate(kind: Kind, sheet: Sheet, resolver: Resolver, limits: Limits) -> list[Any]:
    """The built objects of every row, or DomainError carrying every error of the file."""
    check_header(kind, sheet.header)
    errors: list[FieldError] = []
    parsed = [
        row
        for row in (_parse(kind, sheet.header, n, cells, limits=limits, errors=errors) for n, cells in sheet.rows)
        if row
    ]
    _preload(kind, resolver, parsed)
    built = [(row, _build(kind, row, resolver, errors)) for row in parsed]
    drafts = [(row, draft) for row, draft in built if draft is not None]
    errors += _duplicates(kind, drafts)
    if errors:
        raise DomainError(errors)
    return [draft for _, draft in drafts]


def check_header(kind: Kind, header: list[str]) -> None:
    """Unknown, repeated and missing columns, all named in one refusal."""
    layout, errors = COLUMNS[kind], []
    unknown = [name for name in header if name and name not in layout.names]
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    missing = [name for name in layout.required if name not in header]
    if unknown:
        errors.append(_header_error("unknown_columns", f"Unknown columns: {', '.join(unknown)}.", layout.names))
    if repeated:
        errors.append(_header_error("repeated_columns", f"Columns named twice: {', '.join(repeated)}.", layout.names))
    if missing:
        errors.append(
            _header_error("missing_columns", f"Required columns missing: {', '.join(missing)}.", layout.names)
        )
    if errors:
        raise DomainError(errors)


def _header_error(code: str, message: str, names: tuple[str, ...]) -> FieldError:
    return FieldError("header", code, message, f"Row 1 must name columns among: {', '.join(names)}.", 1)


def _parse(
    kind: Kind, header: list[str], number: int, cells: list[str], *, limits: Limits, errors: list[FieldError]
) -> ParsedRow | None:
    """Schema input of one row; cell and schema errors are added to `errors` with the row number."""
    row_errors: list[FieldError] = []
    values = _cells_by_column(header, cells, limits, row_errors)
    payload = payload_for(kind, values, row_errors)
    data = None
    try:
        data = COLUMNS[kind].schema.model_validate(payload)
    except pydantic.ValidationError as error:
        row_errors += [_from_pydantic(kind, e, payload) for e in error.errors()]
    errors += [_at_row(e, number) for e in row_errors]
    if row_errors or data is None:
        return None
    return ParsedRow(number, data, [level["level"] for level in payload.get("package_levels", [])])


def _cells_by_column(header: list[str], cells: list[str], limits: Limits, errors: list[FieldError]) -> dict[str, str]:
    values: dict[str, str] = {}
    for position, raw in enumerate(cells):
        name = header[position] if position < len(header) else ""
        value = unprotect(raw.strip())
        if not value:
            continue
        if not name:
            errors.append(
                FieldError(
                    f"column {position + 1}",
                    "unnamed_column",
                    "This cell has no column name in row 1.",
                    "Name the column in row 1 or clear the cell.",
                )
            )
        elif len(value) > limits.max_cell_chars:
            errors.append(
                FieldError(
                    name,
                    "too_long",
                    f"The cell has {len(value):,} characters; at most {limits.max_cell_chars:,} are accepted.",
                    "Shorten the text.",
                )
            )
        else:
            values[name] = value
    return values


def _from_pydantic(kind: Kind, error: Any, payload: dict[str, Any]) -> FieldError:
    location = ".".join(str(part) for part in error.get("loc", ()))
    levels = [level["level"] for level in payload.get("package_levels", [])]
    column = column_of(kind, location, levels) if location else "__all__"
    message = str(error.get("msg", "invalid value"))
    fix = "Fill in this column." if error.get("type") == "missing" else "Correct the value in this cell."
    return FieldError(column, str(error.get("type", "invalid")), message + ".", fix)


def _at_row(error: FieldError, number: int) -> FieldError:
    return FieldError(error.field, error.code, error.message, error.fix, number)


def _preload(kind: Kind, resolver: Resolver, rows: list[ParsedRow]) -> None:
    """One query for all jurisdictions and one for all enterprises the file refers to."""
    spec = SPECS[kind]
    jurisdictions = {code.strip() for row in rows for code in spec.jurisdiction_codes(row.data)}
    enterprises = {code.strip().upper() for row in rows for code in spec.enterprise_codes(row.data)}
    resolver.preload(jurisdictions, enterprises)


def _build(kind: Kind, row: ParsedRow, resolver: Resolver, errors: list[FieldError]) -> Any:
    """The service's build_* on one row; its errors are renamed to columns and given the row number."""
    row_errors: list[FieldError] = []
    draft = SPECS[kind].build(row.data, resolver, row_errors)
    for error in row_errors:
        column = column_of(kind, error.field, row.level_numbers)
        errors.append(FieldError(column, error.code, error.message, error.fix, row.number))
    return None if row_errors else draft


def _duplicates(kind: Kind, drafts: list[tuple[ParsedRow, Any]]) -> list[FieldError]:
    """A key used twice in the file (blamed on the later row) or already taken in the database."""
    errors: list[FieldError] = []
    first_row: dict[tuple[str, ...], int] = {}
    all_keys: list[UniqueKey] = []
    blame: dict[UniqueKey, int] = {}
    for row, draft in drafts:
        for column, value in SPECS[kind].keys(draft):
            if value in first_row:
                errors.append(
                    FieldError(
                        column,
                        "duplicate_in_file",
                        f"{value[-1]} also appears in row {first_row[value]}.",
                        "Keep one of the two rows.",
                        row.number,
                    )
                )
                continue
            first_row[value] = row.number
            all_keys.append((column, value))
            blame[(column, value)] = row.number
    for column, value in SPECS[kind].taken(all_keys):
        errors.append(
            FieldError(
                column,
                "duplicate",
                f"{value[-1]} is already registered.",
                "Remove the row; update the existing record instead.",
                blame[(column, value)],
            )
        )
    return errors
