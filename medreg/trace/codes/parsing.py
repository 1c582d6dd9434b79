"""``parse_code``: detect the format of a pack identifier and normalise it.

Canonical keys (see ``docs/modules/trace-codes.md``)::

    gs1:01/<GTIN-14>/21/<serial>   serialised pack (SGTIN)
    gs1:01/<GTIN-14>/10/<lot>      batch / lot (LGTIN, class level)
    gs1:01/<GTIN-14>               trade item without serial or lot
    gs1:00/<SSCC>                  logistic unit
    cn:<20 digits>                 China drug traceability code

Serial and lot are percent-encoded (RFC 3986, nothing kept but letters,
digits and ``-._~``), so a key never contains a literal ``/``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, replace
from urllib.parse import quote

from biip import ParseConfig
from biip._exceptions import BiipException
from biip.checksums import gs1_standard_check_digit
from biip.gs1_element_strings import GS1ElementString

from medreg.trace.codes import ai_table, epc
from medreg.trace.codes import element_strings as es
from medreg.trace.codes.china import (
    CN_CODE_LENGTH,
    IssuerRegistry,
    looks_like_cn_code,
    parse_cn_code,
)
from medreg.trace.codes.digital_link import (
    DigitalLinkOptions,
    build_digital_link,
    parse_digital_link,
)
from medreg.trace.codes.element_strings import Element
from medreg.trace.codes.errors import CodeError

#: Leniencies used by :func:`parse_code` for Digital Link URIs found on packs.
PACK_DL_OPTIONS = DigitalLinkOptions(convenience_alphas=True, zero_suppressed_gtin=True)
#: Digit strings this close to 20 digits are reported as China codes.
CN_LENGTH_TOLERANCE = 3
CN_KEY_PREFIX = "cn:"  # a China code's canonical key; a URI, so EPCIS 2.0 events can name the pack with it
_FORMATS_HINT = (
    "Give a GS1 DataMatrix scan (]d2...), a bracketed element string ((01)...(21)...), "
    "a GS1 Digital Link URI (https://.../01/...), an EPC URN (urn:epc:id:sgtin:...) "
    "or a 20-digit China drug traceability code."
)


@dataclass(frozen=True)
class ParsedCode:
    """A parsed, validated pack identifier with its canonical key."""

    kind: str
    """``sgtin``, ``lgtin``, ``gtin``, ``sscc`` or ``cn``."""
    key: str
    """Canonical key, identical for every encoding of the same identifier."""
    source_format: str
    """``element_string``, ``digital_link``, ``epc_urn`` or ``cn_code``."""
    gtin: str | None = None
    serial: str | None = None
    lot: str | None = None
    expiry: dt.date | None = None
    production_date: dt.date | None = None
    sscc: str | None = None
    cn_code: str | None = None
    drug_identification_code: str | None = None
    epc_urn: str | None = None
    elements: tuple[Element, ...] = ()
    """All GS1 (AI, value) pairs, in input order (empty for China codes)."""

    def as_element_string(self, fnc1: str = es.GS) -> str:
        """The GS1 data as a scanner would send it (FNC1 as GS by default)."""
        return es.to_element_string(self.elements, fnc1) if self.elements else ""

    def as_digital_link(self, domain: str = "id.gs1.org") -> str:
        """The GS1 data as a Digital Link URI on *domain*."""
        if not self.elements:
            raise CodeError(
                "kind",
                "a China code has no GS1 Digital Link form.",
                "Use the cn: key or the 20 digits directly.",
            )
        return build_digital_link(self.elements, domain)


def _escape(text: str) -> str:
    """Percent-encode a serial / lot for a canonical key."""
    return quote(text, safe="")


def gs1_key(gtin: str, *, serial: str | None = None, lot: str | None = None) -> str:
    """Canonical key of a GTIN with optional serial (preferred) or lot."""
    if serial is not None:
        return f"gs1:01/{gtin}/21/{_escape(serial)}"
    if lot is not None:
        return f"gs1:01/{gtin}/10/{_escape(lot)}"
    return f"gs1:01/{gtin}"


def _date(ai: str, value: str | None) -> dt.date | None:
    """Calendar date of a YYMMDD AI (DD=00 is the last day of the month)."""
    if value is None:
        return None
    return GS1ElementString.parse(ai + value, config=ParseConfig()).date


def _gtin_epc(gtin: str, serial: str | None, lot: str | None, gcp: int | None) -> str | None:
    """The sgtin / lgtin URN when the GCP length is known, else None."""
    if (serial is None and lot is None) or (gcp is None and epc.gcp_length_for(gtin) is None):
        return None
    if serial is not None:
        return epc.sgtin_urn(gtin, serial, gcp)
    assert lot is not None
    return epc.lgtin_urn(gtin, lot, gcp)


def _from_sscc(base: ParsedCode, sscc: str, gcp: int | None) -> ParsedCode:
    """ParsedCode of a logistic unit."""
    known = gcp is not None or epc.gcp_length_for(sscc) is not None
    urn = epc.sscc_urn(sscc, gcp) if known else None
    return replace(base, kind="sscc", key=f"gs1:00/{sscc}", sscc=sscc, epc_urn=urn)


def from_elements(elements: tuple[Element, ...], source_format: str, gcp_length: int | None = None) -> ParsedCode:
    """Build a :class:`ParsedCode` from validated GS1 elements."""
    by_ai = dict(elements)
    base = ParsedCode(
        kind="", key="", source_format=source_format, elements=elements,
        expiry=_date("17", by_ai.get("17")),
        production_date=_date("11", by_ai.get("11")),
    )  # fmt: skip
    if "00" in by_ai:
        return _from_sscc(base, by_ai["00"], gcp_length)
    if "01" not in by_ai:
        raise CodeError(
            "primary_key",
            "no GTIN (01) or SSCC (00) in the data.",
            "A pack code must carry AI (01) GTIN, usually with (21) serial.",
        )
    gtin, serial, lot = by_ai["01"], by_ai.get("21"), by_ai.get("10")
    kind = "sgtin" if serial is not None else "lgtin" if lot is not None else "gtin"
    return replace(
        base, kind=kind, key=gs1_key(gtin, serial=serial, lot=lot), gtin=gtin,
        serial=serial, lot=lot, epc_urn=_gtin_epc(gtin, serial, lot, gcp_length),
    )  # fmt: skip


# The common case — an sgtin URN with a plain alphanumeric serial — read without the generic
# element validation (which costs ~0.4 ms a code): digits and lengths are checked by the pattern,
# the check digit is computed, and the element rules an alphanumeric serial could break do not apply.
_PLAIN_SGTIN = re.compile(r"^urn:epc:id:sgtin:([0-9]{6,12})\.([0-9]{1,7})\.([A-Za-z0-9]{1,20})$")


@functools.lru_cache(maxsize=65_536)
def _gtin_of(company: str, item: str) -> str:
    """GTIN-14 of an sgtin URN's company prefix and indicator + item reference (one check digit)."""
    body = item[0] + company + item[1:]
    return body + str(gs1_standard_check_digit(body))


