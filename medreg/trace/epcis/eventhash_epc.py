"""Normalise GS1 identifiers (EPC URIs, EPC class/pattern URIs, GS1 Digital Link URIs).

Every identifier value that takes part in the EPCIS event hash is rewritten to a
constrained canonical GS1 Digital Link URI on ``https://id.gs1.org``: only the
most fine-grained identification level is kept and query strings/CPV are dropped.
Values that are not recognised GS1 identifiers are left alone (``None`` is returned).

The conversion is table driven: one regular expression per EPC scheme and one small
builder function per output shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

DL_ROOT = "https://id.gs1.org/"

_ENCODE = str.maketrans(
    {
        "!": "%21",
        "(": "%28",
        ")": "%29",
        "*": "%2A",
        "+": "%2B",
        ",": "%2C",
        ":": "%3A",
    }
)


def _enc(text: str) -> str:
    """Percent-encode the characters GS1 Digital Link requires encoded (EPC escapes stay)."""
    return text.translate(_ENCODE)


def check_digit(digits: str) -> str:
    """Return the GS1 mod-10 check digit for ``digits`` (weights 3,1,... from the right)."""
    total = 3 * sum(map(int, digits[-1::-2])) + sum(map(int, digits[-2::-2]))
    return str(-total % 10)


def _gtin(cp: str, ref: str) -> str:
    """Build a GTIN-14 (with check digit) from company prefix and indicator+item reference."""
    raw = ref[:1] + cp + ref[1:]
    return raw + check_digit(raw)


def _key(cp: str, ref: str) -> str:
    """Company prefix + reference + check digit (GLN, GSRN, GSIN, GDTI, ...)."""
    return cp + ref + check_digit(cp + ref)


_Builder = Callable[[tuple[str, ...]], str]

# (scheme, total digits of cp+ref or 0 for "any", regex, builder)
_CHARS = r"(?:%[0-9A-Fa-f]{2}|[!'()*+,.0-9:;=A-Za-z_-])"
_EPC_RULES: list[tuple[str, int, str, _Builder]] = [
    ("id:sgtin", 13, rf"(\d+)\.(\d*)\.({_CHARS}{{1,20}})", lambda g: f"01/{_gtin(g[0], g[1])}/21/{_enc(g[2])}"),
    ("id:sscc", 17, r"(\d+)\.(\d+)", lambda g: f"00/{_gtin(g[0], g[1])}"),
    (
        "id:sgln",
        12,
        rf"(\d+)\.(\d*)\.({_CHARS}{{1,20}})",
        lambda g: f"414/{_key(g[0], g[1])}" + ("" if g[2] == "0" else f"/254/{_enc(g[2])}"),
    ),
    ("id:grai", 12, rf"(\d+)\.(\d*)\.({_CHARS}{{1,16}})", lambda g: f"8003/0{_key(g[0], g[1])}{_enc(g[2])}"),
    ("id:giai", 0, rf"(\d+)\.({_CHARS}+)", lambda g: f"8004/{g[0]}{_enc(g[1])}"),
    ("id:gsrn", 17, r"(\d+)\.(\d+)", lambda g: f"8018/{_key(g[0], g[1])}"),
    ("id:gsrnp", 17, r"(\d+)\.(\d+)", lambda g: f"8017/{_key(g[0], g[1])}"),
    ("id:gdti", 12, rf"(\d+)\.(\d*)\.({_CHARS}{{1,17}})", lambda g: f"253/{_key(g[0], g[1])}{_enc(g[2])}"),
    ("id:cpi", 0, r"(\d+)\.([0-9A-Z%-]+)\.(\d{1,12})", lambda g: f"8010/{_enc(g[0] + g[1])}/8011/{g[2]}"),
    ("id:sgcn", 12, r"(\d+)\.(\d*)\.(\d{1,12})", lambda g: f"255/{_key(g[0], g[1])}{g[2]}"),
    ("id:ginc", 0, rf"(\d+)\.({_CHARS}+)", lambda g: f"401/{g[0]}{_enc(g[1])}"),
    ("id:gsin", 16, r"(\d+)\.(\d+)", lambda g: f"402/{_key(g[0], g[1])}"),
    (
        "id:itip",
        13,
        rf"(\d+)\.(\d+)\.(\d\d)\.(\d\d)\.({_CHARS}{{1,20}})",
        lambda g: f"8006/{_gtin(g[0], g[1])}{g[2]}{g[3]}/21/{_enc(g[4])}",
    ),
    ("id:upui", 13, rf"(\d+)\.(\d+)\.({_CHARS}{{1,28}})", lambda g: f"01/{_gtin(g[0], g[1])}/235/{_enc(g[2])}"),
    ("id:pgln", 12, r"(\d+)\.(\d*)", lambda g: f"417/{_key(g[0], g[1])}"),
    ("class:lgtin", 13, rf"(\d+)\.(\d+)\.({_CHARS}{{1,20}})", lambda g: f"01/{_gtin(g[0], g[1])}/10/{_enc(g[2])}"),
    ("idpat:sgtin", 13, r"(\d+)\.(\d+)\.\*", lambda g: f"01/{_gtin(g[0], g[1])}"),
    ("idpat:grai", 12, r"(\d+)\.(\d*)\.\*", lambda g: f"8003/0{_key(g[0], g[1])}"),
    ("idpat:gdti", 12, r"(\d+)\.(\d*)\.\*", lambda g: f"253/{_key(g[0], g[1])}"),
    ("idpat:sgcn", 12, r"(\d+)\.(\d*)\.\*", lambda g: f"255/{_key(g[0], g[1])}"),
    ("idpat:cpi", 0, r"(\d+)\.([0-9A-Z%-]+)\.\*", lambda g: f"8010/{_enc(g[0] + g[1])}"),
    ("idpat:itip", 13, r"(\d+)\.(\d+)\.(\d\d)\.(\d\d)\.\*", lambda g: f"8006/{_gtin(g[0], g[1])}{g[2]}{g[3]}"),
    ("idpat:upui", 13, r"(\d+)\.(\d+)\.\*", lambda g: f"01/{_gtin(g[0], g[1])}"),
]

_EPC_TABLE: dict[str, tuple[int, re.Pattern[str], _Builder]] = {
    "urn:epc:" + scheme + ":": (digits, re.compile(pattern), build) for scheme, digits, pattern, build in _EPC_RULES
}


def _epc_to_dl(uri: str) -> str | None:
    """Convert an EPC (class/pattern) URN to its canonical Digital Link URI."""
    prefix_end = uri.find(":", uri.find(":", 8) + 1) + 1  # after 'urn:epc:<kind>:<scheme>:'
    rule = _EPC_TABLE.get(uri[:prefix_end])
    if rule is None:
        return None
    digits, pattern, build = rule
    found = pattern.fullmatch(uri, prefix_end)
    if found is None:
        return None
    groups = found.groups()
    if not 6 <= len(groups[0]) <= 12:
        return None
    if digits and len(groups[0]) + len(groups[1]) != digits:
        return None
    return DL_ROOT + build(groups)


_SHORT_NAMES = {
    "gtin": "01",
    "itip": "8006",
    "cpid": "8010",
    "gln": "414",
    "party": "417",
    "gsrnp": "8017",
    "gsrn": "8018",
    "gcn": "255",
    "sscc": "00",
    "gdti": "253",
    "ginc": "401",
    "gsin": "402",
    "grai": "8003",
    "giai": "8004",
    "cpv": "22",
    "lot": "10",
    "ser": "21",
}
_PRIMARY = {"01", "8006", "8010", "414", "417", "8017", "8018", "255", "00", "253", "401", "402", "8003", "8004"}
_DL_HEAD = re.compile(r"https?://[^/?#]*(/[^?#]*)")
_V = r"[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]"
_DL_VALID = re.compile(
    r"00/\d{18}|01/\d{14}(?:/(?:21|10)/" + _V + r"{0,20}|/235/" + _V + r"{0,28})?"
    r"|253/\d{13}" + _V + r"{0,17}|255/\d{13}\d{0,12}|401/" + _V + r"{0,30}|402/\d{17}"
    r"|414/\d{13}(?:/254/" + _V + r"{0,20})?|417/\d{13}|8003/\d{14}" + _V + r"{0,16}"
    r"|8004/" + _V + r"{0,30}|8006/\d{18}(?:/(?:21|10)/" + _V + r"{0,20})?"
    r"|8010/[\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30}(?:/8011/\d{0,12})?|8017/\d{18}|8018/\d{18}"
)


def _dl_to_canonical(uri: str) -> str | None:
    """Canonicalise a GS1 Digital Link URI (any host, short names, query, lot+serial)."""
    head = _DL_HEAD.match(uri)
    if head is None:
        return None
    segments = [_SHORT_NAMES.get(s, s) for s in head.group(1).split("/")]
    start = next((i for i, s in enumerate(segments[:-1]) if s in _PRIMARY and segments[i + 1][:4].isdigit()), None)
    if start is None:
        return None
    path = [s for s in segments[start:] if s]
    if path[0] == "01" and len(path[1]) in (8, 12, 13) and path[1].isdigit():
        path[1] = path[1].zfill(14)
    pairs = dict(zip(path[2::2], path[3::2], strict=False))
    pairs.pop("22", None)
    if "21" in pairs:
        pairs.pop("10", None)
    canonical = "/".join([path[0], path[1]] + [p for kv in pairs.items() for p in kv])
    return DL_ROOT + canonical if _DL_VALID.fullmatch(canonical) else None


@lru_cache(maxsize=65536)
def normalise_identifier(uri: str) -> str | None:
    """Return the canonical Digital Link form of a GS1 identifier URI, else ``None``."""
    if uri.startswith("urn:epc:"):
        return _epc_to_dl(uri)
    if uri.startswith("http") and "." in uri:
        return _dl_to_canonical(uri)
    return None
