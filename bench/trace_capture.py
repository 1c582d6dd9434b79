"""Benchmark: EPCIS capture end to end (parse, validate, resolve, apply to pack state, store events,
EPC rows and packs) through medreg.trace.services.processing.process_job — the worker's code path.

Documents of 1,000 ObjectEvents x 10 EPCs: commissioning of 10,000 new packs, then shipping
(manufacturer -> distributor) and receiving of the same packs, each a stored CaptureJob. Measured
with 1M and then --packs packs already stored (preloaded with COPY / executemany, not through capture).
Limit measured in the same run: raw COPY (PostgreSQL) / executemany (SQLite) of the same number of
rows into trace_eventepc. On PostgreSQL also the write floor: the same documents' reads and writes as
raw SQL with every row formatted in advance (`write_floor`), i.e. what the schema costs without the
platform's code. With --workers N, N long-lived task workers run their own jobs at the same time.

Run: .venv/bin/python bench/trace_capture.py [--db postgres|sqlite] [--packs N] [--repeats 3] [--profile]
     [--workers N]
"""

from __future__ import annotations

import cProfile
import io
import json
import multiprocessing
import os
import pstats
import time
import uuid

import common
from common import say

EVENTS, EPCS = 1_000, 10
FIRST_NEW_SERIAL = 1_000_000_000  # far above any preloaded pack
POOL_SERIALS = 500_000_000  # the worker-pool rounds' packs, far from the single-job rounds' ones
FLOOR_SERIALS = 800_000_000  # the write floor's packs
FLOOR_STAMP = "2026-03-01T09:00:00+08:00"  # event and pack times of the write floor's rows


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


CPU = common.CpuUse()  # CPU used by capture() calls of the current stage
FLOOR_CPU = common.CpuUse()  # and by the write floor's transactions


def capture(sender: common.Party, data: bytes) -> float:
    """Store the document as a CaptureJob (not timed), then time process_job on it."""
    from medreg.trace.services.processing import process_job

    job_id = stored_job(sender, data)
    use = common.cpu_timed(lambda: process_job(job_id))
    CPU.add(use)
    check(job_id)
    return use.wall


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


class WorkerPool:
    """`size` long-lived task workers (forked processes, each with its own connection and warm caches,
    as `medreg db_worker` processes are): each takes a list of job ids and runs them in order."""

    def __init__(self, size: int) -> None:
        from django.db import connections

        connections.close_all()  # each child opens its own connection
        context = multiprocessing.get_context("fork")
        self.outbox = context.Queue()
        self.inboxes = [context.Queue() for _ in range(size)]
        self.processes = [context.Process(target=_worker, args=(inbox, self.outbox)) for inbox in self.inboxes]
        for process in self.processes:
            process.start()

    def run(self, job_lists: list[list[str]]) -> float:
        """Seconds from handing every worker its jobs to the last worker's end."""
        started = time.perf_counter()
        for inbox, jobs in zip(self.inboxes, job_lists, strict=True):
            inbox.put(jobs)
        failures = [self.outbox.get(timeout=1800) for _ in job_lists]
        seconds = time.perf_counter() - started
        if any(failures):
            raise RuntimeError(f"a worker failed: {failures}")
        return seconds

    def close(self) -> None:
        for inbox in self.inboxes:
            inbox.put(None)
        for process in self.processes:
            process.join(timeout=60)


def _worker(inbox: multiprocessing.Queue[list[str] | None], outbox: multiprocessing.Queue[str]) -> None:
    from medreg.trace.services.processing import process_job

    while (jobs := inbox.get()) is not None:
        try:
            for job_id in jobs:
                process_job(job_id)
            outbox.put("")
        except Exception as error:
            outbox.put(repr(error))


def pool_round(supply: common.Supply, first: int, tag: str, pool: WorkerPool) -> float:
    """EPC observations/s of the pool's workers each running its own commissioning, shipping and
    receiving jobs (packs of its own) at the same time, as a queue of jobs from several senders
    would keep them. Wall time from handing out the jobs to the last worker's end."""
    workers = len(pool.processes)
    per_worker = [documents(supply, first + w * EVENTS * EPCS, f"{tag}w{w}") for w in range(workers)]
    job_lists = [[stored_job(sender, data) for _, sender, data in docs] for docs in per_worker]
    seconds = pool.run(job_lists)
    for jobs in job_lists:
        for job_id in jobs:
            check(job_id)
    return 3 * workers * EVENTS * EPCS / seconds


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


