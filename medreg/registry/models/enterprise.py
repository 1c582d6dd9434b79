from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medreg.core.scoping import ScopeFields


class EnterpriseType(models.TextChoices):
    MARKETING_AUTHORIZATION_HOLDER = "marketing_authorization_holder", _("Marketing authorization holder")
    DRUG_MANUFACTURER = "drug_manufacturer", _("Drug manufacturer")
    DRUG_WHOLESALER = "drug_wholesaler", _("Drug wholesaler")
    RETAIL_PHARMACY = "retail_pharmacy", _("Retail pharmacy")
    MEDICAL_INSTITUTION = "medical_institution", _("Medical institution")
    DEVICE_REGISTRANT = "device_registrant", _("Device registrant")
    DEVICE_MANUFACTURER = "device_manufacturer", _("Device manufacturer")
    DEVICE_DISTRIBUTOR = "device_distributor", _("Device distributor")
    COSMETIC_REGISTRANT = "cosmetic_registrant", _("Cosmetic registrant")
    COSMETIC_MANUFACTURER = "cosmetic_manufacturer", _("Cosmetic manufacturer")


class EnterpriseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    DEREGISTERED = "deregistered", _("Deregistered")


class Enterprise(models.Model):
    """A regulated enterprise or institution, identified by its unified social credit code.

    `jurisdiction` is the county-level division of its registered address; it decides which
    regulators answer for it.
    """

    SCOPE_FIELDS = ScopeFields(
        jurisdiction_paths=("jurisdiction__path",),
        enterprise_codes=("uscc",),
        public=Q(status="active"),
    )

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    legal_representative = models.CharField(_("legal representative"), max_length=100)
    registered_address = models.CharField(_("registered address"), max_length=300)
    jurisdiction = models.ForeignKey("core.Jurisdiction", on_delete=models.PROTECT, related_name="enterprises")
    status = models.CharField(_("status"), max_length=16, choices=EnterpriseStatus.choices, default="active")
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [models.Index(fields=["jurisdiction", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def type_codes(self) -> list[str]:
        return sorted(assignment.type for assignment in self.type_assignments.all())


class EnterpriseTypeAssignment(models.Model):
    """One of an enterprise's types (an enterprise may be several: holder and manufacturer)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="type_assignments")
    type = models.CharField(max_length=40, choices=EnterpriseType.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "type"], name="enterprise_type_once")]
        indexes = [models.Index(fields=["type"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id}:{self.type}"


class Site(models.Model):
    """A place where an enterprise works (production site, warehouse, shop), with its own
    jurisdiction and optionally a GS1 location number (GLN) used by traceability events."""

    SCOPE_FIELDS = ScopeFields(
        jurisdiction_paths=("jurisdiction__path", "enterprise__jurisdiction__path"),
        enterprise_codes=("enterprise__uscc",),
    )

    class Kind(models.TextChoices):
        PRODUCTION = "production", _("Production site")
        WAREHOUSE = "warehouse", _("Warehouse")
        SHOP = "shop", _("Shop / dispensary")
        OFFICE = "office", _("Office")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="sites")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=300)
    jurisdiction = models.ForeignKey("core.Jurisdiction", on_delete=models.PROTECT, related_name="sites")
    gln = models.CharField(_("GLN"), max_length=13, blank=True, db_index=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [models.UniqueConstraint(fields=["gln"], condition=~Q(gln=""), name="site_gln_unique")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.address}"
