"""Scoring of candidate pairs: the sum of per-field weights (a Fellegi–Sunter match weight in bits)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from medreg.vigilance.duplicates.blocking import DEFAULT_WINDOW_DAYS, candidate_pairs
from medreg.vigilance.duplicates.compare import FIELDS, EncodedCases, compare_pairs, encode_cases
from medreg.vigilance.duplicates.model import CandidatePair, CaseSummary
from medreg.vigilance.duplicates.weights import LinkageModel

EXPENSIVE_FIELDS = ("narrative",)


def field_contributions(model: LinkageModel, levels: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Weight of every field for every pair (0 where the field is missing)."""
    return {name: model.table(name)[level] for name, level in levels.items()}


def _score_indexes(
    model: LinkageModel, encoded: EncodedCases, left: np.ndarray, right: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Score pairs; the costly narrative is compared only where it could lift a pair over ``threshold``."""
    cheap = [name for name in FIELDS if name not in EXPENSIVE_FIELDS]
    parts = field_contributions(model, compare_pairs(encoded, left, right, cheap))
    partial = np.sum(list(parts.values()), axis=0) if parts else np.zeros(len(left))
    hopeful = np.flatnonzero(partial + sum(model.max_weight(n) for n in EXPENSIVE_FIELDS) >= threshold)
    left, right, partial = left[hopeful], right[hopeful], partial[hopeful]
    parts = {name: values[hopeful] for name, values in parts.items()}
    parts.update(field_contributions(model, compare_pairs(encoded, left, right, EXPENSIVE_FIELDS)))
    scores = partial + np.sum([parts[n] for n in EXPENSIVE_FIELDS], axis=0)
    keep = np.flatnonzero(scores >= threshold)
    return np.column_stack((left[keep], right[keep])), scores[keep], {n: v[keep] for n, v in parts.items()}


def score_index_pairs(
    model: LinkageModel, cases: Sequence[CaseSummary], left: np.ndarray, right: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """(pairs of indexes, scores, contributions per field) of the given pairs scoring >= ``threshold``."""
    return _score_indexes(
        model, encode_cases(cases), np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64), threshold
    )


def find_duplicates(
    cases: Sequence[CaseSummary],
    model: LinkageModel,
    threshold: float | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> list[CandidatePair]:
    """Candidate duplicate pairs scoring at least ``threshold`` (the model's by default), best first."""
    cutoff = model.threshold if threshold is None else threshold
    left, right = candidate_pairs(cases, window_days)
    pairs, scores, parts = score_index_pairs(model, cases, left, right, cutoff)
    found = [
        CandidatePair(
            cases[a].case_id,
            cases[b].case_id,
            round(float(scores[i]), 4),
            {name: round(float(parts[name][i]), 4) for name in FIELDS},
        )
        for i, (a, b) in enumerate(pairs.tolist())
    ]
    return sorted(found, key=lambda pair: (-pair.score, pair.case_a, pair.case_b))


def score_pair(a: CaseSummary, b: CaseSummary, model: LinkageModel) -> CandidatePair:
    """Score two cases directly, without blocking (for the reviewer's page and for tests)."""
    index = np.array([0], dtype=np.int64)
    parts = field_contributions(model, compare_pairs(encode_cases([a, b]), index, index + 1))
    contributions = {name: round(float(values[0]), 4) for name, values in parts.items()}
    return CandidatePair(a.case_id, b.case_id, round(sum(contributions.values()), 4), contributions)
