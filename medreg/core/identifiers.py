"""Identifiers the whole platform shares: unified social credit codes (GB 32100-2015) and
administrative division codes (GB/T 2260)."""

import re

from medreg.core.errors import DomainError

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_DIVISION_CODE = re.compile(r"^[1-8][0-9]{5}$")


def uscc_check_character(first17: str) -> str:
    """The 18th character of a unified social credit code for its first 17 (GB 32100-2015 §5)."""
    total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str, field: str = "uscc") -> str:
    """Return the normalized (upper-case, trimmed) code or raise DomainError naming `field`."""
    code = value.strip().upper()
    if len(code) != 18:
        raise DomainError.single(
            field,
            "invalid_length",
            f"A unified social credit code has 18 characters; got {len(code)}.",
            "Copy the 18-character code exactly as printed on the business licence.",
        )
    if not _USCC_SHAPE.match(code):
        raise DomainError.single(
            field,
            "invalid_characters",
            "The code contains characters GB 32100-2015 does not use (I, O, S, V, Z) "
            "or its characters 3-8 are not a 6-digit division code.",
            "Check for letters mistyped for digits (O for 0, I for 1).",
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise DomainError.single(
            field,
            "invalid_check_character",
            f"The check character is {code[17]!r} but the first 17 characters give {expected!r}.",
            "One of the 18 characters is mistyped; compare with the business licence.",
        )
    return code


def validate_division_code(value: str, field: str = "jurisdiction") -> str:
    """Shape check of a GB/T 2260 six-digit code; existence is checked against the Jurisdiction table."""
    code = value.strip()
    if not _DIVISION_CODE.match(code):
        raise DomainError.single(
            field,
            "invalid_division_code",
            f"{value!r} is not a six-digit GB/T 2260 administrative division code.",
            "Use the county-level code, e.g. 330106 for 西湖区, 杭州市.",
        )
    return code


def make_uscc(registration_division: str, organization_code: str, prefix: str = "91") -> str:
    """Compose a valid code from its parts (prefix 91 = enterprise registered with market regulation)."""
    first17 = f"{prefix}{registration_division}{organization_code}"
    if len(first17) != 17:
        raise ValueError("prefix (2) + division (6) + organization code (9) must make 17 characters")
    return first17 + uscc_check_character(first17)
