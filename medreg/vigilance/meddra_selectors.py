"""MedDRA reads: loaded releases, the release in use per language, coding suggestions from it (else
the open demo terminology), what changed between two versions, the case page's coding notes, and
the LLT -> PT roll-up the signal screen uses.

Releases are national reference data, not scoped by jurisdiction: every regulator may read them.
Suggestions and coding notes serve whoever may see the case or form they appear on.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from medreg.core.errors import NotFound, PermissionDenied
from medreg.core.scoping import Scope
from medreg.vigilance.meddra import CodingEntry, CodingIndex, Suggestion, coding_entries, demo_release, suggest_terms
from medreg.vigilance.models.meddra import MeddraRelease, MeddraTerm, TermLevel

DIFF_ROWS = 500  # rows shown per kind of change; the counts are always complete
LEVEL_ORDER = [TermLevel.SOC, TermLevel.HLGT, TermLevel.HLT, TermLevel.PT, TermLevel.LLT]


def may_read(scope: Scope) -> bool:
    return scope.is_regulator or scope.role == "system"


def releases(scope: Scope) -> QuerySet[MeddraRelease]:
    """Every loaded release (history included), by language, newest first; regulators only."""
    if not may_read(scope):
        raise PermissionDenied("MedDRA releases are shown to regulators.")
    return MeddraRelease.objects.select_related("loaded_by").order_by("language", "-loaded_at", "-pk")


def release(scope: Scope, release_id: int) -> MeddraRelease:
    found = releases(scope).filter(pk=release_id).first() if 0 < release_id < 2**31 else None
    if found is None:
        raise NotFound("MedDRA release")
    return found


def console_language_code(language: str | None = None) -> str:
    """zh or en from a Django language code (zh-hans, en-us ...); the console's language by default."""
    return (language or get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


def active_release(language: str | None = None) -> MeddraRelease | None:
    """The release in use for a console language (zh, en, zh-hans ...), if one is."""
    return MeddraRelease.objects.filter(language_code=console_language_code(language), is_active=True).first()


# -- coding suggestions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Terminology:
    """Where suggestions come from: a loaded release, or the open demo terminology."""

    label: str
    index: CodingIndex
    is_meddra: bool


def terminology(language: str | None = None) -> Terminology:
    """The coding entries of the release in use for the language, else of the demo terminology."""
    found = active_release(language)
    if found is None:
        demo = demo_release()
        return Terminology(f"{demo.version} (demo)", _demo_entries(), is_meddra=False)
    return Terminology(
        f"MedDRA {found.version} {found.language}", _release_entries(found.pk, found.source_checksum), True
    )


@functools.lru_cache(maxsize=1)
def _demo_entries() -> CodingIndex:
    return CodingIndex.build(coding_entries(demo_release()))


@functools.lru_cache(maxsize=4)
def _release_entries(release_id: int, checksum: str) -> CodingIndex:
    """Current LLTs with their PT, indexed (cached per release: its rows never change once loaded)."""
    terms = MeddraTerm.objects.filter(release_id=release_id)
    pt_names = dict(terms.filter(level=TermLevel.PT).values_list("code", "name"))
    rows = terms.filter(level=TermLevel.LLT, is_current=True).order_by("code").values_list("code", "name", "pt_code")
    entries = [CodingEntry(code, name, pt, pt_names[pt]) for code, name, pt in rows.iterator(20_000) if pt in pt_names]
    coded = {entry.pt_code for entry in entries}
    unlinked = [CodingEntry(code, name, code, name) for code, name in sorted(pt_names.items()) if code not in coded]
    return CodingIndex.build(entries + unlinked)


def suggestions(text: str, language: str | None = None, limit: int = 5) -> tuple[Terminology, list[Suggestion]]:
    """Coding suggestions for free text from the terminology of the language."""
    source = terminology(language)
    return source, suggest_terms(text, source.index, limit=limit)


# -- version diff --------------------------------------------------------------------------------


@dataclass
class ChangeList:
    """One kind of change: the complete count, and the first DIFF_ROWS rows."""

    count: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ReleaseDiff:
    """What changed from ``old`` to ``new``."""

    old: MeddraRelease
    new: MeddraRelease
    added_by_level: dict[str, int]
    removed_by_level: dict[str, int]
    added: ChangeList
    removed: ChangeList
    made_non_current: ChangeList
    made_current: ChangeList
    moved_primary_soc: ChangeList
    moved_to_other_pt: ChangeList
    renamed: ChangeList


def release_diff(scope: Scope, old_id: int, new_id: int) -> ReleaseDiff:
    """Terms added and removed, LLTs made non-current (or current again), PTs whose primary SOC moved,
    LLTs moved to another PT, and renamed terms (same language only), all as set-based queries."""
    old, new = release(scope, old_id), release(scope, new_id)
    added, removed = _missing_from(new, old), _missing_from(old, new)
    return ReleaseDiff(
        old=old,
        new=new,
        added_by_level=_by_level(added),
        removed_by_level=_by_level(removed),
        added=_changes(added.order_by(_level_rank(), "code"), "level", "code", "name"),
        removed=_changes(removed.order_by(_level_rank(), "code"), "level", "code", "name"),
        made_non_current=_currency_changes(old, new, became_current=False),
        made_current=_currency_changes(old, new, became_current=True),
        moved_primary_soc=_moved(old, new, TermLevel.PT, "primary_soc_code"),
        moved_to_other_pt=_moved(old, new, TermLevel.LLT, "pt_code"),
        renamed=_renamed(old, new) if old.language == new.language else ChangeList(),
    )


def _same_term(release: MeddraRelease) -> QuerySet[MeddraTerm]:
    return MeddraTerm.objects.filter(release=release, level=OuterRef("level"), code=OuterRef("code"))


def _missing_from(source: MeddraRelease, other: MeddraRelease) -> QuerySet[MeddraTerm]:
    return MeddraTerm.objects.filter(release=source).exclude(Exists(_same_term(other)))


def _level_rank() -> Case:
    return Case(*(When(level=level, then=Value(i)) for i, level in enumerate(LEVEL_ORDER)), output_field=IntegerField())


def _by_level(queryset: QuerySet[MeddraTerm]) -> dict[str, int]:
    counts = dict(queryset.order_by().values_list("level").annotate(n=Count("pk")).values_list("level", "n"))
    return {level.value: counts.get(level.value, 0) for level in LEVEL_ORDER}


def _changes(queryset: QuerySet[Any], *fields: str) -> ChangeList:
    return ChangeList(queryset.count(), list(queryset.values(*fields)[:DIFF_ROWS]))


def _currency_changes(old: MeddraRelease, new: MeddraRelease, *, became_current: bool) -> ChangeList:
    before = _same_term(old).filter(is_current=not became_current)
    found = MeddraTerm.objects.filter(release=new, level=TermLevel.LLT, is_current=became_current).filter(
        Exists(before)
    )
    return _changes(found.order_by("code"), "code", "name", "pt_code")


def _moved(old: MeddraRelease, new: MeddraRelease, level: str, column: str) -> ChangeList:
    """Terms of ``level`` whose ``column`` (primary SOC of a PT, PT of an LLT) differs between versions."""
    previous = Subquery(_same_term(old).values(column)[:1])
    found = (
        MeddraTerm.objects.filter(release=new, level=level)
        .annotate(before=previous)
        .filter(before__isnull=False)
        .exclude(before=F(column))
        .order_by("code")
    )
    return _changes(found.annotate(after=F(column)), "code", "name", "before", "after")


def _renamed(old: MeddraRelease, new: MeddraRelease) -> ChangeList:
    previous = Subquery(_same_term(old).values("name")[:1])
    found = (
        MeddraTerm.objects.filter(release=new)
        .annotate(old_name=previous)
        .filter(old_name__isnull=False)
        .exclude(old_name=F("name"))
        .order_by(_level_rank(), "code")
    )
    return _changes(found, "level", "code", "old_name", "name")


# -- case page: codes checked against the sender's MedDRA version --------------------------------


@dataclass(frozen=True)
class CodingNote:
    """What the platform knows of one reaction's code in the MedDRA version the sender used."""

    sequence: int
    term_name: str  # the LLT/PT name in a loaded release of that version ("" when unknown)
    level: str
    warning: str  # for reviewers; "" when the code is a current term of a loaded release of the version


def coding_notes(reactions: Iterable[Any], language: str | None = None) -> dict[int, CodingNote]:
    """Per reaction sequence: the coded term's name, or a warning when the code is not in any loaded
    release of the version the sender coded with (E.i.2.1a), is non-current there, or that version is not loaded."""
    coded = [r for r in reactions if r.meddra_code]
    if not coded:
        return {}
    versions = {r.meddra_version for r in coded}
    loaded = set(MeddraRelease.objects.filter(version__in=versions).values_list("version", flat=True))
    found = _terms_by_version_and_code(versions, {r.meddra_code for r in coded}, console_language_code(language))
    return {
        r.sequence: _note(r, found.get((r.meddra_version, r.meddra_code)), r.meddra_version in loaded) for r in coded
    }


def _terms_by_version_and_code(
    versions: set[str], codes: set[str], language: str
) -> dict[tuple[str, str], dict[str, Any]]:
    """LLT (preferred) or PT rows of the codes in releases of the versions, the console language first."""
    rows = (
        MeddraTerm.objects.filter(
            release__version__in=versions, code__in=codes, level__in=[TermLevel.LLT, TermLevel.PT]
        )
        .annotate(version=F("release__version"), language_code=F("release__language_code"))
        .values("version", "code", "level", "name", "is_current", "language_code")
    )
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: (r["language_code"] == language, r["level"] == TermLevel.LLT)):
        found[(row["version"], row["code"])] = row  # the last one wins: console language, LLT level
    return found


