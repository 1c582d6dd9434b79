"""Reading and writing the pack book, events and alerts in bulk: a batch of events costs a fixed
number of queries whatever its size."""

import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import orjson
from django.db import connection
from django.utils import timezone

from medreg.trace.epcis.model import EpcisEvent
from medreg.trace.models import (
    Alert,
    AlertRule,
    CaptureJob,
    EpcRole,
    Event,
    EventEpc,
    Pack,
    PackStatus,
    SpecialControlShipmentPack,
)
from medreg.trace.rules import SPECIAL_CONTROL
from medreg.trace.services.bulk_sql import (
    copy_in,
    copy_text,
    copy_value,
    fast_cursor,
    in_pieces,
    is_postgresql,
    reserve_ids,
    rows_in_pieces,
    serial_plans,
    text_array,
)
from medreg.trace.state import Finding, PackBook, PackState, Step

PACK_FIELDS = (
    "status",
    "holder_enterprise_code",
    "location",
    "jurisdiction_path",
    "destination_enterprise_code",
    "shipment",
    "parent_key",
    "updated_at",
    "last_event_identity",
)
CHUNK = 2000
# Rules about a batch or a shipment rather than one pack: one alert per batch, sender and place.
BATCH_RULES = {
    "shipped_to_unlicensed",
    "recalled_batch_movement",
    "expired_batch_movement",
    "special_quantity_mismatch",
}


def known_identities(identities: set[str]) -> set[str]:
    """Those of `identities` already stored as events."""
    if is_postgresql():
        with fast_cursor() as cursor:
            cursor.execute(
                "SELECT identity FROM trace_event WHERE identity = ANY(%s::text[])", (text_array(list(identities)),)
            )
            return {row[0] for row in cursor.fetchall()}
    return set(Event.objects.filter(identity__in=identities).values_list("identity", flat=True))


def load_book(steps: list[Step]) -> PackBook:
    """Every pack the steps name, everything inside them, and of any shipment being received the
    other packs the quantity rule counts (special-control sales packs still in transit,
    `rules.quantity_findings`): nothing else reads a pack the steps do not name.

    PostgreSQL (decision 0111): every pack read stays locked until the job's transaction ends
    (`FOR NO KEY UPDATE`), so a second job naming one of them waits and then reads the state this
    job wrote; jobs naming other packs do not wait. Each read sees what was committed when it started,
    so a later read can see a job that committed after an earlier one: one that stored packs this job
    names and did not find. When the job found some of its named packs and not others, it therefore
    checks last that none of the others has been stored since, and reads its book again if one has."""
    if is_postgresql():
        serial_plans()
    keys = {k for s in steps for k in (*s.keys, *s.child_keys, s.parent_key) if k}
    receiving = any(s.biz_step == "receiving" for s in steps)
    while True:
        named = {p.key: p for p in _packs(NAMED, "key", list(keys))}  # NAMED orders the locks
        packs = {**named, **_inside(list(named))}
        shipments = {p.shipment for p in packs.values() if p.shipment and p.status == "in_transit"}
        if receiving and shipments:
            packs.update({p.key: p for p in _in_shipments(shipments) if p.key not in packs})
        missing = list(keys - named.keys()) if named and is_postgresql() else []
        if not (missing and _any_stored(missing)):
            return PackBook(packs.values())


def _inside(containers: list[str]) -> dict[str, PackState]:
    """Level by level everything inside `containers` (cases, then their packs), locked on PostgreSQL
    by statements that start after the containers were locked. No other job can then change what is
    inside them: packing and unpacking name, and so lock, the container a pack goes into (a pack
    packed into another case leaves this one: the read that waited for it no longer finds it here)."""
    found: dict[str, PackState] = {}
    frontier = containers
    while frontier:
        inside = [p for p in _packs(INSIDE, "parent_key", frontier) if p.key not in found]
        found.update({p.key: p for p in inside})
        frontier = [p.key for p in inside]
    return found


