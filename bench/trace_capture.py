"""Benchmark: EPCIS capture end to end (parse, validate, resolve, apply to pack state, store events,
EPC rows and packs) through medreg.trace.services.processing.process_job — the worker's code path.

Documents of 1,000 ObjectEvents x 10 EPCs: commissioning of 10,000 new packs, then shipping
(manufacturer -> distributor) and receiving of the same packs, each a stored CaptureJob. Measured
with 1M and then --packs packs already stored (preloaded with COPY / executemany, not through capture).
Limit measured in the same run: raw COPY (PostgreSQL) / executemany (SQLite) of the same number of
rows into trace_eventepc.

Run: .venv/bin/python bench/trace_capture.py [--db postgres|sqlite] [--packs N] [--repeats 3] [--profile]
"""

from __future__ import annotations

import cProfile
import io
import json
import multiprocessing
import pstats
import time
import uuid

import common
from common import say

EVENTS, EPCS = 1_000, 10
FIRST_NEW_SERIAL = 1_000_000_000  # far above any preloaded pack
POOL_SERIALS = 500_000_000  # the worker-pool rounds' packs, far from the single-job rounds' ones


def documents(supply: common.Supply, first: int, tag: str) -> list[tuple[str, common.Party, bytes]]:
    """(kind, sender, EPCIS JSON) for commissioning, shipping and receiving of EVENTS x EPCS new packs."""
    from tests.trace.epcis_builders import document, object_event, pgln

    maker, distributor = supply.manufacturer, supply.distributors[0]
    ilmd = {"ilmd": {"cbvmda:lotNumber": f"LC{tag}", "cbvmda:itemExpirationDate": "2028-02-29"}}
    shipment = {
        "destinationList": [{"type": "owning_party", "destination": pgln(distributor.location)}],
        "bizTransactionList": [{"type": "desadv", "bizTransaction": f"urn:epcglobal:cbv:bt:0614141000005:DA{tag}"}],
    }
    steps = (
        ("commissioning", "active", maker, "ADD", ilmd, 9),
        ("shipping", "in_transit", maker, "OBSERVE", shipment, 12),
        ("receiving", "in_progress", distributor, "OBSERVE", {}, 15),
    )
    result = []
    for step, disposition, sender, action, extra, hour in steps:
        events = [
            object_event(
                f"urn:uuid:{uuid.uuid4()}",
                f"2026-03-01T{hour:02d}:{i // 60 % 60:02d}:{i % 60:02d}+08:00",
                step,
                disposition,
                [common.sgtin_code(first + i * EPCS + j) for j in range(EPCS)],
                sender.location,
                action,
                **extra,
            )
            for i in range(EVENTS)
        ]
        result.append((step, sender, json.dumps(document(*events)).encode()))
    return result


def capture(sender: common.Party, data: bytes) -> float:
    """Store the document as a CaptureJob (not timed), then time process_job on it."""
    from medreg.trace.services.processing import process_job

    job_id = stored_job(sender, data)
    seconds = common.timed(lambda: process_job(job_id))
    check(job_id)
    return seconds


def stored_job(sender: common.Party, data: bytes) -> str:
    from medreg.trace.models import CaptureJob

    job = CaptureJob.objects.create(
        sender_enterprise_code=sender.code,
        jurisdiction_path=sender.path,
        format="json",
        document=data,
        size_bytes=len(data),
    )
    return str(job.pk)


def check(job_id: str) -> None:
    from medreg.trace.models import CaptureJob

    job = CaptureJob.objects.get(pk=job_id)
    if job.status != "succeeded" or job.stored_count != EVENTS:
        raise RuntimeError(f"capture did not succeed: {job.status} stored={job.stored_count} errors={job.errors[:3]}")


def pool_round(supply: common.Supply, first: int, tag: str, workers: int) -> float:
    """EPC observations/s of `workers` task workers (forked processes, each with its own connection)
    running one job each at the same time: all commissioning jobs, then all shipping, then all
    receiving, each worker on packs of its own. Wall time from the first start to the last end."""
    from django.db import connections

    per_worker = [documents(supply, first + w * EVENTS * EPCS, f"{tag}w{w}") for w in range(workers)]
    context = multiprocessing.get_context("fork")
    seconds = 0.0
    for step in range(3):
        job_ids = [stored_job(sender, data) for _, sender, data in (docs[step] for docs in per_worker)]
        connections.close_all()  # each child opens its own connection
        processes = [context.Process(target=_run_job, args=(job_id,)) for job_id in job_ids]
        started = time.perf_counter()
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        seconds += time.perf_counter() - started
        if any(process.exitcode != 0 for process in processes):
            raise RuntimeError(f"a worker failed: exit codes {[process.exitcode for process in processes]}")
        for job_id in job_ids:
            check(job_id)
    return 3 * workers * EVENTS * EPCS / seconds


