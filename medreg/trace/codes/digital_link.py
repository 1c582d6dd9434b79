"""GS1 Digital Link URIs: ``https://<any domain>/<stem>/01/<gtin>/10/<lot>/21/<serial>?17=...``.

The parser follows the GS1 Digital Link URI syntax as exercised by the GS1
Syntax Engine test-suite: a lower- or upper-case ``http``/``https`` scheme,
any domain and path stem, exactly one primary key (the right-most one) with
its key qualifiers in order, and AI data attributes in the query string
(non-numeric parameters are ignored).  AI values are validated with
:func:`medreg.trace.codes.ai_table.validate_element`.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from urllib.parse import quote

from medreg.trace.codes import ai_table
from medreg.trace.codes.element_strings import Element
from medreg.trace.codes.errors import CodeError

SCHEMES = ("http://", "https://", "HTTP://", "HTTPS://")
URI_CHARS = frozenset(string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%")
_DOMAIN = re.compile(r"(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?")
_HEX = frozenset(string.hexdigits)

#: Short names ("convenience alphas") of older Digital Link versions.
CONVENIENCE_ALPHAS = {
    "sscc": "00", "gtin": "01", "lot": "10", "ser": "21", "cpv": "22", "exp": "17",
    "tpx": "235", "gdti": "253", "glnx": "254", "gcn": "255", "ginc": "401",
    "gsin": "402", "gln": "414", "payTo": "415", "party": "417", "grai": "8003",
    "giai": "8004", "itip": "8006", "cpid": "8010", "cpsn": "8011", "gmn": "8013",
    "gsrnp": "8017", "gsrn": "8018", "srin": "8019", "refNo": "8020",
}  # fmt: skip
_ZERO_SUPPRESSED_GTIN_LENGTHS = (8, 12, 13)


@dataclass(frozen=True)
class DigitalLinkOptions:
    """Optional, non-default leniencies of the Digital Link parser."""

    convenience_alphas: bool = False
    """Accept ``/gtin/``, ``/ser/`` ... instead of numeric AIs in the path."""
    zero_suppressed_gtin: bool = False
    """Accept GTIN-8/12/13 in the ``/01/`` path segment (padded to 14)."""
    unknown_ai_attributes: bool = False
    """Accept unknown numeric AIs as query-string data attributes."""


def _uri_error(message: str, fix: str = "") -> CodeError:
    """A :class:`CodeError` about the URI as a whole."""
    return CodeError(
        "uri",
        message,
        fix or "Use https://<domain>/<optional stem>/01/<GTIN-14>/21/<serial>?17=<YYMMDD>.",
    )


def percent_decode(text: str, *, plus_is_space: bool) -> str:
    """Decode ``%XX`` escapes strictly (UTF-8); optionally ``+`` as space."""
    out = bytearray()
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == "%":
            if not set(text[pos + 1 : pos + 3]) <= _HEX or len(text[pos + 1 : pos + 3]) < 2:
                raise _uri_error(f"bad percent-escape at {text[pos : pos + 3]!r}.", "Use %XX.")
            out.append(int(text[pos + 1 : pos + 3], 16))
            pos += 3
            continue
        out.extend(b" " if ch == "+" and plus_is_space else ch.encode())
        pos += 1
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _uri_error("percent-escapes are not valid UTF-8.") from exc


def _split_uri(uri: str) -> tuple[list[str], str]:
    """Check scheme, characters and domain; return path segments and query."""
    scheme = next((s for s in SCHEMES if uri.startswith(s)), None)
    if scheme is None:
        raise _uri_error("must start with http:// or https:// (not mixed case).")
    bad = sorted({ch for ch in uri if ch not in URI_CHARS})
    if bad:
        raise _uri_error(
            f"contains characters not allowed in a URI: {bad!r}.",
            "Percent-encode special characters (e.g. %2F for '/').",
        )
    rest = uri[len(scheme) :].split("#", 1)[0]
    domain, slash, path_query = rest.partition("/")
    if not slash or not _DOMAIN.fullmatch(domain):
        raise _uri_error("has no valid domain followed by a path.")
    path, _, query = path_query.partition("?")
    if path.endswith("/") or not path:
        raise _uri_error("path is empty or ends with '/'.")
    return path.split("/"), query


def _resolve_key(segment: str, options: DigitalLinkOptions) -> str | None:
    """Numeric AI of a path / query key, honouring convenience alphas."""
    if options.convenience_alphas and segment in CONVENIENCE_ALPHAS:
        return CONVENIENCE_ALPHAS[segment]
    return segment if ai_table.lookup_ai(segment) else None


def _find_primary_key(segments: list[str], options: DigitalLinkOptions) -> int:
    """Index of the right-most primary key; everything before is the stem."""
    index = len(segments) - 2
    while index >= 0:
        key = _resolve_key(segments[index], options)
        if key is None:
            break
        if key in ai_table.DL_PRIMARY_KEYS:
            return index
        index -= 2
    raise _uri_error("no GS1 primary key (e.g. /01/<GTIN>) found in the path.")


def _path_elements(segments: list[str], options: DigitalLinkOptions) -> list[Element]:
    """Decode the primary key and qualifier pairs of the path."""
    elements = []
    for index in range(_find_primary_key(segments, options), len(segments), 2):
        key = _resolve_key(segments[index], options)
        assert key is not None  # checked by _find_primary_key
        elements.append(Element(key, percent_decode(segments[index + 1], plus_is_space=False)))
    first = elements[0]
    zero_suppressed = len(first.value) in _ZERO_SUPPRESSED_GTIN_LENGTHS
    if first.ai == "01" and options.zero_suppressed_gtin and zero_suppressed:
        elements[0] = Element("01", first.value.zfill(14))
    return elements


def _is_subsequence(items: list[str], sequence: tuple[str, ...]) -> bool:
    """True when *items* appear in *sequence* in the same order."""
    iterator = iter(sequence)
    return all(item in iterator for item in items)


def _check_qualifiers(primary: str, qualifiers: list[str]) -> None:
    """Qualifiers must follow one of the key's qualifier sequences, in order."""
    alternatives = ai_table.DL_PRIMARY_KEYS[primary]
    if qualifiers and not any(_is_subsequence(qualifiers, alt) for alt in alternatives):
        allowed = " or ".join("/".join(alt) for alt in alternatives) or "none"
        raise _uri_error(
            f"qualifiers {'/'.join(qualifiers)} are not valid after primary key {primary}.",
            f"Primary key {primary} takes the qualifiers {allowed}, in that order.",
        )