def write_floor(supply: common.Supply, first: int, tag: str) -> float:
    """EPC observations/s of the database work alone that capture cannot avoid with this schema, for
    the same three documents (PostgreSQL): per document, in one transaction, read and lock the named
    packs (capture's own query, `persistence.NAMED`), COPY the event rows (with their JSON
    payloads) and the EPC rows, then COPY the new packs into trace_pack (commissioning) or COPY the
    changed columns into a temp table and `UPDATE … FROM` it (shipping, receiving); commit. Every row
    is formatted before the clock starts: no parsing, validation, rules or state machine. Capture's
    own time over this floor is what the platform's code costs."""
    from medreg.trace.services import bulk_sql

    maker, distributor = supply.manufacturer, supply.distributors[0]
    keys, pack_rows = floor_packs(supply, first, tag)
    moves = {
        "shipping": [(key, "in_transit", maker.code, maker.gln, maker.path, distributor.code, f"DA{tag}", None,
                      FLOOR_STAMP, f"urn:uuid:floor-{tag}-s{i // EPCS}") for i, key in enumerate(keys)],
        "receiving": [(key, "received", distributor.code, distributor.gln, distributor.path, "", f"DA{tag}", None,
                       FLOOR_STAMP, f"urn:uuid:floor-{tag}-r{i // EPCS}") for i, key in enumerate(keys)],
    }  # fmt: skip
    job_id = common.preload_job(supply)
    seconds = 0.0
    for kind, sender, data in documents(supply, first, f"floor{tag}"):
        first_id, event_text = floor_events(data, kind, sender, f"floor-{tag}", job_id)
        epc_text = floor_epc_text(keys, first_id)
        pack_text = bulk_sql.copy_text(pack_rows if kind == "commissioning" else moves[kind])
        texts = (event_text, epc_text, pack_text)
        use = common.cpu_timed(lambda kind=kind, first_id=first_id, texts=texts: _write(kind, keys, first_id, *texts))
        FLOOR_CPU.add(use)
        seconds += use.wall
    return 3 * EVENTS * EPCS / seconds


def floor_packs(supply: common.Supply, first: int, tag: str) -> tuple[list[str], list[tuple[object, ...]]]:
    """The keys of packs first .. first+EVENTS*EPCS-1 and their trace_pack rows as commissioned."""
    maker = supply.manufacturer
    numbers = range(first, first + EVENTS * EPCS)
    keys = [common.pack_key(supply.gtin, n) for n in numbers]
    rows = [(key, supply.gtin, common.serial(n), f"LF{tag}", "2028-02-29", common.DRUG_APPROVAL_NUMBER, 1, "",
             "commissioned", maker.code, maker.code, maker.gln, maker.path, "", "", None, FLOOR_STAMP, FLOOR_STAMP,
             f"urn:uuid:floor-{tag}-c{n // EPCS}") for key, n in zip(keys, numbers, strict=True)]  # fmt: skip
    return keys, rows


def floor_events(data: bytes, kind: str, sender: common.Party, tag: str, job_id: str) -> tuple[int, str]:
    """The first id and the trace_event COPY text of a document's events, as capture stores them."""
    from medreg.trace.services import bulk_sql

    first_id = common._next_id("trace_event")
    text = bulk_sql.copy_text(
        (first_id + i, f"urn:uuid:{tag}-{kind}-{i}", "ObjectEvent", e["action"], kind, e["disposition"],
         e["eventTime"], e["readPoint"]["id"], e["bizLocation"]["id"], sender.code, sender.code, sender.path,
         FLOOR_STAMP, job_id, json.dumps(e)) for i, e in enumerate(json.loads(data)["epcisBody"]["eventList"])
    )  # fmt: skip
    return first_id, text


def floor_epc_text(keys: list[str], first_id: int) -> str:
    """The trace_eventepc COPY text of `keys`, EPCS per event from event `first_id` on."""
    return "".join(f"{first_id + i // EPCS}\t{key}\t0\n" for i, key in enumerate(keys))


def _write(kind: str, keys: list[str], first_id: int, event_text: str, epc_text: str, pack_text: str) -> None:
    """One document's writes for `write_floor`, in one transaction."""
    from django.db import transaction

    from medreg.trace.services import bulk_sql, persistence

    with transaction.atomic(), bulk_sql.fast_cursor() as cursor:
        cursor.execute(persistence.NAMED, (bulk_sql.text_array(keys),), binary=True)  # read and lock
        cursor.fetchall()
        cursor.execute("SELECT setval(pg_get_serial_sequence('trace_event', 'id'), %s)", (first_id + EVENTS,))
        bulk_sql.copy_in(cursor, "trace_event", persistence.EVENT_COLUMNS, event_text)
        bulk_sql.copy_in(cursor, "trace_eventepc", ("event_id", "key", "role"), epc_text)
        if kind == "commissioning":
            bulk_sql.copy_in(cursor, "trace_pack", persistence.PACK_COLUMNS, pack_text)
        else:
            persistence._copy_into_changes(cursor, pack_text)
            cursor.execute(persistence._UPDATE_FROM_CHANGES)


