"""Unit tests for medreg.trace.codes: formats, canonical keys and errors."""

from __future__ import annotations

import datetime as dt

import pytest

from medreg.trace.codes import (
    CodeError,
    DigitalLinkOptions,
    IssuerRegistry,
    build_digital_link,
    default_registry,
    lgtin_urn,
    parse_cn_code,
    parse_code,
    parse_digital_link,
    parse_element_string,
    parse_epc_urn,
    sgtin_urn,
    sscc_urn,
    to_bracketed,
    to_element_string,
)

GTIN = "09506000134352"
KEY = "gs1:01/09506000134352/21/123"


@pytest.mark.parametrize(
    "text",
    [
        "]d2010950600013435221123\x1d10ABC\x1d17290100",
        "]C1010950600013435217290100\x1d10ABC\x1d21123",
        "]Q3010950600013435221123",
        "\x1d010950600013435221123",
        "^010950600013435221123^10ABC",
        "(01)09506000134352(21)123",
        "(01)09506000134352(17)290100(10)ABC(21)123",
        "https://id.gs1.org/01/09506000134352/10/ABC/21/123?17=290101",
        "https://example.cn/some/stem/01/9506000134352/21/123",
        "HTTPS://EXAMPLE.CN/01/09506000134352/21/123#frag",
        "https://example.cn/gtin/09506000134352/ser/123",
        "urn:epc:id:sgtin:95060001343.05.123",
        "  ]d2010950600013435221123\n",
    ],
)
def test_every_encoding_gives_the_same_key(text: str) -> None:
    """Scans, HRI, Digital Link and EPC forms of one pack share one key."""
    parsed = parse_code(text)
    assert (parsed.kind, parsed.key, parsed.gtin, parsed.serial) == ("sgtin", KEY, GTIN, "123")


def test_datamatrix_fields() -> None:
    """All pack fields are extracted; DD=00 expiry is the month's last day."""
    parsed = parse_code("]d2010950600013435221123\x1d10ABC\x1d17290200\x1d11250115")
    assert parsed.lot == "ABC"
    assert parsed.expiry == dt.date(2029, 2, 28)
    assert parsed.production_date == dt.date(2025, 1, 15)
    assert parsed.source_format == "element_string"
    assert parsed.as_element_string("^") == "^010950600013435221123^10ABC^1729020011250115"


def test_serial_with_slash_is_escaped_in_key_and_urn() -> None:
    """Reserved characters are percent-encoded in the key and EPC URN."""
    parsed = parse_code("(01)09506000134352(21)A/B%1")
    assert parsed.key == "gs1:01/09506000134352/21/A%2FB%251"
    assert parsed.epc_urn == "urn:epc:id:sgtin:95060001343.05.A%2FB%251"
    assert parse_code(parsed.epc_urn).key == parsed.key


def test_lot_only_is_a_class_level_key() -> None:
    """GTIN + lot without serial is an LGTIN (batch-level) key."""
    parsed = parse_code("(01)09506000134352(10)L0T-1(17)290131")
    assert (parsed.kind, parsed.key) == ("lgtin", "gs1:01/09506000134352/10/L0T-1")
    assert parsed.epc_urn == "urn:epc:class:lgtin:95060001343.05.L0T-1"


def test_gtin_only() -> None:
    """A bare GTIN gives a product-level key."""
    assert parse_code("(01)09506000134352").key == "gs1:01/09506000134352"


def test_sscc_forms() -> None:
    """SSCC from element string, Digital Link and EPC URN share one key."""
    forms = [
        "(00)106141412345678908",
        "https://id.gs1.org/00/106141412345678908",
        "urn:epc:id:sscc:0614141.1234567890",
    ]
    keys = {parse_code(text).key for text in forms}
    assert keys == {"gs1:00/106141412345678908"}
    assert parse_code(forms[0]).epc_urn == forms[2]


def test_china_code() -> None:
    """A 20-digit China code keeps its digits and exposes the 7-digit drug ID."""
    parsed = parse_code("81234567890123456789")
    assert (parsed.kind, parsed.key) == ("cn", "cn:81234567890123456789")
    assert parsed.drug_identification_code == "8123456"
    assert parsed.gtin is None
    assert parsed.elements == ()


def test_china_issuer_registry_is_pluggable() -> None:
    """Issuers register their own validator by prefix; longest prefix wins."""
    registry = default_registry()
    registry.register("83", lambda code: None if code.endswith("0") else "issuer 83 ends in 0")
    assert parse_cn_code("83000000000000000000", registry).code.startswith("83")
    with pytest.raises(CodeError, match="issuer 83 ends in 0"):
        parse_cn_code("83000000000000000001", registry)
    assert parse_cn_code("81000000000000000001", registry).key.startswith("cn:81")


def test_china_unknown_issuer_prefix() -> None:
    """Codes whose prefix no issuer owns are rejected with a fix hint."""
    with pytest.raises(CodeError) as caught:
        parse_code("11234567890123456789")
    assert caught.value.field == "cn_code"
    assert "IssuerRegistry" in caught.value.fix
    registry = IssuerRegistry()
    registry.register("1")
    assert parse_code("11234567890123456789", cn_registry=registry).kind == "cn"


