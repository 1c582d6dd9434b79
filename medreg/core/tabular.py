"""Read an uploaded file — CSV (UTF-8 with or without BOM, or GB18030) or .xlsx — into a header and
rows of text cells. Oversized, malformed or hostile files are refused with one clear error."""

import csv
import datetime as dt
import io
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import openpyxl
from django.conf import settings

from medreg.core.errors import DomainError
from medreg.core.zipfiles import ZIP_READ_ERRORS

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls and other compound documents
ALLOWED_CONTROL_CHARACTERS = frozenset("\t\n\r")


@dataclass(frozen=True)
class Limits:
    """What one import may contain; `from_settings` reads the deployment's values."""

    max_bytes: int
    max_rows: int
    max_cell_chars: int = 4000
    max_columns: int = 64
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_zip_entries: int = 500

    @classmethod
    def from_settings(cls) -> "Limits":
        max_bytes = int(settings.MEDREG_MAX_UPLOAD_BYTES)
        return cls(
            max_bytes=max_bytes,
            max_rows=int(settings.MEDREG_MAX_IMPORT_ROWS),
            max_uncompressed_bytes=max(10 * max_bytes, 10 * 1024 * 1024),
        )


@dataclass(frozen=True)
class Sheet:
    """The header (row 1) and the non-blank data rows with their spreadsheet row numbers."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def refuse(code: str, message: str, fix: str, status: int = 400) -> DomainError:
    """A file-level refusal: the whole file is rejected with this one error."""
    return DomainError.single("file", code, message, fix, status)


def read_table(data: bytes, filename: str, limits: Limits) -> Sheet:
    """Detect the format from the content (not the name) and read the first sheet."""
    if len(data) > limits.max_bytes:
        raise refuse(
            "too_large",
            f"The file has {len(data):,} bytes; at most {limits.max_bytes:,} are accepted.",
            "Split the file into smaller files and import them one by one.",
            413,
        )
    if not data.strip():
        raise refuse("empty_file", "The file is empty.", "Send a file whose first row names the columns.")
    if data.startswith(ZIP_MAGIC):
        return read_xlsx(data, limits)
    if data.startswith(OLE2_MAGIC):
        raise refuse(
            "unsupported_format", "Legacy .xls workbooks are not accepted.", "Save the workbook as .xlsx or CSV."
        )
    if filename.lower().endswith(".xlsx"):
        raise refuse("broken_xlsx", "The file is named .xlsx but is not an Excel workbook.", _RESAVE)
    return read_csv(data, limits)


_RESAVE = "Open the file in Excel or WPS and save it again as .xlsx (or as CSV UTF-8)."


def decode_text(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) first, then GB18030 — what Chinese Excel writes for "CSV"."""
    if b"\x00" in data:
        raise refuse("not_text", "The file contains binary data, not CSV text.", _RESAVE)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(c) == "Cc" and c not in ALLOWED_CONTROL_CHARACTERS for c in text):
            raise refuse("not_text", "The file contains control characters, not CSV text.", _RESAVE)
        return text
    raise refuse(
        "unknown_encoding",
        "The file is neither UTF-8 nor GB18030 text.",
        "Save it from Excel as 'CSV UTF-8 (comma delimited)'.",
    )


def read_csv(data: bytes, limits: Limits) -> Sheet:
    """Comma-separated records; a record may span lines inside quotes and counts as one row."""
    reader = csv.reader(io.StringIO(decode_text(data), newline=""))
    try:
        return collect_rows(reader, limits)
    except csv.Error as error:
        raise refuse(
            "malformed_csv",
            f"The CSV cannot be read near line {reader.line_num}: {error}.",
            "Check the quotes in that line, or save the file again from Excel.",
        ) from error