def _note(reaction: Any, row: dict[str, Any] | None, version_loaded: bool) -> CodingNote:
    values = {"version": reaction.meddra_version, "code": reaction.meddra_code}
    if row is not None:
        non_current = _("LLT %(code)s is non-current in MedDRA %(version)s; recode it to a current LLT.")
        return CodingNote(
            reaction.sequence, row["name"], row["level"], "" if row["is_current"] else non_current % values
        )
    if not reaction.meddra_version:
        warning = _("Code %(code)s was sent without its MedDRA version (E.i.2.1a).")
    elif not version_loaded:
        warning = _("MedDRA %(version)s is not loaded; code %(code)s could not be checked.")
    else:
        warning = _("Code %(code)s is not an LLT or PT of MedDRA %(version)s as loaded.")
    return CodingNote(reaction.sequence, "", "", warning % values)


# -- signal screen: LLT -> PT of the release in use -----------------------------------------------


def rollup_release() -> MeddraRelease | None:
    """The release whose hierarchy the signal screen uses: in use, the platform's default language
    first (codes are the same in every language), then the newest version."""
    in_use = list(MeddraRelease.objects.filter(is_active=True))
    default = console_language_code(settings.LANGUAGE_CODE)
    in_use.sort(key=lambda r: (r.language_code == default, r.version_key), reverse=True)
    return in_use[0] if in_use else None


