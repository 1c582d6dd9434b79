"""Pack state as a pure state machine: events applied in time order to the packs they name and to
everything those packs contain. No database here: the capture service loads the packs involved,
calls `apply_events`, and writes back what changed, so a batch of events costs a few queries."""

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from medreg.trace.alert_texts import Text, said

CONTAINER_STEPS = {"packing", "unpacking"}
TERMINAL = {"destroyed", "decommissioned"}
STATUS_BY_STEP = {
    "commissioning": "commissioned",
    "shipping": "in_transit",
    "departing": "in_transit",
    "receiving": "received",
    "arriving": "received",
    "accepting": "received",
    "storing": "in_stock",
    "stocking": "in_stock",
    "dispensing": "dispensed",
    "retail_selling": "dispensed",
    "destroying": "destroyed",
    "decommissioning": "decommissioned",
    "recalling": "recalled",
}
STATUS_BY_DISPOSITION = {
    "in_transit": "in_transit",
    "dispensed": "dispensed",
    "retail_sold": "dispensed",
    "destroyed": "destroyed",
    "inactive": "decommissioned",
    "recalled": "recalled",
    "returned": "returned",
    "sellable_accessible": "in_stock",
}
DISPENSED = "dispensed"
# A pack in transit keeps every receiving party of its shipment (an owner and its logistics provider's
# warehouse, say), joined, in Pack.destination_enterprise_code; more than fit are not kept at all.
DESTINATION_SEPARATOR = ","
DESTINATION_LENGTH = 200
# Expiry dates printed on packs are days of China's calendar (settings.TIME_ZONE); event times are UTC.
CHINA_TIME = ZoneInfo("Asia/Shanghai")
# Recalled batches, (approval number, lot), with the moment each recall began: moves from then on alert.
Recalled = Mapping[tuple[str, str], dt.datetime]


def china_date(moment: dt.datetime) -> dt.date:
    """The day of China's calendar an (aware) event time falls on (the last representable day for a
    time in the last hours of year 9999 UTC, which the schema accepts)."""
    try:
        return moment.astimezone(CHINA_TIME).date()
    except OverflowError:
        return dt.date.max


@dataclass(slots=True)
class PackState:
    """The mutable state of one pack while a batch is applied (slots: a batch holds tens of thousands,
    built positionally from database rows)."""

    key: str
    status: str
    holder: str
    commissioned_by: str
    location: str
    jurisdiction_path: str
    commissioned_at: dt.datetime
    updated_at: dt.datetime
    gtin: str = ""
    serial: str = ""
    lot: str = ""
    expiry: dt.date | None = None
    approval_number: str = ""
    package_level: int = 1
    special_control: str = ""
    destination: str = ""
    shipment: str = ""
    parent_key: str | None = None
    last_event: str = ""  # identity of the last event that changed it
    dirty: bool = False
    is_new: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    """One event as the state machine needs it, with identifiers already resolved."""

    identity: str
    index: int
    event_type: str
    action: str
    biz_step: str
    disposition: str
    event_time: dt.datetime
    sender: str
    sender_path: str
    location: str
    location_path: str
    keys: tuple[str, ...] = ()
    parent_key: str | None = None
    child_keys: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ()  # enterprises of the destination list's parties, in its order
    shipment: str = ""
    new_packs: tuple["NewPack", ...] = ()

    @property
    def destination(self) -> str:
        """The first receiving party (the one whose licence the licence rule judges)."""
        return self.destinations[0] if self.destinations else ""


@dataclass(frozen=True, slots=True)
class NewPack:
    """Product facts for a pack being commissioned (from the registry binding and the code)."""

    key: str
    gtin: str
    serial: str
    lot: str
    expiry: dt.date | None
    approval_number: str
    package_level: int
    special_control: str


@dataclass(frozen=True)
class Finding:
    """An anomaly for the alert queue; `rule` names the configurable rule, `text` what it says."""

    rule: str
    identity: str
    pack_key: str
    jurisdiction_path: str
    enterprise: str
    text: Text
    approval_number: str = ""
    lot: str = ""
    evidence: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """The English message (the API's and the audit trail's)."""
        return self.text.english()


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    rejected: dict[int, tuple[str, str]] = field(default_factory=dict)  # index -> (code, message)


