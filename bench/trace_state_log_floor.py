"""Benchmark of a design alternative (decision 0105, amendment of 2026-11-24): the write floor of
capture if pack state were an append-only log of pack versions instead of rows updated in place.

Not the platform's schema. On a throwaway PostgreSQL cluster, with --packs packs, their events and EPC
rows stored as bench/trace_capture.py stores them, it measures for the same three documents
(commissioning, shipping, receiving of 10,000 packs, 1,000 events each):

- the write floor of the current schema (`trace_capture.write_floor`: read the packs, COPY events and
  EPC rows, COPY new packs or UPDATE the stored ones from a temp table), then
- the write floor of the alternative: read each pack's newest version (`DISTINCT ON (key)` over an
  index on (key, event_id)), COPY the events, COPY one version row per observation (key, event, role
  and the state after the event) into `bench_pack_version`, and for commissioning COPY the pack's
  fixed facts into trace_pack, which then keeps only its primary key and (approval_number, lot);
- the floor of a plain event repository (events and EPC rows only, no pack state), and
- the read side the alternative would pay: a 100,000-pack batch's holders and quantities (recall
  scope) from trace_pack alone, and from the newest version of each pack of the batch.

Run: .venv/bin/python bench/trace_state_log_floor.py [--packs N] [--repeats 3] [--port P]
"""

from __future__ import annotations

import common
import trace_capture
from common import say

VERSION_COLUMNS = (
    "key", "event_id", "role", "status", "holder_enterprise_code", "location", "jurisdiction_path",
    "destination_enterprise_code", "shipment", "parent_key", "updated_at",
)  # fmt: skip
STATE = "status, holder_enterprise_code, location, jurisdiction_path, destination_enterprise_code, shipment, parent_key"
FIRST = trace_capture.FIRST_NEW_SERIAL + 900_000_000  # far from every other script's packs
SIZE = trace_capture.EVENTS * trace_capture.EPCS


def _prefixed(prefix: str, columns: str) -> str:
    return ", ".join(prefix + column for column in columns.split(", "))


