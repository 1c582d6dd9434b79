"""Benchmark: public pack verification over HTTP (GET /api/trace/verify/{code}) with --packs packs
stored, gunicorn sync workers (2 per core), wrk with 32 connections on random existing codes.

Limit measured in the same run: a bare Django view doing one raw point lookup by key on the same
table (bench/trace_limit_app.py) under the same gunicorn and wrk. Also in-process: latency of
medreg.trace.selectors.verify, its queries, and (--profile) a cProfile of 2,000 calls.

Run: .venv/bin/python bench/trace_verify.py [--db postgres|sqlite] [--packs N] [--seconds 15] [--profile]
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import random
import time
import urllib.request

import common
from common import say

VERIFY_PREFIX = "/api/trace/verify/urn:epc:id:sgtin:6901234.0" + common.ITEM + "."


def in_process(packs: int, calls: int, profile: bool) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from medreg.trace.selectors import verify

    codes = [common.sgtin_code(random.randint(1, packs)) for _ in range(calls)]
    for code in codes[:50]:
        verify(code)  # warm caches and connections
    with CaptureQueriesContext(connection) as queries:
        answer = verify(codes[0])
    assert answer.genuine, answer
    say(f"  verify() runs {len(queries)} queries:")
    for query in queries.captured_queries:
        say(f"    {query['time']} s  {query['sql'][:160]}")
    started = time.perf_counter()
    for code in codes:
        verify(code)
        reset_queries()
    per_call = (time.perf_counter() - started) / calls
    say(f"  in-process verify(): {per_call * 1000:.3f} ms/call = {1 / per_call:,.0f} calls/s on 1 core")
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for code in codes:
            verify(code)
            reset_queries()
        profiler.disable()
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(20)
            say(f"-- profile of {calls:,} verify() calls, by {order}")
            say("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


def http(url: str, packs: int, seconds: int, repeats: int, workers: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TRACE_BENCH_GTIN": _gtin()}
    sample = f"{common.serial(packs // 2 + 1)}"
    results: dict[str, object] = {}
    for name, app, prefix, pythonpath in (
        ("limit: bare Django view, 1 raw lookup", "trace_limit_app:application", "/k/", str(common.REPO / "bench")),
        ("platform: /api/trace/verify/{code}", "medreg.wsgi", VERIFY_PREFIX, ""),
    ):
        with common.gunicorn(app, env, workers, prefix + sample, pythonpath) as base:
            with urllib.request.urlopen(base + prefix + sample) as response:
                body = json.loads(response.read())
            assert body["genuine"] is True, body
            lua = common.random_path_lua(prefix, 1, packs)
            common.wrk(base + "/", lua, 5)  # warm-up: connections, caches
            runs = [common.wrk(base + "/", lua, seconds) for _ in range(repeats)]
        rates = [r.requests_per_second for r in runs]
        say(f"  {name}: {common.fmt_runs(rates, ' req/s')}")
        say(
            f"    p50 {common.fmt_runs([r.p50_ms for r in runs], ' ms', 2)}; "
            f"p99 {common.fmt_runs([r.p99_ms for r in runs], ' ms', 2)}; errors {sum(r.errors for r in runs)}"
        )
        results[name] = runs
    return results


def _gtin() -> str:
    from tests.trace.epcis_builders import gtin

    return gtin(common.ITEM)


def main() -> None:
    args = common.arguments(
        __doc__.splitlines()[0],
        10_000_000,
        1_000_000,
        seconds=(int, 15, "seconds per wrk run"),
        workers=(int, 2 * len(os.sched_getaffinity(0)), "gunicorn sync workers (2 per core)"),
        profile=(bool, False, "print a cProfile of verify()"),
    )
    with common.database(args.db, args.port) as url:
        common.setup_django(url)
        common.print_machine()
        say(f"command: bench/trace_verify.py --db {args.db} --packs {args.packs} --repeats {args.repeats} "
            f"--seconds {args.seconds} --workers {args.workers}")  # fmt: skip
        supply = common.build_supply(distributors=10, pharmacies=100)
        common.preload(supply, 1, args.packs, events=False)
        say(f"-- {common.table_rows('trace_pack'):,} packs stored")
        in_process(args.packs, 2000, args.profile)
        from django.db import connections

        connections.close_all()
        say(f"-- HTTP, gunicorn {args.workers} sync workers, wrk -t2 -c32 -d{args.seconds}s, random existing codes")
        http(url, args.packs, args.seconds, args.repeats, args.workers)


if __name__ == "__main__":
    main()
