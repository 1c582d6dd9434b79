"""Checks of single EPCIS values: timestamps, offsets, URIs, EPCs and EPC classes.

An identifier in the ``urn:epc:`` namespace must be a valid EPC URN, and a URI with a GS1
Digital Link primary-key path must be a valid Digital Link; any other absolute URI is a
private or industry identifier, which the CBV permits (decision 0102).

Each check returns ``None`` when the value is fine, or ``(code, message, fix)``.
The common pack identifiers (SGTIN, SSCC, LGTIN URNs and the GTIN+serial / SSCC
Digital Link forms) are checked by compiled patterns plus the GS1 check digit, which is
the fast path; anything else, and every failure, goes through :mod:`medreg.trace.codes`
so that the message is the precise one from the code parser.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from medreg.trace.codes import CodeError, parse_digital_link, parse_epc_urn
from medreg.trace.epcis.vocabulary import ABSOLUTE_URI

__all__ = [
    "Problem",
    "all_fast_epcs",
    "check_epc",
    "check_epc_class",
    "check_offset",
    "check_uri",
    "dl_primary_key",
    "parse_time",
]

Problem = tuple[str, str, str]

_TIME = re.compile(
    r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))\Z"
)
_OFFSET = re.compile(r"[+-]((0\d|1[0-3]):[0-5]\d|14:00)\Z")
_TEXT = r"(?:[A-Za-z0-9!'()*+,\-.:;=_]|%[0-9A-Fa-f]{2}){1,20}"
_PLAIN_TEXT = r"[A-Za-z0-9!'()*+,\-.:;=_]{1,20}"  # no %-escapes: those take the per-item path
_SGTIN = re.compile(r"urn:epc:id:sgtin:(\d{6,12})\.(\d{1,7})\." + _TEXT + r"\Z")
_LGTIN = re.compile(r"urn:epc:class:lgtin:(\d{6,12})\.(\d{1,7})\." + _TEXT + r"\Z")
_SSCC = re.compile(r"urn:epc:id:sscc:(\d{6,12})\.(\d{5,11})\Z")
_OTHER_EPC = re.compile(
    r"urn:epc:id:(sgln|grai|giai|gsrn|gsrnp|gdti|cpi|sgcn|ginc|gsin|itip|upui|pgln|gid|usdod|adi|bic|imovn"
    r"|lei|opt|cpv|gpi):[A-Za-z0-9!'()*+,\-.:;=_%/]+\Z"
)
_ID_PATTERN = re.compile(r"urn:epc:idpat:(sgtin|grai|gdti|sgcn|cpi|itip|upui|giai|gsrn|sscc|sgln):[A-Za-z0-9.*%\-_]+\Z")
_DL_FAST = re.compile(r"https?://[A-Za-z0-9.\-]+(?::\d+)?(?:/[^/?#]+)*?/(01/(\d{14})/21/" + _TEXT + r"|00/(\d{18}))\Z")
_DL_SHAPE = re.compile(r"https?://[^\s/?#]+(/[^\s?#]+)(?:\?[^\s#]*)?\Z")
#: Digital Link primary keys; the pack keys (GTIN 01, SSCC 00) are parsed fully by medreg.trace.codes.
_DL_PRIMARY_KEYS = frozenset(["00", "01", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006",
                              "8010", "8013", "8017", "8018"])  # fmt: skip
_GCP_SPLITS = "|".join(rf"\d{{{n}}}\.\d{{{13 - n}}}" for n in range(6, 13))
_SSCC_SPLITS = "|".join(rf"\d{{{n}}}\.\d{{{17 - n}}}" for n in range(6, 13))
#: One pattern over a whole newline-joined EPC list: SGTIN / SSCC / other EPC URNs (the fast path).
_EPC_BATCH = re.compile(
    rf"(?:(?:urn:epc:id:sgtin:(?:{_GCP_SPLITS})\.{_PLAIN_TEXT}|urn:epc:id:sscc:(?:{_SSCC_SPLITS})"
    rf"|{_OTHER_EPC.pattern[:-2]})\n)*"
)
_EPC_FIX = (
    "Give an EPC pure-identity URN (urn:epc:id:sgtin:0614141.107346.2017, urn:epc:id:sscc:...) "
    "or a GS1 Digital Link URI (https://id.gs1.org/01/09521141012345/21/2017)."
)
_CLASS_FIX = (
    "Give an EPC class: urn:epc:class:lgtin:4012345.011111.4444, urn:epc:idpat:sgtin:4012345.011111.* "
    "or a Digital Link URI such as https://id.gs1.org/01/09521141012345/10/LOT1."
)
_TIME_FIX = "Write an XML Schema dateTime with a zone, e.g. 2026-07-22T06:45:00.000+08:00 or ...Z."


def _check_digit_ok(digits: str) -> bool:
    """GS1 mod-10 check digit of a GTIN/SSCC digit string."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def parse_time(text: object) -> tuple[datetime | None, Problem | None]:
    """Parse an EPCIS timestamp (a dateTime with a zone), or say what is wrong."""
    if not isinstance(text, str) or _TIME.match(text) is None:
        return None, ("schema.datetime", f"{str(text)[:40]!r} is not a dateTime with a time zone.", _TIME_FIX)
    try:
        return datetime.fromisoformat(text), None
    except ValueError:
        return None, ("schema.datetime", f"{text[:40]!r} is not a valid date and time.", _TIME_FIX)