def test_twenty_digit_gs1_sscc_falls_back_to_gs1() -> None:
    """20 digits no China issuer owns, that are a valid (00) SSCC, parse as GS1."""
    assert parse_code("00106141412345678908").key == "gs1:00/106141412345678908"


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("8123456789012345678", "cn_code", "19 digits"),
        ("8123456789012345678A", "cn_code", "non-digit"),
        ("(01)09506000134353(21)1", "gtin", "check digit"),
        ("(01)0950600013435(21)1", "gtin", "N2+N14"),
        ("(01)09506000134352(17)251345", "expiry", "month 13"),
        ("(01)09506000134352(17)250230", "expiry", "day 30"),
        ("(01)09506000134352(11)250231", "production_date", "day 31"),
        ("(01)09506000134352(21)AB C", "serial", "N2+X..20"),
        ("(01)09506000134352(21)", "serial", "no data"),
        ("(01)09506000134352(89)X", "ai", "(89)"),
        ("]d20109506000134352\x1d8912", "ai", "position 18"),
        ("(10)ABC", "primary_key", "GTIN"),
        ("]d1hello", "code", "not recognised"),
        ("https://id.gs1.org/01/09506000134352/21/1/10/2", "uri", "qualifiers"),
        ("https://id.gs1.org/01/09506000134352?21=1", "uri", "query"),
        ("urn:epc:id:sgtin:0614141.81234.1", "epc_urn", "13 in total"),
        ("urn:epc:id:sgtin:0614141.812345.a/b", "epc_urn", "%2F"),
        ("urn:epc:id:sgtin:0614141.812345.a%2", "epc_urn", "escape"),
        ("", "code", "empty"),
        ("hello", "code", "not recognised"),
    ],
)
def test_errors_name_field_and_fix(text: str, field: str, words: str) -> None:
    """Every bad input raises CodeError naming the field, with a fix hint."""
    with pytest.raises(CodeError) as caught:
        parse_code(text)
    assert caught.value.field == field
    assert caught.value.fix
    assert words in str(caught.value)


def test_code_error_is_value_error() -> None:
    """CodeError subclasses ValueError."""
    assert issubclass(CodeError, ValueError)


def test_non_string_input() -> None:
    """Non-text input is reported as a CodeError too."""
    with pytest.raises(CodeError):
        parse_code(12345)  # type: ignore[arg-type]


def test_gs1_symbology_required_for_non_gs1_scans() -> None:
    """parse_element_string refuses data from a non-GS1 symbology."""
    with pytest.raises(CodeError) as caught:
        parse_element_string("]d1010950600013435221123")
    assert caught.value.field == "symbology"


def test_epc_conversions() -> None:
    """GTIN+serial, SSCC and GTIN+lot convert to and from EPC URNs."""
    urn = sgtin_urn("80614141123458", "6789", gcp_length=7)
    assert urn == "urn:epc:id:sgtin:0614141.812345.6789"
    identity = parse_epc_urn(urn)
    assert (identity.gtin, identity.serial, identity.gcp_length) == ("80614141123458", "6789", 7)
    assert sscc_urn("106141412345678908", 7) == "urn:epc:id:sscc:0614141.1234567890"
    assert lgtin_urn("80614141123458", "A/B", 7) == "urn:epc:class:lgtin:0614141.812345.A%2FB"
    assert parse_epc_urn("urn:epc:class:lgtin:0614141.812345.A%2FB").lot == "A/B"


def test_epc_unknown_gcp_length() -> None:
    """Without a known GCP length no URN is invented."""
    with pytest.raises(CodeError) as caught:
        sgtin_urn("12312312312333", "1")
    assert caught.value.field == "gcp_length"
    assert parse_code("(01)12312312312333(21)1").epc_urn is None


def test_digital_link_build_and_parse() -> None:
    """build_digital_link puts key + qualifiers in the path, the rest in the query."""
    elements = parse_element_string("(01)09506000134352(17)290101(21)1/2(10)L")
    uri = build_digital_link(elements, "example.cn")
    assert uri == "https://example.cn/01/09506000134352/10/L/21/1%2F2?17=290101"
    assert dict(parse_digital_link(uri)) == dict(elements)
    assert parse_code(uri).as_digital_link() == uri.replace("example.cn", "id.gs1.org")


def test_digital_link_options() -> None:
    """Zero-suppressed GTINs and convenience alphas are opt-in."""
    with pytest.raises(CodeError):
        parse_digital_link("https://a/01/9506000134352")
    elements = parse_digital_link("https://a/gtin/9506000134352", DigitalLinkOptions(True, True))
    assert to_element_string(elements) == "^0109506000134352"


def test_bracketed_round_trip_with_escaped_parenthesis() -> None:
    """A literal '(' in a value is escaped as '\\(' in the bracketed form."""
    elements = parse_element_string("(01)09506000134352(21)A\\(B")
    assert elements[1].value == "A(B"
    assert parse_element_string(to_bracketed(elements)) == elements


def test_a_china_code_written_as_its_key_parses_to_the_same_pack() -> None:
    # the form EPCIS 2.0 events carry it in (an absolute URI): decision 0107
    scanned, keyed = parse_code("83518959636183295167"), parse_code("cn:83518959636183295167")
    assert (keyed.kind, keyed.key, keyed.drug_identification_code) == ("cn", "cn:83518959636183295167", "8351895")
    assert keyed.key == scanned.key
    with pytest.raises(CodeError):
        parse_code("cn:8351895963618329516")  # 19 digits
