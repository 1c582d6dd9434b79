"""MedDRA releases into the database: load a distribution (a folder, or an uploaded zip) in one
transaction, set-based (COPY on PostgreSQL, executemany on SQLite), and put a release in use.

Only national regulators (and the platform's own command line) load or activate releases: the
terminology is national reference data. Loading never changes what is in use unless asked
(decision 0203); activating is audited with the release it replaces.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.audit import record_change, snapshot
from medreg.core.errors import DomainError, FieldError, NotFound, PermissionDenied
from medreg.core.models import Role
from medreg.core.scoping import Scope
from medreg.vigilance import meddra
from medreg.vigilance.meddra.archive import distribution_checksum, unpack_distribution
from medreg.vigilance.meddra.ascii import find_ascii_directory
from medreg.vigilance.models.meddra import (
    MeddraLink,
    MeddraPath,
    MeddraRelease,
    MeddraSmq,
    MeddraSmqTerm,
    MeddraTerm,
)

LANGUAGE_CODES = {"chinese": "zh", "english": "en"}  # meddra_release.asc language -> console language
DEFAULT_MAX_ZIP_BYTES = 200 * 1024 * 1024
OBJECT_TYPE = "vigilance.MeddraRelease"


def may_load(scope: Scope) -> bool:
    """National regulators and the platform itself (command line) load and activate releases."""
    return scope.role in {Role.NATIONAL_REGULATOR, "system"}


def require_loader(scope: Scope) -> None:
    if not may_load(scope):
        raise PermissionDenied("Only the national regulator loads and activates MedDRA releases.")


def load_release_directory(
    *,
    actor: Actor,
    scope: Scope,
    root: Path,
    activate: bool = False,
    encoding: str | None = None,
    source_name: str = "",
) -> MeddraRelease:
    """Load the release in ``root`` (or its MedAscii/ or ascii-NNN/ folder); all stored or nothing."""
    require_loader(scope)
    started = time.perf_counter()
    try:
        directory = find_ascii_directory(root)
        release = meddra.load_meddra(directory, encoding)
    except meddra.MeddraFormatError as error:
        raise format_refusal(error) from error
    checksum = distribution_checksum(directory)
    return store_release(
        release,
        actor=actor,
        source_name=source_name or str(root),
        checksum=checksum,
        activate=activate,
        started=started,
    )


def upload_release(*, actor: Actor, scope: Scope, data: bytes, filename: str, activate: bool = False) -> MeddraRelease:
    """Load a zipped distribution sent through the console or the API (hostile input: see archive.py)."""
    require_loader(scope)
    refuse_oversized(len(data))
    with tempfile.TemporaryDirectory(prefix="medreg-meddra-") as folder:
        try:
            unpack_distribution(data, Path(folder))
        except meddra.MeddraFormatError as error:
            raise format_refusal(error) from error
        return load_release_directory(
            actor=actor, scope=scope, root=Path(folder), activate=activate, source_name=Path(filename).name[:255]
        )


def refuse_oversized(size: int) -> None:
    """Refuse an archive over MEDREG_MAX_MEDDRA_ZIP_BYTES (views call it before reading the upload)."""
    limit = int(getattr(settings, "MEDREG_MAX_MEDDRA_ZIP_BYTES", DEFAULT_MAX_ZIP_BYTES))
    if size > limit:
        message = f"The archive has {size:,} bytes; at most {limit:,} are accepted."
        raise DomainError.single("file", "too_large", message, "Zip only the MedAscii (ascii-NNN) folder.", 413)


def format_refusal(error: meddra.MeddraFormatError) -> DomainError:
    """A MedDRA format error as the platform's error shape; the message names file, line and field."""
    fix = "Load the distribution as MedDRA MSSO ships it (unchanged .asc files), or correct the named line."
    return DomainError([FieldError("file", "invalid_meddra", str(error), fix, error.line)])


def store_release(
    release: meddra.MeddraRelease,
    *,
    actor: Actor,
    source_name: str,
    checksum: str,
    activate: bool = False,
    started: float | None = None,
) -> MeddraRelease:
    """Write a parsed release and all its rows in one transaction; refuse a version+language loaded before."""
    started = time.perf_counter() if started is None else started
    with transaction.atomic():
        row = _create_release(release, actor, source_name, checksum)
        _copy_rows(row.pk, release)
        MeddraRelease.objects.filter(pk=row.pk).update(load_seconds=round(time.perf_counter() - started, 3))
        row.refresh_from_db()
        record_change(
            actor=actor,
            action="meddra.load",
            object_type=OBJECT_TYPE,
            object_id=row.pk,
            before=None,
            after=snapshot(row),
        )
        if activate:
            row = _activate(row, actor)
    return row


