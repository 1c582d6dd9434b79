"""Coding suggestions from free text (Chinese and English): exact LLT names first, then fuzzy matches.

The text is normalized (NFKC, lower case, spaces collapsed) and split into segments at punctuation
and joining words ("and", "with", 和, 及, 伴, 并); a segment equal to an LLT name is an exact hit.
The rest is ranked with rapidfuzz's WRatio (which also scores a name found inside a longer phrase),
one suggestion per PT, keeping the best-scoring LLT. A `CodingIndex` holds the normalized names of
a terminology so that a release of ~80k LLTs is normalized once, not per call; the fuzzy scores of
all phrases are computed in one `cdist` call on every core.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
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


@dataclass(frozen=True)
class CodingIndex:
    """Coding entries with their normalized names and the first entry of each name, built once."""

    entries: list[CodingEntry]
    names: list[str]
    by_name: dict[str, CodingEntry]

    @classmethod
    def build(cls, entries: Iterable[CodingEntry]) -> CodingIndex:
        listed = list(entries)
        names = [normalize(entry.llt_name) for entry in listed]
        by_name: dict[str, CodingEntry] = {}
        for name, entry in zip(names, listed, strict=True):
            by_name.setdefault(name, entry)
        return cls(listed, names, by_name)


def _as_index(terms: MeddraRelease | Iterable[CodingEntry] | CodingIndex) -> CodingIndex:
    """Accept a release, ready-made coding entries or an index."""
    if isinstance(terms, CodingIndex):
        return terms
    return CodingIndex.build(coding_entries(terms) if isinstance(terms, MeddraRelease) else terms)


def _suggestion(entry: CodingEntry, score: float, is_exact: bool, text: str) -> Suggestion:
    return Suggestion(entry.pt_code, entry.pt_name, entry.llt_code, entry.llt_name, round(score, 1), is_exact, text)


def _exact(parts: list[str], index: CodingIndex) -> list[Suggestion]:
    """Segments equal to an LLT name, in the order they appear in the text."""
    return [_suggestion(index.by_name[part], 100.0, True, part) for part in parts if part in index.by_name]


def _fuzzy(cutoffs: dict[str, float], index: CodingIndex, limit: int) -> list[Suggestion]:
    """Best fuzzy matches of every phrase (each with its own score cut-off), best first; ties in
    the order of the entries, as `process.extract` keeps them."""
    phrases = list(cutoffs)
    scores = process.cdist(
        phrases, index.names, scorer=fuzz.WRatio, score_cutoff=min(cutoffs.values()), dtype=np.float64, workers=-1
    )
    found = []
    for row, part in zip(scores, phrases, strict=True):
        hits = np.flatnonzero(row >= cutoffs[part])
        best = sorted(hits.tolist(), key=lambda i: (-row[i], i))[: limit * 4]
        found += [_suggestion(index.entries[i], float(row[i]), False, part) for i in best]
    return sorted(found, key=lambda s: (-s.score, len(s.llt_name), s.pt_code))


def suggest_terms(
    text: str, terms: MeddraRelease | Iterable[CodingEntry] | CodingIndex, limit: int = 5
) -> list[Suggestion]:
    """Up to ``limit`` PT suggestions for the free ``text``: exact LLT name matches first, then fuzzy."""
    index = _as_index(terms)
    parts = segments(text)
    if not parts or not index.entries:
        return []
    exact = _exact(parts, index)
    matched = {suggestion.matched_text for suggestion in exact}
    cutoffs = {part: RELATED_CUTOFF if part in matched else FUZZY_CUTOFF for part in parts}
    if len(parts) > 1 and not set(parts) <= matched:
        cutoffs.setdefault(normalize(text), FUZZY_CUTOFF)  # the whole text, for names split by a joining word
    candidates = exact + _fuzzy(cutoffs, index, limit)
    best: dict[str, Suggestion] = {}
    for suggestion in candidates:
        best.setdefault(suggestion.pt_code, suggestion)
    return list(best.values())[:limit]
