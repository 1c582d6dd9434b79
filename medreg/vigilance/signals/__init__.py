"""Disproportionality signal detection (PRR, ROR, BCPNN IC, MGPS/EBGM) agreeing with openEBGM.

Pure Python + DuckDB; no Django.  Entry points: :func:`compute_signals` and
:func:`compute_signals_from_csv`; the CLI is :func:`medreg.vigilance.signals.cli.main`.
"""

from .core import CSV_COLUMNS, SignalResult, compute_signals, compute_signals_from_csv, eb_scores
from .prior import Hyperparameters

__all__ = [
    "CSV_COLUMNS",
    "Hyperparameters",
    "SignalResult",
    "compute_signals",
    "compute_signals_from_csv",
    "eb_scores",
]
