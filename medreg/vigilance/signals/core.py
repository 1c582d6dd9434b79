"""Disproportionality signal detection over a DuckDB relation: counts, PRR, ROR, IC, MGPS."""

from __future__ import annotations

import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np

from .posterior import ebgm, openebgm_grid, posterior_q, posterior_quantile
from .prior import FloatArray, Hyperparameters, fit_prior, squash
from .sql import counts_query, quote_ident

#: Columns of the CSV written by :func:`compute_signals_from_csv` (and the CLI).
CSV_COLUMNS = ("var1", "var2", "N", "E", "PRR", "ROR", "ROR_lower", "ROR_upper",
               "IC", "IC025", "EBGM", "EB05", "EB95")
#: DuckDB memory limit of :func:`compute_signals_from_csv` (it spills to disk beyond it).
CSV_MEMORY_LIMIT = "1GB"


@dataclass(frozen=True)
class SignalResult:
    """Where the per-pair measures are, with the fitted MGPS prior.

    ``seconds`` gives the wall time of each stage: counts (the SQL), distinct (N, E) values,
    squash, prior (the fit), posterior (EBGM and quantiles) and join (scores onto the pairs).
    ``table`` is a DuckDB temporary table on the connection with one row per
    (var1, var2) pair: N, E, n_var1, n_var2, n_total, PRR, PRR_chi2, ROR, ROR_lower,
    ROR_upper, IC, IC025, EBGM, EB05, EB95.
    """

    table: str
    hyperparameters: Hyperparameters
    n_pairs: int
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class EBScores:
    """EBGM, EB05 and EB95 for distinct (N, E) values."""

    N: FloatArray
    E: FloatArray
    EBGM: FloatArray
    EB05: FloatArray
    EB95: FloatArray


def eb_scores(hyper: Hyperparameters, n: FloatArray, e: FloatArray, openebgm: bool = True) -> EBScores:
    """Posterior EBGM and 5%/95% quantiles; openEBGM's two-decimal values if ``openebgm``."""
    theta = hyper.theta()
    q = posterior_q(theta, n, e)
    gm = ebgm(theta, n, e, q)
    with ThreadPoolExecutor(max_workers=2) as pool:  # scipy ufuncs release the GIL
        q05, q95 = pool.map(lambda p: posterior_quantile(p, theta, n, e, q), (0.05, 0.95))
    if openebgm:
        return EBScores(n, e, np.round(gm, 2), openebgm_grid(q05), openebgm_grid(q95))
    return EBScores(n, e, gm, q05, q95)


def _distinct_counts(con: duckdb.DuckDBPyConnection, table: str) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """Distinct (N, E) values of the pair table with how many pairs share each."""
    query = f"SELECT N, E, count(*) AS k FROM {table} GROUP BY N, E ORDER BY N, E"  # noqa: S608
    got = con.execute(query).fetchnumpy()
    return got["N"].astype(np.float64), got["E"].astype(np.float64), got["k"].astype(np.int64)


def _attach_scores(con: duckdb.DuckDBPyConnection, counts: str, table: str, s: EBScores) -> None:
    """Join the EB scores back onto the pair table by (N, E)."""
    view = f"eb_{uuid.uuid4().hex[:12]}"
    con.register(view, {"N": s.N.astype(np.int64), "E": s.E, "EBGM": s.EBGM, "EB05": s.EB05, "EB95": s.EB95})
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT c.*, eb.EBGM, eb.EB05, eb.EB95 "  # noqa: S608
        f"FROM {counts} c JOIN {view} eb USING (N, E)"
    )
    con.unregister(view)
    con.execute(f"DROP TABLE {counts}")


def compute_signals(
    con: duckdb.DuckDBPyConnection,
    source_relation: str,
    strata: list[str] | None = None,
    *,
    table: str = "signal_pairs",
    openebgm: bool = True,
) -> SignalResult:
    """All disproportionality measures for a relation with columns id, var1, var2[, strata].

    Counts and PRR/ROR/IC come from one set-based DuckDB query; the MGPS prior is fitted
    on the squashed (N, E) points and EBGM/EB05/EB95 computed once per distinct (N, E).
    """
    counts = f"{table}_counts_{uuid.uuid4().hex[:8]}"
    clock = _Clock()
    con.execute(f"CREATE TEMP TABLE {counts} AS {counts_query(source_relation, strata)}")
    clock.lap("counts")
    n_u, e_u, k = _distinct_counts(con, counts)
    clock.lap("distinct")
    squashed = squash(np.repeat(n_u, k), np.repeat(e_u, k))
    clock.lap("squash")
    hyper = fit_prior(squashed)
    clock.lap("prior")
    scores = eb_scores(hyper, n_u, e_u, openebgm)
    clock.lap("posterior")
    _attach_scores(con, counts, quote_ident(table), scores)
    clock.lap("join")
    return SignalResult(table, hyper, int(k.sum()), clock.seconds)


class _Clock:
    """Wall time of consecutive stages."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        """Close ``stage`` now."""
        now = time.perf_counter()
        self.seconds[stage], self._last = now - self._last, now


def _sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def compute_signals_from_csv(path_in: str | Path, path_out: str | Path,
                             strata: list[str] | None = None) -> Hyperparameters:
    """Read id,var1,var2[,strata] from CSV, write one row per pair with CSV_COLUMNS."""
    con = duckdb.connect(config={"threads": os.cpu_count() or 1, "memory_limit": CSV_MEMORY_LIMIT})
    try:
        source = f"read_csv({_sql_string(str(path_in))}, header = true)"
        con.execute(f"CREATE VIEW signal_input AS SELECT * FROM {source}")  # noqa: S608 - quoted literal
        result = compute_signals(con, "signal_input", strata)
        cols = ", ".join(quote_ident(c) for c in CSV_COLUMNS)
        query = f"SELECT {cols} FROM {quote_ident(result.table)} ORDER BY var1, var2"  # noqa: S608
        con.execute(f"COPY ({query}) TO {_sql_string(str(path_out))} (HEADER, DELIMITER ',')")
        return result.hyperparameters
    finally:
        con.close()

