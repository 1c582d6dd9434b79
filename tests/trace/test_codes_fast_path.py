"""The fast reading of plain sgtin URNs (and `pack_key`, built on it) gives exactly what the full parser gives."""

from hypothesis import given
from hypothesis import strategies as st

from medreg.trace.codes import CodeError, epc
from medreg.trace.codes.element_strings import Element
from medreg.trace.codes.parsing import _fast_sgtin, from_elements, pack_key, parse_code


def _slow(urn: str):  # type: ignore[no-untyped-def]
    identity = epc.parse_epc_urn(urn)
    return from_elements((Element("01", identity.gtin), Element("21", identity.serial)), "epc_urn", identity.gcp_length)


@given(
    company_length=st.integers(min_value=6, max_value=12),
    digits=st.text(alphabet="0123456789", min_size=13, max_size=13),
    serial=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=20),
)
def test_fast_path_equals_the_full_parser(company_length: int, digits: str, serial: str) -> None:
    urn = f"urn:epc:id:sgtin:{digits[:company_length]}.{digits[company_length:]}.{serial}"
    assert _fast_sgtin(urn) == _slow(urn) == parse_code(urn)


def test_fast_path_leaves_escapes_and_odd_lengths_to_the_full_parser() -> None:
    assert _fast_sgtin("urn:epc:id:sgtin:0614141.107346.20%2F17") is None
    assert _fast_sgtin("urn:epc:id:sgtin:0614141.10734.2017") is None
    assert parse_code("urn:epc:id:sgtin:0614141.107346.2017").key == "gs1:01/10614141073464/21/2017"


def _key_or_error(function, text: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    try:
        return ("key", function(text))
    except CodeError as error:
        return ("error", str(error))


@given(
    text=st.one_of(
        st.from_regex(r"urn:epc:id:sgtin:[0-9]{5,13}\.[0-9]{0,8}\.[0-9A-Za-z%!.-]{0,22}", fullmatch=True),
        st.from_regex(r"urn:epc:id:(sgtin|sscc|lgtin):[0-9.]{1,30}", fullmatch=True),
        st.text(max_size=60),
    )
)
def test_pack_key_is_the_parsed_codes_key_or_the_same_error(text: str) -> None:
    assert _key_or_error(pack_key, text) == _key_or_error(lambda t: parse_code(t).key, text)


def test_pack_key_of_the_forms_a_scanner_sends() -> None:
    assert pack_key("urn:epc:id:sgtin:0614141.107346.2017") == "gs1:01/10614141073464/21/2017"
    assert pack_key("urn:epc:id:sgtin:0614141.107346.20%2F17") == "gs1:01/10614141073464/21/20%2F17"
    assert pack_key("(01)10614141073464(21)2017") == "gs1:01/10614141073464/21/2017"
    assert pack_key("86123010000000000017") == "cn:86123010000000000017"