def llt_rollup_rows() -> Iterator[tuple[str, str, str]]:
    """(LLT code, PT code, PT name) for every LLT (current or not) of the roll-up release; none without one."""
    found = rollup_release()
    if found is None:
        return
    terms = MeddraTerm.objects.filter(release=found)
    pt_names = dict(terms.filter(level=TermLevel.PT).values_list("code", "name"))
    for code, pt in terms.filter(level=TermLevel.LLT).order_by("code").values_list("code", "pt_code").iterator(20_000):
        yield code, pt, pt_names.get(pt, "")


# -- case page coding helper -------------------------------------------------------------------


@dataclass(frozen=True)
class ReactionCoding:
    """The case page's coding cell of one reaction: its note when coded, suggestions when not."""

    note: CodingNote | None
    suggestions: list[Suggestion]


def reaction_coding(reactions: Iterable[Any], language: str | None = None, limit: int = 3) -> dict[int, ReactionCoding]:
    """Per reaction sequence: the code checked against its version, or suggestions from the reported term."""
    listed = list(reactions)
    notes = coding_notes(listed, language)
    uncoded = [r for r in listed if not r.meddra_code and r.reported_term]
    source = terminology(language) if uncoded else None
    found = {r.sequence: ReactionCoding(notes.get(r.sequence), []) for r in listed}
    for r in uncoded:
        found[r.sequence] = ReactionCoding(
            None, suggest_terms(r.reported_term, source.index if source else [], limit=limit)
        )
    return found