def _any_stored(keys: list[str]) -> bool:
    """Whether any of `keys` is a stored pack now (PostgreSQL, no lock)."""
    with fast_cursor() as cursor:
        cursor.execute("SELECT 1 FROM trace_pack WHERE key = ANY(%s::text[]) LIMIT 1", (text_array(keys),))
        return cursor.fetchone() is not None


def _packs(sql: str, field: str, values: list[str]) -> list[PackState]:
    """The packs whose `field` is in `values`: on PostgreSQL with `sql` (NAMED or INSIDE), which locks
    them until the transaction ends."""
    if not values:
        return []
    if is_postgresql():
        with fast_cursor() as cursor:
            cursor.execute(sql, (text_array(values),), binary=True)
            return _states(cursor.fetchall())
    return _states(_chunked_filter(values, field))


def _in_shipments(shipments: set[str]) -> list[PackState]:
    """The special-control sales packs of `shipments` still in transit, found through the rows
    `store_packs` wrote when they were shipped (trace_pack has no index on `shipment`: decision 0109).
    A pack shipped again under another shipment since is not in transit under this one. An ordinary
    drug's shipment of 10,000 packs, all named by the receiving events, reads no row twice.

    PostgreSQL locks them too: a job receiving another part of the shipment at the same moment holds
    some of them, so one job waits for the other (or PostgreSQL breaks their deadlock and one starts
    over), and the second counts only what the first left in transit, as one after the other would."""
    controls = sorted(SPECIAL_CONTROL)
    if is_postgresql():
        with fast_cursor() as cursor:
            cursor.execute(
                f"SELECT {_PACK_STATE_SELECT} FROM trace_specialcontrolshipmentpack AS shipped "  # noqa: S608
                "JOIN trace_pack AS pack ON pack.key = shipped.pack_key AND pack.shipment = shipped.shipment "
                "WHERE shipped.shipment = ANY(%s::text[]) AND pack.status = 'in_transit' "
                "AND pack.package_level = 1 AND pack.special_control = ANY(%s::text[]) FOR NO KEY UPDATE OF pack",
                (text_array(list(shipments)), text_array(controls)),
                binary=True,
            )
            return _states(cursor.fetchall())
    shipped = SpecialControlShipmentPack.objects.filter(shipment__in=shipments)
    keys = sorted(set(shipped.values_list("pack_key", flat=True)))  # then by key: trace_pack has no other index
    packs = (
        _states(
            Pack.objects.filter(
                key__in=keys[start : start + CHUNK],
                status=PackStatus.IN_TRANSIT,
                package_level=1,
                special_control__in=controls,
            ).values_list(*STATE_COLUMNS)
        )
        for start in range(0, len(keys), CHUNK)
    )
    return [p for chunk in packs for p in chunk if p.shipment in shipments]


def _chunked_filter(values: list[str], field: str) -> Iterable[tuple[Any, ...]]:
    for start in range(0, len(values), CHUNK):
        yield from Pack.objects.filter(**{f"{field}__in": values[start : start + CHUNK]}).values_list(*STATE_COLUMNS)


# Pack columns in the order of PackState's fields: rows become states without model instances.
STATE_COLUMNS = (
    "key",
    "status",
    "holder_enterprise_code",
    "commissioned_by_enterprise_code",
    "location",
    "jurisdiction_path",
    "commissioned_at",
    "updated_at",
    "gtin",
    "serial",
    "lot",
    "expiry",
    "approval_number",
    "package_level",
    "special_control",
    "destination_enterprise_code",
    "shipment",
    "parent_key",
    "last_event_identity",
)


