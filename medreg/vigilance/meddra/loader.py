"""Loading a MedDRA ASCII release into dataclasses, validating codes and links with clear errors.

Field orders follow the MedDRA distribution file format (docs/modules/vigilance-meddra.md);
fields marked legacy (WHO-ART, HARTS, COSTART, ICD-9, ICD-9-CM, ICD-10, J-ART) are read and ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from medreg.vigilance.meddra.ascii import MeddraFormatError, Record, find_ascii_directory, read_records
from medreg.vigilance.meddra.model import HierarchyPath, Level, MeddraRelease, Smq, SmqTerm, Term

LEGACY = ("whoart_code", "harts_code", "costart_sym", "icd9_code", "icd9cm_code", "icd10_code", "jart_code")
FIELDS: dict[str, tuple[str, ...]] = {
    "llt.asc": ("llt_code", "llt_name", "pt_code", *LEGACY[:6], "llt_currency", "jart_code"),
    "pt.asc": ("pt_code", "pt_name", "null_field", "pt_soc_code", *LEGACY),
    "hlt.asc": ("hlt_code", "hlt_name", *LEGACY),
    "hlgt.asc": ("hlgt_code", "hlgt_name", *LEGACY),
    "soc.asc": ("soc_code", "soc_name", "soc_abbrev", *LEGACY),
    "hlt_pt.asc": ("hlt_code", "pt_code"),
    "hlgt_hlt.asc": ("hlgt_code", "hlt_code"),
    "soc_hlgt.asc": ("soc_code", "hlgt_code"),
    "mdhier.asc": (
        "pt_code",
        "hlt_code",
        "hlgt_code",
        "soc_code",
        "pt_name",
        "hlt_name",
        "hlgt_name",
        "soc_name",
        "soc_abbrev",
        "null_field",
        "pt_soc_code",
        "primary_soc_fg",
    ),
    "smq_list.asc": (
        "smq_code",
        "smq_name",
        "smq_level",
        "smq_description",
        "smq_source",
        "smq_note",
        "MedDRA_version",
        "status",
        "smq_algorithm",
    ),
    "smq_content.asc": (
        "smq_code",
        "term_code",
        "term_level",
        "term_scope",
        "term_category",
        "term_weight",
        "term_status",
        "term_addition_version",
        "term_last_modified_version",
    ),
    "meddra_release.asc": ("version", "language", "null_field_1", "null_field_2", "null_field_3"),
}
LINKS = (
    ("hlt_pt.asc", Level.HLT, Level.PT),
    ("hlgt_hlt.asc", Level.HLGT, Level.HLT),
    ("soc_hlgt.asc", Level.SOC, Level.HLGT),
)
OPTIONAL_FILES = ("smq_list.asc", "smq_content.asc")


MAX_CODE_DIGITS = 8  # MedDRA codes are eight digits
MAX_NAME_CHARS = 255  # MedDRA names are at most 100 characters; the database column holds 255
_VERSION = re.compile(r"^\d{1,3}\.\d{1,2}$")


def code(record: Record, field: str) -> str:
    """A code field: one to eight digits."""
    value = record[field].strip()
    if not (value.isascii() and value.isdigit()) or len(value) > MAX_CODE_DIGITS:
        raise MeddraFormatError(
            record.file, record.line, field, f"code must be 1 to {MAX_CODE_DIGITS} digits, found {value!r}"
        )
    return value


def name(record: Record, field: str) -> str:
    """A term or SMQ name: not empty, at most MAX_NAME_CHARS characters."""
    value = record[field].strip()
    if not value or len(value) > MAX_NAME_CHARS:
        raise MeddraFormatError(
            record.file, record.line, field, f"name must have 1 to {MAX_NAME_CHARS} characters, found {len(value)}"
        )
    return value


def flag(record: Record, field: str) -> bool:
    """A Y/N field."""
    value = record[field].strip().upper()
    if value not in {"Y", "N"}:
        raise MeddraFormatError(record.file, record.line, field, f"expected Y or N, found {value!r}")
    return value == "Y"


def number(record: Record, field: str) -> int:
    """An integer field (empty counts as 0, as in older SMQ files)."""
    value = record[field].strip()
    digits = value.removeprefix("-")
    if value and not (digits.isascii() and digits.isdigit() and len(digits) <= 9):
        raise MeddraFormatError(record.file, record.line, field, f"expected a whole number, found {value!r}")
    return int(value or 0)


def require(known: dict[str, Term], record: Record, field: str, what: str) -> str:
    """A code field that must name a term loaded from another file."""
    value = code(record, field)
    if value not in known:
        raise MeddraFormatError(record.file, record.line, field, f"{what} {value} is not defined")
    return value


def unique(terms: Iterable[tuple[Record, Term]]) -> dict[str, Term]:
    """Terms by code, refusing a code defined twice in one file."""
    by_code: dict[str, Term] = {}
    lines: dict[str, int] = {}
    for record, term in terms:
        if term.code in by_code:
            raise MeddraFormatError(
                record.file, record.line, None, f"duplicate code {term.code} (first defined on line {lines[term.code]})"
            )
        by_code[term.code], lines[term.code] = term, record.line
    return by_code


def _parents(
    records: dict[str, list[Record]], terms: dict[Level, dict[str, Term]]
) -> dict[tuple[Level, str], list[str]]:
    """Parent codes of HLTs, HLGTs and PTs from the link files (parent first), checking both ends."""
    parents: dict[tuple[Level, str], list[str]] = {}
    for name, parent_level, child_level in LINKS:
        parent_field, child_field = FIELDS[name]
        for record in records[name]:
            parent = require(terms[parent_level], record, parent_field, parent_level.value.upper())
            child = require(terms[child_level], record, child_field, child_level.value.upper())
            parents.setdefault((child_level, child), []).append(parent)
    return parents


def _group_terms(records: dict[str, list[Record]]) -> dict[Level, dict[str, Term]]:
    """SOCs, HLGTs, HLTs and PTs (PT primary SOC checked against soc.asc)."""
    terms: dict[Level, dict[str, Term]] = {}
    terms[Level.SOC] = unique(
        (r, Term(code(r, "soc_code"), name(r, "soc_name"), Level.SOC, abbreviation=r["soc_abbrev"].strip()))
        for r in records["soc.asc"]
    )
    for level in (Level.HLGT, Level.HLT):
        file, prefix = f"{level.value}.asc", level.value
        terms[level] = unique(
            (r, Term(code(r, f"{prefix}_code"), name(r, f"{prefix}_name"), level)) for r in records[file]
        )
    terms[Level.PT] = unique(
        (
            r,
            Term(
                code(r, "pt_code"),
                name(r, "pt_name"),
                Level.PT,
                primary_soc_code=require(terms[Level.SOC], r, "pt_soc_code", "primary SOC"),
            ),
        )
        for r in records["pt.asc"]
    )
    return terms


def _with_parents(terms: dict[Level, dict[str, Term]], parents: dict[tuple[Level, str], list[str]]) -> None:
    """Attach the linked parent codes to the HLGT, HLT and PT terms (in place)."""
    for level in (Level.HLGT, Level.HLT, Level.PT):
        terms[level] = {
            c: Term(t.code, t.name, t.level, tuple(parents.get((level, c), ())), t.primary_soc_code)
            for c, t in terms[level].items()
        }


def _low_level_terms(records: list[Record], preferred: dict[str, Term]) -> dict[str, Term]:
    """LLTs, each under a PT that pt.asc defines."""
    return unique(
        (
            r,
            Term(
                code(r, "llt_code"),
                name(r, "llt_name"),
                Level.LLT,
                (require(preferred, r, "pt_code", "PT"),),
                is_current=flag(r, "llt_currency"),
            ),
        )
        for r in records
    )


def _path(record: Record, terms: dict[Level, dict[str, Term]]) -> HierarchyPath:
    """One mdhier.asc row, every code defined in its own file."""
    pt, hlt, hlgt, soc = (
        require(terms[level], record, f"{level.value}_code", level.value.upper())
        for level in (Level.PT, Level.HLT, Level.HLGT, Level.SOC)
    )
    return HierarchyPath(pt, hlt, hlgt, soc, flag(record, "primary_soc_fg"))


def _check_primary(record: Record, path: HierarchyPath, pt: Term, primary_lines: dict[str, int]) -> None:
    """A PT has one primary path, and its SOC is pt.asc's pt_soc_code."""
    if path.pt_code in primary_lines:
        message = f"PT {path.pt_code} already has a primary SOC on line {primary_lines[path.pt_code]}"
        raise MeddraFormatError(record.file, record.line, "primary_soc_fg", message)
    if pt.primary_soc_code != path.soc_code:
        message = f"primary SOC {path.soc_code} of PT {path.pt_code} differs from pt.asc's pt_soc_code"
        raise MeddraFormatError(record.file, record.line, "soc_code", message)
    primary_lines[path.pt_code] = record.line


