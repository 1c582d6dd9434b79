"""Errors said in the reader's language, per error code (decision 0108).

An error keeps its English message, which names the offending value, for the API and the audit
trail. The console says its code's problem and fix, translated, with that message and the error's
own fix beside them when the reader does not read English. Modules keep their codes' texts next to
their code; this module has the texts of the table reader every upload shares (`core.tabular`).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import get_language, gettext, gettext_noop

from medreg.core.errors import DomainError


@dataclass(frozen=True, slots=True)
class ErrorText:
    problem: str
    fix: str


@dataclass(frozen=True, slots=True)
class SaidError:
    """An error as the console shows it."""

    field: str
    problem: str
    fix: str
    detail: str  # the error's own English message and fix, when the problem is said in another language

    def sentence(self) -> str:
        """Problem, fix and detail in one line, for a form's error message."""
        line = f"{self.problem} {self.fix}".strip()
        return f"{line} ({self.detail})" if self.detail else line


_RESAVE = gettext_noop("Open the file in Excel or WPS and save it again as .xlsx (or as CSV UTF-8).")
_SPLIT = gettext_noop("Split it into smaller files and upload them one by one.")

TABLE_TEXTS = {
    "too_large": ErrorText(gettext_noop("The file is larger than the platform accepts."), _SPLIT),
    "empty_file": ErrorText(
        gettext_noop("The file is empty."), gettext_noop("Send a file whose first row names the columns.")
    ),
    "unsupported_format": ErrorText(
        gettext_noop("Legacy .xls workbooks are not accepted."), gettext_noop("Save the workbook as .xlsx or CSV.")
    ),
    "broken_xlsx": ErrorText(gettext_noop("The file is not a readable Excel workbook."), _RESAVE),
    "hostile_xlsx": ErrorText(gettext_noop("The workbook declares XML entities."), _RESAVE),
    "xlsx_too_large": ErrorText(gettext_noop("The workbook unpacks to more than the platform accepts."), _SPLIT),
    "not_text": ErrorText(gettext_noop("The file holds binary data or control characters, not CSV text."), _RESAVE),
    "unknown_encoding": ErrorText(
        gettext_noop("The file is neither UTF-8 nor GB18030 text."),
        gettext_noop("Save it from Excel as CSV UTF-8 (comma delimited)."),
    ),
    "malformed_csv": ErrorText(
        gettext_noop("The CSV cannot be read."),
        gettext_noop("Check the quotes in the line the detail names, or save the file again from Excel."),
    ),
    "missing_header": ErrorText(
        gettext_noop("Row 1 is empty; it must name the columns."), gettext_noop("Put the column names in row 1.")
    ),
    "too_many_columns": ErrorText(
        gettext_noop("The file has more columns than the platform accepts."),
        gettext_noop("Keep only the columns of the upload template."),
    ),
    "too_many_rows": ErrorText(gettext_noop("The file has more rows than the platform accepts."), _SPLIT),
}


def said(code: str, field: str, message: str, fix: str, texts: Mapping[str, ErrorText]) -> SaidError:
    """An error in the active language: its code's text from `texts`, translated, with its own
    message and fix as the detail (they name the value and may list the valid ones); its own
    message and fix when the reader reads English or `texts` has no text for its code."""
    text = texts.get(code)
    if text is None or (get_language() or "en").split("-")[0] == "en":
        return SaidError(field, message, fix, "")
    return SaidError(field, gettext(text.problem), gettext(text.fix), f"{message} {fix}".strip())


def said_refusal(error: DomainError, texts: Mapping[str, ErrorText] = TABLE_TEXTS) -> str:
    """A DomainError's errors in the active language, one sentence each, for a form's error message."""
    return "; ".join(said(e.code, e.field, e.message, e.fix, texts).sentence() for e in error.errors)
