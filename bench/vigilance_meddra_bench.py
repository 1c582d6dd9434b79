"""Loading a MedDRA release of realistic size into the database: time `load_release_directory` (the
path of `medreg meddra load DIR` and of the console upload after unzipping) against `load_meddra`
alone on the same folder (parse + validate, no database: the limit, measured in the same run).

The release is synthetic (tests/vigilance/meddra_fakes.synthetic_files: invented codes and names in
the real file format, sized like 27.x: 27 SOC, 337 HLGT, 1,737 HLT, 26,000 PT, ~85,800 LLT, ~28,600
paths, 230 SMQs, 104,000 SMQ terms). Each repeat loads a new version into the same database, so the
history grows as it does in use.

Run: .venv/bin/python bench/vigilance_meddra_bench.py --db sqlite
     .venv/bin/python bench/vigilance_meddra_bench.py --db postgres --port 57004
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from common import database, fmt_runs, print_machine, say, setup_django


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="sqlite")
    parser.add_argument("--pts", type=int, default=26_000, help="preferred terms (LLTs: 3.3 per PT)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--port", type=int, default=57004, help="port of the throwaway PostgreSQL cluster")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    with database(args.db, args.port) as url, tempfile.TemporaryDirectory(prefix="medreg-meddra-bench-") as work:
        setup_django(url)
        from medreg.core.actor import Actor
        from medreg.core.scoping import SYSTEM_SCOPE
        from medreg.vigilance.meddra import Level, load_meddra
        from medreg.vigilance.models.meddra import MeddraRelease, MeddraTerm
        from medreg.vigilance.services.meddra import load_release_directory
        from tests.vigilance.meddra_fakes import synthetic_files, write_release

        print_machine()
        folders = []
        for r in range(args.repeats):
            files = synthetic_files(version=f"99.{r}", pts=args.pts)
            folders.append(write_release(Path(work, f"v{r}", "MedAscii"), files))
        size = sum(p.stat().st_size for p in folders[0].iterdir())
        say(
            f"data: {len(files['llt.asc']):,} LLT, {len(files['pt.asc']):,} PT, {len(files['mdhier.asc']):,} paths, "
            f"{len(files['smq_content.asc']):,} SMQ terms; {size / 1e6:.1f} MB of .asc files per release"
        )

        parse_s, load_s, ratios, rows_per_s, parse_cpu, load_cpu = [], [], [], [], [], []
        for r, folder in enumerate(folders):
            started, cpu = time.perf_counter(), time.process_time()
            parsed = load_meddra(folder)
            parse_s.append(time.perf_counter() - started)
            parse_cpu.append(time.process_time() - cpu)
            rows = sum(len(t) for t in parsed.terms.values()) + len(parsed.paths) + len(parsed.smq_terms)
            linked = (Level.HLGT, Level.HLT, Level.PT)
            rows += sum(len(t.parent_codes) for level in linked for t in parsed.terms[level].values())
            started, cpu = time.perf_counter(), time.process_time()
            release = load_release_directory(
                actor=Actor.system(), scope=SYSTEM_SCOPE, root=folder.parent, activate=True
            )
            load_s.append(time.perf_counter() - started)
            load_cpu.append(time.process_time() - cpu)
            ratios.append(load_s[-1] / parse_s[-1])
            rows_per_s.append(rows / (load_s[-1] - parse_s[-1]))
            say(
                f"  repeat {r + 1}: {release} #{release.pk}: load_meddra {parse_s[-1]:.2f} s, "
                f"load_release_directory {load_s[-1]:.2f} s ({rows:,} rows), {ratios[-1]:.2f}x the parse time"
            )
        say(f"releases kept: {MeddraRelease.objects.count()}, term rows: {MeddraTerm.objects.count():,}")
        say(f"limit, load_meddra alone (parse + validate): {fmt_runs(parse_s, ' s', 2)}")
        say(f"platform, load_release_directory:            {fmt_runs(load_s, ' s', 2)}")
        say(f"database part, rows/s (load minus parse):    {fmt_runs(rows_per_s, ' rows/s')}")
        say(f"ratio (load time / parse time):              {fmt_runs(ratios, 'x', 2)}")
        say(f"CPU of this process: parse {fmt_runs(parse_cpu, ' s', 2)}; load {fmt_runs(load_cpu, ' s', 2)}")
        time_suggestions()
        say(f"load average after the run: {os.getloadavg()}")


SUGGESTION_TEXTS = ("synthetic lowest level term 93000123", "headache and nausea", "皮疹伴瘙痒")


def time_suggestions() -> None:
    """Coding suggestions from the release in use (English) against bare rapidfuzz on the same names."""
    from rapidfuzz import fuzz, process

    from medreg.vigilance import meddra_selectors

    started = time.perf_counter()
    source = meddra_selectors.terminology("en")
    say(
        f"suggestions: index of {len(source.index.entries):,} current LLTs built from the database in "
        f"{time.perf_counter() - started:.2f} s (once per release and process)"
    )
    for text in SUGGESTION_TEXTS:
        started = time.perf_counter()
        process.extract(text, source.index.names, scorer=fuzz.WRatio, limit=20, score_cutoff=70)
        bare = time.perf_counter() - started
        started = time.perf_counter()
        _, found = meddra_selectors.suggestions(text, "en")
        platform = time.perf_counter() - started
        say(
            f"  {text!r}: bare extract of the whole text {bare:.2f} s; suggestions {platform:.2f} s "
            f"({len(found)} found, {platform / bare:.2f}x)"
        )


if __name__ == "__main__":
    main()
