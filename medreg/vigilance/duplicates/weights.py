"""Fellegi–Sunter weights: log2(m/u) per field and agreement level, estimated from data.

* u (the chance of a level among non-duplicates) comes from uniformly random pairs drawn from the
  *blocked candidate pairs*: almost all of them are non-duplicates, and they already agree on a
  block key (drug and reaction, patient, onset), so agreement that blocking guarantees is not
  counted as evidence twice. With no candidates given, random pairs of the whole database are used.
* m (the chance of a level among true duplicates) comes from labeled duplicate pairs: a training
  split of the synthetic set, or the pairs reviewers confirmed in production.
* Both are Laplace-smoothed (add one half per level). Weights are then made monotone: a level
  never weighs more than a stronger agreement level (a running minimum from the best level), so
  a record compared with itself scores the maximum any pair can reach. A missing field weighs 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from medreg.vigilance.duplicates.compare import FIELDS, LEVELS, compare_pairs, encode_cases
from medreg.vigilance.duplicates.model import CaseSummary

SMOOTHING = 0.5


@dataclass(frozen=True, slots=True)
class LinkageModel:
    """Per-field log2 likelihood-ratio weights (indexed by level) and the decision threshold."""

    weights: Mapping[str, tuple[float, ...]]
    threshold: float

    def table(self, field_name: str) -> np.ndarray:
        """Weights of one field with a trailing 0.0, so level -1 (missing) indexes to zero."""
        return np.array([*self.weights[field_name], 0.0], dtype=np.float64)

    def max_weight(self, field_name: str) -> float:
        """The largest contribution the field can make (0 when every level weighs against)."""
        return max(0.0, *self.weights[field_name])


def level_counts(levels: np.ndarray, level_count: int) -> np.ndarray:
    """How often each non-missing level occurs."""
    return np.bincount(levels[levels >= 0].astype(np.int64), minlength=level_count).astype(np.float64)


def level_weights(m_counts: np.ndarray, u_counts: np.ndarray) -> np.ndarray:
    """Monotone log2(m/u) of smoothed frequencies; a level seen in neither sample weighs 0."""
    m = (m_counts + SMOOTHING) / (m_counts + SMOOTHING).sum()
    u = (u_counts + SMOOTHING) / (u_counts + SMOOTHING).sum()
    return monotone(np.where((m_counts + u_counts) > 0, np.log2(m / u), 0.0))


def monotone(weights: np.ndarray) -> np.ndarray:
    """Cap each level at the weights of the stronger levels before it (running minimum from level 0)."""
    return np.minimum.accumulate(weights)


def random_pairs(count: int, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` uniformly random pairs of distinct indexes below ``size``."""
    rng = np.random.default_rng(seed)
    left = rng.integers(0, size, count)
    right = (left + rng.integers(1, size, count)) % size
    return left, right


def sample_pairs(candidates: tuple[np.ndarray, np.ndarray], count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` pairs drawn at random (with replacement) from the candidate pairs."""
    chosen = np.random.default_rng(seed).integers(0, len(candidates[0]), count)
    return candidates[0][chosen], candidates[1][chosen]


def estimate_weights(
    cases: Sequence[CaseSummary],
    duplicate_pairs: Iterable[tuple[int, int]],
    candidates: tuple[np.ndarray, np.ndarray] | None = None,
    random_pair_count: int = 20_000,
    seed: int = 0,
) -> dict[str, tuple[float, ...]]:
    """log2(m/u) for every field and level: m from the labeled pairs, u from random (candidate) pairs."""
    encoded = encode_cases(cases)
    labeled = np.array(sorted(duplicate_pairs), dtype=np.int64).reshape(-1, 2)
    m_levels = compare_pairs(encoded, labeled[:, 0], labeled[:, 1])
    has_candidates = candidates is not None and len(candidates[0]) > 0
    unmatched = (
        sample_pairs(candidates, random_pair_count, seed)
        if candidates is not None and has_candidates
        else random_pairs(random_pair_count, len(cases), seed)
    )
    u_levels = compare_pairs(encoded, *unmatched)
    weights = {}
    for name in FIELDS:
        counts = [level_counts(levels[name], len(LEVELS[name])) for levels in (m_levels, u_levels)]
        weights[name] = tuple(round(float(w), 4) for w in level_weights(*counts))
    return weights


def best_f1_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """The score threshold (a pair is flagged when score >= threshold) with the best F1 on labeled scores."""
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(labels[order])
    flagged = np.arange(1, len(order) + 1)
    f1 = 2 * hits / (flagged + max(int(labels.sum()), 1))
    return round(float(scores[order][int(np.argmax(f1))]), 4)
