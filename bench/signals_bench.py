"""Benchmark: signal detection on a synthetic 2,000,000-report database (~6M rows).

Zipf-like product and reaction frequencies, a few planted product-reaction associations,
deterministic seed.  Times ``compute_signals`` end to end (counts, PRR/ROR/IC, squashing,
prior fit, EBGM/EB05/EB95) against a bare DuckDB group-by count of the same rows.  Each run
is a fresh process, so its wall time, CPU time (all threads) and peak RSS are its own (the
data generation is not in them).

Run: .venv/bin/python bench/signals_bench.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np

from medreg.vigilance.signals import Hyperparameters, compute_signals

REPORTS, PRODUCTS, REACTIONS, SEED = 2_000_000, 20_000, 5_000, 20260101
THREADS, MEMORY_LIMIT = 2, "1GB"


@dataclass(frozen=True)
class Run:
    """One timed run, measured inside its own process."""

    wall: float
    cpu: float
    peak_rss: int
    stages: dict[str, float] = field(default_factory=dict)
    n_pairs: int = 0
    hyperparameters: Hyperparameters | None = None


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
    con.execute("SET enable_progress_bar = false")
    return con


def _rusage() -> tuple[float, int]:
    """CPU seconds (all threads) and peak RSS (bytes) of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def time_signals(path: Path) -> Run:
    """compute_signals in this (fresh) process: wall, CPU, peak RSS, stages and result figures."""
    con = _connect()
    con.execute(f"CREATE VIEW reports AS SELECT * FROM read_parquet('{path}')")
    t0, (c0, _) = time.perf_counter(), _rusage()
    result = compute_signals(con, "reports", None)
    elapsed, (cpu, peak) = time.perf_counter() - t0, _rusage()
    con.close()
    h = result.hyperparameters
    return Run(elapsed, cpu - c0, peak, result.seconds, result.n_pairs, h)


def time_bare_groupby(path: Path) -> Run:
    """Machine limit: distinct-id counts per (var1, var2) into a table, nothing else."""
    con = _connect()
    t0, (c0, _) = time.perf_counter(), _rusage()
    con.execute(f"CREATE TEMP TABLE g AS SELECT var1, var2, count(DISTINCT id) AS N "
                f"FROM read_parquet('{path}') GROUP BY var1, var2")
    elapsed, (cpu, peak) = time.perf_counter() - t0, _rusage()
    n_pairs = con.execute("SELECT count(*) FROM g").fetchone()[0]  # type: ignore[index]
    con.close()
    return Run(elapsed, cpu - c0, peak, {}, int(n_pairs), None)


def _in_child(function: Callable[[Path], Run], path: Path) -> Run:
    """Run ``function(path)`` in a fresh interpreter, so that its peak RSS is its own."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, path).result()


def _median(runs: list[Run], attribute: str) -> float:
    return float(statistics.median(getattr(r, attribute) for r in runs))


def _report(n_rows: int, signals: list[Run], bare: list[Run], load_start: tuple[float, ...]) -> None:
    """Print the machine, medians, per-stage times, peak RSS and the ratio to the bare group-by."""
    last, h = signals[-1], signals[-1].hyperparameters
    assert h is not None
    cpu_model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "?")
    print(f"machine: nproc {os.cpu_count()}, {cpu_model}; DuckDB threads {THREADS}, memory_limit {MEMORY_LIMIT}")
    print(f"rows {n_rows:,}  reports {REPORTS:,}  pairs {last.n_pairs:,}  squashed points {h.squashed_points:,}")
    print(f"prior: a1 {h.alpha1:.4g} b1 {h.beta1:.4g} a2 {h.alpha2:.4g} b2 {h.beta2:.4g} P {h.P:.4g} "
          f"converged {h.converged} agreeing starts {h.num_close}")
    for name, runs in (("compute_signals", signals), ("bare DuckDB count(DISTINCT id) group-by", bare)):
        walls, cpus = [round(r.wall, 2) for r in runs], [round(r.cpu, 2) for r in runs]
        peaks = [round(r.peak_rss / 2**20) for r in runs]
        print(f"{name}: median wall {_median(runs, 'wall'):.2f} s, cpu {_median(runs, 'cpu'):.2f} s, "
              f"peak RSS {_median(runs, 'peak_rss') / 2**20:.0f} MB  (wall runs {walls}, cpu runs {cpus}, "
              f"peak RSS runs {peaks} MB)")
    stages = {k: statistics.median(r.stages[k] for r in signals) for k in last.stages}
    print("  stages (median wall): " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
    print(f"ratio compute_signals / bare group-by: wall {_median(signals, 'wall') / _median(bare, 'wall'):.2f}, "
          f"cpu {_median(signals, 'cpu') / _median(bare, 'cpu'):.2f}")
    print(f"load average at start {load_start}, at end {os.getloadavg()}")


def main() -> None:
    """Generate the data, time both in fresh processes ``--repeats`` times, print medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reports.parquet"
        rows = synthetic_rows()
        n_rows = len(rows["id"])
        write_parquet(rows, path)
        del rows
        signals, bare = [], []
        for _ in range(args.repeats):  # interleaved, so both see the same machine load
            signals.append(_in_child(time_signals, path))
            bare.append(_in_child(time_bare_groupby, path))
    _report(n_rows, signals, bare, load_start)


if __name__ == "__main__":
    main()
