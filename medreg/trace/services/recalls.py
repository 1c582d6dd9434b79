"""Recalls of a batch: started by the holder of the authorization or ordered by a regulator."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.audit import record_change
from medreg.core.errors import DomainError, NotFound, PermissionDenied
from medreg.core.scoping import SYSTEM_SCOPE, Scope
from medreg.registry import selectors as registry
from medreg.trace.models import Recall


def start_recall(
    *,
    actor: Actor,
    scope: Scope,
    approval_number: str,
    lot: str,
    reason: str,
    level: int,
    initiated_at: dt.datetime | None = None,
) -> Recall:
    """Start a recall of a batch, now unless `initiated_at` says when it began (the demo data's own
    clock; not offered over the API). Movements of the batch from that moment on raise alerts."""
    drug = registry.drug_facts(scope, {approval_number}).get(approval_number)
    if drug is None:
        raise NotFound("drug")
    holder = drug.marketing_authorization_holder
    if not (scope.may_write_registry or scope.enterprise_code == holder.uscc):
        raise PermissionDenied("Only the marketing authorization holder or a regulator may start a recall.")
    path = registry.enterprise_jurisdiction_paths(SYSTEM_SCOPE, {holder.uscc})[holder.uscc]
    try:
        with transaction.atomic():
            recall = Recall.objects.create(
                approval_number=approval_number,
                lot=lot,
                level=level,
                reason=reason,
                holder_enterprise_code=holder.uscc,
                jurisdiction_path=path,
                initiated_at=initiated_at or timezone.now(),
            )
            record_change(
                actor=actor,
                action="start_recall",
                object_type="trace.recall",
                object_id=recall.pk,
                before=None,
                after={"approval_number": approval_number, "lot": lot, "level": level, "reason": reason},
            )
    except IntegrityError as error:
        raise DomainError.single("lot", "duplicate", f"Batch {lot} is already being recalled.", "", 409) from error
    return recall