def plain_sgtin(urn: str) -> tuple[str, str] | None:
    """(GTIN-14, serial) of a plain sgtin URN (the pattern of ``_fast_sgtin``, exact, no surrounding
    spaces), else None: then ``parse_code`` decides. The key is ``gs1_key(gtin, serial=serial)``,
    which for such a serial is ``gs1:01/<gtin>/21/<serial>`` (nothing to escape). Cheap enough for
    every EPC of a capture batch: a pattern match and a cached check digit."""
    match = _PLAIN_SGTIN.fullmatch(urn)
    if match is None or len(match[1]) + len(match[2]) != 13:
        return None
    return _gtin_of(match[1], match[2]), match[3]


def pack_key(text: str) -> str:
    """The canonical key of any pack code, ``parse_code(text).key``, without building the parsed code
    when the text is a plain sgtin URN (what scanners and EPCIS events send most): the hot path of
    public verification and of capture. Raises CodeError like ``parse_code``."""
    plain = plain_sgtin(text) if isinstance(text, str) else None
    if plain is not None:
        return f"gs1:01/{plain[0]}/21/{plain[1]}"
    return parse_code(text).key


def _fast_sgtin(urn: str) -> ParsedCode | None:
    match = _PLAIN_SGTIN.match(urn)
    if match is None or len(match[1]) + len(match[2]) != 13:
        return None
    company, item = match[1], match[2]
    body = item[0] + company + item[1:]
    gtin = body + str(gs1_standard_check_digit(body))
    return from_elements((Element("01", gtin), Element("21", match[3])), "epc_urn", len(company))


