"""Traceability reads, scoped: verification (public), trace and track, recall scope, EPCIS query,
the alert queue. Other modules read traceability through these functions only."""

import base64
import datetime as dt
import functools
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from medreg.core.errors import DomainError, NotFound
from medreg.core.scoping import SYSTEM_SCOPE, Scope
from medreg.registry import selectors as registry
from medreg.trace.codes import CodeError, pack_key
from medreg.trace.locations import gln_of
from medreg.trace.models import Alert, CaptureJob, EpcRole, Event, EventEpc, Pack, Recall


@dataclass(frozen=True)
class Verification:
    """The answer to "is this pack genuine?" — nothing of trading partners' business."""

    code: str
    genuine: bool
    status: str = ""
    product: str = ""
    strength: str = ""
    approval_number: str = ""
    marketing_authorization_holder: str = ""
    batch: str = ""
    expiry: dt.date | None = None
    warnings: tuple[str, ...] = ()


def canonical_key(text: str) -> str:
    """The pack key of any code a pack may carry; a CodeError names what is wrong."""
    return pack_key(text.strip())


def verify(text: str, today: dt.date | None = None) -> Verification:
    """Public verification: genuine or unknown, status, product, holder, batch, expiry, warnings.

    One statement per call (the pack and its batch's recall flag); the drug's public summary comes
    from a per-process cache (`cached_drug_summary`)."""
    try:
        key = canonical_key(text)
    except CodeError:
        return Verification(code=text[:120], genuine=False, warnings=("invalid_code",))
    row = _verification_row(key)
    if row is None:
        return Verification(code=key, genuine=False, warnings=("unknown_code",))
    drug = cached_drug_summary(row.approval_number) if row.approval_number else None
    return Verification(
        code=key,
        genuine=True,
        status=row.status,
        product=drug.generic_name if drug else "",
        strength=drug.strength if drug else "",
        approval_number=row.approval_number,
        marketing_authorization_holder=drug.holder_name if drug else "",
        batch=row.lot,
        expiry=row.expiry,
        warnings=_warnings(row, today or timezone.localdate()),
    )


@dataclass(frozen=True)
class _VerificationRow:
    status: str
    approval_number: str
    lot: str
    expiry: dt.date | None
    batch_recalled: bool


_KEY_PARAMETER = "(pack key)"  # stands for the key while the ORM writes the statement


@functools.cache
def _verification_statement() -> tuple[str, tuple[Any, ...], int]:
    """The ORM's SQL for a pack's verification fields and its batch's recall flag, its parameters and
    where the key goes among them, written once per process: compiling the queryset on every call
    cost more than running it (docs/benchmarks.md)."""
    recalled = Recall.objects.filter(approval_number=OuterRef("approval_number"), lot=OuterRef("lot"))
    rows = (
        Pack.objects.filter(key=_KEY_PARAMETER)
        .annotate(batch_recalled=Exists(recalled))
        .values_list("status", "approval_number", "lot", "expiry", "batch_recalled")
    )
    sql, params = rows.query.sql_with_params()
    if params.count(_KEY_PARAMETER) != 1:
        raise RuntimeError(f"the verification statement must take the pack key once: {params!r}")
    return str(sql), tuple(params), params.index(_KEY_PARAMETER)


def _verification_row(key: str) -> _VerificationRow | None:
    """The pack `key` and its batch's recall flag, in one statement on the default database."""
    sql, params, key_position = _verification_statement()
    arguments = list(params)
    arguments[key_position] = key
    row = _prepared_row(sql, arguments) if connection.vendor == "postgresql" else _row(sql, arguments)
    if row is None:
        return None
    status, approval_number, lot, expiry, recalled = row
    if isinstance(expiry, str):  # SQLite hands dates back as ISO text; the ORM would convert them
        expiry = dt.date.fromisoformat(expiry)
    return _VerificationRow(status, approval_number, lot, expiry, bool(recalled))


def _row(sql: str, arguments: list[Any]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, arguments)
        return cursor.fetchone()  # type: ignore[no-any-return]


def _prepared_row(sql: str, arguments: list[Any]) -> tuple[Any, ...] | None:
    """The statement as a prepared statement of the connection: psycopg binds the key on the server
    and PostgreSQL parses and plans once per connection instead of once per verification (Django's
    cursors bind on the client and never prepare, so that connection poolers work; the platform
    connects to PostgreSQL directly, docs/operations.md). Django's error wrapping and query log
    apply as to any query; `connection.execute_wrapper` hooks do not see it."""
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        try:
            return _execute_prepared(cursor, sql, arguments)
        except psycopg.errors.FeatureNotSupported:
            # "cached plan must not change result type": a migration run by another process changed
            # a column the statement reads since this connection prepared it, and every execution
            # would fail until the connection closed. Outside a transaction nothing else was lost:
            # forget the connection's prepared statements (psycopg clears its own record of them on
            # DEALLOCATE ALL) and prepare the statement anew.
            if connection.in_atomic_block:
                raise
            cursor.execute("DEALLOCATE ALL")
            return _execute_prepared(cursor, sql, arguments)


