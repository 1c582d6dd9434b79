"""Benchmark: public pack verification over HTTP (GET /api/trace/verify/{code}) with --packs packs
stored, gunicorn sync workers (1 per core), wrk with 32 connections on random existing codes,
production settings without the HTTPS redirect (medreg.settings.benchmark, DEBUG off).

Four servers run at once and are measured in turn in every round: the limit, a bare Django view
doing one raw point lookup by key on the same table (bench/trace_limit_app.py); the ceiling, the same
view without the lookup (what Django under gunicorn answers on this machine at all); the platform's
`medreg.wsgi:application` (anonymous verify takes the lean route); and `medreg.wsgi:django_application`
(the same request through Django's full middleware stack and Django Ninja). Also in-process: latency
of medreg.trace.selectors.verify, its queries, and (--profile) a cProfile of 2,000 calls.

Run: .venv/bin/python bench/trace_verify.py [--db postgres|sqlite] [--packs N] [--seconds 15] [--profile]
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import json
import os
import pstats
import random
import secrets
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


VARIANTS = (
    # name, WSGI app, path prefix, pythonpath (the first is the limit the ratios are stated against)
    ("limit: bare Django view, 1 raw lookup", "trace_limit_app:application", "/k/", str(common.REPO / "bench")),
    ("ceiling: bare Django view, no database", "trace_limit_app:application", "/b/", str(common.REPO / "bench")),
    ("platform: /api/trace/verify/{code}, lean route", "medreg.wsgi:application", VERIFY_PREFIX, ""),
    ("platform: same, Django's full stack", "medreg.wsgi:django_application", VERIFY_PREFIX, ""),
)


def http(packs: int, seconds: int, repeats: int, workers: int) -> dict[str, list[common.WrkResult]]:
    """The three variants served at once, measured in turn (limit, lean, full) in every round, so that
    a change of the machine's load falls on all three alike."""
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "TRACE_BENCH_GTIN": _gtin(),
        "DJANGO_SETTINGS_MODULE": "medreg.settings.benchmark",
        "MEDREG_SECRET_KEY": secrets.token_urlsafe(48),
    }
    sample = f"{common.serial(packs // 2 + 1)}"
    with contextlib.ExitStack() as stack:
        bases = [stack.enter_context(common.gunicorn(app, env, workers, prefix + sample, pythonpath))
                 for _, app, prefix, pythonpath in VARIANTS]  # fmt: skip
        bodies = []
        for base, (_, _, prefix, _) in zip(bases, VARIANTS, strict=True):
            with urllib.request.urlopen(base + prefix + sample) as response:
                bodies.append(response.read())
            assert json.loads(bodies[-1])["genuine"] is True, bodies[-1]
            common.wrk(base + "/", common.random_path_lua(prefix, 1, packs), 5)  # warm-up: connections, caches
        assert bodies[2] == bodies[3], bodies  # the lean route answers as Django's stack, byte for byte
        results: dict[str, list[common.WrkResult]] = {name: [] for name, *_ in VARIANTS}
        for round_number in range(1, repeats + 1):
            for base, (name, _, prefix, _) in zip(bases, VARIANTS, strict=True):
                run = common.wrk(base + "/", common.random_path_lua(prefix, 1, packs), seconds)
                results[name].append(run)
                say(f"  round {round_number} {name}: {run.requests_per_second:,.0f} req/s, p50 {run.p50_ms:.2f} ms, "
                    f"p99 {run.p99_ms:.2f} ms, errors {run.errors}; load average {_load()}")  # fmt: skip
    for name, runs in results.items():
        say(f"  {name}: {common.fmt_runs([r.requests_per_second for r in runs], ' req/s')}")
        say(
            f"    p50 {common.fmt_runs([r.p50_ms for r in runs], ' ms', 2)}; "
            f"p99 {common.fmt_runs([r.p99_ms for r in runs], ' ms', 2)}; errors {sum(r.errors for r in runs)}"
        )
    limit = common.median([r.requests_per_second for r in results[VARIANTS[0][0]]])
    for name, *_ in VARIANTS[1:]:
        rate = common.median([r.requests_per_second for r in results[name]])
        say(f"  ratio to the limit, {name}: {rate / limit:.2f}x")
    return results


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _gtin() -> str:
    from tests.trace.epcis_builders import gtin

    return gtin(common.ITEM)


def settle() -> None:
    """Let the load's writes reach the disk before anything is timed: a checkpoint, then the kernel's
    dirty pages (gigabytes after a 10M-pack load, whose writeback would otherwise stall the rounds)."""
    from django.db import connection

    with common.stopwatch("checkpoint and sync after the load"), connection.cursor() as cursor:
        if common.is_postgres():
            cursor.execute("CHECKPOINT")
        os.sync()


def main() -> None:
    args = common.arguments(
        __doc__.splitlines()[0],
        10_000_000,
        1_000_000,
        seconds=(int, 15, "seconds per wrk run"),
        workers=(int, len(os.sched_getaffinity(0)), "gunicorn sync workers (1 per core, as MACHINE_LIMITS.md)"),
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
        settle()
        in_process(args.packs, 2000, args.profile)
        from django.db import connections

        connections.close_all()
        say(f"-- HTTP, medreg.settings.benchmark, gunicorn {args.workers} sync workers, "
            f"wrk -t2 -c32 -d{args.seconds}s, random existing codes; load average {_load()}")  # fmt: skip
        http(args.packs, args.seconds, args.repeats, args.workers)


if __name__ == "__main__":
    main()