_STATE_SELECT = ", ".join(STATE_COLUMNS)
_PACK_STATE_SELECT = ", ".join(f"pack.{c}" for c in STATE_COLUMNS)
# The packs of keys $1 (NAMED), or inside containers $1 (INSIDE), each row locked against another
# job's change until this transaction ends (a move changes no key: FOR NO KEY UPDATE is the lock it
# takes). Named packs are locked in key order, so two jobs naming some of the same packs wait for
# each other in one order; PostgreSQL breaks the rarer circles (through the packs inside, or a
# second read) and the job it fails starts over (`processing.process_job`).
NAMED = f"SELECT {_STATE_SELECT} FROM trace_pack WHERE key = ANY(%s::text[]) ORDER BY key FOR NO KEY UPDATE"  # noqa: S608
INSIDE = f"SELECT {_STATE_SELECT} FROM trace_pack WHERE parent_key = ANY(%s::text[]) FOR NO KEY UPDATE"  # noqa: S608


def _states(rows: Iterable[tuple[Any, ...]]) -> list[PackState]:
    return [PackState(*row) for row in rows]


def store_packs(book: PackBook) -> int:
    """Write the packs the batch changed. PostgreSQL: packs already stored, locked by `load_book`, get
    one `UPDATE … FROM` a session temp table COPYed with their changeable columns (half the text of
    an upsert); new packs are COPYed straight into trace_pack. A new pack another job stored after
    this job's read makes the COPY fail on trace_pack's key, and the job starts over and finds it
    (`processing.process_job`): it was commissioned twice. SQLite, where one writer at a time reads
    and writes: one executemany of `INSERT … ON CONFLICT (key) DO UPDATE` for all of them."""
    dirty_packs = [p for p in book.packs.values() if p.dirty]
    if not dirty_packs:
        return 0
    _record_special_shipments(dirty_packs)
    if is_postgresql():
        new = [p for p in dirty_packs if p.is_new]
        changed = [p for p in dirty_packs if not p.is_new]
        with fast_cursor() as cursor:
            if changed:
                _copy_into_changes(cursor, in_pieces(map(_change_line, changed)))
                cursor.execute(_UPDATE_FROM_CHANGES)
            if new:
                copy_in(cursor, "trace_pack", PACK_COLUMNS, in_pieces(map(_pack_line, new)))
        return len(dirty_packs)
    dirty = [_pack_values(p) for p in dirty_packs]
    updates = ", ".join(f"{f} = excluded.{f}" for f in PACK_FIELDS)
    marks = ", ".join(["%s"] * len(PACK_COLUMNS))
    sql = f"INSERT INTO trace_pack ({_PACK_COLUMNS}) VALUES ({marks}) ON CONFLICT (key) DO UPDATE SET {updates}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, [_adapted(row) for row in dirty])
    return len(dirty)


def _record_special_shipments(packs: list[PackState]) -> None:
    """One row per special-control sales pack in transit and its shipment, once (the quantity rule's
    way to a shipment's packs, `_in_shipments`). Ordinary drugs write none."""
    shipped = sorted(
        {(p.shipment, p.key) for p in packs if p.status == PackStatus.IN_TRANSIT and p.shipment and _is_special_sale(p)}
    )
    if not shipped:
        return
    if is_postgresql():
        with fast_cursor() as cursor:
            cursor.execute(
                "INSERT INTO trace_specialcontrolshipmentpack (shipment, pack_key) "
                "SELECT * FROM unnest(%s::text[], %s::text[]) ON CONFLICT DO NOTHING",
                (text_array([s for s, _ in shipped]), text_array([k for _, k in shipped])),
            )
        return
    rows = [SpecialControlShipmentPack(shipment=shipment, pack_key=key) for shipment, key in shipped]
    SpecialControlShipmentPack.objects.bulk_create(rows, batch_size=CHUNK, ignore_conflicts=True)


def _is_special_sale(pack: PackState) -> bool:
    return pack.package_level == 1 and pack.special_control in SPECIAL_CONTROL


