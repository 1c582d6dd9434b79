"""Issue licences, change their status, expire the ones past their validity."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from medreg.core.actor import Actor
from medreg.core.audit import Change, record_change, record_changes, snapshot
from medreg.core.errors import DomainError, FieldError, NotFound
from medreg.core.scoping import Scope
from medreg.registry.models import Licence, LicenceStatus, LicenceStatusChange
from medreg.registry.regulatory_numbers import validate_licence_number
from medreg.registry.resolver import Resolver
from medreg.registry.schemas import LicenceIn, LicenceStatusIn
from medreg.registry.services.common import atomic_write, check_version, collect, raise_if, require_registry_writer

OBJECT_TYPE = "registry.licence"

# Which status may follow which; "expired" is set by the platform when validity ends.
ALLOWED_TRANSITIONS = {
    LicenceStatus.VALID: {LicenceStatus.SUSPENDED, LicenceStatus.REVOKED, LicenceStatus.EXPIRED},
    LicenceStatus.SUSPENDED: {LicenceStatus.VALID, LicenceStatus.REVOKED, LicenceStatus.EXPIRED},
    LicenceStatus.EXPIRED: set(),
    LicenceStatus.REVOKED: set(),
}


def build_licence(data: LicenceIn, resolver: Resolver, errors: list[FieldError]) -> Licence | None:
    enterprise = resolver.enterprise(data.enterprise, "enterprise", errors)
    issuer = resolver.jurisdiction(data.issued_by, "issued_by", errors)
    if issuer is None:
        return None
    number = collect(errors, validate_licence_number, data.number, data.kind, issuer.code)
    if data.valid_until is not None and data.valid_until < data.issued_on:
        errors.append(
            FieldError(
                "valid_until", "before_issue", "The licence cannot end before it was issued.", "Check both dates."
            )
        )
    if data.issued_on > timezone.localdate():
        errors.append(
            FieldError(
                "issued_on", "future_date", "The issue date lies in the future.", "Use the date printed on the licence."
            )
        )
    if number and Licence.objects.filter(kind=data.kind, number=number).exists():
        errors.append(
            FieldError(
                "number",
                "duplicate",
                f"Licence {number} is already registered.",
                "Update the existing licence instead.",
            )
        )
    if enterprise is None or number is None or errors:
        return None
    return Licence(
        enterprise=enterprise,
        kind=data.kind,
        number=number,
        scope=data.scope.strip(),
        issued_by=issuer,
        issued_on=data.issued_on,
        valid_until=data.valid_until,
        status=LicenceStatus.VALID,
    )


def save_licences(*, actor: Actor, licences: list[Licence]) -> None:
    Licence.objects.bulk_create(licences, batch_size=1000)
    saved = {(lic.kind, lic.number): lic for lic in Licence.objects.filter(number__in=[x.number for x in licences])}
    now = timezone.now()
    LicenceStatusChange.objects.bulk_create(
        [
            LicenceStatusChange(
                licence=saved[(x.kind, x.number)],
                from_status="",
                to_status=LicenceStatus.VALID,
                changed_at=now,
                reason="issued",
                actor_username=actor.username,
            )
            for x in licences
        ],
        batch_size=2000,
    )
    record_changes(
        actor=actor,
        changes=[
            Change(
                "create",
                OBJECT_TYPE,
                saved[(x.kind, x.number)].pk,
                None,
                snapshot(saved[(x.kind, x.number)], exclude=("created_at", "updated_at")),
            )
            for x in licences
        ],
    )


def create_licence(*, actor: Actor, scope: Scope, data: LicenceIn) -> Licence:
    require_registry_writer(scope)
    errors: list[FieldError] = []
    licence = build_licence(data, Resolver(scope), errors)
    raise_if(errors)
    assert licence is not None
    with atomic_write("number"):
        save_licences(actor=actor, licences=[licence])
    return Licence.objects.select_related("enterprise", "issued_by").get(kind=licence.kind, number=licence.number)


def change_licence_status(*, actor: Actor, scope: Scope, licence_id: int, data: LicenceStatusIn) -> Licence:
    """Suspend, reinstate or revoke a licence; the step is kept in its history and the audit chain."""
    require_registry_writer(scope)
    with transaction.atomic():
        licence = scope.apply(Licence.objects.select_for_update(of=("self",))).filter(pk=licence_id).first()
        if licence is None:
            raise NotFound("licence")
        check_version(licence.version, data.version)
        _check_transition(licence.status, data.status)
        before = snapshot(licence, exclude=("created_at", "updated_at"))
        _set_status(actor, licence, data.status, data.reason)
        record_change(
            actor=actor,
            action="change_status",
            object_type=OBJECT_TYPE,
            object_id=licence.pk,
            before=before,
            after=snapshot(licence, exclude=("created_at", "updated_at")),
        )
    return licence


def expire_licences(*, actor: Actor, today: dt.date) -> int:
    """Mark every valid or suspended licence whose validity ended before `today` as expired."""
    with transaction.atomic():
        due = list(
            Licence.objects.select_for_update().filter(
                status__in=[LicenceStatus.VALID, LicenceStatus.SUSPENDED], valid_until__lt=today
            )
        )
        for licence in due:
            before = snapshot(licence, exclude=("created_at", "updated_at"))
            _set_status(actor, licence, LicenceStatus.EXPIRED, f"validity ended {licence.valid_until}")
            record_change(
                actor=actor,
                action="expire",
                object_type=OBJECT_TYPE,
                object_id=licence.pk,
                before=before,
                after=snapshot(licence, exclude=("created_at", "updated_at")),
            )
    return len(due)


def _check_transition(current: str, target: str) -> None:
    if target not in ALLOWED_TRANSITIONS[LicenceStatus(current)]:
        raise DomainError.single(
            "status",
            "invalid_transition",
            f"A {current} licence cannot become {target}.",
            "A revoked or expired licence is replaced by issuing a new one.",
            409,
        )


def _set_status(actor: Actor, licence: Licence, status: str, reason: str) -> None:
    LicenceStatusChange.objects.create(
        licence=licence,
        from_status=licence.status,
        to_status=status,
        changed_at=timezone.now(),
        reason=reason,
        actor_username=actor.username,
    )
    licence.status = status
    licence.version += 1
    licence.save(update_fields=["status", "version", "updated_at"])
