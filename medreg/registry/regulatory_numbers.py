"""Validators for regulatory numbers: drug approval numbers, device registration and filing
numbers, cosmetic numbers, licence numbers, UDI device identifiers.

Each returns the normalized value or raises DomainError naming the field and the fix. The formats
follow NMPA's published numbering rules (references in docs/modules/registry.md).
"""

import re

from biip.checksums import gs1_standard_check_digit

from medreg.core.errors import DomainError

# GB/T 2260 province code -> the one-character abbreviation used in licence and filing numbers.
PROVINCE_ABBREVIATIONS = {
    "11": "京",
    "12": "津",
    "13": "冀",
    "14": "晋",
    "15": "蒙",
    "21": "辽",
    "22": "吉",
    "23": "黑",
    "31": "沪",
    "32": "苏",
    "33": "浙",
    "34": "皖",
    "35": "闽",
    "36": "赣",
    "37": "鲁",
    "41": "豫",
    "42": "鄂",
    "43": "湘",
    "44": "粤",
    "45": "桂",
    "46": "琼",
    "50": "渝",
    "51": "川",
    "52": "贵",
    "53": "云",
    "54": "藏",
    "61": "陕",
    "62": "甘",
    "63": "青",
    "64": "宁",
    "65": "新",
}
_ABBR = "".join(PROVINCE_ABBREVIATIONS.values())

# 国药准字 + category + 8 digits. H chemical, Z traditional Chinese medicine, S biological, optionally
# followed by J (produced abroad) or C (Hong Kong, Macao, Taiwan); legacy single letters J, B, T, F.
_DRUG_APPROVAL = re.compile(r"^国药准字(?P<category>[HZS][JC]?|[JBTF])(?P<digits>[0-9]{8})$")
_DEVICE_REGISTRATION = re.compile(
    rf"^(?P<authority>国|[{_ABBR}])械注(?P<origin>[准进许])(?P<year>[0-9]{{4}})(?P<class>[23])"
    r"(?P<category>[0-9]{2})(?P<serial>[0-9]{4})$"
)
_DEVICE_FILING = re.compile(
    rf"^(?P<authority>国|[{_ABBR}][\u4e00-\u9fff]?)械备(?P<year>[0-9]{{4}})(?P<serial>[0-9]{{4,6}})号?$"
)
_COSMETIC_SPECIAL = re.compile(r"^国妆特(?:进)?字[GJ][0-9]{8}$")
_COSMETIC_ORDINARY = re.compile(rf"^(?:[{_ABBR}]G妆网备字|国妆网备进字(?:\([{_ABBR}]\)|（[{_ABBR}]）)?)[0-9]{{10}}$")
_LICENCE_PATTERNS = {
    "drug_production": re.compile(rf"^[{_ABBR}][0-9]{{8}}$"),
    "drug_wholesale": re.compile(rf"^[{_ABBR}][A-D]{{2}}[0-9]{{7}}$"),
    "drug_retail": re.compile(rf"^[{_ABBR}][A-D]{{2}}[0-9]{{7}}$"),
    "cosmetic_production": re.compile(rf"^[{_ABBR}]妆[0-9]{{8}}$"),
}
_LICENCE_GENERIC = re.compile(rf"^[{_ABBR}国][\u4e00-\u9fff0-9A-Z]{{4,40}}号?$")
_HIBCC_DI = re.compile(r"^\+[A-Z][A-Z0-9]{3}[A-Z0-9]{1,18}[0-9]$")
_ICCBBA_DI = re.compile(r"^=/[A-Z0-9]{5}[A-Z0-9]{6}[0-9]{0,2}$")


def _fail(field: str, code: str, message: str, fix: str) -> DomainError:
    return DomainError.single(field, code, message, fix)


def validate_drug_approval_number(value: str, field: str = "approval_number") -> str:
    """国药准字H20051234: category letter(s) and eight digits whose first two are a year or a province."""
    number = value.strip().replace(" ", "")
    match = _DRUG_APPROVAL.match(number)
    if match is None:
        raise _fail(
            field,
            "invalid_format",
            f"{value!r} is not a drug approval number.",
            "Write it as 国药准字 + H, Z, S (optionally followed by J or C) or J/B/T/F + 8 digits, "
            "e.g. 国药准字H20051234.",
        )
    lead = match["digits"][:2]
    if lead not in {"10", "19", "20"} and lead not in PROVINCE_ABBREVIATIONS:
        raise _fail(
            field,
            "invalid_digits",
            f"The digits of {number} begin with {lead}, which is neither a year "
            "(19, 20), the former national series (10) nor a province code.",
            "Check the eight digits against the approval document.",
        )
    return number


def drug_category(approval_number: str) -> str:
    """The category letter(s) of a valid approval number (H, Z, S, HJ ...)."""
    match = _DRUG_APPROVAL.match(approval_number)
    return match["category"] if match else ""


