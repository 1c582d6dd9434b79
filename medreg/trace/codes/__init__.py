"""Parse, validate and normalise every identifier a drug pack may carry.

Pure Python (no Django).  Entry point: :func:`parse_code`, which detects the
format automatically and returns a :class:`ParsedCode` with one canonical key.
All failures raise :class:`CodeError` (a ``ValueError``) naming the field and
how to fix it.  See ``docs/modules/trace-codes.md``.
"""

from medreg.trace.codes.china import (
    CnCode,
    IssuerRegistry,
    default_registry,
    digits_only,
    parse_cn_code,
)
from medreg.trace.codes.digital_link import (
    DigitalLinkOptions,
    build_digital_link,
    parse_digital_link,
)
from medreg.trace.codes.element_strings import (
    Element,
    parse_bracketed,
    parse_element_string,
    parse_raw,
    to_bracketed,
    to_element_string,
)
from medreg.trace.codes.epc import (
    EpcIdentity,
    lgtin_urn,
    parse_epc_urn,
    sgtin_urn,
    sscc_urn,
)
from medreg.trace.codes.errors import CodeError
from medreg.trace.codes.parsing import ParsedCode, from_elements, gs1_key, pack_key, parse_code

__all__ = [
    "CnCode",
    "CodeError",
    "DigitalLinkOptions",
    "Element",
    "EpcIdentity",
    "IssuerRegistry",
    "ParsedCode",
    "build_digital_link",
    "default_registry",
    "digits_only",
    "from_elements",
    "gs1_key",
    "lgtin_urn",
    "pack_key",
    "parse_bracketed",
    "parse_cn_code",
    "parse_code",
    "parse_digital_link",
    "parse_element_string",
    "parse_epc_urn",
    "parse_raw",
    "sgtin_urn",
    "sscc_urn",
    "to_bracketed",
    "to_element_string",
]
