"""The open demo terminology and coding suggestions from free text."""

from __future__ import annotations

from medreg.vigilance.meddra import CodingEntry, Level, demo_release, suggest_terms
from medreg.vigilance.meddra.demo_terms import GROUPS, TERMS


def _codes_and_names(text: str) -> list[tuple[str, str, float, bool]]:
    return [(s.pt_code, s.llt_name, s.score, s.is_exact) for s in suggest_terms(text, demo_release())]


def test_demo_terminology_is_two_levels_and_clearly_not_meddra() -> None:
    # when
    release = demo_release()
    # then
    assert (len(GROUPS), len(TERMS)) == (10, 60)
    assert (release.version, release.language) == ("DEMO-1.0", "zh+en")
    assert all(code.startswith("DEMO-") for level in Level for code in release.terms[level])
    assert all(term.parent_codes[0] in release.terms[Level.SOC] for term in release.terms[Level.PT].values())
    assert release.term(Level.PT, "DEMO-T001").name == "皮疹 (Rash)"


def test_suggestions_for_chinese_rash() -> None:
    assert _codes_and_names("皮疹") == [("DEMO-T001", "皮疹", 100.0, True), ("DEMO-T004", "瘙痒性皮疹", 90.0, False)]


def test_suggestions_for_skin_rash() -> None:
    assert _codes_and_names("Skin  Rash") == [("DEMO-T001", "skin rash", 100.0, True)]


def test_suggestions_for_nausea_and_vomiting() -> None:
    assert _codes_and_names("nausea and vomiting") == [
        ("DEMO-T008", "Nausea", 100.0, True),
        ("DEMO-T009", "Vomiting", 100.0, True),
    ]


def test_suggestions_from_a_chinese_sentence_and_a_typo() -> None:
    assert _codes_and_names("头疼和恶心") == [("DEMO-T016", "头疼", 100.0, True), ("DEMO-T008", "恶心", 100.0, True)]
    assert _codes_and_names("rahs") == [("DEMO-T001", "Rash", 75.0, False)]


def test_suggestions_respect_the_limit_and_accept_plain_entries() -> None:
    # given entries from another source
    entries = [CodingEntry("1", "Fakeitis", "10", "Fakeitis"), CodingEntry("2", "Fake inflammation", "10", "Fakeitis")]
    # when
    suggestions = suggest_terms("fake inflammation", entries, limit=1)
    # then
    assert [(s.pt_code, s.llt_code, s.is_exact) for s in suggestions] == [("10", "2", True)]
    assert suggest_terms("", entries) == []