def collect_rows(records: Iterable[list[str]], limits: Limits) -> Sheet:
    """The header and the non-blank rows, refusing more rows or columns than the limits allow."""
    iterator = iter(records)
    header = [cell.strip() for cell in _trim(next(iterator, []))]
    if not any(header):
        raise refuse("missing_header", "Row 1 is empty; it must name the columns.", "Put the column names in row 1.")
    if len(header) > limits.max_columns:
        raise refuse("too_many_columns", f"Row 1 has more than {limits.max_columns} columns.", _COLUMNS)
    rows: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(iterator, start=2):
        if len(cells) > limits.max_columns:
            raise refuse("too_many_columns", f"Row {number} has more than {limits.max_columns} columns.", _COLUMNS)
        if any(cell.strip() for cell in cells):
            rows.append((number, _trim(cells)))
        if len(rows) > limits.max_rows:
            raise refuse(
                "too_many_rows",
                f"The file has more than {limits.max_rows:,} data rows.",
                "Split it into files of fewer rows and import them one by one.",
            )
    return Sheet(header, rows)


_COLUMNS = "Remove the extra columns; only the documented columns are accepted."


def _trim(cells: list[str]) -> list[str]:
    """Drop trailing empty cells (spreadsheets pad rows to the widest one)."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return list(cells[:end])


def read_xlsx(data: bytes, limits: Limits) -> Sheet:
    """The first worksheet of an .xlsx workbook, opened read-only after the archive was checked."""
    check_archive(data, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                return _first_sheet(workbook, limits)
            finally:
                workbook.close()
    except DomainError:
        raise
    except Exception as error:  # openpyxl raises many exception types on malformed parts
        raise refuse("broken_xlsx", f"The workbook cannot be read ({type(error).__name__}).", _RESAVE) from error


def _first_sheet(workbook: openpyxl.Workbook, limits: Limits) -> Sheet:
    if not workbook.worksheets:
        raise refuse("broken_xlsx", "The workbook has no worksheet.", "Put the data in the first sheet.")
    sheet = workbook.worksheets[0]
    rows, columns = getattr(sheet, "max_row", None), getattr(sheet, "max_column", None)
    if isinstance(columns, int) and columns > limits.max_columns:
        raise refuse("too_many_columns", f"The first sheet has {columns} columns.", _COLUMNS)
    if isinstance(rows, int) and rows > 1 + limits.max_rows * 2:  # blank rows are skipped, allow some
        raise refuse("too_many_rows", f"The first sheet has {rows:,} rows.", "Split it into smaller files.")
    return collect_rows(_text_rows(sheet.iter_rows(values_only=True), limits), limits)


def _text_rows(rows: Iterable[tuple[object, ...]], limits: Limits) -> Iterator[list[str]]:
    for row in rows:
        yield [cell_text(value) for value in row[: limits.max_columns + 1]]


def cell_text(value: object) -> str:
    """An Excel cell as the text a CSV would hold: dates as YYYY-MM-DD, whole numbers without .0."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_archive(data: bytes, limits: Limits) -> None:
    """Refuse zip bombs and XML with document type declarations before openpyxl loads anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            _check_sizes(entries, limits)
            for entry in entries:
                if entry.filename.endswith((".xml", ".rels")) and _declares_doctype(archive, entry):
                    raise refuse("hostile_xlsx", "The workbook declares XML entities.", _RESAVE)
    except DomainError:
        raise
    except ZIP_READ_ERRORS as error:
        raise refuse("broken_xlsx", "The file is not a readable .xlsx workbook (broken zip).", _RESAVE) from error


def _check_sizes(entries: list[zipfile.ZipInfo], limits: Limits) -> None:
    total = sum(entry.file_size for entry in entries)
    if len(entries) > limits.max_zip_entries or total > limits.max_uncompressed_bytes:
        raise refuse(
            "xlsx_too_large",
            f"The workbook unpacks to {total:,} bytes in {len(entries)} parts; "
            f"at most {limits.max_uncompressed_bytes:,} bytes are accepted.",
            "Split the data into smaller workbooks, or import it as CSV.",
            413,
        )


def _declares_doctype(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    with archive.open(entry) as stream:
        prolog = stream.read(4096).upper()
    return b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog
