"""Blocking: only pairs that share a block key and were received within a window are compared.

Keys are (suspect drug, reaction word), the birth-date pseudonym, (initials, sex) and (onset date,
drug). Within one key the postings are sorted by receive date and each case is paired with the
following cases up to ``window_days`` later: a sorted neighbourhood, vectorized with numpy, so the
cost grows with the number of close postings, never with all pairs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import numpy as np

from medreg.vigilance.duplicates.model import CaseSummary

DEFAULT_WINDOW_DAYS = 90
_WORD = re.compile(r"[^\W_]+")
# qualifiers shared by unrelated terms ("blood creatinine increased", "platelet count decreased")
QUALIFIER_WORDS = frozenset(
    [
        "abnormal",
        "increased",
        "decreased",
        "disorder",
        "count",
        "blood",
        "site",
        "reaction",
        "generalised",
        "discomfort",
        "of",
        "and",
    ]
)


def reaction_words(reactions: frozenset[str]) -> set[str]:
    """Words of the reaction terms ("rash pruritic" -> rash, pruritic); PT codes stay whole."""
    words = {word for term in reactions for word in _WORD.findall(term.lower())}
    return (words - QUALIFIER_WORDS) or words


def block_keys(case: CaseSummary) -> set[str]:
    """Every block key of one case."""
    keys = {f"dr:{drug}|{word}" for drug in case.suspect_drugs for word in reaction_words(case.reactions)}
    if case.birth_date_pseudonym:
        keys.add(f"bd:{case.birth_date_pseudonym}")
    if case.initials_pseudonym and case.sex:
        keys.add(f"in:{case.initials_pseudonym}|{case.sex}")
    if case.onset_date:
        keys.update(f"on:{case.onset_date.isoformat()}|{drug}" for drug in case.suspect_drugs)
    return keys


def _postings(cases: Sequence[CaseSummary]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(key id, receive day, case index) of every (case, key) posting; missing receive dates sort first."""
    key_ids: dict[str, int] = {}
    keys, days, indexes = [], [], []
    for index, case in enumerate(cases):
        day = case.receive_date.toordinal() if case.receive_date else 0
        for key in block_keys(case):
            keys.append(key_ids.setdefault(key, len(key_ids)))
            days.append(day)
            indexes.append(index)
    return np.array(keys, dtype=np.int64), np.array(days, dtype=np.int64), np.array(indexes, dtype=np.int64)


def _window_pairs(keys: np.ndarray, days: np.ndarray, indexes: np.ndarray, window_days: int) -> Iterator[np.ndarray]:
    """Yield blocks of encoded pairs (low * n + high) for postings of one key within the window."""
    order = np.lexsort((days, keys))
    sort_value = keys[order] * (4 * 10**6) + days[order]  # ordinals stay below 4e6 (year 9999)
    ends = np.searchsorted(sort_value, sort_value + window_days, side="right")
    ordered = indexes[order]
    size = int(indexes.max()) + 1 if len(indexes) else 0
    spans = ends - np.arange(len(ends))
    first = np.flatnonzero(spans > 1)
    for step in range(1, int(spans.max(initial=1))):
        first = first[spans[first] > step]
        a, b = ordered[first], ordered[first + step]
        yield np.minimum(a, b) * size + np.maximum(a, b)


def candidate_pairs(
    cases: Sequence[CaseSummary], window_days: int = DEFAULT_WINDOW_DAYS
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (left < right) of cases sharing a block key within ``window_days`` of receipt."""
    keys, days, indexes = _postings(cases)
    if len(indexes) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    size = int(indexes.max()) + 1
    encoded = np.unique(np.concatenate([np.empty(0, dtype=np.int64), *_window_pairs(keys, days, indexes, window_days)]))
    left, right = encoded // size, encoded % size
    keep = left != right
    return left[keep], right[keep]
