"""Using the loaded MedDRA release: suggestions from the release in use (else the demo terminology),
codes checked against the sender's MedDRA version on the case page, LLT -> PT roll-up for signals."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from django.test import Client
from django.utils import translation

from medreg.core.actor import Actor
from medreg.core.models import Role, User
from medreg.core.scoping import SYSTEM_SCOPE
from medreg.vigilance import meddra_selectors
from medreg.vigilance.models import Case, CaseDrug, CaseReaction, DrugRole
from medreg.vigilance.models.meddra import MeddraRelease
from medreg.vigilance.models.signal import SignalRun
from medreg.vigilance.services.meddra import activate_release, load_release_directory
from medreg.vigilance.signal_runs import export_case_rows
from tests import factories
from tests.vigilance.meddra_fakes import fake_files, next_version_files, write_release
from tests.vigilance.test_vigilance_views import store

SYSTEM = Actor.system()


def _load(root: Path, files: dict[str, list[str]], activate: bool = True) -> MeddraRelease:
    return load_release_directory(actor=SYSTEM, scope=SYSTEM_SCOPE, root=write_release(root, files), activate=activate)


def _chinese(version: str = "99.0") -> dict[str, list[str]]:
    files = fake_files(soc_name="虚构器官疾病", version=version)
    files["llt.asc"][1] = "90000021$虚构性炎症$90000011$$$$$$$Y$$"
    files["meddra_release.asc"] = [f"{version}$Chinese$$$$"]
    return files


def _suggested(text: str, language: str) -> list[tuple[str, str, str, bool]]:
    _, found = meddra_selectors.suggestions(text, language)
    return [(s.pt_code, s.pt_name, s.llt_name, s.is_exact) for s in found]


@pytest.mark.django_db
def test_suggestions_come_from_the_release_in_use_of_the_language_else_the_demo(tmp_path: Path) -> None:
    # given no release: the demo terminology
    assert meddra_selectors.terminology("en").label == "DEMO-1.0 (demo)"
    assert _suggested("nausea", "en") == [("DEMO-T008", "恶心 (Nausea)", "Nausea", True)]
    # when an English release is put in use
    _load(tmp_path / "en", fake_files())
    # then English suggestions come from it (current LLTs only), Chinese ones still from the demo
    assert meddra_selectors.terminology("en").label == "MedDRA 99.0 English"
    assert _suggested("fake inflammation", "en")[0] == ("90000011", "Fakeitis", "Fake inflammation", True)
    assert "Old fake inflammation" not in [name for *_, name, _ in _suggested("old fake inflammation", "en")]
    assert _suggested("nausea", "en") == []
    assert meddra_selectors.terminology("zh-hans").is_meddra is False
    # and a Chinese release serves the Chinese console
    _load(tmp_path / "zh", _chinese())
    assert _suggested("虚构性炎症", "zh-hans") == [("90000011", "Fakeitis", "虚构性炎症", True)]


@pytest.mark.django_db
def test_suggestions_follow_the_release_put_in_use(tmp_path: Path) -> None:
    _load(tmp_path / "a", fake_files())
    newer = _load(tmp_path / "b", next_version_files(), activate=False)
    assert _suggested("fake swelling", "en") == []
    activate_release(actor=SYSTEM, scope=SYSTEM_SCOPE, release_id=newer.pk)
    assert _suggested("fake swelling", "en")[0] == ("90000012", "Pretendosis", "Fake swelling", True)


def _reaction(sequence: int, code: str, version: str, term: str = "") -> SimpleNamespace:
    return SimpleNamespace(sequence=sequence, meddra_code=code, meddra_version=version, reported_term=term)


@pytest.mark.django_db
def test_codes_are_checked_against_the_version_the_sender_used(tmp_path: Path) -> None:
    # given 99.0 in English and Chinese, 99.1 in English
    _load(tmp_path / "en", fake_files())
    _load(tmp_path / "zh", _chinese())
    _load(tmp_path / "en1", next_version_files(), activate=False)
    reactions = [
        _reaction(1, "90000021", "99.0"),  # current LLT of 99.0: named in the console language, no warning
        _reaction(2, "90000021", "99.1"),  # non-current in 99.1
        _reaction(3, "90000023", "99.0"),  # only added in 99.1
        _reaction(4, "90000011", "98.0"),  # version not loaded
        _reaction(5, "90000011", ""),  # version missing
        _reaction(6, "", "", "头痛"),  # not coded
    ]
    # when (warnings in English here; the console shows them in its language)
    with translation.override("en"):
        notes = meddra_selectors.coding_notes(reactions, "zh-hans")
    # then
    assert {k: (n.term_name, n.level, n.warning) for k, n in notes.items()} == {
        1: ("虚构性炎症", "llt", ""),
        2: ("Fake inflammation", "llt", "LLT 90000021 is non-current in MedDRA 99.1; recode it to a current LLT."),
        3: ("", "", "Code 90000023 is not an LLT or PT of MedDRA 99.0 as loaded."),
        4: ("", "", "MedDRA 98.0 is not loaded; code 90000011 could not be checked."),
        5: ("", "", "Code 90000011 was sent without its MedDRA version (E.i.2.1a)."),
    }
    assert meddra_selectors.coding_notes(reactions, "en")[1].term_name == "Fake inflammation"


@pytest.fixture
def zhejiang_hospital(db: None) -> User:
    hospital = factories.make_enterprise("杭州市西湖医院", "330106", ("medical_institution",))
    return factories.make_user("hospital", Role.MEDICAL_INSTITUTION, None, hospital.uscc)


@pytest.mark.django_db
def test_the_case_page_shows_the_coded_term_its_warning_and_suggestions(
    tmp_path: Path, zhejiang_hospital: User, provincial_user: User
) -> None:
    # given a case with an uncoded reaction (恶心), and a Chinese release in use
    [case_id] = store(zhejiang_hospital)
    client = Client()
    client.force_login(provincial_user)
    page = client.get(f"/vigilance/cases/{case_id}/").content.decode()
    assert '<span data-testid="coding-suggestions">恶心 (Nausea) <code class="muted">DEMO-T008</code>' in page
    _load(tmp_path / "zh", _chinese())
    # when the reaction is coded with a non-current LLT of a loaded version, and another with an unknown one
    reaction = CaseReaction.objects.get(case_id=case_id)
    CaseReaction.objects.filter(pk=reaction.pk).update(meddra_code="90000022", meddra_version="99.0")
    CaseReaction.objects.create(
        case_id=case_id, sequence=2, reported_term="x", meddra_code="90000099", meddra_version="99.0"
    )
    page = client.get(f"/vigilance/cases/{case_id}/").content.decode()
    # then
    assert '<code>90000022</code> <span class="muted">MedDRA 99.0</span> Old fake inflammation' in page
    assert "LLT 90000022 在 MedDRA 99.0 中为非现行术语；请改用现行 LLT 编码。" in page
    assert "代码 90000099 不是已加载的 MedDRA 99.0 中的 LLT 或 PT。" in page


def _signal_detail(run: SignalRun) -> list[tuple[int, str, str]]:
    con = duckdb.connect()
    with tempfile.TemporaryDirectory() as folder:
        export_case_rows(con, run, Path(folder))
    rows = con.execute("SELECT id, var2, term FROM signal_detail ORDER BY id, var2").fetchall()
    con.close()
    return rows


@pytest.mark.django_db
def test_signal_screen_rolls_llts_up_to_their_pt_of_the_release_in_use(tmp_path: Path) -> None:
    # given five cases of one drug, coded at LLT level, PT level, with an unknown code and uncoded
    path = "/000000/330000/330100/330106/"
    cases = Case.objects.bulk_create([Case(worldwide_case_id=f"ROLL-{i}", jurisdiction_path=path) for i in range(5)])
    CaseDrug.objects.bulk_create(
        [CaseDrug(case=c, sequence=1, role=DrugRole.SUSPECT, name_as_reported="XUANFUZIN") for c in cases]
    )
    coded = [
        ("90000021", "fake inflammation"),
        ("90000011", "fakeitis"),
        ("90000012", ""),
        ("10000001", "other"),
        ("", "头痛"),
    ]
    CaseReaction.objects.bulk_create(
        [
            CaseReaction(case=c, sequence=1, meddra_code=code, reported_term=term)
            for c, (code, term) in zip(cases, coded, strict=True)
        ]
    )
    run = SignalRun.objects.create(
        jurisdiction_path="/000000/", jurisdiction_code="000000", run_date=dt.date(2026, 3, 1)
    )
    ids = [c.pk for c in cases]
    # when no release is in use: the codes as sent
    assert _signal_detail(run) == [
        (ids[0], "90000021", "fake inflammation"),
        (ids[1], "90000011", "fakeitis"),
        (ids[2], "90000012", "90000012"),
        (ids[3], "10000001", "other"),
        (ids[4], "头痛", "头痛"),
    ]
    # when an English release is in use: LLT 90000021 counts as its PT 90000011, labelled with PT names
    _load(tmp_path / "en", fake_files())
    assert [r.version for r in MeddraRelease.objects.filter(is_active=True)] == ["99.0"]
    assert _signal_detail(run) == [
        (ids[0], "90000011", "Fakeitis"),
        (ids[1], "90000011", "Fakeitis"),
        (ids[2], "90000012", "Pretendosis"),
        (ids[3], "10000001", "other"),
        (ids[4], "头痛", "头痛"),
    ]


@pytest.mark.django_db
def test_the_roll_up_prefers_the_default_language_then_the_newest_version(tmp_path: Path) -> None:
    assert meddra_selectors.rollup_release() is None
    english = _load(tmp_path / "en", next_version_files())
    assert meddra_selectors.rollup_release() == english
    chinese = _load(tmp_path / "zh", _chinese())
    assert meddra_selectors.rollup_release() == chinese  # the platform's default language is Chinese
    assert list(meddra_selectors.llt_rollup_rows()) == [
        ("90000011", "90000011", "Fakeitis"),
        ("90000012", "90000012", "Pretendosis"),
        ("90000021", "90000011", "Fakeitis"),
        ("90000022", "90000011", "Fakeitis"),
    ]