def validate_device_number(value: str, device_class: str, field: str = "number") -> str:
    """A registration number (class II/III, its class digit must agree) or a filing number (class I)."""
    number = value.strip().replace(" ", "")
    if device_class == "I":
        if _DEVICE_FILING.match(number) is None:
            raise _fail(
                field,
                "invalid_format",
                f"{value!r} is not a class I device filing number.",
                "Write it as 浙杭械备20150001号: authority, 械备, year and serial.",
            )
        return number
    match = _DEVICE_REGISTRATION.match(number)
    if match is None:
        raise _fail(
            field,
            "invalid_format",
            f"{value!r} is not a device registration number.",
            "Write it as 国械注准20153090001: authority, 械注准/进/许, year, class digit, 2-digit "
            "category, 4-digit serial.",
        )
    if match["class"] != {"II": "2", "III": "3"}.get(device_class):
        raise _fail(
            field,
            "class_mismatch",
            f"{number} is a class {match['class']} number but the device is class {device_class}.",
            "Correct the device class or the number.",
        )
    if device_class == "III" and match["authority"] != "国":
        raise _fail(
            field,
            "wrong_authority",
            "Class III devices are registered by the national regulator (国械注).",
            "Check the number on the registration certificate.",
        )
    return number


def validate_cosmetic_number(value: str, category: str, field: str = "number") -> str:
    number = value.strip().replace(" ", "")
    pattern, example = (
        (_COSMETIC_SPECIAL, "国妆特字G20190001")
        if category == "special"
        else (_COSMETIC_ORDINARY, "浙G妆网备字2021000001")
    )
    if pattern.match(number) is None:
        raise _fail(
            field, "invalid_format", f"{value!r} is not a {category} cosmetic number.", f"Write it like {example}."
        )
    return number


def validate_licence_number(value: str, kind: str, province_code: str, field: str = "number") -> str:
    """Shape of the number for its kind; numbers issued by a province begin with its abbreviation."""
    number = value.strip().replace(" ", "")
    pattern = _LICENCE_PATTERNS.get(kind, _LICENCE_GENERIC)
    if pattern.match(number) is None:
        raise _fail(
            field,
            "invalid_format",
            f"{value!r} is not a valid {kind} number.",
            "Copy the number exactly as printed on the licence, e.g. 浙20160001 or 浙AA5710001.",
        )
    expected = PROVINCE_ABBREVIATIONS.get(province_code[:2], "")
    if expected and number[0] not in (expected, "国"):
        raise _fail(
            field,
            "wrong_province",
            f"{number} begins with {number[0]} but the issuing authority is in {expected}.",
            "Check the issuing authority or the number.",
        )
    return number


def validate_gtin(value: str, field: str = "gtin") -> str:
    """A GTIN-8/12/13/14, returned as GTIN-14, with its check digit verified."""
    digits = value.strip()
    if not (digits.isascii() and digits.isdigit()) or len(digits) not in (8, 12, 13, 14):
        raise _fail(field, "invalid_format", f"{value!r} is not a GTIN.", "A GTIN has 8, 12, 13 or 14 digits.")
    gtin = digits.zfill(14)
    expected = str(gs1_standard_check_digit(gtin[:-1]))
    if expected != gtin[-1]:
        raise _fail(
            field,
            "invalid_check_digit",
            f"The check digit of {digits} should be {expected}.",
            "One digit is mistyped; copy it from the label.",
        )
    return gtin


def validate_udi_di(value: str, agency: str, field: str = "di") -> str:
    if agency == "GS1":
        return validate_gtin(value, field)
    pattern = {"HIBCC": _HIBCC_DI, "ICCBBA": _ICCBBA_DI}.get(agency)
    if pattern is None:
        raise _fail(
            "issuing_agency", "unknown_agency", f"{agency!r} is not a UDI issuing agency.", "Use GS1, HIBCC or ICCBBA."
        )
    if pattern.match(value.strip()) is None:
        raise _fail(
            field,
            "invalid_format",
            f"{value!r} is not an {agency} device identifier.",
            "Copy the DI exactly from the UDI database entry.",
        )
    return value.strip()


def validate_drug_identification_code(value: str, field: str = "drug_identification_code") -> str:
    """The 7-digit drug identification code, the first seven digits of a 20-digit traceability code."""
    code = value.strip()
    if len(code) != 7 or not (code.isascii() and code.isdigit()):  # isdigit() is true of any script's digits
        raise _fail(
            field,
            "invalid_format",
            f"{value!r} is not a 7-digit drug identification code.",
            "Take the first seven digits of the pack's 20-digit traceability code.",
        )
    return code


def validate_gln(value: str, field: str = "gln") -> str:
    """A 13-digit GS1 location number with its check digit verified."""
    digits = value.strip()
    if not digits.isdigit() or len(digits) != 13:
        raise _fail(field, "invalid_format", f"{value!r} is not a GLN.", "A GLN has 13 digits.")
    expected = str(gs1_standard_check_digit(digits[:12]))
    if expected != digits[12]:
        raise _fail(field, "invalid_check_digit", f"The check digit of {digits} should be {expected}.",
                    "One digit is mistyped; copy the GLN from the GS1 certificate.")
    return digits
