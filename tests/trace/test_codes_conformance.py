"""Conformance tests against the GS1 Syntax Engine / Syntax Dictionary suites.

The third-party case files are read in place from ``CONFORMANCE / "gs1"``:

* ``syntax_engine_cases.tsv``: GS1 Digital Link URI and bracketed AI data
  parse cases; the expected output is the element string with ``^`` = FNC1.
* ``linter_cases.tsv``: pass / fail cases for the dictionary's linters.
* ``gs1-syntax-dictionary.txt``: used to cross-check our runtime AI tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from medreg.trace.codes import ai_table, linters
from medreg.trace.codes.digital_link import DigitalLinkOptions, parse_digital_link
from medreg.trace.codes.element_strings import parse_bracketed, to_element_string
from medreg.trace.codes.errors import CodeError
from tests.shared import CONFORMANCE

GS1_DIR = CONFORMANCE / "gs1"
SYNTAX_CASES = GS1_DIR / "syntax_engine_cases.tsv"
LINTER_CASES = GS1_DIR / "linter_cases.tsv"
DICTIONARY = GS1_DIR / "gs1-syntax-dictionary.txt"


# --- reading the TSV files ---------------------------------------------------


def _read_field(text: str, pos: int) -> tuple[str, int]:
    """Read one field at *pos*: ``"quoted ""like"" this"`` or raw to TAB/LF."""
    if text.startswith('"', pos):
        chars, pos = [], pos + 1
        while not (text.startswith('"', pos) and not text.startswith('""', pos)):
            chars.append(text[pos])
            pos += 2 if text.startswith('""', pos) else 1
        return "".join(chars), pos + 1
    end = min((i for i in (text.find("\t", pos), text.find("\n", pos)) if i >= 0), default=len(text))
    return text[pos:end], end


def read_tsv(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, fields) for every data record of a case file.

    The files are TAB-separated with CSV-style quoting for values holding a
    TAB, LF or quote; a raw CR is data (so :mod:`csv` cannot be used).
    """
    text = path.read_bytes().decode("utf-8") if path.is_file() else ""
    pos, line = 0, 1
    while pos < len(text):
        fields, start_line = [], line
        while True:
            value, end = _read_field(text, pos)
            line += text.count("\n", pos, end)
            fields.append(value)
            pos = end + 1
            if end >= len(text) or text[end] == "\n":
                break
        line += 1
        if start_line > 1:
            yield start_line, fields


def _case_id(line: int, *fields: str) -> str:
    """Readable, unique pytest id: line number plus the escaped input."""
    return f"L{line}-" + "-".join(f.encode("unicode_escape").decode()[:60] for f in fields)


# --- GS1 Syntax Engine: Digital Link URIs and bracketed AI data ---------------

#: The case file is an ordered replay of the GS1 Syntax Engine unit tests, in
#: which a few cases run after the reference test switched a non-default
#: option on (the TSV has no column for it).  These are those cases, keyed by
#: (input, expected success), with the option the reference test enabled.
REFERENCE_OPTIONS = {
    **{
        (uri, True): DigitalLinkOptions(convenience_alphas=True)
        for uri in (
            "https://a/gtin/12312312312333",
            "https://a/gtin/12312312312333/ser/ABC123",
            "https://a/sscc/006141411234567890",
        )
    },
    **{
        (uri, True): DigitalLinkOptions(zero_suppressed_gtin=True)
        for uri in (
            "https://brand.example.com/01/9520123456788",
            "https://brand.example.com/some-extra/pathinfo/01/9520123456788",
            "https://example.com/01/9520123456788?3103=000195&3922=0299&17=201225",
            "https://id.gs1.org/01/9520123456788?3103=000195&3922=0299&17=201225",
            "https://id.gs1.org/01/9520123456788?17=201225&3103=000195&3922=0299",
        )
    },
    ("https://example.com/01/09520123456788?99=XYZ&89=ABC123", True): DigitalLinkOptions(unknown_ai_attributes=True),
}

SYNTAX_ROWS = list(read_tsv(SYNTAX_CASES))


def _syntax_output(kind: str, text: str, should_succeed: bool) -> str:
    """Run our parser for one case; return the ``^`` element string."""
    if kind == "dl_uri":
        options = REFERENCE_OPTIONS.get((text, should_succeed), DigitalLinkOptions())
        return to_element_string(parse_digital_link(text, options))
    assert kind == "ai_parseAIdata", kind
    return to_element_string(parse_bracketed(text))


@pytest.mark.parametrize(
    ("kind", "should_succeed", "text", "expected"),
    [pytest.param(*row, id=_case_id(line, row[0], row[2])) for line, row in SYNTAX_ROWS],
)
def test_syntax_engine_case(kind: str, should_succeed: str, text: str, expected: str) -> None:
    """Every GS1 Syntax Engine case gives exactly the expected output / failure."""
    if should_succeed == "true":
        assert _syntax_output(kind, text, True) == expected
    else:
        with pytest.raises(CodeError) as caught:
            _syntax_output(kind, text, False)
        assert caught.value.field
        assert caught.value.fix


def test_syntax_engine_case_count() -> None:
    """The suite holds 83 Digital Link and 27 AI data cases."""
    kinds = [row[0] for _, row in SYNTAX_ROWS]
    assert (kinds.count("dl_uri"), kinds.count("ai_parseAIdata")) == (83, 27)


# --- GS1 Syntax Dictionary linters ------------------------------------------