# Every column of trace_pack, in the order of _pack_values; PACK_FIELDS are those an event can change.
PACK_COLUMNS = (
    "key",
    "gtin",
    "serial",
    "lot",
    "expiry",
    "approval_number",
    "package_level",
    "special_control",
    "status",
    "holder_enterprise_code",
    "commissioned_by_enterprise_code",
    "location",
    "jurisdiction_path",
    "destination_enterprise_code",
    "shipment",
    "parent_key",
    "commissioned_at",
    "updated_at",
    "last_event_identity",
)
_PACK_COLUMNS = ", ".join(PACK_COLUMNS)


def _pack_values(p: PackState) -> tuple[object, ...]:
    return (
        p.key,
        p.gtin,
        p.serial,
        p.lot,
        p.expiry,
        p.approval_number,
        p.package_level,
        p.special_control,
        p.status,
        p.holder,
        p.commissioned_by,
        p.location,
        p.jurisdiction_path,
        p.destination,
        p.shipment,
        p.parent_key,
        p.commissioned_at,
        p.updated_at,
        p.last_event,
    )


_CHANGES = "medreg_pack_changes"
# The key and the columns an event can change, in the order of _change_values.
CHANGE_COLUMNS = ("key", *PACK_FIELDS)
_UPDATE_FROM_CHANGES = (
    f"UPDATE trace_pack AS pack SET {', '.join(f'{f} = changed.{f}' for f in PACK_FIELDS)} "  # noqa: S608
    f"FROM {_CHANGES} AS changed WHERE pack.key = changed.key"
)


# A batch has one time per event for ten or more packs: each formatted once. Equal instants written
# with another offset get the first one's text, which PostgreSQL reads as the same timestamptz.
_iso = functools.lru_cache(maxsize=8192)(dt.datetime.isoformat)


def _change_values(p: PackState) -> tuple[object, ...]:
    return (
        p.key,
        p.status,
        p.holder,
        p.location,
        p.jurisdiction_path,
        p.destination,
        p.shipment,
        p.parent_key,
        p.updated_at,
        p.last_event,
    )


def _copy_into_changes(cursor: Any, text: str | Iterable[str]) -> None:
    """A per-session temp table of (key, changeable columns), emptied, then filled with COPY."""
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {_CHANGES} ON COMMIT DELETE ROWS AS "  # noqa: S608
        f"SELECT {', '.join(CHANGE_COLUMNS)} FROM trace_pack WITH NO DATA"
    )
    cursor.execute(f"TRUNCATE {_CHANGES}")
    copy_in(cursor, _CHANGES, CHANGE_COLUMNS, text)


def _change_line(p: PackState) -> str:
    """One COPY line of `_change_values(p)` in one f-string; a pack with a character COPY must
    escape goes through the general formatter."""
    parent = "\\N" if p.parent_key is None else p.parent_key
    line = (
        f"{p.key}\t{p.status}\t{p.holder}\t{p.location}\t{p.jurisdiction_path}\t{p.destination}\t{p.shipment}\t"
        f"{parent}\t{_iso(p.updated_at)}\t{p.last_event}\n"
    )
    nulls, tabs = p.parent_key is None, len(CHANGE_COLUMNS) - 1
    if line.count("\\") != nulls or line.count("\t") != tabs or line.count("\n") != 1 or "\r" in line:
        return copy_text([_change_values(p)])
    return line


def _pack_line(p: PackState) -> str:
    """One COPY line of `_pack_values(p)` in one f-string (the hot path formats 10,000 packs a batch);
    a pack with a character COPY must escape goes through the general formatter."""
    expiry = "\\N" if p.expiry is None else p.expiry.isoformat()
    parent = "\\N" if p.parent_key is None else p.parent_key
    line = (
        f"{p.key}\t{p.gtin}\t{p.serial}\t{p.lot}\t{expiry}\t{p.approval_number}\t{p.package_level:d}\t"
        f"{p.special_control}\t{p.status}\t{p.holder}\t{p.commissioned_by}\t{p.location}\t{p.jurisdiction_path}\t"
        f"{p.destination}\t{p.shipment}\t{parent}\t{_iso(p.commissioned_at)}\t{_iso(p.updated_at)}\t"
        f"{p.last_event}\n"
    )
    nulls = (p.expiry is None) + (p.parent_key is None)
    if line.count("\\") != nulls or line.count("\t") != len(PACK_COLUMNS) - 1 or line.count("\n") != 1 or "\r" in line:
        return copy_text([_pack_values(p)])
    return line