def _from_epc(urn: str) -> ParsedCode:
    """ParsedCode of an sgtin / sscc / lgtin URN."""
    fast = _fast_sgtin(urn)
    if fast is not None:
        return fast
    identity = epc.parse_epc_urn(urn)
    elements: tuple[Element, ...]
    if identity.sscc is not None:
        elements = (Element("00", identity.sscc),)
    else:
        assert identity.gtin is not None
        second = Element("21", identity.serial) if identity.serial is not None else None
        third = Element("10", identity.lot) if identity.lot is not None else None
        elements = tuple(e for e in (Element("01", identity.gtin), second, third) if e)
    for ai, value in elements:
        ai_table.validate_element(ai, value)
    return from_elements(elements, "epc_urn", identity.gcp_length)


def _from_cn(code: str, registry: IssuerRegistry | None) -> ParsedCode:
    """ParsedCode of a 20-digit China drug traceability code."""
    cn = parse_cn_code(code, registry)
    return ParsedCode(
        kind="cn",
        key=cn.key,
        source_format="cn_code",
        cn_code=cn.code,
        drug_identification_code=cn.drug_identification_code,
    )


def _from_digits(data: str, registry: IssuerRegistry | None) -> ParsedCode:
    """20 digits: a China code, or an unprefixed GS1 string if no issuer fits."""
    try:
        return _from_cn(data, registry)
    except CodeError as cn_error:
        try:
            return from_elements(es.parse_raw(data), "element_string")
        except CodeError:
            raise cn_error from None


def _from_other_digits(data: str, registry: IssuerRegistry | None) -> ParsedCode:
    """Starts with digits: a GS1 string, or else a mistyped China code."""
    try:
        return from_elements(es.parse_raw(data), "element_string")
    except CodeError:
        if abs(len(data) - CN_CODE_LENGTH) > CN_LENGTH_TOLERANCE:
            raise
        return _from_cn(data, registry)  # raises the China-code length error


def _dispatch_plain(data: str, registry: IssuerRegistry | None) -> ParsedCode:
    """Route text without scheme or symbology: China code, HRI or digits."""
    if looks_like_cn_code(data):
        return _from_digits(data, registry)
    if data.startswith("("):
        return from_elements(es.parse_bracketed(data), "element_string")
    if data[:2].isdigit() and data[:2].isascii():
        return _from_other_digits(data, registry)
    raise CodeError("code", f"format of {data[:24]!r} is not recognised.", _FORMATS_HINT)


def _dispatch(text: str, registry: IssuerRegistry | None) -> ParsedCode:
    """Route *text* to the parser of its format."""
    symbology, data = es.strip_symbology(text)
    if symbology in es.GS1_SYMBOLOGIES or data[:1] in es.FNC1_CHARS:
        return from_elements(es.parse_raw(data), "element_string")
    lowered = data.lower()
    if lowered.startswith(CN_KEY_PREFIX) and looks_like_cn_code(data[len(CN_KEY_PREFIX) :]):
        return _from_digits(data[len(CN_KEY_PREFIX) :], registry)  # the canonical key, as EPCIS events carry it
    if lowered.startswith("urn:epc:"):
        return _from_epc(data)
    if lowered.startswith(("http://", "https://")):
        return from_elements(parse_digital_link(data, PACK_DL_OPTIONS), "digital_link")
    return _dispatch_plain(data, registry)


def parse_code(text: str, *, cn_registry: IssuerRegistry | None = None) -> ParsedCode:
    """Parse any supported pack identifier and return its canonical form.

    Raises:
        CodeError: for every invalid or unrecognised input (never another type).
    """
    if not isinstance(text, str):
        raise CodeError("code", f"expected text, got {type(text).__name__}.", _FORMATS_HINT)
    data = text.strip(" \t\r\n")
    if not data:
        raise CodeError("code", "is empty.", _FORMATS_HINT)
    try:
        return _dispatch(data, cn_registry)
    except CodeError:
        raise
    except (BiipException, ArithmeticError, LookupError, ValueError) as exc:
        raise CodeError("code", f"could not be parsed ({exc}).", _FORMATS_HINT) from exc
