"""Reading and writing the pack book, events and alerts in bulk: a batch of events costs a fixed
number of queries whatever its size."""

from collections.abc import Iterable

from django.utils import timezone

from medreg.trace.epcis.model import EpcisEvent
from medreg.trace.models import Alert, AlertRule, CaptureJob, EpcRole, Event, EventEpc, Pack
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


def load_book(steps: list[Step]) -> PackBook:
    """Every pack the steps name, everything inside them, and the rest of any shipment being received."""
    keys = {k for s in steps for k in (*s.keys, *s.child_keys, s.parent_key) if k}
    packs = _with_descendants(keys)
    shipments = {p.shipment for p in packs.values() if p.shipment and p.status == "in_transit"}
    if any(s.biz_step == "receiving" for s in steps) and shipments:
        packs.update({p.key: p for p in _states(Pack.objects.filter(shipment__in=shipments)) if p.key not in packs})
    return PackBook(packs.values())


def _with_descendants(keys: set[str]) -> dict[str, PackState]:
    found: dict[str, PackState] = {}
    frontier = set(keys)
    while frontier:
        batch = [k for k in frontier if k not in found]
        rows = _states(_chunked_filter(batch, "key")) + _states(_chunked_filter(batch, "parent_key"))
        frontier = {p.key for p in rows if p.key not in found}
        found.update({p.key: p for p in rows})
    return found


def _chunked_filter(values: list[str], field: str) -> Iterable[Pack]:
    for start in range(0, len(values), CHUNK):
        yield from Pack.objects.filter(**{f"{field}__in": values[start : start + CHUNK]})


def _states(rows: Iterable[Pack]) -> list[PackState]:
    return [
        PackState(
            key=p.key,
            status=p.status,
            holder=p.holder_enterprise_code,
            commissioned_by=p.commissioned_by_enterprise_code,
            location=p.location,
            jurisdiction_path=p.jurisdiction_path,
            commissioned_at=p.commissioned_at,
            updated_at=p.updated_at,
            gtin=p.gtin,
            serial=p.serial,
            lot=p.lot,
            expiry=p.expiry,
            approval_number=p.approval_number,
            package_level=p.package_level,
            special_control=p.special_control,
            destination=p.destination_enterprise_code,
            shipment=p.shipment,
            parent_key=p.parent_key,
            last_event=p.last_event_identity,
        )
        for p in rows
    ]


def store_packs(book: PackBook) -> int:
    dirty = [p for p in book.packs.values() if p.dirty]
    rows = [_row(p) for p in dirty]
    Pack.objects.bulk_create([r for r, p in zip(rows, dirty, strict=True) if p.is_new], batch_size=CHUNK)
    existing = [r for r, p in zip(rows, dirty, strict=True) if not p.is_new]
    Pack.objects.bulk_update(existing, PACK_FIELDS, batch_size=CHUNK)
    return len(dirty)


def _row(p: PackState) -> Pack:
    return Pack(
        key=p.key,
        gtin=p.gtin,
        serial=p.serial,
        lot=p.lot,
        expiry=p.expiry,
        approval_number=p.approval_number,
        package_level=p.package_level,
        special_control=p.special_control,
        status=p.status,
        holder_enterprise_code=p.holder,
        commissioned_by_enterprise_code=p.commissioned_by,
        location=p.location,
        jurisdiction_path=p.jurisdiction_path,
        destination_enterprise_code=p.destination,
        shipment=p.shipment,
        parent_key=p.parent_key,
        commissioned_at=p.commissioned_at,
        updated_at=p.updated_at,
        last_event_identity=p.last_event,
    )


def store_events(events: list[EpcisEvent], steps: list[Step], job: CaptureJob) -> dict[str, int]:
    """Insert the events and their EPC observations; returns identity -> row id."""
    by_index = {s.index: s for s in steps}
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
    ids = {row.identity: row.pk for row in rows}
    EventEpc.objects.bulk_create(_observations(steps, ids), batch_size=5000)
    return ids


def _observations(steps: list[Step], ids: dict[str, int]) -> list[EventEpc]:
    rows = []
    for step in steps:
        event_id = ids[step.identity]
        rows += [EventEpc(event_id=event_id, key=k, role=EpcRole.EPC) for k in step.keys]
        rows += [EventEpc(event_id=event_id, key=k, role=EpcRole.CHILD) for k in step.child_keys]
        if step.parent_key:
            rows.append(EventEpc(event_id=event_id, key=step.parent_key, role=EpcRole.PARENT))
    return rows


def store_alerts(findings: list[Finding], event_ids: dict[str, int]) -> list[Alert]:
    """Alerts for the enabled rules, each linked to its evidence events."""
    rules = active_rules()
    kept = [f for f in findings if rules.get(f.rule, ("high", True))[1]]
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


def active_rules() -> dict[str, tuple[str, bool]]:
    """rule code -> (severity, enabled), from the newest version in force today (dated configuration)."""
    today = timezone.localdate()
    result: dict[str, tuple[str, bool]] = {}
    for rule in AlertRule.objects.filter(valid_from__lte=today).order_by("code", "-valid_from"):
        result.setdefault(rule.code, (rule.severity, rule.enabled))
    return result
