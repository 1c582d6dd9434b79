"""Location and party identifiers of EPCIS events (SGLN and PGLN URNs, GS1 Digital Link 414/417)
reduced to the 13-digit GLN the registry records for each site."""

import functools
import re

from biip.checksums import gs1_standard_check_digit

from medreg.trace.codes import CodeError, parse_digital_link

_SGLN = re.compile(r"^urn:epc:id:(?:sgln|pgln):(?P<prefix>[0-9]{6,12})\.(?P<ref>[0-9]*)(?:\.(?P<ext>[^.]*))?$")


@functools.lru_cache(maxsize=65_536)  # a batch names a few sites in every event
def gln_of(identifier: str | None) -> str | None:
    """The GLN a location or party identifier names, or None when it names none."""
    if not identifier:
        return None
    match = _SGLN.match(identifier.strip())
    if match is not None:
        digits = match["prefix"] + match["ref"]
        if len(digits) != 12:
            return None
        return digits + str(gs1_standard_check_digit(digits))
    if identifier.startswith(("http://", "https://")):
        return _gln_from_digital_link(identifier)
    return None


def _gln_from_digital_link(uri: str) -> str | None:
    try:
        elements = parse_digital_link(uri)
    except CodeError:
        return None
    for element in elements:
        if element.ai in ("414", "417"):
            return element.value
    return None


def sgln(gln: str, company_prefix_length: int = 7, extension: str = "0") -> str:
    """The SGLN URN of a GLN (for documents the platform writes and for tests)."""
    return f"urn:epc:id:sgln:{gln[:company_prefix_length]}.{gln[company_prefix_length:12]}.{extension}"
