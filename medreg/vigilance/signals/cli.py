"""``medreg signals compute --from-csv FILE --out FILE [--strata COL,...]``."""

from __future__ import annotations

import argparse
import sys

from .core import compute_signals_from_csv
from .prior import Hyperparameters


def _parser() -> argparse.ArgumentParser:
    """Argument parser for the ``signals`` command group."""
    parser = argparse.ArgumentParser(prog="medreg signals", description="Disproportionality signals")
    sub = parser.add_subparsers(dest="command", required=True)
    compute = sub.add_parser("compute", help="PRR, ROR, IC and MGPS (EBGM) for every pair")
    compute.add_argument("--from-csv", required=True, metavar="FILE",
                         help="input CSV with columns id,var1,var2[,strata...]")
    compute.add_argument("--out", required=True, metavar="FILE", help="output CSV, one row per pair")
    compute.add_argument("--strata", default="", metavar="COL[,COL]",
                         help="stratification columns (default: none)")
    return parser


def format_hyperparameters(h: Hyperparameters) -> str:
    """One line per fitted hyperparameter, then the fit diagnostics."""
    return "\n".join([
        f"alpha1 {h.alpha1:.6f}", f"beta1 {h.beta1:.6f}", f"alpha2 {h.alpha2:.6f}",
        f"beta2 {h.beta2:.6f}", f"P {h.P:.7f}", f"neg_log_likelihood {h.neg_log_likelihood:.3f}",
        f"squashed_points {h.squashed_points}", f"agreeing_starts {h.num_close}",
    ])


def main(argv: list[str]) -> int:
    """Run ``signals`` with the arguments after ``medreg signals``; print the prior."""
    args = _parser().parse_args(argv)
    strata = [c.strip() for c in args.strata.split(",") if c.strip()] or None
    hyper = compute_signals_from_csv(args.from_csv, args.out, strata)
    sys.stdout.write(format_hyperparameters(hyper) + "\n")
    return 0
