"""Property tests: count invariants, finite/infinite rules, row-order invariance, posterior quantiles."""

from __future__ import annotations

import math

import duckdb
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gammainc, gammaincinv

from medreg.vigilance.signals.posterior import posterior_q, posterior_quantile
from medreg.vigilance.signals.sql import counts_query

Row = tuple[int, str, str]
rows_strategy = st.lists(
    st.tuples(st.integers(0, 30), st.sampled_from("ABCD"), st.sampled_from("wxyz")), min_size=1, max_size=60
)


def _pairs(rows: list[Row]) -> list[tuple]:
    """Counts and measures per pair, sorted by pair."""
    con = duckdb.connect()
    con.execute("CREATE TABLE r (id INTEGER, var1 VARCHAR, var2 VARCHAR)")
    con.executemany("INSERT INTO r VALUES (?, ?, ?)", rows)
    q = counts_query("r", None)
    return con.execute(f"SELECT var1, var2, N, E, n_var1, n_var2, n_total, PRR, ROR, ROR_lower, "
                       f"IC, IC025 FROM ({q}) ORDER BY var1, var2").fetchall()


def _comparable(pairs: list[tuple]) -> list[tuple]:
    """NaN-free copy of the rows (NaN != NaN would fail equality)."""
    return [tuple("nan" if isinstance(v, float) and math.isnan(v) else v for v in r) for r in pairs]


@settings(max_examples=60, deadline=None)
@given(rows_strategy)
def test_counts_are_distinct_reports(rows: list[Row]) -> None:
    """N is the number of distinct reports per pair; the margins bound it."""
    expect = {(v1, v2): len({i for i, a, b in rows if (a, b) == (v1, v2)}) for _, v1, v2 in rows}
    got = _pairs(rows)
    assert {(r[0], r[1]): r[2] for r in got} == expect
    for _, _, n, e, n1, n2, nt, *_ in got:
        assert 1 <= n <= min(n1, n2)
        assert max(n1, n2) <= nt
        assert math.isclose(e, n1 * n2 / nt)


@settings(max_examples=60, deadline=None)
@given(rows_strategy)
def test_expected_sums_match_margins(rows: list[Row]) -> None:
    """Summed over var2, sum E = n_var1 * (sum of n_var2 over the var2 it meets) / n_total."""
    got = _pairs(rows)
    for v1 in {r[0] for r in got}:
        mine = [r for r in got if r[0] == v1]
        n1, nt = mine[0][4], mine[0][6]
        assert math.isclose(sum(r[3] for r in mine), n1 * sum(r[5] for r in mine) / nt)


@settings(max_examples=60, deadline=None)
@given(rows_strategy)
def test_finite_infinite_rules(rows: list[Row]) -> None:
    """PRR infinite iff no report of var2 lacks var1; ROR CI finite iff all cells > 0."""
    for _, _, n, e, n1, n2, nt, prr, ror, lo, ic, ic025 in _pairs(rows):
        b, c, d = n1 - n, n2 - n, nt - n1 - n2 + n
        assert math.isinf(prr) == (c == 0)
        assert (b * c * d > 0) == math.isfinite(lo)
        assert math.isinf(ror) == (b * c == 0 and d > 0)
        assert math.isfinite(ic)
        assert ic025 < ic
        assert e > 0


@settings(max_examples=40, deadline=None)
@given(rows_strategy, st.randoms(use_true_random=False))
def test_row_order_and_duplicates_do_not_matter(rows: list[Row], rnd) -> None:
    """Permuting rows, or repeating a row, leaves every measure unchanged."""
    shuffled = rows + rows[:1]
    rnd.shuffle(shuffled)
    assert _comparable(_pairs(shuffled)) == _comparable(_pairs(rows))


positive = st.floats(0.01, 50.0)


@settings(max_examples=60, deadline=None)
@given(positive, positive, positive, positive, st.floats(0.001, 0.999), st.sampled_from([0.05, 0.95]),
       st.lists(st.tuples(st.integers(1, 5000), st.floats(1e-4, 1e4)), min_size=1, max_size=30))
def test_posterior_quantile_solves_the_mixture_cdf(a1, b1, a2, b2, p, prob, pairs) -> None:
    """The quantile hits the target CDF and lies between the two component quantiles."""
    theta = np.array([a1, b1, a2, b2, p])
    n, e = np.array([float(x) for x, _ in pairs]), np.array([y for _, y in pairs])
    q = posterior_q(theta, n, e)
    x = posterior_quantile(prob, theta, n, e, q)
    cdf = q * gammainc(a1 + n, (b1 + e) * x) + (1 - q) * gammainc(a2 + n, (b2 + e) * x)
    assert np.all(np.abs(cdf - prob) <= 1e-9)
    x1, x2 = gammaincinv(a1 + n, prob) / (b1 + e), gammaincinv(a2 + n, prob) / (b2 + e)
    assert np.all(x >= np.minimum(x1, x2) * (1 - 1e-9))
    assert np.all(x <= np.maximum(x1, x2) * (1 + 1e-9))
