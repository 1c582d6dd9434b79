"""Plain data shapes of duplicate detection: the case summary compared, and the scored pair found."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """What linkage compares of one individual case safety report (identifiers already pseudonymized).

    Missing values are ``None`` (or empty collections); a missing field neither supports nor
    contradicts a match.
    """

    case_id: str
    sex: str | None = None  # "M", "F" or None
    age_years: float | None = None
    birth_date_pseudonym: str | None = None
    initials_pseudonym: str | None = None
    reporter_pseudonym: str | None = None
    jurisdiction: str | None = None  # country or province code
    onset_date: dt.date | None = None
    receive_date: dt.date | None = None
    suspect_drugs: frozenset[str] = field(default_factory=frozenset)  # normalized names / ingredients
    reactions: frozenset[str] = field(default_factory=frozenset)  # MedDRA PT codes or normalized terms
    narrative: str = ""


@dataclass(frozen=True, slots=True)
class CandidatePair:
    """Two cases scored as possible duplicates; ``contributions`` maps field name to its log2 weight."""

    case_a: str
    case_b: str
    score: float
    contributions: dict[str, float]