def _belongs_in_path(primary: str, qualifiers: list[str], ai: str) -> bool:
    """True when *ai* could (so must) be a path qualifier instead."""
    wanted = {*qualifiers, ai}
    return any(wanted <= set(alt) for alt in ai_table.DL_PRIMARY_KEYS[primary])


def _query_pairs(query: str) -> list[tuple[str, str]]:
    """Split ``a=1&b=2``; drop empty parts and singletons without ``=``."""
    pairs = []
    for part in query.split("&"):
        key, equals, value = part.partition("=")
        if equals:
            pairs.append((key, value))
    return pairs


def _query_element(key: str, raw: str, path: list[Element], options: DigitalLinkOptions) -> Element:
    """Validate one numeric query parameter as an AI data attribute."""
    ai = _resolve_key(key, options) or key
    if ai_table.lookup_ai(ai) is None:
        if not options.unknown_ai_attributes:
            ai_table.require_known_ai(ai)  # raises CodeError for the unknown AI
        return Element(ai, percent_decode(raw, plus_is_space=True))
    qualifiers = [element.ai for element in path[1:]]
    if ai in ai_table.NOT_DL_ATTRIBUTES or _belongs_in_path(path[0].ai, qualifiers, ai):
        raise _uri_error(
            f"AI {ai} is not allowed in the query string here.",
            f"AI {ai} is a key qualifier (put it in the path after the primary key, in order) "
            "or is not a Digital Link data attribute.",
        )
    return Element(ai, percent_decode(raw, plus_is_space=True))


def _query_elements(query: str, path: list[Element], options: DigitalLinkOptions) -> list[Element]:
    """AI data attributes from the query string, in their given order."""
    elements = []
    for key, raw in _query_pairs(query):
        numeric = key.isdigit()
        if numeric or (options.convenience_alphas and key in CONVENIENCE_ALPHAS):
            elements.append(_query_element(key, raw, path, options))
    return elements


def _check_duplicates(elements: list[Element]) -> None:
    """Each AI may occur only once in a Digital Link URI."""
    seen: set[str] = set()
    for ai, _ in elements:
        if ai in seen:
            raise _uri_error(f"AI {ai} occurs more than once.", "Give each AI only once.")
        seen.add(ai)


def parse_digital_link(uri: str, options: DigitalLinkOptions | None = None) -> tuple[Element, ...]:
    """Parse a GS1 Digital Link URI into validated AI elements.

    Path elements come first (primary key, then qualifiers), followed by the
    query-string data attributes in their given order.
    """
    options = options or DigitalLinkOptions()
    segments, query = _split_uri(uri)
    path = _path_elements(segments, options)
    _check_qualifiers(path[0].ai, [element.ai for element in path[1:]])
    elements = path + _query_elements(query, path, options)
    _check_duplicates(elements)
    for ai, value in elements:
        ai_table.validate_element(ai, value, permit_unknown=options.unknown_ai_attributes)
    return tuple(elements)


def _ordered_path(elements: tuple[Element, ...] | list[Element]) -> list[Element]:
    """Primary key plus the qualifiers present, in the standard order."""
    by_ai = dict(elements)
    primary = next((ai for ai in by_ai if ai in ai_table.DL_PRIMARY_KEYS), None)
    if primary is None:
        raise CodeError(
            "primary_key",
            "no GS1 primary key to build a URI from.",
            "Include AI (01) GTIN or (00) SSCC.",
        )
    for alternative in ai_table.DL_PRIMARY_KEYS[primary]:
        if any(ai in by_ai for ai in alternative):
            return [Element(primary, by_ai[primary])] + [Element(ai, by_ai[ai]) for ai in alternative if ai in by_ai]
    return [Element(primary, by_ai[primary])]


def build_digital_link(elements: tuple[Element, ...] | list[Element], domain: str = "id.gs1.org") -> str:
    """Render elements as a Digital Link URI on *domain* (values escaped)."""
    path = _ordered_path(elements)
    uri = f"https://{domain}" + "".join(f"/{ai}/{quote(value, safe='')}" for ai, value in path)
    rest = [element for element in elements if element not in path]
    query = "&".join(f"{ai}={quote(value, safe='')}" for ai, value in rest)
    return f"{uri}?{query}" if query else uri
