"""Coding suggestions from free text (Chinese and English): exact LLT names first, then fuzzy matches.

The text is normalized (NFKC, lower case, spaces collapsed) and split into segments at punctuation
and joining words ("and", "with", 和, 及, 伴, 并); a segment equal to an LLT name is an exact hit.
The rest is ranked with rapidfuzz's WRatio (which also scores a name found inside a longer phrase),
one suggestion per PT, keeping the best-scoring LLT.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from medreg.vigilance.meddra.model import Level, MeddraRelease

FUZZY_CUTOFF = 70.0  # for phrases with no exact hit
RELATED_CUTOFF = 85.0  # for phrases already matched exactly: only close variants ("瘙痒性皮疹" for "皮疹")
_SEPARATORS = re.compile(r"[,，;；、。.!！?？/()（）\n]+|\s+(?:and|with|or)\s+|和|及|伴|并|或")


@dataclass(frozen=True, slots=True)
class CodingEntry:
    """A name a reaction can be coded by (an LLT), with the PT it codes to."""

    llt_code: str
    llt_name: str
    pt_code: str
    pt_name: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One suggested PT, the LLT name that matched, the score (100 for exact) and the matched text."""

    pt_code: str
    pt_name: str
    llt_code: str
    llt_name: str
    score: float
    is_exact: bool
    matched_text: str


def normalize(text: str) -> str:
    """NFKC, lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def segments(text: str) -> list[str]:
    """The normalized text split into reaction phrases, in order, without repeats."""
    parts = [normalize(part) for part in _SEPARATORS.split(normalize(text))]
    return list(dict.fromkeys(part for part in parts if part))


def coding_entries(release: MeddraRelease, include_non_current: bool = False) -> list[CodingEntry]:
    """Every (current) LLT of a release with its PT; PTs without an LLT are coded by their own name."""
    preferred = release.terms[Level.PT]
    entries = [
        CodingEntry(t.code, t.name, t.parent_codes[0], preferred[t.parent_codes[0]].name)
        for t in release.terms[Level.LLT].values()
        if (t.is_current or include_non_current) and t.parent_codes and t.parent_codes[0] in preferred
    ]
    coded = {entry.pt_code for entry in entries}
    return entries + [CodingEntry(t.code, t.name, t.code, t.name) for t in preferred.values() if t.code not in coded]


def _as_entries(terms: MeddraRelease | Iterable[CodingEntry]) -> list[CodingEntry]:
    """Accept a release or ready-made coding entries."""
    return coding_entries(terms) if isinstance(terms, MeddraRelease) else list(terms)


def _suggestion(entry: CodingEntry, score: float, is_exact: bool, text: str) -> Suggestion:
    return Suggestion(entry.pt_code, entry.pt_name, entry.llt_code, entry.llt_name, round(score, 1), is_exact, text)


def _exact(parts: list[str], entries: list[CodingEntry]) -> list[Suggestion]:
    """Segments equal to an LLT name, in the order they appear in the text."""
    by_name: dict[str, CodingEntry] = {}
    for entry in entries:
        by_name.setdefault(normalize(entry.llt_name), entry)
    return [_suggestion(by_name[part], 100.0, True, part) for part in parts if part in by_name]


def _fuzzy(cutoffs: dict[str, float], entries: list[CodingEntry], limit: int) -> list[Suggestion]:
    """Best fuzzy matches of every phrase (each with its own score cut-off), best first."""
    names = [normalize(entry.llt_name) for entry in entries]
    found = [
        _suggestion(entries[index], score, False, part)
        for part, cutoff in cutoffs.items()
        for _, score, index in process.extract(part, names, scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=cutoff)
    ]
    return sorted(found, key=lambda s: (-s.score, len(s.llt_name), s.pt_code))


def suggest_terms(text: str, terms: MeddraRelease | Iterable[CodingEntry], limit: int = 5) -> list[Suggestion]:
    """Up to ``limit`` PT suggestions for the free ``text``: exact LLT name matches first, then fuzzy."""
    entries = _as_entries(terms)
    parts = segments(text)
    if not parts or not entries:
        return []
    exact = _exact(parts, entries)
    matched = {suggestion.matched_text for suggestion in exact}
    cutoffs = {part: RELATED_CUTOFF if part in matched else FUZZY_CUTOFF for part in parts}
    if len(parts) > 1 and not set(parts) <= matched:
        cutoffs.setdefault(normalize(text), FUZZY_CUTOFF)  # the whole text, for names split by a joining word
    candidates = exact + _fuzzy(cutoffs, entries, limit)
    best: dict[str, Suggestion] = {}
    for suggestion in candidates:
        best.setdefault(suggestion.pt_code, suggestion)
    return list(best.values())[:limit]
