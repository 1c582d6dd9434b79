"""Plain data shapes of a loaded MedDRA release (or of the open demo terminology)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Level(StrEnum):
    """The five levels of the MedDRA hierarchy, from the most general."""

    SOC = "soc"
    HLGT = "hlgt"
    HLT = "hlt"
    PT = "pt"
    LLT = "llt"


@dataclass(frozen=True, slots=True)
class Term:
    """One term: an LLT's parent is its PT; a PT's parents are its HLTs; an HLT's its HLGTs; an HLGT's its SOCs."""

    code: str
    name: str
    level: Level
    parent_codes: tuple[str, ...] = ()
    primary_soc_code: str | None = None  # PTs only
    is_current: bool = True  # LLTs only: llt_currency "N" marks a non-current LLT
    abbreviation: str = ""  # SOCs only


@dataclass(frozen=True, slots=True)
class HierarchyPath:
    """One mdhier.asc row: a path PT -> HLT -> HLGT -> SOC, and whether that SOC is the PT's primary one."""

    pt_code: str
    hlt_code: str
    hlgt_code: str
    soc_code: str
    is_primary: bool


@dataclass(frozen=True, slots=True)
class Smq:
    """A standardised MedDRA query (smq_list.asc)."""

    code: str
    name: str
    level: int
    description: str
    source: str
    note: str
    version: str
    status: str
    algorithm: str


@dataclass(frozen=True, slots=True)
class SmqTerm:
    """One term of an SMQ (smq_content.asc): level 0 sub-SMQ, 4 PT, 5 LLT; scope 1 broad, 2 narrow."""

    smq_code: str
    term_code: str
    term_level: int
    scope: int
    category: str
    weight: int
    status: str
    addition_version: str
    last_modified_version: str


@dataclass(frozen=True, slots=True)
class MeddraRelease:
    """A whole release: its version and language, terms by level and code, hierarchy paths and SMQs."""

    version: str
    language: str
    terms: dict[Level, dict[str, Term]]
    paths: tuple[HierarchyPath, ...] = ()
    smqs: dict[str, Smq] = field(default_factory=dict)
    smq_terms: tuple[SmqTerm, ...] = ()

    def term(self, level: Level, code: str) -> Term:
        """The term of ``level`` with ``code`` (KeyError when absent)."""
        return self.terms[level][code]
