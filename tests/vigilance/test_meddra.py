"""MedDRA ASCII loader on a tiny FAKE distribution (invented codes and names, the real file format)."""

from __future__ import annotations

from pathlib import Path

import pytest

from medreg.vigilance.meddra import HierarchyPath, Level, MeddraFormatError, load_meddra
from tests.vigilance.meddra_fakes import LEGACY_7, fake_files, write_release


def test_loads_a_release_from_its_medascii_directory(tmp_path: Path) -> None:
    # given a release unpacked with its MedAscii/ folder; meddra_release.asc lacks a final newline
    write_release(tmp_path / "MedAscii", fake_files())
    # when
    release = load_meddra(tmp_path)
    # then
    assert (release.version, release.language) == ("99.0", "English")
    assert {level: len(terms) for level, terms in release.terms.items()} == {
        Level.SOC: 2,
        Level.HLGT: 2,
        Level.HLT: 2,
        Level.PT: 2,
        Level.LLT: 4,
    }
    fakeitis = release.term(Level.PT, "90000011")
    assert (fakeitis.name, fakeitis.parent_codes, fakeitis.primary_soc_code) == (
        "Fakeitis",
        ("90000201", "90000202"),
        "90000001",
    )
    assert release.term(Level.LLT, "90000022").is_current is False
    assert release.term(Level.LLT, "90000021").parent_codes == ("90000011",)
    assert release.term(Level.HLT, "90000202").parent_codes == ("90000102",)
    assert release.term(Level.SOC, "90000002").abbreviation == "Pret"
    assert release.paths[:2] == (
        HierarchyPath("90000011", "90000201", "90000101", "90000001", True),
        HierarchyPath("90000011", "90000202", "90000102", "90000002", False),
    )
    assert release.smqs["90020000"].name == "Fake SMQ (narrow)"
    assert [(t.term_code, t.term_level, t.scope) for t in release.smq_terms] == [("90000011", 4, 2)]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
def test_loads_a_chinese_release_from_ascii_nnn(tmp_path: Path, encoding: str) -> None:
    # given a Chinese release in ascii-990/, encoded in GBK or UTF-8
    files = fake_files(soc_name="虚构器官疾病")
    files["pt.asc"][0] = f"90000011$虚构炎$$90000001${LEGACY_7}"
    files["meddra_release.asc"] = ["99.0$Chinese$$$$"]
    write_release(tmp_path / "ascii-990", files, encoding=encoding)
    # when
    release = load_meddra(tmp_path)
    # then
    assert (release.version, release.language) == ("99.0", "Chinese")
    assert release.term(Level.SOC, "90000001").name == "虚构器官疾病"
    assert release.term(Level.PT, "90000011").name == "虚构炎"


def test_empty_and_absent_optional_files_give_no_records(tmp_path: Path) -> None:
    # given a release whose SMQ files are absent and whose mdhier.asc is empty
    files = fake_files()
    del files["smq_list.asc"], files["smq_content.asc"]
    files["mdhier.asc"] = []
    write_release(tmp_path / "MedAscii", files)
    # when
    release = load_meddra(tmp_path / "MedAscii")
    # then
    assert (release.paths, release.smqs, release.smq_terms) == ((), {}, ())
    assert len(release.terms[Level.LLT]) == 4


def _load_with(tmp_path: Path, name: str, lines: list[str]) -> None:
    files = fake_files()
    files[name] = lines
    write_release(tmp_path / "MedAscii", files)
    load_meddra(tmp_path)


BAD_FILES = [
    (
        "pt.asc",
        [f"90000011$Fakeitis$$90000001${LEGACY_7}", "90000012$Pretendosis$$90000002$"],
        "pt.asc, line 2: expected 11 fields (pt_code, pt_name, null_field, pt_soc_code, whoart_code, harts_code, "
        "costart_sym, icd9_code, icd9cm_code, icd10_code, jart_code), found 4",
    ),
    (
        "pt.asc",
        [f"90000011$Fakeitis$$90000009${LEGACY_7}"],
        "pt.asc, line 1, field pt_soc_code: primary SOC 90000009 is not defined",
    ),
    (
        "hlt.asc",
        [f"90000201$Fakeitis HLT${LEGACY_7}", f"90000201$Again${LEGACY_7}"],
        "hlt.asc, line 2: duplicate code 90000201 (first defined on line 1)",
    ),
    ("llt.asc", ["90000031$Orphan$90000099$$$$$$$Y$$"], "llt.asc, line 1, field pt_code: PT 90000099 is not defined"),
    (
        "llt.asc",
        ["90000031$Orphan$90000011$$$$$$$maybe$$"],
        "llt.asc, line 1, field llt_currency: expected Y or N, found 'MAYBE'",
    ),
    (
        "soc.asc",
        [f"9000000A$Bad code$Bad${LEGACY_7}"],
        "soc.asc, line 1, field soc_code: code must be 1 to 8 digits, found '9000000A'",
    ),
    ("hlt_pt.asc", ["90000201$90000077$"], "hlt_pt.asc, line 1, field pt_code: PT 90000077 is not defined"),
    (
        "mdhier.asc",
        [
            "90000011$90000201$90000101$90000001$F$F$F$F$F$$90000001$Y$",
            "90000011$90000202$90000102$90000002$F$F$F$F$F$$90000001$Y$",
        ],
        "mdhier.asc, line 2, field primary_soc_fg: PT 90000011 already has a primary SOC on line 1",
    ),
    (
        "smq_content.asc",
        ["90029999$90000011$4$2$A$0$A$99.0$99.0$"],
        "smq_content.asc, line 1, field smq_code: SMQ 90029999 is not in smq_list.asc",
    ),
    ("meddra_release.asc", [], "meddra_release.asc: expected one record, found 0"),
]


@pytest.mark.parametrize(("name", "lines", "message"), BAD_FILES, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD_FILES)])
def test_refuses_a_malformed_file_naming_file_line_and_field(
    tmp_path: Path, name: str, lines: list[str], message: str
) -> None:
    with pytest.raises(MeddraFormatError) as raised:
        _load_with(tmp_path, name, lines)
    assert str(raised.value) == message


def test_refuses_a_directory_without_a_release(tmp_path: Path) -> None:
    # given two candidate folders
    write_release(tmp_path / "MedAscii", fake_files())
    write_release(tmp_path / "ascii-270", fake_files())
    # when / then
    with pytest.raises(
        MeddraFormatError, match="exactly one MedAscii/ or ascii-NNN/ subdirectory, found MedAscii, ascii-270"
    ):
        load_meddra(tmp_path)


def test_refuses_a_release_missing_a_required_file(tmp_path: Path) -> None:
    files = fake_files()
    del files["hlt_pt.asc"]
    write_release(tmp_path / "MedAscii", files)
    with pytest.raises(MeddraFormatError, match=r"^hlt_pt.asc: file missing from "):
        load_meddra(tmp_path)
