"""Benchmark: signal detection on a synthetic 2,000,000-report database (~6M rows).

Zipf-like product and reaction frequencies, a few planted product-reaction associations,
deterministic seed.  Times ``compute_signals`` end to end (counts, PRR/ROR/IC, squashing,
prior fit, EBGM/EB05/EB95) against a bare DuckDB group-by count of the same rows.

Run: .venv/bin/python bench/signals_bench.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np

from medreg.vigilance.signals import SignalResult, compute_signals

REPORTS, PRODUCTS, REACTIONS, SEED = 2_000_000, 20_000, 5_000, 20260101
THREADS, MEMORY_LIMIT = 2, "1GB"


def _zipf_choice(rng: np.random.Generator, n_items: int, size: int, s: float) -> np.ndarray:
    """Draw item indices with probability proportional to 1 / rank**s."""
    p = 1.0 / np.arange(1, n_items + 1) ** s
    return rng.choice(n_items, size=size, p=p / p.sum()).astype(np.int32)


def synthetic_rows(seed: int = SEED) -> dict[str, np.ndarray]:
    """Report-product-reaction rows: 1-3 products and 1-4 reactions per report (~6M rows)."""
    rng = np.random.default_rng(seed)
    n_prod = rng.choice([1, 1, 2, 2], REPORTS)
    n_reac = rng.choice([1, 2, 2, 3], REPORTS)
    rows_per = n_prod * n_reac
    ids = np.repeat(np.arange(REPORTS, dtype=np.int32), rows_per)
    prod_of_report = _zipf_choice(rng, PRODUCTS, REPORTS * 2, 1.1).reshape(REPORTS, 2)
    total = int(rows_per.sum())
    pos = np.arange(total) - np.repeat(np.cumsum(rows_per) - rows_per, rows_per)
    var1 = prod_of_report[ids, pos // np.repeat(n_reac, rows_per)]
    base = _zipf_choice(rng, REACTIONS, total, 1.0)
    own = rng.random(total) < 0.4  # product-specific reaction profile: heterogeneous RR
    var2 = np.where(own, (base * 31 + var1 * 7919) % REACTIONS, base).astype(np.int32)
    planted = var1 % 997 == 3  # planted signals: these products over-report reaction (p % 50)
    swap = planted & (rng.random(total) < 0.3)
    var2[swap] = var1[swap] % 50 + 4000
    return {"id": ids, "var1": var1, "var2": var2}


def write_parquet(rows: dict[str, np.ndarray], path: Path) -> None:
    """Write the rows to parquet through DuckDB, with text product and reaction names."""
    con = duckdb.connect()
    con.register("rows", rows)
    con.execute(f"COPY (SELECT id, 'P' || var1 AS var1, 'R' || var2 AS var2 FROM rows) TO '{path}' "
                "(FORMAT parquet)")
    con.close()


def _connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the benchmark's thread count and memory limit."""
    con = duckdb.connect(config={"threads": THREADS, "memory_limit": MEMORY_LIMIT})
    return con


def time_signals(path: Path) -> tuple[float, float, SignalResult]:
    """Wall and CPU (all threads) time of compute_signals, and its result."""
    con = _connect()
    con.execute(f"CREATE VIEW reports AS SELECT * FROM read_parquet('{path}')")
    t0, c0 = time.perf_counter(), time.process_time()
    result = compute_signals(con, "reports", None)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    con.close()
    return elapsed, cpu, result


def time_bare_groupby(path: Path) -> tuple[float, float]:
    """Machine limit: distinct-id counts per (var1, var2) into a table, nothing else."""
    con = _connect()
    t0, c0 = time.perf_counter(), time.process_time()
    con.execute(f"CREATE TEMP TABLE g AS SELECT var1, var2, count(DISTINCT id) AS N "
                f"FROM read_parquet('{path}') GROUP BY var1, var2")
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    con.close()
    return elapsed, cpu


def _report(n_rows: int, signals: list[tuple[float, float, SignalResult]],
            bare: list[tuple[float, float]]) -> None:
    """Print medians, per-stage times and the ratio to the bare group-by."""
    res = signals[-1][2]
    h = res.hyperparameters
    t_sig, c_sig = statistics.median(s[0] for s in signals), statistics.median(s[1] for s in signals)
    t_bare, c_bare = statistics.median(b[0] for b in bare), statistics.median(b[1] for b in bare)
    print(f"rows {n_rows:,}  reports {REPORTS:,}  pairs {res.n_pairs:,}  squashed points {h.squashed_points:,}")
    print(f"prior: a1 {h.alpha1:.4g} b1 {h.beta1:.4g} a2 {h.alpha2:.4g} b2 {h.beta2:.4g} P {h.P:.4g} "
          f"converged {h.converged} agreeing starts {h.num_close}")
    print(f"compute_signals: median wall {t_sig:.2f} s, cpu {c_sig:.2f} s  "
          f"(wall runs {[round(s[0], 2) for s in signals]})")
    print("  stages (last run): " + ", ".join(f"{k} {v:.2f} s" for k, v in res.seconds.items()))
    print(f"bare DuckDB count(DISTINCT id) group-by: median wall {t_bare:.2f} s, cpu {c_bare:.2f} s  "
          f"(wall runs {[round(b[0], 2) for b in bare]})")
    print(f"ratio compute_signals / bare group-by: wall {t_sig / t_bare:.2f}, cpu {c_sig / c_bare:.2f}")
    print(f"load average at end: {os.getloadavg()}")


def main() -> None:
    """Generate the data, time both runs ``--repeats`` times, print medians and peak RSS."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reports.parquet"
        rows = synthetic_rows()
        n_rows = len(rows["id"])
        write_parquet(rows, path)
        del rows
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        signals, bare = [], []
        for _ in range(args.repeats):  # interleaved, so both see the same machine load
            signals.append(time_signals(path))
            bare.append(time_bare_groupby(path))
    _report(n_rows, signals, bare)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS (process, incl. data generation): {peak / 1024:.0f} MB; "
          f"before timing runs: {rss_before / 1024:.0f} MB; DuckDB memory_limit {MEMORY_LIMIT}")


if __name__ == "__main__":
    main()
