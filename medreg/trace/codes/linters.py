"""Component linters from the GS1 Barcode Syntax Dictionary.

Each linter takes the text of one AI component and returns ``None`` when the
component is valid, or a short English description of the problem.  Only the
linters needed by pack-level AIs (00, 01, 02, 03, 10, 11, 17, 21 and the
other date / key AIs) are implemented; :data:`LINTERS` maps the dictionary
name (``gs1_lint_<name>``) to the function.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable

from biip.checksums import gs1_standard_check_digit

LintResult = str | None
Linter = Callable[[str], LintResult]
GcpLookup = Callable[[str], bool]

#: GS1 AI encodable character set 82 (ISO/IEC 646 subset used by GS1).
CSET82 = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset("0123456789")
GCP_MIN_LENGTH = 4


def _is_digits(data: str) -> bool:
    """Return True when *data* is non-empty and only ASCII digits."""
    return bool(data) and all(ch in _DIGITS for ch in data)


def csetnumeric(data: str) -> LintResult:
    """Every character must be an ASCII digit (empty data passes)."""
    if all(ch in _DIGITS for ch in data):
        return None
    return "contains a character that is not a digit 0-9"


def cset82(data: str) -> LintResult:
    """Every character must belong to GS1 character set 82 (empty passes)."""
    for position, ch in enumerate(data):
        if ch not in CSET82:
            return f"character {ch!r} at position {position + 1} is not allowed"
    return None


def csum(data: str) -> LintResult:
    """The last digit must be the GS1 mod-10 check digit of the others."""
    if not _is_digits(data):
        return "must be digits only, ending in a check digit"
    if gs1_standard_check_digit(data[:-1]) != int(data[-1]):
        expected = gs1_standard_check_digit(data[:-1])
        return f"check digit is {data[-1]} but should be {expected}"
    return None


def _date_problem(data: str, *, allow_zero_day: bool) -> LintResult:
    """Validate a YYMMDD date, optionally allowing DD=00 (end of month)."""
    if len(data) != 6 or not _is_digits(data):
        return "must be exactly 6 digits YYMMDD"
    year, month, day = int(data[:2]), int(data[2:4]), int(data[4:])
    if not 1 <= month <= 12:
        return f"month {data[2:4]} is not 01-12"
    if day == 0 and allow_zero_day:
        return None
    # Two-digit years: every year divisible by 4 is treated as a leap year,
    # as in the GS1 reference linters (2000 is a leap year).
    leap_year = 2000 + year if year % 4 == 0 else 2001
    if not 1 <= day <= calendar.monthrange(leap_year, month)[1]:
        return f"day {data[4:]} does not exist in month {data[2:4]}"
    return None


def yymmdd(data: str) -> LintResult:
    """A calendar date YYMMDD; the day must exist."""
    return _date_problem(data, allow_zero_day=False)


def yymmd0(data: str) -> LintResult:
    """A calendar date YYMMDD where DD may be 00 (meaning end of month)."""
    return _date_problem(data, allow_zero_day=True)


def nonzero(data: str) -> LintResult:
    """A number (digits only) that is not zero."""
    if not _is_digits(data):
        return "must be digits only"
    return None if data.strip("0") else "must not be zero"


def zero(data: str) -> LintResult:
    """A number (digits only) that is zero."""
    if not _is_digits(data):
        return "must be digits only"
    return "must be zero" if data.strip("0") else None


def hasnondigit(data: str) -> LintResult:
    """At least one character must not be a digit."""
    if any(ch not in _DIGITS for ch in data):
        return None
    return "must contain at least one non-digit character"


def gcppos1(data: str, lookup: GcpLookup | None = None) -> LintResult:
    """The data must start with a GS1 Company Prefix (GCP).

    Without a *lookup* only the minimum GCP length (4 digits) is checked, as
    in the GS1 reference linter.  A *lookup* callable (for instance backed by
    a GEPIR / GS1 Registry Platform extract) may reject unallocated prefixes.
    """
    if len(data) < GCP_MIN_LENGTH:
        return "too short to start with a GS1 Company Prefix"
    if not _is_digits(data[:GCP_MIN_LENGTH]):
        return "does not start with a numeric GS1 Company Prefix"
    if lookup is not None and not lookup(data):
        return "does not start with an allocated GS1 Company Prefix"
    return None


def gcppos2(data: str, lookup: GcpLookup | None = None) -> LintResult:
    """Like :func:`gcppos1`, starting at the second character."""
    if len(data) < 2:
        return "too short to start with a GS1 Company Prefix"
    return gcppos1(data[1:], lookup)


LINTERS: dict[str, Linter] = {
    "gs1_lint_csetnumeric": csetnumeric,
    "gs1_lint_cset82": cset82,
    "gs1_lint_csum": csum,
    "gs1_lint_yymmdd": yymmdd,
    "gs1_lint_yymmd0": yymmd0,
    "gs1_lint_nonzero": nonzero,
    "gs1_lint_zero": zero,
    "gs1_lint_hasnondigit": hasnondigit,
    "gs1_lint_gcppos1": gcppos1,
    "gs1_lint_gcppos2": gcppos2,
}
