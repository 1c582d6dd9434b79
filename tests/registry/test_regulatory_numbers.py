"""Properties of the regulatory number validators: generated valid numbers pass and normalize to
themselves, single-character corruptions are refused naming the field, and arbitrary text never
raises anything but DomainError."""

from collections.abc import Callable

import pytest
from biip.checksums import gs1_standard_check_digit
from hypothesis import assume, given
from hypothesis import strategies as st

from medreg.core.errors import DomainError
from medreg.registry.regulatory_numbers import (
    PROVINCE_ABBREVIATIONS,
    validate_cosmetic_number,
    validate_device_number,
    validate_drug_approval_number,
    validate_drug_identification_code,
    validate_gtin,
    validate_licence_number,
    validate_udi_di,
)

FIELD = "the_field"
digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
provinces = st.sampled_from(sorted(PROVINCE_ABBREVIATIONS.items()))


def numeric(size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=size, max_size=size)


drug_approval_numbers = st.builds(
    lambda category, lead, rest: f"国药准字{category}{lead}{rest}",
    st.sampled_from(["H", "Z", "S", "HJ", "HC", "ZJ", "ZC", "SJ", "SC", "J", "B", "T", "F"]),
    st.sampled_from(["10", "19", "20", *PROVINCE_ABBREVIATIONS]),
    numeric(6),
)
registration_numbers = st.builds(
    lambda authority, origin, year, cls, rest: (f"{authority}械注{origin}{year}{cls}{rest}", cls),
    st.sampled_from(["国", *PROVINCE_ABBREVIATIONS.values()]),
    st.sampled_from("准进许"),
    numeric(4),
    st.sampled_from("23"),
    numeric(6),
).filter(lambda pair: pair[1] == "2" or pair[0].startswith("国"))
filing_numbers = st.builds(
    lambda authority, year, serial: f"{authority}械备{year}{serial}号",
    st.sampled_from(["国", *PROVINCE_ABBREVIATIONS.values()]),
    numeric(4),
    st.integers(min_value=4, max_value=6).flatmap(numeric),
)
special_cosmetics = st.builds(lambda g, rest: f"国妆特字{g}{rest}", st.sampled_from("GJ"), numeric(8))
ordinary_cosmetics = st.builds(
    lambda a, rest: f"{a}G妆网备字{rest}", st.sampled_from(list(PROVINCE_ABBREVIATIONS.values())), numeric(10)
)
production_licences = st.builds(lambda p, rest: (f"{p[1]}{rest}", f"{p[0]}0000"), provinces, numeric(8))
gtins = (
    st.sampled_from([8, 12, 13, 14])
    .flatmap(lambda n: numeric(n - 1))
    .map(lambda body: body + str(gs1_standard_check_digit(body)))
)
hibcc_dis = st.from_regex(r"\A\+[A-Z][A-Z0-9]{3}[A-Z0-9]{1,18}[0-9]\Z")
identification_codes = numeric(7)


def refused(validate: Callable[[str], str], value: str) -> list[tuple[str, str]]:
    with pytest.raises(DomainError) as caught:
        validate(value)
    return [(e.field, e.code) for e in caught.value.errors]


def padded(value: str) -> str:
    return f"  {value} "


@given(drug_approval_numbers)
def test_valid_drug_approval_numbers_pass_and_normalize(number: str) -> None:
    assert validate_drug_approval_number(padded(number)) == number
    assert validate_drug_approval_number(number[:4] + " " + number[4:]) == number


@given(drug_approval_numbers, st.data())
def test_a_deleted_character_in_the_digits_is_refused(number: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=len(number) - 8, max_value=len(number) - 1))
    corrupted = number[:position] + number[position + 1 :]
    assert refused(lambda v: validate_drug_approval_number(v, FIELD), corrupted)[0][0] == FIELD


@given(drug_approval_numbers, st.data(), st.sampled_from("OlI#xＨ"))
def test_a_foreign_character_anywhere_is_refused(number: str, data: st.DataObject, char: str) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(number) - 1))
    corrupted = number[:position] + char + number[position + 1 :]
    assert refused(lambda v: validate_drug_approval_number(v, FIELD), corrupted) == [(FIELD, "invalid_format")]


@given(registration_numbers)
def test_valid_registration_numbers_pass_for_their_class_only(pair: tuple[str, str]) -> None:
    number, class_digit = pair
    own, other = ("II", "III") if class_digit == "2" else ("III", "II")
    assert validate_device_number(padded(number), own) == number
    assert refused(lambda v: validate_device_number(v, other, FIELD), number)[0] == (FIELD, "class_mismatch")


@given(registration_numbers, st.data())
def test_a_deleted_digit_in_a_registration_number_is_refused(pair: tuple[str, str], data: st.DataObject) -> None:
    number, class_digit = pair
    position = data.draw(st.integers(min_value=4, max_value=len(number) - 1))
    corrupted = number[:position] + number[position + 1 :]
    device_class = "II" if class_digit == "2" else "III"
    assert refused(lambda v: validate_device_number(v, device_class, FIELD), corrupted) == [(FIELD, "invalid_format")]


@given(filing_numbers)
def test_valid_filing_numbers_pass_for_class_one(number: str) -> None:
    assert validate_device_number(padded(number), "I") == number
    assert refused(lambda v: validate_device_number(v, "II", FIELD), number) == [(FIELD, "invalid_format")]


