"""Regulators work the alert queue: acknowledge, close — each step audited."""

from django.db import transaction

from medreg.core.actor import Actor
from medreg.core.audit import record_change
from medreg.core.errors import NotFound, PermissionDenied
from medreg.core.scoping import Scope
from medreg.trace.models import Alert


def change_alert_status(*, actor: Actor, scope: Scope, alert_id: int, status: str, note: str) -> Alert:
    if not scope.is_regulator:
        raise PermissionDenied("Only regulators work the alert queue.")
    with transaction.atomic():
        alert = scope.apply(Alert.objects.select_for_update()).filter(pk=alert_id).first()
        if alert is None:
            raise NotFound("alert")
        before = {"status": alert.status}
        alert.status = status
        alert.save(update_fields=["status"])
        record_change(
            actor=actor,
            action="alert_status",
            object_type="trace.alert",
            object_id=alert.pk,
            before=before,
            after={"status": status, "note": note},
        )
    return Alert.objects.prefetch_related("evidence").get(pk=alert.pk)