def create_version_log() -> None:
    """bench_pack_version with a version per stored EPC row (the pack's current state), then its indexes."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_pack_version (key text NOT NULL, event_id bigint NOT NULL, role smallint NOT NULL, "
            "status text NOT NULL, holder_enterprise_code text NOT NULL, location text NOT NULL, "
            "jurisdiction_path text NOT NULL, destination_enterprise_code text NOT NULL, shipment text NOT NULL, "
            "parent_key text, updated_at timestamptz NOT NULL)"
        )
    with transaction.atomic(), common.stopwatch("copy the stored packs' versions"), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO bench_pack_version SELECT p.key, e.event_id, 0, {_prefixed('p.', STATE)}, p.updated_at "
            "FROM trace_pack p JOIN trace_eventepc e ON e.key = p.key"
        )
    with common.stopwatch("index versions"), connection.cursor() as cursor:
        cursor.execute("CREATE INDEX bench_pack_version_key ON bench_pack_version (key, event_id)")
        cursor.execute("CREATE INDEX bench_pack_version_event ON bench_pack_version (event_id)")
        cursor.execute(  # the packs of a shipment in transit, for receiving it: only shipping versions
            "CREATE INDEX bench_pack_version_shipment ON bench_pack_version (shipment) WHERE status = 'in_transit'"
        )
        cursor.execute("DROP INDEX trace_pack_parent_key_idx, trace_pack_shipment_idx")  # now in the log
        cursor.execute("ANALYZE bench_pack_version")


def log_floor(supply: common.Supply, first: int, tag: str, *, state: bool = True) -> float:
    """EPC observations/s of the alternative's reads and writes for the three documents; without
    `state`, those of a plain event repository: events and EPC rows only, no pack read or write."""
    from medreg.trace.services import bulk_sql

    maker, distributor = supply.manufacturer, supply.distributors[0]
    keys, pack_rows = trace_capture.floor_packs(supply, first, f"log{tag}")
    stamp = trace_capture.FLOOR_STAMP
    states = {
        "commissioning": ("commissioned", maker.code, maker.gln, maker.path, "", ""),
        "shipping": ("in_transit", maker.code, maker.gln, maker.path, distributor.code, f"DA{tag}"),
        "receiving": ("received", distributor.code, distributor.gln, distributor.path, "", f"DA{tag}"),
    }
    job_id = common.preload_job(supply)
    seconds = 0.0
    for kind, sender, data in trace_capture.documents(supply, first, f"log{tag}"):
        first_id, event_text = trace_capture.floor_events(data, kind, sender, f"log-{tag}", job_id)
        if state:
            version_text = bulk_sql.copy_text(
                (key, first_id + i // trace_capture.EPCS, 0, *states[kind], None, stamp) for i, key in enumerate(keys)
            )
            pack_text = bulk_sql.copy_text(pack_rows) if kind == "commissioning" else ""
        else:  # the EPC rows capture stores, and no pack
            version_text, pack_text = trace_capture.floor_epc_text(keys, first_id), ""
        texts = (event_text, version_text, pack_text)
        seconds += common.timed(lambda first_id=first_id, texts=texts: _write(keys, first_id, *texts, state=state))
    return 3 * SIZE / seconds


def _write(keys: list[str], first_id: int, event_text: str, version_text: str, pack_text: str, *, state: bool) -> None:
    from django.db import transaction

    from medreg.trace.services import bulk_sql, persistence

    with transaction.atomic(), bulk_sql.fast_cursor() as cursor:
        if state:
            cursor.execute(
                f"SELECT DISTINCT ON (key) key, {STATE} FROM bench_pack_version "
                "WHERE key = ANY(%s::text[]) ORDER BY key, event_id DESC",
                (bulk_sql.text_array(keys),),
                binary=True,
            )
            cursor.fetchall()
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('trace_event', 'id'), %s)", (first_id + trace_capture.EVENTS,)
        )
        bulk_sql.copy_in(cursor, "trace_event", persistence.EVENT_COLUMNS, event_text)
        if state:
            bulk_sql.copy_in(cursor, "bench_pack_version", VERSION_COLUMNS, version_text)
            bulk_sql.copy_in(cursor, "trace_pack", persistence.PACK_COLUMNS, pack_text)
        else:
            bulk_sql.copy_in(cursor, "trace_eventepc", ("event_id", "key", "role"), version_text)


RECALL_FROM_PACKS = (
    "SELECT holder_enterprise_code, status, count(*) FROM trace_pack "
    "WHERE approval_number = %s AND lot = %s GROUP BY 1, 2"
)
RECALL_FROM_LOG = (
    "SELECT v.holder_enterprise_code, v.status, count(*) FROM trace_pack p CROSS JOIN LATERAL "
    "(SELECT holder_enterprise_code, status FROM bench_pack_version WHERE key = p.key "
    "ORDER BY event_id DESC LIMIT 1) v WHERE p.approval_number = %s AND p.lot = %s GROUP BY 1, 2"
)


def recall_read(sql: str, lot: str) -> float:
    """Seconds to count a batch's packs by holder and status with `sql`."""
    from django.db import connection

    def read() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, [common.DRUG_APPROVAL_NUMBER, lot])
            cursor.fetchall()

    return common.timed(read)


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], 1_000_000, 0)
    if args.db != "postgres":
        raise SystemExit("PostgreSQL only: the alternative is about PostgreSQL's write path")
    with common.database(args.db, args.port) as url:
        common.setup_django(url)
        common.print_machine()
        say(f"command: bench/trace_state_log_floor.py --packs {args.packs} --repeats {args.repeats}")
        supply = common.build_supply(distributors=1, pharmacies=1)
        common.preload(supply, 1, args.packs)
        say(f"-- {args.packs:,} packs stored")
        now = [trace_capture.write_floor(supply, FIRST + r * SIZE, f"n{r}") for r in range(args.repeats)]
        say(f"  current schema, write floor: {common.fmt_runs(now, ' EPC obs/s')}")
        bare = [log_floor(supply, FIRST + (50 + r) * SIZE, f"r{r}", state=False) for r in range(args.repeats)]
        say(f"  events and EPC rows only (an event repository, no pack state): {common.fmt_runs(bare, ' EPC obs/s')}")
        reads_now = [recall_read(RECALL_FROM_PACKS, "L00001") for _ in range(args.repeats)]
        create_version_log()
        log = [log_floor(supply, FIRST + (100 + r) * SIZE, f"v{r}") for r in range(args.repeats)]
        say(f"  append-only pack versions, write floor: {common.fmt_runs(log, ' EPC obs/s')}")
        say(f"  ratio: {common.median(log) / common.median(now):.2f}x the current schema's floor")
        reads_log = [recall_read(RECALL_FROM_LOG, "L00001") for _ in range(args.repeats)]
        say(f"  a 100,000-pack batch by holder and status: trace_pack {common.fmt_runs(reads_now, ' s', 3)}; "
            f"newest versions {common.fmt_runs(reads_log, ' s', 3)}")  # fmt: skip


if __name__ == "__main__":
    main()
