"""Patient and reporter identifiers: pseudonyms for linkage, encrypted cleartext, de-identified models.

`split_identifiers` takes a report apart into a de-identified report (every identifying element that
was present replaced by nullFlavor MSK, regional fragments on the patient and reporters dropped, and
every free text redacted: Chinese ID numbers, telephone numbers, e-mail addresses and the report's own
identifying values; see `Redactor`) and the identifying values by path (a redacted value's original
included); `merge_identifiers` puts them back, so the split is lossless.
Pseudonyms are HMAC-SHA256 over the normalized text, keyed by `MEDREG_PSEUDONYM_KEY`; the
cleartext is encrypted with Fernet keys from `MEDREG_IDENTIFIER_KEYS` (newest first, rotation by
MultiFernet). Both default to keys derived from SECRET_KEY for development and tests only.
"""

import base64
import dataclasses
import hashlib
import hmac
import json
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from lxml import etree

from medreg.vigilance.e2b.codec import dump, load_hint, type_hints
from medreg.vigilance.e2b.model import Extension, Parent, Patient, PrimarySource, Report, Sender, Value
from medreg.vigilance.e2b.xmlsafe import E2BError, parse_xml

MASKED = Value(null_flavor="MSK")
# Identifying elements per model class (E2B(R3) D.1, D.2.1, D.1.1.x in `ext`, C.2.r.1-2, C.3.3).
PRIVATE_FIELDS: dict[type, tuple[str, ...]] = {
    Patient: ("name", "birth_date", "ext"),
    Parent: ("name", "birth_date", "ext"),
    PrimarySource: ("title", "given", "family", "street", "city", "state", "postcode", "telecom", "ext"),
    Sender: ("title", "given", "family", "telecom"),
}


def pseudonym(kind: str, text: str) -> str:
    """HMAC-SHA256 of the normalized text; equal names give equal pseudonyms, '' gives ''."""
    normalized = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    if not normalized:
        return ""
    message = f"{kind}\x1f{normalized}".encode()
    return hmac.new(_pseudonym_key(), message, hashlib.sha256).hexdigest()


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    return _fernet().decrypt(bytes(token))


def _pseudonym_key() -> bytes:
    configured = getattr(settings, "MEDREG_PSEUDONYM_KEY", "")
    if configured:
        return str(configured).encode()
    return hashlib.sha256(f"medreg.vigilance.pseudonym\x1f{settings.SECRET_KEY}".encode()).digest()


