"""Training and evaluation on labeled sets: fit a model, precision and recall, a table over thresholds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from medreg.vigilance.duplicates.blocking import DEFAULT_WINDOW_DAYS, candidate_pairs
from medreg.vigilance.duplicates.scoring import score_index_pairs
from medreg.vigilance.duplicates.synthetic import SyntheticSet
from medreg.vigilance.duplicates.weights import LinkageModel, best_f1_threshold, estimate_weights

FLOOR_SCORE = -1_000.0  # below any reachable score: keep every candidate


@dataclass(frozen=True, slots=True)
class ScoredCandidates:
    """Every blocked candidate of a labeled set, its score and whether it is a true duplicate."""

    scores: np.ndarray
    labels: np.ndarray
    duplicate_count: int  # all labeled duplicates, including those blocking missed


@dataclass(frozen=True, slots=True)
class PrecisionRecall:
    """Counts and rates at one threshold."""

    threshold: float
    flagged: int
    true_positives: int
    precision: float
    recall: float


def score_labeled(
    model: LinkageModel, labeled: SyntheticSet, floor: float = FLOOR_SCORE, window_days: int = DEFAULT_WINDOW_DAYS
) -> ScoredCandidates:
    """Score the blocked candidates of a labeled set that reach ``floor``."""
    left, right = candidate_pairs(labeled.cases, window_days)
    pairs, scores, _ = score_index_pairs(model, labeled.cases, left, right, floor)
    labels = np.array([pair in labeled.duplicate_pairs for pair in map(tuple, pairs.tolist())], dtype=bool)
    return ScoredCandidates(scores, labels, len(labeled.duplicate_pairs))


def fit_model(training: SyntheticSet, seed: int = 0) -> LinkageModel:
    """Weights from the training set's labels (m) and random pairs (u); the best-F1 threshold on it."""
    candidates = candidate_pairs(training.cases)
    weights = estimate_weights(training.cases, training.duplicate_pairs, candidates, seed=seed)
    scored = score_labeled(LinkageModel(weights, 0.0), training)
    return LinkageModel(weights, best_f1_threshold(scored.scores, scored.labels))


def precision_recall(scored: ScoredCandidates, threshold: float) -> PrecisionRecall:
    """Precision and recall of flagging the candidates scoring >= ``threshold``."""
    flagged = scored.scores >= threshold
    hits = int(np.count_nonzero(flagged & scored.labels))
    count = int(np.count_nonzero(flagged))
    precision = hits / count if count else 1.0
    return PrecisionRecall(threshold, count, hits, round(precision, 4), round(hits / max(scored.duplicate_count, 1), 4))


def precision_recall_table(scored: ScoredCandidates, thresholds: Sequence[float]) -> list[PrecisionRecall]:
    """Precision and recall at each threshold."""
    return [precision_recall(scored, threshold) for threshold in thresholds]
