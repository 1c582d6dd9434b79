"""The fast reading of plain sgtin URNs gives exactly what the full parser gives."""

from hypothesis import given
from hypothesis import strategies as st

from medreg.trace.codes import epc
from medreg.trace.codes.element_strings import Element
from medreg.trace.codes.parsing import _fast_sgtin, from_elements, parse_code


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
