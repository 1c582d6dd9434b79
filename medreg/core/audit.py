"""The audit chain: append a record in the caller's transaction; verify the whole chain.

Each record's hash is SHA-256 over the canonical JSON of its fields and the previous record's
hash, so an edit, a deletion or a re-ordering done behind the platform's back is found by
`verify_chain`. Appending locks the single chain-head row, which serializes writers for the
few microseconds of the append and gives gap-free positions.
"""

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.models import AuditChainHead, AuditRecord

GENESIS_HASH = "0" * 64


def snapshot(instance: models.Model, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The concrete field values of `instance` as JSON-safe data (dates ISO, decimals as text)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name not in exclude:
            data[field.attname] = json_safe(getattr(instance, field.attname))
    return data


def json_safe(value: Any) -> Any:
    """Convert a field value to a JSON value that survives a database round trip unchanged."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | float):
        return str(value)
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    return value


def record_change(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    """Append one record to the chain. Must run inside the transaction that makes the change."""
    record_changes(actor=actor, changes=[Change(action, object_type, object_id, before, after)])


@dataclass(frozen=True)
class Change:
    """One entry for `record_changes`."""

    action: str
    object_type: str
    object_id: object
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


def record_changes(*, actor: Actor, changes: list[Change], batch_size: int = 2000) -> int:
    """Append many records at once (bulk imports): one lock, one bulk insert per batch."""
    if not changes:
        return 0
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_changes must be called inside the transaction that makes the changes")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    position, previous, now = head.position, head.hash, timezone.now()
    records = []
    for change in changes:
        position += 1
        record = AuditRecord(
            position=position,
            occurred_at=now,
            actor_id=actor.user.pk if actor.user else None,
            actor_username=actor.username,
            ip_address=actor.ip_address,
            channel=actor.channel,
            action=change.action,
            object_type=change.object_type,
            object_id=str(change.object_id),
            before=json_safe(change.before),
            after=json_safe(change.after),
            previous_hash=previous,
        )
        record.hash = previous = record_hash(record)
        records.append(record)
    AuditRecord.objects.bulk_create(records, batch_size=batch_size)
    AuditChainHead.objects.filter(id=1).update(position=position, hash=previous)
    return len(records)


def record_hash(record: AuditRecord) -> str:
    """SHA-256 of the canonical JSON of every field but the hash itself."""
    occurred_at = record.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    payload = [
        record.position,
        occurred_at,
        record.actor_id,
        record.actor_username,
        record.ip_address,
        record.channel,
        record.action,
        record.object_type,
        record.object_id,
        record.before,
        record.after,
        record.previous_hash,
    ]
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    """The first place where the chain does not hold."""

    position: int
    kind: str  # altered | missing | broken_link | truncated
    message: str


@dataclass(frozen=True)
class ChainReport:
    records_checked: int
    problem: ChainProblem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Walk the chain in position order and report the first altered, missing or unlinked record."""
    expected_position, previous_hash, checked = 1, GENESIS_HASH, 0
    for record in _records_in_order(batch_size):
        problem = _check_record(record, expected_position, previous_hash)
        if problem is not None:
            return ChainReport(checked, problem)
        expected_position, previous_hash, checked = record.position + 1, record.hash, checked + 1
    return ChainReport(checked, _check_tail(expected_position - 1, previous_hash))


def _check_record(record: AuditRecord, expected_position: int, previous_hash: str) -> ChainProblem | None:
    if record.position != expected_position:
        missing = (
            f"{expected_position}"
            if record.position == expected_position + 1
            else (f"{expected_position}..{record.position - 1}")
        )
        return ChainProblem(
            expected_position,
            "missing",
            f"audit record #{missing} is missing (deleted); record #{record.position} follows #{expected_position - 1}",
        )
    if record_hash(record) != record.hash:
        return ChainProblem(
            record.position,
            "altered",
            f"audit record #{record.position} was altered: its "
            f"content no longer matches its hash ({record.object_type}:{record.object_id})",
        )
    if record.previous_hash != previous_hash:
        return ChainProblem(
            record.position,
            "broken_link",
            f"audit record #{record.position} does not link to record #{record.position - 1} (re-hashed or re-ordered)",
        )
    return None


def _check_tail(last_position: int, last_hash: str) -> ChainProblem | None:
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None or (head.position == last_position and head.hash == last_hash):
        return None
    if head.position > last_position:
        return ChainProblem(
            last_position + 1,
            "missing",
            f"audit records #{last_position + 1}..{head.position} are missing at the end of the chain (deleted)",
        )
    return ChainProblem(last_position, "broken_link", f"the chain head does not match record #{last_position}")


def _records_in_order(batch_size: int) -> Iterator[AuditRecord]:
    last = 0
    while True:
        batch = list(AuditRecord.objects.filter(position__gt=last).order_by("position")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].position
