"""Unpacking an uploaded, zipped MedDRA distribution safely: only the .asc files of the one folder
that holds llt.asc are written, flat, under names we choose; nothing else of the archive is touched.

Refused with a MeddraFormatError naming the archive entry: not a zip, too many entries, too much
unpacked data (declared or actual), an implausible compression ratio (a zip bomb), names that
climb out of the archive (`..`, absolute paths, drive letters, NUL), encrypted or unsupported
entries, a damaged archive, no or several release folders, and the same file twice in the folder.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from medreg.core.zipfiles import ZIP_READ_ERRORS
from medreg.vigilance.meddra.ascii import MeddraFormatError

ZIP_MAGIC = b"PK\x03\x04"
ARCHIVE = "archive"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    """What one uploaded distribution may hold (a real 27.x release unpacks to about 60 MB)."""

    max_entries: int = 2000
    max_unpacked_bytes: int = 600 * 1024 * 1024
    max_ratio: int = 200  # text compresses about 10:1; far more is a bomb


def unpack_distribution(data: bytes, target: Path, limits: ArchiveLimits = ArchiveLimits()) -> Path:
    """Write the release folder's .asc files of the zip ``data`` into ``target``; returns ``target``."""
    if not data.startswith(ZIP_MAGIC):
        raise MeddraFormatError(ARCHIVE, None, None, "the file is not a zip archive; zip the MedDRA release folder")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            _check_entries(entries, limits)
            chosen = _release_entries(entries)
            budget = limits.max_unpacked_bytes
            for entry in chosen:
                budget -= _extract(archive, entry, target / posixpath.basename(entry.filename).lower(), budget)
    except MeddraFormatError:
        raise
    except ZIP_READ_ERRORS as error:  # damaged or crafted archives
        raise MeddraFormatError(
            ARCHIVE, None, None, f"the zip archive is damaged ({error}); zip the folder again"
        ) from error
    except RuntimeError as error:  # zipfile's answer to an encrypted entry
        raise MeddraFormatError(
            ARCHIVE, None, None, f"the archive cannot be read ({error}); send it unencrypted"
        ) from error
    return target


def _check_entries(entries: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    if len(entries) > limits.max_entries:
        raise MeddraFormatError(
            ARCHIVE, None, None, f"{len(entries)} entries; at most {limits.max_entries} are accepted"
        )
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_unpacked_bytes:
        message = f"unpacks to {total:,} bytes; at most {limits.max_unpacked_bytes:,} are accepted"
        raise MeddraFormatError(ARCHIVE, None, None, message)
    for entry in entries:
        _check_name(entry.filename)
        if entry.file_size > limits.max_ratio * max(entry.compress_size, 1024):
            message = f"compression ratio over {limits.max_ratio}:1 (a zip bomb?); refused"
            raise MeddraFormatError(entry.filename, None, None, message)


def _check_name(name: str) -> None:
    parts = name.replace("\\", "/").split("/")
    if "\x00" in name or name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
        raise MeddraFormatError(name, None, None, "the entry's path leaves the archive; refused")


def _release_entries(entries: Iterable[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """The .asc entries of the single folder that holds llt.asc (case-insensitive)."""
    folders: dict[str, list[zipfile.ZipInfo]] = {}
    for entry in entries:
        if not entry.is_dir() and entry.filename.lower().endswith(".asc"):
            folders.setdefault(posixpath.dirname(entry.filename), []).append(entry)
    found = sorted(
        f for f, items in folders.items() if any(posixpath.basename(i.filename).lower() == "llt.asc" for i in items)
    )
    if len(found) != 1:
        detail = "none" if not found else ", ".join(f"{f or '(top)'}/" for f in found)
        message = f"expected exactly one folder holding llt.asc, found {detail}; zip one MedDRA release"
        raise MeddraFormatError(ARCHIVE, None, None, message)
    chosen = folders[found[0]]
    names = [posixpath.basename(e.filename).lower() for e in chosen]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise MeddraFormatError(ARCHIVE, None, None, f"{', '.join(twice)} appear(s) twice in {found[0] or '(top)'}/")
    return chosen


def _extract(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, destination: Path, budget: int) -> int:
    """Copy one entry, counting what really comes out (declared sizes may lie)."""
    written = 0
    with archive.open(entry) as source, destination.open("xb") as sink:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > budget:
                raise MeddraFormatError(
                    entry.filename, None, None, "unpacks to more than the archive declared; refused"
                )
            sink.write(chunk)
    return written


def distribution_checksum(directory: Path) -> str:
    """SHA-256 over the .asc files of a release folder (names lower-cased, sorted): the same for the
    unpacked folder and for its zip, so one release is recognised however it arrives."""
    digest = hashlib.sha256()
    for path in sorted(
        (p for p in directory.iterdir() if p.is_file() and p.suffix.lower() == ".asc"), key=lambda p: p.name.lower()
    ):
        digest.update(f"{path.name.lower()}\x00{path.stat().st_size}\x00".encode())
        with path.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
    return digest.hexdigest()