def _adapted(row: tuple[object, ...]) -> list[Any]:
    """Values as Django's SQLite backend stores them (dates and aware datetimes as ISO text in UTC)."""
    ops = connection.ops
    return [
        ops.adapt_datetimefield_value(v)
        if isinstance(v, dt.datetime)
        else ops.adapt_datefield_value(v)
        if isinstance(v, dt.date)
        else v
        for v in row
    ]


def store_events(events: list[EpcisEvent], steps: list[Step], job: CaptureJob) -> dict[str, int]:
    """Insert the events and their EPC observations; returns identity -> row id.
    PostgreSQL: ids reserved from the sequence, then events and observations by COPY."""
    if not events:
        return {}
    by_index = {s.index: s for s in steps}
    ids = (_copy_events if is_postgresql() else _insert_events)(events, by_index, job)
    store_observations(_observations(steps, ids))
    return ids


def forget_events(event_ids: dict[str, int], identities: set[str]) -> dict[str, int]:
    """Delete the stored events of `identities`, with their EPC rows; the ids of the others."""
    gone = sorted(event_ids[i] for i in identities if i in event_ids)
    for start in range(0, len(gone), CHUNK):  # SQLite takes at most 32,766 parameters a statement
        EventEpc.objects.filter(event_id__in=gone[start : start + CHUNK]).delete()
        Event.objects.filter(id__in=gone[start : start + CHUNK]).delete()
    return {identity: event_id for identity, event_id in event_ids.items() if identity not in identities}


def _event_values(e: EpcisEvent, step: Step, job: CaptureJob) -> tuple[object, ...]:
    """Event columns after the id, in the order of EVENT_COLUMNS (job and payload excluded)."""
    sender = job.sender_enterprise_code
    return (
        e.identity, e.type, e.action or "", (e.biz_step or "")[:120], (e.disposition or "")[:120], e.event_time,
        (e.read_point or "")[:200], (e.biz_location or "")[:200], sender, sender,
        step.location_path or job.jurisdiction_path,
    )  # fmt: skip


EVENT_COLUMNS = (
    "id", "identity", "type", "action", "biz_step", "disposition", "event_time", "read_point", "biz_location",
    "sender_enterprise_code", "owner_enterprise_code", "jurisdiction_path", "record_time", "job_id", "payload",
)  # fmt: skip


def _copy_events(events: list[EpcisEvent], by_index: dict[int, Step], job: CaptureJob) -> dict[str, int]:
    now = timezone.now()
    with fast_cursor() as cursor:
        ids = reserve_ids(cursor, "trace_event", len(events))
        rows = (
            (event_id, *_event_values(e, by_index[e.index], job), now, job.pk, _json(e.raw))
            for event_id, e in zip(ids, events, strict=True)
        )
        copy_in(cursor, "trace_event", EVENT_COLUMNS, rows_in_pieces(rows))
    return {e.identity: event_id for event_id, e in zip(ids, events, strict=True)}


def _json(value: Any) -> str:
    """The payload as JSON text (orjson; the standard library for what orjson refuses, e.g. huge integers)."""
    try:
        return orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value)


def _insert_events(events: list[EpcisEvent], by_index: dict[int, Step], job: CaptureJob) -> dict[str, int]:
    rows = [
        Event(
            identity=e.identity,
            type=e.type,
            action=e.action or "",
            biz_step=(e.biz_step or "")[:120],
            disposition=(e.disposition or "")[:120],
            event_time=e.event_time,
            read_point=(e.read_point or "")[:200],
            biz_location=(e.biz_location or "")[:200],
            sender_enterprise_code=job.sender_enterprise_code,
            owner_enterprise_code=job.sender_enterprise_code,
            jurisdiction_path=by_index[e.index].location_path or job.jurisdiction_path,
            job=job,
            payload=dict(e.raw),
        )
        for e in events
    ]
    Event.objects.bulk_create(rows, batch_size=CHUNK)
    return {row.identity: row.pk for row in rows}