class PackBook:
    """The packs of one batch, with their containment."""

    def __init__(self, packs: Iterable[PackState]) -> None:
        self.packs = {p.key: p for p in packs}
        self.children: dict[str, set[str]] = {}
        for pack in self.packs.values():
            if pack.parent_key:
                self.children.setdefault(pack.parent_key, set()).add(pack.key)

    def with_descendants(self, key: str) -> Iterator[PackState]:
        """The pack itself, then everything inside it, depth first."""
        if key not in self.children:  # a pack with nothing inside: nearly every key of a batch
            pack = self.packs.get(key)
            if pack is not None:
                yield pack
            return
        stack, seen = [key], set()
        while stack:
            current = stack.pop()
            if current in seen or current not in self.packs:
                continue
            seen.add(current)
            yield self.packs[current]
            stack.extend(self.children.get(current, ()))

    def set_parent(self, child: PackState, parent_key: str | None) -> None:
        if child.parent_key:
            self.children.get(child.parent_key, set()).discard(child.key)
        child.parent_key = parent_key
        if parent_key:
            self.children.setdefault(parent_key, set()).add(child.key)
        child.dirty = True


def apply_events(book: PackBook, steps: Iterable[Step], recalled: Recalled) -> Outcome:
    """Apply every step in order; collect findings and the indexes of steps the state refuses."""
    outcome = Outcome()
    for step in steps:
        refusal = _refusal(book, step)
        if refusal is not None:
            outcome.rejected[step.index] = refusal
            continue
        outcome.findings.extend(_apply(book, step, recalled))
    return outcome


def _refusal(book: PackBook, step: Step) -> tuple[str, str] | None:
    for key in (*step.keys, *step.child_keys):
        pack = book.packs.get(key)
        if pack is not None and pack.status in TERMINAL and step.biz_step != "commissioning":
            return ("pack_inactive", f"{key} is {pack.status}; an inactive pack cannot take part in {step.biz_step}.")
    if step.event_type == "AggregationEvent" and step.parent_key in step.child_keys:
        return ("aggregation_loop", f"{step.parent_key} cannot contain itself.")
    return None


def _apply(book: PackBook, step: Step, recalled: Recalled) -> list[Finding]:
    findings: list[Finding] = []
    if step.biz_step == "commissioning" and step.action == "ADD":
        findings += _commission(book, step)
    elif step.event_type == "AggregationEvent":
        findings += _aggregate(book, step)
    else:
        findings += _move(book, step)
    findings += _batch_findings(book, step, recalled)
    return findings


def _commission(book: PackBook, step: Step) -> list[Finding]:
    findings = []
    for new in step.new_packs:
        existing = book.packs.get(new.key)
        if existing is not None:
            findings.append(
                _finding(
                    "commissioned_twice",
                    step,
                    existing,
                    said("commissioned_twice", pack=new.key, enterprise=existing.commissioned_by),
                    (existing.last_event,),
                )
            )
            continue
        book.packs[new.key] = PackState(
            key=new.key,
            status="commissioned",
            holder=step.sender,
            commissioned_by=step.sender,
            location=step.location,
            jurisdiction_path=step.location_path or step.sender_path,
            commissioned_at=step.event_time,
            updated_at=step.event_time,
            gtin=new.gtin,
            serial=new.serial,
            lot=new.lot,
            expiry=new.expiry,
            approval_number=new.approval_number,
            package_level=new.package_level,
            special_control=new.special_control,
            last_event=step.identity,
            dirty=True,
            is_new=True,
        )
    return findings


def _aggregate(book: PackBook, step: Step) -> list[Finding]:
    findings = _unknown(book, step, (*step.child_keys, *([step.parent_key] if step.action != "ADD" else [])))
    if step.parent_key is None:
        return findings
    parent = book.packs.get(step.parent_key) or _container(book, step)
    if step.action == "ADD":
        for key in step.child_keys:
            if key in book.packs:
                book.set_parent(book.packs[key], parent.key)
    elif step.action == "DELETE":
        keys = step.child_keys or tuple(book.children.get(parent.key, ()))
        for key in keys:
            if key in book.packs and book.packs[key].parent_key == parent.key:
                book.set_parent(book.packs[key], None)
    _touch(parent, step)
    return findings


def _container(book: PackBook, step: Step) -> PackState:
    """A case or pallet first seen when packed is created with the packer as holder."""
    assert step.parent_key is not None
    level = max((book.packs[k].package_level for k in step.child_keys if k in book.packs), default=1) + 1
    pack = PackState(
        key=step.parent_key,
        status="commissioned",
        holder=step.sender,
        commissioned_by=step.sender,
        location=step.location,
        jurisdiction_path=step.location_path or step.sender_path,
        commissioned_at=step.event_time,
        updated_at=step.event_time,
        package_level=level,
        last_event=step.identity,
        dirty=True,
        is_new=True,
    )
    book.packs[pack.key] = pack
    return pack


