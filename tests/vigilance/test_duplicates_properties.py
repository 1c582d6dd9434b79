"""Properties of pair scoring (hypothesis) and the merge plan."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medreg.vigilance.duplicates import FIELDS, CaseSummary, LinkageModel, merge_plan, score_pair

MODEL = LinkageModel(
    weights={
        "sex": (1.0, -6.5),
        "age": (4.3, -1.0, -7.0),
        "birth_date": (7.5, -5.6),
        "initials": (6.5, 3.3, -7.0),
        "reporter": (1.2, -0.4),
        "jurisdiction": (0.7, -3.2),
        "onset_date": (4.5, 0.3, -3.4, -4.8),
        "receive_date": (0.2, -0.8, -0.8),
        "drugs": (0.4, 0.4, -3.7, -3.7),
        "reactions": (0.2, 0.2, -1.2, -1.2),
        "narrative": (1.4, -1.5, -1.5, -1.5),
    },
    threshold=5.0,
)
_optional_text = st.none() | st.sampled_from(["ZW", "ZWL", "CHX", "LY"])
_dates = st.none() | st.dates(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
_terms = st.frozensets(st.sampled_from(["rash", "nausea", "vomiting", "pruritus", "dizziness"]), max_size=3)
cases = st.builds(
    CaseSummary,
    case_id=st.text("ABC123", min_size=1, max_size=4),
    sex=st.none() | st.sampled_from(["M", "F"]),
    age_years=st.none() | st.integers(0, 100).map(float),
    birth_date_pseudonym=_optional_text,
    initials_pseudonym=_optional_text,
    reporter_pseudonym=_optional_text,
    jurisdiction=st.none() | st.sampled_from(["330000", "320000"]),
    onset_date=_dates,
    receive_date=_dates,
    suspect_drugs=st.frozensets(st.sampled_from(["aspirin", "warfarin", "heparin"]), max_size=2),
    reactions=_terms,
    narrative=st.text("患者皮疹 rash和恶心", max_size=30),
)


@settings(max_examples=150, deadline=None)
@given(cases, cases)
def test_score_is_symmetric(a: CaseSummary, b: CaseSummary) -> None:
    assert score_pair(a, b, MODEL).score == pytest.approx(score_pair(b, a, MODEL).score, abs=1e-9)
    assert score_pair(a, b, MODEL).contributions == score_pair(b, a, MODEL).contributions


@settings(max_examples=150, deadline=None)
@given(cases, cases)
def test_a_record_against_itself_scores_the_maximum(a: CaseSummary, b: CaseSummary) -> None:
    assert score_pair(a, a, MODEL).score >= score_pair(a, b, MODEL).score


def test_self_score_is_the_sum_of_the_strongest_weights_of_present_fields() -> None:
    # given a record with every field present
    case = CaseSummary(
        "A",
        "F",
        30.0,
        "b",
        "ZW",
        "r",
        "330000",
        dt.date(2024, 1, 2),
        dt.date(2024, 1, 9),
        frozenset({"aspirin"}),
        frozenset({"rash"}),
        "皮疹",
    )
    # when
    pair = score_pair(case, case, MODEL)
    # then
    assert pair.contributions == {name: MODEL.weights[name][0] for name in FIELDS}


def test_merge_plan_keeps_both_reports() -> None:
    # given
    master = CaseSummary(
        "M-1",
        "F",
        45.0,
        None,
        "ZWL",
        "r-1",
        "330000",
        dt.date(2025, 3, 2),
        dt.date(2025, 3, 10),
        frozenset({"ceftriaxone", "aspirin"}),
        frozenset({"rash"}),
        "医院报告",
    )
    duplicate = CaseSummary(
        "D-2",
        "F",
        44.0,
        "b-9",
        "ZWL",
        "r-2",
        None,
        dt.date(2025, 3, 2),
        dt.date(2025, 3, 1),
        frozenset({"ceftriaxone"}),
        frozenset({"rash", "pruritus"}),
        "企业报告",
    )
    # when
    plan = merge_plan(master, duplicate)
    # then
    assert plan.linked_report_ids == ("M-1", "D-2")
    assert plan.suspect_drugs == {"aspirin": ("M-1",), "ceftriaxone": ("M-1", "D-2")}
    assert plan.reactions == {"pruritus": ("D-2",), "rash": ("M-1", "D-2")}
    assert plan.narratives == (("M-1", "医院报告"), ("D-2", "企业报告"))
    assert plan.first_receive_date == dt.date(2025, 3, 1)
    decisions = {d.field_name: (d.value, d.source_case_id) for d in plan.fields}
    assert decisions["birth_date_pseudonym"] == ("b-9", "D-2")
    assert decisions["jurisdiction"] == ("330000", "M-1")
    assert [(c.field_name, c.value, c.conflicting_value) for c in plan.conflicts] == [
        ("age_years", 45.0, 44.0),
        ("reporter_pseudonym", "r-1", "r-2"),
    ]


def test_merge_plan_refuses_a_case_merged_into_itself() -> None:
    case = CaseSummary("M-1")
    with pytest.raises(ValueError, match="cannot merge case M-1 into itself"):
        merge_plan(case, case)