def _observations(steps: list[Step], ids: dict[str, int]) -> list[tuple[int, str, int]]:
    rows = []
    epc, child, parent = EpcRole.EPC.value, EpcRole.CHILD.value, EpcRole.PARENT.value
    for step in steps:
        event_id = ids[step.identity]
        rows += [(event_id, k, epc) for k in step.keys]
        rows += [(event_id, k, child) for k in step.child_keys]
        if step.parent_key:
            rows.append((event_id, step.parent_key, parent))
    return rows


def store_observations(rows: list[tuple[int, str, int]]) -> None:
    """EventEpc rows (event_id, key, role): COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    if is_postgresql():
        lines = (f"{event_id}\t{copy_value(key)}\t{role}\n" for event_id, key, role in rows)
        with fast_cursor() as cursor:
            copy_in(cursor, "trace_eventepc", ("event_id", "key", "role"), in_pieces(lines))
        return
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO trace_eventepc (event_id, key, role) VALUES (%s, %s, %s)", rows)


def store_alerts(findings: list[Finding], event_ids: dict[str, int]) -> list[Alert]:
    """Alerts for the enabled rules, each linked to its evidence events."""
    rules = active_rules()
    kept = [f for f in _merged(findings) if rules.get(f.rule, ("high", True))[1]]
    evidence = {i for f in kept for i in f.evidence} - set(event_ids)
    known = {**event_ids, **dict(Event.objects.filter(identity__in=evidence).values_list("identity", "pk"))}
    alerts = [
        Alert(
            rule=f.rule,
            severity=rules.get(f.rule, ("high", True))[0],
            jurisdiction_path=f.jurisdiction_path,
            jurisdiction_code=f.jurisdiction_path.rstrip("/").rsplit("/", 1)[-1],
            pack_key=f.pack_key,
            approval_number=f.approval_number,
            lot=f.lot,
            enterprise_code=f.enterprise,
            message=f.message[:500],
            text=f.text.name,
            text_fields=dict(f.text.fields),
        )
        for f in kept
    ]
    Alert.objects.bulk_create(alerts)
    links = [
        Alert.evidence.through(alert_id=a.pk, event_id=known[i])
        for a, f in zip(alerts, kept, strict=True)
        for i in {f.identity, *f.evidence}
        if i in known
    ]
    Alert.evidence.through.objects.bulk_create(links, ignore_conflicts=True)
    return alerts


def _merged(findings: list[Finding]) -> list[Finding]:
    """One alert per anomaly, not per pack: findings with the same rule, place, batch and message merge,
    keeping every event as evidence."""
    merged: dict[tuple[str, ...], Finding] = {}
    for f in findings:
        key = (f.rule, f.jurisdiction_path, f.approval_number, f.lot, f.message if not f.pack_key else f.pack_key)
        if f.rule in BATCH_RULES:
            key = (f.rule, f.jurisdiction_path, f.approval_number, f.lot, f.enterprise)
        first = merged.setdefault(key, f)
        if first is not f:
            merged[key] = replace(first, evidence=(*first.evidence, f.identity, *f.evidence))
    return list(merged.values())


def active_rules() -> dict[str, tuple[str, bool]]:
    """rule code -> (severity, enabled), from the newest version in force today (dated configuration)."""
    today = timezone.localdate()
    result: dict[str, tuple[str, bool]] = {}
    for rule in AlertRule.objects.filter(valid_from__lte=today).order_by("code", "-valid_from"):
        result.setdefault(rule.code, (rule.severity, rule.enabled))
    return result