def _paths(records: list[Record], terms: dict[Level, dict[str, Term]]) -> tuple[HierarchyPath, ...]:
    """mdhier.asc rows: every code defined, at most one primary SOC per PT and it matching pt.asc."""
    paths: list[HierarchyPath] = []
    primary_lines: dict[str, int] = {}
    for record in records:
        path = _path(record, terms)
        if path.is_primary:
            _check_primary(record, path, terms[Level.PT][path.pt_code], primary_lines)
        paths.append(path)
    return tuple(paths)


def _smqs(list_records: list[Record], content_records: list[Record]) -> tuple[dict[str, Smq], tuple[SmqTerm, ...]]:
    """SMQs and their terms, each term under an SMQ that smq_list.asc defines."""
    smqs: dict[str, Smq] = {}
    for r in list_records:
        smq_code = code(r, "smq_code")
        if smq_code in smqs:
            raise MeddraFormatError(r.file, r.line, "smq_code", f"duplicate SMQ code {smq_code}")
        smqs[smq_code] = Smq(
            smq_code,
            name(r, "smq_name"),
            number(r, "smq_level"),
            r["smq_description"],
            r["smq_source"],
            r["smq_note"],
            r["MedDRA_version"],
            r["status"],
            r["smq_algorithm"],
        )
    contents = []
    for r in content_records:
        if code(r, "smq_code") not in smqs:
            raise MeddraFormatError(r.file, r.line, "smq_code", f"SMQ {r['smq_code']} is not in smq_list.asc")
        contents.append(
            SmqTerm(
                r["smq_code"],
                code(r, "term_code"),
                number(r, "term_level"),
                number(r, "term_scope"),
                r["term_category"],
                number(r, "term_weight"),
                r["term_status"],
                r["term_addition_version"],
                r["term_last_modified_version"],
            )
        )
    return smqs, tuple(contents)


