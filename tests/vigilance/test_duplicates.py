"""Duplicate detection: hand-made pairs, the synthetic generator, blocking, measured precision and recall."""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pytest

from medreg.vigilance.duplicates import (
    FIELDS,
    CaseSummary,
    LinkageModel,
    block_keys,
    candidate_pairs,
    find_duplicates,
    fit_model,
    generate_set,
    precision_recall,
    precision_recall_table,
    score_labeled,
    score_pair,
)
from medreg.vigilance.duplicates.blocking import DEFAULT_WINDOW_DAYS


@functools.cache
def small_model() -> LinkageModel:
    """Weights fitted on a small training set (seed 1): the same figures on every run."""
    return fit_model(generate_set(2_000, 100, seed=1))


def _case(case_id: str, **changes: object) -> CaseSummary:
    base = CaseSummary(
        case_id=case_id,
        sex="F",
        age_years=45.0,
        birth_date_pseudonym="b-77",
        initials_pseudonym="ZWL",
        reporter_pseudonym="r-1",
        jurisdiction="330000",
        onset_date=dt.date(2025, 3, 2),
        receive_date=dt.date(2025, 3, 10),
        suspect_drugs=frozenset({"ceftriaxone"}),
        reactions=frozenset({"rash", "pruritus"}),
        narrative="患者女，45岁，因肺炎使用ceftriaxone，用药后2天出现rash、pruritus，予停药后好转。",
    )
    return CaseSummary(**{**{f: getattr(base, f) for f in base.__slots__}, "case_id": case_id, **changes})


def test_obvious_duplicate_scores_above_threshold() -> None:
    # given the same event reported by a hospital and by the marketing authorization holder
    hospital = _case("H-1")
    company = _case(
        "C-9",
        age_years=45.0,
        initials_pseudonym="ZWI",
        reporter_pseudonym="r-2",
        receive_date=dt.date(2025, 4, 1),
        birth_date_pseudonym=None,
        narrative="45岁女性患者使用ceftriaxone治疗肺炎，第2天发生rash、pruritus。处理：停药。转归：好转。",
    )
    # when
    pair = score_pair(hospital, company, small_model())
    # then
    assert pair.score >= small_model().threshold
    assert pair.contributions["birth_date"] == 0.0  # missing on one side: no evidence either way
    assert pair.contributions["initials"] == small_model().weights["initials"][1]  # one typo: "similar"


def test_same_drug_and_reaction_different_patient_scores_below_threshold() -> None:
    # given another patient of the same hospital with the same drug and reactions in the same week
    first = _case("H-1")
    other = _case(
        "H-2",
        sex="M",
        age_years=71.0,
        birth_date_pseudonym="b-12",
        initials_pseudonym="CHX",
        onset_date=dt.date(2025, 3, 5),
        narrative="患者男，71岁，因肺炎使用ceftriaxone，用药后5天出现rash、pruritus，予停药后好转。",
    )
    # when
    pair = score_pair(first, other, small_model())
    # then
    assert pair.score < small_model().threshold
    assert pair.contributions["sex"] == small_model().weights["sex"][1]


def test_find_duplicates_returns_the_hand_made_duplicate_only() -> None:
    # given a duplicate pair and a look-alike different patient
    cases = [
        _case("H-1"),
        _case("C-9", reporter_pseudonym="r-2", receive_date=dt.date(2025, 3, 30)),
        _case("H-2", sex="M", age_years=71.0, birth_date_pseudonym="b-12", initials_pseudonym="CHX"),
    ]
    # when
    found = find_duplicates(cases, small_model())
    # then
    assert [(p.case_a, p.case_b) for p in found] == [("H-1", "C-9")]
    assert set(found[0].contributions) == set(FIELDS)
    assert found[0].score == pytest.approx(sum(found[0].contributions.values()), abs=1e-3)


def test_generator_is_deterministic() -> None:
    # when
    first, again, other = generate_set(600, 30, seed=7), generate_set(600, 30, seed=7), generate_set(600, 30, seed=8)
    # then
    assert first == again
    assert first.cases != other.cases
    assert (len(first.cases), len(first.duplicate_pairs)) == (600, 30)
    assert all(a < b for a, b in first.duplicate_pairs)


def test_blocking_keeps_every_labeled_duplicate_sharing_a_block_key() -> None:
    # given
    labeled = generate_set(2_000, 100, seed=2)
    left, right = candidate_pairs(labeled.cases)
    candidates = set(zip(left.tolist(), right.tolist(), strict=True))
    # when
    sharing = {
        (a, b)
        for a, b in labeled.duplicate_pairs
        if block_keys(labeled.cases[a]) & block_keys(labeled.cases[b])
        and _receive_gap(labeled.cases[a], labeled.cases[b]) <= DEFAULT_WINDOW_DAYS
    }
    # then
    assert sharing <= candidates
    assert len(sharing) == 99
    assert len(candidates) < 2_000 * 1_999 // 2 // 10  # blocking compares far fewer than all pairs


def _receive_gap(a: CaseSummary, b: CaseSummary) -> int:
    assert a.receive_date
    assert b.receive_date
    return abs((a.receive_date - b.receive_date).days)


def test_precision_and_recall_on_the_small_generated_set() -> None:
    # given weights fitted on seed 1, measured on seed 2
    scored = score_labeled(small_model(), generate_set(2_000, 100, seed=2))
    # when
    result = precision_recall(scored, small_model().threshold)
    # then
    assert (round(result.precision, 2), round(result.recall, 2)) == (0.88, 0.87)
    assert (result.flagged, result.true_positives) == (99, 87)


def test_precision_recall_table_trades_precision_for_recall() -> None:
    # given
    scored = score_labeled(small_model(), generate_set(2_000, 100, seed=2))
    # when
    table = precision_recall_table(scored, [0.0, 5.0, 10.0])
    # then
    recalls = [row.recall for row in table]
    assert recalls == sorted(recalls, reverse=True)
    assert table[-1].precision >= table[0].precision


def test_weights_are_monotone_with_agreement_strongest() -> None:
    # when
    weights = small_model().weights
    # then
    for name in FIELDS:
        assert list(weights[name]) == sorted(weights[name], reverse=True)
    assert np.isfinite(small_model().threshold)
