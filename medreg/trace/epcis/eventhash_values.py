"""Canonical forms of single values for the EPCIS event hash.

* timestamps: UTC, millisecond precision (half-even rounding), ``Z`` suffix;
* numbers: ``float`` round trip, integral values without ``.0``;
* CBV vocabulary: URNs (``urn:epcglobal:cbv:bizstep:x``), CURIEs (``cbv:``, ``gs1:``) and
  JSON-LD bare words (``"shipping"``) all become web URIs (``https://ref.gs1.org/cbv/...``);
* GS1 identifiers: canonical Digital Link (see :mod:`eventhash_epc`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

from medreg.trace.epcis.eventhash_epc import normalise_identifier

CBV = "https://ref.gs1.org/cbv/"
GS1_VOC = "https://gs1.org/voc/"

_URN_VOCAB = (
    ("urn:epcglobal:cbv:bizstep:", CBV + "BizStep-"),
    ("urn:epcglobal:cbv:disp:", CBV + "Disp-"),
    ("urn:epcglobal:cbv:btt:", CBV + "BTT-"),
    ("urn:epcglobal:cbv:sdt:", CBV + "SDT-"),
    ("urn:epcglobal:cbv:er:", CBV + "ER-"),
    ("cbv:", CBV),
    ("gs1:", GS1_VOC),
)
_VOCAB_STARTS = ("urn:epcglobal:cbv:", "cbv:", "gs1:")

#: Prefix used to expand a JSON-LD bare word (``"shipping"``), per field name.
BARE_WORD_PREFIX: dict[str, str] = {
    "bizStep": CBV + "BizStep-",
    "disposition": CBV + "Disp-",
    "set": CBV + "Disp-",
    "unset": CBV + "Disp-",
    "bizTransactionType": CBV + "BTT-",
    "sourceOrDestinationType": CBV + "SDT-",
    "sensorType": GS1_VOC,
    "exception": GS1_VOC,
    "component": CBV + "Comp-",
    "errorReason": CBV + "ER-",
}
_BARE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_TIMESTAMP = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:[.,](\d+))?\s*(Z|z|[+-]\d\d(?::?\d\d)?)?")


def expand_bare_word(value: str, field: str) -> str:
    """Expand a JSON-LD bare word of a CBV-typed field to its web URI."""
    prefix = BARE_WORD_PREFIX.get(field)
    if prefix is not None and _BARE_WORD.fullmatch(value):
        return prefix + value
    return value


def _expand_vocabulary(text: str) -> str:
    """Replace CBV URNs and ``cbv:``/``gs1:`` CURIEs with web vocabulary URIs."""
    if not text.startswith(_VOCAB_STARTS):
        return text
    for old, new in _URN_VOCAB:
        if text.startswith(old):
            return new + text[len(old) :]
    return text


def _format_number(text: str) -> str:
    """Canonical decimal form of a numeric string (``'26.0'`` -> ``'26'``)."""
    number = float(text)
    if number.is_integer():
        return str(int(number))
    return str(number)


@lru_cache(maxsize=65536)
def canonical_value(text: str) -> str:
    """Canonical form of a (non-timestamp) value."""
    text = _expand_vocabulary(text)
    if _NUMBER.fullmatch(text):
        return _format_number(text)
    converted = normalise_identifier(text)
    return converted if converted is not None else text


def _offset(zone: str | None) -> timezone:
    """Parse a ``Z``/``+hh:mm``/``+hhmm``/``+hh`` offset (missing means UTC)."""
    if zone is None or zone in "Zz":
        return UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return timezone(sign * timedelta(minutes=minutes))


@lru_cache(maxsize=65536)
def canonical_timestamp(text: str) -> str:
    """Timestamp in UTC with millisecond precision, e.g. ``2020-03-04T10:00:30.000Z``."""
    found = _TIMESTAMP.fullmatch(text)
    if found is None:
        return text
    year, month, day, hour, minute, second, fraction, zone = found.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    millis = round(micros, -3)  # half-even, as the reference implementation
    moment = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=_offset(zone)
    ) + timedelta(microseconds=millis)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