@given(special_cosmetics, ordinary_cosmetics)
def test_valid_cosmetic_numbers_pass_for_their_category_only(special: str, ordinary: str) -> None:
    assert validate_cosmetic_number(padded(special), "special") == special
    assert validate_cosmetic_number(padded(ordinary), "ordinary") == ordinary
    assert refused(lambda v: validate_cosmetic_number(v, "ordinary", FIELD), special) == [(FIELD, "invalid_format")]


@given(special_cosmetics, st.data())
def test_a_deleted_digit_in_a_cosmetic_number_is_refused(number: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=len(number) - 8, max_value=len(number) - 1))
    corrupted = number[:position] + number[position + 1 :]
    assert refused(lambda v: validate_cosmetic_number(v, "special", FIELD), corrupted) == [(FIELD, "invalid_format")]


@given(production_licences, provinces)
def test_licence_numbers_pass_in_their_province_and_name_the_wrong_one(
    pair: tuple[str, str], other: tuple[str, str]
) -> None:
    number, issuer = pair
    assert validate_licence_number(padded(number), "drug_production", issuer) == number
    assume(other[0] != issuer[:2])
    result = refused(lambda v: validate_licence_number(v, "drug_production", f"{other[0]}0000", FIELD), number)
    assert result == [(FIELD, "wrong_province")]


@given(production_licences, st.data())
def test_a_deleted_digit_in_a_licence_number_is_refused(pair: tuple[str, str], data: st.DataObject) -> None:
    number, issuer = pair
    position = data.draw(st.integers(min_value=1, max_value=len(number) - 1))
    corrupted = number[:position] + number[position + 1 :]
    assert refused(lambda v: validate_licence_number(v, "drug_production", issuer, FIELD), corrupted) == [
        (FIELD, "invalid_format")
    ]


@given(gtins)
def test_valid_gtins_pass_as_gtin_14(gtin: str) -> None:
    assert validate_gtin(padded(gtin)) == gtin.zfill(14)
    assert validate_gtin(validate_gtin(gtin)) == gtin.zfill(14)
    assert validate_udi_di(gtin, "GS1", FIELD) == gtin.zfill(14)


@given(gtins, st.data(), digits)
def test_any_single_digit_substitution_in_a_gtin_is_refused(gtin: str, data: st.DataObject, digit: str) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(gtin) - 1))
    corrupted = gtin[:position] + digit + gtin[position + 1 :]
    assume(corrupted != gtin)
    assert refused(lambda v: validate_gtin(v, FIELD), corrupted) == [(FIELD, "invalid_check_digit")]


@given(hibcc_dis)
def test_valid_hibcc_identifiers_pass(di: str) -> None:
    assert validate_udi_di(padded(di), "HIBCC", FIELD) == di


@given(hibcc_dis)
def test_hibcc_identifier_without_its_plus_is_refused(di: str) -> None:
    assert refused(lambda v: validate_udi_di(v, "HIBCC", FIELD), di[1:]) == [(FIELD, "invalid_format")]


@given(identification_codes, st.data())
def test_identification_codes_pass_and_a_deleted_digit_is_refused(code: str, data: st.DataObject) -> None:
    assert validate_drug_identification_code(padded(code), FIELD) == code
    position = data.draw(st.integers(min_value=0, max_value=6))
    assert refused(lambda v: validate_drug_identification_code(v, FIELD), code[:position] + code[position + 1 :]) == [
        (FIELD, "invalid_format")
    ]


OTHER_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")  # full-width: what a Chinese IME types


@given(gtins, identification_codes)
def test_digits_of_other_scripts_are_refused_as_a_format_error(gtin: str, code: str) -> None:
    # str.isdigit() is true of them, and int() reads them, so they would pass the check digit
    assert refused(lambda v: validate_gtin(v, FIELD), gtin.translate(OTHER_DIGITS)) == [(FIELD, "invalid_format")]
    assert refused(lambda v: validate_drug_identification_code(v, FIELD), code.translate(OTHER_DIGITS)) == [
        (FIELD, "invalid_format")
    ]
    assert refused(lambda v: validate_gtin(v, FIELD), gtin[:-1] + "३") == [(FIELD, "invalid_format")]


VALIDATORS: dict[str, Callable[[str], str]] = {
    "drug": lambda v: validate_drug_approval_number(v, FIELD),
    "device II": lambda v: validate_device_number(v, "II", FIELD),
    "device I": lambda v: validate_device_number(v, "I", FIELD),
    "cosmetic": lambda v: validate_cosmetic_number(v, "special", FIELD),
    "licence": lambda v: validate_licence_number(v, "drug_wholesale", "330000", FIELD),
    "licence generic": lambda v: validate_licence_number(v, "device_production", "330000", FIELD),
    "gtin": lambda v: validate_gtin(v, FIELD),
    "hibcc": lambda v: validate_udi_di(v, "HIBCC", FIELD),
    "iccbba": lambda v: validate_udi_di(v, "ICCBBA", FIELD),
    "identification code": lambda v: validate_drug_identification_code(v, FIELD),
}


@pytest.mark.parametrize("name", list(VALIDATORS))
@given(text=st.text(max_size=40))
def test_arbitrary_text_only_ever_raises_domain_error_naming_the_field(name: str, text: str) -> None:
    try:
        result = VALIDATORS[name](text)
    except DomainError as error:
        refusal: DomainError | None = error
    else:
        refusal = None
        assert result == VALIDATORS[name](result)
    if refusal is not None:
        assert [e.field for e in refusal.errors] == [FIELD]
        assert all(e.message and e.fix for e in refusal.errors)


def test_unknown_udi_agency_is_named() -> None:
    assert refused(lambda v: validate_udi_di(v, "ACME", FIELD), "123") == [("issuing_agency", "unknown_agency")]
