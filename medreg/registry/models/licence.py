import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medreg.core.scoping import ScopeFields


class LicenceKind(models.TextChoices):
    DRUG_PRODUCTION = "drug_production", _("Drug production licence")
    DRUG_WHOLESALE = "drug_wholesale", _("Drug distribution licence (wholesale)")
    DRUG_RETAIL = "drug_retail", _("Drug distribution licence (retail)")
    DEVICE_PRODUCTION = "device_production", _("Device production licence")
    DEVICE_PRODUCTION_RECORD = "device_production_record", _("Device production filing record (class I)")
    DEVICE_DISTRIBUTION = "device_distribution", _("Device distribution licence (class III)")
    DEVICE_DISTRIBUTION_RECORD = "device_distribution_record", _("Device distribution filing record (class II)")
    COSMETIC_PRODUCTION = "cosmetic_production", _("Cosmetic production licence")


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class Licence(models.Model):
    """A licence or filing record held by an enterprise; its status changes are kept in
    LicenceStatusChange (and in the audit chain)."""

    SCOPE_FIELDS = ScopeFields(
        jurisdiction_paths=("enterprise__jurisdiction__path",),
        enterprise_codes=("enterprise__uscc",),
        public=Q(status="valid", enterprise__status="active"),
    )

    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="licences")
    kind = models.CharField(_("kind"), max_length=32, choices=LicenceKind.choices)
    number = models.CharField(_("number"), max_length=60)
    scope = models.TextField(_("scope of business"))
    issued_by = models.ForeignKey("core.Jurisdiction", on_delete=models.PROTECT, related_name="issued_licences")
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=LicenceStatus.choices, default="valid")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "number"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="licence_number_unique_per_kind"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("issued_on")),
                name="licence_valid_after_issue",
            ),
        ]
        indexes = [models.Index(fields=["status", "valid_until"])]

    def __str__(self) -> str:
        return self.number

    def is_in_force(self, on: dt.date) -> bool:
        """Valid, and not past its validity on `on`."""
        return self.status == LicenceStatus.VALID and (self.valid_until is None or self.valid_until >= on)


class LicenceStatusChange(models.Model):
    """One step in a licence's history: issued, suspended, reinstated, revoked, expired, renewed."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, choices=LicenceStatus.choices)
    changed_at = models.DateTimeField()
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    actor_username = models.CharField(max_length=150)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("licence status change")

    def __str__(self) -> str:
        return f"{self.licence_id}: {self.from_status} -> {self.to_status}"