LINTER_ROWS = list(read_tsv(LINTER_CASES))
#: Linters of the pack AIs 00, 01, 10, 11, 17, 21 (N -> csetnumeric, X -> cset82).
PACK_AI_LINTERS = {
    "gs1_lint_csetnumeric", "gs1_lint_cset82", "gs1_lint_csum",
    "gs1_lint_gcppos2", "gs1_lint_yymmd0",
}  # fmt: skip
#: The case file's gcppos rows come from the reference unit test built with
#: a custom GS1 Company Prefix lookup that rejects them; run them with an
#: equivalent fail-closed lookup (without one, only the format is checked).
GCP_LOOKUP_CASES = {"gs1_lint_gcppos1", "gs1_lint_gcppos2"}


def _fail_closed_lookup(_: str) -> bool:
    """GCP lookup standing in for an unavailable / rejecting data source."""
    return False


def _lint(name: str, data: str) -> str | None:
    """Run linter *name* on *data*."""
    if name in GCP_LOOKUP_CASES:
        gcp_linter = linters.gcppos1 if name == "gs1_lint_gcppos1" else linters.gcppos2
        return gcp_linter(data, _fail_closed_lookup)
    return linters.LINTERS[name](data)


@pytest.mark.parametrize(
    ("name", "expect", "data"),
    [pytest.param(*row, id=_case_id(line, row[0], row[2])) for line, row in LINTER_ROWS if row[0] in linters.LINTERS],
)
def test_linter_case(name: str, expect: str, data: str) -> None:
    """Each linter case of an implemented linter passes or fails as expected."""
    assert (_lint(name, data) is None) == (expect == "pass")


def test_linter_cases_cover_pack_ais() -> None:
    """All linters used by the pack AIs are implemented and have cases."""
    names = {row[0] for _, row in LINTER_ROWS}
    assert set(linters.LINTERS) & names >= PACK_AI_LINTERS
    assert {"gs1_lint_yymmdd", "gs1_lint_gcppos1"} <= set(linters.LINTERS)


def test_gcppos_without_lookup_checks_format_only() -> None:
    """Without a GCP lookup, gcppos accepts any numeric prefix of 4+ digits."""
    assert linters.gcppos1("1234567") is None
    assert linters.gcppos2("I1234567") is None
    assert linters.gcppos1("123") is not None
    assert linters.gcppos2("I12A4") is not None


# --- cross-check runtime tables against the Syntax Dictionary -----------------

_COMPONENT = re.compile(r"^\[?[NXYZ](?:\.\.)?\d+\]?(?:,\w+)*$")


def _dictionary_entries() -> Iterator[tuple[list[str], str, list[str], list[str]]]:
    """Yield (AIs, flags, components, attributes) for each dictionary entry."""
    text = DICTIONARY.read_text(encoding="utf-8") if DICTIONARY.is_file() else ""
    for raw in text.splitlines():
        tokens = raw.split("#", 1)[0].split()
        if not tokens:
            continue
        first, _, last = tokens[0].partition("-")
        ais = [str(n).zfill(len(first)) for n in range(int(first), int(last or first) + 1)]
        flags = tokens[1] if not _COMPONENT.match(tokens[1]) else ""
        rest = tokens[2:] if flags else tokens[1:]
        components = [t for t in rest if _COMPONENT.match(t)]
        yield ais, flags, components, [t for t in rest if t not in components]


DICTIONARY_ENTRIES = list(_dictionary_entries())


def test_dictionary_predefined_length_matches_fnc1_rule() -> None:
    """'*' (no FNC1 needed) in the dictionary matches our prefix table."""
    for ais, flags, _, _ in DICTIONARY_ENTRIES:
        for ai in ais:
            assert ai_table.fnc1_required(ai) == ("*" not in flags), ai


def test_dictionary_dl_primary_keys_match() -> None:
    """Digital Link primary keys and qualifier sequences match ``dlpkey``."""
    found = {}
    for ais, _, _, attributes in DICTIONARY_ENTRIES:
        for attribute in attributes:
            if attribute.split("=")[0] == "dlpkey":
                spec = attribute.partition("=")[2]
                found[ais[0]] = tuple(tuple(alt.split(",")) for alt in spec.split("|") if alt)
    assert found == ai_table.DL_PRIMARY_KEYS


def test_dictionary_dl_attribute_flags_match() -> None:
    """AIs without the '?' flag are exactly our non-DL-attribute set."""
    not_attributes = {ai for ais, flags, _, _ in DICTIONARY_ENTRIES for ai in ais if "?" not in flags}
    assert not_attributes == ai_table.NOT_DL_ATTRIBUTES


def test_dictionary_check_digit_and_date_linters_match() -> None:
    """csum spans and date linters per AI match the dictionary components."""
    spans, dates = {}, {}
    for ais, _, components, _ in DICTIONARY_ENTRIES:
        offset = 0
        for component in components:
            kind, *names = component.replace("[", "").replace("]", "").split(",")
            length = int(kind.lstrip("NXYZ."))
            for ai in ais:
                if "csum" in names:
                    spans[ai] = (offset, offset + length)
                if {"yymmd0", "yymmdd"} & set(names) and offset == 0:
                    dates[ai] = names[0]
            offset += length
    assert spans == ai_table.CHECK_DIGIT_SPANS
    assert {ai: fn.__name__ for ai, fn in ai_table.DATE_LINTERS.items()} == dates


def test_dictionary_formats_agree_with_biip() -> None:
    """Every dictionary AI is known to biip (the runtime AI table)."""
    unknown = [ai for ais, _, _, _ in DICTIONARY_ENTRIES for ai in ais if not ai_table.lookup_ai(ai)]
    assert unknown == []