def pack_updates() -> tuple[int, int]:
    """trace_pack's row updates so far and how many of them were HOT (PostgreSQL; (0, 0) on SQLite)."""
    from django.db import connection

    if not common.is_postgres():
        return 0, 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")  # this backend's counts, at its next statement
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'trace_pack'")
        updated, hot = cursor.fetchone()
    return updated, hot


def pack_table() -> str:
    """trace_pack's size on disk, its indexes' and its fillfactor (PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size(oid), pg_indexes_size(oid), reloptions FROM pg_class WHERE relname = 'trace_pack'"
        )
        table, indexes, options = cursor.fetchone()
    settings = ", ".join(options or ["defaults"])
    return f"trace_pack {table / 2**20:,.0f} MiB + indexes {indexes / 2**20:,.0f} MiB ({settings})"


def measure(supply: common.Supply, stored: int, repeats: int, round_base: int, workers: int) -> dict[str, object]:
    global CPU, FLOOR_CPU  # the stage's own accounts
    CPU, FLOOR_CPU = common.CpuUse(), common.CpuUse()
    say(f"-- {stored:,} packs stored")
    limits = [copy_limit(EVENTS * EPCS * 3) for _ in range(repeats)]
    say(
        f"  limit, raw {'COPY' if common.is_postgres() else 'executemany'} into trace_eventepc: "
        f"{common.fmt_runs(limits, ' rows/s')}"
    )
    floors = []
    for repeat in range(repeats if common.is_postgres() else 0):
        floors.append(write_floor(supply, FIRST_NEW_SERIAL + FLOOR_SERIALS + (round_base + repeat) * EVENTS * EPCS,
                                  f"{round_base + repeat}"))  # fmt: skip
    if floors:
        say(f"  floor, capture's writes alone (rows formatted in advance): {common.fmt_runs(floors, ' EPC obs/s')}")
    per_kind: dict[str, list[float]] = {"commissioning": [], "shipping": [], "receiving": []}
    totals = []
    updates_before = pack_updates()
    for repeat in range(repeats):
        first = FIRST_NEW_SERIAL + (round_base + repeat) * EVENTS * EPCS
        seconds = 0.0
        for kind, sender, data in documents(supply, first, f"{round_base + repeat}"):
            elapsed = capture(sender, data)
            per_kind[kind].append(EVENTS * EPCS / elapsed)
            seconds += elapsed
        totals.append(3 * EVENTS * EPCS / seconds)
    updates, in_place = (after - before for after, before in zip(pack_updates(), updates_before, strict=True))
    for kind, rates in per_kind.items():
        say(f"  {kind:13} EPC observations/s: {common.fmt_runs(rates)}")
    if common.is_postgres():
        say(f"  pack updates during capture written in place (HOT): {in_place:,} of {updates:,}; {pack_table()}")
    ratio = common.median(totals) / common.median(limits)
    say(f"  all three     EPC observations/s: {common.fmt_runs(totals)}  = {ratio:.3f} x limit")
    if floors:
        say(f"  capture / write floor: {common.median(totals) / common.median(floors):.3f}")
    observations = 3 * repeats * EVENTS * EPCS
    say(
        f"  CPU per EPC observation during capture: platform process {CPU.own / observations * 1e6:.0f} µs, "
        f"PostgreSQL {CPU.postgres / observations * 1e6:.0f} µs (all its processes); machine busy "
        f"{CPU.busy:.0%} of {os.cpu_count()} cores"
    )
    if floors:
        say(
            f"  CPU per EPC observation at the write floor: PostgreSQL "
            f"{FLOOR_CPU.postgres / observations * 1e6:.0f} µs; machine busy {FLOOR_CPU.busy:.0%}"
        )
    pooled = []
    if workers > 1:
        pool = WorkerPool(workers)
        try:
            for repeat in range(repeats + 1):  # round 0 warms the workers' connections and caches
                first = FIRST_NEW_SERIAL + POOL_SERIALS + (round_base * 100 + repeat) * EVENTS * EPCS * workers
                rate = pool_round(supply, first, f"{round_base}p{repeat}", pool)
                pooled += [rate] if repeat else []
        finally:
            pool.close()
    if pooled:
        ratio = common.median(pooled) / common.median(limits)
        say(f"  {workers} workers at once, EPC observations/s: {common.fmt_runs(pooled)}  = {ratio:.3f} x limit")
    return {"stored": stored, "limit": limits, "floor": floors, "kinds": per_kind, "total": totals, "pooled": pooled}


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