def _execute_prepared(cursor: psycopg.Cursor[Any], sql: str, arguments: list[Any]) -> tuple[Any, ...] | None:
    if connection.queries_logged:
        with CursorDebugWrapper(cursor, connection).debug_sql(sql, arguments):
            cursor.execute(sql, arguments, prepare=True)
    else:
        cursor.execute(sql, arguments, prepare=True)
    return cursor.fetchone()  # type: ignore[no-any-return]


DRUG_SUMMARY_CACHE_SECONDS = 60
DRUG_SUMMARY_CACHE_SIZE = 4096
_clock = time.monotonic


def cached_drug_summary(approval_number: str) -> registry.DrugSummary | None:
    """The registry's public summary of a drug, cached per process for at most
    DRUG_SUMMARY_CACHE_SECONDS (a renamed drug or a transferred holder shows after that) and for at
    most DRUG_SUMMARY_CACHE_SIZE drugs, least recently used dropped first (decision 0104)."""
    return _drug_summary(approval_number, int(_clock() // DRUG_SUMMARY_CACHE_SECONDS))


@functools.lru_cache(maxsize=DRUG_SUMMARY_CACHE_SIZE)
def _drug_summary(approval_number: str, period: int) -> registry.DrugSummary | None:
    """`period` numbers the cache interval: entries of a past interval are never asked for again and
    age out of the LRU."""
    return registry.drug_summary(SYSTEM_SCOPE, approval_number)


def forget_cached_drug_summaries() -> None:
    """Empty this process's cache of drug summaries (tests; after a bulk registry correction)."""
    _drug_summary.cache_clear()


def _warnings(pack: _VerificationRow, today: dt.date) -> tuple[str, ...]:
    warnings = []
    if pack.batch_recalled or pack.status == "recalled":
        warnings.append("recalled")
    if pack.expiry is not None and pack.expiry < today:
        warnings.append("expired")
    if pack.status == "dispensed":
        warnings.append("already_dispensed")
    if pack.status in ("destroyed", "decommissioned"):
        warnings.append("inactive")
    return tuple(warnings)


def pack(scope: Scope, text: str) -> Pack:
    try:
        key = canonical_key(text)
    except CodeError as error:
        raise NotFound("pack") from error
    found = scope.apply(Pack.objects.all()).filter(key=key).first()
    if found is None:
        raise NotFound("pack")
    return found


@dataclass
class TraceAnswer:
    pack: Pack
    events: list[Event]
    ancestors: list[Pack]
    children: list[Pack]


def trace(scope: Scope, text: str) -> TraceAnswer:
    """A pack's full history — its own events and its containers' events while it was inside
    them, at any depth — and its current containment."""
    found = pack(scope, text)
    event_ids = _history_ids(found.key, None, None, depth=0)
    events = list(Event.objects.filter(pk__in=event_ids).order_by("event_time", "id"))
    children = list(Pack.objects.filter(parent_key=found.key).order_by("key")[:1000])
    return TraceAnswer(found, events, _ancestors(found), children)


def _history_ids(key: str, start: dt.datetime | None, end: dt.datetime | None, depth: int) -> set[int]:
    """Events naming `key` within [start, end], plus those of every container it entered in that window."""
    rows = EventEpc.objects.filter(key=key).select_related("event")
    rows = rows.filter(event__event_time__gte=start) if start else rows
    rows = rows.filter(event__event_time__lte=end) if end else rows
    ids = set()
    for row in rows:
        if depth and not _concerns_contents(row, end):
            continue
        ids.add(row.event_id)
        if row.role == EpcRole.CHILD and row.event.action == "ADD" and depth < 5:
            ids |= _container_history(row.event, key, end, depth)
    return ids


def _concerns_contents(row: EventEpc, end: dt.datetime | None) -> bool:
    """A container's event concerns what is inside it — unless it packs other things into the
    container, or unpacks before the contents we follow leave it."""
    if row.event.type != "AggregationEvent" or row.role != EpcRole.PARENT:
        return True
    return row.event.action == "DELETE" and (end is None or row.event.event_time == end)


def _container_history(packing: Event, key: str, end: dt.datetime | None, depth: int) -> set[int]:
    parent = EventEpc.objects.filter(event=packing, role=EpcRole.PARENT).values_list("key", flat=True).first()
    if parent is None:
        return set()
    left = _unpacked_at(parent, key, packing.event_time)
    window_end = min(t for t in (left, end) if t is not None) if (left or end) else None
    return _history_ids(parent, packing.event_time, window_end, depth + 1)


def _unpacked_at(parent: str, key: str, after: dt.datetime) -> dt.datetime | None:
    """When `key` left `parent`: the first later DELETE naming it, or naming no child at all."""
    deletes = Event.objects.filter(
        type="AggregationEvent", action="DELETE", event_time__gte=after, epcs__key=parent, epcs__role=EpcRole.PARENT
    ).order_by("event_time")
    for event in deletes.prefetch_related("epcs"):
        children = {e.key for e in event.epcs.all() if e.role == EpcRole.CHILD}
        if not children or key in children:
            return event.event_time
    return None


def _ancestors(start: Pack) -> list[Pack]:
    chain, current, seen = [], start.parent_key, {start.key}
    while current and current not in seen:
        seen.add(current)
        parent = Pack.objects.filter(key=current).first()
        if parent is None:
            break
        chain.append(parent)
        current = parent.parent_key
    return chain


@dataclass
class HolderNode:
    enterprise_code: str
    enterprise_name: str
    jurisdiction_path: str
    packs: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    received_from: set[str] = field(default_factory=set)


def batch_packs(scope: Scope, approval_number: str, lot: str) -> QuerySet[Pack]:
    return scope.apply(Pack.objects.all()).filter(approval_number=approval_number, lot=lot, package_level=1)


def track(scope: Scope, approval_number: str, lot: str) -> list[HolderNode]:
    """A batch's distribution tree: current holders with counts per status, and who supplied them."""
    packs = batch_packs(scope, approval_number, lot)
    rows = packs.order_by().values("holder_enterprise_code", "jurisdiction_path", "status").annotate(n=Count("key"))
    nodes: dict[str, HolderNode] = {}
    for row in rows:
        node = nodes.setdefault(
            row["holder_enterprise_code"], HolderNode(row["holder_enterprise_code"], "", row["jurisdiction_path"])
        )
        node.packs += row["n"]
        node.by_status[row["status"]] = node.by_status.get(row["status"], 0) + row["n"]
    _add_suppliers(nodes, approval_number, lot)
    _add_names(nodes)
    return sorted(nodes.values(), key=lambda n: (-n.packs, n.enterprise_code))


def _add_suppliers(nodes: dict[str, HolderNode], approval_number: str, lot: str) -> None:
    """Who shipped the batch to whom: shipping events of the batch's packs and their destinations."""
    keys = _with_containers(
        set(Pack.objects.filter(approval_number=approval_number, lot=lot).values_list("key", flat=True))
    )
    shipping = Event.objects.filter(
        biz_step="shipping", pk__in=EventEpc.objects.filter(key__in=keys).values("event_id")
    )
    for sender, payload in shipping.values_list("sender_enterprise_code", "payload"):
        for destination in _destination_codes(payload):
            nodes.setdefault(destination, HolderNode(destination, "", "")).received_from.add(sender)
            nodes.setdefault(sender, HolderNode(sender, "", ""))


def _with_containers(keys: set[str], depth: int = 4) -> set[str]:
    """The keys and every case or pallet any of them was ever packed into."""
    frontier = keys
    for _ in range(depth):
        packings = EventEpc.objects.filter(key__in=frontier, role=EpcRole.CHILD).values("event_id")
        parents = set(EventEpc.objects.filter(event_id__in=packings, role=EpcRole.PARENT).values_list("key", flat=True))
        frontier = parents - keys
        if not frontier:
            break
        keys = keys | frontier
    return keys


def _destination_codes(payload: dict) -> list[str]:  # type: ignore[type-arg]
    glns = {gln_of(d.get("destination")) for d in payload.get("destinationList", []) if isinstance(d, dict)}
    sites = registry.sites_by_gln(SYSTEM_SCOPE, {g for g in glns if g})
    return sorted({s.enterprise_code for s in sites.values()})


def _add_names(nodes: dict[str, HolderNode]) -> None:
    names = dict(registry.enterprises(SYSTEM_SCOPE).filter(uscc__in=nodes).values_list("uscc", "name"))
    for code, node in nodes.items():
        node.enterprise_name = names.get(code, code)


@dataclass
class RecallScope:
    approval_number: str
    lot: str
    total: int
    holders: list[dict[str, object]]
    dispensed: list[dict[str, object]]


def recall_scope(scope: Scope, approval_number: str, lot: str) -> RecallScope:
    """Every current holder with quantities of packs not yet dispensed, and where packs were dispensed."""
    packs = batch_packs(scope, approval_number, lot)
    holders = list(
        packs.exclude(status__in=["dispensed", "destroyed", "decommissioned"])
        .order_by()
        .values("holder_enterprise_code", "status")
        .annotate(packs=Count("key"))
        .order_by("holder_enterprise_code", "status")
    )
    dispensed = list(
        packs.filter(status="dispensed")
        .order_by()
        .values("holder_enterprise_code", "location")
        .annotate(packs=Count("key"))
        .order_by("holder_enterprise_code", "location")
    )
    rows: list[dict[str, object]] = [dict(r) for r in holders] + [dict(r) for r in dispensed]
    names = dict(
        registry.enterprises(SYSTEM_SCOPE)
        .filter(uscc__in={str(r["holder_enterprise_code"]) for r in rows})
        .values_list("uscc", "name")
    )
    for row in rows:
        row["holder_name"] = names.get(str(row["holder_enterprise_code"]), "")
    return RecallScope(approval_number, lot, packs.count(), rows[: len(holders)], rows[len(holders) :])


def events(scope: Scope) -> QuerySet[Event]:
    return scope.apply(Event.objects.all())


def capture_job(scope: Scope, job_id: str) -> CaptureJob:
    found = scope.apply(CaptureJob.objects.defer("document")).filter(pk=job_id).first()
    if found is None:
        raise NotFound("capture job")
    return found


def alerts(scope: Scope) -> QuerySet[Alert]:
    if scope.is_enterprise:
        return Alert.objects.none()
    return scope.apply(Alert.objects.all()).prefetch_related("evidence")


def alert_counts(scope: Scope) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in alerts(scope).filter(status="open").values("rule").annotate(n=Count("id")):
        counts[row["rule"]] = row["n"]
    return dict(counts)


@dataclass
class EventPageResult:
    events: list[dict[str, object]]
    next_page_token: str | None


def query_events(scope: Scope, params: dict[str, object]) -> EventPageResult:
    """The EPCIS simple events query over the caller's events, ordered by record id (stable paging)."""
    queryset = events(scope).order_by("id")
    queryset = _filter_events(queryset, params)
    after = _decode_token(str(params.get("nextPageToken") or ""))
    per_page = int(params.get("perPage") or 100)  # type: ignore[call-overload]
    page = list(queryset.filter(id__gt=after).values_list("id", "payload")[: per_page + 1])
    token = _encode_token(page[per_page - 1][0]) if len(page) > per_page else None
    return EventPageResult([payload for _, payload in page[:per_page]], token)


SIMPLE_EVENT_FILTERS = {
    "eventType": "type",
    "EQ_bizStep": "biz_step",
    "EQ_bizLocation": "biz_location",
    "EQ_readPoint": "read_point",
    "EQ_action": "action",
    "EQ_disposition": "disposition",
    "EQ_eventID": "identity",
    "GE_eventTime": "event_time__gte",
    "LT_eventTime": "event_time__lt",
    "GE_recordTime": "record_time__gte",
}
EPC_FILTERS = {
    "MATCH_epc": (EpcRole.EPC,),
    "MATCH_parentID": (EpcRole.PARENT,),
    "MATCH_anyEPC": (EpcRole.EPC, EpcRole.PARENT, EpcRole.CHILD, EpcRole.INPUT, EpcRole.OUTPUT),
}


def _filter_events(queryset: QuerySet[Event], params: dict[str, object]) -> QuerySet[Event]:
    for name, lookup in SIMPLE_EVENT_FILTERS.items():
        if params.get(name):
            value = params[name]
            if name in ("EQ_bizStep", "EQ_disposition") and isinstance(value, str):
                value = value.rsplit("-", 1)[-1].rsplit(":", 1)[-1]  # CBV URI or CURIE -> the stored bare name
            queryset = queryset.filter(**{lookup: value})
    for name, roles in EPC_FILTERS.items():
        if params.get(name):
            key = _query_key(name, str(params[name]))
            queryset = queryset.filter(pk__in=EventEpc.objects.filter(key=key, role__in=roles).values("event_id"))
    return queryset


def _query_key(name: str, text: str) -> str:
    try:
        return canonical_key(text)
    except CodeError as error:
        raise DomainError.single(name, "invalid_code", f"{error.field}: {error.problem}", error.fix) from error


def _encode_token(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"e:{last_id}".encode()).decode().rstrip("=")


def _decode_token(token: str) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        return int(text.removeprefix("e:")) if text.startswith("e:") else int("x")
    except (ValueError, UnicodeDecodeError) as error:
        raise DomainError.single(
            "nextPageToken",
            "invalid_token",
            "The page token is not one this server issued.",
            "Start again without nextPageToken.",
        ) from error
