"""GS1 element strings: scanned (FNC1 / GS separated) and bracketed HRI form.

Both parsers return a tuple of :class:`Element` (AI, value) pairs, each one
validated by :func:`medreg.trace.codes.ai_table.validate_element`.
"""

from __future__ import annotations

from typing import NamedTuple

from medreg.trace.codes import ai_table
from medreg.trace.codes.errors import CodeError

#: ASCII group separator, sent by scanners in place of FNC1.
GS = "\x1d"
#: Characters accepted as FNC1 in scanned data: GS, and "^" as used in
#: GS1 reference test data (``^`` is not in character set 82).
FNC1_CHARS = frozenset({GS, "^"})
#: Symbology identifiers whose data is a GS1 element string.
GS1_SYMBOLOGIES = frozenset({"]C1", "]d2", "]Q3", "]e0", "]J1"})


class Element(NamedTuple):
    """One AI and its data, e.g. ``Element("17", "290100")``."""

    ai: str
    value: str


def fixed_value_length(ai: str) -> int | None:
    """Length of *ai*'s data if it is fixed by the format, else None."""
    info = ai_table.lookup_ai(ai)
    if info is None:
        return None
    parts = info.format.split("+")[1:]
    if any(".." in part or "[" in part for part in parts):
        return None
    return sum(int(part[1:]) for part in parts)


def _reject_duplicates(elements: list[Element]) -> None:
    """Raise if an AI occurs twice with different values."""
    seen: dict[str, str] = {}
    for ai, value in elements:
        if seen.setdefault(ai, value) != value:
            raise CodeError(
                ai_table.field_name(ai),
                f"AI ({ai}) occurs twice with different values.",
                "Each AI may appear only once per barcode; remove the duplicate.",
            )


def _validated(elements: list[Element]) -> tuple[Element, ...]:
    """Validate every element, reject conflicting duplicates, return a tuple."""
    if not elements:
        raise CodeError("element_string", "no AI data found.", "Scan a GS1 barcode.")
    for ai, value in elements:
        ai_table.validate_element(ai, value)
    _reject_duplicates(elements)
    return tuple(elements)


# --- bracketed HRI form: (01)09506000134352(21)123 ---------------------------


def _read_bracket_ai(text: str, pos: int) -> tuple[str, int]:
    """Read ``(NNNN)`` at *pos*; return the AI and the position after ``)``."""
    end = text.find(")", pos)
    ai = text[pos + 1 : end] if text.startswith("(", pos) and end > 0 else ""
    if not ai.isdigit() or ai_table.lookup_ai(ai) is None:
        raise CodeError(
            "ai",
            f"expected a known AI in brackets at position {pos + 1}, got {text[pos : pos + 6]!r}.",
            "Write the data as (AI)value pairs, e.g. (01)09506000134352(21)123; "
            "escape a literal '(' in a value as '\\('.",
        )
    return ai, end + 1


def _read_bracket_value(text: str, pos: int) -> tuple[str, int]:
    """Read a value up to the next unescaped ``(``; ``\\(`` is a literal."""
    chars: list[str] = []
    while pos < len(text) and text[pos] != "(":
        if text.startswith("\\(", pos):
            pos += 1
        chars.append(text[pos])
        pos += 1
    return "".join(chars), pos


def parse_bracketed(text: str) -> tuple[Element, ...]:
    """Parse the human-readable form ``(01)...(17)...(10)...``."""
    elements: list[Element] = []
    pos = 0
    while pos < len(text) or not elements:
        ai, pos = _read_bracket_ai(text, pos)
        value, pos = _read_bracket_value(text, pos)
        if not value:
            raise CodeError(
                ai_table.field_name(ai),
                f"AI ({ai}) has no data.",
                f"Put the value right after ({ai}).",
            )
        elements.append(Element(ai, value))
    return _validated(elements)


# --- scanned form: ]d2 01...21...<GS>10... -----------------------------------


def strip_symbology(text: str) -> tuple[str | None, str]:
    """Split a leading ISO/IEC 15424 symbology identifier (``]d2``) off."""
    if len(text) >= 3 and text[0] == "]":
        return text[:3], text[3:]
    return None, text


def _read_raw_ai(data: str, pos: int) -> str:
    """Identify the AI starting at *pos* (AIs are prefix-free, 2-4 digits)."""
    for size in (2, 3, 4):
        candidate = data[pos : pos + size]
        if len(candidate) == size and ai_table.lookup_ai(candidate):
            return candidate
    raise CodeError(
        "ai",
        f"no known GS1 Application Identifier at position {pos + 1} ({data[pos : pos + 4]!r}).",
        "Check the scanner sends FNC1 as GS (0x1D) and that the data is a GS1 barcode.",
    )


def _read_raw_value(ai: str, data: str, pos: int) -> tuple[str, int]:
    """Read the data of *ai*: a fixed length, or up to the next FNC1."""
    length = fixed_value_length(ai)
    end = next((i for i in range(pos, len(data)) if data[i] in FNC1_CHARS), len(data))
    if length is not None:
        end = min(pos + length, end)
    next_pos = end + 1 if end < len(data) and data[end] in FNC1_CHARS else end
    return data[pos:end], next_pos


def parse_raw(data: str) -> tuple[Element, ...]:
    """Parse a scanned element string (FNC1 as GS or ``^``)."""
    elements: list[Element] = []
    pos = 1 if data[:1] in FNC1_CHARS else 0
    while pos < len(data):
        ai = _read_raw_ai(data, pos)
        value, pos = _read_raw_value(ai, data, pos + len(ai))
        elements.append(Element(ai, value))
    return _validated(elements)


def parse_element_string(text: str) -> tuple[Element, ...]:
    """Parse bracketed or scanned element strings (with symbology identifier)."""
    symbology, data = strip_symbology(text)
    if symbology is not None and symbology not in GS1_SYMBOLOGIES:
        raise CodeError(
            "symbology",
            f"symbology identifier {symbology!r} does not carry GS1 AI data.",
            "Scan a GS1 DataMatrix (]d2), GS1 QR (]Q3) or GS1-128 (]C1) code.",
        )
    if data.startswith("("):
        return parse_bracketed(data)
    return parse_raw(data)


def to_element_string(elements: tuple[Element, ...] | list[Element], fnc1: str = "^") -> str:
    """Render elements with a leading FNC1 and separators where required."""
    parts = [fnc1]
    for index, (ai, value) in enumerate(elements):
        parts.append(ai + value)
        if index < len(elements) - 1 and ai_table.fnc1_required(ai):
            parts.append(fnc1)
    return "".join(parts)


def to_bracketed(elements: tuple[Element, ...] | list[Element]) -> str:
    """Render elements in human-readable form, escaping ``(`` in values."""
    return "".join(f"({ai}){value.replace('(', chr(92) + '(')}" for ai, value in elements)
