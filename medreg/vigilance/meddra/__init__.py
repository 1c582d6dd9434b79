"""MedDRA terminology: a loader for the licensed ASCII distribution, an open demo terminology, and
coding suggestions from free text. Pure Python, no Django import. MedDRA files are never shipped.
"""

from medreg.vigilance.meddra.ascii import MeddraFormatError
from medreg.vigilance.meddra.demo_terms import demo_release
from medreg.vigilance.meddra.loader import load_meddra
from medreg.vigilance.meddra.model import HierarchyPath, Level, MeddraRelease, Smq, SmqTerm, Term
from medreg.vigilance.meddra.suggest import CodingEntry, CodingIndex, Suggestion, coding_entries, suggest_terms

__all__ = [
    "CodingEntry",
    "CodingIndex",
    "HierarchyPath",
    "Level",
    "MeddraFormatError",
    "MeddraRelease",
    "Smq",
    "SmqTerm",
    "Suggestion",
    "Term",
    "coding_entries",
    "demo_release",
    "load_meddra",
    "suggest_terms",
]