def _release(records: list[Record]) -> tuple[str, str]:
    """Version and language from meddra_release.asc (exactly one record)."""
    if len(records) != 1:
        raise MeddraFormatError("meddra_release.asc", None, None, f"expected one record, found {len(records)}")
    version, language = records[0]["version"].strip(), records[0]["language"].strip()
    if not _VERSION.match(version):
        message = f"the release version must look like 27.0, found {version!r}"
        raise MeddraFormatError("meddra_release.asc", records[0].line, "version", message)
    if not language.isalpha() or len(language) > 40:
        message = f"the release language must be a word such as English or Chinese, found {language!r}"
        raise MeddraFormatError("meddra_release.asc", records[0].line, "language", message)
    return version, language


def load_meddra(root: Path | str, encoding: str | None = None) -> MeddraRelease:
    """Load and validate a MedDRA ASCII release from ``root`` (or its MedAscii/ or ascii-NNN/ folder)."""
    directory = find_ascii_directory(Path(root))
    records = {
        name: read_records(directory, name, fields, required=name not in OPTIONAL_FILES, encoding=encoding)
        for name, fields in FIELDS.items()
    }
    version, language = _release(records["meddra_release.asc"])
    terms = _group_terms(records)
    _with_parents(terms, _parents(records, terms))
    terms[Level.LLT] = _low_level_terms(records["llt.asc"], terms[Level.PT])
    smqs, smq_terms = _smqs(records["smq_list.asc"], records["smq_content.asc"])
    return MeddraRelease(version, language, terms, _paths(records["mdhier.asc"], terms), smqs, smq_terms)