def check_offset(text: object) -> Problem | None:
    """``eventTimeZoneOffset`` must be ``±hh:mm`` between -14:00 and +14:00."""
    if isinstance(text, str) and _OFFSET.match(text):
        return None
    return ("schema.offset", f"{str(text)[:20]!r} is not a time-zone offset.", "Write ±hh:mm, e.g. +08:00.")


@lru_cache(maxsize=65536)
def _is_uri(text: str) -> bool:
    """Memoised URI shape check: locations, transactions and steps repeat across events."""
    return ABSOLUTE_URI.match(text) is not None


def check_uri(text: object) -> Problem | None:
    """The value must be an absolute URI (a string with a scheme and no spaces)."""
    if type(text) is str and _is_uri(text):
        return None
    if not isinstance(text, str):
        return ("schema.type", f"Expected a URI string, got {type(text).__name__}.", "Give the identifier as a string.")
    return (
        "schema.uri",
        f"{text[:60]!r} is not an absolute URI.",
        "Give a full URI with a scheme, e.g. urn:... or https://...",
    )


def _gtin_split_ok(match: re.Match[str], total: int) -> bool:
    """Company prefix + reference of a URN have the key's length."""
    return len(match.group(1)) + len(match.group(2)) == total


def _fast_epc(text: str) -> bool:
    """True when the fast patterns prove the EPC valid."""
    if text.startswith("urn:epc:id:sgtin:"):
        match = _SGTIN.match(text)
        return match is not None and _gtin_split_ok(match, 13)
    if text.startswith("urn:epc:id:sscc:"):
        match = _SSCC.match(text)
        return match is not None and _gtin_split_ok(match, 17)
    if text.startswith("urn:epc:id:"):
        return _OTHER_EPC.match(text) is not None
    match = _DL_FAST.match(text)
    return match is not None and _check_digit_ok(match.group(2) or match.group(3))


def dl_primary_key(text: str) -> str | None:
    """The primary-key AI of a Digital Link URI (first key segment of the path), or None."""
    match = _DL_SHAPE.match(text)
    if match is None:
        return None
    segments = match.group(1).split("/")
    return next((s for i, s in enumerate(segments[:-1]) if s in _DL_PRIMARY_KEYS and segments[i + 1]), None)


@lru_cache(maxsize=4096)
def _slow_identifier(text: str, urn_prefix: str) -> Problem | None:
    """Full check through the code parser; memoised (only reached off the fast path)."""
    try:
        if text.startswith(urn_prefix):
            parse_epc_urn(text)
            return None
        key = dl_primary_key(text)
        if key is None:
            if text.startswith("urn:epc:") or ABSOLUTE_URI.match(text) is None:
                return ("vocabulary.invalid_epc", f"{text[:60]!r} is not an EPC URI.", _EPC_FIX)
            return None  # a private or industry identifier URI (CBV 2.0 section 8; GS1 example CBV-11.2)
        if key in ("00", "01"):
            parse_digital_link(text)
    except CodeError as error:
        return ("vocabulary.invalid_epc", f"{text[:60]!r}: {error.problem}", error.fix or _EPC_FIX)
    return None


def all_fast_epcs(items: list[object]) -> bool:
    """True when every item is an EPC URN proven valid by one pattern match over the list."""
    try:
        joined = "\n".join(items) + "\n"  # type: ignore[arg-type]
    except TypeError:
        return False
    return _EPC_BATCH.fullmatch(joined) is not None


def check_epc(text: object) -> Problem | None:
    """An EPC (instance identifier): an EPC URN or a GS1 Digital Link URI."""
    if not isinstance(text, str):
        return ("schema.type", f"Expected an EPC URI string, got {type(text).__name__}.", _EPC_FIX)
    if _fast_epc(text):
        return None
    if text.startswith("urn:epc:id:") and not text.startswith(("urn:epc:id:sgtin:", "urn:epc:id:sscc:")):
        return ("vocabulary.invalid_epc", f"{text[:60]!r} is not a valid EPC URN.", _EPC_FIX)
    return _slow_identifier(text, "urn:epc:id:")


def check_epc_class(text: object) -> Problem | None:
    """An EPC class: an LGTIN URN, an EPC id pattern or a Digital Link URI."""
    if not isinstance(text, str):
        return ("schema.type", f"Expected an EPC class URI string, got {type(text).__name__}.", _CLASS_FIX)
    if text.startswith("urn:epc:class:lgtin:"):
        match = _LGTIN.match(text)
        if match is not None and _gtin_split_ok(match, 13):
            return None
    elif text.startswith("urn:epc:idpat:"):
        if _ID_PATTERN.match(text):
            return None
        return ("vocabulary.invalid_epc_class", f"{text[:60]!r} is not a valid EPC pattern.", _CLASS_FIX)
    problem = _slow_identifier(text, "urn:epc:class:")
    if problem is None:
        return None
    return ("vocabulary.invalid_epc_class", problem[1], _CLASS_FIX)
