"""PostgreSQL plumbing of the capture hot path, in one place (STYLE.md 4: raw SQL only where the ORM
cannot do it, wrapped in named functions).

- `fast_cursor`: a psycopg cursor with server-side parameter binding on Django's own connection (so
  inside the caller's transaction). A list is bound as one binary array parameter (`= ANY(%s)`),
  where Django's client-side cursor quotes every element of an `IN (...)` list in Python — that
  quoting cost more than the queries themselves for 10,000 keys.
- `copy_text`: rows as one block of COPY text, built with string formatting instead of a call per row;
  `in_pieces` and `rows_in_pieces` make it piece by piece, so that `copy_in` sends each piece while
  the next is formatted.
- `reserve_ids`: ids taken from a table's sequence in one query, so rows can be COPYed with their ids.
- `serial_plans`: no parallel workers for the rest of the transaction: the batch's reads are index
  scans of a few milliseconds, and starting two workers cost 200-300 ms per query on a busy machine.
"""

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import psycopg
from django.db import connection

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def fast_cursor() -> psycopg.Cursor[Any]:
    """A server-side-binding cursor on the current connection (caller closes it, e.g. `with`)."""
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def copy_value(value: object) -> str:
    """One value in COPY text format."""
    if isinstance(value, str):  # str.translate is slow: only when there is something to escape
        special = "\\" in value or "\t" in value or "\n" in value or "\r" in value
        return value.translate(_COPY_ESCAPES) if special else value
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.date):  # dates and aware datetimes: ISO 8601, which PostgreSQL reads as is
        return value.isoformat()
    return str(value)


def copy_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as COPY text (tab-separated, one line each). A row is formatted in one join and checked
    once for characters that need escaping; only such rare rows go value by value."""
    lines = []
    for row in rows:
        line = "\t".join([v if type(v) is str else copy_value(v) for v in row])
        if line.count("\\") != row.count(None) or line.count("\t") != len(row) - 1 or "\n" in line or "\r" in line:
            line = "\t".join(map(copy_value, row))
        lines.append(line)
    return "\n".join(lines) + "\n" if lines else ""


def text_array(values: Sequence[str]) -> str:
    """A PostgreSQL text[] literal, to bind a long list as one short parameter (`= ANY(%s::text[])`):
    psycopg would dump a Python list element by element, in Python."""
    probe = "".join(values)
    if '"' in probe or "\\" in probe:
        values = [v.replace("\\", "\\\\").replace('"', '\\"') for v in values]
    return '{"' + '","'.join(values) + '"}' if values else "{}"


def copy_in(cursor: psycopg.Cursor[Any], table: str, columns: Sequence[str], text: str | Iterable[str]) -> None:
    """COPY `text` (from `copy_text`, or built the same way) into `table`. Given pieces (`in_pieces`),
    each is sent as soon as it is made: PostgreSQL stores one while the caller formats the next,
    instead of the two taking turns."""
    if not text:
        return
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for piece in [text] if isinstance(text, str) else text:
            copy.write(piece)


PIECE = 500  # COPY lines a piece: some 50-150 kB, a few milliseconds of formatting


def in_pieces(lines: Iterable[str], size: int = PIECE) -> Iterator[str]:
    """COPY lines (each ending in a newline) joined `size` at a time, as they are made."""
    lines = iter(lines)
    while piece := "".join(islice(lines, size)):
        yield piece


def rows_in_pieces(rows: Iterable[Sequence[object]], size: int = PIECE) -> Iterator[str]:
    """`copy_text` of `rows`, `size` rows at a time, as they are made."""
    rows = iter(rows)
    while piece := copy_text(list(islice(rows, size))):
        yield piece


def reserve_ids(cursor: psycopg.Cursor[Any], table: str, count: int) -> list[int]:
    """`count` fresh ids from the sequence of `table`.id, ascending."""
    if count == 0:
        return []
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        (table, count),
    )
    return sorted(row[0] for row in cursor.fetchall())


def serial_plans() -> None:
    """Plan the rest of the current transaction without parallel workers (`SET LOCAL`)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
