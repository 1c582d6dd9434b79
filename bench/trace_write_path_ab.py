"""Benchmark of decision 0105's second amendment: each change to capture's write path against the
schema or code before it, run alternately (before, after, before, …) on one throwaway PostgreSQL
cluster with --packs packs stored, so that the machine's drift hits both sides.

- `trace_eventepc.event_id` with its deferred foreign key (before) or without it (now): the write
  floor of `bench/trace_capture.py` (three documents, 10,000 packs each).
- the `_like` twins of four `trace_event` columns (migration trace/0004) present or dropped: the same.
- new packs through a temp table and `INSERT … ON CONFLICT` (before) or COPYed straight into
  trace_pack (now): capture end to end of a commissioning document of 10,000 new packs.
- receiving reads the whole shipment again (before) or only its special-control sales packs still
  in transit, the ones the quantity rule counts (now): capture end to end of a receiving document
  of 10,000 packs of an ordinary drug (their commissioning and shipping captured first, not timed).
  Since decision 0109 trace_pack has no index on `shipment`: the "before" side then scans the table.

Run: .venv/bin/python bench/trace_write_path_ab.py [--packs N] [--repeats 4] [--port P]
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager as ContextManager
from contextlib import contextmanager
from typing import Any
from unittest import mock

import common
import trace_capture
from common import say

WRITE_PATH = importlib.import_module("medreg.trace.migrations.0004_capture_write_path")
FIRST = trace_capture.FIRST_NEW_SERIAL + 700_000_000  # far from every other script's packs
SIZE = trace_capture.EVENTS * trace_capture.EPCS
FK = "trace_eventepc_event_id_fk_before"
FK_SQL = (
    f"ALTER TABLE trace_eventepc ADD CONSTRAINT {FK} FOREIGN KEY (event_id) REFERENCES trace_event (id) "
    "DEFERRABLE INITIALLY DEFERRED NOT VALID"
)


def execute(*statements: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@contextmanager
def foreign_key() -> Iterator[None]:
    """The schema before: trace_eventepc.event_id with its deferred foreign key."""
    execute(FK_SQL)
    yield
    execute(f"ALTER TABLE trace_eventepc DROP CONSTRAINT {FK}")


@contextmanager
def like_indexes() -> Iterator[None]:
    """The schema before: the four `_like` twins migration trace/0004 drops."""
    indexes = WRITE_PATH.EVENT_LIKE_INDEXES.items()
    execute(*(f"CREATE INDEX {name} ON trace_event ({column} varchar_pattern_ops)" for name, column in indexes))
    yield
    execute(*(f"DROP INDEX {name}" for name, _ in indexes))


@contextmanager
def upsert_new_packs() -> Iterator[None]:
    """The code before: new packs through a temp table and INSERT … ON CONFLICT."""
    from medreg.trace.services import bulk_sql, persistence

    def upsert(cursor: Any, table: str, columns: Any, text: Any) -> None:
        if table != "trace_pack":
            return bulk_sql.copy_in(cursor, table, columns, text)
        stage, updates = "medreg_pack_stage", ", ".join(f"{f} = excluded.{f}" for f in persistence.PACK_FIELDS)
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE trace_pack) ON COMMIT DELETE ROWS")
        cursor.execute(f"TRUNCATE {stage}")
        bulk_sql.copy_in(cursor, stage, columns, text)
        cursor.execute(
            f"INSERT INTO trace_pack ({persistence._PACK_COLUMNS}) SELECT {persistence._PACK_COLUMNS} "
            f"FROM {stage} ON CONFLICT (key) DO UPDATE SET {updates}"
        )
        return None

    with mock.patch.object(persistence, "copy_in", upsert):
        yield


@contextmanager
def whole_shipment_read() -> Iterator[None]:
    """The code before: receiving read every pack of the shipments being received."""
    from medreg.trace.services import bulk_sql, persistence

    def whole(shipments: set[str]) -> list[Any]:
        with bulk_sql.fast_cursor() as cursor:
            cursor.execute(
                f"SELECT {persistence._STATE_SELECT} FROM trace_pack WHERE shipment = ANY(%s::text[])",
                (bulk_sql.text_array(list(shipments)),),
                binary=True,
            )
            return persistence._states(cursor.fetchall())

    with mock.patch.object(persistence, "_in_shipments", whole):
        yield


def floor(supply: common.Supply, number: int) -> float:
    return trace_capture.write_floor(supply, FIRST + number * SIZE, f"ab{number}")


def commissioning(supply: common.Supply, number: int) -> float:
    kind, sender, data = trace_capture.documents(supply, FIRST + number * SIZE, f"ab{number}")[0]
    assert kind == "commissioning"
    return SIZE / trace_capture.capture(sender, data)


def receiving(supply: common.Supply, number: int) -> float:
    (_, maker, commission), (_, _, ship), (kind, receiver, receive) = trace_capture.documents(
        supply, FIRST + number * SIZE, f"ab{number}"
    )
    assert kind == "receiving"
    trace_capture.capture(maker, commission)
    trace_capture.capture(maker, ship)
    return SIZE / trace_capture.capture(receiver, receive)


def alternate(supply: common.Supply, label: str, before: Callable[[], ContextManager[None]],
              measure: Callable[[common.Supply, int], float], rounds: int, start: int) -> None:  # fmt: skip
    """`rounds` pairs: measure inside `before()` (the schema or code before), then as it is now."""
    then, now = [], []
    for number in range(rounds):
        with before():
            then.append(measure(supply, start + 2 * number))
        now.append(measure(supply, start + 2 * number + 1))
    wins = sum(n > b for b, n in zip(then, now, strict=True))
    pad = " " * len(label)
    say(f"  {label}: before {common.fmt_runs(then, ' obs/s')}")
    say(f"  {pad}  now    {common.fmt_runs(now, ' obs/s')}")
    ratio = common.median(now) / common.median(then)
    say(f"  {pad}  now / before {ratio:.2f}x; now faster in {wins} of {rounds} pairs")


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], 1_000_000, 0)
    if args.db != "postgres":
        raise SystemExit("PostgreSQL only: the changes are about PostgreSQL's write path")
    with common.database(args.db, args.port) as url:
        common.setup_django(url)
        common.print_machine()
        say(f"command: bench/trace_write_path_ab.py --packs {args.packs} --repeats {args.repeats}")
        supply = common.build_supply(distributors=1, pharmacies=1)
        common.preload(supply, 1, args.packs)
        say(f"-- {args.packs:,} packs stored; {args.repeats} pairs each, before then now")
        floor(supply, 0)  # warm-up, not counted
        alternate(supply, "EPC rows' foreign key, write floor", foreign_key, floor, args.repeats, 100)
        alternate(supply, "four LIKE twins on trace_event, write floor", like_indexes, floor, args.repeats, 200)
        alternate(supply, "new packs by upsert, commissioning capture", upsert_new_packs, commissioning,
                  args.repeats, 300)  # fmt: skip
        alternate(supply, "whole shipment read, receiving capture", whole_shipment_read, receiving, args.repeats, 400)


if __name__ == "__main__":
    main()
