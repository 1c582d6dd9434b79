"""Duplicate detection of case reports: probabilistic record linkage (Fellegi–Sunter, as vigiMatch).

Pure Python + numpy + rapidfuzz, no Django import. Typical use::

    model = fit_model(generate_set(seed=1))          # or weights learned from reviewer decisions
    pairs = find_duplicates(cases, model)            # scored candidates above model.threshold
    plan = merge_plan(master_case, duplicate_case)   # once a reviewer confirms a pair
"""

from medreg.vigilance.duplicates.blocking import block_keys, candidate_pairs
from medreg.vigilance.duplicates.compare import FIELDS, LEVELS
from medreg.vigilance.duplicates.evaluation import (
    PrecisionRecall,
    fit_model,
    precision_recall,
    precision_recall_table,
    score_labeled,
)
from medreg.vigilance.duplicates.merge import FieldDecision, MergePlan, merge_plan
from medreg.vigilance.duplicates.model import CandidatePair, CaseSummary
from medreg.vigilance.duplicates.scoring import find_duplicates, score_pair
from medreg.vigilance.duplicates.synthetic import SyntheticSet, generate_set
from medreg.vigilance.duplicates.weights import LinkageModel, estimate_weights

__all__ = [
    "FIELDS",
    "LEVELS",
    "CandidatePair",
    "CaseSummary",
    "FieldDecision",
    "LinkageModel",
    "MergePlan",
    "PrecisionRecall",
    "SyntheticSet",
    "block_keys",
    "candidate_pairs",
    "estimate_weights",
    "find_duplicates",
    "fit_model",
    "generate_set",
    "merge_plan",
    "precision_recall",
    "precision_recall_table",
    "score_labeled",
    "score_pair",
]