def _run_job(job_id: str) -> None:
    from medreg.trace.services.processing import process_job

    process_job(job_id)


def copy_limit(rows: int) -> float:
    """Rows/s of a raw COPY / executemany of `rows` EventEpc rows into trace_eventepc (one transaction)."""
    from django.db import transaction

    event_id = common._next_id("trace_event") - 1
    tag = uuid.uuid4().hex[:8]
    data = [(event_id, f"gs1:01/limit/{tag}/{n:010d}", 0) for n in range(rows)]

    def load() -> None:
        with transaction.atomic():
            common.bulk_load("trace_eventepc", ("event_id", "key", "role"), data)

    return rows / common.timed(load)


def measure(supply: common.Supply, stored: int, repeats: int, round_base: int, workers: int) -> dict[str, object]:
    say(f"-- {stored:,} packs stored")
    limits = [copy_limit(EVENTS * EPCS * 3) for _ in range(repeats)]
    say(
        f"  limit, raw {'COPY' if common.is_postgres() else 'executemany'} into trace_eventepc: "
        f"{common.fmt_runs(limits, ' rows/s')}"
    )
    per_kind: dict[str, list[float]] = {"commissioning": [], "shipping": [], "receiving": []}
    totals = []
    for repeat in range(repeats):
        first = FIRST_NEW_SERIAL + (round_base + repeat) * EVENTS * EPCS
        seconds = 0.0
        for kind, sender, data in documents(supply, first, f"{round_base + repeat}"):
            elapsed = capture(sender, data)
            per_kind[kind].append(EVENTS * EPCS / elapsed)
            seconds += elapsed
        totals.append(3 * EVENTS * EPCS / seconds)
    for kind, rates in per_kind.items():
        say(f"  {kind:13} EPC observations/s: {common.fmt_runs(rates)}")
    ratio = common.median(totals) / common.median(limits)
    say(f"  all three     EPC observations/s: {common.fmt_runs(totals)}  = {ratio:.3f} x limit")
    pooled = []
    for repeat in range(repeats if workers > 1 else 0):
        first = FIRST_NEW_SERIAL + POOL_SERIALS + (round_base * 100 + repeat) * EVENTS * EPCS * workers
        pooled.append(pool_round(supply, first, f"{round_base}p{repeat}", workers))
    if pooled:
        ratio = common.median(pooled) / common.median(limits)
        say(f"  {workers} workers at once, EPC observations/s: {common.fmt_runs(pooled)}  = {ratio:.3f} x limit")
    return {"stored": stored, "limit": limits, "kinds": per_kind, "total": totals, "pooled": pooled}


def profile(supply: common.Supply, round_base: int) -> None:
    """cProfile of one round (three documents): top functions by own time and by cumulative time."""
    profiler = cProfile.Profile()
    for _kind, sender, data in documents(supply, FIRST_NEW_SERIAL + round_base * EVENTS * EPCS, f"p{round_base}"):
        profiler.enable()
        capture(sender, data)
        profiler.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(25)
        say(f"-- profile of one round (3 documents), by {order}")
        say("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


def main() -> None:
    global EVENTS  # noqa: PLW0603 - a smaller document for quick profiling runs
    args = common.arguments(
        __doc__.splitlines()[0],
        10_000_000,
        1_000_000,
        profile=(bool, False, "print a cProfile of one round"),
        events=(int, EVENTS, "events per document (10 EPCs each)"),
        workers=(int, 1, "also time this many task workers running one job each at once"),
    )
    EVENTS = args.events
    stages = sorted({min(1_000_000, args.packs), args.packs})
    with common.database(args.db, args.port) as url:
        common.setup_django(url)
        common.print_machine()
        say(f"command: bench/trace_capture.py --db {args.db} --packs {args.packs} --repeats {args.repeats} "
            f"--workers {args.workers}")  # fmt: skip
        supply = common.build_supply(distributors=1, pharmacies=1)
        loaded = 0
        for number, stage in enumerate(stages):
            common.preload(supply, loaded + 1, stage - loaded)
            loaded = stage
            measure(supply, stage, args.repeats, number * 10, args.workers)
            if args.profile:
                profile(supply, number * 10 + 9)


if __name__ == "__main__":
    main()
