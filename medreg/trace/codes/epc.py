"""EPC pure-identity URNs (GS1 EPC Tag Data Standard) for packs and lots.

Supported schemes::

    urn:epc:id:sgtin:CompanyPrefix.IndicatorItemRef.Serial   (GTIN + serial)
    urn:epc:id:sscc:CompanyPrefix.ExtensionSerialRef         (SSCC)
    urn:epc:class:lgtin:CompanyPrefix.IndicatorItemRef.Lot   (GTIN + lot)

The GS1 Company Prefix (GCP) length is explicit in a URN but not in a GTIN,
so converting a GTIN to a URN needs the GCP length: pass ``gcp_length`` or
let :func:`gcp_length_for` look the prefix up in biip's bundled GCP table.
"""

from __future__ import annotations

from dataclasses import dataclass

from biip import ParseError
from biip.checksums import gs1_standard_check_digit
from biip.gs1_prefixes import GS1CompanyPrefix

from medreg.trace.codes import linters
from medreg.trace.codes.errors import CodeError

#: Characters that must be %-escaped in an EPC URN component (TDS table A-1).
ESCAPED = {
    '"': "%22",
    "%": "%25",
    "&": "%26",
    "/": "%2F",
    "<": "%3C",
    ">": "%3E",
    "?": "%3F",
}
_UNESCAPED = {code.upper(): ch for ch, code in ESCAPED.items()}
GCP_LENGTHS = range(6, 13)
MAX_SERIAL_LENGTH = 20
PREFIXES = {
    "sgtin": "urn:epc:id:sgtin:",
    "sscc": "urn:epc:id:sscc:",
    "lgtin": "urn:epc:class:lgtin:",
}
_FIX = "Use e.g. urn:epc:id:sgtin:0614141.812345.6789 (GCP.indicator+item ref.serial)."


@dataclass(frozen=True)
class EpcIdentity:
    """A decoded EPC URN."""

    scheme: str
    gcp_length: int
    gtin: str | None = None
    serial: str | None = None
    lot: str | None = None
    sscc: str | None = None


def _error(message: str, fix: str = _FIX) -> CodeError:
    """A :class:`CodeError` about an EPC URN."""
    return CodeError("epc_urn", message, fix)


def escape_component(text: str) -> str:
    """Escape a serial / lot for use in an EPC URN (``/`` -> ``%2F`` ...)."""
    return "".join(ESCAPED.get(ch, ch) for ch in text)


def unescape_component(text: str) -> str:
    """Undo :func:`escape_component`; reject unknown or bad escapes."""
    out, pos = [], 0
    while pos < len(text):
        if text[pos] == "%":
            code = text[pos : pos + 3].upper()
            if code not in _UNESCAPED:
                raise _error(
                    f"escape {text[pos : pos + 3]!r} is not allowed in an EPC URN.",
                    "Only %22 %25 %26 %2F %3C %3E %3F are valid escapes.",
                )
            out.append(_UNESCAPED[code])
            pos += 3
            continue
        if text[pos] in ESCAPED:
            raise _error(f"character {text[pos]!r} must be escaped as {ESCAPED[text[pos]]}.")
        out.append(text[pos])
        pos += 1
    return "".join(out)


def gcp_length_for(key: str) -> int | None:
    """GCP length of a GTIN-14 / SSCC (prefix after the first digit), if known."""
    try:
        prefix = GS1CompanyPrefix.extract(key[1:])
    except ParseError:
        return None
    if prefix is None or len(prefix.value) not in GCP_LENGTHS:
        return None
    return len(prefix.value)


def _require_gcp_length(key: str, gcp_length: int | None) -> int:
    """Return *gcp_length* or look it up; raise if it stays unknown."""
    length = gcp_length if gcp_length is not None else gcp_length_for(key)
    if length not in GCP_LENGTHS:
        raise CodeError(
            "gcp_length",
            f"GS1 Company Prefix length of {key} is unknown.",
            "Pass gcp_length (6-12), as assigned by the GS1 member organisation.",
        )
    assert length is not None
    return length


def _validated_text(text: str, field: str) -> str:
    """Unescape a serial / lot and check GS1 character set 82, 1-20 chars."""
    value = unescape_component(text)
    if not 1 <= len(value) <= MAX_SERIAL_LENGTH or linters.cset82(value):
        raise CodeError(
            field,
            f"{value!r} is not 1-20 GS1 character set 82 characters.",
            "Use letters, digits and GS1-allowed punctuation only.",
        )
    return value


