"""Signal detection: agreement with FDA openEBGM 0.9.1 on caers, hand-computed 2x2 cases, CLI."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import duckdb
import pytest

from medreg.cli import main
from medreg.vigilance.signals import CSV_COLUMNS, compute_signals
from medreg.vigilance.signals.sql import counts_query
from tests.shared import DATA

CAERS = DATA / "caers" / "caers.csv"
REFERENCE = {"alpha1": 3.250918, "beta1": 0.399716, "alpha2": 2.025804, "beta2": 1.908050, "P": 0.0653906}


def _sig3(x: float) -> float:
    """Round to three significant digits."""
    return float(f"{x:.3g}")


@pytest.fixture(scope="module")
def caers() -> tuple[duckdb.DuckDBPyConnection, object]:
    """caers read in place, signals computed once for the module."""
    con = duckdb.connect()
    con.execute(f"CREATE VIEW caers AS SELECT id, var1, var2, strat1 FROM read_csv('{CAERS}')")
    return con, compute_signals(con, "caers", None)


def test_caers_hyperparameters_agree_with_openebgm(caers) -> None:
    _, result = caers
    h = result.hyperparameters
    for name, ref in REFERENCE.items():
        assert _sig3(getattr(h, name)) == _sig3(ref), name
    assert round(h.neg_log_likelihood, 3) == 4162.496
    assert h.converged
    assert h.num_close >= 1


def test_caers_squashed_points_and_pairs(caers) -> None:
    _, result = caers
    assert result.hyperparameters.squashed_points == 1568
    assert result.n_pairs == 17189


def test_caers_published_pair(caers) -> None:
    con, result = caers
    row = con.execute(
        f"SELECT N, EBGM, EB05, EB95 FROM {result.table} "
        "WHERE var1 = 'REUMOFAN PLUS' AND var2 = 'WEIGHT INCREASED'"
    ).fetchone()
    assert row == (16, 23.26, 15.68, 33.48)


def test_caers_signal_counts(caers) -> None:
    con, result = caers
    got = con.execute(
        f"SELECT count(*) FILTER (EB05 >= 2), count(*) FILTER (EBGM > 3) FROM {result.table}"
    ).fetchone()
    assert got == (131, 556)


def test_caers_stratified_pairs_and_points(caers) -> None:
    con, _ = caers
    result = compute_signals(con, "caers", ["strat1"], table="stratified")
    assert result.n_pairs == 17189
    assert result.hyperparameters.squashed_points == 1568


def _measures(rows: list[tuple[int, str, str]]) -> dict[tuple[str, str], tuple]:
    """All measures of a tiny data set keyed by pair."""
    con = duckdb.connect()
    con.execute("CREATE TABLE r (id INTEGER, var1 VARCHAR, var2 VARCHAR)")
    con.executemany("INSERT INTO r VALUES (?, ?, ?)", rows)
    cols = "var1, var2, N, E, PRR, PRR_chi2, ROR, ROR_lower, ROR_upper, IC, IC025"
    return {(r[0], r[1]): r[2:] for r in con.execute(f"SELECT {cols} FROM ({counts_query('r', None)})").fetchall()}


def _table(a: int, b: int, c: int, d: int) -> list[tuple[int, str, str]]:
    """Reports realising the 2x2 table (drug D, event X): a D&X, b D&Y, c O&X, d O&Y."""
    kinds = [("D", "X")] * a + [("D", "Y")] * b + [("O", "X")] * c + [("O", "Y")] * d
    return [(i, v1, v2) for i, (v1, v2) in enumerate(kinds)]


def test_hand_computed_2x2() -> None:
    # a=4, b=6, c=10, d=80, n=100: E = 10*14/100 = 1.4
    n, e, prr, chi2, ror, lo, hi, ic, ic025 = _measures(_table(4, 6, 10, 80))[("D", "X")]
    assert (n, e) == (4, pytest.approx(1.4))
    assert prr == pytest.approx((4 / 10) / (10 / 90))  # 3.6
    assert ror == pytest.approx(4 * 80 / (6 * 10))  # 5.3333
    se = math.sqrt(1 / 4 + 1 / 6 + 1 / 10 + 1 / 80)
    assert lo == pytest.approx(math.exp(math.log(16 / 3) - 1.959963984540054 * se))
    assert hi == pytest.approx(math.exp(math.log(16 / 3) + 1.959963984540054 * se))
    assert round(lo, 4) == 1.2817
    assert round(hi, 4) == 22.1919
    assert round(chi2, 4) == 4.0698  # Yates: 100 (|320 - 60| - 50)^2 / (10 * 90 * 14 * 86)
    assert round(ic, 4) == 1.2439  # log2(4.5 / 1.9)
    assert round(ic025, 4) == -0.5212  # IC - 3.3 / sqrt(4.5) - 2 / 4.5^1.5
    assert round(prr, 4) == 3.6
    assert round(ror, 4) == 5.3333


def test_infinite_and_undefined_rules() -> None:
    # c = 0: every report of X names D -> PRR and ROR infinite, CI undefined
    _, _, prr, _, ror, lo, hi, _, _ = _measures(_table(3, 2, 0, 5))[("D", "X")]
    assert math.isinf(prr)
    assert math.isinf(ror)
    assert math.isnan(lo)
    assert math.isnan(hi)


def test_cli_writes_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "signals.csv"
    assert main(["signals", "compute", "--from-csv", str(CAERS), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "alpha1 3.2509" in printed
    assert "squashed_points 1568" in printed
    with out.open(newline="") as fh:
        reader = csv.reader(fh)
        assert tuple(next(reader)) == CSV_COLUMNS
        rows = {(r[0], r[1]): r for r in reader}
    assert len(rows) == 17189
    row = rows[("REUMOFAN PLUS", "WEIGHT INCREASED")]
    assert row[2] == "16"
    assert row[10:] == ["23.26", "15.68", "33.48"]


def test_stratified_expected_count_by_hand() -> None:
    # M: 1 (D,X), 2 (D,Y), 3 (O,X) -> E_M = 2*2/3; F: 4 (D,X), 5-6 (O,Y) -> E_F = 1*1/3
    con = duckdb.connect()
    con.execute("CREATE TABLE r (id INTEGER, var1 VARCHAR, var2 VARCHAR, sex VARCHAR)")
    con.executemany("INSERT INTO r VALUES (?, ?, ?, ?)", [
        (1, "D", "X", "M"), (2, "D", "Y", "M"), (3, "O", "X", "M"),
        (4, "D", "X", "F"), (5, "O", "Y", "F"), (6, "O", "Y", "F"),
    ])
    strat = con.execute(f"SELECT N, E FROM ({counts_query('r', ['sex'])}) WHERE var1 = 'D' AND var2 = 'X'")
    assert strat.fetchone() == (2, pytest.approx(5 / 3))
    plain = con.execute(f"SELECT N, E FROM ({counts_query('r', None)}) WHERE var1 = 'D' AND var2 = 'X'")
    assert plain.fetchone() == (2, pytest.approx(1.5))  # 3 * 3 / 6


def test_rows_without_a_report_id_count_nowhere() -> None:
    # given a row with no report id naming D and Y
    got = _measures([(1, "D", "X"), (None, "D", "Y"), (2, "O", "X")])  # type: ignore[list-item]
    # then it forms no pair and counts in no margin: E(D, X) = 1 * 2 / 2
    assert sorted(got) == [("D", "X"), ("O", "X")]
    assert got[("D", "X")][:2] == (1, 1.0)