def _fernet() -> MultiFernet:
    keys = list(getattr(settings, "MEDREG_IDENTIFIER_KEYS", ()) or ())
    if not keys:
        derived = hashlib.sha256(f"medreg.vigilance.identifiers\x1f{settings.SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(derived)]
    return MultiFernet([Fernet(key) for key in keys])


def split_identifiers(report: Report) -> tuple[Report, dict[str, Any]]:
    """(de-identified report, identifying values by path as JSON data)."""
    secrets: dict[str, Any] = {}
    return _split(report, "", secrets, Redactor(clear_values(report))), secrets


def merge_identifiers(report: Report, secrets: dict[str, Any]) -> Report:
    """The report with the values `split_identifiers` took out put back."""
    return _merge(report, "", secrets)  # type: ignore[no-any-return]


def _split(obj: Any, path: str, secrets: dict[str, Any], redactor: "Redactor") -> Any:
    if isinstance(obj, tuple):
        return tuple(_split(item, f"{path}[{n}]", secrets, redactor) for n, item in enumerate(obj))
    if not _is_section(obj):
        return obj
    private = PRIVATE_FIELDS.get(type(obj), ())
    changes = {}
    for spec in dataclasses.fields(obj):
        value, here = getattr(obj, spec.name), f"{path}.{spec.name}"
        if spec.name in private and value not in (None, ()):
            secrets[here] = dump(value)
            changes[spec.name] = MASKED if isinstance(value, Value) else ()
        elif _is_section(value) or (isinstance(value, tuple) and value and _is_section(value[0])):
            changes[spec.name] = _split(value, here, secrets, redactor)
        else:
            redacted = redactor.field(value)
            if redacted != value:
                secrets[here] = dump(value)
                changes[spec.name] = redacted
    return dataclasses.replace(obj, **changes)


def _is_section(obj: Any) -> bool:
    """A model object with fields of its own (not a Value or an Extension)."""
    return dataclasses.is_dataclass(obj) and not isinstance(obj, (Value, Extension, type))


def _merge(obj: Any, path: str, secrets: dict[str, Any]) -> Any:
    if isinstance(obj, tuple):
        return tuple(_merge(item, f"{path}[{n}]", secrets) for n, item in enumerate(obj))
    if not _is_section(obj):
        return obj
    cls: Any = type(obj)
    hints, changes = type_hints(cls), {}
    for spec in dataclasses.fields(obj):
        value, here = getattr(obj, spec.name), f"{path}.{spec.name}"
        if here in secrets:
            changes[spec.name] = load_hint(hints[spec.name], secrets[here])
        elif _is_section(value) or (isinstance(value, tuple) and value and _is_section(value[0])):
            changes[spec.name] = _merge(value, here, secrets)
    return dataclasses.replace(obj, **changes)  # type: ignore[type-var]


def text_of(value: Value | None) -> str:
    """The human-readable content of a value, '' when absent or null."""
    if value is None or value.null_flavor:
        return ""
    return value.text or value.value or value.original_text or value.display_name or value.extension or value.code or ""


def identifiers_json(secrets: dict[str, Any]) -> bytes:
    return json.dumps(secrets, ensure_ascii=False, sort_keys=True).encode()


# -- free text ------------------------------------------------------------------------------------

REDACTED = {
    "id": "[ID-NUMBER]",
    "phone": "[PHONE]",
    "email": "[EMAIL]",
    "own": "[IDENTIFIER]",
    "attachment": "[ATTACHMENT]",
}
_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
PATTERNS = {
    # 居民身份证号: 18 characters (area, birth date 18/19/20yy, sequence, check digit) or the old 15 digits
    "id": rf"(?<![0-9A-Za-z])(?:[1-9]\d{{5}}(?:18|19|20)\d{{2}}{_DAY}\d{{3}}[0-9Xx]|[1-9]\d{{7}}{_DAY}\d{{3}})"
    r"(?![0-9A-Za-z])",
    # mainland mobile (+86 optional, spaces or dashes), fixed line with its area code, tel:/fax: URIs,
    # and international numbers written with a leading +
    "phone": r"(?:(?:tel|fax):\s*\+?\d[\d\s().-]{5,30}\d"
    r"|(?<![\d+])(?:(?:\+|00)86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)"
    r"|(?<!\d)\(?0\d{2,3}\)?[\s-]?[2-9]\d{6,7}(?!\d)"
    r"|(?<![\w+])\+\d{1,3}[\s-]?\d[\d\s-]{6,20}\d(?!\d))",
    # bounded and anchored at the start of a run, so long runs (base64) cost linear time
    "email": r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@"
    r"[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}",
}
# Full-width forms (Ａ-ｚ, ０-９, ＠, ＋ ...) are matched as their ASCII twins, character for character.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_DIGIT_OR_AT = re.compile(r"[\d@]")
_CLEAR_FIELDS = ("name", "given", "family", "street", "postcode", "telecom", "birth_date")
_MIN_CLEAR_LENGTH = 2


class Redactor:
    """Replaces identifying text: ID numbers, telephone numbers, e-mail addresses (patterns) and the
    report's own identifying values (`clear`, e.g. the patient's initials or the reporter's name).

    Over-inclusive on purpose; idempotent (its replacement tokens match nothing)."""

    def __init__(self, clear: Iterable[str] = ()) -> None:
        parts = [rf"(?P<{kind}>{pattern})" for kind, pattern in PATTERNS.items()]
        own = sorted({c for c in clear if len(c.strip()) >= _MIN_CLEAR_LENGTH}, key=lambda c: (-len(c), c))
        if own:
            parts.append("(?P<own>" + "|".join(_clear_pattern(c) for c in own) + ")")
        self._pattern = re.compile("|".join(parts), re.IGNORECASE)
        self._own = tuple(c.casefold() for c in own)

    def _may_match(self, folded: str) -> bool:
        """A cheap test that lets most texts skip the regular expression: patterns need a digit or
        an @; own values are looked for as case-folded substrings."""
        if _DIGIT_OR_AT.search(folded):
            return True
        lowered = folded.casefold()
        return any(value in lowered for value in self._own)

    def text(self, text: str) -> str:
        """`text` with every identifying span replaced by its token."""
        folded = text.translate(_HALF_WIDTH)
        if not self._may_match(folded):
            return text
        out, last = [], 0
        for match in self._pattern.finditer(folded):
            out += [text[last : match.start()], REDACTED[match.lastgroup or "own"]]
            last = match.end()
        return "".join(out) + text[last:] if out else text

    def field(self, value: Any) -> Any:
        """A model field with its free text redacted: a Value, a tuple of Values, extension fragments."""
        if isinstance(value, Value):
            return self._value(value)
        if isinstance(value, tuple) and value and isinstance(value[0], Value):
            return tuple(self._value(v) for v in value)
        if isinstance(value, tuple) and value and isinstance(value[0], Extension):
            return tuple(Extension(e.path, self.fragment(e.xml)) for e in value)
        return value

    def _value(self, value: Value) -> Value:
        changes = {name: self.text(t) for name in ("text", "original_text") if (t := getattr(value, name))}
        if all(getattr(value, name) == text for name, text in changes.items()):
            return value
        return dataclasses.replace(value, **changes)

    def fragment(self, xml: str) -> str:
        """A verbatim XML fragment with its text, tails and `value` attributes redacted."""
        try:
            root = parse_xml(xml.encode())
        except E2BError:
            return self.text(xml)
        changed = False
        for element in root.iter():
            if element.get("representation") == "B64":  # attached documents (C.1.6.1.r.2, C.4.r.2): withheld
                element.text, changed = REDACTED["attachment"], True
                for child in element:
                    child.tail = None
            for name in ("text", "tail"):
                original = getattr(element, name)
                if original and (redacted := self.text(original)) != original:
                    setattr(element, name, redacted)
                    changed = True
            original = element.get("value")
            if original and (redacted := self.text(original)) != original:
                element.set("value", redacted)
                changed = True
        if not changed:
            return xml
        return etree.tostring(root, method="c14n", exclusive=True, with_comments=False).decode()


def _clear_pattern(value: str) -> str:
    escaped = re.escape(value)
    if value.isascii() and value[0].isalnum() and value[-1].isalnum():
        return rf"(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9])"
    return escaped


def clear_values(report: Report) -> set[str]:
    """The report's identifying values as they may appear in free text: names and initials of the
    patient, parent, reporters and sender contact, streets, postcodes, telephones and e-mails (without
    their URI scheme), and the dates of birth in their usual written forms."""
    found: set[str] = set()
    for obj in _sections(report):
        for name in _CLEAR_FIELDS if type(obj) in PRIVATE_FIELDS else ():
            value = getattr(obj, name, None)
            for item in value if isinstance(value, tuple) else (value,):
                text = text_of(item) if isinstance(item, Value) else ""
                if name == "birth_date":
                    found |= _date_forms(text)
                elif name == "telecom":
                    found.add(text.split(":", 1)[-1].strip())
                else:
                    found.add(text.strip())
    given = [text_of(v) for s in report.primary_sources for v in s.given]
    found |= {" ".join([*given, text_of(s.family)]).strip() for s in report.primary_sources}
    return {f for f in found if f}


def _sections(obj: Any) -> list[Any]:
    if isinstance(obj, tuple):
        return [found for item in obj for found in _sections(item)]
    if not _is_section(obj):
        return []
    return [obj, *(found for spec in dataclasses.fields(obj) for found in _sections(getattr(obj, spec.name)))]


def _date_forms(ts: str) -> set[str]:
    """20240105 -> 20240105, 2024-01-05, 2024/01/05, 2024.01.05, 2024-1-5, 2024年1月5日, 2024年01月05日."""
    if not re.fullmatch(r"\d{8}.*", ts):
        return set()
    year, month, day = ts[:4], ts[4:6], ts[6:8]
    short = (str(int(month)), str(int(day)))
    forms = {f"{year}{month}{day}", f"{year}年{month}月{day}日", f"{year}年{short[0]}月{short[1]}日"}
    for sep in "-/.":
        forms |= {sep.join((year, month, day)), sep.join((year, *short))}
    return forms
