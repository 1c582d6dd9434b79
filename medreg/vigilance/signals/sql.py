"""Set-based DuckDB SQL for the counts and frequentist disproportionality measures.

One query computes, for every (var1, var2) pair with at least one report:

* ``N``  distinct report ids naming both; ``n_var1``/``n_var2`` distinct ids naming
  var1/var2; ``n_total`` distinct ids overall (the 2x2 table is a = N, b = n_var1 - N,
  c = n_var2 - N, d = n_total - n_var1 - n_var2 + N);
* ``E``  = n_var1 * n_var2 / n_total, or with strata the same per stratum summed over the strata in
  which both var1 and var2 occur (openEBGM ``processRaw``);
* ``PRR`` = (a/(a+b)) / (c/(c+d)), +inf when c = 0;
  ``PRR_chi2`` the Yates-corrected 2x2 chi-square (Evans et al. 2001);
* ``ROR`` = ad/bc with the log-normal 95% CI exp(ln ROR +- 1.96 sqrt(1/a+1/b+1/c+1/d));
  ROR is +inf when bc = 0 < d, NaN when bc = d = 0; the CI is NaN when any cell is 0;
* ``IC`` = log2((N+0.5)/(E+0.5)) and ``IC025`` = IC - 3.3 (N+0.5)^-1/2 - 2 (N+0.5)^-3/2
  (Noren, Hopstadius & Bate 2013 closed-form approximation of the 2.5% quantile of
  log2 Gamma(N+0.5, rate E+0.5)).
"""

from __future__ import annotations

Z95 = 1.959963984540054


