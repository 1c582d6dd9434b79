"""Patient and reporter identifiers: pseudonyms for linkage, encrypted cleartext, de-identified models.

`split_identifiers` takes a report apart into a de-identified report (every identifying element that
was present replaced by nullFlavor MSK, regional fragments on the patient and reporters dropped)
and the identifying values by path; `merge_identifiers` puts them back, so the split is lossless.
Pseudonyms are HMAC-SHA256 over the normalized text, keyed by `MEDREG_PSEUDONYM_KEY`; the
cleartext is encrypted with Fernet keys from `MEDREG_IDENTIFIER_KEYS` (newest first, rotation by
MultiFernet). Both default to keys derived from SECRET_KEY for development and tests only.
"""

import base64
import dataclasses
import hashlib
import hmac
import json
import unicodedata
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

from medreg.vigilance.e2b.model import Parent, Patient, PrimarySource, Report, Sender, Value
from medreg.vigilance.services.codec import dump, load_hint, type_hints

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
    return _split(report, "", secrets), secrets


def merge_identifiers(report: Report, secrets: dict[str, Any]) -> Report:
    """The report with the values `split_identifiers` took out put back."""
    return _merge(report, "", secrets)  # type: ignore[no-any-return]


def _split(obj: Any, path: str, secrets: dict[str, Any]) -> Any:
    if isinstance(obj, tuple):
        return tuple(_split(item, f"{path}[{n}]", secrets) for n, item in enumerate(obj))
    if not dataclasses.is_dataclass(obj) or isinstance(obj, Value):
        return obj
    private = PRIVATE_FIELDS.get(type(obj), ())
    changes = {}
    for spec in dataclasses.fields(obj):
        value, here = getattr(obj, spec.name), f"{path}.{spec.name}"
        if spec.name in private and value not in (None, ()):
            secrets[here] = dump(value)
            changes[spec.name] = MASKED if isinstance(value, Value) else ()
        elif dataclasses.is_dataclass(value) or (
            isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0])
        ):
            changes[spec.name] = _split(value, here, secrets)
    return dataclasses.replace(obj, **changes)  # type: ignore[type-var]


def _merge(obj: Any, path: str, secrets: dict[str, Any]) -> Any:
    if isinstance(obj, tuple):
        return tuple(_merge(item, f"{path}[{n}]", secrets) for n, item in enumerate(obj))
    if not dataclasses.is_dataclass(obj) or isinstance(obj, Value):
        return obj
    cls: Any = type(obj)
    hints, changes = type_hints(cls), {}
    for spec in dataclasses.fields(obj):
        value, here = getattr(obj, spec.name), f"{path}.{spec.name}"
        if here in secrets:
            changes[spec.name] = load_hint(hints[spec.name], secrets[here])
        elif dataclasses.is_dataclass(value) or (
            isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0])
        ):
            changes[spec.name] = _merge(value, here, secrets)
    return dataclasses.replace(obj, **changes)  # type: ignore[type-var]


def text_of(value: Value | None) -> str:
    """The human-readable content of a value, '' when absent or null."""
    if value is None or value.null_flavor:
        return ""
    return value.text or value.value or value.original_text or value.display_name or value.extension or value.code or ""


def identifiers_json(secrets: dict[str, Any]) -> bytes:
    return json.dumps(secrets, ensure_ascii=False, sort_keys=True).encode()
