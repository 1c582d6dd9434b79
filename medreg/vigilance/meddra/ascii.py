"""Reading MedDRA ASCII files: locating the directory, decoding, splitting `$`-separated records.

Every line ends with a trailing `$`, there is no header row, files may be empty, the last line may
lack its newline; Chinese releases come in GBK (read as GB18030, its superset) or UTF-8.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ENCODINGS = ("utf-8-sig", "gb18030")
_ASCII_DIR = re.compile(r"^(medascii|ascii[-_]?\d+)$", re.IGNORECASE)


class MeddraFormatError(ValueError):
    """A MedDRA file does not have the expected shape; names the file, line and field."""

    def __init__(self, file: str, line: int | None, field: str | None, message: str) -> None:
        self.file, self.line, self.field, self.message = file, line, field, message
        where = file + (f", line {line}" if line is not None else "") + (f", field {field}" if field else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class Record:
    """One line of a file: its 1-based line number and its fields by name."""

    file: str
    line: int
    values: dict[str, str]

    def __getitem__(self, field: str) -> str:
        return self.values[field]


def find_ascii_directory(root: Path) -> Path:
    """``root`` itself when it holds llt.asc, else its single MedAscii/ or ascii-NNN/ subdirectory."""
    if _find_file(root, "llt.asc") is not None:
        return root
    found = sorted(p for p in root.iterdir() if p.is_dir() and _ASCII_DIR.match(p.name)) if root.is_dir() else []
    found = [p for p in found if _find_file(p, "llt.asc") is not None]
    if len(found) != 1:
        detail = "none" if not found else ", ".join(p.name for p in found)
        raise MeddraFormatError(
            str(root),
            None,
            None,
            "expected llt.asc here or in exactly one MedAscii/ or "
            f"ascii-NNN/ subdirectory, found {detail}; point the loader at the release",
        )
    return found[0]


def _find_file(directory: Path, name: str) -> Path | None:
    """The file called ``name`` in ``directory``, ignoring case (releases differ: LLT.ASC, llt.asc)."""
    if not directory.is_dir():
        return None
    return next((p for p in sorted(directory.iterdir()) if p.name.lower() == name), None)


def decode(data: bytes, file: str, encoding: str | None = None) -> str:
    """The text of a file: the given encoding, else UTF-8 (with or without BOM), else GB18030."""
    for candidate in (encoding,) if encoding else ENCODINGS:
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise MeddraFormatError(file, None, None, f"cannot decode as {' or '.join(ENCODINGS)}; pass the encoding")


def split_line(text: str, file: str, number: int, fields: tuple[str, ...]) -> Record:
    """Split one `$`-separated line (the trailing `$` removed) into named fields, checking the count."""
    values = (text[:-1] if text.endswith("$") else text).split("$")
    if len(values) != len(fields):
        raise MeddraFormatError(
            file, number, None, f"expected {len(fields)} fields ({', '.join(fields)}), found {len(values)}"
        )
    return Record(file, number, dict(zip(fields, values, strict=True)))


def read_records(
    directory: Path, name: str, fields: tuple[str, ...], *, required: bool = True, encoding: str | None = None
) -> list[Record]:
    """All records of one file; a missing optional file or an empty file gives no records."""
    path = _find_file(directory, name)
    if path is None:
        if required:
            raise MeddraFormatError(name, None, None, f"file missing from {directory}")
        return []
    text = decode(path.read_bytes(), name, encoding).replace("\r\n", "\n").replace("\r", "\n")
    _refuse_control_characters(text, name)
    return [
        split_line(line, name, number, fields) for number, line in enumerate(text.split("\n"), 1) if line.strip()
    ]


# Unicode category Cc but tab and the line ends: a NUL or an escape byte means a binary or damaged file.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _refuse_control_characters(text: str, file: str) -> None:
    """One regular-expression scan of the whole text; the error names the first offending line."""
    found = _CONTROL.search(text)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        message = f"control character U+{ord(found.group()):04X} in the text; the file is damaged or not a MedDRA file"
        raise MeddraFormatError(file, line, None, message)