def _split_key(body: str, parts: int, digits: int) -> list[str]:
    """Split ``GCP.Ref[.Text]`` and check GCP length and total digit count."""
    fields = body.split(".", parts - 1)
    numeric = fields[:2]
    if len(fields) != parts or not all(f.isdigit() and f.isascii() for f in numeric):
        raise _error(f"{body!r} does not have {parts} dot-separated parts with numeric keys.")
    if len(fields[0]) not in GCP_LENGTHS or len(fields[0]) + len(fields[1]) != digits:
        raise _error(
            f"company prefix {fields[0]!r} + reference {fields[1]!r} must be 6-12 "
            f"+ {digits - 6}-{digits - 12} digits, {digits} in total."
        )
    return fields


def _gtin_from(gcp: str, indicator_item: str) -> str:
    """Rebuild a GTIN-14 (with check digit) from URN parts."""
    body = indicator_item[0] + gcp + indicator_item[1:]
    return body + str(gs1_standard_check_digit(body))


def _sscc_from(gcp: str, extension_serial: str) -> str:
    """Rebuild an SSCC (with check digit) from URN parts."""
    body = extension_serial[0] + gcp + extension_serial[1:]
    return body + str(gs1_standard_check_digit(body))


def parse_epc_urn(urn: str) -> EpcIdentity:
    """Decode an sgtin / sscc / lgtin URN into GTIN + serial, SSCC or GTIN + lot."""
    scheme = next((name for name, prefix in PREFIXES.items() if urn.startswith(prefix)), None)
    if scheme is None:
        raise _error(
            f"{urn[:30]!r} is not a supported EPC URN.",
            "Use urn:epc:id:sgtin:..., urn:epc:id:sscc:... or urn:epc:class:lgtin:...",
        )
    body = urn[len(PREFIXES[scheme]) :]
    if scheme == "sscc":
        gcp, ref = _split_key(body, 2, 17)
        return EpcIdentity("sscc", len(gcp), sscc=_sscc_from(gcp, ref))
    gcp, ref, text = _split_key(body, 3, 13)
    gtin = _gtin_from(gcp, ref)
    if scheme == "sgtin":
        return EpcIdentity("sgtin", len(gcp), gtin=gtin, serial=_validated_text(text, "serial"))
    return EpcIdentity("lgtin", len(gcp), gtin=gtin, lot=_validated_text(text, "lot"))


def _gtin_parts(gtin: str, gcp_length: int | None) -> str:
    """``GCP.IndicatorItemRef`` for a GTIN-14."""
    if len(gtin) != 14 or not gtin.isdigit() or linters.csum(gtin):
        raise CodeError(
            "gtin",
            f"{gtin!r} is not a valid GTIN-14.",
            "Give 14 digits with a correct GS1 check digit.",
        )
    length = _require_gcp_length(gtin, gcp_length)
    return f"{gtin[1 : 1 + length]}.{gtin[0]}{gtin[1 + length : 13]}"


def sgtin_urn(gtin: str, serial: str, gcp_length: int | None = None) -> str:
    """``urn:epc:id:sgtin:...`` for a GTIN-14 and serial."""
    _validated_text(escape_component(serial), "serial")
    return f"{PREFIXES['sgtin']}{_gtin_parts(gtin, gcp_length)}.{escape_component(serial)}"


def lgtin_urn(gtin: str, lot: str, gcp_length: int | None = None) -> str:
    """``urn:epc:class:lgtin:...`` for a GTIN-14 and lot."""
    _validated_text(escape_component(lot), "lot")
    return f"{PREFIXES['lgtin']}{_gtin_parts(gtin, gcp_length)}.{escape_component(lot)}"


def sscc_urn(sscc: str, gcp_length: int | None = None) -> str:
    """``urn:epc:id:sscc:...`` for an 18-digit SSCC."""
    if len(sscc) != 18 or not sscc.isdigit() or linters.csum(sscc):
        raise CodeError(
            "sscc",
            f"{sscc!r} is not a valid SSCC.",
            "Give 18 digits with a correct GS1 check digit.",
        )
    length = _require_gcp_length(sscc, gcp_length)
    return f"{PREFIXES['sscc']}{sscc[1 : 1 + length]}.{sscc[0]}{sscc[1 + length : 17]}"
