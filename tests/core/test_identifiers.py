import pytest
from hypothesis import given
from hypothesis import strategies as st

from medreg.core.errors import DomainError
from medreg.core.identifiers import USCC_ALPHABET, make_uscc, uscc_check_character, validate_uscc


def test_published_example_code_is_valid() -> None:
    # given a code printed on a real business licence (GB 32100-2015 example)
    # when / then
    assert validate_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_wrong_check_character_is_named() -> None:
    with pytest.raises(DomainError) as caught:
        validate_uscc("91350100M000100Y44")
    assert [(e.field, e.code) for e in caught.value.errors] == [("uscc", "invalid_check_character")]
    assert "'3'" in caught.value.errors[0].message


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("9135010", "invalid_length"),
        ("91350100M000100Y4O", "invalid_characters"),
        ("91AB0100M000100Y43", "invalid_characters"),
    ],
)
def test_malformed_codes_are_refused(value: str, code: str) -> None:
    with pytest.raises(DomainError) as caught:
        validate_uscc(value, field="enterprise")
    assert [(e.field, e.code) for e in caught.value.errors] == [("enterprise", code)]


organization_codes = st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9)
divisions = st.from_regex(r"\A[1-6][0-9]{5}\Z")


@given(divisions, organization_codes)
def test_composed_codes_always_validate(division: str, organization: str) -> None:
    assert validate_uscc(make_uscc(division, organization)) == make_uscc(division, organization)


@given(divisions, organization_codes, st.integers(min_value=0, max_value=16), st.sampled_from(USCC_ALPHABET))
def test_any_single_substitution_is_detected(division: str, organization: str, position: int, char: str) -> None:
    code = make_uscc(division, organization)
    altered = code[:position] + char + code[position + 1 :]
    if altered == code:
        return
    with pytest.raises(DomainError):
        validate_uscc(altered)


@given(st.text(max_size=40))
def test_arbitrary_text_only_ever_raises_domain_error(text: str) -> None:
    try:
        result = validate_uscc(text)
    except DomainError as error:
        fields = [e.field for e in error.errors]
    else:
        fields = []
        assert result[17] == uscc_check_character(result[:17])
    assert fields in ([], ["uscc"])
