from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medreg.core.scoping import ScopeFields
from medreg.trace.state import DESTINATION_LENGTH


class PackStatus(models.TextChoices):
    COMMISSIONED = "commissioned", _("Commissioned")
    IN_STOCK = "in_stock", _("In stock")
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")
    DISPENSED = "dispensed", _("Dispensed")
    RETURNED = "returned", _("Returned")
    DESTROYED = "destroyed", _("Destroyed")
    RECALLED = "recalled", _("Recalled")
    DECOMMISSIONED = "decommissioned", _("Decommissioned")


class Pack(models.Model):
    """The current state of one identified unit: a sales pack, a case or a pallet (SSCC).

    `parent_key` is the container it is aggregated into; scanning the container moves every pack
    inside it. Product facts are copied from the registry at commissioning (approval number,
    package level) so that verification is one indexed lookup.
    """

    SCOPE_FIELDS = ScopeFields(
        jurisdiction_paths=("jurisdiction_path",),
        enterprise_codes=("holder_enterprise_code", "commissioned_by_enterprise_code"),
    )  # the public verifies packs through selectors.verify only, which reveals no trading partner

    key = models.CharField(primary_key=True, max_length=120)
    gtin = models.CharField(max_length=14, blank=True)
    serial = models.CharField(max_length=40, blank=True)
    lot = models.CharField(max_length=40, blank=True)
    expiry = models.DateField(null=True, blank=True)
    approval_number = models.CharField(max_length=20, blank=True)
    package_level = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=16, choices=PackStatus.choices)
    holder_enterprise_code = models.CharField(max_length=18)
    commissioned_by_enterprise_code = models.CharField(max_length=18)
    location = models.CharField(max_length=200, blank=True)
    jurisdiction_path = models.CharField(max_length=40)
    # every receiving party of the shipment in transit, joined (state.destination_of)
    destination_enterprise_code = models.CharField(max_length=DESTINATION_LENGTH, blank=True)
    shipment = models.CharField(max_length=120, blank=True)
    special_control = models.CharField(max_length=20, blank=True)
    parent_key = models.CharField(max_length=120, null=True, blank=True)
    commissioned_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    last_event_identity = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("pack")
        # Only the indexes a query uses (decision 0105): every capture rewrites thousands of pack rows,
        # and each index is written for every new row version. Plain btrees, no `_like` twins: no
        # query on packs filters with LIKE except the jurisdiction scope, which always comes with a
        # key or a batch (approval number + lot) that the planner uses first.
        # No index may name a column that shipping, receiving or dispensing changes (status, holder,
        # location, destination, shipment, ...): then PostgreSQL updates the row in place on its page
        # (a HOT update, no index entry), which the table's fillfactor makes room for (decision 0109).
        indexes = [
            models.Index(fields=["approval_number", "lot"]),  # recall scope, track, batch findings
            models.Index(fields=["parent_key"], name="trace_pack_parent_key_idx"),  # contents of a case
        ]

    def __str__(self) -> str:
        return self.key


class Recall(models.Model):
    """A recall of a batch (product + lot): any later movement of its packs raises an alert."""

    SCOPE_FIELDS = ScopeFields(
        jurisdiction_paths=("jurisdiction_path",),
        enterprise_codes=("holder_enterprise_code",),
        public=Q(pk__isnull=False),
    )

    approval_number = models.CharField(max_length=20)
    lot = models.CharField(max_length=40)
    level = models.PositiveSmallIntegerField(_("recall level"), default=2)
    reason = models.CharField(_("reason"), max_length=500)
    holder_enterprise_code = models.CharField(max_length=18)
    jurisdiction_path = models.CharField(max_length=40)
    initiated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["approval_number", "lot"], name="recall_once_per_batch")]

    def __str__(self) -> str:
        return f"{self.approval_number} {self.lot}"


class SpecialControlShipmentPack(models.Model):
    """A special-control sales pack shipped under a shipment (its despatch advice or other business
    transaction): at receiving, the quantity rule counts the packs of the shipment still in transit
    through these rows, since `trace_pack` keeps no index on `shipment` (decision 0109). Written only
    for special-control packs; kept after receipt."""

    shipment = models.CharField(max_length=120)
    pack_key = models.CharField(max_length=120)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shipment", "pack_key"], name="trace_special_shipment_pack_once")
        ]

    def __str__(self) -> str:
        return f"{self.shipment}: {self.pack_key}"