def _move(book: PackBook, step: Step) -> list[Finding]:
    findings = _unknown(book, step, step.keys)
    status = STATUS_BY_DISPOSITION.get(step.disposition) or STATUS_BY_STEP.get(step.biz_step)
    for key in step.keys:
        for pack in list(book.with_descendants(key)):
            findings += _transition_findings(step, pack, status)
            _transition(pack, step, status)
    return findings


def _transition_findings(step: Step, pack: PackState, status: str | None) -> list[Finding]:
    if status == DISPENSED and pack.status == DISPENSED:
        return [
            _finding(
                "dispensed_twice",
                step,
                pack,
                said("dispensed_twice", pack=pack.key),
                (pack.last_event,),
            )
        ]
    if step.biz_step == "receiving":  # whatever the disposition (in progress, sellable, ...)
        return _receiving_findings(step, pack)
    return []


def _receiving_findings(step: Step, pack: PackState) -> list[Finding]:
    """No shipment of the pack in transit, or one addressed to other parties (a diversion); the
    shipper taking back a delivery refused on the way is neither."""
    if pack.status != "in_transit":
        text = said("received_not_in_transit", pack=pack.key, receiver=step.sender)
    elif step.sender == pack.holder:
        return []
    elif pack.destination and step.sender not in pack.destination.split(DESTINATION_SEPARATOR):
        addressees = ", ".join(pack.destination.split(DESTINATION_SEPARATOR))
        text = said("received_by_another_party", pack=pack.key, receiver=step.sender, addressees=addressees)
    else:
        return []
    return [_finding("received_without_shipment", step, pack, text, (pack.last_event,))]


def destination_of(parties: tuple[str, ...]) -> str:
    """The stored form of a shipment's receiving parties; empty (not checked) when they do not fit."""
    joined = DESTINATION_SEPARATOR.join(parties)
    return joined if len(joined) <= DESTINATION_LENGTH else ""


def _transition(pack: PackState, step: Step, status: str | None) -> None:
    if status is not None:
        pack.status = status
    if status == "in_transit":
        pack.destination, pack.shipment = destination_of(step.destinations), step.shipment
    if status in ("received", "in_stock", "returned") or step.biz_step == "receiving":
        pack.holder, pack.destination = step.sender, ""
    if step.location:
        pack.location = step.location
        pack.jurisdiction_path = step.location_path or pack.jurisdiction_path
    _touch(pack, step)


def _touch(pack: PackState, step: Step) -> None:
    pack.updated_at, pack.last_event, pack.dirty = step.event_time, step.identity, True


def _unknown(book: PackBook, step: Step, keys: Iterable[str | None]) -> list[Finding]:
    return [
        Finding(
            "code_not_commissioned",
            step.identity,
            key,
            step.location_path or step.sender_path,
            step.sender,
            said("code_not_commissioned", pack=key, step=step.biz_step or step.event_type),
        )
        for key in keys
        if key and key not in book.packs
    ]


def _batch_findings(book: PackBook, step: Step, recalled: Recalled) -> list[Finding]:
    """Movement of a recalled or expired batch: one finding per batch and event, not per pack."""
    findings, seen = [], set()
    for key in (*step.keys, *step.child_keys):
        for pack in book.with_descendants(key):
            batch = (pack.approval_number, pack.lot)
            if batch in seen or not pack.lot:
                continue
            seen.add(batch)
            since = recalled.get(batch)
            findings += _batch_finding(step, pack, since is not None and step.event_time >= since)
    return findings


def _batch_finding(step: Step, pack: PackState, is_recalled: bool) -> list[Finding]:
    if is_recalled and step.biz_step not in ("recalling", "returning", "destroying", "receiving"):
        return [
            _finding(
                "recalled_batch_movement",
                step,
                pack,
                said("recalled_batch_movement", lot=pack.lot, approval=pack.approval_number, step=step.biz_step),
            )
        ]
    if (
        pack.expiry is not None
        and pack.expiry < china_date(step.event_time)
        and step.biz_step not in ("destroying", "returning")
    ):
        return [
            _finding(
                "expired_batch_movement",
                step,
                pack,
                said("expired_batch_movement", lot=pack.lot, expiry=pack.expiry, step=step.biz_step),
            )
        ]
    return []


def _finding(rule: str, step: Step, pack: PackState, text: Text, evidence: tuple[str, ...] = ()) -> Finding:
    return Finding(
        rule,
        step.identity,
        pack.key,
        step.location_path or step.sender_path,
        step.sender,
        text,
        pack.approval_number,
        pack.lot,
        tuple(e for e in evidence if e),
    )
