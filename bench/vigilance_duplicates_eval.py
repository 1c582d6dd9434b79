"""Precision and recall of duplicate detection on the synthetic labeled set (docs/modules/vigilance-duplicates.md).

    .venv/bin/python bench/vigilance_duplicates_eval.py [--reports 20000] [--pairs 1000]

Weights and the threshold are fitted on one generated set (seed 1) and measured on another (seed 2).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from medreg.vigilance.duplicates import (
    candidate_pairs,
    fit_model,
    generate_set,
    precision_recall,
    precision_recall_table,
    score_labeled,
)


def main() -> None:
    """Fit on the training set, then print the blocking figures, the result at the threshold and a PR table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--pairs", type=int, default=1_000)
    arguments = parser.parse_args()
    training = generate_set(arguments.reports, arguments.pairs, seed=1)
    evaluation = generate_set(arguments.reports, arguments.pairs, seed=2)
    model = fit_model(training)
    print("weights (log2 m/u per level):")
    for name, weights in model.weights.items():
        print(f"  {name:<13} {' '.join(f'{w:8.2f}' for w in weights)}")
    started = time.perf_counter()
    left, right = candidate_pairs(evaluation.cases)
    blocked = set(zip(left.tolist(), right.tolist(), strict=True)) & evaluation.duplicate_pairs
    scored = score_labeled(model, evaluation, floor=model.threshold - 8)
    elapsed = time.perf_counter() - started
    print(f"reports {len(evaluation.cases)}, labeled duplicate pairs {len(evaluation.duplicate_pairs)}")
    print(f"candidate pairs after blocking {len(left)}, labeled pairs kept {len(blocked)}, {elapsed:.1f} s")
    result = precision_recall(scored, model.threshold)
    print(
        f"threshold {model.threshold:.2f}: flagged {result.flagged}, precision {result.precision:.3f}, "
        f"recall {result.recall:.3f}"
    )
    print("threshold  flagged  precision  recall")
    for row in precision_recall_table(scored, [model.threshold + step for step in range(-8, 9, 2)]):
        print(f"{row.threshold:9.2f} {row.flagged:8d} {row.precision:10.3f} {row.recall:7.3f}")


if __name__ == "__main__":
    main()
