"""Property-based tests: round trips between encodings, and error hygiene."""

from __future__ import annotations

import string

from biip.checksums import gs1_standard_check_digit
from hypothesis import given, settings
from hypothesis import strategies as st

from medreg.trace.codes import (
    CodeError,
    Element,
    ParsedCode,
    build_digital_link,
    gs1_key,
    parse_code,
    sgtin_urn,
    to_bracketed,
    to_element_string,
)
from medreg.trace.codes.linters import CSET82

PROPERTY_SETTINGS = settings(max_examples=300, database=None, deadline=None)
CSET82_TEXT = "".join(sorted(CSET82))


@st.composite
def gtins(draw: st.DrawFn) -> str:
    """Valid GTIN-14s (random 13 digits plus the GS1 check digit)."""
    body = draw(st.text(string.digits, min_size=13, max_size=13))
    return body + str(gs1_standard_check_digit(body))


serials = st.text(CSET82_TEXT, min_size=1, max_size=20)


@st.composite
def expiry_dates(draw: st.DrawFn) -> str:
    """Valid AI (17) dates YYMMDD, including DD=00."""
    year, month = draw(st.integers(0, 99)), draw(st.integers(1, 12))
    day = draw(st.sampled_from([0, 1, 15, 28]))
    return f"{year:02d}{month:02d}{day:02d}"


@st.composite
def pack_elements(draw: st.DrawFn) -> tuple[Element, ...]:
    """GTIN + serial, optionally with lot and expiry, in random order."""
    extra = [Element("10", draw(serials)), Element("17", draw(expiry_dates()))]
    chosen = [e for e in extra if draw(st.booleans())]
    tail = draw(st.permutations([Element("21", draw(serials)), *chosen]))
    return (Element("01", draw(gtins())), *tail)


def _key(elements: tuple[Element, ...]) -> str:
    """The key we expect for *elements*."""
    by_ai = dict(elements)
    return gs1_key(by_ai["01"], serial=by_ai["21"])


@PROPERTY_SETTINGS
@given(pack_elements(), st.sampled_from(["]d2", "]Q3", "]C1", ""]))
def test_element_string_round_trip(elements: tuple[Element, ...], symbology: str) -> None:
    """GTIN+serial -> scanned element string -> parse -> same key and data."""
    parsed = parse_code(symbology + to_element_string(elements, "\x1d"))
    assert parsed.key == _key(elements)
    assert parsed.elements == elements


@PROPERTY_SETTINGS
@given(pack_elements())
def test_bracketed_round_trip(elements: tuple[Element, ...]) -> None:
    """GTIN+serial -> bracketed HRI -> parse -> same key."""
    assert parse_code(to_bracketed(elements)).key == _key(elements)


@PROPERTY_SETTINGS
@given(pack_elements(), st.sampled_from(["id.gs1.org", "example.cn", "a.b.c:8443"]))
def test_digital_link_round_trip(elements: tuple[Element, ...], domain: str) -> None:
    """GTIN+serial -> Digital Link URI -> parse -> same key and data."""
    parsed = parse_code(build_digital_link(elements, domain))
    assert parsed.key == _key(elements)
    assert dict(parsed.elements) == dict(elements)


@PROPERTY_SETTINGS
@given(gtins(), serials, st.integers(6, 12))
def test_sgtin_urn_round_trip(gtin: str, serial: str, gcp_length: int) -> None:
    """GTIN+serial -> sgtin URN -> parse -> same key, same URN."""
    urn = sgtin_urn(gtin, serial, gcp_length)
    parsed = parse_code(urn)
    assert parsed.key == gs1_key(gtin, serial=serial)
    assert parsed.epc_urn == urn


@PROPERTY_SETTINGS
@given(st.text(string.digits, min_size=19, max_size=19))
def test_china_code_round_trip(tail: str) -> None:
    """Any 20 digits in the '8' issuer space parse to cn:<digits>."""
    parsed = parse_code("8" + tail)
    assert parsed.key == f"cn:8{tail}"
    assert parsed.drug_identification_code == ("8" + tail)[:7]


PREFIXES = st.sampled_from(
    [
        "", "]d2", "]Q3", "]C1", "]d1", "(", "(01)", "^", "\x1d", "01", "https://a/",
        "https://a/01/", "http://a/00/", "urn:epc:id:sgtin:", "urn:epc:id:sscc:",
        "urn:epc:class:lgtin:", "8", "0109506000134352",
    ]
)  # fmt: skip
ALPHABET = st.sampled_from([st.text(), st.text(string.digits + "\x1d()^%./?&=#"), st.text(CSET82_TEXT)])


@PROPERTY_SETTINGS
@given(PREFIXES, ALPHABET.flatmap(lambda strategy: strategy))
def test_arbitrary_text_only_raises_code_error(prefix: str, tail: str) -> None:
    """Whatever the input, parse_code returns a result or raises CodeError."""
    outcome: object
    try:
        outcome = parse_code(prefix + tail)
    except CodeError as error:
        outcome = error
    if isinstance(outcome, CodeError):
        assert outcome.field
        assert outcome.fix
    else:
        assert isinstance(outcome, ParsedCode)
        assert outcome.key.startswith(("gs1:", "cn:"))