def quote_ident(name: str) -> str:
    """Quote a SQL identifier for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def _stratum_columns(strata: list[str] | None) -> list[str]:
    """Stratum columns, renamed s0..sk so that joins can use USING."""
    return [f"s{i}" for i in range(len(strata or []))]


def _source_cte(source_relation: str, strata: list[str] | None) -> str:
    """The input rows with strata cast to text (NULL kept as its own stratum)."""
    cols = ["id", "var1", "var2"]
    for alias, name in zip(_stratum_columns(strata), strata or [], strict=True):
        cols.append(f"coalesce(CAST({quote_ident(name)} AS VARCHAR), '\x00NA') AS {alias}")
    return f"src AS (SELECT {', '.join(cols)} FROM {source_relation})"  # noqa: S608 - trusted relation name


def _expected_ctes(strata: list[str]) -> str:
    """CTEs ending in ``ex(var1, var2, E)``: E per stratum summed over the strata."""
    s = ", ".join(_stratum_columns(strata))
    return (  # only generated aliases s0..sk are interpolated
        f"m1s AS (SELECT var1, {s}, count(DISTINCT id) AS n1s FROM src GROUP BY ALL), "  # noqa: S608
        f"m2s AS (SELECT var2, {s}, count(DISTINCT id) AS n2s FROM src GROUP BY ALL), "
        f"ts AS (SELECT {s}, count(DISTINCT id) AS ns FROM src GROUP BY ALL), "
        "ps AS (SELECT p.var1, p.var2, m1s.* EXCLUDE (var1) FROM pair p "
        "JOIN m1s USING (var1)), "
        f"ex AS (SELECT var1, var2, sum(n1s * n2s / ns) AS E FROM ps "
        f"JOIN m2s USING (var2, {s}) JOIN ts USING ({s}) GROUP BY var1, var2)"
    )


def _coded_count_ctes(source_relation: str) -> str:
    """Unstratified counting CTEs on integer codes, ending in ``cnt``.

    var1 and var2 are numbered once (two small dictionaries); the rows are then deduplicated
    as (id, code1, code2) and every count runs on integers.  Measured on the 6 M-row benchmark
    this halves DuckDB's peak memory (415 vs 778 MB) and is a little faster than counting on
    the names.  Rows without an id are ignored (they add nothing to any distinct-id count).
    """
    src = source_relation
    return ", ".join([  # the source relation name is trusted, as documented
        f"d1 AS (SELECT var1, CAST(row_number() OVER () AS INTEGER) AS c1 "  # noqa: S608
        f"FROM (SELECT DISTINCT var1 FROM {src} WHERE var1 IS NOT NULL))",
        f"d2 AS (SELECT var2, CAST(row_number() OVER () AS INTEGER) AS c2 "  # noqa: S608
        f"FROM (SELECT DISTINCT var2 FROM {src} WHERE var2 IS NOT NULL))",
        f"coded AS (SELECT DISTINCT id, c1, c2 FROM {src} LEFT JOIN d1 USING (var1) "  # noqa: S608
        "LEFT JOIN d2 USING (var2) WHERE id IS NOT NULL)",
        "pair AS (SELECT c1, c2, count(*) AS N FROM coded "
        "WHERE c1 IS NOT NULL AND c2 IS NOT NULL GROUP BY c1, c2)",
        "m1 AS (SELECT c1, var1, n_var1 FROM (SELECT c1, count(*) AS n_var1 FROM "
        "(SELECT DISTINCT c1, id FROM coded WHERE c1 IS NOT NULL) GROUP BY c1) JOIN d1 USING (c1))",
        "m2 AS (SELECT c2, var2, n_var2 FROM (SELECT c2, count(*) AS n_var2 FROM "
        "(SELECT DISTINCT c2, id FROM coded WHERE c2 IS NOT NULL) GROUP BY c2) JOIN d2 USING (c2))",
        "tot AS (SELECT count(DISTINCT id) AS n_total FROM coded)",
        f"cnt AS (SELECT var1, var2, N, n_var1 * n_var2 / n_total AS E, {_CELLS} "  # noqa: S608
        "FROM pair JOIN m1 USING (c1) JOIN m2 USING (c2) CROSS JOIN tot)",
    ])


def _count_ctes(source_relation: str, strata: list[str] | None) -> str:
    """All counting CTEs, ending in ``cnt`` with the counts and 2x2 cells per pair."""
    if not strata:
        return _coded_count_ctes(source_relation)
    return ", ".join(  # E summed over strata, joined back by pair
        [
            _source_cte(source_relation, strata),
            "pair AS (SELECT var1, var2, count(DISTINCT id) AS N FROM src GROUP BY var1, var2)",
            "m1 AS (SELECT var1, count(DISTINCT id) AS n_var1 FROM src GROUP BY var1)",
            "m2 AS (SELECT var2, count(DISTINCT id) AS n_var2 FROM src GROUP BY var2)",
            "tot AS (SELECT count(DISTINCT id) AS n_total FROM src)",
            _expected_ctes(strata),
            f"cnt AS (SELECT var1, var2, N, E, {_CELLS} "  # noqa: S608
            "FROM pair JOIN m1 USING (var1) JOIN m2 USING (var2) JOIN ex USING (var1, var2) CROSS JOIN tot)",
        ]
    )


_CELLS = (
    "n_var1, n_var2, n_total, CAST(N AS DOUBLE) AS a, CAST(n_var1 - N AS DOUBLE) AS b, "
    "CAST(n_var2 - N AS DOUBLE) AS c, CAST(n_total - n_var1 - n_var2 + N AS DOUBLE) AS d"
)


_MEASURES = f"""
    CASE WHEN c = 0 THEN 'inf'::DOUBLE ELSE (a / (a + b)) / (c / (c + d)) END AS PRR,
    n_total * pow(greatest(abs(a * d - b * c) - n_total / 2.0, 0), 2)
        / nullif((a + b) * (c + d) * (a + c) * (b + d), 0) AS PRR_chi2,
    CASE WHEN b * c > 0 THEN (a * d) / (b * c)
         WHEN d > 0 THEN 'inf'::DOUBLE ELSE 'nan'::DOUBLE END AS ROR,
    CASE WHEN b * c * d > 0
         THEN exp(ln(a * d / (b * c)) - {Z95} * sqrt(1 / a + 1 / b + 1 / c + 1 / d))
         ELSE 'nan'::DOUBLE END AS ROR_lower,
    CASE WHEN b * c * d > 0
         THEN exp(ln(a * d / (b * c)) + {Z95} * sqrt(1 / a + 1 / b + 1 / c + 1 / d))
         ELSE 'nan'::DOUBLE END AS ROR_upper,
    log2((N + 0.5) / (E + 0.5)) AS IC,
    log2((N + 0.5) / (E + 0.5)) - 3.3 * pow(N + 0.5, -0.5) - 2 * pow(N + 0.5, -1.5) AS IC025
"""


def counts_query(source_relation: str, strata: list[str] | None) -> str:
    """The single SELECT giving counts and frequentist measures for every pair."""
    return (  # the source relation name is trusted, as documented
        f"WITH {_count_ctes(source_relation, strata)} "  # noqa: S608
        f"SELECT var1, var2, N, E, n_var1, n_var2, n_total, {_MEASURES} FROM cnt"
    )
