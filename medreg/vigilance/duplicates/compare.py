"""Field comparisons: each candidate pair gets one agreement level per field (vectorized with numpy).

Level 0 is the strongest agreement; ``MISSING`` (-1) means the field is absent on either side and
contributes nothing to the score. Level cut-offs are fixed here; their weights are learned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from medreg.vigilance.duplicates.model import CaseSummary

MISSING = -1

LEVELS: dict[str, tuple[str, ...]] = {
    "sex": ("agree", "disagree"),
    "age": ("within_1y", "within_5y", "far"),
    "birth_date": ("agree", "disagree"),
    "initials": ("agree", "similar", "disagree"),
    "reporter": ("agree", "disagree"),
    "jurisdiction": ("agree", "disagree"),
    "onset_date": ("same_day", "within_7d", "within_60d", "far"),
    "receive_date": ("within_14d", "within_90d", "far"),
    "drugs": ("identical", "half", "some", "none"),
    "reactions": ("identical", "half", "some", "none"),
    "narrative": ("high", "medium", "low", "none"),
}
FIELDS: tuple[str, ...] = tuple(LEVELS)


@dataclass(frozen=True, slots=True)
class EncodedCases:
    """Column arrays of a list of cases: strings factorized to ids (-1 missing), dates as ordinals."""

    cases: Sequence[CaseSummary]
    sex: np.ndarray
    age: np.ndarray
    birth_date: np.ndarray
    initials: np.ndarray
    reporter: np.ndarray
    jurisdiction: np.ndarray
    onset_day: np.ndarray
    receive_day: np.ndarray


def _factorize(values: Sequence[str | None]) -> np.ndarray:
    """Map strings to dense integer ids; ``None`` and "" become -1."""
    ids: dict[str, int] = {}
    return np.array([ids.setdefault(v, len(ids)) if v else -1 for v in values], dtype=np.int64)


def encode_cases(cases: Sequence[CaseSummary]) -> EncodedCases:
    """Build the column arrays the comparisons run on."""
    return EncodedCases(
        cases=cases,
        sex=_factorize([c.sex for c in cases]),
        age=np.array([np.nan if c.age_years is None else c.age_years for c in cases], dtype=np.float64),
        birth_date=_factorize([c.birth_date_pseudonym for c in cases]),
        initials=_factorize([c.initials_pseudonym for c in cases]),
        reporter=_factorize([c.reporter_pseudonym for c in cases]),
        jurisdiction=_factorize([c.jurisdiction for c in cases]),
        onset_day=np.array([c.onset_date.toordinal() if c.onset_date else -1 for c in cases], dtype=np.int64),
        receive_day=np.array([c.receive_date.toordinal() if c.receive_date else -1 for c in cases], dtype=np.int64),
    )


def _equality_levels(column: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """0 when both ids are equal, 1 when they differ, MISSING when either is absent."""
    a, b = column[left], column[right]
    levels = np.where(a == b, 0, 1).astype(np.int8)
    levels[(a < 0) | (b < 0)] = MISSING
    return levels


def _distance_levels(distance: np.ndarray, missing: np.ndarray, cut_offs: Sequence[float]) -> np.ndarray:
    """Level = number of cut-offs the distance exceeds; MISSING where ``missing``."""
    levels = np.searchsorted(np.asarray(cut_offs, dtype=np.float64), distance, side="left").astype(np.int8)
    levels[missing] = MISSING
    return levels


def _day_levels(days: np.ndarray, left: np.ndarray, right: np.ndarray, cut_offs: Sequence[float]) -> np.ndarray:
    """Levels of the absolute difference in days between two date columns."""
    a, b = days[left], days[right]
    return _distance_levels(np.abs(a - b).astype(np.float64), (a < 0) | (b < 0), cut_offs)


def _initials_levels(encoded: EncodedCases, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Equal, similar (normalized Levenshtein similarity >= 0.5: one typo in 2-3 letters), or different."""
    levels = _equality_levels(encoded.initials, left, right)
    for index in np.flatnonzero(levels == 1):
        a = encoded.cases[left[index]].initials_pseudonym or ""
        b = encoded.cases[right[index]].initials_pseudonym or ""
        levels[index] = 1 if Levenshtein.normalized_similarity(a, b) >= 0.5 else 2
    return levels


def _set_level(a: frozenset[str], b: frozenset[str]) -> int:
    """Jaccard level of two sets: identical, at least half, some overlap, none."""
    if not a or not b:
        return MISSING
    jaccard = len(a & b) / len(a | b)
    return 0 if jaccard == 1 else 1 if jaccard >= 0.5 else 2 if jaccard > 0 else 3


def _narrative_level(a: str, b: str) -> int:
    """rapidfuzz token-set ratio of the two narratives, cut at 85, 70 and 55."""
    if not a.strip() or not b.strip():  # blank narratives have no tokens: missing, not "different"
        return MISSING
    ratio = fuzz.token_set_ratio(a, b)
    return 0 if ratio >= 85 else 1 if ratio >= 70 else 2 if ratio >= 55 else 3


def _per_pair(
    function: Callable[[CaseSummary, CaseSummary], int],
    cases: Sequence[CaseSummary],
    left: np.ndarray,
    right: np.ndarray,
) -> np.ndarray:
    """Apply a pairwise Python comparison over index arrays."""
    return np.fromiter(
        (function(cases[a], cases[b]) for a, b in zip(left, right, strict=True)), dtype=np.int8, count=len(left)
    )


def compare_pairs(
    encoded: EncodedCases, left: np.ndarray, right: np.ndarray, fields: Sequence[str] = FIELDS
) -> dict[str, np.ndarray]:
    """Agreement levels of every requested field for the pairs ``(left[i], right[i])``."""
    cases = encoded.cases
    comparisons: dict[str, Callable[[], np.ndarray]] = {
        "sex": lambda: _equality_levels(encoded.sex, left, right),
        "age": lambda: _distance_levels(
            np.abs(encoded.age[left] - encoded.age[right]), np.isnan(encoded.age[left] - encoded.age[right]), (1.0, 5.0)
        ),
        "birth_date": lambda: _equality_levels(encoded.birth_date, left, right),
        "initials": lambda: _initials_levels(encoded, left, right),
        "reporter": lambda: _equality_levels(encoded.reporter, left, right),
        "jurisdiction": lambda: _equality_levels(encoded.jurisdiction, left, right),
        "onset_date": lambda: _day_levels(encoded.onset_day, left, right, (0.0, 7.0, 60.0)),
        "receive_date": lambda: _day_levels(encoded.receive_day, left, right, (14.0, 90.0)),
        "drugs": lambda: _per_pair(lambda a, b: _set_level(a.suspect_drugs, b.suspect_drugs), cases, left, right),
        "reactions": lambda: _per_pair(lambda a, b: _set_level(a.reactions, b.reactions), cases, left, right),
        "narrative": lambda: _per_pair(lambda a, b: _narrative_level(a.narrative, b.narrative), cases, left, right),
    }
    return {name: comparisons[name]() for name in fields}
