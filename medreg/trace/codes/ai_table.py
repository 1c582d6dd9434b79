"""GS1 Application Identifier (AI) metadata and per-element validation.

Format, length and character-set rules come from the AI table bundled with
``biip`` (no network, no dependency on the conformance files).  The small
tables below add what biip does not carry: the pre-defined-length (no FNC1)
AI prefixes, the check-digit and date linters per AI, and the GS1 Digital
Link primary keys / qualifiers.  ``tests/trace/test_codes_conformance.py``
cross-checks these tables against the GS1 Barcode Syntax Dictionary.
"""

from __future__ import annotations

from biip import ParseConfig, ParseError
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_element_strings import GS1ElementString

from medreg.trace.codes import linters
from medreg.trace.codes.errors import CodeError

#: AI prefixes of pre-defined length: no FNC1 separator follows them
#: (GS1 General Specifications, figure 7.8.5-2).
PREDEFINED_LENGTH_PREFIXES = (
    "00", "01", "02", "03", "04", "11", "12", "13", "14", "15", "16", "17",
    "18", "19", "20", "31", "32", "33", "34", "35", "36", "41",
)  # fmt: skip

#: Check-digit spans (start, end) inside the AI value, linter ``csum``.
CHECK_DIGIT_SPANS: dict[str, tuple[int, int]] = {
    "00": (0, 18), "01": (0, 14), "02": (0, 14), "03": (0, 14),
    "253": (0, 13), "255": (0, 13), "402": (0, 17),
    "410": (0, 13), "411": (0, 13), "412": (0, 13), "413": (0, 13),
    "414": (0, 13), "415": (0, 13), "416": (0, 13), "417": (0, 13),
    "8003": (1, 14), "8006": (0, 14), "8017": (0, 18), "8018": (0, 18),
    "8026": (0, 14),
}  # fmt: skip

#: Date AIs whose day may be 00 (``yymmd0``) or must exist (``yymmdd``).
DATE_LINTERS: dict[str, linters.Linter] = {
    **dict.fromkeys(("11", "12", "13", "15", "16", "17", "4324", "4325"), linters.yymmd0),
    **dict.fromkeys(("4326", "7003", "7006", "7007", "7011", "8008"), linters.yymmdd),
}

#: GS1 Digital Link primary keys and their alternative qualifier sequences.
DL_PRIMARY_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "00": (), "01": (("22", "10", "21"), ("235",)), "253": (), "255": (),
    "401": (), "402": (), "414": (("254",), ("7040",)), "415": (("8020",),),
    "417": (("7040",),), "8003": (), "8004": (("7040",),),
    "8006": (("22", "10", "21"),), "8010": (("8011",),), "8013": (),
    "8017": (("8019",),), "8018": (("8019",),),
}  # fmt: skip

#: AIs that may NOT be used as Digital Link data attributes (query string).
NOT_DL_ATTRIBUTES = frozenset({
    "03", "21", "22", "235", "254", "7040", "7041", "8011", "8014", "8019",
    "8020", "8040", "8041", "8042", "8043", "8200",
})  # fmt: skip

#: Readable field names for the pack-level AIs.
FIELD_NAMES = {
    "00": "sscc", "01": "gtin", "10": "lot", "11": "production_date",
    "17": "expiry", "21": "serial", "22": "cpv",
}  # fmt: skip

UNKNOWN_AI_MAX_LENGTH = 90


def field_name(ai: str) -> str:
    """Readable field name for *ai* (``"gtin"``, ``"expiry"``, ``"ai_3103"``)."""
    return FIELD_NAMES.get(ai, f"ai_{ai}")


def lookup_ai(ai: str) -> GS1ApplicationIdentifier | None:
    """Return biip's metadata for exactly *ai*, or None if it is unknown."""
    if not ai.isdigit() or not 2 <= len(ai) <= 4:
        return None
    try:
        found = GS1ApplicationIdentifier.extract(ai)
    except ParseError:
        return None
    return found if found.ai == ai else None


def fnc1_required(ai: str) -> bool:
    """True when an FNC1 separator must follow *ai* unless it ends the data."""
    return not ai.startswith(PREDEFINED_LENGTH_PREFIXES)


def require_known_ai(ai: str) -> GS1ApplicationIdentifier:
    """Return the metadata of *ai* or raise a :class:`CodeError`."""
    info = lookup_ai(ai)
    if info is None:
        raise CodeError(
            "ai",
            f"({ai}) is not a known GS1 Application Identifier.",
            "Use a 2-4 digit AI from the GS1 General Specifications, e.g. (01) GTIN, "
            "(21) serial, (10) lot, (17) expiry.",
        )
    return info


def _format_error(ai: str, info: GS1ApplicationIdentifier, value: str) -> CodeError:
    """Error for a value that does not match the AI's format."""
    return CodeError(
        field_name(ai),
        f"value {value!r} does not fit AI ({ai}) {info.data_title} format {info.format}.",
        f"Give AI ({ai}) data in format {info.format} (N = digit, X = GS1 "
        "character set 82, '..n' = up to n characters).",
    )


def _check_format(ai: str, info: GS1ApplicationIdentifier, value: str) -> None:
    """Validate length, character set and (via biip) date plausibility."""
    try:
        GS1ElementString.parse(ai + value, config=ParseConfig())
    except (ParseError, ValueError) as exc:
        raise _format_error(ai, info, value) from exc


def _check_digit(ai: str, value: str) -> None:
    """Apply the ``csum`` linter to the key part of *value*, if any."""
    span = CHECK_DIGIT_SPANS.get(ai)
    if span is None:
        return
    problem = linters.csum(value[span[0] : span[1]])
    if problem:
        raise CodeError(
            field_name(ai),
            f"AI ({ai}) value {value!r}: {problem}.",
            "Re-scan or re-type the number; the last digit is a GS1 mod-10 check digit.",
        )


def _check_date(ai: str, value: str) -> None:
    """Apply the date linter of *ai* (``yymmd0`` / ``yymmdd``), if any."""
    linter = DATE_LINTERS.get(ai)
    problem = linter(value[:6]) if linter else None
    if problem:
        raise CodeError(
            field_name(ai),
            f"AI ({ai}) date {value[:6]!r}: {problem}.",
            "Write the date as YYMMDD with month 01-12 and a real day"
            + (" (DD=00 means end of month)." if linter is linters.yymmd0 else "."),
        )


def _check_unknown(ai: str, value: str) -> None:
    """Validate the data of a permitted unknown AI (CSET 82, 1-90 chars)."""
    problem = linters.cset82(value)
    if problem or not 1 <= len(value) <= UNKNOWN_AI_MAX_LENGTH:
        raise CodeError(
            field_name(ai),
            f"unknown AI ({ai}) value {value!r} is invalid ({problem or 'length'}).",
            "Use 1-90 characters from GS1 character set 82.",
        )


def validate_element(ai: str, value: str, *, permit_unknown: bool = False) -> None:
    """Validate one AI and its value; raise :class:`CodeError` on problems."""
    if permit_unknown and lookup_ai(ai) is None and ai.isdigit() and 2 <= len(ai) <= 4:
        _check_unknown(ai, value)
        return
    info = require_known_ai(ai)
    _check_date(ai, value)
    _check_format(ai, info, value)
    _check_digit(ai, value)