def _create_release(release: meddra.MeddraRelease, actor: Actor, source_name: str, checksum: str) -> MeddraRelease:
    if MeddraRelease.objects.filter(version=release.version, language=release.language).exists():
        raise _already_loaded(release)
    terms, level = release.terms, meddra.Level
    try:
        with transaction.atomic():
            return MeddraRelease.objects.create(
                version=release.version,
                language=release.language,
                language_code=LANGUAGE_CODES.get(release.language.lower(), ""),
                source_name=source_name[:255],
                source_checksum=checksum,
                loaded_at=timezone.now(),
                loaded_by=actor.user,
                loaded_by_name=actor.username[:150],
                soc_count=len(terms[level.SOC]),
                hlgt_count=len(terms[level.HLGT]),
                hlt_count=len(terms[level.HLT]),
                pt_count=len(terms[level.PT]),
                llt_count=len(terms[level.LLT]),
                current_llt_count=sum(t.is_current for t in terms[level.LLT].values()),
                path_count=len(release.paths),
                smq_count=len(release.smqs),
            )
    except IntegrityError as error:  # the same release loaded at the same moment by someone else
        raise _already_loaded(release) from error


def _already_loaded(release: meddra.MeddraRelease) -> DomainError:
    return DomainError.single(
        "file",
        "already_loaded",
        f"MedDRA {release.version} {release.language} is already loaded; a loaded release is never replaced.",
        "Load a different version or language; activate an already loaded release instead of loading it again.",
        409,
    )


TERM_COLUMNS = ("release_id", "level", "code", "name", "pt_code", "primary_soc_code", "is_current", "abbreviation")
LINK_COLUMNS = ("release_id", "child_level", "child_code", "parent_code")
PATH_COLUMNS = ("release_id", "pt_code", "hlt_code", "hlgt_code", "soc_code", "is_primary")
SMQ_COLUMNS = ("release_id", "code", "name", "level", "description", "source", "note", "version", "status", "algorithm")
SMQ_TERM_COLUMNS = (
    "release_id",
    "smq_code",
    "term_code",
    "term_level",
    "scope",
    "category",
    "weight",
    "status",
    "addition_version",
    "last_modified_version",
)


def _copy_rows(release_id: int, release: meddra.MeddraRelease) -> None:
    insert_rows(MeddraTerm, TERM_COLUMNS, _term_rows(release_id, release))
    insert_rows(MeddraLink, LINK_COLUMNS, _link_rows(release_id, release))
    paths = release.paths
    insert_rows(
        MeddraPath,
        PATH_COLUMNS,
        ((release_id, p.pt_code, p.hlt_code, p.hlgt_code, p.soc_code, p.is_primary) for p in paths),
    )
    smqs = release.smqs.values()
    insert_rows(MeddraSmq, SMQ_COLUMNS, ((release_id, *_smq_values(s)) for s in smqs))
    insert_rows(MeddraSmqTerm, SMQ_TERM_COLUMNS, ((release_id, *_smq_term_values(t)) for t in release.smq_terms))


def _term_rows(release_id: int, release: meddra.MeddraRelease) -> Iterator[tuple[Any, ...]]:
    for level, terms in release.terms.items():
        for t in terms.values():
            pt_code = t.parent_codes[0] if level is meddra.Level.LLT else t.code if level is meddra.Level.PT else ""
            yield (
                release_id,
                level.value,
                t.code,
                t.name,
                pt_code,
                t.primary_soc_code or "",
                t.is_current,
                t.abbreviation,
            )


def _link_rows(release_id: int, release: meddra.MeddraRelease) -> Iterator[tuple[Any, ...]]:
    for level in (meddra.Level.HLGT, meddra.Level.HLT, meddra.Level.PT):
        for t in release.terms[level].values():
            for parent in t.parent_codes:
                yield (release_id, level.value, t.code, parent)


def _smq_values(s: meddra.Smq) -> tuple[Any, ...]:
    return (s.code, s.name, s.level, s.description, s.source, s.note, s.version, s.status, s.algorithm)


def _smq_term_values(t: meddra.SmqTerm) -> tuple[Any, ...]:
    return (
        t.smq_code,
        t.term_code,
        t.term_level,
        t.scope,
        t.category,
        t.weight,
        t.status,
        t.addition_version,
        t.last_modified_version,
    )


def insert_rows(model: type[Model], columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    """New rows of one table: COPY on PostgreSQL, one executemany on SQLite (inside the caller's transaction)."""
    table, names = model._meta.db_table, ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", list(rows))  # noqa: S608 - fixed names


def activate_release(*, actor: Actor, scope: Scope, release_id: int) -> MeddraRelease:
    """Put a loaded release in use for its language (the one in use before is kept, no longer in use)."""
    require_loader(scope)
    with transaction.atomic():
        row = (
            MeddraRelease.objects.select_for_update().filter(pk=release_id).first() if 0 < release_id < 2**31 else None
        )
        if row is None:
            raise NotFound("MedDRA release")
        return row if row.is_active else _activate(row, actor)


def _activate(row: MeddraRelease, actor: Actor) -> MeddraRelease:
    """Inside the caller's transaction: swap the in-use release of the language, audited."""
    previous = MeddraRelease.objects.select_for_update().filter(language=row.language, is_active=True).first()
    if previous is not None:
        MeddraRelease.objects.filter(pk=previous.pk).update(is_active=False)
    now = timezone.now()
    MeddraRelease.objects.filter(pk=row.pk).update(is_active=True, activated_at=now)
    record_change(
        actor=actor,
        action="meddra.activate",
        object_type=OBJECT_TYPE,
        object_id=row.pk,
        before={"language": row.language, "in_use": previous.version if previous else None},
        after={"language": row.language, "in_use": row.version, "activated_at": now},
    )
    row.refresh_from_db()
    return row
